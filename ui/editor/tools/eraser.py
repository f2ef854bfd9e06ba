"""Eraser: whole strokes, or partial (a stroke is cut into pieces). The eraser's own path is
only shown while erasing and never stored."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsPathItem

from app.domain import strokes as geo
from ui.editor.tools.base import Tool, ToolHost

SCREEN_RADIUS_PX = 18.0  # the eraser is a fingertip wide on screen, whatever the zoom


class EraserTool(Tool):
    name = "eraser"

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        self.whole = False
        self.path: list[tuple[float, float]] = []
        self.trail: QGraphicsPathItem | None = None
        self._radius = 1.0

    def press(self, pos: QPointF, pressure: float, ms: float, kind: str) -> None:
        super().press(pos, pressure, ms, kind)
        self._radius = SCREEN_RADIUS_PX * self.host.screen_px()
        self.path = [(pos.x(), pos.y())]
        self.trail = QGraphicsPathItem()
        pen = QPen(QColor(255, 255, 255, 90), self._radius * 2)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        self.trail.setPen(pen)
        self.trail.setZValue(6)
        self.host.scene_.addItem(self.trail)
        self._update_trail()

    def move(self, pos: QPointF, pressure: float, ms: float) -> None:
        if self.trail is not None:
            self.path.append((pos.x(), pos.y()))
            self._update_trail()

    def _update_trail(self) -> None:
        if self.trail is None:
            return
        p = QPainterPath(QPointF(*self.path[0]))
        for x, y in self.path[1:] or self.path:
            p.lineTo(x, y)
        self.trail.setPath(p)

    def release(self, pos: QPointF, ms: float) -> None:
        super().release(pos, ms)
        self._drop_trail()
        session = self.host.session
        chart = session.content.view(self.host.view_code)
        if chart is None or not self.path:
            return
        removed, added = geo.erase(chart.strokes, self.path, self._radius, self.whole)
        if removed:
            session.erase(self.host.view_code, removed, added)

    def cancel(self) -> None:
        super().cancel()
        self._drop_trail()

    def _drop_trail(self) -> None:
        if self.trail is not None:
            self.host.scene_.removeItem(self.trail)
            self.trail = None
