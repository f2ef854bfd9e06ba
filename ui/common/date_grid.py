"""A date picked with a fingertip: big buttons, one level at a time, never a keyboard or a
tiny calendar (issue #9).

A date of birth asks for the year first (decade, then year, then month, then day: four taps,
and 1984 is as near as 2020); a vial's expiry starts near today (year, month, then the day or
"end of month", since cartons often print only the month). Dates that cannot be (a birthday
in the future, 30 February) are never offered, so there is nothing to correct afterwards.

`DateField` is the button a form shows; tapping it opens `DateGridDialog` over the window.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date
from typing import Literal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QPushButton,
    QStackedWidget,
    QWidget,
)

from ui.common import format as fmt
from ui.common.widgets import TOUCH, button, hbox, label, vbox

# "past": a day up to today, from the recent years (the audit trail's date range)
Mode = Literal["birth", "expiry", "past"]
PAST_YEARS = 10
OLDEST_AGE = 110  # years: the earliest decade a date of birth offers
EXPIRY_YEARS_BACK, EXPIRY_YEARS_AHEAD = 2, 5  # an expired lot must be enterable too
MONTH_NAMES = tuple(calendar.month_abbr)[1:]


def _grid_button(text: str, name: str, on_tap: Callable[[], None]) -> QPushButton:
    b = button(text, "secondary")
    b.setObjectName(name)
    b.setProperty("compact", True)
    b.setMinimumSize(TOUCH + 8, TOUCH)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    b.clicked.connect(on_tap)
    return b


def _grid(buttons: list[QPushButton], columns: int) -> QWidget:
    page = QWidget()
    grid = QGridLayout(page)
    grid.setContentsMargins(0, 0, 0, 0)
    grid.setSpacing(8)
    for i, b in enumerate(buttons):
        grid.addWidget(b, i // columns, i % columns)
    grid.setRowStretch(len(buttons) // columns + 1, 1)
    return page


class DateGrid(QWidget):
    """The levels of one choice; `picked(date)` once the last level is tapped."""

    picked = Signal(object)  # date

    def __init__(self, mode: Mode, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dateGrid")
        self.mode, self.today = mode, today
        self.year: int | None = None
        self.month: int | None = None
        lay = vbox(self, spacing=10)
        top = hbox(spacing=10)
        self.up = button("‹  Back", "ghost")
        self.up.setObjectName("dateGridUp")
        self.up.clicked.connect(self.go_up)
        self.where = label("", "section")
        self.where.setObjectName("dateGridWhere")
        top.addWidget(self.up)
        top.addWidget(self.where, 1)
        lay.addLayout(top)
        self.pages = QStackedWidget()
        lay.addWidget(self.pages, 1)
        # (page maker, whether it chooses the year): Back rebuilds the level above
        self.levels: list[tuple[Callable[[], QWidget], bool]] = []
        first = {"birth": self._decades, "expiry": self._expiry_years, "past": self._past_years}
        self._show(first[mode], True)

    # --- levels -------------------------------------------------------------------------
    def _show(self, make: Callable[[], QWidget], chooses_year: bool = False) -> None:
        self.levels.append((make, chooses_year))
        page = make()
        old = self.pages.currentWidget()
        self.pages.addWidget(page)
        self.pages.setCurrentWidget(page)
        if old is not None:
            self.pages.removeWidget(old)
            old.deleteLater()
        self.up.setVisible(len(self.levels) > 1)
        self._say()

    def go_up(self) -> None:
        if len(self.levels) < 2:
            return
        self.levels.pop()
        make, chooses_year = self.levels.pop()
        if chooses_year:
            self.year = None
        self.month = None
        self._show(make, chooses_year)

    def _say(self) -> None:
        if self.year is None:
            text = {"birth": "Year of birth", "expiry": "Year of expiry"}.get(self.mode, "Year")
        elif self.month is None:
            text = f"{self.year}: month"
        else:
            text = f"{MONTH_NAMES[self.month - 1]} {self.year}: day"
        self.where.setText(text)

    def _decades(self) -> QWidget:
        last = self.today.year // 10 * 10
        first = (self.today.year - OLDEST_AGE) // 10 * 10
        decades = range(last, first - 1, -10)  # the youngest first: most patients are adults
        return _grid([_grid_button(f"{d}s", f"decade_{d}", self._decade(d)) for d in decades], 4)

    def _decade(self, decade: int) -> Callable[[], None]:
        return lambda: self._show(self._years_of(decade), True)

    def _years_of(self, decade: int) -> Callable[[], QWidget]:
        def make() -> QWidget:
            years = [y for y in range(decade, decade + 10) if y <= self.today.year]
            return _grid([_grid_button(str(y), f"year_{y}", self._year(y)) for y in years], 5)

        return make

    def _expiry_years(self) -> QWidget:
        first = self.today.year - EXPIRY_YEARS_BACK
        years = range(first, self.today.year + EXPIRY_YEARS_AHEAD + 1)
        return _grid([_grid_button(str(y), f"year_{y}", self._year(y)) for y in years], 4)

    def _past_years(self) -> QWidget:
        years = range(self.today.year, self.today.year - PAST_YEARS, -1)  # this year first
        return _grid([_grid_button(str(y), f"year_{y}", self._year(y)) for y in years], 5)

    def _year(self, year: int) -> Callable[[], None]:
        def chosen() -> None:
            self.year = year
            self._show(self._months)

        return chosen

    def _months(self) -> QWidget:
        assert self.year is not None
        months = [
            m for m in range(1, 13) if self.mode == "expiry" or date(self.year, m, 1) <= self.today
        ]
        return _grid(
            [_grid_button(MONTH_NAMES[m - 1], f"month_{m}", self._month(m)) for m in months], 4
        )

    def _month(self, month: int) -> Callable[[], None]:
        def chosen() -> None:
            self.month = month
            self._show(self._days)

        return chosen

    def _day(self, value: date) -> Callable[[], None]:
        return lambda: self.picked.emit(value)

    def _days(self) -> QWidget:
        assert self.year is not None and self.month is not None
        year, month = self.year, self.month
        last = calendar.monthrange(year, month)[1]
        days = [
            d
            for d in range(1, last + 1)
            if self.mode == "expiry" or date(year, month, d) <= self.today
        ]
        buttons = [_grid_button(str(d), f"day_{d}", self._day(date(year, month, d))) for d in days]
        page = QWidget()
        lay = vbox(page, spacing=8)
        if self.mode == "expiry":  # a carton that prints only the month expires at its end
            end = _grid_button(
                f"End of {MONTH_NAMES[month - 1]} ({last})",
                "endOfMonth",
                lambda: self.picked.emit(date(year, month, last)),
            )
            end.setProperty("role", "primary")
            end.setProperty("compact", False)
            lay.addWidget(end)
        lay.addWidget(_grid(buttons, 7), 1)
        return page


class DateGridDialog(QDialog):
    """The grid over the window, with Cancel and (where a date may be left out) Clear."""

    def __init__(
        self,
        parent: QWidget,
        mode: Mode,
        today: date,
        title: str,
        on_pick: Callable[[date | None], None],
        clearable: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("dateGridDialog")
        self.setWindowTitle(title)
        self.setModal(True)
        self.on_pick = on_pick
        lay = vbox(self, margins=20, spacing=12)
        lay.addWidget(label(title, "heading"))
        self.grid = DateGrid(mode, today)
        self.grid.picked.connect(self._picked)
        lay.addWidget(self.grid, 1)
        bottom = hbox(spacing=12)
        self.clear = button("Clear", "ghost")
        self.clear.setObjectName("dateGridClear")
        self.clear.setVisible(clearable)
        self.clear.clicked.connect(lambda: self._picked(None))
        bottom.addWidget(self.clear)
        bottom.addStretch(1)
        self.cancel = button("Cancel", "secondary")
        self.cancel.setObjectName("dateGridCancel")
        self.cancel.clicked.connect(self.reject)
        bottom.addWidget(self.cancel)
        lay.addLayout(bottom)
        # Seven day buttons and the grid's rows within a 1280x720 screen at any scale.
        self.setMinimumWidth(7 * (TOUCH + 16) + 40)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def _picked(self, value: date | None) -> None:
        self.on_pick(value)
        self.accept()


class DateField(QPushButton):
    """A form's date: shows the chosen date (or what to choose), and opens the grid on tap."""

    changed = Signal(object)  # date | None

    def __init__(
        self,
        mode: Mode,
        placeholder: str,
        title: str,
        today: Callable[[], date] = date.today,
        clearable: bool = False,
    ) -> None:
        super().__init__()
        self.setProperty("role", "field")
        self.setMinimumHeight(TOUCH)
        self.mode, self.placeholder, self.title = mode, placeholder, title
        self.today, self.clearable = today, clearable
        self.value: date | None = None
        self.dialog: DateGridDialog | None = None
        self.clicked.connect(self.open_picker)
        self._show()

    def open_picker(self) -> DateGridDialog:
        top = self.window()
        self.dialog = DateGridDialog(
            top, self.mode, self.today(), self.title, self.set_value, self.clearable
        )
        self.dialog.open()
        return self.dialog

    def set_value(self, value: date | None) -> None:
        if value != self.value:
            self.value = value
            self._show()
            self.changed.emit(value)

    def _show(self) -> None:
        self.setText(fmt.day(self.value) if self.value else self.placeholder)
        self.setProperty("empty", self.value is None)
        self.style().unpolish(self)
        self.style().polish(self)
