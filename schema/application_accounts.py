"""Staff act on applications: invite, re-invite and unlink their family accounts (one or
a batch, one outcome each), offer a place, and enroll an accepted application."""

from __future__ import annotations

import datetime
from enum import Enum, StrEnum
from typing import TYPE_CHECKING

import strawberry

from auth.permissions import CanEditStudents
from resolvers import applications as resolvers
from resolvers.context import Info
from resolvers.outcome import Outcome, object_id
from schema import people as schema_people
from schema.applications import Application
from schema.errors import UserError, code_enum, payload_errors
from schema.people import ContactMethod
from services import (
    application_offers,
    enrollments,
    family_records,
    notifications,
    people,
    pins,
    programs,
)
from services.application_accounts import AccountResult
from services.applications import ApplicationRow

if TYPE_CHECKING:
    ApplicationActionErrorCode = StrEnum
else:
    ApplicationActionErrorCode = code_enum(
        "ApplicationActionErrorCode",
        application_offers.OfferErrorCode,
        enrollments.EnrollmentErrorCode,
        people.PeopleErrorCode,
        family_records.FamilyRecordErrorCode,
        programs.ProgramsErrorCode.ARCHIVED,
        pins.PinErrorCode,
        notifications.NotificationErrorCode,
    )


@strawberry.type
class ApplicationActionError(UserError):
    code: ApplicationActionErrorCode


@strawberry.enum
class ApplicationAccountOutcome(Enum):
    INVITED = "INVITED"
    UNLINKED = "UNLINKED"
    NO_CONTACT = "NO_CONTACT"
    ALREADY_LINKED = "ALREADY_LINKED"
    NOT_LINKED = "NOT_LINKED"
    TOO_MANY_MESSAGES = "TOO_MANY_MESSAGES"
    NOT_FOUND = "NOT_FOUND"


@strawberry.type(description="What happened to one application of a batch.")
class ApplicationAccountResult:
    application_id: strawberry.ID
    outcome: ApplicationAccountOutcome
    application: Application | None = strawberry.field(
        description="Its row now (null when NOT_FOUND)."
    )


@strawberry.input
class InviteApplicationsInput:
    application_ids: list[strawberry.ID] = strawberry.field(description="One or up to 100.")
    method: ContactMethod | None = schema_people.method_field()


@strawberry.input
class UnlinkApplicationsInput:
    application_ids: list[strawberry.ID] = strawberry.field(description="One or up to 100.")


@strawberry.type
class ApplicationAccountsPayload:
    results: list[ApplicationAccountResult]
    errors: list[ApplicationActionError]


@strawberry.input
class OfferPlaceInput:
    application_id: strawberry.ID
    site_id: strawberry.ID = strawberry.field(description="One of the sites asked for.")
    starts_on: datetime.date | None = strawberry.field(
        default=None, description="The first day; the desired start (or today) when omitted."
    )

    def to_offer(self) -> application_offers.NewOffer:
        return application_offers.NewOffer(
            application_id=object_id(str(self.application_id), "Application"),
            site_id=object_id(str(self.site_id), "Site"),
            starts_on=self.starts_on,
        )


@strawberry.input
class EnrollApplicationInput:
    application_id: strawberry.ID
    classroom_id: strawberry.ID = strawberry.field(description="A classroom at the offered site.")
    weekdays: list[int] = strawberry.field(
        default_factory=lambda: [1, 2, 3, 4, 5], description="ISO weekdays: 1 is Monday."
    )

    def to_enrolling(self) -> application_offers.Enrolling:
        return application_offers.Enrolling(
            application_id=object_id(str(self.application_id), "Application"),
            classroom_id=object_id(str(self.classroom_id), "Classroom"),
            weekdays=list(self.weekdays),
        )


@strawberry.type
class ApplicationActionPayload:
    application: Application | None
    errors: list[ApplicationActionError]


def _accounts_payload(result: Outcome[list[AccountResult]]) -> ApplicationAccountsPayload:
    return ApplicationAccountsPayload(
        results=[
            ApplicationAccountResult(
                application_id=strawberry.ID(r.application_id),
                outcome=ApplicationAccountOutcome[r.outcome.value],
                application=Application.from_domain(r.row) if r.row else None,
            )
            for r in result.value or []
        ],
        errors=payload_errors(result, ApplicationActionError, ApplicationActionErrorCode),
    )


def _action_payload(result: Outcome[ApplicationRow]) -> ApplicationActionPayload:
    return ApplicationActionPayload(
        application=Application.from_domain(result.value) if result.value else None,
        errors=payload_errors(result, ApplicationActionError, ApplicationActionErrorCode),
    )


@strawberry.type
class ApplicationAccountMutation:
    @strawberry.mutation(
        permission_classes=[CanEditStudents],
        description="Invite or re-invite the families of applications to link a family "
        "account: a code by email or SMS (14 days, once). One outcome each. Audited.",
    )
    async def invite_applications(
        self, info: Info, input: InviteApplicationsInput
    ) -> ApplicationAccountsPayload:
        method = schema_people.chosen_method(input.method)
        ids = [str(i) for i in input.application_ids]
        return _accounts_payload(await resolvers.invite(info, ids, method))

    @strawberry.mutation(
        permission_classes=[CanEditStudents],
        description="Unlink applications from their family accounts (back to INVITE); the "
        "family is told. One outcome each. Audited.",
    )
    async def unlink_applications(
        self, info: Info, input: UnlinkApplicationsInput
    ) -> ApplicationAccountsPayload:
        ids = [str(i) for i in input.application_ids]
        return _accounts_payload(await resolvers.unlink(info, ids))

    @strawberry.mutation(
        permission_classes=[CanEditStudents],
        description="Offer a place at a desired site; the family accepts or declines in the "
        "app. Audited.",
    )
    async def offer_application_place(
        self, info: Info, input: OfferPlaceInput
    ) -> ApplicationActionPayload:
        return _action_payload(await resolvers.offer(info, input.to_offer()))

    @strawberry.mutation(
        permission_classes=[CanEditStudents],
        description="Enroll an accepted application: its children, family and guardians "
        "(with PINs) from the application, connected to the family's account. Audited.",
    )
    async def enroll_application(
        self, info: Info, input: EnrollApplicationInput
    ) -> ApplicationActionPayload:
        return _action_payload(await resolvers.enroll(info, input.to_enrolling()))
