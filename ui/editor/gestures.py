"""How the canvas hears pen, fingers, mouse and wheel (rules in ui/editor/input.py, ADR 0010).

A mixin of ChartCanvas: it takes every input event of the viewport, accepts it (so Qt makes up
no mouse events from it) and turns it into tool calls in photo pixels, pans and zooms.
"""

from __future__ import annotations

import math
from typing import cast

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent, QTabletEvent, QTouchEvent, QWheelEvent
from PySide6.QtWidgets import QGraphicsView

from app.domain.chart import InjectionPoint
from ui.editor import input as inp
from ui.editor.input import PenState
from ui.editor.session import EditorSession
from ui.editor.tools.base import Tool


class GestureMixin(QGraphicsView):
    """The input half of the canvas; the canvas (ui/editor/canvas.py) supplies the zoom, the
    tools and the hit test below."""

    pen: PenState
    _gesture: str | None  # tool | pending | pan | pinch | after_pinch | pen | mouse | ignored
    _active_tool: Tool | None
    _last: QPointF
    _start: QPointF
    _pinch: tuple[float, float, QPointF, float, float] | None
    _last_two_tap: float

    @property
    def session(self) -> EditorSession:
        raise NotImplementedError

    def tool_for(self, kind: str) -> Tool:
        raise NotImplementedError

    def point_at(self, pos: QPointF) -> InjectionPoint | None:
        raise NotImplementedError

    def open_point(self, point_id: str | None) -> None:
        raise NotImplementedError

    def area_at(self, pos: QPointF) -> str | None:
        raise NotImplementedError

    def scale_(self) -> float:
        raise NotImplementedError

    def fit(self) -> None:
        raise NotImplementedError

    def zoom_to(self, scale: float, anchor_vp: QPointF, anchor_scene: QPointF) -> None:
        raise NotImplementedError

    def zoom_by(self, factor: float, anchor_vp: QPointF) -> None:
        raise NotImplementedError

    def pan_by(self, delta: QPointF) -> None:
        raise NotImplementedError

    def _keep_under(self, anchor_vp: QPointF, anchor_scene: QPointF) -> None:
        raise NotImplementedError

    # -- input ------------------------------------------------------------------------------

    def _tool(self, kind: str) -> Tool:
        return self.tool_for(kind)

    def viewportEvent(self, event: QEvent) -> bool:
        t = event.type()
        if t in (QEvent.Type.TabletPress, QEvent.Type.TabletMove, QEvent.Type.TabletRelease):
            self._tablet(cast(QTabletEvent, event))  # the type above says which class
            return True
        if t in (QEvent.Type.TabletEnterProximity, QEvent.Type.TabletLeaveProximity):
            self.pen.pen_event(t == QEvent.Type.TabletEnterProximity)
            return True
        if t in (
            QEvent.Type.TouchBegin,
            QEvent.Type.TouchUpdate,
            QEvent.Type.TouchEnd,
            QEvent.Type.TouchCancel,
        ):
            self._touch(cast(QTouchEvent, event))
            return True
        if t in (
            QEvent.Type.MouseButtonPress,
            QEvent.Type.MouseMove,
            QEvent.Type.MouseButtonRelease,
            QEvent.Type.MouseButtonDblClick,
        ):
            self._mouse(cast(QMouseEvent, event))
            return True
        if t == QEvent.Type.Wheel:
            self._wheel(cast(QWheelEvent, event))
            return True
        return super().viewportEvent(event)

    def _scene_pos(self, vp: QPointF) -> QPointF:
        # mapToScene(QPointF) keeps sub-pixel pen positions: a pen reports fractions.
        return self.viewportTransform().inverted()[0].map(vp)

    def _tablet(self, e: QTabletEvent) -> None:
        e.accept()  # no synthesised mouse events: the pen is handled here
        pen = self.pen
        pen.pen_event(True)
        pos = self._scene_pos(e.position())
        pressure = float(e.pressure())
        ms = float(e.timestamp()) if e.timestamp() else inp.now_ms()
        if e.type() == QEvent.Type.TabletPress:
            if self._gesture is not None:  # the pen wins over a finger that was drawing
                self._cancel()
            if self.session.read_only:
                self._inspect(pos)
                return
            self._active_tool = self._tool(inp.tablet_kind(e))
            self._gesture = "pen"
            self._active_tool.press(pos, pressure, ms, "pen")
        elif e.type() == QEvent.Type.TabletMove:
            if self._gesture == "pen" and self._active_tool is not None:
                self._active_tool.move(pos, pressure, ms)
        elif self._gesture == "pen" and self._active_tool is not None:
            self._active_tool.release(pos, ms)
            self._gesture, self._active_tool = None, None

    def _inspect(self, pos: QPointF) -> None:
        """A read-only chart still answers a tap on a point with its (locked) sheet."""
        hit = self.point_at(pos)
        if hit is not None:
            self.open_point(hit.id)
        elif (area_id := self.area_at(pos)) is not None:  # a microneedling area's sheet
            self.open_point(area_id)

    def _cancel(self) -> None:
        if self._gesture in ("tool", "pen", "mouse") and self._active_tool is not None:
            self._active_tool.cancel()
        self._gesture, self._active_tool, self._pinch = None, None, None

    def _touch(self, e: QTouchEvent) -> None:
        e.accept()
        t = e.type()
        ending = t in (QEvent.Type.TouchEnd, QEvent.Type.TouchCancel)
        if self.pen.palm_guard():  # the palm under a pen: nothing happens
            if self._gesture not in (None, "ignored", "pen"):
                self._cancel()
            self._gesture = None if ending else ("pen" if self._gesture == "pen" else "ignored")
            return
        if self._gesture == "ignored":
            if ending:
                self._gesture = None
            return
        pts = inp.touch_points(e)
        if ending:
            self._touch_end(e)
            return
        if len(pts) >= 2:
            self._pinch_update(pts[0].position(), pts[1].position())
            return
        if self._gesture == "pinch" or self._gesture == "after_pinch":
            self._gesture = "after_pinch"  # one finger lifted: wait for all up
            return
        pos_vp = pts[0].position()
        scene_pos = self._scene_pos(pos_vp)
        if self._gesture is None:
            tool = self._tool("finger")
            self._start = self._last = QPointF(pos_vp)
            if not self.session.read_only and (
                (self.pen.finger_drawing and tool.draws_with_finger) or tool.grabs_finger(scene_pos)
            ):
                self._gesture, self._active_tool = "tool", tool
                tool.press(scene_pos, inp.FINGER_PRESSURE, inp.now_ms(), "finger")
            else:
                self._gesture = "pending"
            return
        if self._gesture == "tool" and self._active_tool is not None:
            self._active_tool.move(scene_pos, inp.FINGER_PRESSURE, inp.now_ms())
        elif self._gesture == "pending":
            d = pos_vp - self._start
            if math.hypot(d.x(), d.y()) > inp.TAP_SLOP_PX:
                self._gesture = "pan"
                self.pan_by(pos_vp - self._last)
                self._last = QPointF(pos_vp)
        elif self._gesture == "pan":
            self.pan_by(pos_vp - self._last)
            self._last = QPointF(pos_vp)

    def _touch_end(self, e: QTouchEvent) -> None:
        pts = list(e.points())
        pos_vp = pts[0].position() if pts else self._last
        if self._gesture == "tool" and self._active_tool is not None:
            self._active_tool.release(self._scene_pos(pos_vp), inp.now_ms())
        elif self._gesture == "pending" and self.session.read_only:
            self._inspect(self._scene_pos(pos_vp))
        elif self._gesture == "pending":
            self._tool("finger").tap(self._scene_pos(pos_vp))
        elif self._gesture in ("pinch", "after_pinch") and self._pinch is not None:
            _d0, _s0, _a, started, moved = self._pinch
            if inp.now_ms() - started < inp.TWO_FINGER_TAP_MS and moved < inp.TAP_SLOP_PX:
                if inp.now_ms() - self._last_two_tap < inp.DOUBLE_TAP_MS:
                    self.fit()
                    self._last_two_tap = -1e12
                else:
                    self._last_two_tap = inp.now_ms()
        self._gesture, self._active_tool, self._pinch = None, None, None

    def _pinch_update(self, a: QPointF, b: QPointF) -> None:
        centre = (a + b) / 2
        dist = max(math.hypot(a.x() - b.x(), a.y() - b.y()), 1.0)
        if self._gesture != "pinch" or self._pinch is None:
            if self._gesture == "tool" and self._active_tool is not None:
                self._active_tool.cancel()  # a second finger: it was a pinch, not a line
            self._gesture, self._active_tool = "pinch", None
            anchor = self._scene_pos(centre)
            self._pinch = (dist, self.scale_(), anchor, inp.now_ms(), 0.0)
            self._start = QPointF(centre)
            return
        d0, s0, anchor, started, moved = self._pinch
        d = centre - self._start
        moved = max(moved, math.hypot(d.x(), d.y()), abs(dist - d0))
        self._pinch = (d0, s0, anchor, started, moved)
        # Zoom by the change in finger spread, and keep the photo point under the fingers.
        self.zoom_to(s0 * dist / d0, centre, anchor)
        self._keep_under(centre, anchor)

    def _mouse(self, e: QMouseEvent) -> None:
        e.accept()
        if inp.is_touch_device(e):
            return  # synthesised from touch or pen, which were handled as such
        pos_vp = e.position()
        t = e.type()
        if t == QEvent.Type.MouseButtonPress:
            if self._gesture is not None:
                return
            self._last = QPointF(pos_vp)
            if e.button() == Qt.MouseButton.LeftButton and not self.session.read_only:
                self._gesture, self._active_tool = "mouse", self._tool("mouse")
                self._active_tool.press(
                    self._scene_pos(pos_vp), inp.MOUSE_PRESSURE, inp.now_ms(), "mouse"
                )
            else:
                if self.session.read_only and e.button() == Qt.MouseButton.LeftButton:
                    self._inspect(self._scene_pos(pos_vp))
                self._gesture = "mousepan"
        elif t == QEvent.Type.MouseMove:
            if self._gesture == "mouse" and self._active_tool is not None:
                self._active_tool.move(self._scene_pos(pos_vp), inp.MOUSE_PRESSURE, inp.now_ms())
            elif self._gesture == "mousepan":
                self.pan_by(pos_vp - self._last)
                self._last = QPointF(pos_vp)
        elif t == QEvent.Type.MouseButtonRelease:
            if self._gesture == "mouse" and self._active_tool is not None:
                self._active_tool.release(self._scene_pos(pos_vp), inp.now_ms())
            if self._gesture in ("mouse", "mousepan"):
                self._gesture, self._active_tool = None, None

    def _wheel(self, e: QWheelEvent) -> None:
        e.accept()
        steps = e.angleDelta().y() / 120.0
        if steps:
            self.zoom_by(1.25**steps, e.position())
