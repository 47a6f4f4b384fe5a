"""Date and DateTime inputs within a calendar range every service can compute with.

strawberry's own scalars accept year 1 to 9999 with any offset: converting such a time to
UTC, or a day to its start in a site's zone, overflows Python's calendar and would surface
as an internal error. Nothing Playroll records (attendance, absences, births, links) falls
outside 1900-2999, so values outside those years are refused as bad input.
"""

from __future__ import annotations

import datetime as dt

from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.types.scalar import ScalarDefinition, scalar

FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2999, 12, 31)
_RANGE = f"between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}"


def _refuse(kind: str, value: object, why: str) -> StrawberryInputCoercionError:
    return StrawberryInputCoercionError(f'Value cannot represent a {kind}: "{value}". {why}')


def parse_date(value: object) -> dt.date:
    if not isinstance(value, str):
        raise _refuse("Date", value, "Expected a string.")
    try:
        day = dt.date.fromisoformat(value)
    except ValueError as e:
        raise _refuse("Date", value, str(e)) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise _refuse("Date", value, f"Dates must be {_RANGE}.")
    return day


def parse_datetime(value: object) -> dt.datetime:
    if not isinstance(value, str):
        raise _refuse("DateTime", value, "Expected a string.")
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError as e:
        raise _refuse("DateTime", value, str(e)) from None
    # The UTC day is checked, offsets included, so conversions cannot overflow; a time
    # without an offset is judged by its own day (resolvers then ask for the offset).
    try:
        day = (moment.astimezone(dt.UTC) if moment.tzinfo else moment).date()
    except OverflowError:
        day = dt.date.min
    if not FIRST_DAY <= day <= LAST_DAY:
        raise _refuse("DateTime", value, f"Times must be {_RANGE} (UTC).")
    return moment


Date = scalar(
    name="Date",
    description=f"Date (isoformat), {_RANGE}.",
    serialize=dt.date.isoformat,
    parse_value=parse_date,
)

DateTime = scalar(
    name="DateTime",
    description=f"Date with time (isoformat, with a UTC offset), {_RANGE}.",
    serialize=dt.datetime.isoformat,
    parse_value=parse_datetime,
)

SCALAR_MAP: dict[object, ScalarDefinition] = {dt.date: Date, dt.datetime: DateTime}
