"""Distances to the brow and the glabellar band: warn, clear, unknown (never a silent pass)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.domain.chart import InjectionPoint
from app.domain.safety import (
    BAND_MM,
    FaceGeometry,
    Outcome,
    band_outlines,
    brow_distance,
    flagged_points,
    glabellar_check,
)

MM = 0.5  # mm per pixel: 2 px a millimetre


def face(mm_per_px: float | None = MM, tilt: float = 0.0) -> FaceGeometry:
    """A level face (or tilted by `tilt` px per px): brows along y = 200 (+ a little arch),
    pupils 40 px below, upper lids 30 px below. Patient's right is on the image's left."""

    def at(x: float, y: float) -> tuple[float, float]:
        return x, y + tilt * x

    right = tuple(at(x, 200 - (6 if 360 < x < 440 else 0)) for x in (320, 360, 400, 440, 480))
    left = tuple(at(x, 200 - (6 if 560 < x < 640 else 0)) for x in (680, 640, 600, 560, 520))
    return FaceGeometry(
        brows=(right, left),
        pupils=(at(400, 240), at(600, 240)),
        upper_lids=(at(400, 230), at(600, 230)),
        mm_per_px=mm_per_px,
        scale_confidence=0.9 if mm_per_px else 0.0,
    )


def test_within_a_centimetre_above_the_central_brow_warns() -> None:
    check = glabellar_check((400, 194 - 6 / MM), face(), "frown")  # 6 mm above
    assert check is not None and check.outcome is Outcome.WARN
    assert check.mm_above_brow == pytest.approx(6.0, abs=0.01)
    assert "1 cm" in check.message and "right" in check.message


def test_the_levator_zone_warns() -> None:
    check = glabellar_check((598, 215), face(), "frown")  # under the left brow, mid-pupil
    assert check is not None and check.outcome is Outcome.WARN
    assert "levator" in check.message and "left" in check.message


@pytest.mark.parametrize(
    "point",
    [
        (400, 194 - (BAND_MM + 2) / MM),  # 12 mm above the central brow
        (500, 205),  # the glabella between the brows
        (330, 190),  # above the lateral brow: outside the central third
    ],
)
def test_outside_the_band_is_clear_with_the_distance(point: tuple[float, float]) -> None:
    check = glabellar_check(point, face(), "frown")
    assert check is not None and check.outcome is Outcome.CLEAR
    assert "mm" in check.message


def test_without_a_scale_or_a_face_the_distance_is_unknown() -> None:
    inside = (400, 194 - 6 / MM)
    for geometry in (face(None), None):
        check = glabellar_check(inside, geometry, "frown")
        assert check is not None and check.outcome is Outcome.UNKNOWN
        assert "distance unknown" in check.message
    assert brow_distance(inside, face(None)).mm is None
    assert "unknown" in brow_distance(inside, face(None)).words
    assert band_outlines(face(None)) == []


def test_only_the_frown_view_is_checked() -> None:
    assert glabellar_check((400, 185), face(), "rest") is None


def test_a_tilted_face_measures_along_its_own_eye_line() -> None:
    tilted = face(tilt=0.1)
    x = 400
    check = glabellar_check((x, 194 + 0.1 * x - 6 / MM), tilted, "frown")
    assert check is not None and check.outcome is Outcome.WARN


def test_brow_distance_in_mm_and_which_brow() -> None:
    d = brow_distance((600, 194 - 20), face())
    assert d.side == "left" and d.above and d.mm == pytest.approx(10.0, abs=0.1)
    assert d.words == "10.0 mm above the left brow"
    assert brow_distance((420, 230), face()).above is False


def test_band_outlines_cover_the_band() -> None:
    shapes = band_outlines(face())
    assert len(shapes) == 4  # per side: the band and the levator strip
    band = shapes[0]
    ys = [y for _, y in band]
    assert min(ys) == pytest.approx(194 - BAND_MM / MM, abs=0.5)


def test_flagged_points_for_the_totals() -> None:
    inside = InjectionPoint(400, 194 - 6 / MM, "botox", Decimal(4))
    outside = InjectionPoint(500, 205, "botox", Decimal(4))
    flagged = flagged_points([inside, outside], face(), "frown")
    assert [(p.id, c.outcome) for p, c in flagged] == [(inside.id, Outcome.WARN)]
    unknown = flagged_points([inside, outside], face(None), "frown")
    assert [c.outcome for _, c in unknown] == [Outcome.UNKNOWN, Outcome.UNKNOWN]
    assert flagged_points([inside], face(), "smile") == []
