"""Screens built elsewhere (the chart editor, the capture screen) as pages of the main window.

Such a screen has its own way out — the editor keeps a draft, the capture screen stops the
camera and waits for a photo being written — so Back asks it to leave, and the page goes
only once the screen says it is done.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal, SignalInstance
from PySide6.QtWidgets import QWidget

from ui.common.widgets import Page, vbox


class HostedPage(Page):
    done = Signal()
    has_own_bar = True  # the editor's Close and the capture screen's Done lead back

    def __init__(
        self,
        screen: QWidget,
        title: str,
        leave: Callable[[], None],
        finished: SignalInstance,
        leave_now: Callable[[], None] | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("hostedPage")
        self.title = title
        self.screen_widget = screen
        self._leave = leave
        self._leave_now = leave_now or leave
        self._finished = False
        vbox(self).addWidget(screen)
        finished.connect(self._screen_finished)

    def ready_to_leave(self) -> bool:
        if self._finished:
            return True
        self._leave()  # ends with the screen's own signal, which brings us back here
        return False

    def leave_now(self) -> None:
        """Leave without asking anything (the lock gave way to another practitioner)."""
        if not self._finished:
            self._leave_now()

    def _screen_finished(self) -> None:
        if self._finished:
            return
        self._finished = True
        self.screen_widget.close()  # its closeEvent tidies up (e.g. the editor's pen filter)
        self.done.emit()
