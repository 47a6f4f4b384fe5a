"""At the kiosk a guardian is shown their family's staff entries and signs with their PIN."""

from __future__ import annotations

import pytest

from models.audit import AuditEntry
from models.kiosk import PinFailure
from models.signatures import ParentSignature
from tests.confirmations.helpers import (
    IDENTIFY,
    KIOSK_CONFIRM,
    Scene,
    data,
    roster_events,
    scene,
    staff_day,
    unconfirmed,
)
from tests.graphql import GraphQLClient
from tests.world import World


@pytest.fixture
async def s(world: World) -> Scene:
    return await scene(world)


async def test_the_pad_shows_a_guardian_their_familys_entries_by_first_name_and_initial(
    gql: GraphQLClient, s: Scene
) -> None:
    await staff_day(gql, s)
    payload = data(await gql.execute(IDENTIFY, {"i": {"pin": s.home.pin_a}}, token=s.kiosk_token))
    entries = payload["kioskIdentify"]["unconfirmedEntries"]
    assert [e["kind"] for e in entries] == ["SIGN_IN", "SIGN_OUT", "ABSENT"]
    assert {e["childDisplayName"] for e in entries} == {"Ava L."}
    assert "Lastname" not in str(payload)


async def test_a_guardian_confirms_with_their_pin(gql: GraphQLClient, s: Scene) -> None:
    await staff_day(gql, s)
    ids = [e["id"] for e in await unconfirmed(gql, s.parent)]
    variables = {"i": {"pin": s.home.pin_a, "entryIds": ids}}
    payload = data(await gql.execute(KIOSK_CONFIRM, variables, token=s.kiosk_token))
    assert payload["kioskConfirmEntries"]["errors"] == []
    assert payload["kioskConfirmEntries"]["unconfirmedEntries"] == []

    stored = await ParentSignature.get()
    assert stored.method == "KIOSK_PIN"
    assert stored.device == f"kiosk:{s.kiosk.id}"
    assert str(stored.adult_id) == str(s.home.guardian_a.id)
    audit = await AuditEntry.get(action="attendance.confirm")
    assert audit.device == f"kiosk:{s.kiosk.id}"
    assert audit.actor_id == str(s.home.guardian_a.id)
    assert await unconfirmed(gql, s.parent) == []
    signed_by = {e["signedBy"] for e in await roster_events(gql, s)}
    assert signed_by == {s.home.guardian_a.display_name}


async def test_a_contact_sees_nothing_to_confirm_and_cannot_sign(
    gql: GraphQLClient, s: Scene
) -> None:
    await staff_day(gql, s)
    ids = [e["id"] for e in await unconfirmed(gql, s.parent)]
    shown = data(await gql.execute(IDENTIFY, {"i": {"pin": s.contact_pin}}, token=s.kiosk_token))
    assert shown["kioskIdentify"]["unconfirmedEntries"] == []
    variables = {"i": {"pin": s.contact_pin, "entryIds": ids}}
    payload = data(await gql.execute(KIOSK_CONFIRM, variables, token=s.kiosk_token))
    assert {e["code"] for e in payload["kioskConfirmEntries"]["errors"]} == {"NOT_CONFIRMABLE"}
    assert await ParentSignature.all().count() == 0


async def test_a_wrong_pin_is_counted_and_signs_nothing(gql: GraphQLClient, s: Scene) -> None:
    await staff_day(gql, s)
    ids = [e["id"] for e in await unconfirmed(gql, s.parent)]
    variables = {"i": {"pin": "999999", "entryIds": ids}}
    payload = data(await gql.execute(KIOSK_CONFIRM, variables, token=s.kiosk_token))
    assert [e["code"] for e in payload["kioskConfirmEntries"]["errors"]] == ["INVALID_PIN"]
    assert await PinFailure.all().count() == 1
    assert await ParentSignature.all().count() == 0


async def test_confirming_at_the_pad_must_be_alone_in_its_operation(
    gql: GraphQLClient, s: Scene
) -> None:
    aliased = """
    mutation($a: KioskConfirmEntriesInput!, $b: KioskConfirmEntriesInput!) {
      one: kioskConfirmEntries(input: $a) { errors { code } }
      two: kioskConfirmEntries(input: $b) { errors { code } }
    }
    """
    entry = {"pin": "111111", "entryIds": ["00000000-0000-0000-0000-000000000000"]}
    result = await gql.execute(aliased, {"a": entry, "b": entry}, token=s.kiosk_token)
    assert result.errors
    assert await PinFailure.all().count() == 0
