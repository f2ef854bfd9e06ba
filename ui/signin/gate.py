"""The sign-in screen, also the lock screen (issue #11): practitioner tiles; password and PIN
to sign in; the PIN alone to unlock; first-start admin creation and "set your PIN and
password". It shows no patient data: whoever hosts it (the start window, the main window's
lock) hides everything else while it is up.

The password's key is opened on a worker as soon as the first PIN digit is tapped (the
password is typed by then), so OK waits only for the PIN's check (ADR 0018).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QWidget,
)

from app.services import demo, signin
from app.services.practitioners import PractitionerRecord
from app.services.signin import OpenedKey, SignedIn, SignInRefused, WeakSecretError
from app.services.store import Store
from app.store.errors import StoreError
from ui.common.widgets import (
    TOUCH,
    button,
    enable_touch_scroll,
    hbox,
    label,
    scroll_body,
    secret_field,
    vbox,
)
from ui.common.worker import Worker
from ui.signin.keypad import PinKeypad


def demo_words(name: str) -> str:
    d = demo.demo_secrets(name)
    return f"Demo clinic: {name}'s PIN is {d.pin}, password {d.password}." if d else ""


class EntryPanel(QWidget):
    """Sign in (password + PIN) or unlock (PIN alone) as one practitioner."""

    def __init__(self) -> None:
        super().__init__()
        row = hbox(self, margins=24, spacing=40)
        left = vbox(spacing=12)
        self.heading = label("", "title")
        self.heading.setObjectName("signInName")
        self.heading.setWordWrap(True)
        self.explain = label("", "body")
        self.explain.setWordWrap(True)
        self.password = secret_field("passwordField", "Password")
        self.message = label("", "error")
        self.message.setObjectName("signInMessage")
        self.message.setWordWrap(True)
        self.hint = label("", "note")
        self.hint.setObjectName("demoHint")
        self.hint.setWordWrap(True)
        self.other = button("Sign in as someone else", "secondary")
        self.other.setObjectName("someoneElseButton")
        for w in (self.heading, self.explain, self.password, self.message, self.hint):
            left.addWidget(w)
        left.addStretch(1)
        left.addWidget(self.other, 0, Qt.AlignmentFlag.AlignLeft)
        row.addLayout(left, 1)
        self.keypad = PinKeypad()
        self.keypad.setMaximumWidth(380)
        row.addWidget(self.keypad, 0, Qt.AlignmentFlag.AlignVCenter)


class SetupPanel(QWidget):
    """Choose a name (first admin only), a password (typed twice) and a PIN (tapped twice)."""

    def __init__(self) -> None:
        super().__init__()
        row = hbox(self, margins=24, spacing=40)
        area, left = scroll_body(margins=0, spacing=12)
        self.heading = label("", "title")
        self.heading.setWordWrap(True)
        self.explain = label("", "body")
        self.explain.setWordWrap(True)
        self.name = QLineEdit()
        self.name.setObjectName("setupName")
        self.name.setPlaceholderText("Your name, as records will show it")
        self.name.setMinimumHeight(TOUCH)
        self.password = secret_field("setupPassword", "Password (at least 8 characters)")
        self.repeat = secret_field("setupRepeat", "The same password again")
        self.message = label("", "error")
        self.message.setObjectName("setupMessage")
        self.message.setWordWrap(True)
        for w in (self.heading, self.explain, self.name, self.password, self.repeat):
            left.addWidget(w)
        left.addWidget(self.message)
        left.addStretch(1)
        buttons = hbox(spacing=12)
        self.cancel = button("Cancel", "secondary")
        self.cancel.setObjectName("setupCancel")
        self.save = button("Save", "primary")
        self.save.setObjectName("setupSave")
        buttons.addWidget(self.cancel)
        buttons.addWidget(self.save)
        buttons.addStretch(1)
        left.addLayout(buttons)
        row.addWidget(area, 1)
        self.keypad = PinKeypad()
        self.keypad.setMaximumWidth(380)
        row.addWidget(self.keypad, 0, Qt.AlignmentFlag.AlignVCenter)


class TilesPanel(QWidget):
    def __init__(self) -> None:
        super().__init__()
        lay = vbox(self, margins=24, spacing=16)
        # the question and the tiles on a panel of their own: the screen's one place to tap
        panel = QFrame()
        panel.setObjectName("tilesPanel")
        inside = vbox(panel, margins=16)
        top = hbox(spacing=16)
        self.heading = label("Who is signing in?", "title")
        top.addWidget(self.heading, 1)
        self.back = button("Back", "secondary")
        self.back.setObjectName("backToLock")
        top.addWidget(self.back)
        inside.addLayout(top)
        self.message = label("", "error")
        self.message.setObjectName("tilesMessage")
        self.message.setWordWrap(True)
        inside.addWidget(self.message)
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        area.setFrameShape(QFrame.Shape.NoFrame)
        enable_touch_scroll(area)
        self.inner = QWidget()
        self.grid = QGridLayout(self.inner)
        self.grid.setSpacing(16)
        self.grid.setContentsMargins(0, 0, 0, 0)
        area.setWidget(self.inner)
        inside.addWidget(area)
        lay.addWidget(panel, 1)
        self.hint = label("", "note")
        self.hint.setObjectName("demoTilesHint")
        self.hint.setWordWrap(True)
        lay.addWidget(self.hint)


class SignInScreen(QWidget):
    signed_in = Signal(object)  # SignedIn: a full sign-in (perhaps of someone else)
    unlocked = Signal()  # the locked practitioner's PIN was right

    COLUMNS = 3
    # open the password's key on a worker while the PIN is tapped (off: at OK, with the PIN's
    # check; the benchmark's cold path)
    open_ahead = True

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signInScreen")
        self.store = store
        self.demo = demo.is_demo(store)
        self.locked: PractitionerRecord | None = None  # whose lock this is
        self.chosen: signin.Tile | None = None
        self.mode = "tiles"  # tiles | sign-in | lock | first_admin | claim | replace
        self._replacing: SignedIn | None = None
        self._first_pin: str | None = None
        self._opening: tuple[int, str] | None = None  # (practitioner, password) being opened
        self._opened: OpenedKey | None = None
        self._opener = Worker("sign-in-key", self)  # Argon2 off the GUI thread
        lay = vbox(self, spacing=0)
        bar = QFrame()
        bar.setObjectName("topBar")
        bar.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        bar.setMinimumHeight(TOUCH + 16)
        bar_row = hbox(bar, margins=8, spacing=12)
        self.bar_title = label("FaceChart", "bartitle")
        self.bar_title.setObjectName("signInTitle")
        bar_row.addSpacing(12)
        bar_row.addWidget(self.bar_title, 1)
        if self.demo:
            bar_row.addWidget(label("Demo clinic — nothing is kept", "badge"))
        lay.addWidget(bar)
        self.pages = QStackedWidget()
        self.tiles = TilesPanel()
        self.entry = EntryPanel()
        self.setup = SetupPanel()
        for page in (self.tiles, self.entry, self.setup):
            self.pages.addWidget(page)
        lay.addWidget(self.pages, 1)
        self.tiles.back.clicked.connect(self._back_to_lock)
        self.entry.other.clicked.connect(lambda: self.show_tiles())
        self.entry.keypad.typed.connect(self._pin_typed)
        self.entry.keypad.submitted.connect(self._entry_pin)
        self.entry.password.returnPressed.connect(self._password_given)
        self.setup.keypad.submitted.connect(self._setup_pin)
        self.setup.save.clicked.connect(lambda: self._setup_save(None))
        self.setup.cancel.clicked.connect(self._setup_cancel)

    # -- what is shown ----------------------------------------------------------------------

    def show_start(self) -> None:
        """As the app starts: the first admin's form on an empty database, else the tiles."""
        self.locked = None
        if signin.setup_state(self.store) == "first_admin":
            self._show_setup("first_admin")
        else:
            self.show_tiles()

    def show_lock(self, who: PractitionerRecord) -> None:
        self.locked = who
        self.mode = "lock"
        self._forget_password()
        e = self.entry
        e.heading.setText(f"Locked · {who.name}")
        e.explain.setText("Enter your PIN to go on where you left off.")
        e.password.hide()
        e.other.setText("Sign in as someone else")
        e.other.show()
        self._show_hint(who.name)
        self._entry_reset("")
        self.bar_title.setText("FaceChart — locked")
        self.pages.setCurrentWidget(e)

    def show_tiles(self, message: str = "") -> None:
        self.mode = "tiles"
        self._forget_password()
        t = self.tiles
        while (item := t.grid.takeAt(0)) is not None:
            if gone := item.widget():
                gone.deleteLater()
        try:
            tiles = signin.tiles(self.store)
        except StoreError as exc:
            tiles, message = [], str(exc)
        for n, tile in enumerate(tiles):
            t.grid.addWidget(self._tile_button(tile), n // self.COLUMNS, n % self.COLUMNS)
        t.grid.setRowStretch(len(tiles) // self.COLUMNS + 1, 1)
        t.message.setText(message)
        t.message.setVisible(bool(message))
        t.back.setVisible(self.locked is not None)
        if self.locked is not None:
            t.back.setText(f"Back to {self.locked.name}")
        secrets = [demo.demo_secrets(tile.name) for tile in tiles] if self.demo else []
        t.hint.setText(
            "Demo clinic — PIN and password of each: "
            + " · ".join(f"{d.name} {d.pin} / {d.password}" for d in secrets if d)
            if any(secrets)
            else ""
        )
        t.hint.setVisible(bool(t.hint.text()))
        self.bar_title.setText("FaceChart — locked" if self.locked else "FaceChart — sign in")
        self.pages.setCurrentWidget(t)

    def _tile_button(self, tile: signin.Tile) -> QPushButton:
        state = "" if tile.ready else ("\nSet up your PIN" if tile.may_set_up else "\nNot set up")
        b = button(f"{tile.name}\n{tile.role.label}{state}", "secondary")
        b.setObjectName(f"tile_{tile.id}")
        b.setProperty("tile", True)
        b.setProperty("ready", tile.ready or tile.may_set_up)
        b.setMinimumHeight(112)
        b.setMinimumWidth(240)
        b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        b.clicked.connect(lambda _=False, t=tile: self.choose(t))
        return b

    def choose(self, tile: signin.Tile) -> None:
        """A tile tapped: sign in, set up (an upgraded database's admin), or why not."""
        if tile.may_set_up:
            self.chosen = tile
            self._show_setup("claim")
            return
        if not tile.ready:
            self.show_tiles(
                f"{tile.name} has no PIN and password yet: an admin sets the first ones."
            )
            return
        self.chosen = tile
        self.mode = "sign-in"
        e = self.entry
        e.heading.setText(tile.name)
        e.explain.setText("Type your password, then tap your PIN.")
        e.password.clear()
        e.password.show()
        e.other.setText("Someone else")
        self._show_hint(tile.name)
        self._entry_reset("")
        self.bar_title.setText("FaceChart — sign in")
        self.pages.setCurrentWidget(e)
        e.password.setFocus()

    def _show_hint(self, name: str) -> None:
        words = demo_words(name) if self.demo else ""
        self.entry.hint.setText(words)
        self.entry.hint.setVisible(bool(words))

    def _entry_reset(self, message: str) -> None:
        self.entry.keypad.clear()
        self.entry.keypad.set_prompt("PIN")
        self.entry.message.setText(message)
        self.entry.message.setVisible(bool(message))

    def _back_to_lock(self) -> None:
        if self.locked is not None:
            self.show_lock(self.locked)

    # -- signing in and unlocking -----------------------------------------------------------

    def _password_given(self) -> None:
        self._open_ahead()

    def _pin_typed(self) -> None:
        if self.mode == "sign-in" and self.entry.keypad.pin():
            self._open_ahead()

    def _open_ahead(self) -> None:
        """Open the key with the typed password on a worker while the PIN is tapped."""
        if self.chosen is None or self.mode != "sign-in" or not self.open_ahead:
            return
        password = self.entry.password.text()
        wanted = (self.chosen.id, password)
        if not password or self._opening == wanted:
            return
        self._opener.cancel("key")
        self._opening, self._opened = wanted, None
        store, pid = self.store, self.chosen.id

        def opened(key: OpenedKey) -> None:
            if self._opening == (key.practitioner_id, password):
                self._opened = key

        self._opener.run(
            lambda: signin.open_key(store, pid, password), opened, lambda _e: None, key="key"
        )

    def _forget_password(self) -> None:
        self._opener.cancel("key")
        self._opening, self._opened = None, None
        self.entry.password.clear()

    def _entry_pin(self, pin: str) -> None:
        if self.mode == "lock" and self.locked is not None:
            self._unlock(self.locked, pin)
        elif self.mode == "sign-in" and self.chosen is not None:
            self._sign_in(self.chosen, pin)

    def _busy(self, text: str) -> None:
        self.entry.message.setText(text)
        self.entry.message.setVisible(True)
        self.entry.message.repaint()  # said before the check holds the screen a moment

    def _unlock(self, who: PractitionerRecord, pin: str) -> None:
        try:
            signin.unlock(self.store, who.id, pin)
        except StoreError as exc:
            self._entry_reset(str(exc))
            return
        self._entry_reset("")
        self.unlocked.emit()

    def _sign_in(self, tile: signin.Tile, pin: str) -> None:
        password = self.entry.password.text()
        if not password:
            self._entry_reset("Type your password first, then your PIN.")
            self.entry.password.setFocus()
            return
        given: str | OpenedKey = password
        if self._opening == (tile.id, password):
            self._opener.wait()  # started while the PIN was tapped: usually done already
            if self._opened is not None:
                given = self._opened
        try:
            who = signin.sign_in(self.store, tile.id, pin, given)
        except StoreError as exc:
            self._forget_password()
            self._entry_reset(str(exc))
            if not isinstance(exc, SignInRefused) or exc.wait_seconds is None:
                self.entry.password.setFocus()
            return
        self._forget_password()
        self._entry_reset("")
        if who.must_replace:
            self._replacing = who
            self._show_setup("replace")
            return
        self.signed_in.emit(who)

    # -- choosing a PIN and password --------------------------------------------------------

    def _show_setup(self, mode: str) -> None:
        self.mode = mode
        self._first_pin = None
        p = self.setup
        p.name.clear()
        p.password.clear()
        p.repeat.clear()
        p.message.hide()
        p.keypad.clear()
        needs = self._needs()
        p.name.setVisible(mode == "first_admin")
        p.password.setVisible("password" in needs)
        p.repeat.setVisible("password" in needs)
        p.keypad.setVisible("pin" in needs)
        p.save.setVisible("pin" not in needs)
        p.cancel.setVisible(mode != "first_admin")
        p.cancel.setText("Sign out" if mode == "replace" else "Cancel")
        p.keypad.set_prompt("Choose a PIN: 4 to 8 digits")
        if mode == "first_admin":
            p.heading.setText("Welcome to FaceChart")
            p.explain.setText(
                "You are the first practitioner: the admin, who adds the others. Give your "
                "name, a password that opens your signing key (asked once when you sign in) "
                "and a PIN that unlocks the screen."
            )
            p.name.setFocus()
        elif mode == "claim":
            name = self.chosen.name if self.chosen else ""
            p.heading.setText(f"{name}: set your PIN and password")
            p.explain.setText(
                "Sign-in is new in this FaceChart. Choose a password (asked once when you sign "
                "in: it opens your signing key) and a PIN that unlocks the screen. Then add "
                "the others' first PINs and passwords under Settings › Practitioners."
            )
            p.password.setFocus()
        else:
            p.heading.setText("Choose your own")
            parts = " and ".join(x for x in ("PIN", "password") if x.lower() in needs)
            p.explain.setText(
                f"An admin set your {parts}. Choose your own now, so nobody else knows it."
            )
            if "password" in needs:
                p.password.setFocus()
        self.bar_title.setText("FaceChart — set up")
        self.pages.setCurrentWidget(p)

    def _needs(self) -> frozenset[str]:
        if self.mode == "replace" and self._replacing is not None:
            return self._replacing.must_replace
        return frozenset({"pin", "password"})

    def _setup_error(self, text: str) -> None:
        self.setup.message.setText(text)
        self.setup.message.show()

    def _setup_pin(self, pin: str) -> None:
        if self._first_pin is None:
            self._first_pin = pin
            self.setup.keypad.clear()
            self.setup.keypad.set_prompt("The same PIN again")
            return
        first, self._first_pin = self._first_pin, None
        self.setup.keypad.clear()
        self.setup.keypad.set_prompt("Choose a PIN: 4 to 8 digits")
        if pin != first:
            self._setup_error("The two PINs differ: choose it again.")
            return
        self._setup_save(pin)

    def _setup_save(self, pin: str | None = None) -> None:
        p = self.setup
        needs = self._needs()
        password: str | None = None
        if "password" in needs:
            password = p.password.text()
            if password != p.repeat.text():
                self._setup_error("The two passwords differ.")
                return
        if "pin" in needs and pin is None:
            self._setup_error("Tap your PIN on the keypad, twice.")
            return
        try:
            who = self._save_secrets(pin, password)
        except (StoreError, WeakSecretError) as exc:
            self._setup_error(str(exc))
            return
        p.password.clear()
        p.repeat.clear()
        self.signed_in.emit(who)

    def _save_secrets(self, pin: str | None, password: str | None) -> SignedIn:
        if self.mode == "first_admin":
            return signin.create_first_admin(
                self.store, self.setup.name.text(), pin or "", password or ""
            )
        if self.mode == "claim" and self.chosen is not None:
            return signin.claim(self.store, self.chosen.id, pin or "", password or "")
        who = self._replacing
        assert who is not None
        signer = signin.replace_temporary(self.store, who.practitioner.id, pin, password)
        self._replacing = None
        return SignedIn(who.practitioner, signer or who.signer)

    def _setup_cancel(self) -> None:
        if self.mode == "replace" and self._replacing is not None:
            signin.sign_out(self.store, self._replacing.practitioner.id, "did not choose own")
            self._replacing = None
        if self.locked is not None:
            self.show_lock(self.locked)
        else:
            self.show_tiles()

    def shutdown(self) -> None:
        self._opener.shutdown()
