"""A day of staff entries for one family, the parents who confirm them, and the kiosk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from models.kiosk import Kiosk
from models.people import Child, Family, FamilyAdult, GuardianSlot
from tests import clock as test_clock
from tests import factories as make
from tests.family.helpers import Household, account_for, household, parent_token
from tests.graphql import GraphQLClient, Result
from tests.world import World

UNCONFIRMED = """
{ viewer { ... on ParentViewer { unconfirmedEntries {
    id kind at date reason correctedFrom askedAgain child { id firstName } } } } }
"""
CONFIRM = """
mutation($i: ConfirmAttendanceInput!) {
  confirmAttendance(input: $i) {
    signatures { id method signedBy entryIds contentHash stale reset }
    errors { code field message }
  }
}
"""
CORRECT = """
mutation($i: CorrectAttendanceTimeInput!) {
  correctAttendanceTime(input: $i) {
    correction { id kind at correctsId actorKind source reason needsConfirmation }
    entry { status signedInAt signedOutAt }
    errors { code field }
  }
}
"""
RESET = """
mutation($i: ResetParentSignatureInput!) {
  resetParentSignature(input: $i) { signature { id reset signedBy } errors { code } }
}
"""
REQUEST = """
mutation($i: RequestConfirmationInput!) {
  requestConfirmation(input: $i) {
    results { guardianId guardianFirstName outcome } errors { code }
  }
}
"""
ROSTER = """
query($room: ID!) { classroom(id: $room) { roster { child { firstName }
  events { id kind at actorKind correctsId signedBy signatureId signatureStale
           needsConfirmation } } } }
"""
SIGN_IN = "mutation($i: SignInInput!) { signIn(input: $i) { errors { code } } }"
SIGN_OUT = "mutation($i: SignOutInput!) { signOut(input: $i) { errors { code } } }"
ABSENT = "mutation($i: MarkAbsentInput!) { markAbsent(input: $i) { errors { code } } }"
IDENTIFY = """
mutation($i: KioskPinInput!) {
  kioskIdentify(input: $i) {
    adult { firstName }
    unconfirmedEntries { id childId childDisplayName kind at date reason correctedFrom }
    errors { code }
  }
}
"""
KIOSK_CONFIRM = """
mutation($i: KioskConfirmEntriesInput!) {
  kioskConfirmEntries(input: $i) {
    unconfirmedEntries { id } padState { locked } errors { code field }
  }
}
"""


def today_at(world: World, fraction: float) -> datetime:
    """A moment earlier today at the site: ``fraction`` of the way from midnight to now,
    so every time stays on the site's today whenever the test runs."""
    zone = ZoneInfo(world.site.timezone)
    now = test_clock.current().now()
    midnight = datetime.combine(now.astimezone(zone).date(), time(0), tzinfo=zone)
    return (midnight + (now - midnight) * fraction).astimezone(UTC)


def site_today(world: World) -> str:
    return test_clock.current().now().astimezone(ZoneInfo(world.site.timezone)).date().isoformat()


def data(result: Result) -> dict[str, Any]:
    assert result.errors == [], result.errors
    assert result.data is not None
    return result.data


@dataclass
class Scene:
    """Ava's family (guardian A with an account and a PIN, guardian B, a contact), Ben's
    family with its own parent, the teacher's token and a kiosk at the main site."""

    world: World
    home: Household
    ava: Child
    ben: Child
    parent: str
    other_parent: str
    teacher: str
    kiosk: Kiosk
    kiosk_token: str
    contact_pin: str
    ben_guardian: FamilyAdult


async def scene(world: World) -> Scene:
    home = await household(world)
    contact_pin = "141421"
    from services import pins as pin_service
    from tests.conftest import TEST_KEYRING

    await pin_service.store(TEST_KEYRING, world.agency.id, contact_pin, adult_id=home.contact.id)
    ben_family = await Family.get(id=world.kids[1].family_id)
    ben_guardian = await make.adult(ben_family, slot=GuardianSlot.A, first_name="Bea")
    kiosk, kiosk_token = await make.kiosk(world.site, paired_by=world.admin)
    return Scene(
        world=world,
        home=home,
        ava=world.kids[0],
        ben=world.kids[1],
        parent=await parent_token(await account_for(home.guardian_a)),
        other_parent=await parent_token(await account_for(ben_guardian)),
        teacher=await make.token_for(world.teacher),
        kiosk=kiosk,
        kiosk_token=kiosk_token,
        contact_pin=contact_pin,
        ben_guardian=ben_guardian,
    )


async def staff_day(gql: GraphQLClient, s: Scene) -> None:
    """The teacher signs Ava in and out today, and marks her absent tomorrow."""
    room = str(s.world.room.id)
    for query, fraction in ((SIGN_IN, 0.5), (SIGN_OUT, 0.8)):
        at = today_at(s.world, fraction).isoformat()
        variables = {"i": {"childIds": [str(s.ava.id)], "classroomId": room, "at": at}}
        payload = data(await gql.execute(query, variables, token=s.teacher))
        assert next(iter(payload.values()))["errors"] == []
    tomorrow = (datetime.fromisoformat(site_today(s.world)) + timedelta(days=1)).date()
    variables = {"i": {"childId": str(s.ava.id), "date": tomorrow.isoformat(), "reason": "Trip"}}
    payload = data(await gql.execute(ABSENT, variables, token=s.teacher))
    assert payload["markAbsent"]["errors"] == []


async def unconfirmed(gql: GraphQLClient, token: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = data(await gql.execute(UNCONFIRMED, token=token))["viewer"][
        "unconfirmedEntries"
    ]
    return entries


async def confirm(gql: GraphQLClient, token: str, ids: list[str]) -> dict[str, Any]:
    payload: dict[str, Any] = data(
        await gql.execute(CONFIRM, {"i": {"entryIds": ids}}, token=token)
    )["confirmAttendance"]
    return payload


async def roster_events(gql: GraphQLClient, s: Scene, child: str = "Ava") -> list[dict[str, Any]]:
    roster = data(await gql.execute(ROSTER, {"room": str(s.world.room.id)}, token=s.teacher))
    for row in roster["classroom"]["roster"]:
        if row["child"]["firstName"] == child:
            events: list[dict[str, Any]] = row["events"]
            return events
    raise AssertionError(f"{child} is not on the roster")
