"""The editor's message bar under its header: one message at a time, with its actions as
touch buttons (Restore / Discard, OK), optionally gone by itself after a while.

It floats over the top of the editor's body instead of taking a row of the layout: a row that
comes and goes pushed the editor taller than a 768-px screen (Fit went off-screen after
"Saved") and moved the buttons under a finger mid-tap (OK's tap landed on Products).

A message that only tells (one that goes by itself: "Saved as version 2.", what a brush stroke
joined) is a note over the foot of the photo instead, between the tool rail and the side
panel: under the header it covered the rail's top tools and the panel's warnings for 4–8 s,
and a tap on Pencil landed on the bar. A tap on the note dismisses it and goes no further
(a tap let through would place a point under it). A message that asks something, or a warning
that stays, keeps its place under the header, full width."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from ui.editor.controls import touch_button

Action = tuple[str, Callable[[], None]]
NOTE_MARGIN = 16  # px between a note and the photo's edges


class MessageBar(QFrame):
    def __init__(self, parent: QWidget, below: QWidget) -> None:
        super().__init__(parent)
        self.below = below  # the header: the bar sits right under it, full width
        self.photo: QWidget | None = None  # the canvas column: a note sits over its foot
        self.note = False  # the message shown only tells, and goes by itself
        parent.installEventFilter(self)
        below.installEventFilter(self)
        self.setObjectName("messageBar")
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(16, 6, 12, 6)
        self.text = QLabel("")
        self.text.setWordWrap(True)
        self.row.addWidget(self.text, 1)
        self.buttons: list[QPushButton] = []
        self.hide()

    def notes_over(self, photo: QWidget) -> None:
        """Show notes over the foot of `photo` (the canvas column), following its geometry."""
        self.photo = photo
        photo.installEventFilter(self)

    def show_message(
        self,
        text: str,
        kind: str = "warning",
        actions: list[Action] | None = None,
        timeout_ms: int = 0,
    ) -> None:
        self.clear()
        self.text.setText(text)
        self.note = bool(timeout_ms) and not actions and self.photo is not None
        self.setProperty("kind", kind)
        self.setProperty("note", self.note)
        self.style().unpolish(self)
        self.style().polish(self)
        for label, fn in actions or ([] if self.note else [("OK", self.clear)]):
            b = touch_button(label, f"message_{label.lower()}")
            b.clicked.connect(fn)
            self.row.addWidget(b)
            self.buttons.append(b)
        self._place()
        self.show()
        self.raise_()
        if timeout_ms:
            # The bar as context: the timer dies with the editor.
            QTimer.singleShot(timeout_ms, self, lambda: self._clear_if_showing(text))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """A tap on a note (a finger's or a pen's, as Qt synthesises them) dismisses it."""
        if self.note:
            self.clear()
        event.accept()

    def _clear_if_showing(self, text: str) -> None:
        if self.text.text() == text:  # not a newer message that replaced it
            self.clear()

    def _place(self) -> None:
        parent = self.parentWidget()
        if parent is None:
            return
        if self.note and self.photo is not None:
            area = self.photo.geometry()
            area.moveTopLeft(self.photo.mapTo(parent, self.photo.rect().topLeft()))
            width = max(area.width() - 2 * NOTE_MARGIN, 1)
            height = max(self.heightForWidth(width), self.sizeHint().height())
            top = area.bottom() - NOTE_MARGIN - height
            self.setGeometry(area.left() + NOTE_MARGIN, top, width, height)
            return
        width = parent.width()
        height = max(self.heightForWidth(width), self.sizeHint().height())
        self.setGeometry(0, self.below.geometry().bottom() + 1, width, height)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Move) and self.isVisible():
            self._place()
        return False

    def clear(self) -> None:
        for b in self.buttons:
            b.setParent(None)
            b.deleteLater()
        self.buttons = []
        self.hide()
