"""Pure edits of a microneedling chart: each returns new content (an undo step is the content
before and after, ui/editor/commands.py), and the geometry a drawn area needs."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

from app.domain.chart import ChartContent, ViewChart
from app.domain.microneedling import MicroneedlingSession, TreatedArea, Vertex


def _view(content: ChartContent, view: str) -> ViewChart:
    return content.view(view) or ViewChart(view=view)


def put_area(content: ChartContent, view: str, area: TreatedArea) -> ChartContent:
    """Add an area, or replace the area with the same id (keeping its place)."""
    v = _view(content, view)
    if any(a.id == area.id for a in v.areas):
        areas = tuple(area if a.id == area.id else a for a in v.areas)
    else:
        areas = (*v.areas, area)
    return content.with_view(replace(v, areas=areas))


def remove_area(content: ChartContent, view: str, area_id: str) -> ChartContent:
    v = _view(content, view)
    return content.with_view(replace(v, areas=tuple(a for a in v.areas if a.id != area_id)))


def find_area(content: ChartContent, area_id: str) -> tuple[str, TreatedArea] | None:
    return next(((v, a) for v, a in content.all_areas() if a.id == area_id), None)


def put_session(content: ChartContent, session: MicroneedlingSession) -> ChartContent:
    return replace(content, microneedling=session)


# -- geometry ---------------------------------------------------------------------------------


def polygon_area(polygon: Sequence[Vertex]) -> float:
    """Unsigned area (shoelace), in square photo pixels."""
    n = len(polygon)
    twice = sum(
        polygon[i][0] * polygon[(i + 1) % n][1] - polygon[(i + 1) % n][0] * polygon[i][1]
        for i in range(n)
    )
    return abs(twice) / 2.0


def contains(polygon: Sequence[Vertex], x: float, y: float) -> bool:
    """Even-odd rule: is (x, y) inside the polygon?"""
    inside = False
    n = len(polygon)
    for i in range(n):
        (x1, y1), (x2, y2) = polygon[i], polygon[(i + 1) % n]
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def centroid(polygon: Sequence[Vertex]) -> Vertex:
    """The area centroid (where a label sits); the vertices' mean for a degenerate outline."""
    n = len(polygon)
    a = cx = cy = 0.0
    for i in range(n):
        (x1, y1), (x2, y2) = polygon[i], polygon[(i + 1) % n]
        cross = x1 * y2 - x2 * y1
        a += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    if abs(a) < 1e-9:
        return (sum(p[0] for p in polygon) / n, sum(p[1] for p in polygon) / n)
    return (cx / (3 * a), cy / (3 * a))


def simplify(polygon: Sequence[Vertex], tolerance: float) -> tuple[Vertex, ...]:
    """Douglas–Peucker on a closed outline: a brush's outline has hundreds of vertices where
    a few dozen draw the same region to within `tolerance` photo pixels."""
    pts = list(polygon)
    if len(pts) <= 4:
        return tuple(pts)
    # split the ring at its farthest pair of points so both halves are open polylines
    far = max(range(len(pts)), key=lambda i: math.dist(pts[0], pts[i]))
    first = _dp(pts[: far + 1], tolerance)
    second = _dp([*pts[far:], pts[0]], tolerance)
    out = tuple(first[:-1] + second[:-1])
    return out if len(out) >= 3 else tuple(pts)


def _dp(line: list[Vertex], tolerance: float) -> list[Vertex]:
    if len(line) < 3:
        return line
    (ax, ay), (bx, by) = line[0], line[-1]
    length = math.hypot(bx - ax, by - ay)
    best, index = -1.0, 0
    for i in range(1, len(line) - 1):
        px, py = line[i]
        if length == 0:
            d = math.hypot(px - ax, py - ay)
        else:
            d = abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / length
        if d > best:
            best, index = d, i
    if best <= tolerance:
        return [line[0], line[-1]]
    return _dp(line[: index + 1], tolerance)[:-1] + _dp(line[index:], tolerance)
