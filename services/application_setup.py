"""What an agency asks on its application form and how it orders its waitlist: agency
admins define questions (text, yes/no, choice) and priority flags (a sibling enrolled, a
subsidy); anyone reads the open form of an agency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from tortoise.transactions import in_transaction

from auth.principals import Principal, StaffPrincipal, is_staff
from models.org import Agency, Program, Site
from models.waitlist import ApplicationQuestion, PriorityFlag, QuestionKind
from services import audit
from services.errors import DomainError, NotFound


class ApplicationSetupErrorCode(StrEnum):
    """Rule failures of defining questions and priority flags."""

    INVALID_PROMPT = "INVALID_PROMPT"
    INVALID_CHOICES = "INVALID_CHOICES"
    INVALID_NAME = "INVALID_NAME"
    DUPLICATE_NAME = "DUPLICATE_NAME"
    INVALID_RANK = "INVALID_RANK"


MAX_PROMPT_LENGTH = 300
MAX_CHOICES = 20
MAX_CHOICE_LENGTH = 100
MAX_FLAG_NAME = 100
MAX_RANK = 100
_Code = ApplicationSetupErrorCode


@dataclass(frozen=True)
class QuestionEntry:
    prompt: str
    kind: QuestionKind
    choices: list[str]
    required: bool


@dataclass(frozen=True)
class ApplicationForm:
    """What the public form of an agency offers."""

    agency: Agency
    sites: list[Site]
    programs: list[Program]
    questions: list[ApplicationQuestion]


def _agency_id(principal: Principal) -> UUID | None:
    return principal.agency_id if is_staff(principal) else None


async def questions(principal: Principal) -> list[ApplicationQuestion]:
    """The open questions of the caller's agency, in the order they were asked."""
    return await ApplicationQuestion.filter(
        agency_id=_agency_id(principal), archived_at__isnull=True
    ).order_by("position")


async def priority_flags(principal: Principal) -> list[PriorityFlag]:
    return await PriorityFlag.filter(agency_id=_agency_id(principal)).order_by("rank", "name")


async def application_form(agency_id: UUID) -> ApplicationForm:
    """The public form: open sites, open programs and open questions, for anyone."""
    agency = await Agency.get_or_none(id=agency_id)
    if agency is None:
        raise NotFound("Agency")
    sites = await Site.filter(agency_id=agency_id, archived_at__isnull=True).order_by("name")
    programs = await Program.filter(agency_id=agency_id, archived_at__isnull=True).order_by("name")
    asked = await ApplicationQuestion.filter(
        agency_id=agency_id, archived_at__isnull=True
    ).order_by("position")
    return ApplicationForm(agency, sites, programs, asked)


def _checked_question(entry: QuestionEntry) -> tuple[str, list[str]]:
    """A prompt of 1 to 300 characters; a CHOICE has 2 to 20 distinct choices, others none."""
    prompt = " ".join(entry.prompt.split())
    if not prompt or len(prompt) > MAX_PROMPT_LENGTH:
        raise DomainError(
            _Code.INVALID_PROMPT, f"Use 1 to {MAX_PROMPT_LENGTH} characters.", "prompt"
        )
    choices = list(dict.fromkeys(" ".join(c.split()) for c in entry.choices))
    if entry.kind is not QuestionKind.CHOICE:
        if choices:
            raise DomainError(
                _Code.INVALID_CHOICES, "Only a choice question has choices.", "choices"
            )
        return prompt, []
    if not 2 <= len(choices) <= MAX_CHOICES or any(
        not c or len(c) > MAX_CHOICE_LENGTH for c in choices
    ):
        raise DomainError(
            _Code.INVALID_CHOICES,
            f"Give 2 to {MAX_CHOICES} different choices of 1 to {MAX_CHOICE_LENGTH} characters.",
            "choices",
        )
    return prompt, choices


async def define_question(
    principal: StaffPrincipal, entry: QuestionEntry, *, now: datetime
) -> ApplicationQuestion:
    """Agency admins add a question to their form. Audited."""
    if not principal.is_agency_admin:
        raise NotFound("Agency")
    prompt, choices = _checked_question(entry)
    async with in_transaction():
        await Agency.filter(id=principal.agency_id).select_for_update().first()
        count = await ApplicationQuestion.filter(agency_id=principal.agency_id).count()
        question = await ApplicationQuestion.create(
            agency_id=principal.agency_id,
            position=count + 1,
            prompt=prompt,
            kind=entry.kind,
            choices=choices,
            required=entry.required,
            created_at=now,
        )
        await audit.record(
            principal,
            "application.question.define",
            agency_id=principal.agency_id,
            target_type="application_question",
            target_id=question.id,
            data={"kind": entry.kind.value, "required": entry.required},
        )
    return question


async def define_priority_flag(
    principal: StaffPrincipal, name: str, rank: int, *, now: datetime
) -> PriorityFlag:
    """Agency admins name a priority; a lower rank comes first on the waitlist. Audited."""
    if not principal.is_agency_admin:
        raise NotFound("Agency")
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > MAX_FLAG_NAME:
        raise DomainError(_Code.INVALID_NAME, f"Use 1 to {MAX_FLAG_NAME} characters.", "name")
    if not 1 <= rank <= MAX_RANK:
        raise DomainError(_Code.INVALID_RANK, f"Use a rank from 1 to {MAX_RANK}.", "rank")
    async with in_transaction():
        if await PriorityFlag.filter(agency_id=principal.agency_id, name__iexact=cleaned).exists():
            raise DomainError(_Code.DUPLICATE_NAME, "A priority already has this name.", "name")
        flag = await PriorityFlag.create(
            agency_id=principal.agency_id, name=cleaned, rank=rank, created_at=now
        )
        await audit.record(
            principal,
            "application.priority.define",
            agency_id=principal.agency_id,
            target_type="priority_flag",
            target_id=flag.id,
            data={"name": cleaned, "rank": rank},
        )
    return flag
