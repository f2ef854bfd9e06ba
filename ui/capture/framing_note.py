"""The line under the preview that says how a photo is framed against the ghost: it matches
(green), it is off and by how much (amber, a warning that never blocks), or it can't be checked
(grey, and why). The words come from `app.imaging.framing`; this only shows them."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from app.services.capture import MATCHES, OFF, FramingCheck
from ui.common.widgets import set_state

TONES = {MATCHES: "ok", OFF: "off"}  # anything else: "unknown"

STYLE = """
QLabel#framingNote { padding: 2px 10px; border-radius: 8px; font-weight: 600; }
QLabel#framingNote[tone="ok"] { color: #1E5E3A; background: #DDF2E4; }
QLabel#framingNote[tone="off"] { color: #3D2E00; background: #FFF0C2; }
QLabel#framingNote[tone="unknown"] { color: #4A5560; background: #E8ECEF; }
"""


class FramingNote(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("framingNote")
        self.setStyleSheet(STYLE)
        self.setWordWrap(True)
        self.check: FramingCheck | None = None
        self.hide()

    def show_check(self, view_name: str, check: FramingCheck | None) -> None:
        """The framing of the photo just taken of `view_name`; None (no ghost) hides the line."""
        self.check = check
        if check is None:
            self.clear_note()
            return
        self.setText(f"{view_name}: {check.message}")
        set_state(self, "tone", TONES.get(check.status, "unknown"))
        self.show()

    def clear_note(self) -> None:
        self.check = None
        self.setText("")
        self.hide()
