"""Differences between two chart versions, by stable point id."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

from app.domain.chart import ChartContent, InjectionPoint

MOVE_TOLERANCE_PX = 0.5  # below half a pixel a point has not moved


@dataclass(frozen=True, slots=True)
class PointChange:
    view: str
    point_id: str
    before: InjectionPoint | None
    after: InjectionPoint | None


@dataclass(slots=True)
class ChartDiff:
    added: list[PointChange] = field(default_factory=list)
    removed: list[PointChange] = field(default_factory=list)
    moved: list[PointChange] = field(default_factory=list)
    units_changed: list[PointChange] = field(default_factory=list)
    other_changed: list[PointChange] = field(default_factory=list)  # product, depth, zone, note
    strokes_added: int = 0
    strokes_removed: int = 0
    # views whose earlier-chart overlays (which ones, or their alignment) changed
    overlays_changed: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (
            self.added
            or self.removed
            or self.moved
            or self.units_changed
            or self.other_changed
            or self.strokes_added
            or self.strokes_removed
            or self.overlays_changed
        )


def diff_charts(old: ChartContent, new: ChartContent) -> ChartDiff:
    result = ChartDiff()
    old_points = {p.id: (v, p) for v, p in old.all_points()}
    new_points = {p.id: (v, p) for v, p in new.all_points()}
    for pid, (view, p) in new_points.items():
        if pid not in old_points:
            result.added.append(PointChange(view, pid, None, p))
            continue
        _, q = old_points[pid]
        change = PointChange(view, pid, q, p)
        if math.hypot(p.x - q.x, p.y - q.y) > MOVE_TOLERANCE_PX:
            result.moved.append(change)
        if Decimal(p.units) != Decimal(q.units):
            result.units_changed.append(change)
        if (p.product, p.depth, p.zone, p.side, p.note) != (
            q.product,
            q.depth,
            q.zone,
            q.side,
            q.note,
        ):
            result.other_changed.append(change)
    for pid, (view, q) in old_points.items():
        if pid not in new_points:
            result.removed.append(PointChange(view, pid, q, None))
    old_strokes = {s.id for v in old.views for s in v.strokes}
    new_strokes = {s.id for v in new.views for s in v.strokes}
    result.strokes_added = len(new_strokes - old_strokes)
    result.strokes_removed = len(old_strokes - new_strokes)
    old_overlays = {v.view: v.overlays for v in old.views if v.overlays}
    new_overlays = {v.view: v.overlays for v in new.views if v.overlays}
    result.overlays_changed = sorted(
        view
        for view in old_overlays.keys() | new_overlays.keys()
        if old_overlays.get(view) != new_overlays.get(view)
    )
    return result
