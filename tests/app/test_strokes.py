"""Pencil geometry: smoothing keeps the pen's samples, erasing cuts strokes into pieces."""

from __future__ import annotations

import math

import pytest

from app.domain import strokes as geo
from app.domain.chart import Stroke


def straight(x0: float, x1: float, y: float = 100.0, n: int = 21) -> Stroke:
    return Stroke(
        samples=tuple((x0 + (x1 - x0) * i / (n - 1), y, 0.5, i * 8.0) for i in range(n)),
        width=4.0,
    )


def test_smoothing_passes_through_every_sample() -> None:
    s = ((0.0, 0.0, 0.2, 0.0), (10.0, 5.0, 0.4, 8.0), (20.0, 0.0, 0.6, 16.0), (30.0, 5.0, 1, 24))
    curve = geo.smooth(s)
    assert len(curve) == 3 * geo.SUBDIVISIONS + 1
    for i, (x, y, _p, _t) in enumerate(s):
        cx, cy, _ = curve[i * geo.SUBDIVISIONS]
        assert (cx, cy) == pytest.approx((x, y))


def test_pressure_sets_the_width() -> None:
    assert geo.width_at(10, 1.0) == 10
    assert geo.width_at(10, 0.0) == pytest.approx(10 * geo.MIN_WIDTH_SHARE)
    left, right = geo.outline([(0, 0, 1.0), (10, 0, 1.0), (20, 0, 0.0)], 10)
    assert left[0][1] - right[0][1] == pytest.approx(10)
    assert left[2][1] - right[2][1] == pytest.approx(10 * geo.MIN_WIDTH_SHARE)


def test_partial_erase_splits_into_new_strokes() -> None:
    stroke = straight(0, 200)
    pieces = geo.erase_partial(stroke, [(100.0, 50.0), (100.0, 150.0)], 10)
    assert pieces is not None and len(pieces) == 2
    assert all(p.id != stroke.id for p in pieces)
    assert max(x for x, *_ in pieces[0].samples) < 100 - 10
    assert min(x for x, *_ in pieces[1].samples) > 100 + 10
    assert pieces[1].samples[0][3] == 0  # time re-based to the piece's own start
    assert all(p.color == stroke.color and p.width == stroke.width for p in pieces)


def test_untouched_stroke_keeps_its_identity() -> None:
    assert geo.erase_partial(straight(0, 200), [(100.0, 300.0), (150.0, 300.0)], 10) is None


def test_erasing_an_end_leaves_one_piece_and_a_crumb_is_dropped() -> None:
    pieces = geo.erase_partial(straight(0, 200), [(0.0, 100.0)], 50)
    assert pieces is not None and len(pieces) == 1
    assert min(x for x, *_ in pieces[0].samples) > 50
    assert geo.erase_partial(straight(0, 10, n=2), [(5.0, 100.0)], 50) == []


def test_a_fast_stroke_cannot_jump_over_the_eraser() -> None:
    fast = straight(0, 1000, n=2)  # two samples, far apart
    pieces = geo.erase_partial(fast, [(500.0, 100.0)], 5)
    assert pieces is not None and len(pieces) == 2
    assert pieces[0].samples[0][:2] == (0.0, 100.0) and pieces[1].samples[-1][:2] == (1000.0, 100)


def test_whole_erase_removes_touched_strokes_only() -> None:
    a, b = straight(0, 200, y=100), straight(0, 200, y=400)
    removed, added = geo.erase([a, b], [(50.0, 90.0), (60.0, 110.0)], 5, whole=True)
    assert removed == [a.id] and added == []
    removed, added = geo.erase([a, b], [(50.0, 90.0), (60.0, 110.0)], 5, whole=False)
    assert removed == [a.id] and len(added) == 2


def test_distance_to_path() -> None:
    assert geo.distance_to_path(5, 5, [(0, 0), (10, 0)]) == pytest.approx(5)
    assert geo.distance_to_path(3, 4, [(0, 0)]) == pytest.approx(5)
    assert math.isinf(geo.distance_to_path(0, 0, []))
