"""The admin's page of practitioners (issue #11): add one with a role and first PIN and
password, change a role, reset a forgotten PIN or password, deactivate; and the idle lock's
minutes. Each action goes through app/services/practitioner_admin, which checks the role
itself: this page being reachable only by admins is a courtesy, not the protection."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import QDialog, QFrame, QLineEdit, QPushButton, QWidget

from app.domain.roles import Role
from app.services import practitioner_admin
from app.services.practitioner_admin import PractitionerRow
from app.services.signin import WeakSecretError
from app.store.errors import StoreError
from ui.common.context import AppContext
from ui.common.dialogs import show_error
from ui.common.widgets import (
    TOUCH,
    Page,
    button,
    hbox,
    label,
    scroll_body,
    secret_field,
    vbox,
)
from ui.signin.idle import IdleWatch


def pin_field(name: str, placeholder: str = "PIN: 4 to 8 digits") -> QLineEdit:
    field = QLineEdit()
    field.setObjectName(name)
    field.setPlaceholderText(placeholder)
    field.setMaxLength(8)
    field.setValidator(QIntValidator(0, 99_999_999, field))
    field.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
    field.setMinimumHeight(TOUCH)
    return field


def role_buttons(chosen: Role, prefix: str) -> tuple[QWidget, dict[Role, QPushButton]]:
    box = QWidget()
    row = hbox(box, spacing=8)
    buttons: dict[Role, QPushButton] = {}
    for role in Role:
        b = button(role.label, "toggle")
        b.setObjectName(f"{prefix}_{role.value}")
        b.setCheckable(True)
        b.setAutoExclusive(True)
        b.setChecked(role is chosen)
        row.addWidget(b)
        buttons[role] = b
    return box, buttons


class SecretDialog(QDialog):
    """Asks an admin for a new PIN and/or password for someone (opened with `open()`)."""

    def __init__(
        self,
        parent: QWidget,
        title: str,
        pin: bool,
        password: bool,
        on_done: Callable[[str | None, str | None], str | None],
    ) -> None:
        super().__init__(parent)
        self.setObjectName("secretDialog")
        self.setWindowTitle(title)
        self.setModal(True)
        self.setMinimumWidth(560)
        self._on_done = on_done
        lay = vbox(self, margins=24, spacing=14)
        heading = label(title, "heading")
        heading.setWordWrap(True)
        lay.addWidget(heading)
        explain = label(
            "Tell them what you set here: at their next sign-in they choose their own, so "
            "you no longer know it.",
            "body",
        )
        explain.setWordWrap(True)
        lay.addWidget(explain)
        self.pin = pin_field("newPin") if pin else None
        self.password = (
            secret_field("newPassword", "Password: at least 8 characters") if password else None
        )
        if self.password is not None:
            self.password.setEchoMode(QLineEdit.EchoMode.Normal)  # said aloud to them anyway
        for field in (self.pin, self.password):
            if field is not None:
                lay.addWidget(field)
        self.error = label("", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        lay.addWidget(self.error)
        row = hbox(spacing=12)
        row.addStretch(1)
        cancel = button("Cancel", "secondary")
        self.confirm = button("Set", "primary")
        self.confirm.setObjectName("confirmSecret")
        row.addWidget(cancel)
        row.addWidget(self.confirm)
        lay.addLayout(row)
        self.keyboard_slot = lay
        cancel.clicked.connect(self.reject)
        self.confirm.clicked.connect(self._confirm)

    def _confirm(self) -> None:
        problem = self._on_done(
            self.pin.text() if self.pin else None,
            self.password.text() if self.password else None,
        )
        if problem:
            self.error.setText(problem)
            self.error.show()
            return
        self.accept()


class PractitionerCard(QFrame):
    def __init__(self, row: PractitionerRow, page: PractitionersPage) -> None:
        super().__init__()
        self.setObjectName(f"practitioner_{row.id}")
        self.setProperty("card", True)
        self.row = row
        lay = vbox(self, margins=16, spacing=10)
        top = hbox(spacing=16)
        name = label(row.name, "rowtitle")
        top.addWidget(name, 1)
        if not row.ready:
            state = "No PIN and password yet"
        elif row.temporary:
            state = "Chooses their own at the next sign-in"
        else:
            state = "Signs in with their own PIN and password"
        status = label(state if row.active else "Deactivated: cannot sign in", "muted")
        status.setObjectName("practitionerStatus")
        top.addWidget(status)
        lay.addLayout(top)
        actions = hbox(spacing=10)
        roles, self.roles = role_buttons(row.role, f"role_{row.id}")
        for role, b in self.roles.items():
            b.clicked.connect(lambda _=False, r=role: page.set_role(self.row, r))
        actions.addWidget(roles)
        actions.addStretch(1)
        if row.ready:
            pin = button("Reset PIN", "secondary")
            pin.setObjectName(f"resetPin_{row.id}")
            pin.clicked.connect(lambda: page.ask_reset(self.row, pin=True, password=False))
            password = button("Reset password", "secondary")
            password.setObjectName(f"resetPassword_{row.id}")
            password.clicked.connect(lambda: page.ask_reset(self.row, pin=False, password=True))
            actions.addWidget(pin)
            actions.addWidget(password)
        else:
            first = button("Set first PIN and password", "secondary")
            first.setObjectName(f"firstSecrets_{row.id}")
            first.clicked.connect(lambda: page.ask_reset(self.row, pin=True, password=True))
            actions.addWidget(first)
        active = button("Deactivate" if row.active else "Reactivate", "quiet")
        active.setObjectName(f"active_{row.id}")
        active.clicked.connect(lambda: page.set_active(self.row, not self.row.active))
        actions.addWidget(active)
        lay.addLayout(actions)


class PractitionersPage(Page):
    title = "Clinic settings · Practitioners"

    def __init__(self, ctx: AppContext, idle: IdleWatch | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.idle = idle
        self.setObjectName("practitionersPage")
        self.dialog: SecretDialog | None = None
        rows = practitioner_admin.list_all(ctx.store, ctx.practitioner.id)  # refuses non-admins
        outer = vbox(self, margins=0, spacing=0)
        self.area, self.lay = scroll_body()
        outer.addWidget(self.area)
        self._idle_card()
        self._add_card()
        self.lay.addWidget(label("Practitioners", "section"))
        self.cards: dict[int, PractitionerCard] = {}
        self._list = vbox(spacing=12)
        self.lay.addLayout(self._list)
        self.lay.addStretch(1)
        self._fill(rows)

    # -- idle lock --------------------------------------------------------------------------

    def _idle_card(self) -> None:
        card = QFrame()
        card.setProperty("card", True)
        row = hbox(card, margins=16, spacing=12)
        words = label("Lock the screen after this many minutes without use:", "body")
        words.setWordWrap(True)
        row.addWidget(words, 1)
        self.idle_minus = button("−", "secondary")
        self.idle_minus.setObjectName("idleMinus")
        self.idle_minutes = label("", "heading")
        self.idle_minutes.setObjectName("idleMinutes")
        self.idle_minutes.setMinimumWidth(72)
        self.idle_minutes.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.idle_plus = button("+", "secondary")
        self.idle_plus.setObjectName("idlePlus")
        for w in (self.idle_minus, self.idle_minutes, self.idle_plus):
            row.addWidget(w, 0, Qt.AlignmentFlag.AlignVCenter)
        self.idle_minus.clicked.connect(lambda: self.step_idle(-1))
        self.idle_plus.clicked.connect(lambda: self.step_idle(1))
        self.lay.addWidget(card)
        self._show_idle(practitioner_admin.idle_lock_minutes(self.ctx.store))

    def _show_idle(self, minutes: int) -> None:
        self.minutes = minutes
        self.idle_minutes.setText(str(minutes))
        self.idle_minus.setEnabled(minutes > practitioner_admin.IDLE_LOCK_RANGE[0])
        self.idle_plus.setEnabled(minutes < practitioner_admin.IDLE_LOCK_RANGE[-1])

    def step_idle(self, delta: int) -> None:
        try:
            minutes = practitioner_admin.set_idle_lock_minutes(
                self.ctx.store, self.ctx.practitioner.id, self.minutes + delta
            )
        except (StoreError, ValueError) as exc:
            show_error(self, str(exc))
            return
        self._show_idle(minutes)
        if self.idle is not None:
            self.idle.set_minutes(minutes)

    # -- adding -----------------------------------------------------------------------------

    def _add_card(self) -> None:
        card = QFrame()
        card.setProperty("card", True)
        lay = vbox(card, margins=16, spacing=10)
        lay.addWidget(label("Add a practitioner", "section"))
        self.new_name = QLineEdit()
        self.new_name.setObjectName("newName")
        self.new_name.setPlaceholderText("Name, as records will show it")
        self.new_name.setMinimumHeight(TOUCH)
        lay.addWidget(self.new_name)
        roles, self.new_roles = role_buttons(Role.INJECTOR, "newRole")
        lay.addWidget(roles, 0, Qt.AlignmentFlag.AlignLeft)
        secrets = hbox(spacing=12)
        self.new_pin = pin_field("newPracPin", "First PIN: 4 to 8 digits")
        self.new_password = secret_field("newPracPw", "First password: 8 characters or more")
        self.new_password.setEchoMode(QLineEdit.EchoMode.Normal)  # told to them anyway
        secrets.addWidget(self.new_pin, 1)
        secrets.addWidget(self.new_password, 2)
        lay.addLayout(secrets)
        bottom = hbox(spacing=12)
        self.add_message = label("", "error")
        self.add_message.setObjectName("addMessage")
        self.add_message.setWordWrap(True)
        bottom.addWidget(self.add_message, 1)
        self.add_button = button("Add", "primary")
        self.add_button.setObjectName("addPractitioner")
        self.add_button.clicked.connect(self.add)
        bottom.addWidget(self.add_button)
        lay.addLayout(bottom)
        self.lay.addWidget(card)

    def add(self) -> None:
        role = next(r for r, b in self.new_roles.items() if b.isChecked())
        try:
            practitioner_admin.add(
                self.ctx.store,
                self.ctx.practitioner.id,
                self.new_name.text(),
                role,
                self.new_pin.text(),
                self.new_password.text(),
            )
        except (StoreError, WeakSecretError) as exc:
            self.add_message.setText(str(exc))
            return
        self.add_message.setText("")
        for field in (self.new_name, self.new_pin, self.new_password):
            field.clear()
        self.reload()

    # -- the list ---------------------------------------------------------------------------

    def _fill(self, rows: list[PractitionerRow]) -> None:
        while (item := self._list.takeAt(0)) is not None:
            if gone := item.widget():
                gone.deleteLater()
        self.cards = {}
        for row in rows:
            card = PractitionerCard(row, self)
            self.cards[row.id] = card
            self._list.addWidget(card)

    def reload(self) -> None:
        try:
            self._fill(practitioner_admin.list_all(self.ctx.store, self.ctx.practitioner.id))
        except StoreError as exc:
            show_error(self, str(exc))

    def set_role(self, row: PractitionerRow, role: Role) -> None:
        try:
            practitioner_admin.set_role(self.ctx.store, self.ctx.practitioner.id, row.id, role)
        except StoreError as exc:
            show_error(self, str(exc))
        self.reload()

    def set_active(self, row: PractitionerRow, active: bool) -> None:
        try:
            practitioner_admin.set_active(self.ctx.store, self.ctx.practitioner.id, row.id, active)
        except StoreError as exc:
            show_error(self, str(exc))
        self.reload()

    def ask_reset(self, row: PractitionerRow, pin: bool, password: bool) -> SecretDialog:
        what = " and ".join(w for w, on in (("PIN", pin), ("password", password)) if on)
        title = f"{'First' if not row.ready else 'New'} {what} for {row.name}"

        def done(new_pin: str | None, new_password: str | None) -> str | None:
            store, me = self.ctx.store, self.ctx.practitioner.id
            try:
                if new_pin is not None and new_password is not None:
                    practitioner_admin.set_first_secrets(store, me, row.id, new_pin, new_password)
                elif new_pin is not None:
                    practitioner_admin.reset_pin(store, me, row.id, new_pin)
                elif new_password is not None:
                    practitioner_admin.reset_password(store, me, row.id, new_password)
            except (StoreError, WeakSecretError) as exc:
                return str(exc)
            self.reload()
            return None

        self.dialog = SecretDialog(self, title, pin, password, done)
        self.dialog.open()
        return self.dialog
