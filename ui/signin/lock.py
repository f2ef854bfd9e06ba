"""The main window's lock (issue #11): the Lock button and the idle clock put the sign-in
screen over everything; nothing of a patient stays visible (the pages are hidden under it,
dialogs over the window are hidden with them, the window title names no one).

Unlocking with the PIN brings back the screen as it was, open editor and dialogs included,
with the practitioner's signing key still open. Another practitioner signing in there is a
full sign-in: the first one is signed out, their key dropped, every page closed without
asking — an open chart keeps its unsaved work as its author's draft (never saved under
whoever signed in) — and the new practitioner starts on the patient list.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QDialog, QStackedWidget, QWidget

from app.services import practitioner_admin, signin
from app.services.signin import SignedIn
from app.store.errors import StoreError
from ui.common.context import AppContext
from ui.common.touch_keyboard import KeyboardController
from ui.signin.gate import SignInScreen
from ui.signin.idle import IdleWatch

LOCKED_TITLE = "FaceChart — locked"


class LockHost(Protocol):
    """What the lock needs of the window it locks (the main window; never imported here: a
    window's parts do not import the window)."""

    ctx: AppContext
    layers: QStackedWidget  # the work and, above it when locked, the sign-in screen
    work: QWidget

    def windowTitle(self) -> str: ...
    def setWindowTitle(self, title: str) -> None: ...
    def leave_for_someone_else(self) -> None: ...
    def practitioner_changed(self) -> None: ...


class Locker(QObject):
    def __init__(self, window: LockHost) -> None:
        super().__init__(window if isinstance(window, QObject) else None)
        self.window = window
        self._gate: SignInScreen | None = None  # built at the first lock: sign-in is faster
        self.idle = IdleWatch(self, self._minutes())
        self.idle.idle.connect(lambda: self.lock("idle"))
        self._hidden: list[QWidget] = []
        self._title = window.windowTitle()
        self.idle.start()

    def _minutes(self) -> float:
        try:
            return practitioner_admin.idle_lock_minutes(self.window.ctx.store)
        except Exception:  # a damaged or vanished database: the default, never a crash
            return practitioner_admin.IDLE_LOCK_DEFAULT

    @property
    def gate(self) -> SignInScreen:
        """The sign-in screen the lock shows, made the first time it is needed."""
        if self._gate is None:
            self._gate = SignInScreen(self.window.ctx.store)
            self.window.layers.addWidget(self._gate)
            self._gate.unlocked.connect(self._unlocked)
            self._gate.signed_in.connect(self._signed_in)
        return self._gate

    @property
    def locked(self) -> bool:
        return self._gate is not None and self.window.layers.currentWidget() is self._gate

    def lock(self, why: str = "button") -> None:
        if self.locked:
            return
        self.idle.stop()
        try:
            signin.lock(self.window.ctx.store, self.window.ctx.practitioner.id, why)
        except StoreError:
            pass  # a database gone away must never keep the screen unlocked
        self._hide_windows()
        self._title = self.window.windowTitle()
        self.window.setWindowTitle(LOCKED_TITLE)
        self.gate.show_lock(self.window.ctx.practitioner)
        self.window.layers.setCurrentWidget(self.gate)
        self.gate.setFocus()

    def show_sign_in(self) -> None:
        """The lock, then its list of practitioners (someone else signing in)."""
        self.lock("sign in as someone else")
        self.gate.show_tiles()

    def _hide_windows(self) -> None:
        """Dialogs, the compare screen, message boxes: anything besides the window itself."""
        app = QApplication.instance()
        controller = app.findChild(KeyboardController) if app else None
        if controller is not None and controller.mode == "own":
            controller.keyboard.hide()
        self._hidden = [
            w for w in QApplication.topLevelWidgets() if w is not self.window and w.isVisible()
        ]
        for w in self._hidden:
            w.hide()

    def _show_work(self) -> None:
        self.window.layers.setCurrentWidget(self.window.work)
        self.window.setWindowTitle(self._title)
        self.idle.set_minutes(self._minutes())
        self.idle.start()

    def _unlocked(self) -> None:
        hidden, self._hidden = self._hidden, []
        self._show_work()
        for w in hidden:
            w.show()

    def _signed_in(self, who: SignedIn) -> None:
        ctx = self.window.ctx
        if who.practitioner.id == ctx.practitioner.id:  # the same, by a full sign-in
            ctx.practitioner = who.practitioner
            ctx.signer = who.signer
            self._unlocked()
            return
        try:
            signin.sign_out(ctx.store, ctx.practitioner.id, "another practitioner signed in")
        except StoreError:
            pass
        hidden, self._hidden = self._hidden, []
        for w in hidden:
            if isinstance(w, QDialog):
                w.reject()
            w.close()
        self.window.leave_for_someone_else()  # drafts stay their author's
        ctx.practitioner = who.practitioner
        ctx.signer = who.signer  # the first one's key is dropped with the reference
        self.window.practitioner_changed()
        self._show_work()

    def shutdown(self) -> None:
        self.idle.stop()
        if self._gate is not None:
            self._gate.shutdown()
