"""Distances on the face in millimetres, and the glabellar safety band, as soft warnings.

Pure functions over a `FaceGeometry` (brows, pupils, upper lids and the photo's iris scale,
all in the photo's upright pixels) that `app.alignment.photo_face` builds from the face
mesh and the iris model. Nothing here prescribes or blocks: a result is words for the sheet.

The label (BOTOX Cosmetic, glabellar lines; DOMAIN.md): avoid the levator palpebrae
superioris, and do not inject closer than 1 cm above the central eyebrow. Here:
- the *central eyebrow* is the middle third of each brow (its mid-line, the mean of the mesh's
  upper and lower brow rows), measured along the eye line;
- the *band* is from that mid-line up to 10 mm above it, over the central third;
- the *levator zone* is the strip over the mid-pupil line (± LEVATOR_HALF_WIDTH_MM) from the
  upper lid up to the brow: the muscle lies under the orbital roof behind the upper lid.
Without a millimetre scale the answer is "distance unknown", never a pass.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from app.domain.chart import InjectionPoint

Point = tuple[float, float]
Polyline = tuple[Point, ...]

BAND_MM = 10.0  # "not closer than 1 cm above the central eyebrow"
LEVATOR_HALF_WIDTH_MM = 6.0  # either side of the mid-pupil line
SAFETY_VIEW = "frown"  # the glabellar injections are charted on the frown view
SOURCE = "BOTOX Cosmetic prescribing information, glabellar lines (DOMAIN.md)"


@dataclass(frozen=True, slots=True)
class FaceGeometry:
    """What the distances need of one photo's face; the patient's own right, then left."""

    brows: tuple[Polyline, Polyline]  # mid-lines, lateral → medial
    pupils: tuple[Point, Point]
    upper_lids: tuple[Point, Point]  # the top of each upper lid over the pupil
    mm_per_px: float | None  # None: no usable iris, so no millimetres
    scale_confidence: float = 0.0


class Outcome(StrEnum):
    CLEAR = "clear"  # outside the band and the levator zone, distance known
    WARN = "warn"  # inside: a soft warning
    UNKNOWN = "unknown"  # no scale (or no face): distance unknown, never a silent pass


@dataclass(frozen=True, slots=True)
class BrowDistance:
    px: float
    mm: float | None
    side: str  # "right" | "left": the patient's brow that is nearest
    above: bool  # the point is above that brow's mid-line

    @property
    def words(self) -> str:
        if self.mm is None:
            return "distance to brow unknown (no millimetre scale)"
        where = "above" if self.above else "below"
        return f"{self.mm:.1f} mm {where} the {self.side} brow"


@dataclass(frozen=True, slots=True)
class SafetyCheck:
    outcome: Outcome
    message: str
    mm_above_brow: float | None = None
    source: str = SOURCE


def _frame(face: FaceGeometry) -> tuple[Point, Point]:
    """Unit vectors along the eye line (patient's right → left) and up the face."""
    (rx, ry), (lx, ly) = face.pupils
    d = math.hypot(lx - rx, ly - ry) or 1.0
    u = ((lx - rx) / d, (ly - ry) / d)
    return u, (u[1], -u[0])  # image y is down: "up" is u turned a quarter anticlockwise


def _to_frame(p: Point, u: Point, n: Point) -> Point:
    return p[0] * u[0] + p[1] * u[1], p[0] * n[0] + p[1] * n[1]


def _segment_distance(p: Point, a: Point, b: Point) -> float:
    ax, ay = b[0] - a[0], b[1] - a[1]
    t = ((p[0] - a[0]) * ax + (p[1] - a[1]) * ay) / ((ax * ax + ay * ay) or 1.0)
    t = max(0.0, min(1.0, t))
    return math.hypot(p[0] - a[0] - t * ax, p[1] - a[1] - t * ay)


def _height_above(brow: Polyline, x: float, u: Point, n: Point) -> float | None:
    """The brow mid-line's height (along `n`) at eye-line position `x`, if the brow spans x."""
    pts = sorted(_to_frame(p, u, n) for p in brow)
    for (x0, h0), (x1, h1) in zip(pts, pts[1:], strict=False):
        if x0 <= x <= x1:
            t = (x - x0) / ((x1 - x0) or 1.0)
            return h0 + t * (h1 - h0)
    return None


def brow_distance(point: Point, face: FaceGeometry) -> BrowDistance:
    """The point's distance to the nearest brow mid-line, in mm when the photo has a scale."""
    best: tuple[float, int] = (math.inf, 0)
    for i, brow in enumerate(face.brows):
        d = min(_segment_distance(point, a, b) for a, b in zip(brow, brow[1:], strict=False))
        best = min(best, (d, i))
    px, i = best
    u, n = _frame(face)
    brow_heights = [_to_frame(p, u, n)[1] for p in face.brows[i]]
    x, h = _to_frame(point, u, n)
    at = _height_above(face.brows[i], x, u, n)
    above = h > (at if at is not None else sum(brow_heights) / len(brow_heights))
    mm = px * face.mm_per_px if face.mm_per_px is not None else None
    return BrowDistance(px, mm, ("right", "left")[i], above)


def _central_third(brow: Polyline, u: Point, n: Point) -> tuple[float, float]:
    xs = [_to_frame(p, u, n)[0] for p in brow]
    lo, hi = min(xs), max(xs)
    return lo + (hi - lo) / 3, hi - (hi - lo) / 3


def glabellar_check(point: Point, face: FaceGeometry | None, view: str) -> SafetyCheck | None:
    """The glabellar safety band for a point of the frown view; None for other views.

    Outcomes: WARN inside the band or the levator zone, CLEAR outside (distance known),
    UNKNOWN without a face or a millimetre scale."""
    if view != SAFETY_VIEW:
        return None
    if face is None:
        return SafetyCheck(Outcome.UNKNOWN, "distance unknown: no face found in this photo")
    if face.mm_per_px is None:
        return SafetyCheck(
            Outcome.UNKNOWN, "distance unknown: no millimetre scale (no usable iris)"
        )
    mm = face.mm_per_px
    u, n = _frame(face)
    x, h = _to_frame(point, u, n)
    nearest_above: float | None = None
    for i, brow in enumerate(face.brows):
        side = ("right", "left")[i]
        lo, hi = _central_third(brow, u, n)
        brow_h = _height_above(brow, x, u, n)
        if lo <= x <= hi and brow_h is not None:
            above = (h - brow_h) * mm
            if 0.0 <= above < BAND_MM:
                return SafetyCheck(
                    Outcome.WARN,
                    f"{above:.1f} mm above the central {side} eyebrow: the label says not "
                    "closer than 1 cm (risk of a drooping eyelid)",
                    above,
                )
            if above >= 0 and (nearest_above is None or above < nearest_above):
                nearest_above = above
        px, _ = _to_frame(face.pupils[i], u, n)
        _, lid_h = _to_frame(face.upper_lids[i], u, n)
        top = brow_h if brow_h is not None else max(_to_frame(p, u, n)[1] for p in brow)
        if abs(x - px) * mm <= LEVATOR_HALF_WIDTH_MM and lid_h <= h <= top:
            return SafetyCheck(
                Outcome.WARN,
                f"over the {side} levator palpebrae superioris (between the brow and the "
                "upper lid on the mid-pupil line): the label says avoid it",
                None,
            )
    dist = brow_distance(point, face)
    return SafetyCheck(
        Outcome.CLEAR,
        f"outside the glabellar safety band ({dist.words})",
        nearest_above,
    )


def flagged_points(
    points: Iterable[InjectionPoint], face: FaceGeometry | None, view: str
) -> list[tuple[InjectionPoint, SafetyCheck]]:
    """The points of one view that the band flags (warn) or cannot check (unknown), for the
    totals' soft warnings; [] for views other than frown."""
    flagged = []
    for p in points:
        check = glabellar_check((p.x, p.y), face, view)
        if check is not None and check.outcome is not Outcome.CLEAR:
            flagged.append((p, check))
    return flagged


def band_outlines(face: FaceGeometry) -> list[list[Point]]:
    """The band over each central eyebrow and each levator zone, as polygons in photo
    pixels (for drawing faintly while placing); empty without a scale."""
    if face.mm_per_px is None:
        return []
    u, n = _frame(face)
    up = BAND_MM / face.mm_per_px
    half = LEVATOR_HALF_WIDTH_MM / face.mm_per_px
    shapes: list[list[Point]] = []

    def back(x: float, h: float) -> Point:
        return (x * u[0] + h * n[0], x * u[1] + h * n[1])

    for i, brow in enumerate(face.brows):
        lo, hi = _central_third(brow, u, n)
        xs = [lo + (hi - lo) * k / 8 for k in range(9)]
        base = [(x, _height_above(brow, x, u, n)) for x in xs]
        line = [(x, h) for x, h in base if h is not None]
        shapes.append([back(x, h) for x, h in line] + [back(x, h + up) for x, h in line[::-1]])
        px, _ = _to_frame(face.pupils[i], u, n)
        _, lid_h = _to_frame(face.upper_lids[i], u, n)
        top = _height_above(brow, px, u, n)
        if top is None:
            top = max(_to_frame(p, u, n)[1] for p in brow)
        shapes.append(
            [back(px - half, lid_h), back(px + half, lid_h), back(px + half, top),
             back(px - half, top)]
        )  # fmt: skip
    return shapes
