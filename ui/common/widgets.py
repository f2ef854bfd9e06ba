"""Touch-sized building blocks shared by the screens: buttons, headers, the patient banner,
cards that act like buttons, and kinetic scrolling."""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import QEvent, QObject, QPointF, QSize, Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QScroller,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.services.patients import PatientRecord
from ui.common import format as fmt
from ui.common.tap_button import TapButton

# Minimum touch target in device-independent pixels (CONTRACTS.md says 48; a little more is
# kinder to gloved fingers). The style sheet uses the same figure.
TOUCH = 56


def button(text: str, role: str = "secondary", parent: QWidget | None = None) -> QPushButton:
    """A push button at least TOUCH high; `role` (primary, secondary, danger, ghost) picks its
    look in style.qss."""
    b = TapButton(text, parent)
    b.setProperty("role", role)
    b.setMinimumHeight(TOUCH)
    b.setCursor(Qt.CursorShape.PointingHandCursor)
    b.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    return b


def label(text: str = "", kind: str = "body", parent: QWidget | None = None) -> QLabel:
    """A label whose `kind` (title, heading, body, muted, small) picks its size in style.qss."""
    lab = QLabel(text, parent)
    lab.setProperty("kind", kind)
    lab.setTextFormat(Qt.TextFormat.PlainText)
    return lab


def enable_touch_scroll(area: QAbstractScrollArea) -> None:
    """Flick to scroll with a finger. Touch only: a mouse-button gesture would delay the press
    that selects a row, and pens get scroll bars as well as flicks."""
    if isinstance(area, QAbstractItemView):  # flicks move by pixels, not by whole rows
        area.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        area.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    QScroller.grabGesture(area.viewport(), QScroller.ScrollerGestureType.TouchGesture)


def scroll_body(
    name: str = "", margins: int = 24, spacing: int = 14, inner_name: str = ""
) -> tuple[QScrollArea, QVBoxLayout]:
    """A page's content that scrolls up and down by finger (never sideways): the area to add
    to the page's layout, and the layout to fill. `name` and `inner_name` are the object
    names of the area and of the widget inside it (for style.qss and tests)."""
    area = QScrollArea()
    if name:
        area.setObjectName(name)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    enable_touch_scroll(area)
    inner = QWidget()
    if inner_name:
        inner.setObjectName(inner_name)
    lay = QVBoxLayout(inner)
    lay.setContentsMargins(margins, margins, margins, margins)
    lay.setSpacing(spacing)
    area.setWidget(inner)
    return area, lay


def secret_field(name: str, placeholder: str) -> QLineEdit:
    """A touch-sized field for a password or passphrase: shown as dots, typed exactly as it
    comes (no predictive text, no capitals added), kept out of any keyboard's memory."""
    field = QLineEdit()
    field.setObjectName(name)
    field.setPlaceholderText(placeholder)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setMinimumHeight(TOUCH)
    field.setInputMethodHints(
        Qt.InputMethodHint.ImhHiddenText
        | Qt.InputMethodHint.ImhSensitiveData
        | Qt.InputMethodHint.ImhNoAutoUppercase
        | Qt.InputMethodHint.ImhNoPredictiveText
    )
    return field


def moved_too_far(start: QPointF, end: QPointF) -> bool:
    """A finger that travelled this far was flicking, not tapping."""
    return (end - start).manhattanLength() > QApplication.startDragDistance()


class TapGuard(QObject):
    """Tells a tap from a flick on a scrolling list. During a flick the content moves with the
    finger, so press and release land on the same row and the list would "click" it; ask
    `was_tap()` before acting on a click."""

    def __init__(self, area: QAbstractScrollArea) -> None:
        super().__init__(area)
        self._viewport = area.viewport()
        self._viewport.installEventFilter(self)
        self._press: QPointF | None = None
        self._moved = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress:
            self._press, self._moved = cast(QMouseEvent, event).globalPosition(), False
        elif kind in (QEvent.Type.MouseMove, QEvent.Type.MouseButtonRelease) and self._press:
            if moved_too_far(self._press, cast(QMouseEvent, event).globalPosition()):
                self._moved = True
            if kind == QEvent.Type.MouseButtonRelease:
                # the tap is over: the pointer moving to the next tap is not this tap's flick
                # (quick taps on two tiles counted the move between them as a drag)
                self._press = None
        return False

    def was_tap(self) -> bool:
        scroller = QScroller.scroller(self._viewport)
        scrolling = scroller.state() in (QScroller.State.Dragging, QScroller.State.Scrolling)
        return not (self._moved or scrolling)


class PatientBanner(QFrame):
    """Name and date of birth, on every screen that shows a patient's photos (CONTRACTS.md):
    the check against the wrong patient's chart that no one has to think about."""

    def __init__(self, patient: PatientRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("patientBanner")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(TOUCH + 16)  # the same height with or without buttons
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 8, 16, 8)
        row.setSpacing(24)
        self.name = label(patient.display_name, "title")
        self.name.setObjectName("patientName")
        self.dob = label(fmt.born(patient.date_of_birth), "heading")
        self.dob.setObjectName("patientDob")
        row.addWidget(self.name)
        row.addWidget(self.dob)
        self.record = label("", "muted")
        row.addWidget(self.record)
        self.show_patient(patient)
        row.addStretch(1)
        self.extra = QHBoxLayout()  # page-specific buttons sit at the banner's right end
        self.extra.setSpacing(12)
        row.addLayout(self.extra)

    def show_patient(self, patient: PatientRecord) -> None:
        """The details as they are now (after a correction, say)."""
        self.name.setText(patient.display_name)
        self.dob.setText(fmt.born(patient.date_of_birth))
        self.record.setText(f"Record {patient.record_number}" if patient.record_number else "")
        self.record.setVisible(bool(patient.record_number))

    def add_button(self, b: QPushButton) -> None:
        self.extra.addWidget(b)


class Card(QFrame):
    """A framed panel that acts like one big button: tap anywhere on it. Mouse, pen and finger
    all arrive here as a press/release pair (touch is synthesised into mouse by Qt)."""

    clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._pressed = False
        self._press_at = QPointF()

    def minimumSizeHint(self) -> QSize:
        # Not setMinimumHeight(): that would replace the layout's minimum, and a scroll area
        # full of cards would then squeeze them flat instead of scrolling.
        hint = super().minimumSizeHint()
        return QSize(hint.width(), max(hint.height(), TOUCH))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._pressed = True
            self._press_at = event.globalPosition()
            self.setProperty("pressed", True)
            self._restyle()
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        was_pressed, self._pressed = self._pressed, False
        self.setProperty("pressed", False)
        self._restyle()
        # In a scroll area a flick drags the card along under the finger: not a tap.
        flicked = moved_too_far(self._press_at, event.globalPosition())
        if was_pressed and not flicked and self.rect().contains(event.position().toPoint()):
            self.clicked.emit()
        event.accept()

    def _restyle(self) -> None:
        self.style().unpolish(self)
        self.style().polish(self)


def vbox(parent: QWidget | None = None, margins: int = 0, spacing: int = 12) -> QVBoxLayout:
    lay = QVBoxLayout(parent) if parent is not None else QVBoxLayout()
    lay.setContentsMargins(margins, margins, margins, margins)
    lay.setSpacing(spacing)
    return lay


def hbox(parent: QWidget | None = None, margins: int = 0, spacing: int = 12) -> QHBoxLayout:
    lay = QHBoxLayout(parent) if parent is not None else QHBoxLayout()
    lay.setContentsMargins(margins, margins, margins, margins)
    lay.setSpacing(spacing)
    return lay


class Page(QWidget):
    """A screen in the main window's stack. `title` shows in the top bar; `activated` runs
    whenever the page comes (back) to the front, so it can reload what may have changed."""

    title = ""
    has_own_bar = False  # True: the page brings its own way out, so the top bar hides

    def activated(self) -> None:  # pragma: no cover - default does nothing
        pass

    def ready_to_leave(self) -> bool:
        """False when the page will leave by itself later (after saving a draft, say)."""
        return True


def set_state(widget: QObject, name: str, value: object) -> None:
    """Set a dynamic property and re-apply the style sheet so `[name="value"]` rules follow."""
    widget.setProperty(name, value)
    if isinstance(widget, QWidget):
        widget.style().unpolish(widget)
        widget.style().polish(widget)
