"""Attendance submission: staff send a finished period to every family to review and sign.

Each family gets one link by its guardian's preferred contact. The link is the
credential (no login), so its token is random, sent only sealed in the outbox, kept only
as a keyed HMAC, valid 14 days and spent by the signature. What the family does with it
is in ``services.submission_links``. Audit rows never carry the token.
"""

from __future__ import annotations

import re
import secrets
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from uuid import UUID

from tortoise.expressions import Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from auth.keys import Keyring, Purpose
from auth.principals import Principal, StaffPrincipal, is_staff
from models.org import Agency, Site
from models.people import Enrollment, Family, FamilyAdult, GuardianSlot
from models.signatures import AttendanceSubmission, SubmissionRequest
from services import audit, messages, notifications, org
from services.errors import DomainError


class SubmissionErrorCode(StrEnum):
    """Rule failures of submitting attendance for signature."""

    INVALID_PERIOD = "INVALID_PERIOD"
    PERIOD_NOT_OVER = "PERIOD_NOT_OVER"
    PERIOD_TOO_LONG = "PERIOD_TOO_LONG"
    NO_FAMILIES = "NO_FAMILIES"


LINK_LIFETIME = timedelta(days=14)
LINK_PATH = "/submit"
MAX_PERIOD_DAYS = 31
MAX_LISTED = 50

_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{16,64}", re.ASCII)


class FamilyOutcome(StrEnum):
    QUEUED = "QUEUED"
    NO_GUARDIAN_CONTACT = "NO_GUARDIAN_CONTACT"
    TOO_MANY_MESSAGES = "TOO_MANY_MESSAGES"


class RequestStatus(StrEnum):
    PENDING = "PENDING"
    VERIFIED = "VERIFIED"
    SIGNED = "SIGNED"
    EXPIRED = "EXPIRED"


@dataclass(frozen=True)
class RequestView:
    request: SubmissionRequest
    family_name: str
    guardian_name: str
    status: RequestStatus


@dataclass(frozen=True)
class SubmissionView:
    submission: AttendanceSubmission
    requests: list[RequestView]


@dataclass(frozen=True)
class FamilyResult:
    family: Family
    outcome: FamilyOutcome
    guardian: FamilyAdult | None


@dataclass(frozen=True)
class SubmitResult:
    submission: SubmissionView
    results: list[FamilyResult]


# --- secrets ------------------------------------------------------------------------------


def token_hashes(secret: Keyring, token: str) -> list[str]:
    """The forms a link token may be stored under, current key first; none for text no
    link ever carried."""
    token = token.strip()
    if not _TOKEN_RE.fullmatch(token):
        return []
    return secret.digests(Purpose.CODE_HASH, f"submission-link:{token}".encode())


# --- staff: submitting and following up ---------------------------------------------------


def readable_submissions(principal: Principal) -> QuerySet[AttendanceSubmission]:
    """Staff see the submissions of the sites they work at."""
    if is_staff(principal):
        return AttendanceSubmission.filter(
            agency_id=principal.agency_id, site_id__in=list(principal.site_ids)
        )
    return AttendanceSubmission.filter(id__in=[])


def enrollments_in(site_id: UUID | str, start: date, end: date) -> QuerySet[Enrollment]:
    """Enrollments at the site that overlap the period."""
    return Enrollment.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=start),
        classroom__site_id=site_id,
        starts_on__lte=end,
    )


def _check_period(site: Site, start: date, end: date, now: datetime) -> None:
    """A period is submitted once it is over, and at most a month at a time."""
    if end < start:
        raise DomainError(
            SubmissionErrorCode.INVALID_PERIOD, "The period ends before it starts.", "to"
        )
    if end >= org.local_date(site, now):
        raise DomainError(
            SubmissionErrorCode.PERIOD_NOT_OVER,
            "Submit a period that is over: its last day is before today.",
            "to",
        )
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise DomainError(
            SubmissionErrorCode.PERIOD_TOO_LONG, f"At most {MAX_PERIOD_DAYS} days at once.", "from"
        )


async def _family_ids(site: Site, start: date, end: date) -> Collection[object]:
    """Families with a child enrolled at the site in the period; none is NO_FAMILIES."""
    family_ids = set(
        await enrollments_in(site.id, start, end)
        .filter(child__agency_id=site.agency_id)
        .values_list("child__family_id", flat=True)
    )
    if not family_ids:
        raise DomainError(
            SubmissionErrorCode.NO_FAMILIES, "No child was enrolled at this site then.", "siteId"
        )
    return family_ids


async def _guardians_by_slot(family_ids: Collection[object]) -> dict[str, dict[str, FamilyAdult]]:
    """Each family's guardians by slot (A, B): the adults a link may be sent to."""
    guardians: dict[str, dict[str, FamilyAdult]] = defaultdict(dict)
    for adult in await FamilyAdult.filter(
        family_id__in=list(family_ids), guardian_slot__isnull=False
    ):
        guardians[str(adult.family_id)][str(adult.guardian_slot)] = adult
    return guardians


async def submit(
    principal: StaffPrincipal,
    site_id: UUID,
    start: date,
    end: date,
    *,
    secret: Keyring,
    base_url: str,
    now: datetime,
    hourly_cap: int = notifications.DEFAULT_DESTINATION_HOURLY_CAP,
) -> SubmitResult:
    """Ask every family with a child enrolled at the site in the period to sign it."""
    site = await org.get_site(principal, site_id)
    _check_period(site, start, end, now)
    family_ids = await _family_ids(site, start, end)
    agency = await Agency.get(id=site.agency_id)
    families = await Family.filter(id__in=list(family_ids)).order_by("name")
    guardians = await _guardians_by_slot(family_ids)
    async with in_transaction():
        submission = await AttendanceSubmission.create(
            agency_id=agency.id,
            site_id=site.id,
            period_from=start,
            period_to=end,
            submitted_by_id=principal.user_id,
        )
        results: list[FamilyResult] = []
        for family in families:
            results.append(
                await _ask_family(
                    submission,
                    agency,
                    family,
                    guardians[str(family.id)],
                    secret=secret,
                    base_url=base_url,
                    now=now,
                    hourly_cap=hourly_cap,
                )
            )
        await audit.record(
            principal,
            "submission.submit",
            agency_id=agency.id,
            target_type="attendance_submission",
            target_id=submission.id,
            data={
                "site_id": str(site.id),
                "from": start.isoformat(),
                "to": end.isoformat(),
                "families": {str(r.family.id): r.outcome.value for r in results},
            },
        )
    return SubmitResult((await _views([submission], now))[0], results)


def _addressee(
    by_slot: dict[str, FamilyAdult],
) -> tuple[FamilyAdult, notifications.Recipient] | None:
    for slot in (GuardianSlot.A, GuardianSlot.B):
        adult = by_slot.get(slot.value)
        recipient = notifications.recipient_for(adult) if adult is not None else None
        if adult is not None and recipient is not None:
            return adult, recipient
    return None


async def _ask_family(
    submission: AttendanceSubmission,
    agency: Agency,
    family: Family,
    by_slot: dict[str, FamilyAdult],
    *,
    secret: Keyring,
    base_url: str,
    now: datetime,
    hourly_cap: int,
) -> FamilyResult:
    """One family's link, to guardian A when reachable, else guardian B."""
    addressee = _addressee(by_slot)
    if addressee is None:
        return FamilyResult(family, FamilyOutcome.NO_GUARDIAN_CONTACT, None)
    adult, recipient = addressee
    token = secrets.token_urlsafe(16)  # 128 random bits
    hashed = token_hashes(secret, token)[0]  # a fresh token always has the link's form
    try:
        # A savepoint: a family over the message cap gets no link, the others still do.
        async with in_transaction():
            request = await SubmissionRequest.create(
                submission=submission,
                family=family,
                adult=adult,
                token_hash=hashed,
                expires_at=now + LINK_LIFETIME,
            )
            await notifications.enqueue(
                secret,
                agency_id=agency.id,
                recipient=recipient,
                template="attendance_submission",
                dedupe_key=f"attendance_submission:{request.id}",
                params={
                    "guardian_first_name": adult.first_name,
                    "agency_name": agency.name,
                    "period_from": submission.period_from,
                    "period_to": submission.period_to,
                },
                # The link is the credential: sealed, like a code, never in clear params.
                secret_params={
                    "link": messages.link(
                        base_url, LINK_PATH, token=token, lang=recipient.language.value
                    )
                },
                now=now,
                hourly_cap=hourly_cap,
            )
    except notifications.TooManyMessages:
        return FamilyResult(family, FamilyOutcome.TOO_MANY_MESSAGES, adult)
    return FamilyResult(family, FamilyOutcome.QUEUED, adult)


def _status(request: SubmissionRequest, now: datetime) -> RequestStatus:
    if request.completed_at is not None:
        return RequestStatus.SIGNED
    if request.expires_at <= now:
        return RequestStatus.EXPIRED
    if request.verified_at is not None:
        return RequestStatus.VERIFIED
    return RequestStatus.PENDING


async def _views(found: Sequence[AttendanceSubmission], now: datetime) -> list[SubmissionView]:
    """Each submission with its families' requests: one query for all of them."""
    by_submission: dict[str, list[RequestView]] = defaultdict(list)
    requests = (
        await SubmissionRequest.filter(submission_id__in=[s.id for s in found])
        .select_related("family", "adult")
        .order_by("family__name", "created_at")
    )
    for r in requests:
        view = RequestView(r, r.family.name, r.adult.display_name, _status(r, now))
        by_submission[str(r.submission_id)].append(view)
    return [SubmissionView(s, by_submission[str(s.id)]) for s in found]


async def submissions(
    principal: StaffPrincipal, site_id: UUID, *, now: datetime
) -> list[SubmissionView]:
    """A site's latest submissions, newest first, with who has signed."""
    site = await org.get_site(principal, site_id)
    found = (
        await readable_submissions(principal)
        .filter(site_id=site.id)
        .order_by("-created_at")
        .limit(MAX_LISTED)
    )
    return await _views(found, now)
