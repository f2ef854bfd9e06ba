"""A date picked by touch, no keyboard and no tiny calendar: day, month and year each between
a − and a + button a fingertip wide, starting on a date near the one wanted (today for a visit
recorded late). The range is clamped (a visit is never in the future)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from ui.common import format as fmt
from ui.common.widgets import TOUCH, button, hbox

UNITS = ("day", "month", "year")


def _shifted(d: date, unit: str, step: int) -> date:
    """One day, month or year earlier or later; the 31st becomes the month's last day."""
    if unit == "day":
        return d + timedelta(days=step)
    months = d.year * 12 + d.month - 1 + (step if unit == "month" else 12 * step)
    year, month = divmod(months, 12)
    month += 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


class DayPicker(QWidget):
    changed = Signal(object)  # date

    def __init__(
        self, value: date, earliest: date, latest: date, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("dayPicker")
        self.earliest, self.latest = earliest, latest
        self.value = min(max(value, earliest), latest)
        row = hbox(self, spacing=6)
        self.steps: dict[tuple[str, int], QPushButton] = {}
        self.parts: dict[str, QLabel] = {}
        for unit in UNITS:
            minus = button("−", "secondary")
            part = QLabel("")
            part.setObjectName(f"{unit}Value")
            part.setAlignment(Qt.AlignmentFlag.AlignCenter)
            part.setMinimumWidth({"day": 44, "month": 56, "year": 68}[unit])
            plus = button("+", "secondary")
            for b, step in ((minus, -1), (plus, 1)):
                b.setObjectName(f"{unit}{'Minus' if step < 0 else 'Plus'}")
                b.setMinimumSize(TOUCH, TOUCH)
                b.setProperty("compact", True)  # the sign, not padding, fills the key
                b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no focus ring jumping under a finger
                b.setAutoRepeat(True)  # held: a month of days runs by
                b.setAutoRepeatDelay(450)
                b.setAutoRepeatInterval(120)
                b.clicked.connect(lambda _c=False, u=unit, s=step: self.step(u, s))
                self.steps[(unit, step)] = b
            row.addWidget(minus)
            row.addWidget(part)
            row.addWidget(plus)
            self.parts[unit] = part
        row.addStretch(1)
        self._show()
        # Never squeezed below its buttons' own height (the style sheet pads them past 56).
        self.setMinimumHeight(self.sizeHint().height())

    def step(self, unit: str, step: int) -> None:
        self.set_value(_shifted(self.value, unit, step))

    def set_value(self, value: date) -> None:
        value = min(max(value, self.earliest), self.latest)
        if value != self.value:
            self.value = value
            self._show()
            self.changed.emit(value)

    def _show(self) -> None:
        day, month, year = fmt.day(self.value).split(" ")
        self.parts["day"].setText(day)
        self.parts["month"].setText(month)
        self.parts["year"].setText(year)
        for (unit, step), b in self.steps.items():
            b.setEnabled(self.earliest <= _shifted(self.value, unit, step) <= self.latest)
