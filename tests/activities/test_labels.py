"""Agency admins define activity labels; staff with Attendance view read them."""

from __future__ import annotations

from typing import Any

from models.audit import AuditEntry
from tests import factories as make
from tests.activities.helpers import CREATE, LABELS, RENAME, RETIRE
from tests.graphql import GraphQLClient
from tests.sites.helpers import codes, payload, refused_tokens
from tests.world import World


async def _create(gql: GraphQLClient, token: str, **fields: Any) -> dict[str, Any]:
    result = await gql.execute(CREATE, {"i": fields}, token=token)
    return payload(result, "createActivityLabel")


async def test_an_agency_admin_creates_renames_and_retires_labels(
    gql: GraphQLClient, world: World
) -> None:
    token = await make.token_for(world.admin)
    lunch = (await _create(gql, token, name=" Lunch ", kind="MEAL", mealType="LUNCH"))["label"]
    assert lunch == {
        "id": lunch["id"],
        "name": "Lunch",
        "kind": "MEAL",
        "mealType": "LUNCH",
        "retiredAt": None,
    }
    check = (await _create(gql, token, name="Morning check", kind="HEALTH_CHECK"))["label"]
    await _create(gql, token, name="Circle time", kind="LEARNING")

    renamed = payload(
        await gql.execute(
            RENAME, {"i": {"labelId": check["id"], "name": "Health check"}}, token=token
        ),
        "renameActivityLabel",
    )
    assert renamed["label"]["name"] == "Health check"
    retired = payload(
        await gql.execute(RETIRE, {"i": {"labelId": lunch["id"]}}, token=token),
        "retireActivityLabel",
    )
    assert retired["label"]["retiredAt"] == gql.clock.now().isoformat()
    again = payload(
        await gql.execute(RETIRE, {"i": {"labelId": lunch["id"]}}, token=token),
        "retireActivityLabel",
    )
    assert codes(again) == [("labelId", "RETIRED")]
    assert again["label"] is None

    # A retired label frees its name for a new one.
    assert (await _create(gql, token, name="Lunch", kind="MEAL", mealType="LUNCH"))["errors"] == []

    actions = [
        (e.action, e.data)
        for e in await AuditEntry.filter(target_id=check["id"]).order_by("at", "id")
    ]
    assert actions == [
        (
            "activity_label.create",
            {
                "before": None,
                "after": {"name": "Morning check", "kind": "HEALTH_CHECK", "meal_type": None},
            },
        ),
        (
            "activity_label.rename",
            {
                "before": {"name": "Morning check", "kind": "HEALTH_CHECK", "meal_type": None},
                "after": {"name": "Health check", "kind": "HEALTH_CHECK", "meal_type": None},
            },
        ),
    ]
    [retire_entry] = await AuditEntry.filter(target_id=lunch["id"], action="activity_label.retire")
    assert retire_entry.data == {
        "before": {"retired_at": None},
        "after": {"retired_at": gql.clock.now().isoformat()},
    }


async def test_bad_labels_are_typed_errors_and_nothing_is_written(
    gql: GraphQLClient, world: World
) -> None:
    token = await make.token_for(world.admin)
    await _create(gql, token, name="Snack", kind="MEAL", mealType="AM_SNACK")
    cases = [
        ({"name": " ", "kind": "OTHER"}, [("name", "INVALID_NAME")]),
        ({"name": "x" * 101, "kind": "OTHER"}, [("name", "INVALID_NAME")]),
        ({"name": "Supper", "kind": "MEAL"}, [("mealType", "MEAL_TYPE_REQUIRED")]),
        (
            {"name": "Reading", "kind": "LEARNING", "mealType": "LUNCH"},
            [("mealType", "MEAL_TYPE_NOT_ALLOWED")],
        ),
        ({"name": "snack", "kind": "MEAL", "mealType": "PM_SNACK"}, [("name", "DUPLICATE_NAME")]),
    ]
    for fields, expected in cases:
        found = await _create(gql, token, **fields)
        assert codes(found) == expected, fields
        assert found["label"] is None
    listed = await gql.execute(LABELS, {"r": True}, token=token)
    assert listed.data == {
        "activityLabels": [{"name": "Snack", "kind": "MEAL", "mealType": "AM_SNACK"}]
    }


async def test_staff_with_attendance_view_read_labels_retired_only_when_asked(
    gql: GraphQLClient, world: World
) -> None:
    admin = await make.token_for(world.admin)
    await _create(gql, admin, name="Lunch", kind="MEAL", mealType="LUNCH")
    nap = (await _create(gql, admin, name="Nap", kind="OTHER"))["label"]
    await gql.execute(RETIRE, {"i": {"labelId": nap["id"]}}, token=admin)

    viewer = await make.token_for(world.viewer)
    open_only = await gql.execute(LABELS, {"r": False}, token=viewer)
    assert open_only.data == {
        "activityLabels": [{"name": "Lunch", "kind": "MEAL", "mealType": "LUNCH"}]
    }
    every = await gql.execute(LABELS, {"r": True}, token=viewer)
    assert [lb["name"] for lb in every.data["activityLabels"]] == ["Lunch", "Nap"]  # type: ignore[index]

    # Another agency sees none of them.
    foreign = await gql.execute(
        LABELS, {"r": True}, token=await make.token_for(world.foreign_admin)
    )
    assert foreign.data == {"activityLabels": []}


async def test_who_may_not_read_labels(gql: GraphQLClient, world: World) -> None:
    tokens = await refused_tokens(world)
    tokens["no attendance"] = await make.token_for(world.students_viewer)
    for who in ("no attendance", "parent", "kiosk"):
        result = await gql.execute(LABELS, {"r": True}, token=tokens[who])
        assert result.codes == ["FORBIDDEN"], who


async def test_only_agency_admins_edit_labels_and_only_their_own(
    gql: GraphQLClient, world: World
) -> None:
    admin = await make.token_for(world.admin)
    lunch = (await _create(gql, admin, name="Lunch", kind="MEAL", mealType="LUNCH"))["label"]
    for who, token in (await refused_tokens(world)).items():
        created = await gql.execute(CREATE, {"i": {"name": "X", "kind": "OTHER"}}, token=token)
        renamed = await gql.execute(
            RENAME, {"i": {"labelId": lunch["id"], "name": "X"}}, token=token
        )
        retired = await gql.execute(RETIRE, {"i": {"labelId": lunch["id"]}}, token=token)
        assert created.codes == renamed.codes == retired.codes == ["FORBIDDEN"], who

    foreign = await make.token_for(world.foreign_admin)
    renamed = await gql.execute(RENAME, {"i": {"labelId": lunch["id"], "name": "X"}}, token=foreign)
    retired = await gql.execute(RETIRE, {"i": {"labelId": lunch["id"]}}, token=foreign)
    assert renamed.codes == retired.codes == ["NOT_FOUND"]
    listed = await gql.execute(LABELS, {"r": True}, token=admin)
    assert listed.data == {
        "activityLabels": [{"name": "Lunch", "kind": "MEAL", "mealType": "LUNCH"}]
    }
