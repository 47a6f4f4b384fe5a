"""A paired kiosk hands over its PIN pad's offline entries under the pad's own rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from models.attendance import AttendanceEvent
from models.kiosk import PinFailure
from tests import factories as make
from tests.attendance.sync_helpers import SYNC, batch, entry, outcomes
from tests.family.helpers import household
from tests.graphql import GraphQLClient
from tests.world import World

EIGHT = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)


async def test_a_kiosk_hands_over_its_pad_s_entries(gql: GraphQLClient, world: World) -> None:
    home = await household(world)
    kiosk, token = await make.kiosk(world.site, paired_by=world.admin)
    ava = world.kids[0]
    entries = [
        entry("SIGN_IN", ava, world.room, EIGHT, operatorPin=home.pin_a),
        entry("SIGN_OUT", ava, world.room, EIGHT + timedelta(hours=2), operatorPin=home.pin_a),
    ]
    result = await gql.execute(SYNC, batch(str(kiosk.id), entries), token=token)

    assert outcomes(result) == ["RECORDED", "RECORDED"]
    event = await AttendanceEvent.filter(kind="SIGN_IN").get()
    assert event.device == f"kiosk:{kiosk.id}"
    assert event.source.value == "OFFLINE_SYNC"
    assert event.actor_name == home.guardian_a.display_name
    assert event.auth_method.value == "PIN"
    again = await gql.execute(SYNC, batch(str(kiosk.id), entries), token=token)
    assert outcomes(again) == ["DUPLICATE", "DUPLICATE"]


async def test_a_kiosk_records_only_what_its_pad_would(gql: GraphQLClient, world: World) -> None:
    home = await household(world)
    kiosk, token = await make.kiosk(world.site, paired_by=world.admin)
    ava, ben, _ = world.kids
    entries = [
        entry("SIGN_IN", ava, world.room, EIGHT),
        entry("SIGN_IN", ava, world.room, EIGHT, operatorPin="000000"),
        entry("ABSENT", ava, world.room, EIGHT, operatorPin=home.pin_a),
        entry("SIGN_IN", ben, world.room, EIGHT, operatorPin=home.pin_a),
        entry("SIGN_IN", ava, world.other_room, EIGHT, operatorPin=home.pin_a),
    ]
    result = await gql.execute(SYNC, batch(str(kiosk.id), entries), token=token)

    codes = [r["error"]["code"] for r in result.data["syncAttendance"]["results"]]
    assert codes == ["INVALID_PIN", "INVALID_PIN", "NOT_ALLOWED", "NOT_ALLOWED", "NOT_FOUND"]
    assert await AttendanceEvent.all().count() == 0
    # The wrong PIN counted once, as one attempt at the pad would.
    assert await PinFailure.all().count() == 1


async def test_a_kiosk_speaks_only_for_itself(gql: GraphQLClient, world: World) -> None:
    home = await household(world)
    _, token = await make.kiosk(world.site, paired_by=world.admin)
    other, _ = await make.kiosk(world.site, paired_by=world.admin)
    entries = [entry("SIGN_IN", world.kids[0], world.room, EIGHT, operatorPin=home.pin_a)]
    result = await gql.execute(SYNC, batch(str(other.id), entries), token=token)
    assert result.codes == ["NOT_FOUND"]
    assert await AttendanceEvent.all().count() == 0
