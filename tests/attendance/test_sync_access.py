from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from models.attendance import AttendanceEvent
from tests import factories as make
from tests.attendance.sync_helpers import CONFLICTS, SYNC, batch, entry, outcomes
from tests.family.helpers import account_for, household, parent_token
from tests.graphql import GraphQLClient
from tests.world import World

EIGHT = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)


def _one(world: World) -> dict[str, object]:
    return batch("tablet-1", [entry("SIGN_IN", world.kids[0], world.room, EIGHT)])


async def test_view_only_staff_cannot_sync(gql: GraphQLClient, world: World) -> None:
    token = await make.token_for(world.viewer)
    result = await gql.execute(SYNC, _one(world), token=token)
    assert result.codes == ["FORBIDDEN"]
    assert await AttendanceEvent.all().count() == 0


async def test_a_parent_cannot_sync(gql: GraphQLClient, world: World) -> None:
    home = await household(world)
    token = await parent_token(await account_for(home.guardian_a))
    result = await gql.execute(SYNC, _one(world), token=token)
    assert result.codes == ["FORBIDDEN"]
    assert await AttendanceEvent.all().count() == 0


async def test_another_agency_reaches_nothing(gql: GraphQLClient, world: World) -> None:
    token = await make.token_for(world.foreign_admin)
    result = await gql.execute(SYNC, _one(world), token=token)
    assert outcomes(result) == ["REJECTED"]
    assert result.data["syncAttendance"]["results"][0]["error"]["code"] == "NOT_FOUND"
    listed = await gql.execute(
        CONFLICTS, {"siteId": str(world.site.id), "date": "2026-03-04"}, token=token
    )
    assert listed.codes == ["NOT_FOUND"]
    assert await AttendanceEvent.all().count() == 0


async def test_a_teacher_of_another_site_reaches_nothing_here(
    gql: GraphQLClient, world: World
) -> None:
    token = await make.token_for(world.other_site_teacher)
    result = await gql.execute(SYNC, _one(world), token=token)
    assert result.data["syncAttendance"]["results"][0]["error"]["code"] == "NOT_FOUND"


async def test_a_kiosk_of_another_site_is_not_found(gql: GraphQLClient, world: World) -> None:
    elsewhere, _ = await make.kiosk(world.other_site, paired_by=world.admin)
    token = await make.token_for(world.teacher)
    entries = [entry("SIGN_IN", world.kids[0], world.room, EIGHT)]
    result = await gql.execute(SYNC, batch(str(elsewhere.id), entries), token=token)
    assert result.codes == ["NOT_FOUND"]
    unknown = await gql.execute(SYNC, batch(str(uuid4()), entries), token=token)
    assert unknown.codes == ["NOT_FOUND"]
    assert await AttendanceEvent.all().count() == 0


async def test_a_paired_kiosk_of_the_site_names_the_device(
    gql: GraphQLClient, world: World
) -> None:
    here, _ = await make.kiosk(world.site, paired_by=world.admin)
    token = await make.token_for(world.teacher)
    entries = [entry("SIGN_IN", world.kids[0], world.room, EIGHT)]
    result = await gql.execute(SYNC, batch(str(here.id), entries), token=token)
    assert result.data["syncAttendance"]["results"][0]["event"]["device"] == f"kiosk:{here.id}"
    other_room = [entry("SIGN_IN", world.kids[1], world.other_room, EIGHT)]
    refused = await gql.execute(SYNC, batch(str(here.id), other_room), token=token)
    assert refused.data["syncAttendance"]["results"][0]["error"]["code"] == "NOT_FOUND"


async def test_malformed_input_is_a_typed_error(gql: GraphQLClient, world: World) -> None:
    token = await make.token_for(world.teacher)
    bad_uuid = entry("SIGN_IN", world.kids[0], world.room, EIGHT)
    bad_uuid["clientUuid"] = "not-a-uuid"
    result = await gql.execute(SYNC, batch("tablet-1", [bad_uuid]), token=token)
    assert result.data is None
    assert result.codes == ["BAD_USER_INPUT"]
    no_offset = entry("SIGN_IN", world.kids[0], world.room, EIGHT)
    no_offset["occurredAt"] = "2026-03-04T08:00:00"
    result = await gql.execute(SYNC, batch("tablet-1", [no_offset]), token=token)
    assert result.codes == ["BAD_USER_INPUT"]
    bad_device = await gql.execute(
        SYNC, batch("a tablet!", [entry("SIGN_IN", world.kids[0], world.room, EIGHT)]), token=token
    )
    assert bad_device.codes == ["BAD_USER_INPUT"]
    assert await AttendanceEvent.all().count() == 0


async def test_an_unknown_child_is_rejected(gql: GraphQLClient, world: World) -> None:
    token = await make.token_for(world.teacher)
    ghost = entry("SIGN_IN", world.kids[0], world.room, EIGHT)
    ghost["childId"] = str(uuid4())
    result = await gql.execute(SYNC, batch("tablet-1", [ghost]), token=token)
    assert result.data["syncAttendance"]["results"][0]["error"]["code"] == "NOT_ENROLLED"


async def test_more_than_500_entries_write_nothing(gql: GraphQLClient, world: World) -> None:
    token = await make.token_for(world.teacher)
    entries = [entry("SIGN_IN", world.kids[0], world.room, EIGHT) for _ in range(501)]
    result = await gql.execute(SYNC, batch("tablet-1", entries), token=token)
    assert [e["code"] for e in result.data["syncAttendance"]["errors"]] == ["TOO_MANY_ENTRIES"]
    assert result.data["syncAttendance"]["results"] == []
    assert await AttendanceEvent.all().count() == 0
