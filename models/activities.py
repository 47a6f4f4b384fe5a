"""Activities: an agency's activity labels and the activities staff log for children."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from models.org import Agency, Classroom
from models.people import Child


class ActivityKind(StrEnum):
    HEALTH_CHECK = "HEALTH_CHECK"
    MEAL = "MEAL"
    LEARNING = "LEARNING"
    OTHER = "OTHER"


class MealType(StrEnum):
    BREAKFAST = "BREAKFAST"
    AM_SNACK = "AM_SNACK"
    LUNCH = "LUNCH"
    PM_SNACK = "PM_SNACK"
    SUPPER = "SUPPER"


class HealthResult(StrEnum):
    PASSED = "PASSED"
    SENT_HOME = "SENT_HOME"


class ActivityLabel(Model):
    """An agency-defined activity staff log for children, such as Lunch or Morning health check."""

    id = fields.UUIDField(primary_key=True)
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="activity_labels", on_delete=fields.RESTRICT
    )
    name = fields.CharField(max_length=100)
    kind = fields.CharEnumField(ActivityKind, max_length=12)
    # Only meals carry a meal type (food-program counts go by it).
    meal_type = fields.CharEnumField(MealType, max_length=9, null=True)
    # Retired labels are offered for no new activity; logged ones keep their name.
    retired_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()

    agency_id: str

    class Meta:
        table = "activity_label"


class ChildActivity(Model):
    """One activity logged for one child. Never deleted: a mistaken one is marked removed."""

    id = fields.UUIDField(primary_key=True)
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="child_activities", on_delete=fields.RESTRICT
    )
    child: fields.ForeignKeyRelation[Child] = fields.ForeignKeyField(
        "models.Child", related_name="activities", on_delete=fields.RESTRICT
    )
    # The classroom the child was signed into at the time.
    classroom: fields.ForeignKeyRelation[Classroom] = fields.ForeignKeyField(
        "models.Classroom", related_name="child_activities", on_delete=fields.RESTRICT
    )
    label: fields.ForeignKeyRelation[ActivityLabel] = fields.ForeignKeyField(
        "models.ActivityLabel", related_name="logged", on_delete=fields.RESTRICT
    )
    # The label as it was when logged: history keeps it through renames.
    label_name = fields.CharField(max_length=100)
    kind = fields.CharEnumField(ActivityKind, max_length=12)
    meal_type = fields.CharEnumField(MealType, max_length=9, null=True)
    health_result = fields.CharEnumField(HealthResult, max_length=9, null=True)
    note = fields.TextField(default="")
    local_date = fields.DateField(db_index=True)
    occurred_at = fields.DatetimeField()
    recorded_at = fields.DatetimeField()
    logged_by_id = fields.UUIDField()
    logged_by_name = fields.CharField(max_length=201)
    # Same device and client id again: a replay, answered with the stored rows.
    device = fields.CharField(max_length=100)
    client_uuid = fields.UUIDField(null=True, unique=True)
    removed_at = fields.DatetimeField(null=True)
    removed_by_name = fields.CharField(max_length=201, default="")
    removed_reason = fields.TextField(default="")

    agency_id: str
    child_id: str
    classroom_id: str
    label_id: str

    class Meta:
        table = "child_activity"
        ordering = ["occurred_at"]
