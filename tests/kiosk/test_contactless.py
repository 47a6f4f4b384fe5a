"""The kiosk's contactless QR code: static or daily, valid only at its own site."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from auth.keys import Keyring
from models.org import ContactlessMode, Site
from services import contactless
from services.errors import DomainError
from tests import factories as make
from tests.clock import FrozenClock
from tests.conftest import TEST_KEYRING
from tests.graphql import GraphQLClient
from tests.world import World

SECRET = TEST_KEYRING
CODE = "{ kiosk { contactlessCode { token svg expiresAt } } }"
# 23:59 on 23 November in Chicago (the world's main site), 05:59 the next day in UTC.
LATE_EVENING = datetime(2026, 11, 24, 5, 59, tzinfo=UTC)


def _refusal(site: Site, token: str | None, at: datetime) -> str | None:
    try:
        contactless.verify(SECRET, site, token, at)
    except DomainError as error:
        return error.code
    return None


async def test_a_daily_code_works_until_the_sites_midnight_and_never_after(world: World) -> None:
    site = await Site.get(id=world.site.id)
    assert site.timezone == "America/Chicago"
    assert site.contactless_mode == ContactlessMode.DYNAMIC
    code = contactless.current(SECRET, site, LATE_EVENING)
    assert code is not None
    # Chicago's midnight, whatever the server's own time zone says.
    assert code.expires_at == datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
    assert _refusal(site, code.token, LATE_EVENING) is None
    assert _refusal(site, code.token, LATE_EVENING + timedelta(seconds=59)) is None

    after_midnight = LATE_EVENING + timedelta(minutes=1, seconds=1)
    assert _refusal(site, code.token, after_midnight) == "INVALID_CONTACTLESS_CODE"
    tomorrow = contactless.current(SECRET, site, after_midnight)
    assert tomorrow is not None
    assert tomorrow.token != code.token
    assert _refusal(site, tomorrow.token, after_midnight) is None


async def test_a_static_code_never_expires_until_staff_rotate_it(world: World) -> None:
    site = await Site.get(id=world.site.id)
    site.contactless_mode = ContactlessMode.STATIC
    code = contactless.current(SECRET, site, LATE_EVENING)
    assert code is not None
    assert code.expires_at is None
    assert _refusal(site, code.token, LATE_EVENING + timedelta(days=400)) is None
    site.contactless_version += 1
    assert _refusal(site, code.token, LATE_EVENING) == "INVALID_CONTACTLESS_CODE"
    # Switching to daily codes retires the printed static one too.
    site.contactless_version -= 1
    site.contactless_mode = ContactlessMode.DYNAMIC
    assert _refusal(site, code.token, LATE_EVENING) == "INVALID_CONTACTLESS_CODE"


async def test_a_code_is_good_at_its_own_site_only(world: World) -> None:
    here = await Site.get(id=world.site.id)
    there = await Site.get(id=world.other_site.id)
    foreign = await Site.get(id=world.foreign_site.id)
    code = contactless.current(SECRET, here, LATE_EVENING)
    assert code is not None
    for site in (there, foreign):
        assert _refusal(site, code.token, LATE_EVENING) == "INVALID_CONTACTLESS_CODE"


@pytest.mark.parametrize("token", [None, "", "pr1", "pr1.x.y.z", "a" * 5000])
async def test_missing_and_forged_codes_are_refused(world: World, token: str | None) -> None:
    site = await Site.get(id=world.site.id)
    assert _refusal(site, token, LATE_EVENING) == "INVALID_CONTACTLESS_CODE"
    real = contactless.current(SECRET, site, LATE_EVENING)
    assert real is not None
    forged = real.token[:-2] + ("AA" if not real.token.endswith("AA") else "BB")
    assert _refusal(site, forged, LATE_EVENING) == "INVALID_CONTACTLESS_CODE"
    # Another server key cannot make codes for this one.
    other = contactless.current(
        Keyring.from_secrets(b"another-server-key-of-32-bytes-or-more"), site, LATE_EVENING
    )
    assert other is not None
    assert _refusal(site, other.token, LATE_EVENING) == "INVALID_CONTACTLESS_CODE"


async def test_switched_off_there_is_no_code_and_none_is_accepted(world: World) -> None:
    site = await Site.get(id=world.site.id)
    code = contactless.current(SECRET, site, LATE_EVENING)
    assert code is not None
    site.contactless_enabled = False
    assert contactless.current(SECRET, site, LATE_EVENING) is None
    assert _refusal(site, code.token, LATE_EVENING) == "CONTACTLESS_OFF"


async def test_the_kiosk_shows_its_sites_code_as_a_qr_svg(
    gql: GraphQLClient, world: World, clock: FrozenClock
) -> None:
    clock.set(LATE_EVENING)
    _, token = await make.kiosk(world.site, paired_by=world.admin)
    result = await gql.execute(CODE, token=token)
    assert result.errors == [], result
    shown: dict[str, Any] = result.data["kiosk"]["contactlessCode"]  # type: ignore[index]
    site = await Site.get(id=world.site.id)
    expected = contactless.current(SECRET, site, LATE_EVENING)
    assert expected is not None
    assert shown["token"] == expected.token
    assert shown["expiresAt"] == "2026-11-24T06:00:00+00:00"
    assert shown["svg"].startswith("<svg")
    assert "<path" in shown["svg"]

    await Site.filter(id=world.site.id).update(contactless_enabled=False)
    off = await gql.execute(CODE, token=token)
    assert off.data == {"kiosk": {"contactlessCode": None}}
