"""Guessing PINs at a kiosk: counted per pad and per site, locked, alerted, unlocked."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from models.audit import AuditEntry
from models.kiosk import Kiosk, PinFailure
from models.org import Site
from services import pins as pin_service
from tests import factories as make
from tests.clock import FrozenClock
from tests.conftest import TEST_KEYRING
from tests.graphql import GraphQLClient
from tests.world import OTHER_TEACHER_PIN, TEACHER_PIN, World

IDENTIFY = """
mutation($i: KioskPinInput!) {
  kioskIdentify(input: $i) {
    adult { firstName } padState { locked reason until } errors { code }
  }
}
"""
UNLOCK = """
mutation($i: KioskPinInput!) {
  kioskUnlock(input: $i) { padState { locked reason } errors { code } }
}
"""
LOCK = "mutation { kioskLock { padState { locked reason } errors { code } } }"
GUARDIAN_PIN = "271828"
SECRET = TEST_KEYRING
WRONG = ["100001", "100002", "100003", "100004", "100005", "100006", "100007", "100008"]


@pytest.fixture
async def pad(world: World) -> tuple[Kiosk, str]:
    family = await make.family(world.agency, "Family Rivera")
    guardian = await make.adult(family, first_name="Rosa")
    await pin_service.store(TEST_KEYRING, world.agency.id, GUARDIAN_PIN, adult_id=guardian.id)
    await make.child(world.room, of=family, first_name="Maya")
    return await make.kiosk(world.site, paired_by=world.admin, name="Front door")


async def _try(gql: GraphQLClient, token: str, pin: str) -> dict[str, Any]:
    result = await gql.execute(IDENTIFY, {"i": {"pin": pin}}, token=token)
    assert result.errors == [], result
    payload: dict[str, Any] = result.data["kioskIdentify"]  # type: ignore[index]
    return payload


async def _unlock(gql: GraphQLClient, token: str, pin: str) -> dict[str, Any]:
    result = await gql.execute(UNLOCK, {"i": {"pin": pin}}, token=token)
    assert result.errors == [], result
    payload: dict[str, Any] = result.data["kioskUnlock"]  # type: ignore[index]
    return payload


def _alerts(gql: GraphQLClient) -> list[dict[str, Any]]:
    return [m for channel, m in gql.broadcast.published if channel.endswith(":alerts")]


def _codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["errors"]]


async def test_five_wrong_pins_lock_the_pad_for_five_minutes_and_alert_staff(
    gql: GraphQLClient, world: World, pad: tuple[Kiosk, str], clock: FrozenClock
) -> None:
    kiosk, token = pad
    for pin in WRONG[:4]:
        assert _codes(await _try(gql, token, pin)) == ["INVALID_PIN"]
        clock.advance(seconds=30)
    assert _alerts(gql) == []

    fifth = await _try(gql, token, WRONG[4])
    assert _codes(fifth) == ["PAD_LOCKED"]
    lock_ends = clock.now() + timedelta(minutes=5)
    assert fifth["padState"] == {
        "locked": True,
        "reason": "TOO_MANY_FAILURES",
        "until": lock_ends.isoformat(),
    }
    [alert] = _alerts(gql)
    assert alert["reason"] == "PAD_LOCKED"
    assert alert["kiosk_id"] == str(kiosk.id)
    assert alert["kiosk_name"] == "Front door"
    assert alert["site_id"] == str(world.site.id)

    # While locked the right PIN is not even looked at.
    clock.advance(minutes=4, seconds=59)
    locked = await _try(gql, token, GUARDIAN_PIN)
    assert _codes(locked) == ["PAD_LOCKED"]
    assert locked["adult"] is None

    clock.advance(seconds=2)
    open_again = await _try(gql, token, GUARDIAN_PIN)
    assert open_again["errors"] == []
    assert open_again["adult"] == {"firstName": "Rosa"}
    # The spent failures do not lock it again at the next wrong PIN.
    assert _codes(await _try(gql, token, WRONG[5])) == ["INVALID_PIN"]


async def test_failures_spread_beyond_the_window_do_not_lock(
    gql: GraphQLClient, pad: tuple[Kiosk, str], clock: FrozenClock
) -> None:
    _, token = pad
    for pin in WRONG[:6]:
        assert _codes(await _try(gql, token, pin)) == ["INVALID_PIN"]
        clock.advance(minutes=1, seconds=30)
    assert (await _try(gql, token, GUARDIAN_PIN))["errors"] == []


async def test_concurrent_wrong_pins_are_each_counted(
    gql: GraphQLClient, pad: tuple[Kiosk, str], clock: FrozenClock
) -> None:
    kiosk, token = pad
    results = await asyncio.gather(*(_try(gql, token, pin) for pin in WRONG))
    codes = sorted(code for r in results for code in _codes(r))
    # Five counted wrong PINs lock the pad; the attempts after that meet the lock.
    assert codes.count("INVALID_PIN") == 4
    assert codes.count("PAD_LOCKED") == 4
    assert await PinFailure.filter(kiosk_id=kiosk.id).count() == 5
    assert (await Kiosk.get(id=kiosk.id)).locked_until is not None
    assert len(_alerts(gql)) == 1


async def test_every_failure_is_audited_without_the_pin(
    gql: GraphQLClient, pad: tuple[Kiosk, str], clock: FrozenClock
) -> None:
    kiosk, token = pad
    for pin in WRONG[:5]:
        await _try(gql, token, pin)
    failures = await AuditEntry.filter(action="kiosk.pin_failed").order_by("at")
    assert len(failures) == 5
    assert all(f.target_id == str(kiosk.id) for f in failures)
    assert all(f.device == f"kiosk:{kiosk.id}" for f in failures)
    assert await AuditEntry.filter(action="kiosk.locked").count() == 1
    everything = " ".join(str(e.data) for e in await AuditEntry.all())
    assert not any(pin in everything for pin in WRONG)


async def test_fifteen_failures_in_a_day_lock_every_pad_of_the_site_until_a_staff_pin(
    gql: GraphQLClient, world: World, pad: tuple[Kiosk, str], clock: FrozenClock
) -> None:
    _, token = pad
    _, side_token = await make.kiosk(world.site, paired_by=world.admin, name="Side door")
    _, elsewhere_token = await make.kiosk(world.other_site, paired_by=world.admin)
    # Two rounds of 4 + 3, spaced so no single pad reaches its own lock of 5.
    for _ in range(2):
        for pin in WRONG[:4]:
            assert _codes(await _try(gql, token, pin)) == ["INVALID_PIN"]
        for pin in WRONG[4:7]:
            assert _codes(await _try(gql, side_token, pin)) == ["INVALID_PIN"]
        clock.advance(minutes=6)
    assert _alerts(gql) == []
    fifteenth = await _try(gql, token, WRONG[0])
    assert _codes(fifteenth) == ["PAD_LOCKED"]
    assert fifteenth["padState"] == {"locked": True, "reason": "SITE_LOCKED", "until": None}
    assert await PinFailure.filter(site_id=world.site.id).count() == 15
    site = await Site.get(id=world.site.id)
    assert site.pads_locked_at is not None
    assert [a["reason"] for a in _alerts(gql)] == ["SITE_LOCKED"]

    for door in (token, side_token):
        refused = await _try(gql, door, GUARDIAN_PIN)
        assert _codes(refused) == ["PAD_LOCKED"]
        assert refused["padState"]["reason"] == "SITE_LOCKED"
    # Other sites are not affected, and the lock outlives the day.
    assert _codes(await _try(gql, elsewhere_token, WRONG[0])) == ["INVALID_PIN"]
    clock.advance(hours=24)
    assert _codes(await _try(gql, token, GUARDIAN_PIN)) == ["PAD_LOCKED"]

    # A parent PIN never unlocks; a staff PIN of another site neither; this site's does.
    assert _codes(await _unlock(gql, side_token, GUARDIAN_PIN)) == ["INVALID_PIN"]
    assert _codes(await _unlock(gql, side_token, OTHER_TEACHER_PIN)) == ["INVALID_PIN"]
    unlocked = await _unlock(gql, side_token, TEACHER_PIN)
    assert unlocked == {"padState": {"locked": False, "reason": None}, "errors": []}
    assert (await _try(gql, token, GUARDIAN_PIN))["errors"] == []
    assert _alerts(gql)[-1]["reason"] == "UNLOCKED"
    audit = await AuditEntry.filter(action="kiosk.unlock").get()
    assert audit.operator_id == str(world.teacher.id)
    # The day's count starts again after the unlock.
    assert _codes(await _try(gql, token, WRONG[0])) == ["INVALID_PIN"]


async def test_staff_lock_a_pad_by_hand_and_only_a_staff_pin_opens_it(
    gql: GraphQLClient, world: World, pad: tuple[Kiosk, str], clock: FrozenClock
) -> None:
    _, token = pad
    locked = await gql.execute(LOCK, token=token)
    assert locked.data == {
        "kioskLock": {"padState": {"locked": True, "reason": "MANUAL"}, "errors": []}
    }
    assert _codes(await _try(gql, token, GUARDIAN_PIN)) == ["PAD_LOCKED"]
    clock.advance(hours=2)
    assert _codes(await _try(gql, token, GUARDIAN_PIN)) == ["PAD_LOCKED"]
    # Agency admins work everywhere in their agency.
    admin_pin = "360245"
    await pin_service.store(TEST_KEYRING, world.agency.id, admin_pin, staff_id=world.admin.id)
    assert (await _unlock(gql, token, admin_pin))["errors"] == []
    assert (await _try(gql, token, GUARDIAN_PIN))["errors"] == []
    # Only kiosks lock kiosks.
    staff = await gql.execute(LOCK, token=await make.token_for(world.admin))
    assert staff.codes == ["FORBIDDEN"]


async def test_wrong_staff_pins_close_the_unlock_screen_for_a_while(
    gql: GraphQLClient, world: World, pad: tuple[Kiosk, str], clock: FrozenClock
) -> None:
    kiosk, token = pad
    await gql.execute(LOCK, token=token)
    for pin in WRONG[:5]:
        assert _codes(await _unlock(gql, token, pin)) == ["INVALID_PIN"]
    assert _codes(await _unlock(gql, token, TEACHER_PIN)) == ["UNLOCK_BLOCKED"]
    assert [a["reason"] for a in _alerts(gql)] == ["UNLOCK_BLOCKED"]
    assert await PinFailure.filter(kiosk_id=kiosk.id, purpose="UNLOCK").count() == 5
    clock.advance(minutes=5, seconds=1)
    assert (await _unlock(gql, token, TEACHER_PIN))["errors"] == []


async def test_wrong_staff_pins_at_the_unlock_screen_count_toward_the_sites_day(
    gql: GraphQLClient, world: World, pad: tuple[Kiosk, str], clock: FrozenClock
) -> None:
    _, token = pad
    _, side_token = await make.kiosk(world.site, paired_by=world.admin, name="Side door")
    for pin in WRONG[:4]:
        assert _codes(await _try(gql, side_token, pin)) == ["INVALID_PIN"]
    clock.advance(minutes=6)
    for pin in WRONG[4:7]:
        assert _codes(await _try(gql, side_token, pin)) == ["INVALID_PIN"]
    await gql.execute(LOCK, token=token)
    # Spaced so the front door's unlock screen never closes by itself (5 in 5 minutes).
    for pin in WRONG[:4]:
        assert _codes(await _unlock(gql, token, pin)) == ["INVALID_PIN"]
    clock.advance(minutes=6)
    for pin in WRONG[4:7]:
        assert _codes(await _unlock(gql, token, pin)) == ["INVALID_PIN"]
    assert _alerts(gql) == []

    fifteenth = await _unlock(gql, token, WRONG[7])
    # This pad shows its own (manual) lock; every other pad of the site is closed now.
    assert fifteenth == {
        "padState": {"locked": True, "reason": "MANUAL"},
        "errors": [{"code": "PAD_LOCKED"}],
    }
    assert (await Site.get(id=world.site.id)).pads_locked_at is not None
    assert [a["reason"] for a in _alerts(gql)] == ["SITE_LOCKED"]
    refused = await _try(gql, side_token, GUARDIAN_PIN)
    assert refused["padState"]["reason"] == "SITE_LOCKED"
    # A staff PIN still opens the site, from the unlock screen that closed it.
    assert (await _unlock(gql, token, TEACHER_PIN))["errors"] == []
    assert (await _try(gql, side_token, GUARDIAN_PIN))["errors"] == []


async def test_unlock_is_alone_in_its_operation(gql: GraphQLClient, pad: tuple[Kiosk, str]) -> None:
    _, token = pad
    aliased = """
    mutation {
      a: kioskUnlock(input: {pin: "100001"}) { errors { code } }
      b: kioskLock { errors { code } }
    }
    """
    result = await gql.execute(aliased, token=token)
    assert result.data is None
    assert await PinFailure.all().count() == 0
