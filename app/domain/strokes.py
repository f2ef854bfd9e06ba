"""Pencil geometry without Qt: smoothing, pressure outlines, hit tests and partial erasing.

Everything is in photo pixels (CONTRACTS.md). The model keeps the raw samples a pen delivered;
the screen draws the smoothed curve made here, so a later, better smoothing changes how old
charts look but never what they record.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

from app.domain.chart import Sample, Stroke, new_id

Point = tuple[float, float]

MIN_WIDTH_SHARE = 0.35  # a feather-light touch still leaves a visible line
SUBDIVISIONS = 4  # Catmull-Rom points between two samples: smooth at 8x zoom, cheap to build


def width_at(nominal: float, pressure: float) -> float:
    """Line width for a pressure 0..1: make-up pencil, thin when light, full when firm."""
    p = min(max(pressure, 0.0), 1.0)
    return nominal * (MIN_WIDTH_SHARE + (1.0 - MIN_WIDTH_SHARE) * p)


def _dedupe(samples: Sequence[Sample]) -> list[Sample]:
    """Drop samples that repeat the previous position: they add nothing but zero-length
    segments, whose direction is undefined."""
    out: list[Sample] = []
    for s in samples:
        if not out or (s[0] - out[-1][0]) ** 2 + (s[1] - out[-1][1]) ** 2 > 1e-6:
            out.append(s)
    return out


def smooth(
    samples: Sequence[Sample], subdivisions: int = SUBDIVISIONS
) -> list[tuple[float, float, float]]:
    """A uniform Catmull-Rom spline through the samples: (x, y, pressure) that passes through
    every raw sample (so marks stay where the pen was) without the corners of a polyline.
    Pressure is averaged over three samples first: pen pressure jitters more than position."""
    pts = _dedupe(samples)
    if len(pts) < 3:
        return [(x, y, p) for x, y, p, _t in pts]
    pres = [
        (pts[max(i - 1, 0)][2] + pts[i][2] + pts[min(i + 1, len(pts) - 1)][2]) / 3.0
        for i in range(len(pts))
    ]
    out: list[tuple[float, float, float]] = []
    n = len(pts)
    for i in range(n - 1):
        p0 = pts[max(i - 1, 0)]
        p1, p2 = pts[i], pts[i + 1]
        p3 = pts[min(i + 2, n - 1)]
        for k in range(subdivisions):
            t = k / subdivisions
            t2, t3 = t * t, t * t * t
            a, b = -0.5 * t3 + t2 - 0.5 * t, 1.5 * t3 - 2.5 * t2 + 1.0
            c, d = -1.5 * t3 + 2.0 * t2 + 0.5 * t, 0.5 * t3 - 0.5 * t2
            x = a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0]
            y = a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]
            out.append((x, y, pres[i] + (pres[i + 1] - pres[i]) * t))
    out.append((pts[-1][0], pts[-1][1], pres[-1]))
    return out


def outline(
    curve: Sequence[tuple[float, float, float]], nominal_width: float
) -> tuple[list[Point], list[Point]]:
    """Left and right edges of a variable-width line along `curve` (x, y, pressure). Filled
    as one polygon (left, then right reversed) with round dots at the ends, it draws a
    pressure-sensitive stroke in a single fill."""
    left: list[Point] = []
    right: list[Point] = []
    n = len(curve)
    for i, (x, y, p) in enumerate(curve):
        ax, ay, _ = curve[max(i - 1, 0)]
        bx, by, _ = curve[min(i + 1, n - 1)]
        dx, dy = bx - ax, by - ay
        length = math.hypot(dx, dy) or 1.0
        nx, ny = -dy / length, dx / length
        half = width_at(nominal_width, p) / 2.0
        left.append((x + nx * half, y + ny * half))
        right.append((x - nx * half, y - ny * half))
    return left, right


def _seg_point_dist2(px: float, py: float, ax: float, ay: float, bx: float, by: float) -> float:
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    qx, qy = ax + t * dx - px, ay + t * dy - py
    return qx * qx + qy * qy


def distance_to_path(x: float, y: float, path: Sequence[Point]) -> float:
    """Shortest distance from a point to a polyline (a single point counts as a polyline)."""
    if not path:
        return math.inf
    if len(path) == 1:
        return math.hypot(x - path[0][0], y - path[0][1])
    best = min(_seg_point_dist2(x, y, *path[i], *path[i + 1]) for i in range(len(path) - 1))
    return math.sqrt(best)


def _bbox(points: Sequence[Point] | Sequence[Sample]) -> tuple[float, float, float, float]:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _boxes_near(a: tuple[float, ...], b: tuple[float, ...], margin: float) -> bool:
    return not (
        a[2] + margin < b[0] or b[2] + margin < a[0] or a[3] + margin < b[1] or b[3] + margin < a[1]
    )


def _reach(stroke: Stroke, radius: float) -> float:
    """An eraser touches a line when it touches the line's edge, not only its centre."""
    return radius + stroke.width / 2.0


def stroke_hit(stroke: Stroke, eraser: Sequence[Point], radius: float) -> bool:
    """Does an eraser path of `radius` touch this stroke anywhere?"""
    if not stroke.samples or not eraser:
        return False
    reach = _reach(stroke, radius)
    if not _boxes_near(_bbox(stroke.samples), _bbox(eraser), reach):
        return False
    return any(
        distance_to_path(x, y, eraser) <= reach for x, y, _p, _t in _densified(stroke, reach / 2)
    )


def _densified(stroke: Stroke, step: float) -> list[Sample]:
    """The samples, plus interpolated ones wherever two samples are further apart than `step`
    (a fast pen stroke can jump over an eraser between two samples)."""
    out: list[Sample] = []
    pts = stroke.samples
    for i, s in enumerate(pts):
        out.append(s)
        if i + 1 < len(pts):
            nxt = pts[i + 1]
            gap = math.hypot(nxt[0] - s[0], nxt[1] - s[1])
            extra = int(gap // step) if step > 0 else 0
            for k in range(1, extra + 1):
                f = k / (extra + 1)
                x, y, p, t = (a + (b - a) * f for a, b in zip(s, nxt, strict=True))
                out.append((x, y, p, t))
    return out


def erase_partial(stroke: Stroke, eraser: Sequence[Point], radius: float) -> list[Stroke] | None:
    """Cut away what the eraser covered. None when the stroke is untouched (it keeps its id);
    otherwise the pieces that remain, each a new stroke with a new id, its time re-based to
    its own start. Pieces of fewer than two samples are dropped."""
    if not stroke_hit(stroke, eraser, radius):
        return None
    reach = _reach(stroke, radius)
    pts = _densified(stroke, reach / 2)
    pieces: list[list[Sample]] = [[]]
    for s in pts:
        if distance_to_path(s[0], s[1], eraser) <= reach:
            if pieces[-1]:
                pieces.append([])
        else:
            pieces[-1].append(s)
    result = []
    for piece in pieces:
        if len(piece) >= 2:
            t0 = piece[0][3]
            result.append(
                replace(
                    stroke,
                    samples=tuple((x, y, p, t - t0) for x, y, p, t in piece),
                    id=new_id(),
                )
            )
    return result


def erase(
    strokes: Sequence[Stroke], eraser: Sequence[Point], radius: float, whole: bool
) -> tuple[list[str], list[Stroke]]:
    """Apply an eraser path to strokes: (ids removed, strokes added). A whole-stroke eraser
    removes every stroke it touches; a partial one replaces each by its remaining pieces."""
    removed: list[str] = []
    added: list[Stroke] = []
    for stroke in strokes:
        if whole:
            if stroke_hit(stroke, eraser, radius):
                removed.append(stroke.id)
            continue
        pieces = erase_partial(stroke, eraser, radius)
        if pieces is not None:
            removed.append(stroke.id)
            added.extend(pieces)
    return removed, added
