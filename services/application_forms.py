"""Checking an application form: every field, every error at once, nothing written.

The same checks serve the public form and staff entering an application for a family.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from uuid import UUID

from models.org import Program, Site
from models.people import ContactMethod, Language
from models.waitlist import ApplicationQuestion, QuestionKind
from services import contact_points
from services.errors import DomainError, DomainErrors, NotFound
from services.ids import parse_id


class ApplicationFormErrorCode(StrEnum):
    """Rule failures of an application form."""

    INVALID_COUNT = "INVALID_COUNT"
    INVALID_NAME = "INVALID_NAME"
    INVALID_BIRTH_DATE = "INVALID_BIRTH_DATE"
    INVALID_EMAIL = "INVALID_EMAIL"
    INVALID_PHONE = "INVALID_PHONE"
    NO_CONTACT = "NO_CONTACT"
    UNKNOWN_SITE = "UNKNOWN_SITE"
    UNKNOWN_PROGRAM = "UNKNOWN_PROGRAM"
    INVALID_START_DATE = "INVALID_START_DATE"
    UNKNOWN_QUESTION = "UNKNOWN_QUESTION"
    INVALID_ANSWER = "INVALID_ANSWER"
    ANSWER_REQUIRED = "ANSWER_REQUIRED"


MAX_CHILDREN = 8
MAX_GUARDIANS = 2
MAX_SITES = 5
MAX_NAME_LENGTH = 100
MAX_TEXT_ANSWER = 1000
MAX_CHILD_AGE_YEARS = 18
YES_NO = ("YES", "NO")
_Code = ApplicationFormErrorCode
_CONTACT_WORDS = {"email": "email address", "phone": "phone number"}


@dataclass(frozen=True)
class ChildEntry:
    first_name: str
    last_name: str
    birth_date: date


@dataclass(frozen=True)
class GuardianEntry:
    first_name: str
    last_name: str
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class AnswerEntry:
    question_id: str
    # Text as typed, YES or NO, or one of the question's choices.
    value: str


@dataclass(frozen=True)
class ApplicationEntry:
    children: list[ChildEntry]
    guardians: list[GuardianEntry]
    language: Language
    contact_method: ContactMethod
    site_ids: list[str]
    desired_start: date
    program_id: str | None = None
    answers: list[AnswerEntry] = field(default_factory=list)


@dataclass
class CheckedForm:
    """The form in the spelling it is stored in."""

    children: list[dict[str, str]]
    guardians: list[dict[str, str]]
    sites: list[Site]
    program: Program | None
    answers: dict[str, str]


def _name(value: str, where: str, errors: list[DomainError]) -> str:
    cleaned = " ".join(value.split())
    if not cleaned or len(cleaned) > MAX_NAME_LENGTH:
        errors.append(
            DomainError(_Code.INVALID_NAME, f"Use 1 to {MAX_NAME_LENGTH} characters.", where)
        )
    return cleaned


def _children(
    entry: ApplicationEntry, today: date, errors: list[DomainError]
) -> list[dict[str, str]]:
    """One to eight children, each named, born in the last 18 years and not in the future."""
    if not 1 <= len(entry.children) <= MAX_CHILDREN:
        errors.append(
            DomainError(_Code.INVALID_COUNT, f"List 1 to {MAX_CHILDREN} children.", "children")
        )
    rows = []
    oldest = date(today.year - MAX_CHILD_AGE_YEARS, 1, 1)
    for i, child in enumerate(entry.children[:MAX_CHILDREN]):
        first = _name(child.first_name, f"children.{i}.firstName", errors)
        last = _name(child.last_name, f"children.{i}.lastName", errors)
        if not oldest <= child.birth_date <= today:
            errors.append(
                DomainError(
                    _Code.INVALID_BIRTH_DATE,
                    "Use a date of birth in the past 18 years.",
                    f"children.{i}.birthDate",
                )
            )
        rows.append(
            {"first_name": first, "last_name": last, "birth_date": child.birth_date.isoformat()}
        )
    return rows


def contact_of(guardian: GuardianEntry, i: int, errors: list[DomainError]) -> dict[str, str]:
    """Email and phone in the spelling logins use; a blank one is no contact."""
    found = {}
    if guardian.email and guardian.email.strip():
        email = contact_points.normalize_email(guardian.email)
        if email is None:
            errors.append(
                DomainError(_Code.INVALID_EMAIL, "Check the email address.", f"guardians.{i}.email")
            )
        found["email"] = email or ""
    if guardian.phone and guardian.phone.strip():
        phone = contact_points.normalize_phone(guardian.phone)
        if phone is None:
            errors.append(
                DomainError(_Code.INVALID_PHONE, "Check the phone number.", f"guardians.{i}.phone")
            )
        found["phone"] = phone or ""
    return found


def _guardians(entry: ApplicationEntry, errors: list[DomainError]) -> list[dict[str, str]]:
    """One or two guardians; the first can be reached by the preferred contact method."""
    if not 1 <= len(entry.guardians) <= MAX_GUARDIANS:
        errors.append(
            DomainError(_Code.INVALID_COUNT, f"List 1 to {MAX_GUARDIANS} guardians.", "guardians")
        )
    rows = []
    for i, guardian in enumerate(entry.guardians[:MAX_GUARDIANS]):
        row = {
            "first_name": _name(guardian.first_name, f"guardians.{i}.firstName", errors),
            "last_name": _name(guardian.last_name, f"guardians.{i}.lastName", errors),
        }
        rows.append(row | contact_of(guardian, i, errors))
    wanted = "email" if entry.contact_method is ContactMethod.EMAIL else "phone"
    if rows and wanted not in rows[0]:
        errors.append(
            DomainError(
                _Code.NO_CONTACT,
                f"Give the first guardian's {_CONTACT_WORDS[wanted]}.",
                f"guardians.0.{wanted}",
            )
        )
    return rows


def _ids(values: list[str], what: str) -> list[UUID] | None:
    try:
        return [parse_id(v, what) for v in values]
    except NotFound:
        return None


async def _sites(agency_id: UUID, entry: ApplicationEntry, errors: list[DomainError]) -> list[Site]:
    """One to five open sites of the agency the application is made to."""
    ids = _ids(list(dict.fromkeys(entry.site_ids)), "Site")
    found = []
    if ids is not None and 1 <= len(ids) <= MAX_SITES:
        found = await Site.filter(agency_id=agency_id, id__in=ids, archived_at__isnull=True)
    if ids is None or not found or len(found) != len(ids):
        errors.append(
            DomainError(_Code.UNKNOWN_SITE, f"Choose 1 to {MAX_SITES} of the sites.", "siteIds")
        )
    return sorted(found, key=lambda s: str(s.id))


async def _program(
    agency_id: UUID, entry: ApplicationEntry, errors: list[DomainError]
) -> Program | None:
    if entry.program_id is None:
        return None
    ids = _ids([entry.program_id], "Program")
    program = None
    if ids is not None:
        program = await Program.filter(
            agency_id=agency_id, id=ids[0], archived_at__isnull=True
        ).first()
    if program is None:
        errors.append(
            DomainError(_Code.UNKNOWN_PROGRAM, "Choose one of the programs.", "programId")
        )
    return program


def _answer(question: ApplicationQuestion, value: str) -> str | None:
    """The answer as stored, or None when it does not fit the question."""
    cleaned = value.strip()
    if question.kind is QuestionKind.YES_NO:
        return cleaned.upper() if cleaned.upper() in YES_NO else None
    if question.kind is QuestionKind.CHOICE:
        return cleaned if cleaned in question.choices else None
    return cleaned if len(cleaned) <= MAX_TEXT_ANSWER else None


async def _answers(
    agency_id: UUID, entry: ApplicationEntry, errors: list[DomainError]
) -> dict[str, str]:
    """Answers to the agency's open questions only; every required one answered."""
    questions = {
        str(q.id): q
        for q in await ApplicationQuestion.filter(agency_id=agency_id, archived_at__isnull=True)
    }
    answers: dict[str, str] = {}
    for i, given in enumerate(entry.answers):
        question = questions.get(given.question_id)
        if question is None:
            errors.append(
                DomainError(_Code.UNKNOWN_QUESTION, "No such question.", f"answers.{i}.questionId")
            )
            continue
        value = _answer(question, given.value)
        if value is None:
            errors.append(
                DomainError(_Code.INVALID_ANSWER, "Check this answer.", f"answers.{i}.value")
            )
        elif value:
            answers[given.question_id] = value
    for qid, question in questions.items():
        if question.required and qid not in answers:
            errors.append(DomainError(_Code.ANSWER_REQUIRED, question.prompt, f"answers.{qid}"))
    return answers


async def check(agency_id: UUID, entry: ApplicationEntry, today: date) -> CheckedForm:
    """The whole form checked; every failure raised together."""
    errors: list[DomainError] = []
    form = CheckedForm(
        children=_children(entry, today, errors),
        guardians=_guardians(entry, errors),
        sites=await _sites(agency_id, entry, errors),
        program=await _program(agency_id, entry, errors),
        answers=await _answers(agency_id, entry, errors),
    )
    if entry.desired_start < today:
        errors.append(
            DomainError(
                _Code.INVALID_START_DATE, "Choose a start date from today on.", "desiredStart"
            )
        )
    if errors:
        raise DomainErrors(errors)
    return form
