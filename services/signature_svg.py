"""A drawn signature: pen strokes checked for shape and rendered as a small SVG.

Pure functions, no database. The SVG is built from numbers only (never from text the
client sent), so it cannot carry markup or script, and it is kept beside the strokes
so a printed record shows exactly what the parent drew.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from enum import StrEnum

from services.errors import DomainError, InvalidInput


class SignatureErrorCode(StrEnum):
    """Rule failures of a drawn signature."""

    SIGNATURE_REQUIRED = "SIGNATURE_REQUIRED"


MAX_STROKES = 100
MAX_POINTS_PER_STROKE = 1000
MAX_POINTS = 5000
# Canvas pixels; generous for any screen, small enough to keep the SVG compact.
MAX_COORDINATE = 10_000.0
STROKE_WIDTH = 2.0
# Room around the drawing so round line caps are not clipped at the viewBox edge.
_MARGIN = STROKE_WIDTH

Point = tuple[float, float]
Stroke = list[Point]

SIGNATURE_REQUIRED = DomainError(
    SignatureErrorCode.SIGNATURE_REQUIRED, "Draw your signature before submitting.", "strokes"
)


def _coordinate(value: object) -> float:
    # bool is an int in Python; a pen position never is one.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput("Each point is two numbers, [x, y].", "strokes")
    number = float(value)
    if not math.isfinite(number) or abs(number) > MAX_COORDINATE:
        raise InvalidInput(
            f"Coordinates are finite numbers between -{MAX_COORDINATE:g} and {MAX_COORDINATE:g}.",
            "strokes",
        )
    return number


def clean_strokes(strokes: Sequence[Sequence[Sequence[object]]]) -> list[Stroke]:
    """The strokes as (x, y) floats; malformed input is refused, an empty drawing too.

    Raises ``InvalidInput`` for shapes no drawing pad produces (too many strokes or
    points, a point that is not two finite bounded numbers, an empty stroke) and
    ``SIGNATURE_REQUIRED`` when nothing was really drawn (no stroke of two points).
    """
    if len(strokes) > MAX_STROKES:
        raise InvalidInput(f"At most {MAX_STROKES} strokes.", "strokes")
    cleaned: list[Stroke] = []
    total = 0
    for stroke in strokes:
        if not stroke:
            raise InvalidInput("A stroke has at least one point.", "strokes")
        if len(stroke) > MAX_POINTS_PER_STROKE:
            raise InvalidInput(f"At most {MAX_POINTS_PER_STROKE} points per stroke.", "strokes")
        total += len(stroke)
        if total > MAX_POINTS:
            raise InvalidInput(f"At most {MAX_POINTS} points in all.", "strokes")
        points: Stroke = []
        for point in stroke:
            if isinstance(point, str | bytes) or len(point) != 2:
                raise InvalidInput("Each point is two numbers, [x, y].", "strokes")
            points.append((_coordinate(point[0]), _coordinate(point[1])))
        cleaned.append(points)
    if not any(len(stroke) >= 2 for stroke in cleaned):
        raise SIGNATURE_REQUIRED
    return cleaned


def _num(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _path(stroke: Stroke) -> str:
    (x0, y0), rest = stroke[0], stroke[1:]
    if not rest:
        # A dot: a zero-length segment shows as a round cap.
        return f"M{_num(x0)} {_num(y0)}h0"
    segments = " ".join(f"{_num(x)} {_num(y)}" for x, y in rest)
    return f"M{_num(x0)} {_num(y0)}L{segments}"


def render_svg(strokes: Sequence[Stroke]) -> str:
    """One ``<path>`` per stroke, in a viewBox fitted to the drawing's bounds."""
    xs = [x for stroke in strokes for x, _ in stroke]
    ys = [y for stroke in strokes for _, y in stroke]
    if not xs:
        raise SIGNATURE_REQUIRED
    left, top = min(xs) - _MARGIN, min(ys) - _MARGIN
    width = max(xs) - min(xs) + 2 * _MARGIN
    height = max(ys) - min(ys) + 2 * _MARGIN
    paths = "".join(f'<path d="{_path(stroke)}"/>' for stroke in strokes)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="{_num(left)} {_num(top)} {_num(width)} {_num(height)}">'
        f'<g fill="none" stroke="#000" stroke-width="{_num(STROKE_WIDTH)}" '
        'stroke-linecap="round" stroke-linejoin="round">'
        f"{paths}</g></svg>"
    )
