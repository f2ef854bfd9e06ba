"""The PIN keypad: ten big digit keys, erase and OK, so no keyboard is needed for a PIN. The
PIN shows as dots; its digits never reach a text field (nothing to autofill, nothing for an
input method to remember)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QSizePolicy, QWidget

from app.services.signin import PIN_DIGITS
from ui.common.widgets import TOUCH, TapButton, label, vbox

# A fingertip's key; the keypad stays under 330 px high so that, with the touch keyboard up
# for the password, the sign-in screen still fits a 720-px-high window.
KEY_W, KEY_H = 96, TOUCH


class PinKeypad(QWidget):
    submitted = Signal(str)  # OK tapped with 4–8 digits
    typed = Signal()  # a digit added or erased

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pinKeypad")
        self._digits = ""
        lay = vbox(self, spacing=6)
        self.prompt = label("PIN", "field")
        self.prompt.setObjectName("pinPrompt")
        self.prompt.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        lay.addWidget(self.prompt)
        self.dots = label("", "heading")
        self.dots.setObjectName("pinDots")
        self.dots.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.dots.setMinimumHeight(40)
        lay.addWidget(self.dots)
        grid = QGridLayout()
        grid.setSpacing(8)
        self.keys: dict[str, TapButton] = {}
        order = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "back", "0", "ok"]
        for n, name in enumerate(order):
            text = {"back": "⌫", "ok": "OK"}.get(name, name)
            key = TapButton(text)
            key.setObjectName(f"pin_{name}")
            key.setProperty("role", "primary" if name == "ok" else "secondary")
            key.setProperty("compact", True)
            key.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the password field keeps the focus
            key.setMinimumSize(KEY_W, KEY_H)
            key.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            key.setAccessibleName({"back": "Erase a digit", "ok": "Enter PIN"}.get(name, name))
            key.clicked.connect(lambda _=False, k=name: self.press(k))
            grid.addWidget(key, n // 3, n % 3)
            self.keys[name] = key
        lay.addLayout(grid)
        self._show()

    def press(self, key: str) -> None:
        if key == "ok":
            if len(self._digits) in PIN_DIGITS:
                self.submitted.emit(self._digits)
            return
        if key == "back":
            self._digits = self._digits[:-1]
        elif len(self._digits) < PIN_DIGITS[-1]:
            self._digits += key
        self._show()
        self.typed.emit()

    def pin(self) -> str:
        return self._digits

    def clear(self) -> None:
        self._digits = ""
        self._show()

    def set_prompt(self, text: str) -> None:
        self.prompt.setText(text)

    def _show(self) -> None:
        self.dots.setText(" ".join("●" * len(self._digits)) or "–")
        self.keys["ok"].setEnabled(len(self._digits) in PIN_DIGITS)
