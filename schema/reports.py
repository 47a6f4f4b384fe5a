"""Reports: attendance reports (PDF or CSV) and blank sign-in sheets, as download links."""

from __future__ import annotations

import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import strawberry

from auth.permissions import CanReadReports, CanViewAttendance
from models import people as people_models
from resolvers import reports as report_resolvers
from resolvers.context import Info
from resolvers.outcome import Outcome, object_id
from schema.errors import UserError, code_enum, payload_errors
from schema.people import Language
from services import report_document, reports

strawberry.enum(reports.ReportFormat, name="ReportFormat")
strawberry.enum(report_document.Paper, name="Paper", description="A4 or US Letter.")
ReportFormat = reports.ReportFormat
Paper = report_document.Paper

if TYPE_CHECKING:
    ReportErrorCode = StrEnum
else:
    ReportErrorCode = code_enum("ReportErrorCode", reports.ReportsErrorCode)


@strawberry.type
class ReportError(UserError):
    code: ReportErrorCode


@strawberry.type(description="A built report, fetched with a plain GET while the link lives.")
class ReportDownload:
    url: str = strawberry.field(description="Works once or many times until `expiresAt`.")
    filename: str
    content_type: str
    expires_at: datetime.datetime


@strawberry.input
class AttendanceReportInput:
    site_id: strawberry.ID | None = strawberry.field(default=None, description="One of three.")
    classroom_id: strawberry.ID | None = None
    child_id: strawberry.ID | None = strawberry.field(
        default=None, description="The only scope open to parents."
    )
    from_: datetime.date = strawberry.field(name="from", description="Site-local, inclusive.")
    to: datetime.date = strawberry.field(description="Inclusive; at most 31 days after `from`.")
    format: ReportFormat = ReportFormat.PDF
    paper: Paper = Paper.LETTER
    language: Language | None = strawberry.field(
        default=None, description="Default: a parent's own language; English for staff."
    )

    def to_request(self) -> reports.AttendanceReportRequest:
        return reports.AttendanceReportRequest(
            site_id=object_id(str(self.site_id), "Site") if self.site_id else None,
            classroom_id=(
                object_id(str(self.classroom_id), "Classroom") if self.classroom_id else None
            ),
            child_id=object_id(str(self.child_id), "Child") if self.child_id else None,
            start=self.from_,
            end=self.to,
            format=self.format,
            paper=self.paper,
            language=people_models.Language(self.language.value) if self.language else None,
        )


@strawberry.input
class SignInSheetInput:
    classroom_id: strawberry.ID
    week_of: datetime.date = strawberry.field(description="Any day of the week.")
    paper: Paper = Paper.LETTER
    language: Language = Language.EN

    def to_request(self) -> reports.SheetRequest:
        return reports.SheetRequest(
            classroom_id=object_id(str(self.classroom_id), "Classroom"),
            week_of=self.week_of,
            paper=self.paper,
            language=people_models.Language(self.language.value),
        )


@strawberry.type
class ReportPayload:
    download: ReportDownload | None
    errors: list[ReportError]


def _payload(result: Outcome[report_resolvers.Link]) -> ReportPayload:
    link = result.value
    download = None
    if link is not None:
        download = ReportDownload(
            url=link.url,
            filename=link.filename,
            content_type=link.content_type,
            expires_at=link.expires_at,
        )
    return ReportPayload(
        download=download, errors=payload_errors(result, ReportError, ReportErrorCode)
    )


@strawberry.type
class ReportMutation:
    @strawberry.mutation(
        permission_classes=[CanReadReports],
        description=(
            "An attendance report of a site, classroom or child over at most 31 days, with "
            "signatures, absences, meals, activities and totals. Staff: their sites; parents: "
            "their own children. Audited."
        ),
    )
    async def attendance_report(self, info: Info, input: AttendanceReportInput) -> ReportPayload:
        result = await report_resolvers.attendance_report(info, input.to_request())
        return _payload(result)

    @strawberry.mutation(
        permission_classes=[CanViewAttendance],
        description="A blank sign-in/out sheet for one classroom and week, for paper days.",
    )
    async def sign_in_sheet(self, info: Info, input: SignInSheetInput) -> ReportPayload:
        result = await report_resolvers.sign_in_sheet(info, input.to_request())
        return _payload(result)
