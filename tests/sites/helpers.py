"""Tokens of everyone who must be refused agency setup, and payload helpers."""

from __future__ import annotations

from typing import Any

from models.people import Family, GuardianSlot
from tests import factories as make
from tests.family.helpers import account_for, parent_token
from tests.graphql import Result
from tests.world import World


async def refused_tokens(world: World) -> dict[str, str]:
    """Signed-in callers who are not agency admins: each gets FORBIDDEN."""
    site_admin_role = await make.role(world.agency, site_admin=True)
    site_admin = await make.staff(world.agency, role=site_admin_role, sites=[world.site])
    family = await Family.get(id=world.kids[0].family_id)
    guardian, _ = await make.adult_with_pin(family, slot=GuardianSlot.A)
    _, device = await make.kiosk(world.site, paired_by=world.admin)
    return {
        "view-only": await make.token_for(world.viewer),
        "teacher": await make.token_for(world.teacher),
        "site admin": await make.token_for(site_admin),
        "parent": await parent_token(await account_for(guardian)),
        "kiosk": device,
    }


def payload(result: Result, name: str) -> dict[str, Any]:
    assert result.errors == [], result
    assert result.data is not None
    found: dict[str, Any] = result.data[name]
    return found


def codes(found: dict[str, Any]) -> list[tuple[str | None, str]]:
    return [(e["field"], e["code"]) for e in found["errors"]]
