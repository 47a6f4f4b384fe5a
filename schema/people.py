from __future__ import annotations

import datetime
from enum import Enum, StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from auth.permissions import CanEditStudents, CanViewStudents, IsParent
from models import people as people_models
from resolvers import family as family_resolvers
from resolvers import family_records as family_record_resolvers
from resolvers import people as people_resolvers
from resolvers.context import Info
from resolvers.outcome import Outcome, object_id
from schema.errors import UserError, code_enum, payload_errors
from services import people
from services.parent_views import FamilyDay
from services.people import ChildChanges, NewChild

if TYPE_CHECKING:
    from schema.enrollments import Enrollment
    from schema.parent_viewer import ChildDay


@strawberry.enum
class AdultRole(Enum):
    GUARDIAN_A = "GUARDIAN_A"
    GUARDIAN_B = "GUARDIAN_B"
    CONTACT = "CONTACT"


@strawberry.enum
class ContactMethod(Enum):
    EMAIL = "EMAIL"
    SMS = "SMS"


def chosen_method(method: ContactMethod | None) -> people_models.ContactMethod | None:
    """The channel staff picked for a sending, or None for each adult's preferred one."""
    return people_models.ContactMethod(method.value) if method is not None else None


def method_field() -> Any:
    """The optional ``method`` of a sending's input (inviteGuardians, sendPins, ...)."""
    return strawberry.field(
        default=None,
        description="EMAIL or SMS for everyone named; omitted: each adult's preferred "
        "contact. An adult with no address on the chosen channel gets NO_CONTACT and "
        "nothing is sent to them.",
    )


@strawberry.enum
class Language(Enum):
    EN = "en"
    ES = "es"


@strawberry.type(description="A guardian or contact of a child's family.")
class FamilyAdult:
    id: strawberry.ID
    family_id: strawberry.ID
    role: AdultRole
    first_name: str
    last_name: str
    relationship: str
    authorized_pickup: bool
    preferred_contact: ContactMethod
    language: Language
    email: str | None
    phone: str | None

    @classmethod
    def from_model(cls, adult: people_models.FamilyAdult) -> FamilyAdult:
        slot = adult.guardian_slot
        return cls(
            id=strawberry.ID(str(adult.id)),
            family_id=strawberry.ID(str(adult.family_id)),
            role=AdultRole[f"GUARDIAN_{slot.value}"] if slot else AdultRole.CONTACT,
            first_name=adult.first_name,
            last_name=adult.last_name,
            relationship=adult.relationship,
            authorized_pickup=adult.authorized_pickup,
            preferred_contact=ContactMethod(adult.preferred_contact.value),
            language=Language(adult.language.value),
            email=adult.email,
            phone=adult.phone,
        )


@strawberry.type
class Child:
    id: strawberry.ID
    first_name: str
    last_name: str

    # None when built from a realtime event: subscriptions carry attendance fields only,
    # so fanning out an event never costs a query per subscriber.
    _model: strawberry.Private[people_models.Child | None]
    # A parent's children come with today's state already read, for all of them at once.
    _today: strawberry.Private[FamilyDay | None] = None

    @strawberry.field(permission_classes=[CanViewStudents])
    def middle_name(self) -> str | None:
        return self._model.middle_name if self._model else None

    @strawberry.field(permission_classes=[CanViewStudents])
    def date_of_birth(self) -> datetime.date | None:
        return self._model.date_of_birth if self._model else None

    @strawberry.field(
        permission_classes=[CanViewStudents],
        description="The child's ID in the state subsidy system. Staff only.",
    )
    def state_subsidy_id(self) -> str | None:
        return self._model.state_subsidy_id if self._model else None

    @strawberry.field(
        permission_classes=[CanViewStudents], description="Notes for staff. Staff only."
    )
    def notes(self) -> str | None:
        return self._model.notes if self._model else None

    @strawberry.field(permission_classes=[CanViewStudents])
    def family_id(self) -> strawberry.ID | None:
        return strawberry.ID(str(self._model.family_id)) if self._model else None

    @strawberry.field(
        permission_classes=[CanViewStudents],
        description="Enrollments in classrooms of your sites, oldest first, ended ones too.",
    )
    async def enrollments(
        self, info: Info
    ) -> list[Annotated[Enrollment, strawberry.lazy("schema.enrollments")]] | None:
        # schema.enrollments builds on schema.org, which builds on this module.
        from schema.enrollments import Enrollment

        if self._model is None:
            return None
        found = await people_resolvers.enrollments_of(info, self._model)
        return [Enrollment.from_model(e) for e in found]

    @strawberry.field(
        permission_classes=[CanViewStudents],
        description="Parent/Guardian A and B, then contacts and pickups.",
    )
    async def family_adults(self, info: Info) -> list[FamilyAdult] | None:
        if self._model is None:
            return None
        adults = await people_resolvers.adults_of(info, self._model)
        return [FamilyAdult.from_model(a) for a in adults]

    @strawberry.field(
        permission_classes=[CanViewStudents],
        description="Adults of other families authorized to pick this child up.",
    )
    async def shared_pickups(self, info: Info) -> list[FamilyAdult] | None:
        if self._model is None:
            return None
        adults = await family_record_resolvers.shared_pickups_of(info, self._model)
        return [FamilyAdult.from_model(a) for a in adults]

    # Parents read attendance here, on their own children only (the service scopes the
    # rows); staff read it from classroom rosters instead.
    @strawberry.field(permission_classes=[IsParent], description="Today at the child's site.")
    async def today(
        self, info: Info
    ) -> Annotated[ChildDay, strawberry.lazy("schema.family")] | None:
        # schema.family builds on this module, so its type is imported when first used.
        from schema.parent_viewer import ChildDay

        if self._model is None:
            return None
        day = self._today or await family_resolvers.today(info, self._model)
        return ChildDay.from_domain(day) if day else None

    @strawberry.field(
        permission_classes=[IsParent],
        description="Days with an attendance record between two dates (at most 93 days).",
    )
    async def history(
        self,
        info: Info,
        from_: Annotated[datetime.date, strawberry.argument(name="from")],
        to: datetime.date,
    ) -> list[Annotated[ChildDay, strawberry.lazy("schema.family")]] | None:
        from schema.parent_viewer import ChildDay

        if self._model is None:
            return None
        days = await family_resolvers.history(info, self._model, from_, to)
        return [ChildDay.from_domain(d) for d in days]

    @classmethod
    def from_model(cls, child: people_models.Child, today: FamilyDay | None = None) -> Child:
        return cls(
            id=strawberry.ID(str(child.id)),
            first_name=child.first_name,
            last_name=child.last_name,
            _model=child,
            _today=today,
        )


@strawberry.input
class UpdateChildInput:
    child_id: strawberry.ID
    first_name: str | None = None
    middle_name: str | None = None
    last_name: str | None = None
    date_of_birth: datetime.date | None = None
    state_subsidy_id: str | None = None
    notes: str | None = None

    def to_changes(self) -> ChildChanges:
        return ChildChanges(
            first_name=self.first_name,
            middle_name=self.middle_name,
            last_name=self.last_name,
            date_of_birth=self.date_of_birth,
            state_subsidy_id=self.state_subsidy_id,
            notes=self.notes,
        )


@strawberry.input
class CreateChildInput:
    site_id: strawberry.ID = strawberry.field(
        description="The site registering the child: its staff reach the child from now on."
    )
    family_id: strawberry.ID | None = strawberry.field(
        default=None, description="A sibling's family; a new family when null."
    )
    first_name: str
    middle_name: str = ""
    last_name: str
    date_of_birth: datetime.date
    state_subsidy_id: str | None = None
    notes: str | None = None

    def to_new_child(self) -> NewChild:
        family = self.family_id
        return NewChild(
            site_id=object_id(str(self.site_id), "Site"),
            family_id=object_id(str(family), "Family") if family is not None else None,
            first_name=self.first_name,
            middle_name=self.middle_name,
            last_name=self.last_name,
            date_of_birth=self.date_of_birth,
            state_subsidy_id=self.state_subsidy_id,
            notes=self.notes,
        )


if TYPE_CHECKING:
    PeopleErrorCode = StrEnum
else:
    PeopleErrorCode = code_enum(
        "PeopleErrorCode",
        people.PeopleErrorCode,
    )


@strawberry.type
class PeopleError(UserError):
    code: PeopleErrorCode


@strawberry.type
class UpdateChildPayload:
    child: Child | None
    errors: list[PeopleError]


@strawberry.type
class CreateChildPayload:
    child: Child | None
    errors: list[PeopleError]

    @classmethod
    def from_outcome(cls, result: Outcome[people_models.Child]) -> CreateChildPayload:
        return cls(
            child=Child.from_model(result.value) if result.value else None,
            errors=payload_errors(result, PeopleError, PeopleErrorCode),
        )


@strawberry.type
class ChildMutation:
    @strawberry.mutation(
        permission_classes=[CanEditStudents],
        description="Register a child at one of your sites, in a sibling's family or a new "
        "one. Enroll them with enrollChild.",
    )
    async def create_child(self, info: Info, input: CreateChildInput) -> CreateChildPayload:
        result = await people_resolvers.create_child(info, input.to_new_child())
        return CreateChildPayload.from_outcome(result)
