"""Tablet input: who may do what on the canvas (ADR 0010).

- The pen draws and places, with pressure. Its eraser end erases.
- Fingers pan and pinch-zoom; a two-finger double tap fits the photo. One finger draws only
  while "finger drawing" is on: on by default until a pen has been seen, then off.
- While the pen is near the screen (proximity, or a pen event in the last half second) every
  touch is ignored: that is the palm resting on the glass.
- The mouse draws with the left button, pans with the others; the wheel zooms under it.
Tools see photo-pixel positions and a pointer kind, never these events.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QEventPoint, QMouseEvent, QPointingDevice, QTabletEvent, QTouchEvent
from PySide6.QtWidgets import QApplication

from ui.common.application import Application

PEN_GRACE_MS = 500.0  # after the last pen event, touches still count as the palm
TAP_SLOP_PX = 12.0
DOUBLE_TAP_MS = 400.0
TWO_FINGER_TAP_MS = 300.0
FINGER_PRESSURE = 0.6  # a finger has no pressure; draw it as a medium pencil line
MOUSE_PRESSURE = 0.6


def now_ms() -> float:
    return time.monotonic() * 1000.0


class PenState(QObject):
    """Pen presence, shared by all canvases (the pen is near the screen, not near a tab).
    Watches the application too: Qt delivers proximity events there, not to a widget."""

    finger_drawing_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.in_proximity = False
        self.last_pen_ms = -1e12
        self.pen_seen = False
        self._finger_drawing = True
        self._user_chose = False
        self._following: QCoreApplication | None = None  # the application whose proximity we watch

    @property
    def finger_drawing(self) -> bool:
        return self._finger_drawing

    def set_finger_drawing(self, on: bool, by_user: bool = True) -> None:
        self._user_chose |= by_user
        if on != self._finger_drawing:
            self._finger_drawing = on
            self.finger_drawing_changed.emit(on)

    def pen_event(self, entering: bool | None = None) -> None:
        self.last_pen_ms = now_ms()
        if entering is not None:
            self.in_proximity = entering
        if not self.pen_seen:
            self.pen_seen = True
            if not self._user_chose:  # a pen is here: fingers navigate from now on
                self.set_finger_drawing(False, by_user=False)

    def palm_guard(self) -> bool:
        """True while touches must be ignored."""
        return self.in_proximity or now_ms() - self.last_pen_ms < PEN_GRACE_MS

    def follow_application(self) -> None:
        """Proximity comes to the application object. The app's own class (ui/common/
        application.py) says so with a signal; any other QApplication is watched with an
        application-wide event filter, which sees every event of every widget."""
        app = QApplication.instance()
        if self._following is not None or app is None:
            return
        self._following = app
        if isinstance(app, Application):
            app.pen_proximity.connect(self.pen_event)
        else:
            app.installEventFilter(self)

    def stop_following(self) -> None:
        app, self._following = self._following, None
        if isinstance(app, Application):
            app.pen_proximity.disconnect(self.pen_event)
        elif app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        t = event.type()
        if t == QEvent.Type.TabletEnterProximity:
            self.pen_event(True)
        elif t == QEvent.Type.TabletLeaveProximity:
            self.pen_event(False)
        return False


def is_touch_device(event: QMouseEvent) -> bool:
    """Mouse events that Qt made up from touch or pen input: the real ones were handled."""
    dev = event.pointingDevice()
    return event.source() != Qt.MouseEventSource.MouseEventNotSynthesized or (
        dev is not None and dev.type() != QPointingDevice.DeviceType.Mouse
    )


def tablet_kind(event: QTabletEvent) -> str:
    dev = event.pointingDevice()
    if dev is not None and dev.pointerType() == QPointingDevice.PointerType.Eraser:
        return "eraser"
    return "pen"


def touch_points(event: QTouchEvent) -> list[QEventPoint]:
    return [p for p in event.points() if p.state() != QEventPoint.State.Released] or list(
        event.points()
    )
