"""How a compare pane hears fingers, the pen, the mouse and the wheel.

Every input becomes one of four signals of the pane, in widget pixels; what a gesture does
(pan the photos, move the overlay, move the wipe divider, place a point) is the screen's
choice for the current mode. Touch events are accepted, so Qt makes up no mouse events from
them; mouse events that Qt made up from touch or pen anyway are dropped. While the pen is near
the glass, touches are the hand resting on it and are ignored (the editor's rule, ADR 0010).
"""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import QEvent, QPointF, Qt, Signal
from PySide6.QtGui import QMouseEvent, QTabletEvent, QTouchEvent, QWheelEvent
from PySide6.QtWidgets import QWidget

from ui.editor.input import TAP_SLOP_PX, PenState, is_touch_device
from ui.overlay.touch_gesture import TwoPointGesture


class GestureWidget(QWidget):
    gesture_started = Signal(QPointF)  # where the first finger (or the mouse) went down
    gesture_moved = Signal(object)  # 2×3 similarity so far, widget pixels
    gesture_ended = Signal(object, bool, QPointF)  # the whole similarity; was it a tap; where
    wheeled = Signal(QPointF, float, bool)  # where; notches (+ away from the user); shift held

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
        self._gesture: TwoPointGesture | None = None
        self._mouse_down = False
        self._pen_down = False
        self._palm = False  # this touch began while the pen was near: the hand, not a finger
        self._last_pos = QPointF()
        self.pen_state: PenState | None = None  # shared by the screen's panes

    def event(self, event: QEvent) -> bool:
        t = event.type()
        if t in (QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate):
            self._touch(cast(QTouchEvent, event))  # the type above says which class
            return True
        if t in (QEvent.Type.TouchEnd, QEvent.Type.TouchCancel):
            self._touch(cast(QTouchEvent, event), ending=True)
            return True
        if t in (QEvent.Type.TabletPress, QEvent.Type.TabletMove, QEvent.Type.TabletRelease):
            self._pen(cast(QTabletEvent, event))
            return True
        return super().event(event)

    # -- the pen: one precise finger (a tapped pupil lands where the tip is) --------------------

    def _pen(self, e: QTabletEvent) -> None:
        e.accept()  # no mouse events made up from it
        if self.pen_state is not None:
            self.pen_state.pen_event()
        pos = QPointF(e.position())
        if e.type() == QEvent.Type.TabletPress:
            if self._gesture is not None and not self._pen_down and not self._mouse_down:
                self._finish()  # a finger was moving: it ends where it was, the pen takes over
                self._palm = True
            if self._gesture is None:
                self._pen_down = True
                self._begin({0: pos})
        elif self._pen_down and self._gesture is not None:
            self._last_pos = pos
            self.gesture_moved.emit(self._gesture.update({0: pos}))
            if e.type() == QEvent.Type.TabletRelease:
                self._pen_down = False
                self._finish()

    # -- fingers ------------------------------------------------------------------------------

    def _touch(self, e: QTouchEvent, ending: bool = False) -> None:
        e.accept()
        held = {p.id(): QPointF(p.position()) for p in e.points() if p.state() != p.State.Released}
        if self._palm or (self._gesture is None and self._palm_near()):
            self._palm = not (ending or not held)  # ignored until every finger is up
            return
        if self._gesture is None:
            if ending or not held:
                return
            self._begin(held)
            return
        if self._pen_down or self._mouse_down:
            return
        if held:
            self._last_pos = next(iter(held.values()))
            self.gesture_moved.emit(self._gesture.update(held))
        if ending or not held:
            self._finish()

    def _palm_near(self) -> bool:
        """The pen is near the glass (or just left it): a touch now is the resting hand."""
        return self.pen_state is not None and self.pen_state.palm_guard()

    def _begin(self, points: dict[int, QPointF]) -> None:
        self._gesture = TwoPointGesture(points)
        self._last_pos = QPointF(self._gesture.start)
        self.gesture_started.emit(QPointF(self._gesture.start))

    def _finish(self) -> None:
        g = self._gesture
        self._gesture = None
        if g is not None:
            self.gesture_ended.emit(g.total(), g.is_tap(TAP_SLOP_PX), QPointF(self._last_pos))

    # -- mouse and wheel ----------------------------------------------------------------------

    def mousePressEvent(self, e: QMouseEvent) -> None:
        e.accept()
        if is_touch_device(e) or self._gesture is not None:
            return
        if e.button() == Qt.MouseButton.LeftButton:
            self._mouse_down = True
            self._begin({0: QPointF(e.position())})

    def mouseMoveEvent(self, e: QMouseEvent) -> None:
        e.accept()
        if self._mouse_down and self._gesture is not None and not is_touch_device(e):
            self._last_pos = QPointF(e.position())
            self.gesture_moved.emit(self._gesture.update({0: QPointF(e.position())}))

    def mouseReleaseEvent(self, e: QMouseEvent) -> None:
        e.accept()
        if self._mouse_down and not is_touch_device(e):
            self._mouse_down = False
            if self._gesture is not None:
                self._last_pos = QPointF(e.position())
                self._gesture.update({0: QPointF(e.position())})
                self._finish()

    def wheelEvent(self, e: QWheelEvent) -> None:
        e.accept()
        delta = e.angleDelta()
        # Shift turns a vertical wheel into a horizontal one on some platforms: take either.
        steps = (delta.y() or delta.x()) / 120.0
        if steps:
            shift = bool(e.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            self.wheeled.emit(QPointF(e.position()), steps, shift)
