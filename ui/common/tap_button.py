"""The push button every screen uses. It counts a quick second tap (by mouse, pen or finger),
and inside a panel that scrolls by touch it neither loses that second tap nor lets a drag that
starts on it press it.

What Qt does with a finger (Qt 6, qflickgesture.cpp and qwidgetwindow.cpp): the touch is turned
into mouse events; a second press within the double-click interval is delivered as a
MouseButtonDblClick only (the press itself is held back). In a panel with a QScroller
TouchGesture, the flick gesture's recognizer eats every double click while its scroller is not
Inactive (`Ignore | ConsumeEventHint`), and the finger's TouchBegin has just made it Pressed
(wherever the panel has somewhere to scroll): the button gets only the release, and + tapped
twice quickly gave one unit. (The scroller's press delay plays no part: it delays the presses
of a mouse gesture only, so setting it to 0 changed nothing.) The mouse events of a drag are
not consumed either: the content moves with the finger, the release lands on the same button,
and a flick that started on + added a unit.

The mouse events Qt makes from touch are left alone (other widgets' double clicks depend on
their order); this button mends its own: it notes a finger coming down on it (TouchBegin, which
it lets go on to the scroller), and when that finger's release arrives with no press or double
click before it, the double click was eaten, so it presses before it releases. Once a scroller
of a panel holding it drags or flicks, the finger's press is withdrawn without a click.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QInputDevice, QMouseEvent, QPointingDevice, QTouchEvent
from PySide6.QtWidgets import QPushButton, QScroller, QWidget

MOVING = (QScroller.State.Dragging, QScroller.State.Scrolling)
FAR_AWAY = QPointF(-100000.0, -100000.0)  # outside any button: a release there is no click
_DEVICE: QPointingDevice | None = None


def own_device() -> QPointingDevice:
    """The device of the mouse events this button makes for itself: a touch screen, but not the
    real one, whose touch point a new event on that device would overwrite (Qt keeps one
    point per device and id, with its grab) in the middle of the finger's own sequence."""
    global _DEVICE
    if _DEVICE is None:
        _DEVICE = QPointingDevice(
            "FaceChart tap button",
            0x7A9,
            QInputDevice.DeviceType.TouchScreen,
            QPointingDevice.PointerType.Finger,
            QInputDevice.Capability.Position,
            1,
            0,
        )
    return _DEVICE


def scrolling_under(widget: QWidget) -> bool:
    """Whether the kinetic scroller of a panel holding `widget` is dragging or flicking."""
    w = widget.parentWidget()
    while w is not None:
        if QScroller.hasScroller(w) and QScroller.scroller(w).state() in MOVING:
            return True
        w = w.parentWidget()
    return False


def by_finger(event: QMouseEvent) -> bool:
    """A mouse event Qt made from a touch screen's touch."""
    return event.device().type() == QInputDevice.DeviceType.TouchScreen


class TapButton(QPushButton):
    """A push button that counts a quick second tap: a clinician tapping + twice for 2 more
    units gets 2 (see the module's note for a finger in a scrolling panel)."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        # Touch events reach the button, which notes them and lets them go on (ignored): Qt
        # still makes mouse events of them, and the scroller still sees them.
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self._finger_down = False  # a finger came down on the button ...
        self._pressed = False  # ... and its press (or double click) has arrived
        self._withdrawn = False  # ... and was taken back: the finger scrolls the panel

    def event(self, e: QEvent) -> bool:
        # Every event of every button passes here (a point sheet shown is some 120): asking
        # the class first spares the others the costlier type() call into Qt.
        if isinstance(e, QTouchEvent) and e.type() == QEvent.Type.TouchBegin:
            screen = e.device().type() == QInputDevice.DeviceType.TouchScreen
            self._finger_down, self._pressed, self._withdrawn = screen, False, False
            e.ignore()  # on to the parents: the scroller's panel, Qt's mouse events
            return False
        return super().event(e)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._pressed = True
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        # Qt makes a second press within the double-click interval a double click, which a
        # push button ignores: here it is another press.
        self.mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if by_finger(event) and self._finger_down:
            if self._withdrawn:
                event.accept()
                return
            if scrolling_under(self):
                self._withdraw(event)
                return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        finger, pressed, withdrawn = self._finger_down, self._pressed, self._withdrawn
        self._finger_down = self._pressed = self._withdrawn = False
        if finger and by_finger(event):
            if withdrawn:
                event.accept()
                return
            if scrolling_under(self):
                self._withdraw(event)
                return
            if not pressed and not self.isDown() and self.hitButton(event.position().toPoint()):
                # the scroller ate this tap's double click: press, then let go as usual
                self.mousePressEvent(_copy(event, QEvent.Type.MouseButtonPress))
        super().mouseReleaseEvent(event)

    def _withdraw(self, event: QMouseEvent) -> None:
        """Take the press back without a click: off the button (released() fires, auto-repeat
        stops), then let go there, as Qt's scroller does for a mouse press it withdraws."""
        self._withdrawn = True
        super().mouseMoveEvent(_copy(event, QEvent.Type.MouseMove, FAR_AWAY))
        super().mouseReleaseEvent(_copy(event, QEvent.Type.MouseButtonRelease, FAR_AWAY))
        event.accept()


def _copy(event: QMouseEvent, kind: QEvent.Type, at: QPointF | None = None) -> QMouseEvent:
    left = Qt.MouseButton.LeftButton
    local = at if at is not None else event.position()
    glob = at if at is not None else event.globalPosition()
    held = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseButtonRelease else left
    button = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseMove else left
    return QMouseEvent(
        kind, local, event.scenePosition(), glob, button, held, event.modifiers(), own_device()
    )
