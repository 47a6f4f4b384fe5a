"""The attendance report as CSV: UTF-8, one row per child-day, columns named in README.

Column names are fixed snake_case words (spreadsheets and scripts key on them, whatever
the report's language); times are the site's local ``HH:MM``, hours have two decimals.
"""

from __future__ import annotations

import csv
import io

from models.activities import MealType
from services.report_data import ChildDay, ReportData, Signer, Visit
from services.report_texts import hours

COLUMNS = [
    "date",
    "classroom",
    "child",
    "status",
    "absence_reason",
    "visits",
    "first_in",
    "last_out",
    "hours",
    "signed_in_by",
    "signed_in_by_kind",
    "signed_in_signature",
    "signed_out_by",
    "signed_out_by_kind",
    "signed_out_signature",
    "automatic_check_out",
    *(f"meal_{meal.value.lower()}" for meal in MealType),
    "activities",
]


def _signer(signer: Signer | None) -> list[str]:
    if signer is None:
        return ["", "", ""]
    return [signer.name, signer.kind.value, signer.mark.value]


def _status(day: ChildDay) -> str:
    if day.visits:
        return "PRESENT"
    return "ABSENT" if day.absent else "NOT_SIGNED_IN"


def row(day: ChildDay) -> list[str]:
    first: Visit | None = day.visits[0] if day.visits else None
    last: Visit | None = day.visits[-1] if day.visits else None
    return [
        day.day.isoformat(),
        day.classroom_name,
        day.child_name,
        _status(day),
        day.absence_reason or "" if day.absent else "",
        str(len(day.visits)),
        first.signed_in_at.strftime("%H:%M") if first else "",
        last.signed_out_at.strftime("%H:%M") if last and last.signed_out_at else "",
        hours(day.minutes) if day.visits else "",
        *_signer(first.in_signer if first else None),
        *_signer(last.out_signer if last else None),
        "yes" if any(v.automatic_out for v in day.visits) else "",
        *(str(day.meals[meal]) for meal in MealType),
        "; ".join(f"{name} x{count}" for name, count in sorted(day.activities.items())),
    ]


def render(data: ReportData) -> bytes:
    """Rows by classroom, child, then date (the order of the PDF)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for day in data.days:
        writer.writerow(row(day))
    return out.getvalue().encode("utf-8")
