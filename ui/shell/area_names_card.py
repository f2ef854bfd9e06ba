"""Clinic settings: the clinic's own microneedling area names (app/services/area_names.py),
offered as tap choices on a microneedling chart's area sheet beside the standard areas. An
admin adds a name by typing it once here, and removes one with a tap; others see the list.
The service checks the role too."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QLineEdit, QPushButton, QWidget

from app.domain.roles import may_administer
from app.services import area_names
from app.store.errors import StoreError
from ui.common.context import AppContext
from ui.common.dialogs import show_error
from ui.common.widgets import TOUCH, button, hbox, label, vbox


class AreaNamesCard(QFrame):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("areaNamesCard")
        self.setProperty("card", True)
        self.admin = may_administer(ctx.practitioner.role)
        lay = vbox(self, margins=16, spacing=8)
        lay.addWidget(label("Microneedling area names", "heading"))
        hint = label(
            "This clinic's own areas, offered on a microneedling chart's area sheet beside the "
            "standard ones (forehead, cheeks, …), so they are tapped, not typed on each chart. "
            "An area keeps its name if the name is later taken off this list."
            + ("" if self.admin else " Only an admin can change this list."),
            "body",
        )
        hint.setWordWrap(True)
        lay.addWidget(hint)
        self.rows = QWidget()
        self.rows.setObjectName("areaNamesList")
        self.list = vbox(self.rows, spacing=6)
        lay.addWidget(self.rows)
        self.empty = label("No names of the clinic's own yet.", "muted")
        lay.addWidget(self.empty)
        add_row = hbox(spacing=8)
        self.field = QLineEdit()
        self.field.setObjectName("newAreaName")
        self.field.setPlaceholderText("New area name, e.g. Décolletage")
        self.field.setMaxLength(area_names.MAX_LENGTH)
        self.field.setMinimumHeight(TOUCH)
        self.field.returnPressed.connect(self.add)
        self.add_button = button("Add", "primary")
        self.add_button.setObjectName("addAreaName")
        self.add_button.setMinimumWidth(120)
        self.add_button.clicked.connect(self.add)
        add_row.addWidget(self.field, 1)
        add_row.addWidget(self.add_button)
        lay.addLayout(add_row)
        for w in (self.field, self.add_button):
            w.setVisible(self.admin)
        self.remove_buttons: dict[str, QPushButton] = {}
        self.names: list[str] = []
        try:
            self.show_names(area_names.clinic_area_names(ctx.store))
        except StoreError as exc:
            self.empty.setText(f"The list could not be read: {exc}")

    def show_names(self, names: list[str]) -> None:
        self.names = names
        while self.list.count():
            item = self.list.takeAt(0)
            w = item.widget() if item is not None else None
            if w is not None:
                w.setParent(None)
                w.deleteLater()
        self.remove_buttons = {}
        for name in names:
            row = QWidget()
            line = hbox(row, spacing=8)
            text = QLabel(name)
            text.setProperty("kind", "body")
            text.setTextFormat(Qt.TextFormat.PlainText)
            text.setWordWrap(True)
            line.addWidget(text, 1)
            if self.admin:
                remove = button("Remove", "ghost")
                remove.setObjectName("removeAreaName")
                remove.setAccessibleName(f"Remove {name}")
                remove.setMinimumWidth(120)
                remove.clicked.connect(lambda _c=False, n=name: self.remove(n))
                line.addWidget(remove)
                self.remove_buttons[name] = remove
            self.list.addWidget(row)
        self.empty.setVisible(not names)

    def add(self) -> None:
        name = self.field.text()
        if not name.strip():
            return
        try:
            names = area_names.add_area_name(self.ctx.store, self.ctx.practitioner.id, name)
        except (StoreError, ValueError) as exc:
            show_error(self, str(exc))
            return
        self.field.clear()
        self.show_names(names)

    def remove(self, name: str) -> None:
        try:
            names = area_names.remove_area_name(self.ctx.store, self.ctx.practitioner.id, name)
        except StoreError as exc:
            show_error(self, str(exc))
            return
        self.show_names(names)
