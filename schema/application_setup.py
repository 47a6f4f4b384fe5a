"""The agency's application form: the public form anyone reads, and the questions and
priority flags agency admins define."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

import strawberry

from auth.permissions import AllowAnyone, IsAgencyAdmin, IsStaff
from models import waitlist as models
from resolvers import applications as resolvers
from resolvers.context import Info
from schema.errors import UserError, code_enum, payload_errors
from services import application_setup

strawberry.enum(models.QuestionKind, name="QuestionKind")
QuestionKind = models.QuestionKind

if TYPE_CHECKING:
    ApplicationSetupErrorCode = StrEnum
else:
    ApplicationSetupErrorCode = code_enum(
        "ApplicationSetupErrorCode", application_setup.ApplicationSetupErrorCode
    )


@strawberry.type
class ApplicationSetupError(UserError):
    code: ApplicationSetupErrorCode


@strawberry.type(description="A question on the agency's application form.")
class ApplicationQuestion:
    id: strawberry.ID
    prompt: str
    kind: QuestionKind
    choices: list[str]
    required: bool

    @classmethod
    def from_model(cls, q: models.ApplicationQuestion) -> ApplicationQuestion:
        return cls(
            id=strawberry.ID(str(q.id)),
            prompt=q.prompt,
            kind=q.kind,
            choices=list(q.choices),
            required=q.required,
        )


@strawberry.type(description="A reason to rank an application first; a lower rank comes first.")
class PriorityFlag:
    id: strawberry.ID
    name: str
    rank: int

    @classmethod
    def from_model(cls, flag: models.PriorityFlag) -> PriorityFlag:
        return cls(id=strawberry.ID(str(flag.id)), name=flag.name, rank=flag.rank)


@strawberry.type(description="An open site or program on the public form.")
class FormChoice:
    id: strawberry.ID
    name: str


@strawberry.type(description="What an agency's public application form offers.")
class ApplicationForm:
    agency_name: str
    sites: list[FormChoice]
    programs: list[FormChoice]
    questions: list[ApplicationQuestion]

    @classmethod
    def from_domain(cls, form: application_setup.ApplicationForm) -> ApplicationForm:
        return cls(
            agency_name=form.agency.name,
            sites=[FormChoice(id=strawberry.ID(str(s.id)), name=s.name) for s in form.sites],
            programs=[FormChoice(id=strawberry.ID(str(p.id)), name=p.name) for p in form.programs],
            questions=[ApplicationQuestion.from_model(q) for q in form.questions],
        )


@strawberry.input
class DefineApplicationQuestionInput:
    prompt: str
    kind: QuestionKind
    choices: list[str] = strawberry.field(default_factory=list)
    required: bool = False

    def to_entry(self) -> application_setup.QuestionEntry:
        return application_setup.QuestionEntry(self.prompt, self.kind, self.choices, self.required)


@strawberry.input
class DefinePriorityFlagInput:
    name: str
    rank: int = strawberry.field(description="1 to 100; lower comes first.")


@strawberry.type
class DefineApplicationQuestionPayload:
    question: ApplicationQuestion | None
    errors: list[ApplicationSetupError]


@strawberry.type
class DefinePriorityFlagPayload:
    flag: PriorityFlag | None
    errors: list[ApplicationSetupError]


@strawberry.type
class ApplicationSetupQuery:
    @strawberry.field(
        permission_classes=[AllowAnyone],
        description="The agency's public application form: open sites, programs, questions.",
    )
    async def application_form(self, info: Info, agency_id: strawberry.ID) -> ApplicationForm:
        return ApplicationForm.from_domain(await resolvers.application_form(info, str(agency_id)))

    @strawberry.field(permission_classes=[IsStaff])
    async def application_questions(self, info: Info) -> list[ApplicationQuestion]:
        return [ApplicationQuestion.from_model(q) for q in await resolvers.questions(info)]

    @strawberry.field(permission_classes=[IsStaff])
    async def priority_flags(self, info: Info) -> list[PriorityFlag]:
        return [PriorityFlag.from_model(f) for f in await resolvers.priority_flags(info)]


@strawberry.type
class ApplicationSetupMutation:
    @strawberry.mutation(permission_classes=[IsAgencyAdmin], description="Audited.")
    async def define_application_question(
        self, info: Info, input: DefineApplicationQuestionInput
    ) -> DefineApplicationQuestionPayload:
        result = await resolvers.define_question(info, input.to_entry())
        return DefineApplicationQuestionPayload(
            question=ApplicationQuestion.from_model(result.value) if result.value else None,
            errors=payload_errors(result, ApplicationSetupError, ApplicationSetupErrorCode),
        )

    @strawberry.mutation(permission_classes=[IsAgencyAdmin], description="Audited.")
    async def define_priority_flag(
        self, info: Info, input: DefinePriorityFlagInput
    ) -> DefinePriorityFlagPayload:
        result = await resolvers.define_priority_flag(info, input.name, input.rank)
        return DefinePriorityFlagPayload(
            flag=PriorityFlag.from_model(result.value) if result.value else None,
            errors=payload_errors(result, ApplicationSetupError, ApplicationSetupErrorCode),
        )
