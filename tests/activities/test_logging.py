"""Staff log activities for children signed in; rosters show them; mistakes are removed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import uuid4

from models.activities import ActivityKind, ChildActivity, MealType
from models.audit import AuditEntry
from models.people import Child
from realtime import channels
from tests import factories as make
from tests.activities.helpers import (
    LOG,
    REMOVE,
    label,
    log_input,
    minutes_ago,
    roster,
    sign,
)
from tests.graphql import GraphQLClient
from tests.querycount import count_queries
from tests.sites.helpers import codes, payload, refused_tokens
from tests.world import World


async def _log(gql: GraphQLClient, token: str, variables: dict[str, Any]) -> dict[str, Any]:
    return payload(await gql.execute(LOG, variables, token=token), "logActivities")


async def test_staff_log_a_meal_and_a_health_check_for_a_group_and_rosters_show_them(
    gql: GraphQLClient, world: World
) -> None:
    now = gql.clock.now()
    lunch = await label(world.agency.id, "Lunch", ActivityKind.MEAL, MealType.LUNCH, now=now)
    check = await label(world.agency.id, "Health check", ActivityKind.HEALTH_CHECK, now=now)
    token = await make.token_for(world.teacher)
    ava, ben, cleo = world.kids
    await sign(gql, token, world.room, [ava, ben], minutes_ago(gql, 60))
    gql.broadcast.published.clear()

    at = minutes_ago(gql, 10)
    found = await _log(
        gql,
        token,
        log_input([ava, ben], [check, lunch], at, note="All good", healthResult="PASSED"),
    )
    assert found["errors"] == []
    assert len(found["activities"]) == 4
    first = found["activities"][0]
    assert first["childId"] == str(ava.id)
    assert first["classroomId"] == str(world.room.id)
    assert first["at"] == at.isoformat()
    assert first["loggedBy"].startswith("Tess")

    rows = await roster(gql, await make.token_for(world.viewer), world.room)
    assert (
        rows["Ava"]
        == rows["Ben"]
        == [
            {
                "name": "Health check",
                "kind": "HEALTH_CHECK",
                "mealType": None,
                "healthResult": "PASSED",
                "note": "All good",
                "removedAt": None,
            },
            {
                "name": "Lunch",
                "kind": "MEAL",
                "mealType": "LUNCH",
                "healthResult": None,
                "note": "All good",
                "removedAt": None,
            },
        ]
    )
    assert rows["Cleo"] == []

    # Each logged activity is audited; each child's live roster row redraws (after commit).
    logged = await AuditEntry.filter(action="activity.log").order_by("at", "id")
    assert len(logged) == 4
    assert {e.data["after"]["label_name"] for e in logged} == {"Health check", "Lunch"}
    assert all(e.data["before"] is None for e in logged)
    redrawn = [
        m["child_id"]
        for channel, m in gql.broadcast.published
        if channel == channels.classroom_roster(world.room.id)
    ]
    assert sorted(redrawn) == sorted([str(ava.id), str(ben.id)])
    assert cleo  # Cleo, never signed in, is not redrawn


async def test_all_or_nothing_a_child_not_signed_in_at_that_time_is_a_typed_error(
    gql: GraphQLClient, world: World
) -> None:
    now = gql.clock.now()
    snack = await label(world.agency.id, "Snack", ActivityKind.MEAL, MealType.AM_SNACK, now=now)
    token = await make.token_for(world.teacher)
    ava, ben, cleo = world.kids
    await sign(gql, token, world.room, [ava], minutes_ago(gql, 90))
    await sign(gql, token, world.room, [ben], minutes_ago(gql, 60))
    await sign(gql, token, world.room, [ben], minutes_ago(gql, 30), out=True)

    # Ben was here 45 minutes ago, Cleo never: nothing is written, one error per child.
    found = await _log(gql, token, log_input([ava, ben, cleo], [snack], minutes_ago(gql, 20)))
    assert codes(found) == [("childIds", "NOT_SIGNED_IN"), ("childIds", "NOT_SIGNED_IN")]
    assert "Ben" in found["errors"][0]["message"]
    assert "Cleo" in found["errors"][1]["message"]
    assert found["activities"] == []
    # Before Ava arrived.
    early = await _log(gql, token, log_input([ava], [snack], minutes_ago(gql, 100)))
    assert codes(early) == [("childIds", "NOT_SIGNED_IN")]
    assert await ChildActivity.all().count() == 0
    assert await AuditEntry.filter(action="activity.log").count() == 0

    # While Ben was here, both may be logged.
    both = await _log(gql, token, log_input([ava, ben], [snack], minutes_ago(gql, 45)))
    assert both["errors"] == []
    assert len(both["activities"]) == 2


async def test_time_rules_future_and_locked_past_days(gql: GraphQLClient, world: World) -> None:
    now = gql.clock.now()
    learning = await label(world.agency.id, "Circle time", ActivityKind.LEARNING, now=now)
    token = await make.token_for(world.teacher)
    ava = world.kids[0]
    world.site.allow_past_day_edits = True
    await world.site.save(update_fields=["allow_past_day_edits"])
    await sign(gql, token, world.room, [ava], now - timedelta(days=1, hours=2))
    await sign(gql, token, world.room, [ava], now - timedelta(days=1), out=True)
    await sign(gql, token, world.room, [ava], minutes_ago(gql, 60))

    future = await _log(gql, token, log_input([ava], [learning], now + timedelta(minutes=30)))
    assert codes(future) == [("at", "FUTURE_TIME")]

    yesterday = now - timedelta(days=1, hours=1)
    allowed = await _log(gql, token, log_input([ava], [learning], yesterday))
    assert allowed["errors"] == []
    world.site.allow_past_day_edits = False
    await world.site.save(update_fields=["allow_past_day_edits"])
    locked = await _log(gql, token, log_input([ava], [learning], yesterday))
    assert codes(locked) == [("at", "PAST_DAY_LOCKED")]
    assert await ChildActivity.all().count() == 1

    naive = await gql.execute(
        LOG, log_input([ava], [learning], now.replace(tzinfo=None)), token=token
    )
    assert naive.codes == ["BAD_USER_INPUT"]


async def test_labels_retired_renamed_and_health_results(gql: GraphQLClient, world: World) -> None:
    now = gql.clock.now()
    breakfast = await label(
        world.agency.id, "Breakfast", ActivityKind.MEAL, MealType.BREAKFAST, now=now
    )
    old = await label(world.agency.id, "Old song", ActivityKind.OTHER, now=now)
    old.retired_at = now
    await old.save(update_fields=["retired_at"])
    token = await make.token_for(world.teacher)
    ava = world.kids[0]
    await sign(gql, token, world.room, [ava], minutes_ago(gql, 60))
    at = minutes_ago(gql, 5)

    retired = await _log(gql, token, log_input([ava], [breakfast, old], at))
    assert codes(retired) == [("activityIds", "LABEL_RETIRED")]
    result = await _log(gql, token, log_input([ava], [breakfast], at, healthResult="SENT_HOME"))
    assert codes(result) == [("healthResult", "HEALTH_RESULT_NOT_ALLOWED")]
    assert await ChildActivity.all().count() == 0

    assert (await _log(gql, token, log_input([ava], [breakfast], at)))["errors"] == []
    # Renamed after logging: history keeps the name it was logged with.
    breakfast.name = "Morning meal"
    await breakfast.save(update_fields=["name"])
    rows = await roster(gql, token, world.room)
    assert [a["name"] for a in rows["Ava"]] == ["Breakfast"]


async def test_sending_the_same_batch_again_writes_nothing_more(
    gql: GraphQLClient, world: World
) -> None:
    now = gql.clock.now()
    lunch = await label(world.agency.id, "Lunch", ActivityKind.MEAL, MealType.LUNCH, now=now)
    token = await make.token_for(world.teacher)
    ava, ben, _ = world.kids
    await sign(gql, token, world.room, [ava, ben], minutes_ago(gql, 60))
    variables = log_input([ava, ben], [lunch], minutes_ago(gql, 5), clientMutationId=str(uuid4()))
    first = await _log(gql, token, variables)
    again = await _log(gql, token, variables)
    assert again["errors"] == []
    assert sorted(a["id"] for a in again["activities"]) == sorted(
        a["id"] for a in first["activities"]
    )
    assert await ChildActivity.all().count() == 2


async def test_one_client_id_for_a_different_batch_is_refused_and_writes_nothing(
    gql: GraphQLClient, world: World
) -> None:
    now = gql.clock.now()
    lunch = await label(world.agency.id, "Lunch", ActivityKind.MEAL, MealType.LUNCH, now=now)
    token = await make.token_for(world.teacher)
    ava, ben, _ = world.kids
    await sign(gql, token, world.room, [ava, ben], minutes_ago(gql, 60))
    client_id = str(uuid4())
    first = await _log(
        gql, token, log_input([ava], [lunch], minutes_ago(gql, 5), clientMutationId=client_id)
    )
    assert first["errors"] == []

    reused = await _log(
        gql, token, log_input([ava, ben], [lunch], minutes_ago(gql, 5), clientMutationId=client_id)
    )

    assert codes(reused) == [("clientMutationId", "CLIENT_ID_REUSED")]
    assert await ChildActivity.all().count() == 1


async def test_who_may_not_log(gql: GraphQLClient, world: World) -> None:
    now = gql.clock.now()
    lunch = await label(world.agency.id, "Lunch", ActivityKind.MEAL, MealType.LUNCH, now=now)
    foreign_label = await label(world.foreign_agency.id, "Lunch", ActivityKind.OTHER, now=now)
    teacher = await make.token_for(world.teacher)
    ava = world.kids[0]
    await sign(gql, teacher, world.room, [ava], minutes_ago(gql, 60))
    variables = log_input([ava], [lunch], minutes_ago(gql, 5))

    tokens = await refused_tokens(world)
    for who in ("view-only", "parent", "kiosk"):
        assert (await gql.execute(LOG, variables, token=tokens[who])).codes == ["FORBIDDEN"], who
    # Another site's teacher and another agency's admin: the child is not found.
    for staff in (world.other_site_teacher, world.foreign_admin):
        result = await gql.execute(LOG, variables, token=await make.token_for(staff))
        assert result.codes == ["NOT_FOUND"]
    # A label of another agency is not found either.
    foreign = await gql.execute(
        LOG, log_input([ava], [foreign_label], minutes_ago(gql, 5)), token=teacher
    )
    assert foreign.codes == ["NOT_FOUND"]
    foreign_kid = await gql.execute(
        LOG, log_input([world.foreign_kid], [lunch], minutes_ago(gql, 5)), token=teacher
    )
    assert foreign_kid.codes == ["NOT_FOUND"]
    assert await ChildActivity.all().count() == 0


async def test_a_mistaken_activity_is_removed_audited_and_kept_in_history(
    gql: GraphQLClient, world: World
) -> None:
    now = gql.clock.now()
    lunch = await label(world.agency.id, "Lunch", ActivityKind.MEAL, MealType.LUNCH, now=now)
    token = await make.token_for(world.teacher)
    ava = world.kids[0]
    await sign(gql, token, world.room, [ava], minutes_ago(gql, 60))
    [logged] = (await _log(gql, token, log_input([ava], [lunch], minutes_ago(gql, 5))))[
        "activities"
    ]
    remove = {"i": {"id": logged["id"], "reason": "Wrong child"}}

    tokens = await refused_tokens(world)
    for who in ("view-only", "parent", "kiosk"):
        assert (await gql.execute(REMOVE, remove, token=tokens[who])).codes == ["FORBIDDEN"], who
    for staff in (world.other_site_teacher, world.foreign_admin):
        result = await gql.execute(REMOVE, remove, token=await make.token_for(staff))
        assert result.codes == ["NOT_FOUND"]

    gql.broadcast.published.clear()
    removed = payload(await gql.execute(REMOVE, remove, token=token), "removeActivity")
    assert removed["errors"] == []
    assert removed["activity"]["removedAt"] == now.isoformat()
    assert removed["activity"]["removedBy"].startswith("Tess")
    assert removed["activity"]["removedReason"] == "Wrong child"
    assert [c for c, _ in gql.broadcast.published] == [channels.classroom_roster(world.room.id)]

    twice = payload(await gql.execute(REMOVE, remove, token=token), "removeActivity")
    assert codes(twice) == [("id", "ALREADY_REMOVED")]

    assert (await roster(gql, token, world.room))["Ava"] == []
    history = (await roster(gql, token, world.room, removed=True))["Ava"]
    assert [(a["name"], a["removedAt"]) for a in history] == [("Lunch", now.isoformat())]
    [entry] = await AuditEntry.filter(action="activity.remove")
    assert entry.data["before"]["removed_at"] is None
    assert entry.data["after"] == {"removed_at": now.isoformat(), "reason": "Wrong child"}
    assert await ChildActivity.filter(id=logged["id"]).exists()


async def test_roster_activities_cost_one_query_whatever_the_class_size(
    gql: GraphQLClient, world: World
) -> None:
    now = gql.clock.now()
    lunch = await label(world.agency.id, "Lunch", ActivityKind.MEAL, MealType.LUNCH, now=now)
    token = await make.token_for(world.teacher)
    principal = await gql.principal_for(token)
    query = "query($id: ID!) { classroom(id: $id) { roster { activities { name } } } }"

    async def measure() -> int:
        with count_queries() as statements:
            result = await gql.execute(query, {"id": str(world.room.id)}, principal=principal)
        assert result.errors == []
        return len(statements)

    async def sign_and_log(kids: list[Child]) -> None:
        await sign(gql, token, world.room, kids, minutes_ago(gql, 60))
        found = await _log(gql, token, log_input(kids, [lunch], minutes_ago(gql, 5)))
        assert found["errors"] == []

    await sign_and_log(list(world.kids))
    small = await measure()
    await sign_and_log([await make.child(world.room) for _ in range(12)])
    assert await measure() == small
