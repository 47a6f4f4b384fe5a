"""Activities: an agency's activity labels, and the activities staff log for children."""

from __future__ import annotations

import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, TypeVar
from uuid import UUID

import strawberry

from auth.permissions import CanEditAttendance, CanViewAttendance, IsAgencyAdmin
from models import activities as activity_models
from resolvers import activities as activity_resolvers
from resolvers.context import Info
from resolvers.outcome import Outcome, bad_input, object_id
from schema.errors import UserError, code_enum, payload_errors
from services import activities, activity_labels

# The model enums are the GraphQL enums: registering them names them in the schema.
strawberry.enum(activity_models.ActivityKind, name="ActivityKind")
strawberry.enum(activity_models.MealType, name="MealType")
strawberry.enum(
    activity_models.HealthResult,
    name="HealthResult",
    description="The outcome of a health check: passed, or sent home.",
)
ActivityKind = activity_models.ActivityKind
MealType = activity_models.MealType
HealthResult = activity_models.HealthResult


@strawberry.type(description="An activity staff log for children (a health check, lunch).")
class ActivityLabel:
    id: strawberry.ID
    name: str
    kind: ActivityKind
    meal_type: MealType | None = strawberry.field(description="Meals only.")
    retired_at: datetime.datetime | None = strawberry.field(
        description="Set once retired: offered for no new activity, kept on logged ones."
    )

    @classmethod
    def from_model(cls, label: activity_models.ActivityLabel) -> ActivityLabel:
        return cls(
            id=strawberry.ID(str(label.id)),
            name=label.name,
            kind=label.kind,
            meal_type=label.meal_type,
            retired_at=label.retired_at,
        )


@strawberry.type(description="One activity logged for one child.")
class ChildActivity:
    id: strawberry.ID
    child_id: strawberry.ID
    classroom_id: strawberry.ID
    activity_id: strawberry.ID = strawberry.field(description="The label logged.")
    name: str = strawberry.field(description="The label's name when it was logged.")
    kind: ActivityKind
    meal_type: MealType | None
    health_result: HealthResult | None = strawberry.field(description="Health checks only.")
    note: str
    at: datetime.datetime
    logged_by: str
    removed_at: datetime.datetime | None = strawberry.field(
        description="Set when staff removed it as a mistake: kept in history."
    )
    removed_by: str | None
    removed_reason: str | None

    @classmethod
    def from_model(cls, row: activity_models.ChildActivity) -> ChildActivity:
        removed = row.removed_at is not None
        return cls(
            id=strawberry.ID(str(row.id)),
            child_id=strawberry.ID(str(row.child_id)),
            classroom_id=strawberry.ID(str(row.classroom_id)),
            activity_id=strawberry.ID(str(row.label_id)),
            name=row.label_name,
            kind=row.kind,
            meal_type=row.meal_type,
            health_result=row.health_result,
            note=row.note,
            at=row.occurred_at,
            logged_by=row.logged_by_name,
            removed_at=row.removed_at,
            removed_by=row.removed_by_name if removed else None,
            removed_reason=row.removed_reason if removed else None,
        )


if TYPE_CHECKING:
    ActivityLabelErrorCode = StrEnum
    ActivityErrorCode = StrEnum
else:
    ActivityLabelErrorCode = code_enum(
        "ActivityLabelErrorCode", activity_labels.ActivityLabelsErrorCode
    )
    ActivityErrorCode = code_enum("ActivityErrorCode", activities.ActivitiesErrorCode)


@strawberry.type
class ActivityLabelError(UserError):
    code: ActivityLabelErrorCode


@strawberry.type
class ActivityError(UserError):
    code: ActivityErrorCode


@strawberry.input
class CreateActivityLabelInput:
    name: str = strawberry.field(description="1 to 100 characters, unique among open labels.")
    kind: ActivityKind
    meal_type: MealType | None = strawberry.field(default=None, description="Required for MEAL.")


@strawberry.input
class RenameActivityLabelInput:
    label_id: strawberry.ID
    name: str


@strawberry.input
class RetireActivityLabelInput:
    label_id: strawberry.ID


@strawberry.input
class LogActivitiesInput:
    child_ids: list[strawberry.ID] = strawberry.field(
        description="One child, or a group (max 100), each signed in at `at`."
    )
    activity_ids: list[strawberry.ID] = strawberry.field(
        description="Open activity labels (max 20): each is logged for each child."
    )
    at: datetime.datetime | None = strawberry.field(
        default=None, description="With a UTC offset. Defaults to now; never in the future."
    )
    note: str = strawberry.field(default="", description="At most 500 characters.")
    health_result: HealthResult | None = strawberry.field(
        default=None, description="Stored on the health checks of the batch."
    )
    client_mutation_id: UUID | None = strawberry.field(
        default=None,
        description="A UUID the device generates once per batch: sending it again is harmless.",
    )

    def to_log(self) -> activities.ActivityLog:
        """The service's request; a time without its offset is malformed input."""
        if self.at is not None and self.at.tzinfo is None:
            raise bad_input("Give the time with its UTC offset.", "at")
        return activities.ActivityLog(
            child_ids=[object_id(str(i), "Child") for i in self.child_ids],
            activity_ids=[object_id(str(i), "ActivityLabel") for i in self.activity_ids],
            at=self.at,
            note=self.note,
            health_result=self.health_result,
            client_mutation_id=self.client_mutation_id,
        )


@strawberry.input
class RemoveActivityInput:
    id: strawberry.ID
    reason: str = strawberry.field(default="", description="Why it was a mistake (max 500).")


@strawberry.type
class ActivityLabelPayload:
    label: ActivityLabel | None
    errors: list[ActivityLabelError]


@strawberry.type
class CreateActivityLabelPayload(ActivityLabelPayload):
    pass


@strawberry.type
class RenameActivityLabelPayload(ActivityLabelPayload):
    pass


@strawberry.type
class RetireActivityLabelPayload(ActivityLabelPayload):
    pass


@strawberry.type
class LogActivitiesPayload:
    activities: list[ChildActivity]
    errors: list[ActivityError]


@strawberry.type
class RemoveActivityPayload:
    activity: ChildActivity | None
    errors: list[ActivityError]


P = TypeVar("P", bound=ActivityLabelPayload)


def _label_payload(kind: type[P], result: Outcome[activity_models.ActivityLabel]) -> P:
    return kind(
        label=ActivityLabel.from_model(result.value) if result.value else None,
        errors=payload_errors(result, ActivityLabelError, ActivityLabelErrorCode),
    )


@strawberry.type
class ActivityQuery:
    @strawberry.field(
        permission_classes=[CanViewAttendance],
        description="Your agency's activity labels, by kind and name.",
    )
    async def activity_labels(
        self, info: Info, include_retired: bool = False
    ) -> list[ActivityLabel]:
        found = await activity_resolvers.labels_list(info, include_retired)
        return [ActivityLabel.from_model(label) for label in found]


@strawberry.type
class ActivityMutation:
    @strawberry.mutation(permission_classes=[IsAgencyAdmin], description="Audited.")
    async def create_activity_label(
        self, info: Info, input: CreateActivityLabelInput
    ) -> CreateActivityLabelPayload:
        result = await activity_resolvers.create_label(
            info, input.name, input.kind, input.meal_type
        )
        return _label_payload(CreateActivityLabelPayload, result)

    @strawberry.mutation(
        permission_classes=[IsAgencyAdmin],
        description="Logged activities keep the name they were logged with. Audited.",
    )
    async def rename_activity_label(
        self, info: Info, input: RenameActivityLabelInput
    ) -> RenameActivityLabelPayload:
        result = await activity_resolvers.rename_label(info, str(input.label_id), input.name)
        return _label_payload(RenameActivityLabelPayload, result)

    @strawberry.mutation(
        permission_classes=[IsAgencyAdmin],
        description="Offered for no new activity; logged ones stay. Audited.",
    )
    async def retire_activity_label(
        self, info: Info, input: RetireActivityLabelInput
    ) -> RetireActivityLabelPayload:
        result = await activity_resolvers.retire_label(info, str(input.label_id))
        return _label_payload(RetireActivityLabelPayload, result)

    @strawberry.mutation(
        permission_classes=[CanEditAttendance],
        description=(
            "Log each activity for each child, all or none: every child signed in at `at` "
            "at your sites. Audited; the rosters redraw live."
        ),
    )
    async def log_activities(self, info: Info, input: LogActivitiesInput) -> LogActivitiesPayload:
        result = await activity_resolvers.log_activities(info, input.to_log())
        return LogActivitiesPayload(
            activities=[ChildActivity.from_model(a) for a in result.value or []],
            errors=payload_errors(result, ActivityError, ActivityErrorCode),
        )

    @strawberry.mutation(
        permission_classes=[CanEditAttendance],
        description="Mark a mistaken activity removed: kept in history. Audited.",
    )
    async def remove_activity(
        self, info: Info, input: RemoveActivityInput
    ) -> RemoveActivityPayload:
        result = await activity_resolvers.remove_activity(info, str(input.id), input.reason)
        return RemoveActivityPayload(
            activity=ChildActivity.from_model(result.value) if result.value else None,
            errors=payload_errors(result, ActivityError, ActivityErrorCode),
        )
