from __future__ import annotations

from datetime import timedelta

from models.attendance import AttendanceEvent, AttendanceSession
from models.audit import AuditEntry
from tests import factories as make
from tests.graphql import GraphQLClient
from tests.world import TEACHER_PIN, World

SIGN_IN = """
mutation($input: SignInInput!) {
  signIn(input: $input) {
    entries {
      child { id firstName }
      status signedInAt
      events { kind actor operator source authMethod }
    }
    errors { field code message }
  }
}
"""
SIGN_OUT = SIGN_IN.replace("signIn", "signOut").replace("SignInInput", "SignOutInput")


async def test_teacher_signs_a_group_in(gql: GraphQLClient, world: World) -> None:
    token = await make.token_for(world.teacher)
    ids = [str(k.id) for k in world.kids]
    result = await gql.execute(
        SIGN_IN, {"input": {"childIds": ids, "classroomId": str(world.room.id)}}, token=token
    )
    assert result.errors == []
    payload = result.data["signIn"]
    assert payload["errors"] == []
    assert {e["child"]["id"] for e in payload["entries"]} == set(ids)
    assert all(e["status"] == "SIGNED_IN" for e in payload["entries"])
    event = payload["entries"][0]["events"][0]
    assert event["kind"] == "SIGN_IN"
    assert event["actor"] == world.teacher.display_name
    assert event["source"] == "STAFF_ENTRY"
    assert await AttendanceSession.filter(open_child__isnull=False).count() == 3
    assert await AuditEntry.filter(action="attendance.sign_in").count() == 3


def _input(world: World, kids: list, **extra: object) -> dict[str, object]:
    return {
        "input": {"childIds": [str(k.id) for k in kids], "classroomId": str(world.room.id), **extra}
    }


def _codes(result: object, field: str) -> list[str]:
    return [e["code"] for e in result.data[field]["errors"]]  # type: ignore[attr-defined]


async def test_view_only_staff_cannot_sign_in(gql: GraphQLClient, world: World) -> None:
    token = await make.token_for(world.viewer)
    result = await gql.execute(SIGN_IN, _input(world, world.kids[:1]), token=token)
    assert result.codes == ["FORBIDDEN"]
    assert result.data is None
    assert await AttendanceEvent.all().count() == 0


async def test_anonymous_caller_is_asked_to_sign_in(gql: GraphQLClient, world: World) -> None:
    result = await gql.execute(SIGN_IN, _input(world, world.kids[:1]))
    assert result.codes == ["UNAUTHENTICATED"]
    assert await AttendanceEvent.all().count() == 0


async def test_group_with_one_child_already_in_writes_nothing(
    gql: GraphQLClient, world: World
) -> None:
    token = await make.token_for(world.teacher)
    first = await gql.execute(SIGN_IN, _input(world, world.kids[:1]), token=token)
    assert first.data["signIn"]["errors"] == []
    events_before = await AttendanceEvent.all().count()
    audits_before = await AuditEntry.all().count()

    result = await gql.execute(SIGN_IN, _input(world, world.kids), token=token)

    assert _codes(result, "signIn") == ["ALREADY_SIGNED_IN"]
    assert result.data["signIn"]["entries"] == []
    assert await AttendanceEvent.all().count() == events_before
    assert await AuditEntry.all().count() == audits_before
    assert await AttendanceSession.filter(open_child__isnull=False).count() == 1


async def test_signing_out_a_child_who_is_not_in_is_refused(
    gql: GraphQLClient, world: World
) -> None:
    token = await make.token_for(world.teacher)
    result = await gql.execute(SIGN_OUT, _input(world, world.kids[:1]), token=token)
    assert _codes(result, "signOut") == ["NOT_SIGNED_IN"]
    assert await AttendanceEvent.all().count() == 0


async def test_a_child_comes_and_goes_twice_in_a_day(gql: GraphQLClient, world: World) -> None:
    token = await make.token_for(world.teacher)
    kid = world.kids[:1]
    now = gql.clock.now()
    steps = [
        (SIGN_IN, "signIn", now - timedelta(minutes=40)),
        (SIGN_OUT, "signOut", now - timedelta(minutes=30)),
        (SIGN_IN, "signIn", now - timedelta(minutes=20)),
        (SIGN_OUT, "signOut", now - timedelta(minutes=10)),
    ]
    for query, field, at in steps:
        result = await gql.execute(query, _input(world, kid, at=at.isoformat()), token=token)
        assert result.data[field]["errors"] == [], result
    entry = result.data["signOut"]["entries"][0]
    assert entry["status"] == "SIGNED_OUT"
    assert [e["kind"] for e in entry["events"]] == ["SIGN_IN", "SIGN_OUT", "SIGN_IN", "SIGN_OUT"]
    assert await AttendanceSession.all().count() == 2


async def test_child_not_enrolled_in_that_classroom_is_refused(
    gql: GraphQLClient, world: World
) -> None:
    token = await make.token_for(world.teacher)
    elsewhere = await make.child(world.other_room)
    result = await gql.execute(SIGN_IN, _input(world, [elsewhere]), token=token)
    assert _codes(result, "signIn") == ["NOT_ENROLLED"]


async def test_child_whose_enrollment_ended_is_refused(gql: GraphQLClient, world: World) -> None:
    token = await make.token_for(world.teacher)
    ended = gql.clock.now().date() - timedelta(days=30)
    left = await make.child(world.room, ends_on=ended)
    result = await gql.execute(SIGN_IN, _input(world, [left]), token=token)
    assert _codes(result, "signIn") == ["NOT_ENROLLED"]


async def test_another_agencys_child_looks_exactly_like_an_unknown_one(
    gql: GraphQLClient, world: World
) -> None:
    token = await make.token_for(world.teacher)
    foreign = await gql.execute(SIGN_IN, _input(world, [world.foreign_kid]), token=token)
    unknown_id = "00000000-0000-4000-8000-000000000000"
    unknown = await gql.execute(
        SIGN_IN,
        {"input": {"childIds": [unknown_id], "classroomId": str(world.room.id)}},
        token=token,
    )
    assert _codes(foreign, "signIn") == _codes(unknown, "signIn") == ["NOT_ENROLLED"]
    assert "CANARY" not in str(foreign.data)
    assert await AttendanceEvent.all().count() == 0


async def test_a_time_in_the_future_is_refused(gql: GraphQLClient, world: World) -> None:
    token = await make.token_for(world.teacher)
    later = (gql.clock.now() + timedelta(hours=2)).isoformat()
    result = await gql.execute(SIGN_IN, _input(world, world.kids[:1], at=later), token=token)
    assert _codes(result, "signIn") == ["FUTURE_TIME"]
    assert await AttendanceEvent.all().count() == 0


async def test_a_time_without_utc_offset_is_bad_input(gql: GraphQLClient, world: World) -> None:
    token = await make.token_for(world.teacher)
    result = await gql.execute(
        SIGN_IN, _input(world, world.kids[:1], at="2026-01-05T08:00:00"), token=token
    )
    assert result.codes == ["BAD_USER_INPUT"]


async def test_past_days_are_locked_unless_the_site_allows_them(
    gql: GraphQLClient, world: World
) -> None:
    token = await make.token_for(world.teacher)
    yesterday = (gql.clock.now() - timedelta(days=2)).isoformat()
    locked = await gql.execute(SIGN_IN, _input(world, world.kids[:1], at=yesterday), token=token)
    assert _codes(locked, "signIn") == ["PAST_DAY_LOCKED"]

    world.site.allow_past_day_edits = True
    await world.site.save()
    allowed = await gql.execute(SIGN_IN, _input(world, world.kids[:1], at=yesterday), token=token)
    assert allowed.data["signIn"]["errors"] == []


async def test_sign_out_before_the_sign_in_time_is_refused(
    gql: GraphQLClient, world: World
) -> None:
    token = await make.token_for(world.teacher)
    now = gql.clock.now()
    await gql.execute(SIGN_IN, _input(world, world.kids[:1], at=now.isoformat()), token=token)
    earlier = (now - timedelta(minutes=5)).isoformat()
    result = await gql.execute(SIGN_OUT, _input(world, world.kids[:1], at=earlier), token=token)
    assert _codes(result, "signOut") == ["SIGN_OUT_BEFORE_SIGN_IN"]


async def test_site_requiring_staff_pin_records_the_operator(
    gql: GraphQLClient, world: World
) -> None:
    world.site.staff_requires_pin = True
    await world.site.save()
    token = await make.token_for(world.teacher)

    missing = await gql.execute(SIGN_IN, _input(world, world.kids[:1]), token=token)
    assert _codes(missing, "signIn") == ["OPERATOR_PIN_REQUIRED"]
    wrong = await gql.execute(
        SIGN_IN, _input(world, world.kids[:1], operatorPin="111112"), token=token
    )
    assert _codes(wrong, "signIn") == ["INVALID_OPERATOR_PIN"]
    assert await AttendanceEvent.all().count() == 0

    ok = await gql.execute(
        SIGN_IN, _input(world, world.kids[:1], operatorPin=TEACHER_PIN), token=token
    )
    event = ok.data["signIn"]["entries"][0]["events"][0]
    assert event["operator"] == world.teacher.display_name
    assert event["authMethod"] == "STAFF_PIN"
    audit = await AuditEntry.get(action="attendance.sign_in")
    assert audit.operator_id == str(world.teacher.id)
    assert TEACHER_PIN not in str(audit.data)


async def test_a_staff_pin_from_another_site_is_not_an_operator_here(
    gql: GraphQLClient, world: World
) -> None:
    from tests.world import OTHER_TEACHER_PIN

    world.site.staff_requires_pin = True
    await world.site.save()
    token = await make.token_for(world.teacher)
    result = await gql.execute(
        SIGN_IN, _input(world, world.kids[:1], operatorPin=OTHER_TEACHER_PIN), token=token
    )
    assert _codes(result, "signIn") == ["INVALID_OPERATOR_PIN"]


async def test_non_ascii_digits_are_never_a_pin(gql: GraphQLClient, world: World) -> None:
    world.site.staff_requires_pin = True
    await world.site.save()
    token = await make.token_for(world.teacher)
    arabic_indic = "".join(chr(0x0660 + int(d)) for d in TEACHER_PIN)
    result = await gql.execute(
        SIGN_IN, _input(world, world.kids[:1], operatorPin=arabic_indic), token=token
    )
    assert _codes(result, "signIn") == ["INVALID_OPERATOR_PIN"]


async def test_repeating_an_entry_with_the_same_client_id_records_it_once(
    gql: GraphQLClient, world: World
) -> None:
    token = await make.token_for(world.teacher)
    entry = _input(world, world.kids[:2], clientMutationId="6f1c1c4e-7f5e-4c8e-9d55-3a3c0b6a8f10")
    first = await gql.execute(SIGN_IN, entry, token=token)
    again = await gql.execute(SIGN_IN, entry, token=token)
    assert first.data["signIn"]["errors"] == again.data["signIn"]["errors"] == []
    assert await AttendanceEvent.all().count() == 2


async def test_staff_cannot_sign_in_at_a_site_they_are_not_assigned_to(
    gql: GraphQLClient, world: World
) -> None:
    token = await make.token_for(world.other_site_teacher)
    result = await gql.execute(SIGN_IN, _input(world, world.kids[:1]), token=token)
    assert result.codes == ["NOT_FOUND"]
    assert await AttendanceEvent.all().count() == 0


async def test_sign_in_publishes_after_commit_and_a_refusal_publishes_nothing(
    gql: GraphQLClient, world: World
) -> None:
    token = await make.token_for(world.teacher)
    await gql.execute(SIGN_IN, _input(world, world.kids[:1]), token=token)
    channels = [channel for channel, _ in gql.broadcast.published]
    assert channels == [f"classroom:{world.room.id}", f"site:{world.site.id}:counts"]
    assert gql.broadcast.published[0][1]["status"] == "SIGNED_IN"

    gql.broadcast.published.clear()
    await gql.execute(SIGN_IN, _input(world, world.kids[:1]), token=token)
    assert gql.broadcast.published == []
