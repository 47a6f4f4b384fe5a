"""Reading a roster CSV (children, their families, their enrollments): the text
encoding, the columns and the data lines. services/roster_rows.py checks each row.

README "Agency setup" documents the columns; docs/roster-template.csv is the template.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from enum import StrEnum

from services.errors import DomainError


class RosterErrorCode(StrEnum):
    """Failures of a roster file or of one of its rows."""

    NOT_UTF8 = "NOT_UTF8"
    EMPTY_FILE = "EMPTY_FILE"
    TOO_MANY_ROWS = "TOO_MANY_ROWS"
    MISSING_COLUMN = "MISSING_COLUMN"
    UNKNOWN_COLUMN = "UNKNOWN_COLUMN"
    DUPLICATE_COLUMN = "DUPLICATE_COLUMN"
    WRONG_FIELD_COUNT = "WRONG_FIELD_COUNT"
    REQUIRED = "REQUIRED"
    INVALID_VALUE = "INVALID_VALUE"
    INVALID_DATE = "INVALID_DATE"
    UNKNOWN_CLASSROOM = "UNKNOWN_CLASSROOM"
    UNKNOWN_PROGRAM = "UNKNOWN_PROGRAM"
    DUPLICATE_ROW = "DUPLICATE_ROW"
    SITE_ARCHIVED = "SITE_ARCHIVED"


# Generous for one site: a 2,000-row file stays well under the 1 MiB request body.
MAX_ROWS = 2000

ADULT = ("first_name", "last_name", "relationship", "email", "phone")
GUARDIAN = (*ADULT, "preferred_contact", "language", "authorized_pickup")
CHILD_COLUMNS = (
    "child_first_name",
    "child_middle_name",
    "child_last_name",
    "child_date_of_birth",
    "child_state_subsidy_id",
)
ENROLLMENT_COLUMNS = ("classroom", "program", "start_date", "end_date", "weekdays")
COLUMNS: tuple[str, ...] = (
    *CHILD_COLUMNS,
    *(f"guardian_a_{c}" for c in GUARDIAN),
    *(f"guardian_b_{c}" for c in GUARDIAN),
    *(f"pickup_{c}" for c in ("first_name", "last_name", "relationship", "phone")),
    *ENROLLMENT_COLUMNS,
)


@dataclass(frozen=True)
class RowError:
    """One failure, placed in the file: ``line`` 1 is the header; no line for the file."""

    line: int | None
    column: str | None
    error: DomainError


@dataclass
class Table:
    """The file's data lines (line number, values by column) or what is wrong with it."""

    records: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _file_error(error: DomainError, line: int | None = None) -> RowError:
    return RowError(line, None, error)


def _decoded(data: str | bytes) -> str | RowError:
    """UTF-8 text (a byte order mark, as spreadsheets write, is dropped)."""
    if isinstance(data, bytes):
        raw = data
        try:
            data = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            line = raw.count(b"\n", 0, e.start) + 1
            return _file_error(DomainError(RosterErrorCode.NOT_UTF8, _NOT_UTF8, "csv"), line)
    if "\ufffd" in data:
        # A replacement character: the file was read as UTF-8 but was not.
        line = data.count("\n", 0, data.index("\ufffd")) + 1
        return _file_error(DomainError(RosterErrorCode.NOT_UTF8, _NOT_UTF8, "csv"), line)
    return data.removeprefix("\ufeff")


_NOT_UTF8 = 'The file is not UTF-8 text: save it as "CSV UTF-8" and import it again.'


def _header_errors(header: list[str]) -> list[RowError]:
    names = [h.strip().lower() for h in header]
    errors = [
        RowError(1, n, DomainError(RosterErrorCode.UNKNOWN_COLUMN, f"No column {n!r}.", "csv"))
        for n in names
        if n not in COLUMNS
    ]
    errors += [
        RowError(1, n, DomainError(RosterErrorCode.DUPLICATE_COLUMN, "Given twice.", "csv"))
        for n in sorted({n for n in names if names.count(n) > 1})
    ]
    errors += [
        RowError(1, c, DomainError(RosterErrorCode.MISSING_COLUMN, "Missing column.", "csv"))
        for c in COLUMNS
        if c not in names
    ]
    return errors


def read_table(data: str | bytes) -> Table:
    """The header checked against :data:`COLUMNS` (any order), then the data lines."""
    text = _decoded(data)
    if isinstance(text, RowError):
        return Table(errors=[text])
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header or not any(h.strip() for h in header):
        return Table(
            errors=[
                _file_error(DomainError(RosterErrorCode.EMPTY_FILE, "The file is empty.", "csv"), 1)
            ]
        )
    table = Table(errors=_header_errors(header))
    if table.errors:
        return table
    names = [h.strip().lower() for h in header]
    for values in reader:
        if not any(v.strip() for v in values):
            continue  # blank lines (a spreadsheet's trailing ones) carry nothing
        if len(values) != len(names):
            message = f"{len(values)} values where the header has {len(names)} columns."
            table.errors.append(
                _file_error(
                    DomainError(RosterErrorCode.WRONG_FIELD_COUNT, message, "csv"), reader.line_num
                )
            )
            continue
        table.records.append((reader.line_num, dict(zip(names, values, strict=True))))
        if len(table.records) > MAX_ROWS:
            message = f"At most {MAX_ROWS} rows in one file: split it."
            return Table(
                errors=[_file_error(DomainError(RosterErrorCode.TOO_MANY_ROWS, message, "csv"))]
            )
    if not table.records and not table.errors:
        table.errors.append(
            _file_error(DomainError(RosterErrorCode.EMPTY_FILE, "No rows under the header.", "csv"))
        )
    return table
