"""Drawn signatures: strokes checked for shape and rendered as a small, safe SVG."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from services import signature_svg
from services.errors import DomainError, InvalidInput

SVG = "{http://www.w3.org/2000/svg}"


def _render(strokes: Any) -> ET.Element:
    svg = signature_svg.render_svg(signature_svg.clean_strokes(strokes))
    return ET.fromstring(svg)


def test_each_stroke_becomes_one_path_in_a_viewbox_fitted_to_the_drawing() -> None:
    root = _render([[[10, 20], [30, 40], [50, 25.5]], [[60, 20], [70, 60]], [[80, 30]]])
    assert root.tag == f"{SVG}svg"
    paths = root.findall(f".//{SVG}path")
    assert len(paths) == 3
    assert paths[0].get("d") == "M10 20L30 40 50 25.5"
    assert paths[1].get("d") == "M60 20L70 60"
    assert paths[2].get("d") == "M80 30h0"  # a dot
    # Bounds 10..80 x 20..60, with a margin of one stroke width around them.
    assert root.get("viewBox") == "8 18 74 44"
    group = root.find(f"{SVG}g")
    assert group is not None
    assert group.get("fill") == "none"
    assert group.get("stroke-linecap") == "round"


def test_coordinates_are_rounded_and_never_negative_zero() -> None:
    root = _render([[[-0.001, 1.23456], [2, 3]]])
    d = root.findall(f".//{SVG}path")[0].get("d")
    assert d == "M0 1.23L2 3"


def test_a_straight_line_still_gets_an_area() -> None:
    root = _render([[[5, 5], [5, 100]]])
    _, _, width, height = (float(v) for v in (root.get("viewBox") or "").split())
    assert width > 0
    assert height > 0


def test_the_svg_holds_only_numbers_from_the_strokes() -> None:
    svg = signature_svg.render_svg(signature_svg.clean_strokes([[[1, 2], [3, 4]]]))
    assert "<script" not in svg
    assert svg.count("<path ") == 1


@pytest.mark.parametrize(
    "strokes",
    [
        [[[1, 2, 3], [4, 5]]],
        [[[1], [4, 5]]],
        [[[math.nan, 1], [2, 2]]],
        [[[1, math.inf], [2, 2]]],
        [[[0, 0], [10_000.5, 0]]],
        [[[0, 0], [0, -20_000]]],
        [[[True, 1], [2, 2]]],
        [[["1", 1], [2, 2]]],
        [[[None, 1], [2, 2]]],
        [[[0, 0], [1, 1]], []],
        [[[0, 0], [1, 1]]] * (signature_svg.MAX_STROKES + 1),
        [[[i, i] for i in range(signature_svg.MAX_POINTS_PER_STROKE + 1)]],
        [[[i, i] for i in range(900)]] * 6,
        ["ab"],
    ],
)
def test_shapes_no_drawing_pad_makes_are_refused(strokes: Any) -> None:
    with pytest.raises(InvalidInput):
        signature_svg.clean_strokes(strokes)


@pytest.mark.parametrize("strokes", [[], [[[1, 1]]], [[[1, 1]], [[2, 2]]]])
def test_an_empty_drawing_is_no_signature(strokes: Any) -> None:
    with pytest.raises(DomainError) as refused:
        signature_svg.clean_strokes(strokes)
    assert refused.value.code == "SIGNATURE_REQUIRED"


def test_the_limits_themselves_are_accepted() -> None:
    most = [[[i % 100, i % 7] for i in range(signature_svg.MAX_POINTS_PER_STROKE)]] * 5
    cleaned = signature_svg.clean_strokes(most)
    assert sum(len(s) for s in cleaned) == signature_svg.MAX_POINTS
    edge = signature_svg.clean_strokes([[[-10_000, 10_000], [10_000, -10_000]]])
    assert edge == [[(-10_000.0, 10_000.0), (10_000.0, -10_000.0)]]
