"""The attendance report as PDF: per classroom, per child, a row per visit or absence,
then totals, meal counts per day and meal type, and activity counts.

A parent's drawn signature is redrawn from its stored pen strokes into the signer's
cell (never from the SVG text), so the paper shows exactly what the parent drew.
"""

from __future__ import annotations

from models.activities import MealType
from models.people import Language
from services.report_data import (
    ChildDay,
    ChildReport,
    ReportData,
    RoomReport,
    SignatureMark,
    Signer,
    Strokes,
    Visit,
    totals,
)
from services.report_document import LINE, Column, Paper, ReportDocument
from services.report_texts import Texts, hours

ROW = 7.0
# Room at the right of a signer's cell for the drawn signature.
SIGNATURE_BOX = (16.0, ROW - 1.5)


def _columns(t: Texts, width: float) -> list[Column]:
    fixed = [
        Column(t("date"), 27),
        Column(t("in"), 14, "C"),
        Column(t("out"), 14, "C"),
        Column(t("hours"), 13, "R"),
        Column(t("signed_in_by"), 62),
        Column(t("signed_out_by"), 62),
        Column(t("meals"), 30),
    ]
    rest = width - sum(c.width for c in fixed)
    return [*fixed, Column(t("activities"), rest)]


def _signer_text(t: Texts, signer: Signer | None, automatic: bool = False) -> str:
    if signer is None:
        return ""
    if automatic:
        # The system's snapshot name is English: the report's own words say it.
        return t("automatic").capitalize()
    text = signer.name
    if signer.mark is SignatureMark.STALE:
        text += f" ({t('stale')})"
    elif signer.mark is SignatureMark.RESET:
        text += f" ({t('reset')})"
    return text


def _meals(t: Texts, day: ChildDay) -> str:
    return ", ".join(t.meal(m) for m in MealType for _ in range(day.meals[m]))


def _activities(day: ChildDay) -> str:
    return ", ".join(
        name if count == 1 else f"{name} x{count}" for name, count in sorted(day.activities.items())
    )


def _draw_strokes(doc: ReportDocument, strokes: Strokes, x: float, y: float) -> None:
    """Scale the pen strokes into a small box at (x, y), keeping their proportions."""
    xs = [p[0] for s in strokes for p in s]
    ys = [p[1] for s in strokes for p in s]
    if not xs:
        return
    box_w, box_h = SIGNATURE_BOX
    span_x, span_y = max(max(xs) - min(xs), 1.0), max(max(ys) - min(ys), 1.0)
    scale = min(box_w / span_x, box_h / span_y)
    doc.set_line_width(0.25)
    for stroke in strokes:
        points = [(x + (px - min(xs)) * scale, y + (py - min(ys)) * scale) for px, py in stroke]
        if len(points) == 1:
            points.append(points[0])
        doc.polyline(points)


def _visit_row(doc: ReportDocument, t: Texts, day: ChildDay, visit: Visit, first: bool) -> None:
    out = visit.signed_out_at.strftime("%H:%M") if visit.signed_out_at else ""
    top = doc.row(
        [
            t.day(day.day) if first else "",
            visit.signed_in_at.strftime("%H:%M"),
            out,
            hours(visit.minutes) if visit.signed_out_at else "",
            _signer_text(t, visit.in_signer),
            _signer_text(t, visit.out_signer, visit.automatic_out),
            _meals(t, day) if first else "",
            _activities(day) if first else "",
        ],
        ROW,
    )
    left = doc.l_margin + sum(c.width for c in doc.columns[:4])
    for signer, column in ((visit.in_signer, 4), (visit.out_signer, 5)):
        if signer is not None and signer.strokes:
            right = left + sum(c.width for c in doc.columns[4 : column + 1])
            _draw_strokes(doc, signer.strokes, right - SIGNATURE_BOX[0] - 1, top + 0.75)


def _child(doc: ReportDocument, t: Texts, child: ChildReport) -> None:
    doc.heading(f"{t('child')}: {child.name}", 9)
    for day in child.days:
        if not day.visits:
            reason = f"{t('absent')}: {day.absence_reason}" if day.absent else ""
            doc.row([t.day(day.day), "", "", "", reason, "", _meals(t, day), _activities(day)], ROW)
        for index, visit in enumerate(day.visits):
            _visit_row(doc, t, day, visit, index == 0)
    sums = totals(child.days)
    doc.set_font("DejaVu", "B", 8)
    text = t(
        "child_total",
        name=child.name,
        present=sums.days_present,
        absent=sums.days_absent,
        hours=hours(sums.minutes),
        meals=sums.meals,
    )
    doc.cell(0, LINE, text, new_x="LMARGIN", new_y="NEXT")
    doc.set_font("DejaVu", "", 8)
    doc.ln(1.5)


def _room(doc: ReportDocument, t: Texts, room: RoomReport, width: float) -> None:
    doc.columns = []
    doc.heading(f"{t('classroom')}: {room.name}", 11)
    doc.columns = _columns(t, width)
    doc.column_heads()
    for child in room.children:
        _child(doc, t, child)
    sums = totals([d for child in room.children for d in child.days])
    doc.set_font("DejaVu", "B", 9)
    text = t(
        "room_total",
        name=room.name,
        children=len(room.children),
        present=sums.days_present,
        absent=sums.days_absent,
        hours=hours(sums.minutes),
        meals=sums.meals,
    )
    doc.cell(0, LINE + 1, text, new_x="LMARGIN", new_y="NEXT")
    doc.ln(3)


def _summaries(doc: ReportDocument, t: Texts, data: ReportData, width: float) -> None:
    """Meal counts per day and meal type, then activity counts, on their own pages."""
    doc.columns = []
    doc.add_page()
    doc.heading(t("meal_counts"), 11)
    meal_width = (width - 40) / (len(MealType) + 1)
    doc.columns = [
        Column(t("date"), 40),
        *(Column(t.meal(m), meal_width, "R") for m in MealType),
        Column(t("totals"), meal_width, "R"),
    ]
    doc.column_heads()
    for day, meals in data.meals_by_day().items():
        doc.row([t.day(day), *(str(meals[m]) for m in MealType), str(sum(meals.values()))])
    doc.columns = []
    doc.ln(3)
    doc.heading(t("activity_counts"), 11)
    doc.columns = [Column(t("activities"), 120), Column(t("totals"), 30, "R")]
    doc.column_heads()
    for name, count in sorted(data.activity_counts().items()):
        doc.row([name, str(count)])


def render(data: ReportData, language: Language, paper: Paper) -> bytes:
    t = Texts(language)
    period = f"{t('period')}: {data.start.isoformat()} \u2013 {data.end.isoformat()}"
    lines = [
        f"{t('site')}: {data.site_name}"
        + (f" · {data.scope_name}" if data.scope_name != data.site_name else ""),
        f"{period} · {t('timezone')} {data.timezone}",
    ]
    doc = ReportDocument(
        paper, t("attendance_title"), lines, t("page", page="{page}", pages="{pages}")
    )
    doc.add_page()
    width = doc.usable_width()
    if not data.rooms:
        doc.cell(0, LINE, t("none"))
    for room in data.rooms:
        _room(doc, t, room, width)
    _summaries(doc, t, data, width)
    return doc.pdf_bytes()
