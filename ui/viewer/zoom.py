"""A QGraphicsView that fits its frame and lets fingers, pens and wheels zoom and pan.

Two fingers pinch (zoom about their midpoint) and move together (pan); one finger, the pen or
the mouse drags to pan; the wheel zooms under the pointer; a double tap fits again. Zoom is
clamped between "whole photo" and MAX_ZOOM times that, so a photo can never get lost. A touch
or click that did not move is a tap, handed to `tapped()` in viewport pixels.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import QMouseEvent, QResizeEvent, QShowEvent, QTouchEvent, QWheelEvent
from PySide6.QtWidgets import QGraphicsView, QWidget

MAX_ZOOM = 8.0
WHEEL_STEP = 1.0015  # per 1/8 degree: one notch (120) zooms by about 20 %
TAP_SLOP_PX = 12.0  # a fingertip's wobble during a tap


def _distance(a: QPointF, b: QPointF) -> float:
    return math.hypot(a.x() - b.x(), a.y() - b.y())


class ZoomableView(QGraphicsView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.frame = QRectF()
        self._fit_scale = 1.0
        self._user_zoomed = False
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
        self._press: QPointF | None = None  # where a one-finger touch or a click began
        self._moved = 0.0

    def tapped(self, at: QPointF) -> None:
        """A tap at a viewport position; nothing by default."""

    # -- fitting ----------------------------------------------------------------------------

    def fit(self) -> None:
        if self.frame.isEmpty():
            return
        self.fitInView(self.frame, Qt.AspectRatioMode.KeepAspectRatio)
        self._fit_scale = self.transform().m11()
        self._user_zoomed = False

    def zoom(self) -> float:
        """Current zoom relative to the whole-photo fit (1.0 = fitted)."""
        return self.transform().m11() / self._fit_scale if self._fit_scale else 1.0

    def zoom_by(self, factor: float, anchor: QPointF) -> None:
        """Zoom about `anchor` (viewport pixels): the scene point under it stays under it."""
        current = self.transform().m11()
        target = min(max(current * factor, self._fit_scale), self._fit_scale * MAX_ZOOM)
        if math.isclose(target, current):
            return
        under = self.mapToScene(anchor.toPoint())
        f = target / current
        self.scale(f, f)
        self._keep_under(under, anchor)
        self._user_zoomed = target > self._fit_scale * 1.001
        if not self._user_zoomed:
            self.fit()

    def pan_by(self, dx: float, dy: float) -> None:
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        h.setValue(h.value() - round(dx))
        v.setValue(v.value() - round(dy))

    def _keep_under(self, scene_point: QPointF, anchor: QPointF) -> None:
        moved = self.mapFromScene(scene_point)
        self.pan_by(anchor.x() - moved.x(), anchor.y() - moved.y())

    # -- input ------------------------------------------------------------------------------

    def viewportEvent(self, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.TouchEnd):
            assert isinstance(event, QTouchEvent)
            self._touch(event)
            event.accept()
            return True
        return super().viewportEvent(event)

    def _touch(self, event: QTouchEvent) -> None:
        points = [p for p in event.points() if p.state() != p.State.Released]
        if event.type() == QEvent.Type.TouchBegin:
            self._press = points[0].position() if len(points) == 1 else None
            self._moved = 0.0
            return
        if event.type() == QEvent.Type.TouchEnd:
            ended = list(event.points())
            if self._press is not None and ended and self._moved <= TAP_SLOP_PX:
                self.tapped(ended[0].position())
            self._press = None
            return
        if len(points) == 0:
            return
        if len(points) >= 2:
            self._press = None  # a pinch is never a tap
        elif self._press is not None:
            self._moved = max(self._moved, _distance(points[0].position(), self._press))
        if len(points) == 1:
            p = points[0]
            delta = p.position() - p.lastPosition()
            self.pan_by(delta.x(), delta.y())
            return
        a, b = points[0], points[1]
        before = _distance(a.lastPosition(), b.lastPosition())
        now = _distance(a.position(), b.position())
        mid_before = (a.lastPosition() + b.lastPosition()) / 2
        mid_now = (a.position() + b.position()) / 2
        if before > 1 and now > 1:
            self.zoom_by(now / before, mid_before)
        self.pan_by(mid_now.x() - mid_before.x(), mid_now.y() - mid_before.y())

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y()
        if steps:
            self.zoom_by(WHEEL_STEP**steps, event.position())
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._press, self._moved = event.position(), 0.0
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if self._press is not None and _distance(event.position(), self._press) <= TAP_SLOP_PX:
            self.tapped(event.position())
        self._press = None

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self.fit()  # a double tap brings the whole photo back
        event.accept()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if not self._user_zoomed:
            self.fit()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._user_zoomed:
            self.fit()
