"""Queries and small steps shared by the activity tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from models.activities import ActivityKind, ActivityLabel, MealType
from models.org import Classroom
from models.people import Child
from tests.graphql import GraphQLClient

LABEL = "label { id name kind mealType retiredAt } errors { field code message }"
CREATE = (
    f"mutation($i: CreateActivityLabelInput!) {{ createActivityLabel(input: $i) {{ {LABEL} }} }}"
)
RENAME = (
    f"mutation($i: RenameActivityLabelInput!) {{ renameActivityLabel(input: $i) {{ {LABEL} }} }}"
)
RETIRE = (
    f"mutation($i: RetireActivityLabelInput!) {{ retireActivityLabel(input: $i) {{ {LABEL} }} }}"
)
LABELS = "query($r: Boolean!) { activityLabels(includeRetired: $r) { name kind mealType } }"

ACTIVITY = (
    "id childId classroomId activityId name kind mealType healthResult note at loggedBy "
    "removedAt removedBy removedReason"
)
LOG = (
    "mutation($i: LogActivitiesInput!) "
    f"{{ logActivities(input: $i) {{ activities {{ {ACTIVITY} }} "
    "errors { field code message } } }"
)
REMOVE = (
    "mutation($i: RemoveActivityInput!) "
    f"{{ removeActivity(input: $i) {{ activity {{ {ACTIVITY} }} "
    "errors { field code message } } }"
)
SIGN_IN = "mutation($i: SignInInput!) { signIn(input: $i) { errors { code } } }"
SIGN_OUT = "mutation($i: SignOutInput!) { signOut(input: $i) { errors { code } } }"
ROSTER = """
query($id: ID!, $removed: Boolean!) { classroom(id: $id) { roster {
  child { firstName }
  activities(includeRemoved: $removed) { name kind mealType healthResult note removedAt }
} } }
"""


async def label(
    agency_id: Any, name: str, kind: ActivityKind, meal: MealType | None = None, *, now: datetime
) -> ActivityLabel:
    return await ActivityLabel.create(
        agency_id=agency_id, name=name, kind=kind, meal_type=meal, created_at=now
    )


async def sign(
    gql: GraphQLClient,
    token: str,
    room: Classroom,
    kids: list[Child],
    at: datetime,
    *,
    out: bool = False,
) -> None:
    mutation, name = (SIGN_OUT, "signOut") if out else (SIGN_IN, "signIn")
    entry = {
        "childIds": [str(k.id) for k in kids],
        "classroomId": str(room.id),
        "at": at.isoformat(),
    }
    result = await gql.execute(mutation, {"i": entry}, token=token)
    assert result.errors == [], result
    assert result.data is not None
    assert result.data[name]["errors"] == []


def log_input(
    kids: list[Child], labels: list[ActivityLabel], at: datetime, **more: Any
) -> dict[str, Any]:
    return {
        "i": {
            "childIds": [str(k.id) for k in kids],
            "activityIds": [str(lb.id) for lb in labels],
            "at": at.isoformat(),
            **more,
        }
    }


def minutes_ago(gql: GraphQLClient, minutes: int) -> datetime:
    return gql.clock.now() - timedelta(minutes=minutes)


async def roster(
    gql: GraphQLClient, token: str, room: Classroom, *, removed: bool = False
) -> dict[str, list[dict[str, Any]]]:
    result = await gql.execute(ROSTER, {"id": str(room.id), "removed": removed}, token=token)
    assert result.errors == [], result
    assert result.data is not None
    return {
        row["child"]["firstName"]: row["activities"] for row in result.data["classroom"]["roster"]
    }
