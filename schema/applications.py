"""Waitlist applications: the public form, staff lists, status and priorities, and the
questions and priority flags agency admins define."""

from __future__ import annotations

import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import strawberry

from auth.permissions import AllowAnyone, CanEditStudents, CanViewStudents
from models import people as people_models
from models import waitlist as models
from resolvers import applications as resolvers
from resolvers.context import Info
from resolvers.outcome import Outcome, object_id
from schema.errors import UserError, code_enum, payload_errors
from schema.family import OnlineAccount
from schema.people import ContactMethod, Language
from services import application_forms, applications
from services.applications import ApplicationRow

strawberry.enum(models.ApplicationStatus, name="ApplicationStatus")
ApplicationStatus = models.ApplicationStatus
strawberry.enum(applications.OfferAnswer, name="OfferAnswer")
OfferAnswer = applications.OfferAnswer

if TYPE_CHECKING:
    ApplicationErrorCode = StrEnum
else:
    ApplicationErrorCode = code_enum(
        "ApplicationErrorCode",
        application_forms.ApplicationFormErrorCode,
        applications.ApplicationsErrorCode,
    )


@strawberry.type
class ApplicationError(UserError):
    code: ApplicationErrorCode


# --- types ------------------------------------------------------------------------------


@strawberry.type
class ApplicationChild:
    first_name: str
    last_name: str
    birth_date: datetime.date

    @classmethod
    def listed(cls, children: list[dict[str, str]]) -> list[ApplicationChild]:
        """The children as the application stores them (ISO dates)."""
        return [
            cls(
                first_name=c["first_name"],
                last_name=c["last_name"],
                birth_date=datetime.date.fromisoformat(c["birth_date"]),
            )
            for c in children
        ]


@strawberry.type
class ApplicationGuardian:
    first_name: str
    last_name: str
    email: str | None
    phone: str | None

    @classmethod
    def listed(cls, guardians: list[dict[str, str]]) -> list[ApplicationGuardian]:
        """The guardians as the application stores them."""
        return [
            cls(
                first_name=g["first_name"],
                last_name=g["last_name"],
                email=g.get("email"),
                phone=g.get("phone"),
            )
            for g in guardians
        ]


@strawberry.type
class ApplicationAnswer:
    question_id: strawberry.ID
    value: str


@strawberry.type(description="A desired site and the place on its waitlist for the program.")
class DesiredSite:
    site_id: strawberry.ID
    position: int | None = strawberry.field(
        description="1 first; null once the application no longer waits."
    )


@strawberry.type(description="The latest place offered to an application, as staff see it.")
class OfferedPlace:
    site_id: strawberry.ID
    site_name: str
    starts_on: datetime.date
    offered_at: datetime.datetime
    offered_by: str | None = strawberry.field(
        description="The staff member's name; null once their account is gone."
    )
    answer: OfferAnswer | None = strawberry.field(description="Null until the family answers.")
    answered_at: datetime.datetime | None

    @classmethod
    def from_domain(cls, offer: models.ApplicationOffer) -> OfferedPlace:
        by = offer.offered_by
        answer = None
        if offer.accepted is not None:
            answer = OfferAnswer.ACCEPTED if offer.accepted else OfferAnswer.DECLINED
        return cls(
            site_id=strawberry.ID(str(offer.site.id)),
            site_name=offer.site.name,
            starts_on=offer.starts_on,
            offered_at=offer.offered_at,
            offered_by=f"{by.first_name} {by.last_name}" if by else None,
            answer=answer,
            answered_at=offer.answered_at,
        )


@strawberry.type(description="A family's application for places, as staff see it.")
class Application:
    id: strawberry.ID
    number: str = strawberry.field(description="Human-readable, per agency: A-00042.")
    status: ApplicationStatus
    family_name: str
    children: list[ApplicationChild]
    guardians: list[ApplicationGuardian]
    language: Language
    contact_method: ContactMethod
    desired_start: datetime.date
    program_id: strawberry.ID | None
    sites: list[DesiredSite] = strawberry.field(description="Only the sites you work at.")
    answers: list[ApplicationAnswer]
    priority_flag_ids: list[strawberry.ID]
    submitted_at: datetime.datetime
    online_account: OnlineAccount = strawberry.field(
        description="INVITE (not invited), REINVITE (invited, not linked) or REGISTERED "
        "with the linked login (unlink it with unlinkApplications)."
    )
    offer: OfferedPlace | None = strawberry.field(
        description="The latest place offered (offerApplicationPlace) and the family's answer."
    )

    @classmethod
    def from_domain(cls, row: ApplicationRow) -> Application:
        a = row.application
        return cls(
            id=strawberry.ID(str(a.id)),
            number=a.display_number,
            status=a.status,
            family_name=a.family_name,
            children=ApplicationChild.listed(a.children),
            guardians=ApplicationGuardian.listed(a.guardians),
            language=Language(a.language.value),
            contact_method=ContactMethod(a.contact_method.value),
            desired_start=a.desired_start,
            program_id=strawberry.ID(str(a.program_id)) if a.program_id else None,  # type: ignore[attr-defined]
            sites=[
                DesiredSite(site_id=strawberry.ID(str(s)), position=row.positions.get(s))
                for s in row.site_ids
            ],
            answers=[
                ApplicationAnswer(question_id=strawberry.ID(q), value=v)
                for q, v in a.answers.items()
            ],
            priority_flag_ids=[strawberry.ID(f) for f in a.priority_flag_ids],
            submitted_at=a.submitted_at,
            online_account=OnlineAccount.from_domain(row.account),
            offer=OfferedPlace.from_domain(row.offer) if row.offer else None,
        )


# --- inputs -----------------------------------------------------------------------------


@strawberry.input
class ApplicationChildInput:
    first_name: str
    last_name: str
    birth_date: datetime.date


@strawberry.input
class ApplicationGuardianInput:
    first_name: str
    last_name: str
    email: str | None = None
    phone: str | None = None


@strawberry.input
class ApplicationAnswerInput:
    question_id: strawberry.ID
    value: str = strawberry.field(description="Text, YES or NO, or one of the choices.")


@strawberry.input
class ApplicationInput:
    children: list[ApplicationChildInput] = strawberry.field(description="1 to 8.")
    guardians: list[ApplicationGuardianInput] = strawberry.field(
        description="1 or 2; the first is reached by the preferred contact method."
    )
    language: Language
    contact_method: ContactMethod
    site_ids: list[strawberry.ID] = strawberry.field(description="1 to 5 desired sites.")
    desired_start: datetime.date
    program_id: strawberry.ID | None = None
    answers: list[ApplicationAnswerInput] = strawberry.field(default_factory=list)

    def to_entry(self) -> application_forms.ApplicationEntry:
        return application_forms.ApplicationEntry(
            children=[
                application_forms.ChildEntry(c.first_name, c.last_name, c.birth_date)
                for c in self.children
            ],
            guardians=[
                application_forms.GuardianEntry(g.first_name, g.last_name, g.email, g.phone)
                for g in self.guardians
            ],
            language=people_models.Language(self.language.value),
            contact_method=people_models.ContactMethod(self.contact_method.value),
            site_ids=[str(s) for s in self.site_ids],
            desired_start=self.desired_start,
            program_id=str(self.program_id) if self.program_id is not None else None,
            answers=[
                application_forms.AnswerEntry(str(a.question_id), a.value) for a in self.answers
            ],
        )


@strawberry.input
class ChangeApplicationInput:
    application_id: strawberry.ID
    status: ApplicationStatus | None = None
    priority_flag_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Replaces the application's priorities."
    )

    def to_change(self) -> applications.ApplicationChange:
        flags = self.priority_flag_ids
        return applications.ApplicationChange(
            status=self.status, priority_flag_ids=None if flags is None else [str(f) for f in flags]
        )


# --- payloads ---------------------------------------------------------------------------


@strawberry.type(description="The same answer whoever the family is.")
class SubmitApplicationPayload:
    number: str | None = strawberry.field(description="The new application's number.")
    errors: list[ApplicationError]


@strawberry.type
class ApplicationPayload:
    application: Application | None
    errors: list[ApplicationError]


def _application_payload(result: Outcome[ApplicationRow]) -> ApplicationPayload:
    return ApplicationPayload(
        application=Application.from_domain(result.value) if result.value else None,
        errors=payload_errors(result, ApplicationError, ApplicationErrorCode),
    )


# --- fields -----------------------------------------------------------------------------


@strawberry.type
class ApplicationQuery:
    @strawberry.field(
        permission_classes=[CanViewStudents],
        description="Applications for your sites, newest first (at most 200).",
    )
    async def applications(
        self,
        info: Info,
        search: Annotated[
            str | None, strawberry.argument(description="Number or family name.")
        ] = None,
        site_id: strawberry.ID | None = None,
        program_id: strawberry.ID | None = None,
        status: ApplicationStatus | None = None,
    ) -> list[Application]:
        given = applications.ApplicationFilter(
            search=search or None,
            site_id=object_id(str(site_id), "Site") if site_id else None,
            program_id=object_id(str(program_id), "Program") if program_id else None,
            status=status,
        )
        return [Application.from_domain(r) for r in await resolvers.search(info, given)]

    @strawberry.field(permission_classes=[CanViewStudents])
    async def application(self, info: Info, id: strawberry.ID) -> Application:
        return Application.from_domain(await resolvers.application(info, str(id)))


@strawberry.type
class ApplicationMutation:
    @strawberry.mutation(
        permission_classes=[AllowAnyone],
        description="The public form: no account needed; limited per address. Audited.",
    )
    async def submit_application(
        self, info: Info, agency_id: strawberry.ID, input: ApplicationInput
    ) -> SubmitApplicationPayload:
        result = await resolvers.submit_application(info, str(agency_id), input.to_entry())
        return SubmitApplicationPayload(
            number=result.value.display_number if result.value else None,
            errors=payload_errors(result, ApplicationError, ApplicationErrorCode),
        )

    @strawberry.mutation(
        permission_classes=[CanEditStudents],
        description="Enter an application for a family, for your sites. Audited.",
    )
    async def enter_application(self, info: Info, input: ApplicationInput) -> ApplicationPayload:
        return _application_payload(await resolvers.enter_application(info, input.to_entry()))

    @strawberry.mutation(
        permission_classes=[CanEditStudents],
        description="Change status and priorities. Audited with before and after.",
    )
    async def change_application(
        self, info: Info, input: ChangeApplicationInput
    ) -> ApplicationPayload:
        result = await resolvers.change_application(
            info, str(input.application_id), input.to_change()
        )
        return _application_payload(result)
