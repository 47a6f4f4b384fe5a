"""Importing children, families and enrollments from a CSV file (README, Agency setup)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

import strawberry

from auth.permissions import IsAgencyAdmin
from resolvers import roster_import as roster_resolvers
from resolvers.context import Info
from resolvers.outcome import Outcome
from schema.errors import UnmappedErrorCode, UserError, code_enum
from services import enrollments, family_records, people, roster_csv
from services.errors import DomainError
from services.programs import ProgramsErrorCode
from services.roster_import import RosterReport
from services.roster_plan import RosterCounts

if TYPE_CHECKING:
    RosterImportErrorCode = StrEnum
else:
    RosterImportErrorCode = code_enum(
        "RosterImportErrorCode",
        roster_csv.RosterErrorCode,
        people.PeopleErrorCode,
        family_records.FamilyRecordErrorCode.INVALID_EMAIL,
        family_records.FamilyRecordErrorCode.INVALID_PHONE,
        family_records.FamilyRecordErrorCode.PICKUP_NEEDS_PHONE,
        family_records.FamilyRecordErrorCode.PIN_SPACE_EXHAUSTED,
        enrollments.EnrollmentErrorCode.END_BEFORE_START,
        enrollments.EnrollmentErrorCode.OVERLAPPING_ENROLLMENT,
        enrollments.EnrollmentErrorCode.INVALID_WEEKDAYS,
        enrollments.EnrollmentErrorCode.CLASSROOM_ARCHIVED,
        ProgramsErrorCode.ARCHIVED,
    )


@strawberry.input
class ImportRosterInput:
    site_id: strawberry.ID
    csv: str = strawberry.field(
        description="The file's text, UTF-8 (a byte order mark is fine); columns in README."
    )
    dry_run: bool = strawberry.field(
        default=False, description="Check every row and count what would be created; write nothing."
    )


@strawberry.type(description="A failure of the file (no line) or of one of its rows.")
class RosterImportError(UserError):
    code: RosterImportErrorCode
    line: int | None = strawberry.field(description="The file's line; the header is line 1.")
    column: str | None = strawberry.field(description="The CSV column at fault, if any.")


@strawberry.type(description="Records created, and existing records the rows matched.")
class RosterImportCounts:
    children_created: int
    children_matched: int
    families_created: int
    families_matched: int
    adults_created: int
    adults_matched: int
    enrollments_created: int
    enrollments_matched: int

    @classmethod
    def from_counts(cls, counts: RosterCounts) -> RosterImportCounts:
        return cls(**vars(counts))


@strawberry.type
class ImportRosterPayload:
    dry_run: bool
    rows: int = strawberry.field(description="Data rows read (blank lines aside).")
    written: bool = strawberry.field(description="True once everything was created.")
    counts: RosterImportCounts | None = strawberry.field(
        description="What was (or, in a dry run, would be) created and matched; null on errors."
    )
    errors: list[RosterImportError] = strawberry.field(
        description="Every failure found; when any, nothing was written."
    )

    @classmethod
    def from_outcome(cls, result: Outcome[RosterReport]) -> ImportRosterPayload:
        report = result.value
        failures: list[tuple[int | None, str | None, DomainError]]
        failures = [(None, None, e) for e in result.errors]
        if report is not None:
            failures += [(e.line, e.column, e.error) for e in report.errors]
        errors = []
        for line, column, error in failures:
            try:
                code = RosterImportErrorCode(error.code.value)
            except ValueError:
                raise UnmappedErrorCode(
                    f"{error.code.value} is not a RosterImportErrorCode"
                ) from None
            errors.append(
                RosterImportError(
                    field=error.field if line is None else "csv",
                    message=error.message,
                    code=code,
                    line=line,
                    column=column,
                )
            )
        return cls(
            dry_run=report.dry_run if report else False,
            rows=report.rows if report else 0,
            written=bool(report and report.written),
            counts=RosterImportCounts.from_counts(report.counts)
            if report and report.counts
            else None,
            errors=errors,
        )


@strawberry.type
class RosterImportMutation:
    @strawberry.mutation(
        permission_classes=[IsAgencyAdmin],
        description="Import children, their families and enrollments at a site of your "
        "agency from a CSV file: every row is checked first and nothing is written unless "
        "all are valid; importing the same file again creates nothing twice.",
    )
    async def import_roster(self, info: Info, input: ImportRosterInput) -> ImportRosterPayload:
        result = await roster_resolvers.import_roster(
            info, str(input.site_id), input.csv, input.dry_run
        )
        return ImportRosterPayload.from_outcome(result)
