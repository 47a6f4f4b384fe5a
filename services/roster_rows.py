"""Each row of a roster CSV checked by the same rules as the single-record services
(people, family_records, enrollments), into the values the models take. Nothing here
reads the database: the site's classrooms and the agency's programs come in a
:class:`Lookups`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from models.org import Classroom, Program
from models.people import ContactMethod, FamilyAdult, GuardianSlot, Language
from services import enrollments, family_records, people
from services.errors import DomainError, InvalidInput
from services.programs import ProgramsErrorCode
from services.roster_csv import GUARDIAN, RosterErrorCode, RowError, Table

_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})", re.ASCII)
_DAY_NAMES = {"mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7}
_YES = {"yes", "y", "true", "1", "si", "sí"}
_NO = {"no", "n", "false", "0", ""}


@dataclass(frozen=True)
class Row:
    """One valid row, in the values the models take."""

    line: int
    child: dict[str, object]
    guardians: list[tuple[GuardianSlot, dict[str, object]]]
    pickup: dict[str, object] | None
    classroom: Classroom
    program: Program | None
    starts_on: date
    ends_on: date | None
    weekdays: str


@dataclass(frozen=True)
class Lookups:
    """What rows name, found beforehand: the site's classrooms and the agency's programs
    by lower-cased name, and the site's local today (for dates of birth)."""

    today: date
    classrooms: dict[str, Classroom]
    programs: dict[str, Program]


class _RowErrors(Exception):
    def __init__(self, errors: list[tuple[str, DomainError]]) -> None:
        super().__init__("invalid row")
        self.errors = errors


def _snake(camel: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", camel).lower()


def _placed(column_of: Callable[[str], str], error: Exception) -> tuple[str, DomainError]:
    """A service's error (named by its API field) moved to the CSV column it came from."""
    if isinstance(error, DomainError):
        return column_of(error.field or ""), error
    return column_of(getattr(error, "field", None) or ""), DomainError(
        RosterErrorCode.INVALID_VALUE, str(error), "csv"
    )


def _required(record: dict[str, str], columns: Sequence[str]) -> None:
    missing = [c for c in columns if not record[c].strip()]
    if missing:
        raise _RowErrors(
            [
                (c, DomainError(RosterErrorCode.REQUIRED, "Must not be empty.", "csv"))
                for c in missing
            ]
        )


def parse_day(value: str, column: str) -> date:
    """2026-09-01 (ISO) or 9/1/2026 (month/day/year, as US spreadsheets write)."""
    text = value.strip()
    try:
        if match := _US_DATE.fullmatch(text):
            month, day, year = (int(g) for g in match.groups())
            return date(year, month, day)
        if len(text) == 10:
            return date.fromisoformat(text)
    except ValueError:
        pass
    message = "Not a date: write 2026-09-01 (or 9/1/2026)."
    raise _RowErrors([(column, DomainError(RosterErrorCode.INVALID_DATE, message, "csv"))])


def _child(record: dict[str, str], today: date) -> dict[str, object]:
    """A child's fields, checked as createChild checks them."""
    _required(record, ("child_first_name", "child_last_name", "child_date_of_birth"))
    born = parse_day(record["child_date_of_birth"], "child_date_of_birth")
    changes = people.ChildChanges(
        first_name=record["child_first_name"],
        middle_name=record["child_middle_name"],
        last_name=record["child_last_name"],
        date_of_birth=born,
        state_subsidy_id=record["child_state_subsidy_id"],
    )
    try:
        return people.checked_fields(changes, today)
    except (DomainError, InvalidInput) as e:
        raise _RowErrors([_placed(lambda f: f"child_{_snake(f)}", e)]) from None


def _choice(value: str, column: str, options: Mapping[str, object], default: object) -> object:
    key = value.strip().lower()
    if not key:
        return default
    if key not in options:
        allowed = ", ".join(sorted({k for k in options if k}))
        message = f"Not one of: {allowed}."
        raise _RowErrors([(column, DomainError(RosterErrorCode.INVALID_VALUE, message, "csv"))])
    return options[key]


_CONTACT = {"email": ContactMethod.EMAIL, "sms": ContactMethod.SMS, "text": ContactMethod.SMS}
_LANGUAGE = {
    "en": Language.EN,
    "english": Language.EN,
    "es": Language.ES,
    "spanish": Language.ES,
    "español": Language.ES,
    "espanol": Language.ES,
}
_YES_NO: dict[str, object] = {**dict.fromkeys(_YES, True), **dict.fromkeys(_NO, False)}


def _adult(record: dict[str, str], prefix: str, *, pickup: bool | None) -> dict[str, object]:
    """A guardian's or pickup's fields, checked as addGuardian and addContact check them;
    ``pickup`` None reads the authorization from the row."""
    _required(record, (f"{prefix}first_name", f"{prefix}last_name"))
    value = {c: record.get(f"{prefix}{c}", "") for c in GUARDIAN}
    if pickup is None:
        pickup = bool(
            _choice(value["authorized_pickup"], f"{prefix}authorized_pickup", _YES_NO, False)
        )
    preferred = ContactMethod.SMS if value["phone"].strip() and not value["email"].strip() else None
    details = family_records.AdultDetails(
        first_name=value["first_name"],
        last_name=value["last_name"],
        relationship=value["relationship"],
        email=value["email"],
        phone=value["phone"],
        preferred_contact=_choice(  # type: ignore[arg-type]
            value["preferred_contact"],
            f"{prefix}preferred_contact",
            _CONTACT,
            preferred or ContactMethod.EMAIL,
        ),
        language=_choice(value["language"], f"{prefix}language", _LANGUAGE, Language.EN),  # type: ignore[arg-type]
        authorized_pickup=pickup,
    )
    try:
        updates = family_records.cleaned_updates(details)
        family_records.check_pickup(FamilyAdult(**updates))
    except (DomainError, InvalidInput) as e:
        raise _RowErrors([_placed(lambda f: f"{prefix}{_snake(f)}", e)]) from None
    return updates


def _given(record: dict[str, str], prefix: str) -> bool:
    return any(v.strip() for k, v in record.items() if k.startswith(prefix))


def weekdays(value: str) -> list[int]:
    """ISO digits (12345, 1,3,5, 1-5) or English day names (Mon Wed Fri, Mon-Fri);
    empty is Monday to Friday. Anything else is no weekday (0), refused by the rule."""
    text = value.strip().lower()
    if not text:
        return [1, 2, 3, 4, 5]
    days: list[int] = []
    for part in re.split(r"[\s,;/]+", text):
        ends = part.split("-")
        numbers = [_day_number(e) for e in ends]
        if len(numbers) == 2 and 0 not in numbers and numbers[0] <= numbers[1]:
            days += range(numbers[0], numbers[1] + 1)
        elif len(ends) == 1 and part.isdigit() and len(part) > 1:
            days += [_day_number(d) for d in part]
        elif len(numbers) == 1:
            days += numbers
        else:
            days.append(0)
    return days


def _day_number(text: str) -> int:
    if text.isascii() and text.isdigit() and len(text) == 1:
        return int(text)
    return _DAY_NAMES.get(text[:3], 0) if len(text) >= 3 else 0


def _named(value: str, found: Mapping[str, Classroom | Program]) -> Classroom | Program | None:
    return found.get(" ".join(value.split()).lower())


def _unknown(column: str, value: str) -> str:
    return f"No {column} named {value.strip()!r} here."


def _enrollment(record: dict[str, str], lookups: Lookups) -> dict[str, object]:
    """The enrollment's classroom, program, days and weekdays, checked as enrollChild does."""
    _required(record, ("classroom", "start_date"))
    errors: list[tuple[str, DomainError]] = []
    values: dict[str, object] = {}
    for step in (_room, _program, _span, _days):
        try:
            values.update(step(record, lookups))
        except _RowErrors as e:
            errors += e.errors
        except (DomainError, InvalidInput) as e:
            errors.append(_placed(_ENROLLMENT_COLUMN.get, e))  # type: ignore[arg-type]
    if errors:
        raise _RowErrors(errors)
    return values


_ENROLLMENT_COLUMN = {
    "startsOn": "start_date",
    "endsOn": "end_date",
    "weekdays": "weekdays",
    "classroomId": "classroom",
    "programId": "program",
}


def _room(record: dict[str, str], lookups: Lookups) -> dict[str, object]:
    room = _named(record["classroom"], lookups.classrooms)
    if room is None:
        message = _unknown("classroom", record["classroom"])
        raise DomainError(RosterErrorCode.UNKNOWN_CLASSROOM, message, "classroomId")
    return {"classroom": enrollments.open_classroom(room)}  # type: ignore[arg-type]


def _program(record: dict[str, str], lookups: Lookups) -> dict[str, object]:
    if not record["program"].strip():
        return {"program": None}
    program = _named(record["program"], lookups.programs)
    if program is None:
        message = _unknown("program", record["program"])
        raise DomainError(RosterErrorCode.UNKNOWN_PROGRAM, message, "programId")
    if program.archived_at is not None:
        raise DomainError(ProgramsErrorCode.ARCHIVED, "This program is archived.", "programId")
    return {"program": program}


def _span(record: dict[str, str], lookups: Lookups) -> dict[str, object]:
    starts_on = parse_day(record["start_date"], "start_date")
    ends_on = parse_day(record["end_date"], "end_date") if record["end_date"].strip() else None
    enrollments.check_dates(starts_on, ends_on)
    return {"starts_on": starts_on, "ends_on": ends_on}


def _days(record: dict[str, str], lookups: Lookups) -> dict[str, object]:
    return {"weekdays": enrollments.weekday_digits(weekdays(record["weekdays"]))}


def parse_row(line: int, record: dict[str, str], lookups: Lookups) -> Row | list[RowError]:
    """One data line: its values, or every section's first failure (child, each adult,
    the enrollment)."""
    record = {k: v.strip() for k, v in record.items()}
    errors: list[tuple[str, DomainError]] = []
    parts: dict[str, object] = {}

    def section(name: str, read: Callable[[], object]) -> None:
        try:
            parts[name] = read()
        except _RowErrors as e:
            errors.extend(e.errors)

    section("child", lambda: _child(record, lookups.today))
    section("a", lambda: _adult(record, "guardian_a_", pickup=None))
    if _given(record, "guardian_b_"):
        section("b", lambda: _adult(record, "guardian_b_", pickup=None))
    if _given(record, "pickup_"):
        section("pickup", lambda: _adult(record, "pickup_", pickup=True))
    section("enrollment", lambda: _enrollment(record, lookups))
    if errors:
        return [RowError(line, column, error) for column, error in errors]
    guardians = [(GuardianSlot.A, parts["a"])]
    if "b" in parts:
        guardians.append((GuardianSlot.B, parts["b"]))
    return Row(
        line=line,
        child=parts["child"],  # type: ignore[arg-type]
        guardians=guardians,  # type: ignore[arg-type]
        pickup=parts.get("pickup"),  # type: ignore[arg-type]
        **parts["enrollment"],
    )


def child_key(child: dict[str, object]) -> tuple[str, ...]:
    """Who a child is, as the import matches them: the state subsidy ID, else the exact
    first and last name (letter case aside) and date of birth."""
    if child.get("state_subsidy_id"):
        return ("subsidy", str(child["state_subsidy_id"]))
    born = child["date_of_birth"]
    assert isinstance(born, date)
    return name_match(str(child["first_name"]), str(child["last_name"]), born)


def name_match(first_name: str, last_name: str, born: date) -> tuple[str, ...]:
    """How a child without a subsidy ID is recognized: names compared without letter case
    or repeated spaces, and the date of birth."""
    return (
        "name",
        " ".join(first_name.lower().split()),
        " ".join(last_name.lower().split()),
        born.isoformat(),
    )


def parse_rows(
    table: Table, lookups: Lookups, progress: Callable[[int], object] | None = None
) -> tuple[list[Row], list[RowError]]:
    """Every row checked; a child given twice is refused on its second line."""
    rows: list[Row] = []
    errors = list(table.errors)
    first_line: dict[tuple[str, ...], int] = {}
    for line, record in table.records:
        parsed = parse_row(line, record, lookups)
        if progress is not None:
            progress(1)
        if isinstance(parsed, list):
            errors += parsed
            continue
        key = child_key(parsed.child)
        if key in first_line:
            message = f"The same child is on line {first_line[key]}."
            column = "child_state_subsidy_id" if key[0] == "subsidy" else "child_first_name"
            errors.append(
                RowError(line, column, DomainError(RosterErrorCode.DUPLICATE_ROW, message, "csv"))
            )
            continue
        first_line[key] = line
        rows.append(parsed)
    return rows, errors
