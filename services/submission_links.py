"""The family's side of a submission: the link opens it, a code proves who opens it
(where the agency asks), and a drawn signature completes it.

No login: whoever holds the link's token is taken for the guardian it was sent to, so a
wrong, used or expired link all get one answer, asking for a code never says whether
the link or the contact exists, and the token and codes appear in no audit row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from uuid import UUID

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from auth.keys import Keyring, Purpose
from auth.principals import Principal
from models.attendance import AttendanceEvent, AttendanceSession
from models.org import Agency, Site
from models.people import Child, ContactMethod, Enrollment, FamilyAdult
from models.signatures import (
    AttendanceSubmission,
    SignatureMethod,
    SubmissionRequest,
    VerificationCode,
)
from services import audit, notifications, people, signature_svg, signatures
from services import submission_codes as codes
from services.errors import DomainError
from services.parent_views import FamilyDay
from services.rosters import derive_child_day
from services.submissions import enrollments_in, token_hashes


class SubmissionLinkErrorCode(StrEnum):
    """Rule failures of a guardian signing through a submission link."""

    INVALID_LINK = "INVALID_LINK"
    VERIFICATION_REQUIRED = "VERIFICATION_REQUIRED"
    INVALID_CODE = "INVALID_CODE"
    CERTIFICATION_REQUIRED = "CERTIFICATION_REQUIRED"


# A proof of identity ages: the link may sit in an inbox that someone else opens later.
VERIFIED_FOR = timedelta(hours=1)

# One error for a wrong, used and expired link, so none tells more than the others.
INVALID_LINK = DomainError(
    SubmissionLinkErrorCode.INVALID_LINK,
    "This link is not valid any more. Ask the staff for a new one.",
    "token",
)
VERIFICATION_REQUIRED = DomainError(
    SubmissionLinkErrorCode.VERIFICATION_REQUIRED,
    "Confirm who you are with the code we send you first.",
    "token",
)
INVALID_CODE = DomainError(
    SubmissionLinkErrorCode.INVALID_CODE,
    "The code is not right or has expired. Ask for a new one.",
    "code",
)
CERTIFICATION_REQUIRED = DomainError(
    SubmissionLinkErrorCode.CERTIFICATION_REQUIRED,
    "Tick the box to certify that the attendance is accurate.",
    "certified",
)


@dataclass(frozen=True)
class ReviewChild:
    child: Child
    days: list[FamilyDay]


@dataclass(frozen=True)
class Review:
    site_name: str
    timezone: str
    agency_name: str
    period_from: date
    period_to: date
    guardian_first_name: str
    children: list[ReviewChild]


@dataclass(frozen=True)
class _Opened:
    request: SubmissionRequest
    submission: AttendanceSubmission
    agency: Agency
    adult: FamilyAdult


async def _open(secret: Keyring, token: str, now: datetime, *, lock: bool = False) -> _Opened:
    """The live request behind a link (not used, not expired), or INVALID_LINK."""
    hashed = token_hashes(secret, token)
    if not hashed:
        raise INVALID_LINK
    # Every key's hash: a link sent before a key rotation still opens.
    query = SubmissionRequest.filter(
        token_hash__in=hashed, completed_at__isnull=True, expires_at__gt=now
    )
    request = await (query.select_for_update() if lock else query).first()
    if request is None:
        raise INVALID_LINK
    # Fetched apart: PostgreSQL cannot lock rows through select_related's outer joins.
    submission = await AttendanceSubmission.get(id=request.submission_id)
    agency = await Agency.get(id=submission.agency_id)
    adult = await FamilyAdult.get(id=request.adult_id)
    if adult.guardian_slot is None or str(adult.family_id) != str(request.family_id):
        # No longer this family's guardian: the link speaks for no one.
        raise INVALID_LINK
    return _Opened(request, submission, agency, adult)


def _verified(opened: _Opened, now: datetime) -> bool:
    if not opened.agency.submission_requires_verification:
        return True
    at = opened.request.verified_at
    return at is not None and at > now - VERIFIED_FOR


def _on_behalf(opened: _Opened) -> tuple[str, UUID | str]:
    return ("GUARDIAN", opened.adult.id)


async def request_code(
    principal: Principal,
    token: str,
    channel: ContactMethod,
    *,
    secret: Keyring,
    now: datetime,
    hourly_cap: int = notifications.DEFAULT_DESTINATION_HOURLY_CAP,
) -> None:
    """Send a code to the guardian by ``channel``. Says nothing either way: the caller
    answers the same whether or not the link, the address or the phone exists."""
    try:
        async with in_transaction():
            try:
                # Locked, so two requests at once cannot both pass the send limit.
                opened = await _open(secret, token, now, lock=True)
            except DomainError:
                return
            if not opened.agency.submission_requires_verification:
                return
            destination = codes.destination(opened.adult, channel)
            if not destination or not await codes.under_send_limit(destination, now):
                return
            sent, code = await codes.issue(
                opened.request.id, channel, destination, secret=secret, now=now
            )
            await notifications.enqueue(
                secret,
                agency_id=opened.agency.id,
                recipient=notifications.Recipient(channel, destination, opened.adult.language),
                template="verification_code",
                dedupe_key=f"submission_code:{sent.id}",
                secret_params={"code": code},
                now=now,
                hourly_cap=hourly_cap,
            )
            await audit.record(
                principal,
                "submission.code_sent",
                agency_id=opened.agency.id,
                target_type="submission_request",
                target_id=opened.request.id,
                on_behalf_of=_on_behalf(opened),
                data={"channel": channel.value, "code_id": sent.id},
            )
    except notifications.TooManyMessages:
        return


async def verify_code(
    principal: Principal, token: str, code: str, *, now: datetime, secret: Keyring
) -> None:
    """Mark the link verified with the latest code sent for it.

    Only the newest code counts; a wrong, expired, used or exhausted one is the same
    INVALID_CODE, and each failure uses up one of that code's tries.
    """
    verified = False
    async with in_transaction():
        opened = await _open(secret, token, now, lock=True)
        latest = (
            await VerificationCode.filter(request_id=opened.request.id)
            .order_by("-created_at", "-id")
            .first()
        )
        typed = code.strip()
        if (
            latest is not None
            and latest.used_at is None
            and latest.expires_at > now
            and latest.attempts < codes.CODE_MAX_TRIES
            and codes.CODE_RE.fullmatch(typed)
            and secret.matches(
                Purpose.CODE_HASH, codes.code_message(opened.request.id, typed), latest.code_hash
            )
        ):
            # Conditional, so one code cannot verify twice however the calls race.
            verified = (
                await VerificationCode.filter(id=latest.id, used_at__isnull=True).update(
                    used_at=now
                )
                == 1
            )
        if verified:
            await SubmissionRequest.filter(id=opened.request.id).update(verified_at=now)
        elif latest is not None:
            await VerificationCode.filter(id=latest.id).update(attempts=F("attempts") + 1)
        await audit.record(
            principal,
            "submission.verified" if verified else "submission.code_failed",
            agency_id=opened.agency.id,
            target_type="submission_request",
            target_id=opened.request.id,
            on_behalf_of=_on_behalf(opened),
            data={"code_id": latest.id if latest else None},
        )
    # Raised after the commit, so the failed try stays counted.
    if not verified:
        raise INVALID_CODE


async def _family_children(opened: _Opened) -> tuple[list[Child], list[Enrollment]]:
    """The family's children enrolled at the submission's site during its period."""
    sub = opened.submission
    enrollments = (
        await enrollments_in(sub.site_id, sub.period_from, sub.period_to)
        .filter(child__family_id=opened.request.family_id, child__agency_id=sub.agency_id)
        .select_related("child")
    )
    children = {str(e.child_id): e.child for e in enrollments}
    ordered = sorted(children.values(), key=lambda c: (c.first_name.lower(), c.last_name.lower()))
    return ordered, enrollments


async def review(principal: Principal, token: str, *, secret: Keyring, now: datetime) -> Review:
    """What the guardian is asked to sign: each child's days at the site in the period."""
    opened = await _open(secret, token, now)
    if not _verified(opened, now):
        raise VERIFICATION_REQUIRED
    sub = opened.submission
    children, enrollments = await _family_children(opened)
    span = {
        "child_id__in": [c.id for c in children],
        "local_date__gte": sub.period_from,
        "local_date__lte": sub.period_to,
    }
    sessions: dict[tuple[str, date], list[AttendanceSession]] = defaultdict(list)
    events: dict[tuple[str, date], list[AttendanceEvent]] = defaultdict(list)
    for s in await AttendanceSession.filter(**span, classroom__site_id=sub.site_id):
        sessions[(str(s.child_id), s.local_date)].append(s)
    for e in await AttendanceEvent.filter(**span, site_id=sub.site_id):
        events[(str(e.child_id), e.local_date)].append(e)
    site = await Site.get(id=sub.site_id)
    result: list[ReviewChild] = []
    for child in children:
        own = [e for e in enrollments if str(e.child_id) == str(child.id)]
        days: list[FamilyDay] = []
        on = sub.period_from
        while on <= sub.period_to:
            covering = [
                e for e in own if e.starts_on <= on and (e.ends_on is None or e.ends_on >= on)
            ]
            key = (str(child.id), on)
            recorded = bool(sessions[key] or events[key])
            if recorded or any(people.is_scheduled(e, on) for e in covering):
                days.append(
                    FamilyDay(on, derive_child_day(sessions[key], events[key]), site.timezone)
                )
            on += timedelta(days=1)
        result.append(ReviewChild(child, days))
    async with in_transaction():
        await audit.record(
            principal,
            "submission.viewed",
            agency_id=opened.agency.id,
            target_type="submission_request",
            target_id=opened.request.id,
            on_behalf_of=_on_behalf(opened),
        )
    return Review(
        site_name=site.name,
        timezone=site.timezone,
        agency_name=opened.agency.name,
        period_from=sub.period_from,
        period_to=sub.period_to,
        guardian_first_name=opened.adult.first_name,
        children=result,
    )


async def _spend(opened: _Opened, now: datetime) -> None:
    """A link signs once: a conditional update, so a second submit finds it INVALID_LINK."""
    spent = await SubmissionRequest.filter(
        id=opened.request.id, completed_at__isnull=True, expires_at__gt=now
    ).update(completed_at=now)
    if spent != 1:
        raise INVALID_LINK


async def _events_to_sign(opened: _Opened) -> list[AttendanceEvent]:
    """A signature covers every event of the family's children at the site in the period."""
    sub = opened.submission
    children, _ = await _family_children(opened)
    return await AttendanceEvent.filter(
        child_id__in=[c.id for c in children],
        site_id=sub.site_id,
        local_date__gte=sub.period_from,
        local_date__lte=sub.period_to,
    )


async def sign(
    principal: Principal,
    token: str,
    strokes: Sequence[Sequence[Sequence[object]]],
    certified: bool,
    *,
    secret: Keyring,
    now: datetime,
) -> SubmissionRequest:
    """The guardian's drawn signature over every event of their children in the period.

    All or nothing: the link is spent by a conditional update in the same transaction,
    so a second submit (even a concurrent one) changes nothing.
    """
    if not certified:
        raise CERTIFICATION_REQUIRED
    drawn = signature_svg.clean_strokes(strokes)
    svg = signature_svg.render_svg(drawn)
    async with in_transaction():
        opened = await _open(secret, token, now, lock=True)
        if not _verified(opened, now):
            raise VERIFICATION_REQUIRED
        await _spend(opened, now)
        sub = opened.submission
        events = await _events_to_sign(opened)
        signature = await signatures.sign(
            opened.adult,
            events,
            agency_id=sub.agency_id,
            method=SignatureMethod.DRAWN,
            device=f"submission:{opened.request.id}",
            now=now,
            strokes=[[[x, y] for x, y in stroke] for stroke in drawn],
            svg=svg,
            certified=True,
        )
        await SubmissionRequest.filter(id=opened.request.id).update(signature_id=signature.id)
        await audit.record(
            principal,
            "submission.signed",
            agency_id=sub.agency_id,
            target_type="submission_request",
            target_id=opened.request.id,
            on_behalf_of=_on_behalf(opened),
            data={
                "submission_id": str(sub.id),
                "signature_id": str(signature.id),
                "events": len(events),
                "content_hash": signature.content_hash,
            },
        )
    return await SubmissionRequest.get(id=opened.request.id)
