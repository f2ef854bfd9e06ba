"""Small touch-sized dialogs: a clear error message, and "why?" for entered-in-error.

Both are opened with `open()` (window-modal, not a nested event loop), so the screen behind
stays live and tests can fill them in like a user would.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLineEdit, QMessageBox, QWidget

from ui.common.widgets import TOUCH, button, hbox, label, vbox


def show_error(parent: QWidget, text: str, title: str = "FaceChart") -> QMessageBox:
    """A plain message, never a traceback: store errors carry their own clear text."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("errorBox")
    box.setWindowModality(Qt.WindowModality.WindowModal)
    box.open()
    return box


class ReasonDialog(QDialog):
    """Asks why something was entered in error. The reason goes into the record, so an empty
    one is not accepted."""

    def __init__(
        self,
        parent: QWidget,
        title: str,
        explanation: str,
        on_reason: Callable[[str], None],
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reasonDialog")
        self.setWindowTitle(title)
        self.setModal(True)
        self.setMinimumWidth(560)
        self._on_reason = on_reason
        lay = vbox(self, margins=24, spacing=16)
        heading = label(title, "heading")
        lay.addWidget(heading)
        text = label(explanation, "body")
        text.setWordWrap(True)
        lay.addWidget(text)
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.reason.setPlaceholderText("Reason, e.g. wrong patient")
        self.reason.setMinimumHeight(TOUCH)
        lay.addWidget(self.reason)
        self.error = label("", "error")
        self.error.hide()
        lay.addWidget(self.error)
        row = hbox(spacing=12)
        row.addStretch(1)
        self.cancel = button("Cancel", "secondary")
        self.confirm = button("Mark entered in error", "danger")
        self.confirm.setObjectName("confirmReason")
        row.addWidget(self.cancel)
        row.addWidget(self.confirm)
        lay.addLayout(row)
        self.keyboard_slot = lay  # the touch keyboard joins the dialog under its buttons
        self.cancel.clicked.connect(self.reject)
        self.confirm.clicked.connect(self._confirm)
        self.reason.returnPressed.connect(self._confirm)

    def _confirm(self) -> None:
        reason = self.reason.text().strip()
        if not reason:
            self.error.setText("Say why, so the record shows it.")
            self.error.show()
            return
        self.accept()
        self._on_reason(reason)


def ask_reason(
    parent: QWidget, title: str, explanation: str, on_reason: Callable[[str], None]
) -> ReasonDialog:
    dialog = ReasonDialog(parent, title, explanation, on_reason)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
