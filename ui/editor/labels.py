"""Where each point's label sits: pure geometry in viewport pixels, no widgets.

Every label is shown and none covers another label or any marker. A label first tries the
spots beside its point (right, left, above, below, then the corners); in a dense cluster at
fit-to-screen (five glabellar points a few pixels apart) it takes the nearest free place,
rows of a label's height stacking like lines of a table, and the label item draws a thin
leader line back to its point.

Placement is incremental: an occupancy raster (numpy, 4-px cells, counts of what covers each
cell) answers "is this spot free?" for all of a label's candidate spots at once through a
summed-area table (one per pass over the visible part, the labels placed since struck out),
and a uniform grid (spatial hash) finds the labels a new marker covers. A change (a point
added, moved, removed or selected) re-places only its own label and the labels its marker now
covers. Everything is placed afresh only when the zoom or the viewport's size changes; a pan
moves nothing. A whole placement is remembered by everything it depends on, so a chart opened
again at the same size takes its labels without searching.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

Rect = tuple[float, float, float, float]  # x0, y0, x1, y1

CELL = 64.0  # grid cell, viewport pixels: about one label high and half a label wide
CELL_PX = 4.0  # occupancy cell: labels may waste up to this much room, never overlap
PAD = 1.0  # labels keep a pixel apart, so rounding in the view never makes them touch
REACH = 900.0  # how far from its point a label may go (in the occupancy's extent)
KEPT_PLACEMENTS = 16  # whole placements remembered (`_PLACED`)
SINCE_MAX = 8  # labels struck out of a summed-area table before it is made again


@dataclass(frozen=True, slots=True)
class Spot:
    """The label's top-left corner relative to its point, and whether it needs a leader."""

    dx: float
    dy: float
    leader: bool = False


class Grid:
    """Rectangles by key in uniform cells."""

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], dict[object, Rect]] = {}

    @staticmethod
    def _span(r: Rect) -> Iterable[tuple[int, int]]:
        for cx in range(math.floor(r[0] / CELL), math.floor(r[2] / CELL) + 1):
            for cy in range(math.floor(r[1] / CELL), math.floor(r[3] / CELL) + 1):
                yield cx, cy

    def add(self, key: object, r: Rect) -> None:
        for c in self._span(r):
            self.cells.setdefault(c, {})[key] = r

    def remove(self, key: object, r: Rect) -> None:
        for c in self._span(r):
            cell = self.cells.get(c)
            if cell is not None:
                cell.pop(key, None)

    def keys_in(self, r: Rect) -> set[object]:
        x0, y0, x1, y1 = r
        out = set()
        for c in self._span(r):
            for key, (a0, b0, a1, b1) in self.cells.get(c, {}).items():
                if x0 < a1 and a0 < x1 and y0 < b1 and b0 < y1:
                    out.add(key)
        return out


def _square(x: float, y: float, r: float) -> Rect:
    return (x - r, y - r, x + r, y + r)


def beside(w: float, h: float, gap: float) -> list[Spot]:
    """The spots touching a w×h label's point: right, left, above, below, then the corners."""
    g, d = gap, 0.6 * gap  # the corners sit diagonally off the marker's round edge
    return [
        Spot(g, -h / 2),
        Spot(-w - g, -h / 2),
        Spot(-w / 2, -h - g),
        Spot(-w / 2, g),
        Spot(d, -h - d),
        Spot(d, d),
        Spot(-w - d, -h - d),
        Spot(-w - d, d),
    ]


class Occupancy:
    """How many rectangles cover each CELL_PX cell of an extent (conservatively: a cell a
    rectangle touches counts as covered). Outside the extent nothing is ever placed."""

    def __init__(self, extent: Rect) -> None:
        self.ox, self.oy = extent[0], extent[1]
        cols = max(1, math.ceil((extent[2] - extent[0]) / CELL_PX))
        rows = max(1, math.ceil((extent[3] - extent[1]) / CELL_PX))
        self.counts = np.zeros((rows, cols), np.int16)
        self.extent = extent
        # One summed-area table of the covered cells per placement pass (`lattice_free`),
        # with the cells covered since it was made: a crowded label asks it instead of
        # summing its own window again (83 tables per opening of the busy view).
        self._table: tuple[int, int, int, int, np.ndarray] | None = None  # j0, j1, i0, i1, sat
        self._since: list[tuple[int, int, int, int]] = []  # j0, j1, i0, i1 of cells added

    def _cells(
        self, x0: ArrayLike, y0: ArrayLike, x1: ArrayLike, y1: ArrayLike
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # floats or arrays
        rows, cols = self.counts.shape
        i0 = np.clip(np.floor((np.asarray(x0) - self.ox) / CELL_PX), 0, cols).astype(np.intp)
        i1 = np.clip(np.ceil((np.asarray(x1) - self.ox) / CELL_PX), 0, cols).astype(np.intp)
        j0 = np.clip(np.floor((np.asarray(y0) - self.oy) / CELL_PX), 0, rows).astype(np.intp)
        j1 = np.clip(np.ceil((np.asarray(y1) - self.oy) / CELL_PX), 0, rows).astype(np.intp)
        return i0, j0, i1, j1

    def _slices(self, r: Rect) -> tuple[slice, slice]:
        rows, cols = self.counts.shape
        i0 = min(max(math.floor((r[0] - self.ox) / CELL_PX), 0), cols)
        i1 = min(max(math.ceil((r[2] - self.ox) / CELL_PX), 0), cols)
        j0 = min(max(math.floor((r[1] - self.oy) / CELL_PX), 0), rows)
        j1 = min(max(math.ceil((r[3] - self.oy) / CELL_PX), 0), rows)
        return slice(j0, j1), slice(i0, i1)

    def add(self, r: Rect, n: int = 1) -> None:
        rows, cols = self._slices(r)
        self.counts[rows, cols] += n
        if self._table is not None:
            if n < 0:
                self._table = None  # freed cells: the table would say covered
            else:
                self._since.append((rows.start, rows.stop, cols.start, cols.stop))

    def forget(self) -> None:
        """Drop the summed-area table (a new pass makes its own when it needs one)."""
        self._table = None
        self._since = []

    def lattice_free(
        self, region: tuple[int, int, int, int], j0: int, j1: int, i0: int, i1: int,
        wc: int, hc: int,
    ) -> np.ndarray | None:  # fmt: skip
        """For top-left cells (j0 + hc·r, i0 + c) whose wc×hc box lies in rows j0…j1 and
        columns i0…i1, whether no cell of the box is covered; None when that window is not
        inside `region` (cells j0, j1, i0, i1), where the pass's one table is kept. The
        same answer as a table made now: the cells covered since are struck out."""
        rj0, rj1, ri0, ri1 = region
        if not (rj0 <= j0 and j1 <= rj1 and ri0 <= i0 and i1 <= ri1):
            return None
        if self._table is None or self._table[:4] != region or len(self._since) > SINCE_MAX:
            covered = self.counts[rj0:rj1, ri0:ri1] != 0
            sat = np.zeros((rj1 - rj0 + 1, ri1 - ri0 + 1), np.int32)
            sat[1:, 1:] = covered.cumsum(0, dtype=np.int32).cumsum(1)
            self._table = (*region, sat)
            self._since = []
        sat = self._table[4]
        a0, a1 = j0 - rj0, j1 - rj0  # the window in the table's rows and columns
        b0, b1 = i0 - ri0, i1 - ri0
        top = slice(a0, a1 - hc + 1, hc)
        bottom = slice(a0 + hc, a1 + 1, hc)
        left, right = slice(b0, b1 - wc + 1), slice(b0 + wc, b1 + 1)
        boxes = sat[bottom, right] - sat[top, right] - sat[bottom, left] + sat[top, left]
        free = boxes == 0
        n_rows, n_cols = free.shape
        for cj0, cj1, ci0, ci1 in self._since:
            # boxes at (j0 + hc·r, i0 + c) meeting cells cj0…cj1 × ci0…ci1
            c_lo, c_hi = max(ci0 - wc + 1 - i0, 0), min(ci1 - i0, n_cols)
            r_lo = max(-((j0 + hc - 1 - cj0) // hc), 0)  # ceil((cj0 - hc + 1 - j0) / hc)
            r_hi = min(-((j0 - cj1) // hc), n_rows)  # ceil((cj1 - j0) / hc)
            if c_lo < c_hi and r_lo < r_hi:
                free[r_lo:r_hi, c_lo:c_hi] = False
        return free

    def is_free(self, r: Rect) -> bool:
        return not self.counts[self._slices(r)].any()

    def free(self, x0: np.ndarray, y0: np.ndarray, x1: np.ndarray, y1: np.ndarray) -> np.ndarray:
        """For each rectangle, whether no cell it touches is covered."""
        i0, j0, i1, j1 = self._cells(x0, y0, x1, y1)
        wi0, wj0 = int(i0.min()), int(j0.min())
        wi1, wj1 = int(i1.max()), int(j1.max())
        if wi1 <= wi0 or wj1 <= wj0:
            return np.ones(len(x0), bool)
        window = self.counts[wj0:wj1, wi0:wi1] != 0
        table = np.zeros((wj1 - wj0 + 1, wi1 - wi0 + 1), np.int32)
        table[1:, 1:] = window.cumsum(0, dtype=np.int32).cumsum(1)
        i0, i1, j0, j1 = i0 - wi0, i1 - wi0, j0 - wj0, j1 - wj0
        covered = table[j1, i1] - table[j0, i1] - table[j1, i0] + table[j0, i0]
        return covered == 0


# Whole placements (the spots, and the label sizes with no room) by everything they depend
# on: the markers, label sizes, selection, visible part and obstacles. Placing every label
# afresh is a pure function of those, so a view opened again at the same size (a chart
# reopened, the editor closed and opened) takes its labels from here instead of searching.
_PLACED: OrderedDict[tuple[object, ...], tuple[dict[str, Spot], frozenset[tuple[float, float]]]]
_PLACED = OrderedDict()
# A chart read ahead places its first view's labels on a worker (ui/editor/ahead.py) while no
# editor is open; the lock keeps the memory whole should the two ever meet.
_PLACED_LOCK = threading.Lock()


def forget_placements() -> None:
    """Drop the remembered placements (a benchmark measuring a first opening)."""
    with _PLACED_LOCK:
        _PLACED.clear()


class LabelLayout:
    """The placement of one view's labels, kept between changes."""

    def __init__(self, marker_radius: float, selected_radius: float, gap: float) -> None:
        self.marker_radius = marker_radius
        self.selected_radius = selected_radius
        self.gap = gap
        self.grid = Grid()
        self.occ = Occupancy((0.0, 0.0, 1.0, 1.0))
        self.markers: dict[str, tuple[float, float, float]] = {}  # x, y, radius
        self.sizes: dict[str, tuple[float, float]] = {}
        self.spots: dict[str, Spot] = {}
        self.rects: dict[str, Rect] = {}
        self.view_key: object = None
        self.bounds: Rect = (0.0, 0.0, 1.0, 1.0)
        self.last_moved = 0  # labels placed by the last call (for tests and the benchmark)
        # Label sizes the whole screen had no room for: more points than fit at this zoom
        # (100 long labels at fit-to-screen). Not searched again until room may have freed.
        self.no_room: set[tuple[float, float]] = set()

    def _label_rect(self, pid: str, spot: Spot) -> Rect:
        x, y, _r = self.markers[pid]
        w, h = self.sizes[pid]
        return (x + spot.dx - PAD, y + spot.dy - PAD, x + spot.dx + w + PAD, y + spot.dy + h + PAD)

    def _reset(
        self,
        markers: Mapping[str, tuple[float, float]],
        view_key: object,
        obstacles: Iterable[Rect],
    ) -> None:
        xs = [x for x, _y in markers.values()] + [self.bounds[0], self.bounds[2]]
        ys = [y for _x, y in markers.values()] + [self.bounds[1], self.bounds[3]]
        self.occ = Occupancy((min(xs) - REACH, min(ys) - REACH, max(xs) + REACH, max(ys) + REACH))
        self.grid = Grid()
        self.markers, self.spots, self.rects, self.sizes = {}, {}, {}, {}
        self.no_room.clear()
        self.view_key = view_key
        for r in obstacles:
            self.occ.add(r)

    def _within_extent(self, x: float, y: float) -> bool:
        e = self.occ.extent
        return e[0] + REACH <= x <= e[2] - REACH and e[1] + REACH <= y <= e[3] - REACH

    def place(
        self,
        markers: Mapping[str, tuple[float, float]],
        sizes: Mapping[str, tuple[float, float]],
        selected: str | None,
        bounds: Rect,
        view_key: object,
        obstacles: Iterable[Rect] = (),
    ) -> dict[str, Spot]:
        """Update the placement for markers and label sizes (pixels at the view's zoom; any
        origin). `bounds` is the visible part, where labels of visible points go. `view_key`
        names the zoom and viewport size: when it changes everything is placed afresh,
        keeping clear of `obstacles` (fixed overlays). Returns the labels whose spot changed."""
        if bounds != self.bounds:
            self.no_room.clear()
        self.bounds = bounds
        self.occ.forget()  # a table kept from the last pass would pile up its additions
        # Afresh when the zoom or size changed, a marker falls outside the occupancy, or
        # nothing was placed yet (the items of a view come after its first, empty pass).
        fresh = (
            not self.markers
            or view_key != self.view_key
            or not all(
                self._within_extent(x, y)
                for pid, (x, y) in markers.items()
                if pid not in self.markers
            )
        )
        if fresh:  # every label placed afresh: perhaps placed so before (`_PLACED`)
            obstacles = tuple(obstacles)
            self._reset(markers, view_key, obstacles)
        dirty: set[str] = set()
        for pid in [p for p in self.markers if p not in markers]:
            x, y, r = self.markers.pop(pid)
            self.grid.remove(("m", pid), _square(x, y, r))
            self.occ.add(_square(x, y, r), -1)
            self._drop_label(pid)
            self.sizes.pop(pid, None)
            self.no_room.clear()
        hit_by_markers: list[Rect] = []
        for pid, (x, y) in markers.items():
            r = self.selected_radius if pid == selected else self.marker_radius
            old = self.markers.get(pid)
            if old == (x, y, r) and self.sizes.get(pid) == sizes[pid]:
                continue
            if old is not None:
                self.grid.remove(("m", pid), _square(*old))
                self.occ.add(_square(*old), -1)
            self.markers[pid] = (x, y, r)
            self.sizes[pid] = sizes[pid]
            square = _square(x, y, r)
            self.grid.add(("m", pid), square)
            self.occ.add(square)
            if old is None or old[:2] != (x, y) or old[2] < r:
                hit_by_markers.append(square)
            if old is None or old[:2] != (x, y) or self.spots.get(pid) is None:
                dirty.add(pid)
            elif self.rects[pid] != self._label_rect(pid, self.spots[pid]):
                dirty.add(pid)  # same place, new size: its text changed
        # Labels that a new, moved or grown marker now covers move too; nothing else does.
        for square in hit_by_markers:
            for key in self.grid.keys_in(square):
                if isinstance(key, tuple) and key[0] == "l":
                    dirty.add(str(key[1]))  # label keys hold a str id
        for pid in dirty:
            self._drop_label(pid)
        changed: dict[str, Spot] = {}
        whole: tuple[object, ...] = ()
        known = None
        if fresh:
            placed = tuple((pid, markers[pid], sizes[pid]) for pid in sorted(markers))
            radii = (self.marker_radius, self.selected_radius, self.gap)
            whole = (placed, selected, bounds, obstacles, radii)
            with _PLACED_LOCK:
                known = _PLACED.get(whole)
        order = list(dirty) if known else sorted(dirty, key=lambda p: self._priority(p, selected))
        for pid in order:
            spot = known[0][pid] if known else self._find(pid)
            self.spots[pid] = spot
            rect = self._label_rect(pid, spot)
            self.rects[pid] = rect
            self.grid.add(("l", pid), rect)
            self.occ.add(rect)
            changed[pid] = spot
        if known:
            self.no_room |= known[1]
            with _PLACED_LOCK:
                if whole in _PLACED:
                    _PLACED.move_to_end(whole)
        elif fresh:
            with _PLACED_LOCK:
                _PLACED[whole] = (dict(changed), frozenset(self.no_room))
                while len(_PLACED) > KEPT_PLACEMENTS:
                    _PLACED.popitem(last=False)
        self.last_moved = len(changed)
        return changed

    def _drop_label(self, pid: str) -> None:
        rect = self.rects.pop(pid, None)
        if rect is not None:
            self.grid.remove(("l", pid), rect)
            self.occ.add(rect, -1)
        self.spots.pop(pid, None)

    def _priority(self, pid: str, selected: str | None) -> tuple[bool, int, float, float]:
        """The selected label first (its sheet is open), then the most crowded: they have
        the fewest free spots, and a lone point finds room anywhere."""
        x, y, _r = self.markers[pid]
        w, h = self.sizes[pid]
        near = len(self.grid.keys_in((x - w, y - h, x + w, y + h)))
        return (pid != selected, -near, y, x)

    def _find(self, pid: str) -> Spot:
        x, y, _r = self.markers[pid]
        w, h = self.sizes[pid]
        b = self.bounds
        inside = b[0] <= x <= b[2] and b[1] <= y <= b[3]
        spots = beside(w, h, self.gap)
        for near in spots:
            r = (x + near.dx - PAD, y + near.dy - PAD, x + near.dx + w + PAD, y + near.dy + h + PAD)
            if inside and not (b[0] <= r[0] and r[2] <= b[2] and b[1] <= r[1] and r[3] <= b[3]):
                continue  # a visible point's label stays on screen
            if self.occ.is_free(r):
                return near
        # Crowded: the free place nearest the point, first close by, then farther, then
        # anywhere on screen, on a lattice of the occupancy's cells whose rows are a label
        # high, so labels pushed out stack like lines of a table and waste no room.
        boxes = [(x - 2 * w, y - 3 * h, x + 2 * w, y + 3 * h)]
        if not inside:
            boxes.append((x - REACH / 2, y - REACH / 2, x + REACH / 2, y + REACH / 2))
        elif (w, h) not in self.no_room:
            boxes.append(b)
        for box in boxes:
            if inside:
                box = (max(box[0], b[0]), max(box[1], b[1]), min(box[2], b[2]), min(box[3], b[3]))
            spot = self._nearest_free(x, y, w, h, box)
            if spot is not None:
                return spot
        if inside:
            self.no_room.add((w, h))
        # Only a viewport too small for all its labels gets here: show it anyway.
        return spots[0]

    def _screen_cells(self) -> tuple[int, int, int, int]:
        """The occupancy's cells (rows j0…j1, columns i0…i1) spanning the visible part,
        where the windows of on-screen labels lie: the pass's one summed-area table."""
        occ, b = self.occ, self.bounds
        rows, cols = occ.counts.shape
        return (
            min(max(math.floor((b[1] - occ.oy) / CELL_PX), 0), rows),
            min(max(math.ceil((b[3] - occ.oy) / CELL_PX), 0), rows),
            min(max(math.floor((b[0] - occ.ox) / CELL_PX), 0), cols),
            min(max(math.ceil((b[2] - occ.ox) / CELL_PX), 0), cols),
        )

    def _nearest_free(self, x: float, y: float, w: float, h: float, box: Rect) -> Spot | None:
        """On a lattice of whole cells inside `box` (rows a label high, so labels pushed out
        stack like lines of a table), the free place whose leader would be shortest."""
        occ = self.occ
        rows, cols = occ.counts.shape
        wc = math.ceil((w + 2 * PAD) / CELL_PX)
        hc = math.ceil((h + 2 * PAD) / CELL_PX)
        i0 = max(math.ceil((box[0] - occ.ox) / CELL_PX), 0)
        i1 = min(math.floor((box[2] - occ.ox) / CELL_PX), cols)
        j0 = max(math.ceil((box[1] - occ.oy) / CELL_PX / hc) * hc, 0)
        j1 = min(math.floor((box[3] - occ.oy) / CELL_PX), rows)
        if i1 - i0 < wc or j1 - j0 < hc:
            return None
        free = occ.lattice_free(self._screen_cells(), j0, j1, i0, i1, wc, hc)
        if free is None:  # a window off screen (a point out of view): its own table
            covered = occ.counts[j0:j1, i0:i1] != 0
            table = np.zeros((j1 - j0 + 1, i1 - i0 + 1), np.int32)
            table[1:, 1:] = covered.cumsum(0, dtype=np.int32).cumsum(1)
            # Covered cells under a wc×hc box at every top-left cell, then every hc-th row.
            boxes = table[hc:, wc:] - table[:-hc, wc:] - table[hc:, :-wc] + table[:-hc, :-wc]
            free = boxes[::hc] == 0
        if not free.any():
            return None
        gx = occ.ox + CELL_PX * (i0 + np.arange(free.shape[1]))[None, :] + PAD
        gy = occ.oy + CELL_PX * (j0 + hc * np.arange(free.shape[0]))[:, None] + PAD
        # Leader length, point to the label's nearest edge; a label level with its point
        # reads more easily, so vertical distance counts double.
        ddx = np.maximum(np.maximum(gx - x, x - (gx + w)), 0.0)
        ddy = np.maximum(np.maximum(gy - y, y - (gy + h)), 0.0)
        cost = np.where(free, ddx * ddx + 4 * ddy * ddy, np.inf)
        r, c = np.unravel_index(int(np.argmin(cost)), cost.shape)
        return Spot(float(gx[0, c] - x), float(gy[r, 0] - y), True)
