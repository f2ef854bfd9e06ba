"""Injection points: tap to place (taking the last product and units), drag to move, tap a
point to open its sheet. A drag is one undo step, however long."""

from __future__ import annotations

from PySide6.QtCore import QPointF

from app.domain.chart import InjectionPoint
from ui.editor.tools.base import Tool, ToolHost

TAP_SLOP_PX = 12.0  # screen pixels a fingertip wobbles during a tap


class PointTool(Tool):
    name = "point"
    draws_with_finger = False

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        self.target: InjectionPoint | None = None
        self.start = QPointF()
        self.dragging = False

    def grabs_finger(self, pos: QPointF) -> bool:
        return self.host.point_at(pos) is not None

    def press(self, pos: QPointF, pressure: float, ms: float, kind: str) -> None:
        super().press(pos, pressure, ms, kind)
        self.target = self.host.point_at(pos)
        self.start = QPointF(pos)
        self.dragging = False

    def _moved_far(self, pos: QPointF) -> bool:
        d = pos - self.start
        return (d.x() ** 2 + d.y() ** 2) ** 0.5 > TAP_SLOP_PX * self.host.screen_px()

    def move(self, pos: QPointF, pressure: float, ms: float) -> None:
        if self.target is None:
            return
        if not self.dragging and self._moved_far(pos):
            self.dragging = True
        if self.dragging:
            # Feedback only: the model changes once, on release.
            scene = self.host.scene_
            for item in (
                scene.point_items.get(self.target.id),
                scene.label_items.get(self.target.id),
            ):
                if item is not None:
                    item.setPos(self._clamped(pos))

    def _clamped(self, pos: QPointF) -> QPointF:
        f = self.host.scene_.frame
        return QPointF(
            min(max(pos.x(), f.left()), f.right()), min(max(pos.y(), f.top()), f.bottom())
        )

    def release(self, pos: QPointF, ms: float) -> None:
        super().release(pos, ms)
        target, self.target = self.target, None
        if target is None:
            if not self._moved_far(pos):
                self.tap(pos)
            return
        if self.dragging:
            p = self._clamped(pos)
            self.host.session.move_point(target.id, p.x(), p.y())
            self.host.open_point(target.id)
        else:
            self.host.open_point(target.id)

    def cancel(self) -> None:
        super().cancel()
        if self.target is not None and self.dragging:
            self.host.scene_.sync(self.host.session.content)  # put the dragged item back
        self.target = None

    def tap(self, pos: QPointF) -> None:
        hit = self.host.point_at(pos)
        if hit is not None:
            self.host.open_point(hit.id)
            return
        if not self.host.scene_.frame.contains(pos):
            return
        point = self.host.session.add_point(self.host.view_code, pos.x(), pos.y())
        self.host.open_point(point.id)
