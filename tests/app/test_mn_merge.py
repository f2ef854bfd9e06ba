"""Which area a brush stroke joins, and the union outline it then has (ADR 0029)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.domain.microneedling import TreatedArea, Vertex
from app.domain.mn_editing import contains, polygon_area
from app.domain.mn_merge import overlaps, place_stroke, union


def square(x: float, y: float, side: float) -> tuple[Vertex, ...]:
    return ((x, y), (x + side, y), (x + side, y + side), (x, y + side))


def area(poly: tuple[Vertex, ...], depth: str = "1.5", **kw: object) -> TreatedArea:
    return TreatedArea(poly, "Cheeks", Decimal(depth), **kw)  # type: ignore[arg-type]


def test_the_union_of_two_overlapping_squares_is_their_outline() -> None:
    u = union(square(10.3, 20.7, 100), square(60.3, 70.7, 100), 0.5)
    assert polygon_area(u) == pytest.approx(17500, rel=0.01)  # 2 × 100² − 50²
    for inside in ((15, 25), (155, 165), (105, 75)):
        assert contains(u, *inside)
    for outside in ((155, 25), (15, 165)):  # the two corners neither square covers
        assert not contains(u, *outside)
    xs = [x for x, _y in u]
    assert min(xs) == pytest.approx(10.3, abs=0.5) and max(xs) == pytest.approx(160.3, abs=0.5)


def test_a_large_union_stays_within_a_pixel_and_is_simplified() -> None:
    a = square(1000.0, 1000.0, 3000)  # a 24 MP photo's cheek and more
    b = ((3900.0, 2000.0), (4500.0, 2100.0), (4400.0, 2600.0))
    u = union(a, b, 1.5)
    assert len(u) <= 12
    assert max(x for x, _y in u) == pytest.approx(4500, abs=2.0)
    assert polygon_area(u) > 3000 * 3000


def test_a_self_crossing_lasso_is_taken_as_drawn() -> None:
    bow = ((0.0, 0.0), (100.0, 100.0), (100.0, 0.0), (0.0, 100.0))  # a figure of eight
    u = union(bow, square(90, 40, 40), 0.5)
    assert contains(u, 120, 60) and contains(u, 95, 10)


def test_overlaps_are_measured_in_square_photo_pixels() -> None:
    stroke = square(50, 50, 100)
    got = overlaps([area(square(0, 0, 100)), area(square(500, 500, 10))], stroke)
    assert got[0] == pytest.approx(2500, rel=0.02) and got[1] == 0.0


def test_a_stroke_over_no_area_is_a_new_area() -> None:
    placed = place_stroke([area(square(0, 0, 100))], square(300, 300, 50), 0.5, 100)
    assert placed.joined is None and placed.overlapped == ()


def test_a_graze_along_an_edge_does_not_join() -> None:
    placed = place_stroke([area(square(0, 0, 100))], square(98, 0, 50), 0.5, 400)
    assert placed.joined is None and placed.overlapped == ()  # 2 × 100 px² < 400


def test_a_stroke_joins_the_area_it_covers_most_keeping_all_but_the_outline() -> None:
    first = area(square(0, 0, 100), passes=3, note="light", id="a-first")
    second = area(square(200, 0, 100), passes=1, id="a-second")
    stroke = square(80, 20, 150)  # 20 × 80 of the first, 30 × 80 of the second
    placed = place_stroke([first, second], stroke, 0.5, 100)
    assert placed.joined is not None and placed.joined.id == "a-second"
    assert placed.overlapped == (first, second) and not placed.depths_differ
    joined = placed.joined
    assert (joined.name, joined.depth_mm, joined.passes, joined.note) == (
        second.name, second.depth_mm, second.passes, second.note,
    )  # fmt: skip
    assert contains(joined.polygon, 150, 150) and contains(joined.polygon, 250, 50)


def test_a_stroke_over_areas_of_different_depths_joins_none() -> None:
    forehead = area(square(0, 0, 100), depth="0.5")
    cheek = area(square(200, 0, 100), depth="1.5")
    placed = place_stroke([forehead, cheek], square(50, 20, 200), 0.5, 100)
    assert placed.joined is None and placed.overlapped == (forehead, cheek)
    assert placed.depths_differ


def test_a_stroke_inside_an_area_leaves_its_outline_as_drawn() -> None:
    cheek = area(square(0, 0, 300))
    placed = place_stroke([cheek], square(100, 100, 50), 0.5, 100)
    assert placed.joined == cheek and placed.overlapped == (cheek,)
