"""Microneedling areas, drawn two ways, both stored as one polygon in photo pixels:

- AreaTool: tap the corners with pen or finger; tap the first corner again (or Finish on the
  Area page) to close it. With the pen a drag draws the outline freehand (a lasso). A tap on
  an existing area, before any corner, opens its sheet. A finger drag pans, as it does for
  points.
- BrushTool: paint the region with a wide brush (pen, or finger when finger drawing is on);
  on lifting, the painted region's outline becomes the polygon, or, painted over an area of
  the view, grows that area (app/domain/mn_merge.py).
Each finished area is one undo step (ui/editor/mn_edits.py)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsPathItem

from app.domain.microneedling import Vertex
from app.domain.mn_editing import polygon_area, simplify
from ui.editor.mn_edits import AreaEdits
from ui.editor.mn_items import DraftOutline
from ui.editor.tools.base import Tool, ToolHost
from ui.editor.tools.point import TAP_SLOP_PX

CLOSE_PX = 28.0  # screen pixels around the first corner that close the outline
CORNER_RING_PX = 14.0
BRUSH_PX = 40.0  # the brush's width on screen at the zoom it paints at
MIN_AREA_PX2 = 400.0  # screen px²: smaller is a slip, not an area
SIMPLIFY_PX = 1.5  # an outline kept to within this many screen pixels


class AreaTool(Tool):
    name = "area"
    draws_with_finger = False  # a finger drag pans; a finger tap places a corner

    def __init__(
        self, host: ToolHost, edits: AreaEdits, drafting: Callable[[AreaTool], None]
    ) -> None:
        super().__init__(host)
        self.edits = edits
        self.drafting = drafting  # told when corners change (the Area page's Finish/Cancel)
        self.corners: list[Vertex] = []
        self.outline: DraftOutline | None = None
        self._start = QPointF()
        self._trace: list[Vertex] = []

    # -- press, move, release: a tap places a corner; a pen drag is a lasso ---------------

    def press(self, pos: QPointF, pressure: float, ms: float, kind: str) -> None:
        super().press(pos, pressure, ms, kind)
        self._start = QPointF(pos)
        self._trace = [(pos.x(), pos.y())]

    def move(self, pos: QPointF, pressure: float, ms: float) -> None:
        if not self.active:
            return
        self._trace.append((pos.x(), pos.y()))
        if not self.corners and self._far(pos):
            self._show(self._trace, None)

    def release(self, pos: QPointF, ms: float) -> None:
        super().release(pos, ms)
        trace, self._trace = self._trace, []
        if not self._far(pos) and all(not self._far(QPointF(x, y)) for x, y in trace):
            self.tap(pos)
            return
        if self.corners:  # a drag while tapping corners: its end is the next corner
            self.tap(pos)
            return
        self._finish_polygon(tuple(trace))

    def cancel(self) -> None:
        super().cancel()
        self._trace = []
        self._show(self.corners, None)  # the corners placed so far stay

    def tap(self, pos: QPointF) -> None:
        px = self.host.screen_px()
        if len(self.corners) >= 3:
            x0, y0 = self.corners[0]
            if (pos.x() - x0) ** 2 + (pos.y() - y0) ** 2 <= (CLOSE_PX * px) ** 2:
                self.finish()
                return
        if not self.corners:
            hit = self.host.area_at(pos)
            if hit is not None:
                self.host.open_point(hit)
                return
        if not self.host.scene_.frame.contains(pos):
            return
        self.corners.append((pos.x(), pos.y()))
        self._show(self.corners, None)
        self.drafting(self)

    # -- the outline --------------------------------------------------------------------------

    def _far(self, pos: QPointF) -> bool:
        d = pos - self._start
        return (d.x() ** 2 + d.y() ** 2) ** 0.5 > TAP_SLOP_PX * self.host.screen_px()

    def _show(self, vertices: list[Vertex], live: Vertex | None) -> None:
        if not vertices:
            if self.outline is not None:
                self.host.scene_.removeItem(self.outline)
                self.outline = None
            return
        if self.outline is None:
            self.outline = DraftOutline()
            self.host.scene_.addItem(self.outline)
        self.outline.set_vertices(vertices, CORNER_RING_PX * self.host.screen_px(), live)

    def finish(self) -> bool:
        """Close the outline tapped so far into an area (False: fewer than 3 corners)."""
        corners = tuple(self.corners)
        if len(corners) < 3:
            return False
        self.abandon()
        return self._finish_polygon(corners)

    def abandon(self) -> None:
        self.corners = []
        self._show([], None)
        self.drafting(self)

    def _finish_polygon(self, polygon: tuple[Vertex, ...]) -> bool:
        self._show(self.corners, None)
        px = self.host.screen_px()
        outline = simplify(polygon, SIMPLIFY_PX * px) if len(polygon) > 8 else polygon
        if len(outline) < 3 or polygon_area(outline) < MIN_AREA_PX2 * px * px:
            return False
        self.edits.add_area(self.host.view_code, tuple(outline))
        return True


class BrushTool(Tool):
    name = "brush"

    def __init__(self, host: ToolHost, edits: AreaEdits) -> None:
        super().__init__(host)
        self.edits = edits
        self.live: QGraphicsPathItem | None = None
        self._path = QPainterPath()
        self._width = BRUSH_PX
        self._start = QPointF()
        self._moved = False

    def press(self, pos: QPointF, pressure: float, ms: float, kind: str) -> None:
        super().press(pos, pressure, ms, kind)
        self._width = BRUSH_PX * self.host.screen_px()
        self._start = QPointF(pos)
        self._moved = False
        self._path = QPainterPath(pos)
        self.live = QGraphicsPathItem()
        pen = QPen(QColor(255, 255, 255, 110), self._width)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        self.live.setPen(pen)
        self.live.setZValue(20)
        self.host.scene_.addItem(self.live)

    def move(self, pos: QPointF, pressure: float, ms: float) -> None:
        if self.live is None:
            return
        d = pos - self._start
        self._moved |= (d.x() ** 2 + d.y() ** 2) ** 0.5 > TAP_SLOP_PX * self.host.screen_px()
        self._path.lineTo(pos)
        self.live.setPath(self._path)

    def release(self, pos: QPointF, ms: float) -> None:
        super().release(pos, ms)
        live, self.live = self.live, None
        if live is None:
            return
        self.host.scene_.removeItem(live)
        if not self._moved:
            self.tap(pos)
            return
        self._path.lineTo(pos)
        polygon = brush_outline(self._path, self._width)
        px = self.host.screen_px()
        if len(polygon) >= 3 and polygon_area(polygon) >= MIN_AREA_PX2 * px * px:
            outline = simplify(polygon, SIMPLIFY_PX * px)
            # painted over an area, the stroke grows it (a mere graze of its edge does not)
            self.edits.add_stroke(
                self.host.view_code, outline, SIMPLIFY_PX * px, MIN_AREA_PX2 * px * px
            )

    def cancel(self) -> None:
        super().cancel()
        if self.live is not None:
            self.host.scene_.removeItem(self.live)
            self.live = None

    def tap(self, pos: QPointF) -> None:
        hit = self.host.area_at(pos)
        if hit is not None:
            self.host.open_point(hit)


def brush_outline(path: QPainterPath, width: float) -> tuple[Vertex, ...]:
    """The outline of what a round brush of `width` painted along `path`: the largest of the
    painted region's fill polygons (a hole the brush went round is not kept out)."""
    stroker = QPainterPathStroker()
    stroker.setWidth(width)
    stroker.setCapStyle(Qt.PenCapStyle.RoundCap)
    stroker.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    region = stroker.createStroke(path).simplified()
    best: tuple[Vertex, ...] = ()
    for poly in region.toFillPolygons():
        pts = tuple((poly.at(i).x(), poly.at(i).y()) for i in range(poly.size()))
        if len(pts) > 1 and pts[0] == pts[-1]:
            pts = pts[:-1]
        if len(pts) >= 3 and (not best or polygon_area(pts) > polygon_area(best)):
            best = pts
    return best
