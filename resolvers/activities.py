"""Activities: the agency's labels, and logging them for children."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from models.activities import ActivityKind, ActivityLabel, ChildActivity, MealType
from resolvers.context import Info
from resolvers.outcome import Outcome, object_id, outcome
from services import activities, activity_labels
from services.activities import ActivityLog


async def labels_list(info: Info, include_retired: bool) -> list[ActivityLabel]:
    return await activity_labels.activity_labels(
        info.context.principal, include_retired=include_retired
    )


async def create_label(
    info: Info, name: str, kind: ActivityKind, meal_type: MealType | None
) -> Outcome[ActivityLabel]:
    ctx = info.context
    return await outcome(
        activity_labels.create_label(ctx.staff, name, kind, meal_type, now=ctx.now())
    )


async def rename_label(info: Info, label_id: str, name: str) -> Outcome[ActivityLabel]:
    return await outcome(
        activity_labels.rename_label(info.context.staff, object_id(label_id, "ActivityLabel"), name)
    )


async def retire_label(info: Info, label_id: str) -> Outcome[ActivityLabel]:
    ctx = info.context
    return await outcome(
        activity_labels.retire_label(ctx.staff, object_id(label_id, "ActivityLabel"), now=ctx.now())
    )


async def log_activities(info: Info, request: ActivityLog) -> Outcome[list[ChildActivity]]:
    ctx = info.context
    return await outcome(
        activities.log_activities(
            ctx.staff, request, bus=ctx.bus, now=ctx.now(), skew=ctx.clock_skew
        )
    )


async def remove_activity(info: Info, activity_id: str, reason: str) -> Outcome[ChildActivity]:
    ctx = info.context
    return await outcome(
        activities.remove_activity(
            ctx.staff, object_id(activity_id, "Activity"), reason, bus=ctx.bus, now=ctx.now()
        )
    )


async def activities_of(
    info: Info, child_id: UUID, day: date, include_removed: bool
) -> list[ChildActivity]:
    """A roster row's activities: one query for the whole roster (a DataLoader)."""
    found = await info.context.loaders.activities_by_child_day.load((child_id, day))
    return [a for a in found if include_removed or a.removed_at is None]
