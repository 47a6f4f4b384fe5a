"""Application forms, queries and the callers the waitlist tests need."""

from __future__ import annotations

from typing import Any

from models.org import Site
from models.people import Family, GuardianSlot
from tests import factories as make
from tests.family.helpers import account_for, parent_token
from tests.graphql import GraphQLClient, Result
from tests.world import World

ROW = (
    "id number status familyName desiredStart programId priorityFlagIds submittedAt language "
    "contactMethod children { firstName lastName birthDate } "
    "guardians { firstName lastName email phone } sites { siteId position } "
    "answers { questionId value }"
)
ERRORS = "errors { field code message }"
SUBMIT = (
    "mutation($a: ID!, $i: ApplicationInput!) { submitApplication(agencyId: $a, input: $i) "
    f"{{ number {ERRORS} }} }}"
)
ENTER = (
    "mutation($i: ApplicationInput!) { enterApplication(input: $i) "
    f"{{ application {{ {ROW} }} {ERRORS} }} }}"
)
CHANGE = (
    "mutation($i: ChangeApplicationInput!) { changeApplication(input: $i) "
    f"{{ application {{ {ROW} }} {ERRORS} }} }}"
)
LIST = (
    "query($search: String, $siteId: ID, $programId: ID, $status: ApplicationStatus) "
    "{ applications(search: $search, siteId: $siteId, programId: $programId, status: $status) "
    f"{{ {ROW} }} }}"
)
ONE = f"query($id: ID!) {{ application(id: $id) {{ {ROW} }} }}"


def form(*sites: Site, family: str = "Rivera", **extra: Any) -> dict[str, Any]:
    """A valid application for ``sites``; ``extra`` replaces any field."""
    found: dict[str, Any] = {
        "children": [{"firstName": "Lia", "lastName": family, "birthDate": "2023-05-01"}],
        "guardians": [
            {"firstName": "Marta", "lastName": family, "email": " Marta@Example.TEST "},
        ],
        "language": "ES",
        "contactMethod": "EMAIL",
        "siteIds": [str(s.id) for s in sites],
        "desiredStart": "2026-09-01",
    }
    return found | extra


def data(result: Result, name: str) -> Any:
    assert result.errors == [], result
    assert result.data is not None
    return result.data[name]


def codes(found: dict[str, Any]) -> list[tuple[str | None, str]]:
    return [(e["field"], e["code"]) for e in found["errors"]]


async def submit(
    gql: GraphQLClient, world: World, entry: dict[str, Any], ip: str = "203.0.113.9"
) -> dict[str, Any]:
    result = await gql.execute(SUBMIT, {"a": str(world.agency.id), "i": entry}, ip=ip)
    found: dict[str, Any] = data(result, "submitApplication")
    return found


async def students_editor(world: World, *sites: Site) -> str:
    from models.org import ModuleAccess

    role = await make.role(world.agency, students=ModuleAccess.EDIT)
    user = await make.staff(world.agency, role=role, sites=list(sites) or [world.site])
    return await make.token_for(user)


async def refused(world: World) -> dict[str, str]:
    """Signed-in callers without Students view: FORBIDDEN on every staff field."""
    family = await Family.get(id=world.kids[0].family_id)
    guardian, _ = await make.adult_with_pin(family, slot=GuardianSlot.A)
    _, device = await make.kiosk(world.site, paired_by=world.admin)
    no_students = await make.role(world.agency)
    nobody = await make.staff(world.agency, role=no_students, sites=[world.site])
    return {
        "students none": await make.token_for(nobody),
        "attendance only": await make.token_for(world.viewer),
        "parent": await parent_token(await account_for(guardian)),
        "kiosk": device,
    }
