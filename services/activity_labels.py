"""Activity labels: what staff log for children (a health check, lunch, circle time).

Agency admins create, rename and retire them; every staff member with Attendance view
reads them. A retired label is offered for no new activity; logged activities keep the
label's name as it was when they were logged."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from auth.principals import Grant, Principal, StaffPrincipal, is_staff
from models.activities import ActivityKind, ActivityLabel, MealType
from services import audit
from services.errors import DomainError, NotFound


class ActivityLabelsErrorCode(StrEnum):
    """Rule failures of editing activity labels."""

    INVALID_NAME = "INVALID_NAME"
    DUPLICATE_NAME = "DUPLICATE_NAME"
    MEAL_TYPE_REQUIRED = "MEAL_TYPE_REQUIRED"
    MEAL_TYPE_NOT_ALLOWED = "MEAL_TYPE_NOT_ALLOWED"
    RETIRED = "RETIRED"


MAX_NAME_LENGTH = 100


def readable_activity_labels(principal: Principal) -> QuerySet[ActivityLabel]:
    """Staff with Attendance view (or admins) read their agency's labels; nobody else."""
    if is_staff(principal) and (principal.is_agency_admin or principal.has(Grant.VIEW_ATTENDANCE)):
        return ActivityLabel.filter(agency_id=principal.agency_id)
    return ActivityLabel.filter(id__in=[])


async def activity_labels(
    principal: Principal, *, include_retired: bool = False
) -> list[ActivityLabel]:
    query = readable_activity_labels(principal)
    if not include_retired:
        query = query.filter(retired_at__isnull=True)
    return await query.order_by("kind", "name")


def _name(value: str) -> str:
    cleaned = " ".join(value.split())
    if not cleaned or len(cleaned) > MAX_NAME_LENGTH:
        raise DomainError(
            ActivityLabelsErrorCode.INVALID_NAME, f"Use 1 to {MAX_NAME_LENGTH} characters.", "name"
        )
    return cleaned


def _meal_type(kind: ActivityKind, meal_type: MealType | None) -> MealType | None:
    """A meal says which meal it is (food-program counts go by it); nothing else does."""
    if kind is ActivityKind.MEAL and meal_type is None:
        raise DomainError(
            ActivityLabelsErrorCode.MEAL_TYPE_REQUIRED, "Choose which meal this is.", "mealType"
        )
    if kind is not ActivityKind.MEAL and meal_type is not None:
        raise DomainError(
            ActivityLabelsErrorCode.MEAL_TYPE_NOT_ALLOWED,
            "Only a meal has a meal type.",
            "mealType",
        )
    return meal_type


async def _unique(principal: StaffPrincipal, name: str, other_than: UUID | None = None) -> None:
    """Two open labels of an agency never share a name (staff pick them by name)."""
    query = ActivityLabel.filter(
        agency_id=principal.agency_id, name__iexact=name, retired_at__isnull=True
    )
    if other_than is not None:
        query = query.exclude(id=other_than)
    if await query.exists():
        raise DomainError(
            ActivityLabelsErrorCode.DUPLICATE_NAME, f"A label is already named {name}.", "name"
        )


def _administered(principal: StaffPrincipal) -> QuerySet[ActivityLabel]:
    if principal.is_agency_admin:
        return ActivityLabel.filter(agency_id=principal.agency_id)
    return ActivityLabel.filter(id__in=[])


def _state(label: ActivityLabel) -> dict[str, str | None]:
    return {
        "name": label.name,
        "kind": label.kind.value,
        "meal_type": label.meal_type.value if label.meal_type else None,
    }


async def create_label(
    principal: StaffPrincipal,
    name: str,
    kind: ActivityKind,
    meal_type: MealType | None,
    *,
    now: datetime,
) -> ActivityLabel:
    cleaned = _name(name)
    meal = _meal_type(kind, meal_type)
    async with in_transaction():
        await _unique(principal, cleaned)
        label = await ActivityLabel.create(
            agency_id=principal.agency_id, name=cleaned, kind=kind, meal_type=meal, created_at=now
        )
        await audit.record(
            principal,
            "activity_label.create",
            agency_id=principal.agency_id,
            target_type="activity_label",
            target_id=label.id,
            data={"before": None, "after": _state(label)},
        )
    return label


async def _locked(principal: StaffPrincipal, label_id: UUID) -> ActivityLabel:
    label = await _administered(principal).filter(id=label_id).select_for_update().first()
    if label is None:
        raise NotFound("ActivityLabel")
    if label.retired_at is not None:
        raise DomainError(ActivityLabelsErrorCode.RETIRED, "This label is retired.", "labelId")
    return label


async def rename_label(principal: StaffPrincipal, label_id: UUID, name: str) -> ActivityLabel:
    """New activities show the new name; logged ones keep the name they were logged with."""
    cleaned = _name(name)
    async with in_transaction():
        label = await _locked(principal, label_id)
        if label.name == cleaned:
            return label
        await _unique(principal, cleaned, other_than=label.id)
        before = _state(label)
        label.name = cleaned
        await label.save(update_fields=["name"])
        await audit.record(
            principal,
            "activity_label.rename",
            agency_id=principal.agency_id,
            target_type="activity_label",
            target_id=label.id,
            data={"before": before, "after": _state(label)},
        )
    return label


async def retire_label(
    principal: StaffPrincipal, label_id: UUID, *, now: datetime
) -> ActivityLabel:
    """Offered for no new activity; the activities logged with it stay as they were."""
    async with in_transaction():
        label = await _locked(principal, label_id)
        label.retired_at = now
        await label.save(update_fields=["retired_at"])
        await audit.record(
            principal,
            "activity_label.retire",
            agency_id=principal.agency_id,
            target_type="activity_label",
            target_id=label.id,
            data={"before": {"retired_at": None}, "after": {"retired_at": now.isoformat()}},
        )
    return label
