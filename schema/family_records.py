"""A family's people: staff add and edit guardians, contacts and pickups and share pickups
between families; a parent edits their own contact details and their family's contacts."""

from __future__ import annotations

from enum import Enum, StrEnum
from typing import TYPE_CHECKING

import strawberry

from auth.permissions import CanEditStudents, IsParent
from models import people as people_models
from resolvers import family_records as resolvers
from resolvers.context import Info
from resolvers.outcome import Outcome
from schema.errors import UserError, code_enum, payload_errors
from schema.people import ContactMethod, FamilyAdult, Language
from services import family_records, pins
from services.family_records import AdultDetails


@strawberry.enum(description="Parent/Guardian A or B.")
class GuardianSlot(Enum):
    A = "A"
    B = "B"


_EMAIL = "An email address; an empty string removes it."
_PHONE = "A cell phone, stored in E.164 (+15125550134); without +, a US number. Empty removes."
_PICKUP = "May pick the family's children up; needs a cell phone."


def _details(
    first_name: str | None,
    last_name: str | None,
    relationship: str | None,
    email: str | None,
    phone: str | None,
    preferred_contact: ContactMethod | None,
    language: Language | None,
    authorized_pickup: bool | None,
) -> AdultDetails:
    return AdultDetails(
        first_name=first_name,
        last_name=last_name,
        relationship=relationship,
        email=email,
        phone=phone,
        preferred_contact=(
            people_models.ContactMethod(preferred_contact.value) if preferred_contact else None
        ),
        language=people_models.Language(language.value) if language else None,
        authorized_pickup=authorized_pickup,
    )


@strawberry.input(description="A new Parent/Guardian A or B; every adult gets a PIN.")
class AddGuardianInput:
    family_id: strawberry.ID
    first_name: str
    last_name: str
    slot: GuardianSlot | None = strawberry.field(
        default=None, description="The first free slot when not given."
    )
    relationship: str = ""
    email: str | None = strawberry.field(default=None, description=_EMAIL)
    phone: str | None = strawberry.field(default=None, description=_PHONE)
    preferred_contact: ContactMethod = ContactMethod.EMAIL
    language: Language = Language.EN
    authorized_pickup: bool = strawberry.field(default=False, description=_PICKUP)

    def to_details(self) -> AdultDetails:
        return _details(
            self.first_name,
            self.last_name,
            self.relationship,
            self.email,
            self.phone,
            self.preferred_contact,
            self.language,
            self.authorized_pickup,
        )

    def to_slot(self) -> people_models.GuardianSlot | None:
        return people_models.GuardianSlot(self.slot.value) if self.slot else None


@strawberry.input(description="A new contact of a family; every adult gets a PIN.")
class AddContactInput:
    family_id: strawberry.ID
    first_name: str
    last_name: str
    relationship: str = ""
    email: str | None = strawberry.field(default=None, description=_EMAIL)
    phone: str | None = strawberry.field(default=None, description=_PHONE)
    preferred_contact: ContactMethod = ContactMethod.EMAIL
    language: Language = Language.EN
    authorized_pickup: bool = strawberry.field(default=False, description=_PICKUP)

    def to_details(self) -> AdultDetails:
        return _details(
            self.first_name,
            self.last_name,
            self.relationship,
            self.email,
            self.phone,
            self.preferred_contact,
            self.language,
            self.authorized_pickup,
        )


@strawberry.input(description="Only the fields given change.")
class UpdateAdultInput:
    adult_id: strawberry.ID
    first_name: str | None = None
    last_name: str | None = None
    relationship: str | None = None
    email: str | None = strawberry.field(default=None, description=_EMAIL)
    phone: str | None = strawberry.field(default=None, description=_PHONE)
    preferred_contact: ContactMethod | None = None
    language: Language | None = None
    authorized_pickup: bool | None = strawberry.field(default=None, description=_PICKUP)

    def to_details(self) -> AdultDetails:
        return _details(
            self.first_name,
            self.last_name,
            self.relationship,
            self.email,
            self.phone,
            self.preferred_contact,
            self.language,
            self.authorized_pickup,
        )


@strawberry.input(description="How to reach you; only the fields given change.")
class UpdateMyContactInput:
    guardian_id: strawberry.ID = strawberry.field(description="One of your guardian records.")
    email: str | None = strawberry.field(default=None, description=_EMAIL)
    phone: str | None = strawberry.field(default=None, description=_PHONE)
    preferred_contact: ContactMethod | None = None
    language: Language | None = None

    def to_details(self) -> AdultDetails:
        return _details(
            None, None, None, self.email, self.phone, self.preferred_contact, self.language, None
        )


@strawberry.input
class RemoveContactInput:
    adult_id: strawberry.ID


@strawberry.input(description="An adult of one family and another family.")
class SharedPickupInput:
    adult_id: strawberry.ID
    family_id: strawberry.ID = strawberry.field(description="The family whose children they fetch.")


if TYPE_CHECKING:
    FamilyRecordErrorCode = StrEnum
else:
    FamilyRecordErrorCode = code_enum(
        "FamilyRecordErrorCode", family_records.FamilyRecordErrorCode, pins.PinErrorCode
    )


@strawberry.type
class FamilyRecordError(UserError):
    code: FamilyRecordErrorCode


@strawberry.type
class FamilyAdultPayload:
    adult: FamilyAdult | None
    errors: list[FamilyRecordError]

    @classmethod
    def from_outcome(cls, result: Outcome[people_models.FamilyAdult]) -> FamilyAdultPayload:
        return cls(
            adult=FamilyAdult.from_model(result.value) if result.value else None,
            errors=payload_errors(result, FamilyRecordError, FamilyRecordErrorCode),
        )


@strawberry.type
class FamilyRecordMutation:
    @strawberry.mutation(
        permission_classes=[CanEditStudents],
        description="Add Parent/Guardian A or B to a family with a child at your sites.",
    )
    async def add_guardian(self, info: Info, input: AddGuardianInput) -> FamilyAdultPayload:
        result = await resolvers.add_guardian(
            info, str(input.family_id), input.to_slot(), input.to_details()
        )
        return FamilyAdultPayload.from_outcome(result)

    @strawberry.mutation(
        permission_classes=[CanEditStudents],
        description="Add a contact (an authorized pickup when authorizedPickup) to a family.",
    )
    async def add_contact(self, info: Info, input: AddContactInput) -> FamilyAdultPayload:
        result = await resolvers.add_contact(info, str(input.family_id), input.to_details())
        return FamilyAdultPayload.from_outcome(result)

    @strawberry.mutation(
        permission_classes=[CanEditStudents], description="Edit a guardian or a contact."
    )
    async def update_adult(self, info: Info, input: UpdateAdultInput) -> FamilyAdultPayload:
        result = await resolvers.update_adult(info, str(input.adult_id), input.to_details())
        return FamilyAdultPayload.from_outcome(result)

    @strawberry.mutation(
        permission_classes=[CanEditStudents],
        description="Remove a contact (never a guardian): their PIN and shared pickups end; "
        "history keeps their name.",
    )
    async def remove_contact(self, info: Info, input: RemoveContactInput) -> FamilyAdultPayload:
        return FamilyAdultPayload.from_outcome(
            await resolvers.remove_contact(info, str(input.adult_id))
        )

    @strawberry.mutation(
        permission_classes=[CanEditStudents],
        description="Authorize an adult of one family to pick up another family's children.",
    )
    async def link_shared_pickup(self, info: Info, input: SharedPickupInput) -> FamilyAdultPayload:
        result = await resolvers.link_shared_pickup(info, str(input.adult_id), str(input.family_id))
        return FamilyAdultPayload.from_outcome(result)

    @strawberry.mutation(permission_classes=[CanEditStudents])
    async def unlink_shared_pickup(
        self, info: Info, input: SharedPickupInput
    ) -> FamilyAdultPayload:
        result = await resolvers.unlink_shared_pickup(
            info, str(input.adult_id), str(input.family_id)
        )
        return FamilyAdultPayload.from_outcome(result)

    @strawberry.mutation(
        permission_classes=[IsParent],
        description="Change how the program reaches you (never the other guardian's record).",
    )
    async def update_my_contact(
        self, info: Info, input: UpdateMyContactInput
    ) -> FamilyAdultPayload:
        result = await resolvers.update_my_contact(info, str(input.guardian_id), input.to_details())
        return FamilyAdultPayload.from_outcome(result)

    @strawberry.mutation(
        permission_classes=[IsParent], description="Add a contact or pickup to your family."
    )
    async def add_family_contact(self, info: Info, input: AddContactInput) -> FamilyAdultPayload:
        result = await resolvers.add_family_contact(info, str(input.family_id), input.to_details())
        return FamilyAdultPayload.from_outcome(result)

    @strawberry.mutation(
        permission_classes=[IsParent], description="Edit a contact or pickup of your family."
    )
    async def update_family_contact(
        self, info: Info, input: UpdateAdultInput
    ) -> FamilyAdultPayload:
        result = await resolvers.update_family_contact(
            info, str(input.adult_id), input.to_details()
        )
        return FamilyAdultPayload.from_outcome(result)

    @strawberry.mutation(
        permission_classes=[IsParent], description="Remove a contact or pickup of your family."
    )
    async def remove_family_contact(
        self, info: Info, input: RemoveContactInput
    ) -> FamilyAdultPayload:
        return FamilyAdultPayload.from_outcome(
            await resolvers.remove_family_contact(info, str(input.adult_id))
        )
