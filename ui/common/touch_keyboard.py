"""FaceChart's own touch keyboard, built from plain widgets, for tablets without a hardware
keyboard where the operating system brings none (issue #9).

Only names, search, notes, reasons and a lot typed by hand need text; everything else is
picked by touch. When such a field is tapped with a finger or a pen, the keyboard takes the
bottom of the window (the page above reflows, so the field stays in view) and types into the
field that has focus; its keys never take the focus. A mouse click or a hardware key shows
nothing: whoever has those has a keyboard.

Windows brings its own touch keyboard up for a text field tapped by touch (Qt asks it to;
docs/user-guide.md has the manual check), so there FaceChart's stays off. `FACECHART_KEYBOARD`
= `own` | `system` | `off` overrides the choice. Qt Virtual Keyboard is GPL-only in open-source
Qt, so it is not used.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QInputDevice, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QApplication,
    QBoxLayout,
    QFrame,
    QGridLayout,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)
from shiboken6 import isValid

from ui.common.widgets import TOUCH, TapButton

ENV = "FACECHART_KEYBOARD"
# Three rows a layer, so the keyboard leaves a 720-px-high screen room for the page above it.
LAYERS = {
    "abc": ("qwertyuiop", "asdfghjkl'", "zxcvbnm-.,"),
    "àé": ("àáâäãåæçđ", "èéêëìíîïñòó", "ôöõøœßšùúûüýÿžčł"),  # the names of European clinics
    "123": ("1234567890", "-/.,'#&()+", "@_:;!?%*"),
}
WATCHED = "touchKeyboardWatched"  # set on a field once the keyboard listens to its taps
SLOT = "keyboard_slot"  # a window's QBoxLayout the keyboard joins at its bottom
TextField = QLineEdit | QPlainTextEdit | QTextEdit


def wanted() -> str:
    """'own', 'system' or 'off' on this computer."""
    chosen = os.environ.get(ENV, "").strip().lower()
    if chosen in ("own", "system", "off"):
        return chosen
    return "system" if sys.platform == "win32" else "own"


def editable(w: QWidget | None) -> bool:
    if isinstance(w, QLineEdit):
        return not w.isReadOnly() and w.isEnabled()
    if isinstance(w, (QPlainTextEdit, QTextEdit)):
        return not w.isReadOnly() and w.isEnabled()
    return False


class Key(TapButton):
    """One key; a second quick tap on the same key is another keystroke ("ll", "aa" in
    names: TapButton)."""

    def __init__(self, text: str, name: str) -> None:
        super().__init__(text)
        self.setObjectName(name)
        self.setProperty("compact", True)
        self.setProperty("role", "key")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the field keeps the focus
        self.setMinimumSize(TOUCH, TOUCH)


class TouchKeyboard(QFrame):
    """Letters with a shift, a layer of accented letters and one of digits and signs, space,
    backspace (repeating when held), Enter and Hide."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("touchKeyboard")
        self.shifted = False
        self.layer = "abc"
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(8, 6, 8, 6)
        self.grid.setSpacing(5)
        self.keys: dict[str, Key] = {}
        self._build()

    def _build(self) -> None:
        while (item := self.grid.takeAt(0)) is not None:
            if gone := item.widget():
                gone.deleteLater()
        self.keys = {}
        rows = LAYERS[self.layer]
        columns = max(len(row) for row in rows)
        for r, row in enumerate(rows):
            for c, ch in enumerate(row):
                self._add(ch, f"key_{ch}", r, c, self._typer(ch))
        last, col = len(rows), 0
        self._add("⇧", "key_shift", last, col, self.toggle_shift)
        col += 1
        for layer in LAYERS:
            if layer != self.layer:
                self._add(layer, f"layer_{layer}", last, col, self._to_layer(layer))
                col += 1
        space = max(2, columns - col - 4)
        self._add("Space", "key_space", last, col, self._typer(" "), span=space)
        col += space
        self._add("⌫", "key_backspace", last, col, self.backspace, repeat=True)
        self._add("Enter", "key_enter", last, col + 1, self.enter)
        self._add("Hide", "key_hide", last, col + 2, self.hide_for_now, span=2)
        self._shift_look()

    def _to_layer(self, layer: str) -> Callable[[], None]:
        def switch() -> None:
            self.layer = layer
            self._build()

        return switch

    def _typer(self, ch: str) -> Callable[[], None]:
        return lambda: self.type_text(ch)

    def _add(
        self,
        text: str,
        name: str,
        row: int,
        col: int,
        on_tap: Callable[[], None],
        span: int = 1,
        repeat: bool = False,
    ) -> None:
        key = Key(text, name)
        if repeat:  # held: erase on, as a keyboard does
            key.setAutoRepeat(True)
            key.setAutoRepeatDelay(450)
            key.setAutoRepeatInterval(90)
        key.clicked.connect(on_tap)
        self.grid.addWidget(key, row, col, 1, span)
        self.keys[name] = key

    # --- typing -------------------------------------------------------------------------
    def target(self) -> QWidget | None:
        focused = QApplication.focusWidget()
        return focused if editable(focused) else None

    def _send(self, key: Qt.Key, text: str = "") -> None:
        field = self.target()
        if field is None:
            return
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(
                field, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, text)
            )

    def type_text(self, ch: str) -> None:
        if self.shifted or self._capital_here():
            ch = ch.upper()
        self._send(Qt.Key.Key_unknown, ch)
        if self.shifted:
            self.shifted = False
            self._shift_look()

    def _capital_here(self) -> bool:
        """Names start with a capital: at the start of a field or a word, unless the field
        asks for none (search); a field preferring capitals (lot numbers) gets only those."""
        field = self.target()
        if not isinstance(field, QLineEdit):
            return False
        hints = field.inputMethodHints()
        if hints & Qt.InputMethodHint.ImhPreferUppercase:
            return True
        if hints & Qt.InputMethodHint.ImhNoAutoUppercase:
            return False
        before = field.text()[: field.cursorPosition()]
        return before == "" or before.endswith((" ", "-"))

    def backspace(self) -> None:
        self._send(Qt.Key.Key_Backspace)

    def enter(self) -> None:
        self._send(Qt.Key.Key_Return, "\r")

    def toggle_shift(self) -> None:
        self.shifted = not self.shifted
        self._shift_look()

    def _shift_look(self) -> None:
        for name, key in self.keys.items():
            ch = name.removeprefix("key_")
            if len(ch) == 1 and ch.isalpha():
                key.setText(ch.upper() if self.shifted else ch)
        shift = self.keys.get("key_shift")
        if shift is not None:
            shift.setProperty("role", "primary" if self.shifted else "key")
            shift.style().unpolish(shift)
            shift.style().polish(shift)

    def hide_for_now(self) -> None:
        """Put away until a text field is tapped again."""
        self.hide()


class KeyboardController(QObject):
    """Shows the keyboard when a text field is tapped by touch or pen, in the window that
    holds the field (the window's `keyboard_slot` layout), and hides it when the focus leaves
    text. One per application."""

    def __init__(self, app: QApplication, mode: str | None = None) -> None:
        super().__init__(app)
        self.mode = mode or wanted()
        self._keyboard: TouchKeyboard | None = None
        if self.mode == "own":
            app.focusChanged.connect(self._focus_changed)

    @property
    def keyboard(self) -> TouchKeyboard:
        """The keyboard, made anew if the window it last sat in was destroyed with it."""
        if self._keyboard is None or not isValid(self._keyboard):
            self._keyboard = TouchKeyboard()
            self._keyboard.hide()
        return self._keyboard

    def _focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        if editable(new):
            assert new is not None
            if not new.property(WATCHED):
                # the press that gave the focus reaches the field right after this
                new.installEventFilter(self)
                new.setProperty(WATCHED, True)
            return
        if editable(old) and not self.keyboard.isAncestorOf(new or self.keyboard):
            # after this turn: a tap on a key does not move the focus, a tap elsewhere does
            QTimer.singleShot(0, self._hide_unless_typing)

    def _hide_unless_typing(self) -> None:
        if not editable(QApplication.focusWidget()):
            self.keyboard.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick)
            and isinstance(event, QMouseEvent)
            and isinstance(watched, QWidget)
            and event.device().type()
            in (QInputDevice.DeviceType.TouchScreen, QInputDevice.DeviceType.Stylus)
        ):
            self.show_for(watched)
        return False

    def show_for(self, field: QWidget) -> bool:
        """Bring the keyboard up under the window holding `field`; False where it has no
        place for one."""
        window = field.window()
        slot = getattr(window, SLOT, None)
        if not isinstance(slot, QBoxLayout):
            return False
        if self.keyboard.parentWidget() is not window or slot.indexOf(self.keyboard) < 0:
            slot.addWidget(self.keyboard)
        self.keyboard.show()
        QTimer.singleShot(0, lambda: _reveal(field))
        return True


def _reveal(field: QWidget) -> None:
    """Scroll the field into view if the page above the keyboard scrolls."""
    from PySide6.QtWidgets import QScrollArea

    p = field.parentWidget()
    while p is not None:
        if isinstance(p.parentWidget(), QScrollArea):
            area = p.parentWidget()
            assert isinstance(area, QScrollArea)
            area.ensureWidgetVisible(field)
            return
        p = p.parentWidget()
