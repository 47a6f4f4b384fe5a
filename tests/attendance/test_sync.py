from __future__ import annotations

from datetime import UTC, datetime, timedelta

from models.attendance import AttendanceEvent, AttendanceSession
from models.audit import AuditEntry
from models.sync import SyncConflict
from tests import factories as make
from tests.attendance.sync_helpers import CONFLICTS, DECIDE, SYNC, batch, entry, outcomes
from tests.graphql import GraphQLClient
from tests.world import TEACHER_PIN, World

# The test clock stands at 10:30 in Chicago (16:30 UTC) on Wednesday 2026-03-04.
EIGHT = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)
ROSTER = """
query($id: ID!) { classroom(id: $id) { roster { child { id } status signedInAt signedOutAt
  events { kind source } } } }
"""


async def _roster(gql: GraphQLClient, token: str, world: World) -> dict[str, dict]:
    result = await gql.execute(ROSTER, {"id": str(world.room.id)}, token=token)
    assert result.errors == [], result.errors
    return {r["child"]["id"]: r for r in result.data["classroom"]["roster"]}


async def test_a_tablet_hands_over_a_morning_captured_offline(
    gql: GraphQLClient, world: World
) -> None:
    token = await make.token_for(world.teacher)
    ava, ben, cleo = world.kids
    entries = [
        entry("SIGN_IN", ava, world.room, EIGHT),
        entry("SIGN_OUT", ava, world.room, EIGHT + timedelta(hours=1)),
        entry("SIGN_IN", ben, world.room, EIGHT + timedelta(minutes=5)),
        entry("ABSENT", cleo, world.room, EIGHT, reason="Fever"),
    ]
    result = await gql.execute(SYNC, batch("tablet-1", entries), token=token)

    assert result.errors == []
    assert result.data["syncAttendance"]["errors"] == []
    assert outcomes(result) == ["RECORDED"] * 4
    first = result.data["syncAttendance"]["results"][0]
    assert first["event"]["source"] == "OFFLINE_SYNC"
    assert first["pastDay"] is False
    rows = await _roster(gql, token, world)
    assert rows[str(ava.id)]["status"] == "SIGNED_OUT"
    assert rows[str(ben.id)]["status"] == "SIGNED_IN"
    assert rows[str(cleo.id)]["status"] == "ABSENT"
    audit = await AuditEntry.filter(action="attendance.sign_in").first()
    assert audit is not None
    assert audit.data["device"].endswith(":tablet-1")
    assert audit.data["captured_at"] == (EIGHT + timedelta(seconds=5)).isoformat()
    assert audit.data["received_at"] == gql.clock.now().isoformat()


async def test_the_same_batch_twice_records_once_and_answers_duplicate(
    gql: GraphQLClient, world: World
) -> None:
    token = await make.token_for(world.teacher)
    entries = [
        entry("SIGN_IN", world.kids[0], world.room, EIGHT),
        entry("SIGN_OUT", world.kids[0], world.room, EIGHT + timedelta(hours=1)),
    ]
    first = await gql.execute(SYNC, batch("tablet-1", entries), token=token)
    events, audits = await AttendanceEvent.all().count(), await AuditEntry.all().count()
    gql.broadcast.published.clear()

    again = await gql.execute(SYNC, batch("tablet-1", entries), token=token)

    assert outcomes(again) == ["DUPLICATE", "DUPLICATE"]
    stored = [r["event"]["id"] for r in first.data["syncAttendance"]["results"]]
    assert [r["event"]["id"] for r in again.data["syncAttendance"]["results"]] == stored
    assert await AttendanceEvent.all().count() == events
    assert await AuditEntry.all().count() == audits
    assert gql.broadcast.published == []


async def test_a_sign_out_before_its_sign_in_waits_as_a_conflict_then_settles(
    gql: GraphQLClient, world: World
) -> None:
    token = await make.token_for(world.teacher)
    ava = world.kids[0]
    out = await gql.execute(
        SYNC,
        batch("tablet-b", [entry("SIGN_OUT", ava, world.room, EIGHT + timedelta(hours=2))]),
        token=token,
    )
    [result] = out.data["syncAttendance"]["results"]
    assert (result["outcome"], result["conflict"]) == ("CONFLICT", "NOT_SIGNED_IN")
    listed = await gql.execute(
        CONFLICTS, {"siteId": str(world.site.id), "date": "2026-03-04"}, token=token
    )
    [conflict] = listed.data["syncConflicts"]
    assert (conflict["status"], conflict["reason"]) == ("OPEN", "NOT_SIGNED_IN")

    came_in = await gql.execute(
        SYNC, batch("tablet-a", [entry("SIGN_IN", ava, world.room, EIGHT)]), token=token
    )

    assert outcomes(came_in) == ["RECORDED"]
    assert (await _roster(gql, token, world))[str(ava.id)]["status"] == "SIGNED_OUT"
    listed = await gql.execute(
        CONFLICTS, {"siteId": str(world.site.id), "date": "2026-03-04"}, token=token
    )
    assert [c["status"] for c in listed.data["syncConflicts"]] == ["SETTLED"]
    assert await AuditEntry.filter(action="attendance.sync_conflict.settled").count() == 1


async def test_staff_dismiss_a_second_sign_in_and_decide_only_once(
    gql: GraphQLClient, world: World
) -> None:
    token = await make.token_for(world.teacher)
    ava = world.kids[0]
    await gql.execute(
        SYNC, batch("tablet-a", [entry("SIGN_IN", ava, world.room, EIGHT)]), token=token
    )
    late = EIGHT + timedelta(minutes=10)
    second = await gql.execute(
        SYNC,
        batch(
            "tablet-b",
            [
                entry("SIGN_IN", ava, world.room, late),
                entry("SIGN_OUT", ava, world.room, late + timedelta(hours=1)),
            ],
        ),
        token=token,
    )
    assert [r["conflict"] for r in second.data["syncAttendance"]["results"]] == [
        "ALREADY_SIGNED_IN",
        None,
    ]
    conflict = await SyncConflict.get()
    decide = {"input": {"conflictId": str(conflict.id), "decision": "DISMISS", "note": "twice"}}

    decided = await gql.execute(DECIDE, decide, token=token)

    payload = decided.data["decideSyncConflict"]
    assert payload["errors"] == []
    assert payload["conflict"]["status"] == "DISMISSED"
    assert payload["conflict"]["decidedBy"] == world.teacher.display_name
    assert await AuditEntry.filter(action="attendance.sync_conflict.dismiss").count() == 1
    row = (await _roster(gql, token, world))[str(ava.id)]
    assert row["status"] == "SIGNED_OUT"
    again = await gql.execute(DECIDE, decide, token=token)
    assert [e["code"] for e in again.data["decideSyncConflict"]["errors"]] == ["ALREADY_DECIDED"]
    viewer = await make.token_for(world.viewer)
    assert (await gql.execute(DECIDE, decide, token=viewer)).codes == ["FORBIDDEN"]


async def test_one_bad_entry_leaves_the_good_ones_recorded(
    gql: GraphQLClient, world: World
) -> None:
    token = await make.token_for(world.teacher)
    entries = [
        entry("SIGN_IN", world.kids[0], world.room, EIGHT),
        entry("SIGN_IN", world.foreign_kid, world.room, EIGHT),
        entry("SIGN_IN", world.kids[1], world.foreign_room, EIGHT),
        entry("SIGN_IN", world.kids[2], world.room, EIGHT),
    ]
    result = await gql.execute(SYNC, batch("tablet-1", entries), token=token)

    assert outcomes(result) == ["RECORDED", "REJECTED", "REJECTED", "RECORDED"]
    errors = [r["error"] for r in result.data["syncAttendance"]["results"]]
    assert errors[1]["code"] == "NOT_ENROLLED"
    assert errors[2]["code"] == "NOT_FOUND"
    assert await AttendanceEvent.all().count() == 2
    assert await AttendanceSession.filter(open_child__isnull=False).count() == 2


async def test_a_past_day_counts_only_when_captured_that_day(
    gql: GraphQLClient, world: World
) -> None:
    token = await make.token_for(world.teacher)
    yesterday = EIGHT - timedelta(days=1)
    entries = [
        entry("SIGN_IN", world.kids[0], world.room, yesterday),
        entry("SIGN_IN", world.kids[1], world.room, yesterday, captured=EIGHT),
    ]
    result = await gql.execute(SYNC, batch("tablet-1", entries), token=token)

    results = result.data["syncAttendance"]["results"]
    assert [r["outcome"] for r in results] == ["RECORDED", "REJECTED"]
    assert results[0]["pastDay"] is True
    assert results[1]["error"]["code"] == "PAST_DAY_LOCKED"
    event = await AttendanceEvent.get()
    assert str(event.local_date) == "2026-03-03"


async def test_a_device_clock_ahead_of_the_server_is_refused(
    gql: GraphQLClient, world: World
) -> None:
    token = await make.token_for(world.teacher)
    now = gql.clock.now()
    entries = [
        entry("SIGN_IN", world.kids[0], world.room, now, captured=now + timedelta(minutes=6)),
        entry("SIGN_IN", world.kids[1], world.room, now, captured=now + timedelta(minutes=4)),
        entry("SIGN_IN", world.kids[2], world.room, now, captured=now - timedelta(minutes=1)),
    ]
    result = await gql.execute(SYNC, batch("tablet-1", entries), token=token)

    results = result.data["syncAttendance"]["results"]
    assert [r["outcome"] for r in results] == ["REJECTED", "RECORDED", "REJECTED"]
    assert results[0]["error"]["code"] == "DEVICE_CLOCK_AHEAD"
    assert results[2]["error"]["code"] == "CAPTURED_BEFORE_OCCURRED"


async def test_the_site_s_staff_pin_rule_applies_to_each_entry(
    gql: GraphQLClient, world: World
) -> None:
    world.site.staff_requires_pin = True
    await world.site.save()
    token = await make.token_for(world.teacher)
    entries = [
        entry("SIGN_IN", world.kids[0], world.room, EIGHT),
        entry("SIGN_IN", world.kids[1], world.room, EIGHT, operatorPin="000111"),
        entry("SIGN_IN", world.kids[2], world.room, EIGHT, operatorPin=TEACHER_PIN),
    ]
    result = await gql.execute(SYNC, batch("tablet-1", entries), token=token)

    results = result.data["syncAttendance"]["results"]
    assert [r["error"]["code"] if r["error"] else None for r in results] == [
        "OPERATOR_PIN_REQUIRED",
        "INVALID_OPERATOR_PIN",
        None,
    ]
    assert results[2]["event"]["operator"] == world.teacher.display_name
    assert "482917" not in str(await AuditEntry.all().values_list("data", flat=True))


async def test_rosters_and_counts_move_once_per_changed_child(
    gql: GraphQLClient, world: World
) -> None:
    token = await make.token_for(world.teacher)
    ava, ben, _ = world.kids
    entries = [
        entry("SIGN_IN", ava, world.room, EIGHT),
        entry("SIGN_OUT", ava, world.room, EIGHT + timedelta(hours=1)),
        entry("SIGN_IN", ava, world.room, EIGHT + timedelta(hours=2)),
        entry("SIGN_IN", ben, world.room, EIGHT),
    ]
    await gql.execute(SYNC, batch("tablet-1", entries), token=token)

    rooms = [m for c, m in gql.broadcast.published if c.startswith("classroom:")]
    counts = [m for c, m in gql.broadcast.published if c.endswith(":counts")]
    assert sorted(m["child_id"] for m in rooms) == sorted([str(ava.id), str(ben.id)])
    assert len(counts) == 2


async def test_a_synced_sign_in_closes_yesterday_s_forgotten_session_first(
    gql: GraphQLClient, world: World
) -> None:
    token = await make.token_for(world.teacher)
    ava = world.kids[0]
    yesterday = EIGHT - timedelta(days=1)
    left_open = await gql.execute(
        SYNC, batch("tablet-1", [entry("SIGN_IN", ava, world.room, yesterday)]), token=token
    )
    assert outcomes(left_open) == ["RECORDED"]

    today = await gql.execute(
        SYNC, batch("tablet-1", [entry("SIGN_IN", ava, world.room, EIGHT)]), token=token
    )

    assert outcomes(today) == ["RECORDED"]
    closed = await AttendanceEvent.get(child_id=ava.id, source="AUTO_CHECKOUT")
    # The site's end of day (23:59 in Chicago) of the day the visit began.
    assert closed.occurred_at == datetime(2026, 3, 4, 5, 59, tzinfo=UTC)
    open_now = await AttendanceSession.get(open_child=ava.id)
    assert open_now.local_date.isoformat() == "2026-03-04"
    # Today's visit holds the open slot, so the online sign-out finds it.
    signed_out = await gql.execute(
        "mutation($i: SignOutInput!) { signOut(input: $i) { errors { code } } }",
        {"i": {"childIds": [str(ava.id)], "classroomId": str(world.room.id)}},
        token=token,
    )
    assert signed_out.data["signOut"]["errors"] == []
