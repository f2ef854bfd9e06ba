"""Small touch-sized dialogs: a clear error message, and "why?" whenever the record changes.

Both are opened with `open()` (window-modal, not a nested event loop), so the screen behind
stays live and tests can fill them in like a user would.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLineEdit, QMessageBox, QVBoxLayout, QWidget

from ui.common.widgets import TOUCH, button, hbox, label, vbox


def show_error(parent: QWidget, text: str, title: str = "FaceChart") -> QMessageBox:
    """A plain message, never a traceback: store errors carry their own clear text."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("errorBox")
    box.setWindowModality(Qt.WindowModality.WindowModal)
    box.open()
    return box


@dataclass(frozen=True)
class ReasonWords:
    """What a reason dialog says: its field's hint, its buttons, and why an empty reason is
    refused."""

    placeholder: str = "Reason, e.g. wrong patient"
    confirm: str = "Mark entered in error"
    confirm_role: str = "danger"
    cancel: str = "Cancel"
    empty: str = "Say why, so the record shows it."
    max_length: int = 32767  # QLineEdit's own default


class ReasonDialog(QDialog):
    """Asks why something in the record changes. The reason goes into the record, so an empty
    one is not accepted. Entered in error asks with these words; an amendment and a patient's
    changed details ask with theirs and add their usual reasons (`_add_choices`)."""

    def __init__(
        self,
        parent: QWidget,
        title: str,
        explanation: str,
        on_reason: Callable[[str], object],
        *,
        words: ReasonWords = ReasonWords(),
        min_width: int = 560,
        spacing: int = 16,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reasonDialog")
        self.setWindowTitle(title)
        self.setModal(True)
        self.setMinimumWidth(min_width)
        self._on_reason = on_reason
        self._words = words
        lay = vbox(self, margins=24, spacing=spacing)
        lay.addWidget(label(title, "heading"))
        if explanation:
            text = label(explanation, "body")
            text.setWordWrap(True)
            lay.addWidget(text)
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.reason.setPlaceholderText(words.placeholder)
        self.reason.setMaxLength(words.max_length)
        self.reason.setMinimumHeight(TOUCH)
        self._add_choices(lay)
        lay.addWidget(self.reason)
        self.error = label("", "error")
        self.error.hide()
        lay.addWidget(self.error)
        row = hbox(spacing=12)
        row.addStretch(1)
        self.cancel = button(words.cancel, "secondary")
        self.confirm = button(words.confirm, words.confirm_role)
        self.confirm.setObjectName("confirmReason")
        row.addWidget(self.cancel)
        row.addWidget(self.confirm)
        lay.addLayout(row)
        self.keyboard_slot = lay  # the touch keyboard joins the dialog under its buttons
        self.cancel.clicked.connect(self.reject)
        self.confirm.clicked.connect(self._confirm)
        self.reason.returnPressed.connect(self._confirm)

    def _add_choices(self, lay: QVBoxLayout) -> None:
        """Above the typed reason: what a subclass offers one tap away (nothing here)."""

    def chosen_reason(self) -> str:
        return self.reason.text().strip()

    def _confirm(self) -> None:
        reason = self.chosen_reason()
        if not reason:
            self.error.setText(self._words.empty)
            self.error.show()
            return
        self.accept()
        self._on_reason(reason)


def ask_reason(
    parent: QWidget, title: str, explanation: str, on_reason: Callable[[str], object]
) -> ReasonDialog:
    dialog = ReasonDialog(parent, title, explanation, on_reason)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
