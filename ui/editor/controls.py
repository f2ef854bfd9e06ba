"""Touch controls of the editor's panels: segmented choices and big steppers, all ≥ 48 px.

Built here rather than in ui/common because only the editor needs them (for now)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QGridLayout, QPushButton, QWidget

from ui.common.widgets import TapButton

TOUCH = 56  # ≥ 48 (CONTRACTS.md), a little more for gloved fingers, as the shell does


def touch_button(text: str, name: str = "", checkable: bool = False, role: str = "") -> QPushButton:
    b = TapButton(text)  # a quick second tap on + counts (ui/common/tap_button.py)
    b.setMinimumHeight(TOUCH)
    b.setMinimumWidth(TOUCH)
    b.setCheckable(checkable)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no focus ring jumping around under a pen
    if name:
        b.setObjectName(name)
    if role:
        b.setProperty("role", role)
    return b


class Choice(QWidget):
    """A row (or grid) of toggle buttons, one of which is chosen. `chosen(value)` fires on a
    tap only, never when the program sets the value."""

    chosen = Signal(str)

    def __init__(
        self,
        options: Sequence[tuple[str, str]],  # (value, text)
        columns: int = 0,
        name: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        if name:
            self.setObjectName(name)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(6)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[str, QPushButton] = {}
        cols = columns or len(options) or 1
        for i, (value, text) in enumerate(options):
            b = touch_button(text, f"{name}_{value}" if name else "", checkable=True, role="choice")
            b.clicked.connect(self._tapped(value))
            self.group.addButton(b)
            self.buttons[value] = b
            grid.addWidget(b, i // cols, i % cols)

    def _tapped(self, value: str) -> Callable[[], None]:
        return lambda: self.chosen.emit(value)

    def set_value(self, value: str | None) -> None:
        self.group.setExclusive(False)  # allows showing "none chosen"
        for v, b in self.buttons.items():
            b.setChecked(v == value)
        self.group.setExclusive(True)

    def value(self) -> str | None:
        return next((v for v, b in self.buttons.items() if b.isChecked()), None)
