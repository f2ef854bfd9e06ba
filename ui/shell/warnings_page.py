"""Clinic settings: the soft-warning table (app/domain/soft_warnings.py), one card per row with
what it checks, the text it comes from, and a big On/Off switch. A switched-off warning is not
shown on any chart; who switched it and when stay with the setting. Below them, the clinic's
own microneedling area names (ui/shell/area_names_card.py)."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QPushButton

from app.domain.roles import may_administer
from app.domain.soft_warnings import IMPLAUSIBLE_DOSE
from app.domain.values import format_units
from app.services import catalogue, warning_settings
from app.services.warning_settings import WarningState
from app.store.errors import StoreError
from ui.common import format as fmt
from ui.common.context import AppContext
from ui.common.dialogs import show_error
from ui.common.widgets import TOUCH, Page, button, hbox, label, scroll_body, set_state, vbox
from ui.shell.area_names_card import AreaNamesCard


def said_who(state: WarningState) -> str:
    if state.changed_at is None:
        return "On by default." if state.rule.default_on else "Off by default."
    when = fmt.day(state.changed_at.astimezone().date())
    who = state.changed_by or "someone"
    return f"Switched {'on' if state.on else 'off'} by {who} on {when}."


class WarningCard(QFrame):
    """One row of the table: title, what it checks, its source, and its switch."""

    def __init__(self, state: WarningState, page: WarningsPage) -> None:
        super().__init__()
        self.setObjectName("warningCard")
        self.setProperty("card", True)
        self.key = state.rule.key
        row = hbox(self, margins=16, spacing=20)
        text = vbox(spacing=4)
        title = label(state.rule.title, "heading")
        text.addWidget(title)
        for words, kind in ((state.rule.checks, "body"), (f"Source: {state.rule.source}", "muted")):
            lab = label(words, kind)
            lab.setWordWrap(True)
            text.addWidget(lab)
        self.who = label("", "small")
        self.who.setObjectName("warningChanged")
        text.addWidget(self.who)
        row.addLayout(text, 1)
        self.switch: QPushButton = button("", "toggle")
        self.switch.setObjectName(f"switch_{self.key}")
        self.switch.setCheckable(True)
        self.switch.setMinimumSize(132, TOUCH)
        self.switch.setAccessibleName(f"Warn: {state.rule.title}")
        row.addWidget(self.switch, 0, Qt.AlignmentFlag.AlignVCenter)
        self.show_state(state)
        self.switch.toggled.connect(lambda on: page.switch(self.key, on))

    def show_state(self, state: WarningState) -> None:
        self.state = state
        self.switch.blockSignals(True)
        self.switch.setChecked(state.on)
        self.switch.blockSignals(False)
        self.switch.setText("On" if state.on else "Off")
        set_state(self, "off", not state.on)
        self.who.setText(said_who(state))


STEP_UNITS = Decimal(1)
FIRST_UNITS = Decimal(10)  # where a stepper starts when nothing is set: chosen, not assumed


class MaxDoseCard(QFrame):
    """The clinic's largest single dose per point of each product: the implausible-dose
    warning uses it where no area label dose applies. Not set, nothing is said."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("maxDoseCard")
        self.setProperty("card", True)
        lay = vbox(self, margins=16, spacing=8)
        lay.addWidget(label("Largest single dose per point", "heading"))
        hint = label(
            "For a point outside the label's areas (masseter, platysma, …): more than this in "
            "one point is said to be a likely slip of the units. The label gives no such "
            "figure: it is this clinic's.",
            "body",
        )
        hint.setWordWrap(True)
        lay.addWidget(hint)
        self.values: dict[str, QLabel] = {}
        self.caps: dict[str, Decimal | None] = {}
        for product in catalogue.list_products(ctx.store):
            if product.kind != "neurotoxin":
                continue
            row = hbox(spacing=8)
            row.addWidget(label(product.name, "body"), 1)
            minus = button("−", "secondary")
            plus = button("+", "secondary")
            clear = button("Clear", "ghost")
            value = label("", "heading")
            value.setMinimumWidth(96)
            value.setAlignment(Qt.AlignmentFlag.AlignCenter)
            for b, name in ((minus, "minus"), (plus, "plus"), (clear, "clear")):
                b.setObjectName(f"maxDose_{name}_{product.code}")
                b.setMinimumSize(TOUCH, TOUCH)
                b.setProperty("compact", name != "clear")
            minus.clicked.connect(lambda _c=False, c=product.code: self.step(c, -1))
            plus.clicked.connect(lambda _c=False, c=product.code: self.step(c, 1))
            clear.clicked.connect(lambda _c=False, c=product.code: self.store_cap(c, None))
            row.addWidget(minus)
            row.addWidget(value)
            row.addWidget(plus)
            row.addWidget(clear)
            lay.addLayout(row)
            self.values[product.code] = value
            self.caps[product.code] = product.max_units_per_point
            self._show(product.code)

    def step(self, code: str, direction: int) -> None:
        cap = self.caps.get(code)
        if cap is None:
            new: Decimal | None = FIRST_UNITS
        else:
            new = cap + STEP_UNITS * direction
            if new <= 0:
                new = None
        self.store_cap(code, new)

    def store_cap(self, code: str, units: Decimal | None) -> None:
        try:
            record = catalogue.set_max_units_per_point(
                self.ctx.store, code, units, actor_id=self.ctx.practitioner.id
            )
        except (StoreError, ValueError) as exc:
            show_error(self, str(exc))
            return
        self.caps[code] = record.max_units_per_point
        self._show(code)

    def _show(self, code: str) -> None:
        cap = self.caps.get(code)
        self.values[code].setText("not set" if cap is None else f"{format_units(cap)} U")


class WarningsPage(Page):
    title = "Clinic settings · Warnings and area names"
    practitioners_requested = Signal()
    backup_requested = Signal()

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("warningsPage")
        lay = vbox(self, margins=24, spacing=12)
        top = hbox(spacing=16)
        intro = label(
            "FaceChart warns, it never blocks. Each warning below says where it comes from; "
            "a warning switched off here is no longer shown on any chart of this clinic.",
            "body",
        )
        intro.setWordWrap(True)
        top.addWidget(intro, 1)
        self.backup_button = button("Backups", "secondary")
        self.backup_button.setObjectName("settingsBackup")
        self.backup_button.setMinimumWidth(160)
        self.backup_button.clicked.connect(self.backup_requested)
        top.addWidget(self.backup_button, 0, Qt.AlignmentFlag.AlignTop)
        # an admin's way to the practitioners and the idle lock (issue #11); the page and
        # the services refuse anyone else as well
        self.practitioners_button = button("Practitioners", "secondary")
        self.practitioners_button.setObjectName("practitionersButton")
        self.practitioners_button.setVisible(may_administer(ctx.practitioner.role))
        self.practitioners_button.clicked.connect(self.practitioners_requested)
        top.addWidget(self.practitioners_button, 0, Qt.AlignmentFlag.AlignTop)
        lay.addLayout(top)
        self.area, self.list = scroll_body(
            "warningsScroll", margins=0, spacing=12, inner_name="warningsList"
        )
        lay.addWidget(self.area, 1)
        self.cards: dict[str, WarningCard] = {}
        for state in warning_settings.list_warning_states(ctx.store):
            card = WarningCard(state, self)
            self.cards[state.rule.key] = card
            self.list.addWidget(card)
            if state.rule.key == IMPLAUSIBLE_DOSE:  # its figures, under its switch
                self.max_dose = MaxDoseCard(ctx)
                self.list.addWidget(self.max_dose)
        # the clinic's own lists after the warnings: the microneedling area names
        self.area_names = AreaNamesCard(ctx)
        self.list.addWidget(self.area_names)
        self.list.addStretch(1)

    def switch(self, key: str, on: bool) -> None:
        card = self.cards[key]
        try:
            state = warning_settings.set_warning(self.ctx.store, key, on, self.ctx.practitioner.id)
        except StoreError as exc:
            show_error(self, str(exc))
            card.show_state(card.state)  # not stored: the switch goes back to what holds
            return
        card.show_state(state)
