"""Reports: what a caller may print, built off the event loop, fetched by a short-lived link.

Staff with Attendance view read reports of their sites (a site, a classroom, a child);
parents read their own children's attendance and nothing else; kiosks none (the schema
refuses them). The facts are read with a few queries, the file is drawn in a worker
thread so other requests go on meanwhile, and it is kept for ``LINK_LIFETIME`` behind a
random token of which only a keyed hash is stored.
"""

from __future__ import annotations

import asyncio
import calendar
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from uuid import UUID, uuid4

from auth.keys import Keyring, Purpose
from auth.principals import ParentPrincipal, StaffPrincipal, is_parent, is_staff
from models.org import Site
from models.people import Enrollment, FamilyAdult, Language
from models.reports import ReportDownload
from services import audit, org, people, report_csv, report_data, report_pdf, report_sheet
from services.errors import DomainError, NotFound
from services.report_data import Scope
from services.report_document import Paper

MAX_DAYS = 31
LINK_LIFETIME = timedelta(minutes=10)
_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")


class ReportsErrorCode(StrEnum):
    """Rule failures of asking for a report."""

    RANGE_REVERSED = "RANGE_REVERSED"
    RANGE_TOO_LONG = "RANGE_TOO_LONG"
    WHOLE_MONTH_ONLY = "WHOLE_MONTH_ONLY"
    SCOPE_REQUIRED = "SCOPE_REQUIRED"


class ReportFormat(StrEnum):
    PDF = "PDF"
    CSV = "CSV"


@dataclass(frozen=True)
class AttendanceReportRequest:
    """Exactly one of site, classroom or child; dates are site-local and inclusive."""

    site_id: UUID | None
    classroom_id: UUID | None
    child_id: UUID | None
    start: date
    end: date
    format: ReportFormat
    paper: Paper
    # None: a parent's own language (their guardian record's), English for staff.
    language: Language | None


@dataclass(frozen=True)
class SheetRequest:
    classroom_id: UUID
    week_of: date
    paper: Paper
    language: Language


@dataclass(frozen=True)
class IssuedDownload:
    """The link's token, given once; the stored row has only its hash."""

    token: str
    filename: str
    content_type: str
    expires_at: datetime


def _check_range(start: date, end: date) -> None:
    """From no later than to, and at most a month (31 days) long."""
    if end < start:
        raise DomainError(ReportsErrorCode.RANGE_REVERSED, "The start comes after the end.", "to")
    if (end - start).days + 1 > MAX_DAYS:
        raise DomainError(
            ReportsErrorCode.RANGE_TOO_LONG, f"A report covers at most {MAX_DAYS} days.", "to"
        )


def _check_whole_month(start: date, end: date) -> None:
    """A family reads monthly attendance: from the first to the last day of one month."""
    last_day = calendar.monthrange(start.year, start.month)[1]
    if start.day != 1 or end != start.replace(day=last_day):
        raise DomainError(
            ReportsErrorCode.WHOLE_MONTH_ONLY,
            "Families download whole months: from the first to the last day of one month.",
            "from",
        )


async def _child_scope(principal: StaffPrincipal | ParentPrincipal, child_id: UUID) -> Scope:
    """A child's records at the caller's sites (a parent: every site of the child's agency),
    named after the site of the child's latest enrollment there."""
    child = await people.get_child(principal, child_id)
    if not is_staff(principal):
        site_ids = [
            str(i)
            for i in await Site.filter(agency_id=child.agency_id).values_list("id", flat=True)
        ]
    else:
        site_ids = [str(i) for i in principal.site_ids]
    enrollment = (
        await Enrollment.filter(child_id=child.id, classroom__site_id__in=site_ids)
        .order_by("-starts_on")
        .select_related("classroom__site")
        .first()
    )
    site = enrollment.classroom.site if enrollment else None
    if site is None and child.site_id is not None and str(child.site_id) in site_ids:
        site = await Site.get(id=child.site_id)
    if site is None:
        raise NotFound("Child")
    name = f"{child.first_name} {child.last_name}"
    return Scope(site=site, name=name, child_id=str(child.id), site_ids=tuple(site_ids))


async def _scope(
    principal: StaffPrincipal | ParentPrincipal, request: AttendanceReportRequest
) -> Scope:
    """The one thing reported on, readable by the caller; a foreign one is not found."""
    chosen = [i for i in (request.site_id, request.classroom_id, request.child_id) if i]
    if len(chosen) != 1:
        raise DomainError(
            ReportsErrorCode.SCOPE_REQUIRED, "Choose one site, classroom or child.", "siteId"
        )
    if request.child_id is not None:
        return await _child_scope(principal, request.child_id)
    if is_parent(principal):
        # A family reads its own children's attendance, nothing wider.
        raise NotFound("Site" if request.site_id else "Classroom")
    if request.classroom_id is not None:
        room = await org.get_classroom(principal, request.classroom_id)
        return Scope(site=room.site, name=room.name, classroom_id=str(room.id))
    assert request.site_id is not None
    site = await org.get_site(principal, request.site_id)
    return Scope(site=site, name=site.name)


async def _issue(
    principal: StaffPrincipal | ParentPrincipal,
    agency_id: UUID | str,
    body: bytes,
    filename: str,
    content_type: str,
    *,
    secret: Keyring,
    now: datetime,
) -> IssuedDownload:
    """Keep the file behind a fresh token; files whose links expired are dropped."""
    token = secrets.token_urlsafe(32)
    expires_at = now + LINK_LIFETIME
    await ReportDownload.filter(expires_at__lte=now).delete()
    await ReportDownload.create(
        id=uuid4(),
        agency_id=agency_id,
        requested_by=principal.principal_id,
        token_hash=secret.digest(Purpose.CODE_HASH, f"report-download:{token}".encode()),
        filename=filename,
        content_type=content_type,
        body=body,
        created_at=now,
        expires_at=expires_at,
    )
    return IssuedDownload(token, filename, content_type, expires_at)


async def _language(
    principal: StaffPrincipal | ParentPrincipal, chosen: Language | None
) -> Language:
    """The language asked for; else a parent's own (as their messages use), else English."""
    if chosen is not None:
        return chosen
    if not is_parent(principal):
        return Language.EN
    adult = await FamilyAdult.filter(id__in=list(principal.adult_ids)).order_by("id").first()
    return adult.language if adult is not None else Language.EN


async def attendance_report(
    principal: StaffPrincipal | ParentPrincipal,
    request: AttendanceReportRequest,
    *,
    secret: Keyring,
    now: datetime,
) -> IssuedDownload:
    """Build the attendance report of one site, classroom or child over at most 31 days."""
    _check_range(request.start, request.end)
    if is_parent(principal):
        _check_whole_month(request.start, request.end)
    scope = await _scope(principal, request)
    data = await report_data.build(scope, request.start, request.end)
    stem = f"attendance-{request.start.isoformat()}-{request.end.isoformat()}"
    if request.format is ReportFormat.CSV:
        body = await asyncio.to_thread(report_csv.render, data)
        filename, content_type = f"{stem}.csv", "text/csv; charset=utf-8"
    else:
        language = await _language(principal, request.language)
        body = await asyncio.to_thread(report_pdf.render, data, language, request.paper)
        filename, content_type = f"{stem}.pdf", "application/pdf"
    await audit.record(
        principal,
        "report.attendance",
        agency_id=scope.site.agency_id,
        target_type="child" if scope.child_id else "classroom" if scope.classroom_id else "site",
        target_id=scope.child_id or scope.classroom_id or scope.site.id,
        data={
            "from": request.start.isoformat(),
            "to": request.end.isoformat(),
            "format": request.format.value,
        },
    )
    return await _issue(
        principal, scope.site.agency_id, body, filename, content_type, secret=secret, now=now
    )


async def sign_in_sheet(
    principal: StaffPrincipal, request: SheetRequest, *, secret: Keyring, now: datetime
) -> IssuedDownload:
    """A blank sheet for one classroom and week: each child enrolled in it that week."""
    room = await org.get_classroom(principal, request.classroom_id)
    whole = report_sheet.week_of(request.week_of)
    enrolled = await people.active_enrollments(whole[0]).filter(classroom_id=room.id)
    later = await Enrollment.filter(
        classroom_id=room.id, starts_on__gt=whole[0], starts_on__lte=whole[-1]
    )
    enrollments = [*enrolled, *later]
    # Saturday or Sunday only when a child of the classroom is scheduled then.
    week = [
        day
        for day in whole
        if report_sheet.is_workday(day) or any(people.is_scheduled(e, day) for e in enrollments)
    ]
    child_ids = {str(e.child_id) for e in enrollments}
    children = await people.readable_children(principal).filter(id__in=list(child_ids))
    names = sorted((report_data.child_name(c) for c in children), key=str.casefold)
    body = await asyncio.to_thread(
        report_sheet.render, room.site.name, room.name, names, week, request.language, request.paper
    )
    filename = f"sign-in-sheet-{week[0].isoformat()}.pdf"
    return await _issue(
        principal, room.site.agency_id, body, filename, "application/pdf", secret=secret, now=now
    )


async def download(secret: Keyring, token: str, now: datetime) -> ReportDownload | None:
    """The file behind a link still valid; None for anything else, alike."""
    if not _TOKEN_RE.fullmatch(token):
        return None
    hashes = secret.digests(Purpose.CODE_HASH, f"report-download:{token}".encode())
    return await ReportDownload.get_or_none(token_hash__in=hashes, expires_at__gt=now)
