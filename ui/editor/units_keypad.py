"""A keypad for a point's units, on the point sheet: 2.5 or 0.5 typed as numbers by touch,
no keyboard needed. `entered(Decimal)` fires on Set with a valid dose."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from ui.editor.controls import TOUCH, touch_button

MAX_UNITS = Decimal(400)  # the label's cumulative maximum; above it, a typing slip
KEYS = ("7", "8", "9", "4", "5", "6", "1", "2", "3", ".", "0", "⌫")


def parse(text: str) -> Decimal | None:
    """The dose typed, or None when it is not one (empty, '.', above 400, > 2 decimals)."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    exponent = value.as_tuple().exponent
    if not value.is_finite() or value > MAX_UNITS or (isinstance(exponent, int) and exponent < -2):
        return None
    return value


class UnitsKeypad(QWidget):
    entered = Signal(object)  # Decimal

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("unitsKeypad")
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(6)
        self.display = QLabel("")
        self.display.setObjectName("keypadDisplay")
        self.display.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.display.setMinimumHeight(TOUCH)
        self.display.setStyleSheet("font-size: 20pt; font-weight: 600;")  # read at arm's length
        grid.addWidget(self.display, 0, 0, 1, 3)
        self.keys = {}
        for i, key in enumerate(KEYS):
            b = touch_button(key, f"key_{'dot' if key == '.' else 'back' if key == '⌫' else key}")
            b.clicked.connect(lambda _c=False, k=key: self.press(k))
            grid.addWidget(b, 1 + i // 3, i % 3)
            self.keys[key] = b
        self.set_button = touch_button("Set", "keypadSet", role="primary")
        self.set_button.clicked.connect(self._set)
        grid.addWidget(self.set_button, 5, 0, 1, 3)
        self.text = ""
        self._show()

    def start(self, units: Decimal) -> None:
        """Open on the point's dose: the first key replaces it, as on a calculator."""
        self.text = ""
        self.display.setText(f"{units.normalize():f} U")
        self.set_button.setEnabled(False)

    def press(self, key: str) -> None:
        if key == "⌫":
            self.text = self.text[:-1]
        elif len(self.text) < 6 and not (key == "." and "." in self.text):
            self.text += key
        self._show()

    def _show(self) -> None:
        value = parse(self.text)
        self.display.setText(f"{self.text} U" if self.text else "Type the units")
        self.set_button.setEnabled(value is not None)
        self.set_button.setText(f"Set {value.normalize():f} U" if value is not None else "Set")

    def _set(self) -> None:
        value = parse(self.text)
        if value is not None:
            self.entered.emit(value)
