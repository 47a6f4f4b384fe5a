"""The blank sign-in/out sheet: for the day the tablet is down.

One classroom, one week (Monday to Friday, and Saturday or Sunday when a child of the
classroom is scheduled then), each child enrolled that week with a row per day and empty
cells for time in, signature, time out, signature. Staff later enter the paper times,
which wait for a parent's confirmation like any staff entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from models.people import Language
from services.report_document import Column, Paper, ReportDocument
from services.report_texts import Texts

ROW = 9.0


def week_of(day: date) -> list[date]:
    """Monday to Sunday of the week holding ``day``."""
    monday = day - timedelta(days=day.weekday())
    return [monday + timedelta(days=i) for i in range(7)]


def is_workday(day: date) -> bool:
    return day.isoweekday() <= 5


def render(
    site_name: str,
    classroom_name: str,
    children: Sequence[str],
    week: Sequence[date],
    language: Language,
    paper: Paper,
) -> bytes:
    t = Texts(language)
    lines = [
        f"{t('site')}: {site_name} · {t('classroom')}: {classroom_name}",
        f"{t('week_of', day=week[0].isoformat())} · {t('sheet_note')}",
    ]
    doc = ReportDocument(paper, t("sheet_title"), lines, t("page", page="{page}", pages="{pages}"))
    width = doc.usable_width()
    fixed = [Column(t("child"), 60), Column(t("date"), 30), Column(t("time_in"), 25)]
    signature = (width - sum(c.width for c in fixed) - 25) / 2
    doc.columns = [
        *fixed,
        Column(t("signature"), signature),
        Column(t("time_out"), 25),
        Column(t("signature"), signature),
    ]
    doc.add_page()
    for name in children:
        # A child's week stays on one page.
        if doc.will_page_break(ROW * len(week)):
            doc.add_page()
        for index, day in enumerate(week):
            doc.row([name if index == 0 else "", t.day(day), "", "", "", ""], ROW)
    return doc.pdf_bytes()
