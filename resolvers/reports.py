"""Reports: attendance reports and blank sign-in sheets, each a short-lived download link."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime

from auth.principals import is_parent
from resolvers.context import Info
from resolvers.outcome import Outcome, outcome
from services import reports
from services.reports import AttendanceReportRequest, IssuedDownload, SheetRequest


@dataclass(frozen=True)
class Link:
    url: str
    filename: str
    content_type: str
    expires_at: datetime


async def _link(info: Info, call: Awaitable[IssuedDownload]) -> Outcome[Link]:
    """Links are built from the configured base URL, never from the request's Host."""
    result = await outcome(call)
    issued = result.value
    if issued is None:
        return Outcome(errors=result.errors)
    base = info.context.settings.base_url.rstrip("/")
    url = f"{base}/reports/{issued.token}"
    return Outcome(Link(url, issued.filename, issued.content_type, issued.expires_at))


async def attendance_report(info: Info, request: AttendanceReportRequest) -> Outcome[Link]:
    ctx = info.context
    principal = ctx.principal if is_parent(ctx.principal) else ctx.staff
    return await _link(
        info,
        reports.attendance_report(principal, request, secret=ctx.settings.secret, now=ctx.now()),
    )


async def sign_in_sheet(info: Info, request: SheetRequest) -> Outcome[Link]:
    ctx = info.context
    return await _link(
        info,
        reports.sign_in_sheet(ctx.staff, request, secret=ctx.settings.secret, now=ctx.now()),
    )
