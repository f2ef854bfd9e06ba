"""A brush stroke painted over a treated area grows that area (ADR 0029, "A brush stroke over
an area"): the area keeps its id, name, depth, passes and note, and its outline becomes the
union of the two. Which area a stroke joins, if any, is decided here, without Qt.

Union and overlap are computed on a raster of the two outlines in photo pixels (OpenCV,
already a dependency): a raster takes any outline a tool stores, self-crossing lassos and
outlines meeting edge on edge included, where an exact polygon clipper has to special-case
each. The traced outline is kept to within half a cell (≤ 0.5 photo pixel for areas up to
2048 px across) and then simplified, as a brush stroke's own outline is, to the editor's
tolerance.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import cv2
import numpy as np
import numpy.typing as npt

from app.domain.microneedling import TreatedArea, Vertex

GRID_CELLS = 2048  # the raster's longer side at most: a few MB, a few ms
FINEST_CELL = 0.25  # photo pixels: small areas are traced finer
_SHIFT = 4  # fillPoly's fixed-point bits: vertices placed to 1/16 of a cell
INSIDE_SHARE = 0.99  # a stroke this much inside an area adds nothing to it

Box = tuple[float, float, float, float]  # x0, y0, x1, y1


@dataclass(frozen=True, slots=True)
class StrokePlacement:
    """Where a brush stroke goes. `joined` is the area after the stroke grew it (None: the
    stroke is a new area); `overlapped` every area of the view it overlaps, as they were."""

    joined: TreatedArea | None
    overlapped: tuple[TreatedArea, ...]

    @property
    def depths_differ(self) -> bool:
        return len({a.depth_mm for a in self.overlapped}) > 1


def place_stroke(
    areas: Sequence[TreatedArea],
    stroke: Sequence[Vertex],
    tolerance: float,
    min_overlap: float,
) -> StrokePlacement:
    """The area a stroke joins among one view's `areas`.

    Areas it overlaps by less than `min_overlap` square photo pixels (a graze along an edge)
    do not count. Over areas that share one depth it joins the one it covers most (the
    chart's order breaks a tie); over areas of different depths it joins none, for no depth
    can be chosen for the clinician (ADR 0029). It never merges two recorded areas together:
    each keeps its own name, passes and note. A stroke painted inside an area leaves its outline
    as drawn (`joined` is then the area unchanged)."""
    own, covered = _coverage(areas, stroke)
    touched = [(a, px2) for a, px2 in zip(areas, covered, strict=True) if px2 >= min_overlap]
    if not touched:
        return StrokePlacement(None, ())
    overlapped = tuple(a for a, _px2 in touched)
    if len({a.depth_mm for a in overlapped}) > 1:
        return StrokePlacement(None, overlapped)
    target, most = max(touched, key=lambda t: t[1])  # max keeps the first of equals
    if most >= own * INSIDE_SHARE:  # painted inside it: the outline stays as drawn
        return StrokePlacement(target, overlapped)
    grown = replace(target, polygon=union(target.polygon, stroke, tolerance))
    return StrokePlacement(grown, overlapped)


def overlaps(areas: Sequence[TreatedArea], stroke: Sequence[Vertex]) -> list[float]:
    """How much of each area the stroke covers, in square photo pixels (0 for one it misses)."""
    return _coverage(areas, stroke)[1]


def _coverage(areas: Sequence[TreatedArea], stroke: Sequence[Vertex]) -> tuple[float, list[float]]:
    """The stroke's own area and how much of each area it covers, on one raster over the
    stroke's box (nothing outside it can be covered), so the two compare like for like."""
    box = _box(stroke)
    cell, origin, shape = _grid(box)
    mask = _fill(stroke, cell, origin, shape)
    own = float(np.count_nonzero(mask)) * cell * cell
    out = []
    for area in areas:
        if not _meet(box, _box(area.polygon)):
            out.append(0.0)
            continue
        other = _fill(area.polygon, cell, origin, shape)
        out.append(float(np.count_nonzero(mask & other)) * cell * cell)
    return own, out


def union(a: Sequence[Vertex], b: Sequence[Vertex], tolerance: float) -> tuple[Vertex, ...]:
    """The outline of the region either polygon covers: its largest piece (two outlines that
    overlap make one piece), holes filled as a brush's outline fills them."""
    ba, bb = _box(a), _box(b)
    box = (min(ba[0], bb[0]), min(ba[1], bb[1]), max(ba[2], bb[2]), max(ba[3], bb[3]))
    cell, origin, shape = _grid(box)
    mask = _fill(a, cell, origin, shape) | _fill(b, cell, origin, shape)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return tuple(a)
    best = max(contours, key=cv2.contourArea)
    # Douglas–Peucker in C (cv2's, as mn_editing.simplify does it for a brush's outline):
    # a traced outline has a vertex at every step of the raster
    kept = cv2.approxPolyDP(best, max(tolerance / cell, 1.0), True)[:, 0]
    if len(kept) < 3:
        return tuple(a)
    ox, oy = origin
    # a boundary cell's centre lies within a cell inside the edge it stands for
    return tuple((ox + (float(x) + 0.5) * cell, oy + (float(y) + 0.5) * cell) for x, y in kept)


def _box(polygon: Sequence[Vertex]) -> Box:
    xs = [p[0] for p in polygon]
    ys = [p[1] for p in polygon]
    return (min(xs), min(ys), max(xs), max(ys))


def _meet(a: Box, b: Box) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _grid(box: Box) -> tuple[float, Vertex, tuple[int, int]]:
    """Cell size, origin and (rows, columns) of a raster covering `box` with a margin."""
    x0, y0, x1, y1 = box
    cell = max((max(x1 - x0, y1 - y0) + 1.0) / (GRID_CELLS - 4), FINEST_CELL)
    origin = (x0 - 2 * cell, y0 - 2 * cell)
    cols = math.ceil((x1 - x0) / cell) + 5
    rows = math.ceil((y1 - y0) / cell) + 5
    return cell, origin, (rows, cols)


def _fill(
    polygon: Sequence[Vertex], cell: float, origin: Vertex, shape: tuple[int, int]
) -> npt.NDArray[np.uint8]:
    mask = np.zeros(shape, np.uint8)
    one = 1 << _SHIFT
    # cell (i, j) covers [i, i+1) × [j, j+1) of the grid; OpenCV puts pixel i's centre at i
    pts = (np.asarray(polygon, np.float64) - np.asarray(origin)) * (one / cell) - one / 2
    cv2.fillPoly(mask, [np.round(pts).astype(np.int32)], 1, cv2.LINE_8, _SHIFT)
    return mask
