"""The page every printed report shares: fonts, paper, a header repeated on each page
(title, site, period, the table's column heads) and a "page N of M" footer.

fpdf2 draws into memory with pure Python; the fonts are DejaVu from the machine's
Debian package ``fonts-dejavu-core`` (every Latin accent, and far beyond), read from
disk and embedded as a subset: nothing is fetched at run time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT = "DejaVu"
LINE = 5.5
MARGIN = 10.0


class Paper(StrEnum):
    A4 = "A4"
    LETTER = "LETTER"


@dataclass(frozen=True)
class Column:
    title: str
    width: float
    align: str = "L"


class FontsMissing(RuntimeError):
    """The Debian package fonts-dejavu-core is not installed."""


class ReportDocument(FPDF):
    """Landscape pages with a repeated header; ``columns`` are drawn under it when set."""

    def __init__(self, paper: Paper, title: str, lines: Sequence[str], page_text: str) -> None:
        super().__init__(orientation="L", unit="mm", format="A4" if paper is Paper.A4 else "Letter")
        regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
        if not regular.exists() or not bold.exists():
            raise FontsMissing(f"Install fonts-dejavu-core: {regular} is missing.")
        self.add_font(FONT, "", str(regular))
        self.add_font(FONT, "B", str(bold))
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=14)
        self.title_text = title
        self.lines = list(lines)
        self.page_text = page_text
        self.columns: list[Column] = []
        self._widths: dict[tuple[str, float, float], tuple[str, float]] = {}
        self.set_title(title)
        self.set_creator("Playroll")

    def header(self) -> None:
        self.set_font(FONT, "B", 13)
        self.cell(0, 7, self.title_text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, "", 9)
        for line in self.lines:
            self.cell(0, 4.5, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)
        if self.columns:
            self.column_heads()

    def column_heads(self) -> None:
        self.set_font(FONT, "B", 8)
        self.set_fill_color(230, 230, 230)
        for column in self.columns:
            self.cell(column.width, LINE, column.title, border=1, align=column.align, fill=True)
        self.ln(LINE)
        self.set_font(FONT, "", 8)

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(FONT, "", 8)
        self.cell(0, 5, self.page_text.format(page=self.page_no(), pages="{nb}"), align="R")

    def usable_width(self) -> float:
        return float(self.w) - 2 * MARGIN

    def heading(self, text: str, size: float = 10) -> None:
        """A section title, kept on the page of what follows it."""
        if self.will_page_break(LINE * 4):
            self.add_page()
        self.set_font(FONT, "B", size)
        self.cell(0, LINE + 1, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, "", 8)

    def row(self, values: Sequence[str], height: float = LINE) -> float:
        """One table row; returns its top, for drawings placed inside its cells.

        Drawn with rectangles and placed text rather than ``cell()``: a month of a large
        site is thousands of rows, and cell's layout machinery is ten times slower.
        """
        if self.will_page_break(height):
            self.add_page()
        top = float(self.get_y())
        x = float(self.l_margin)
        baseline = top + height / 2 + float(self.font_size) * 0.35
        for column, value in zip(self.columns, values, strict=True):
            self.rect(x, top, column.width, height)
            if value:
                text, width = self._fitted(value, column.width)
                offset = float(self.c_margin)
                if column.align == "R":
                    offset = column.width - width - float(self.c_margin)
                elif column.align == "C":
                    offset = (column.width - width) / 2
                self.text(x + offset, baseline, text)
            x += column.width
        self.set_y(top + height)
        return top

    def _fitted(self, text: str, width: float) -> tuple[str, float]:
        """The text cut to its cell (marked with an ellipsis) and its width, remembered:
        dates, times and names repeat on every page."""
        key = (text, width, float(self.font_size_pt))
        found = self._widths.get(key)
        if found is None:
            fitted = self.fit(text, width)
            found = (fitted, float(self.get_string_width(fitted)))
            self._widths[key] = found
        return found

    def fit(self, text: str, width: float) -> str:
        """Cut text that would overflow its cell, marked with an ellipsis."""
        room = width - 2 * float(self.c_margin)
        if self.get_string_width(text) <= room:
            return text
        while text and self.get_string_width(text + "…") > room:
            text = text[:-1]
        return text + "…"

    def pdf_bytes(self) -> bytes:
        return bytes(self.output())
