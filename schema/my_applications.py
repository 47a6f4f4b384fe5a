"""A family's own applications in the family app: status, waitlist positions and the place
offered; keeping contact details current, withdrawing, and answering an offer."""

from __future__ import annotations

import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import strawberry

from auth.permissions import IsParent
from models import people as people_models
from resolvers import applications as resolvers
from resolvers.context import Info
from resolvers.outcome import Outcome
from schema.applications import ApplicationChild, ApplicationGuardian, ApplicationStatus
from schema.errors import UserError, code_enum, payload_errors
from schema.people import ContactMethod, Language
from services import application_forms, my_applications
from services.my_applications import FamilyApplication

if TYPE_CHECKING:
    MyApplicationErrorCode = StrEnum
else:
    MyApplicationErrorCode = code_enum(
        "MyApplicationErrorCode",
        my_applications.MyApplicationErrorCode,
        application_forms.ApplicationFormErrorCode.INVALID_EMAIL,
        application_forms.ApplicationFormErrorCode.INVALID_PHONE,
        application_forms.ApplicationFormErrorCode.NO_CONTACT,
    )


@strawberry.type
class MyApplicationError(UserError):
    code: MyApplicationErrorCode


@strawberry.type
class AppliedSite:
    site_id: strawberry.ID
    site_name: str
    position: int | None = strawberry.field(
        description="Your place on its waitlist, 1 first; null once no longer waiting."
    )


@strawberry.type
class PlaceOffer:
    site_id: strawberry.ID
    site_name: str
    starts_on: datetime.date


@strawberry.type(description="An application linked to your family account.")
class MyApplication:
    id: strawberry.ID
    number: str
    agency_name: str
    status: ApplicationStatus
    children: list[ApplicationChild]
    guardians: list[ApplicationGuardian]
    language: Language
    contact_method: ContactMethod
    desired_start: datetime.date
    sites: list[AppliedSite]
    offer: PlaceOffer | None = strawberry.field(description="The latest place offered.")
    submitted_at: datetime.datetime

    @classmethod
    def from_domain(cls, found: FamilyApplication) -> MyApplication:
        a = found.application
        offer = found.offer
        return cls(
            id=strawberry.ID(str(a.id)),
            number=a.display_number,
            agency_name=found.agency_name,
            status=a.status,
            children=ApplicationChild.listed(a.children),
            guardians=ApplicationGuardian.listed(a.guardians),
            language=Language(a.language.value),
            contact_method=ContactMethod(a.contact_method.value),
            desired_start=a.desired_start,
            sites=[
                AppliedSite(site_id=strawberry.ID(str(s.id)), site_name=s.name, position=p)
                for s, p in found.sites
            ],
            offer=PlaceOffer(
                site_id=strawberry.ID(str(offer.site.id)),
                site_name=offer.site.name,
                starts_on=offer.starts_on,
            )
            if offer
            else None,
            submitted_at=a.submitted_at,
        )


@strawberry.input
class UpdateMyApplicationInput:
    application_id: strawberry.ID
    email: str | None = strawberry.field(
        default=None, description="The first guardian's; empty clears it."
    )
    phone: str | None = strawberry.field(
        default=None, description="The first guardian's; empty clears it."
    )
    language: Language | None = None
    contact_method: ContactMethod | None = None

    def to_change(self) -> my_applications.ContactChange:
        return my_applications.ContactChange(
            email=self.email,
            phone=self.phone,
            language=people_models.Language(self.language.value) if self.language else None,
            contact_method=people_models.ContactMethod(self.contact_method.value)
            if self.contact_method
            else None,
        )


@strawberry.input
class MyApplicationInput:
    application_id: strawberry.ID


@strawberry.input
class AnswerOfferInput:
    application_id: strawberry.ID
    accept: bool


@strawberry.type
class MyApplicationPayload:
    application: MyApplication | None
    errors: list[MyApplicationError]


def _payload(result: Outcome[FamilyApplication]) -> MyApplicationPayload:
    return MyApplicationPayload(
        application=MyApplication.from_domain(result.value) if result.value else None,
        errors=payload_errors(result, MyApplicationError, MyApplicationErrorCode),
    )


@strawberry.type
class MyApplicationQuery:
    @strawberry.field(
        permission_classes=[IsParent],
        description="The applications linked to your account, newest first.",
    )
    async def my_applications(self, info: Info) -> list[MyApplication]:
        return [MyApplication.from_domain(a) for a in await resolvers.mine(info)]


@strawberry.type
class MyApplicationMutation:
    @strawberry.mutation(
        permission_classes=[IsParent],
        description="Keep your application's contact details current. Audited.",
    )
    async def update_my_application(
        self, info: Info, input: UpdateMyApplicationInput
    ) -> MyApplicationPayload:
        result = await resolvers.update_contact(info, str(input.application_id), input.to_change())
        return _payload(result)

    @strawberry.mutation(
        permission_classes=[IsParent],
        description="Withdraw an application that is not enrolled, declined or withdrawn.",
    )
    async def withdraw_my_application(
        self, info: Info, input: MyApplicationInput
    ) -> MyApplicationPayload:
        return _payload(await resolvers.withdraw(info, str(input.application_id)))

    @strawberry.mutation(
        permission_classes=[IsParent],
        description="Accept or decline the place offered; staff then enroll an accepted one.",
    )
    async def answer_application_offer(
        self, info: Info, input: AnswerOfferInput
    ) -> MyApplicationPayload:
        result = await resolvers.answer_offer(info, str(input.application_id), input.accept)
        return _payload(result)
