"""After the end of day: staff review and correct automatic check-outs, parents confirm
them, and a forgotten sign-out never blocks the next morning's sign-in."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from models.attendance import AttendanceEvent, AttendanceSession
from tests import factories as make
from tests.attendance.day_close_helpers import auto_events, close, local, roster, sign
from tests.clock import FrozenClock
from tests.confirmations.helpers import CORRECT, Scene, scene, unconfirmed
from tests.graphql import GraphQLClient
from tests.world import World

CHICAGO = "America/Chicago"
DAY = date(2026, 3, 4)
REVIEW = """
query($site: ID!, $on: Date!) {
  autoCheckouts(siteId: $site, date: $on) {
    child { firstName } classroomId signedInAt
    event { id kind at actorKind source needsConfirmation }
    correction { id at correctsId actorKind }
  }
}
"""


async def _closed_day(gql: GraphQLClient, world: World, clock: FrozenClock) -> None:
    """Ava and Ben stay signed in on DAY; the day closes at 23:59; it is the next morning."""
    clock.set(local(CHICAGO, DAY, 8, 30))
    await sign(gql, world.teacher, world.room, world.kids[:2])
    clock.set(local(CHICAGO, DAY, 23, 59))
    assert len(await close(clock)) == 2
    clock.set(local(CHICAGO, DAY + timedelta(days=1), 8, 0))


async def _review(gql: GraphQLClient, token: str, site_id: object) -> Any:
    return await gql.execute(REVIEW, {"site": str(site_id), "on": DAY.isoformat()}, token=token)


async def test_staff_who_view_attendance_read_the_review_list(
    gql: GraphQLClient, world: World, clock: FrozenClock
) -> None:
    await _closed_day(gql, world, clock)
    result = await _review(gql, await make.token_for(world.viewer), world.site.id)
    assert result.errors == [], result.errors
    assert result.data is not None
    rows = result.data["autoCheckouts"]
    assert [r["child"]["firstName"] for r in rows] == ["Ava", "Ben"]
    assert rows[0]["signedInAt"] == local(CHICAGO, DAY, 8, 30).isoformat()
    assert rows[0]["event"]["at"] == local(CHICAGO, DAY, 23, 59).isoformat()
    assert (rows[0]["event"]["source"], rows[0]["event"]["actorKind"]) == (
        "AUTO_CHECKOUT",
        "SYSTEM",
    )
    assert rows[0]["event"]["needsConfirmation"] is True
    assert rows[0]["correction"] is None
    # Another day has none.
    other = await gql.execute(
        REVIEW,
        {"site": str(world.site.id), "on": (DAY - timedelta(days=1)).isoformat()},
        token=await make.token_for(world.viewer),
    )
    assert other.data == {"autoCheckouts": []}


async def test_the_review_list_of_another_site_or_agency_is_not_found(
    gql: GraphQLClient, world: World, clock: FrozenClock
) -> None:
    await _closed_day(gql, world, clock)
    for staff in (world.other_site_teacher, world.foreign_admin):
        result = await _review(gql, await make.token_for(staff), world.site.id)
        assert result.data is None
        assert [e["extensions"]["code"] for e in result.errors] == ["NOT_FOUND"], result.errors
        assert "Ava" not in str(result.errors)


async def test_parents_kiosks_and_staff_without_attendance_cannot_read_the_review_list(
    gql: GraphQLClient, world: World, clock: FrozenClock
) -> None:
    await _closed_day(gql, world, clock)
    # Tokens issued at the test clock's now, the morning after.
    s: Scene = await scene(world)
    kiosk_token = (await make.kiosk(world.site, paired_by=world.admin))[1]
    students_only = await make.token_for(world.students_viewer)
    for token in (s.parent, kiosk_token, students_only):
        result = await _review(gql, token, world.site.id)
        assert result.data is None
        assert [e["extensions"]["code"] for e in result.errors] == ["FORBIDDEN"], result.errors
    anonymous = await _review(gql, "", world.site.id)
    assert [e["extensions"]["code"] for e in anonymous.errors] == ["UNAUTHENTICATED"]


async def test_staff_correct_an_automatic_time_the_next_morning(
    gql: GraphQLClient, world: World, clock: FrozenClock
) -> None:
    await _closed_day(gql, world, clock)
    [ava_auto] = [e for e in await auto_events() if str(e.child_id) == str(world.kids[0].id)]
    teacher = await make.token_for(world.teacher)
    at = local(CHICAGO, DAY, 17, 45)
    variables = {"i": {"eventId": str(ava_auto.id), "at": at.isoformat(), "reason": "Left 5:45"}}
    result = await gql.execute(CORRECT, variables, token=teacher)
    assert result.data is not None, result.errors
    payload = result.data["correctAttendanceTime"]
    assert payload["errors"] == []
    assert payload["correction"]["at"] == at.isoformat()

    rows = await roster(gql, world.teacher, world.room, DAY)
    assert (rows["Ava"]["signedOutAt"], rows["Ava"]["autoCheckedOut"]) == (at.isoformat(), False)
    assert rows["Ben"]["autoCheckedOut"] is True
    review = (await _review(gql, teacher, world.site.id)).data
    assert review is not None
    [ava] = [r for r in review["autoCheckouts"] if r["child"]["firstName"] == "Ava"]
    assert ava["correction"]["correctsId"] == str(ava_auto.id)
    assert ava["correction"]["at"] == at.isoformat()
    # Only the system's own time is open to correction on a past day; a view-only role
    # cannot correct at all.
    viewer = await gql.execute(CORRECT, variables, token=await make.token_for(world.viewer))
    assert [e["extensions"]["code"] for e in viewer.errors] == ["FORBIDDEN"]


async def test_the_automatic_check_out_waits_for_a_guardians_confirmation(
    gql: GraphQLClient, world: World, clock: FrozenClock
) -> None:
    await _closed_day(gql, world, clock)
    # Tokens issued at the test clock's now, the morning after.
    s: Scene = await scene(world)
    entries = await unconfirmed(gql, s.parent)
    kinds = {(e["kind"], e["at"]) for e in entries}
    assert ("SIGN_OUT", local(CHICAGO, DAY, 23, 59).isoformat()) in kinds
    # Ben's family does not see Ava's.
    assert all(e["child"]["firstName"] == "Ava" for e in entries)


async def test_a_child_left_signed_in_yesterday_is_signed_in_today(
    gql: GraphQLClient, world: World, clock: FrozenClock
) -> None:
    ava = world.kids[0]
    clock.set(local(CHICAGO, DAY, 9, 0))
    await sign(gql, world.teacher, world.room, [ava])
    # No worker ran overnight; the next morning the teacher signs her in again.
    clock.set(local(CHICAGO, DAY + timedelta(days=1), 7, 45))
    await sign(gql, world.teacher, world.room, [ava])

    yesterday = await roster(gql, world.teacher, world.room, DAY)
    assert yesterday["Ava"]["status"] == "SIGNED_OUT"
    assert yesterday["Ava"]["signedOutAt"] == local(CHICAGO, DAY, 23, 59).isoformat()
    assert yesterday["Ava"]["autoCheckedOut"] is True
    today = await roster(gql, world.teacher, world.room, DAY + timedelta(days=1))
    assert today["Ava"]["status"] == "SIGNED_IN"
    assert await AttendanceSession.filter(open_child=ava.id).count() == 1
    # The worker's close, later, finds the session closed and adds nothing.
    clock.set(local(CHICAGO, DAY + timedelta(days=1), 23, 59))
    events = await close(clock)
    assert [e.local_date for e in events] == [DAY + timedelta(days=1)]
    assert await AttendanceEvent.filter(source="AUTO_CHECKOUT").count() == 2


async def test_a_sign_in_refused_for_another_reason_closes_nothing(
    gql: GraphQLClient, world: World, clock: FrozenClock
) -> None:
    ava, ben = world.kids[:2]
    clock.set(local(CHICAGO, DAY, 9, 0))
    await sign(gql, world.teacher, world.room, [ava])
    clock.set(local(CHICAGO, DAY + timedelta(days=1), 7, 45))
    await sign(gql, world.teacher, world.room, [ben])
    # Ben is signed in already today, so the group is refused whole: Ava's session of
    # yesterday stays as it was (one transaction).
    variables = {"i": {"childIds": [str(ava.id), str(ben.id)], "classroomId": str(world.room.id)}}
    from tests.attendance.day_close_helpers import SIGN_IN

    result = await gql.execute(SIGN_IN, variables, token=await make.token_for(world.teacher))
    assert result.data is not None
    assert [e["code"] for e in result.data["signIn"]["errors"]] == ["ALREADY_SIGNED_IN"]
    assert await auto_events() == []
    assert await AttendanceSession.filter(open_child=ava.id, local_date=DAY).count() == 1
