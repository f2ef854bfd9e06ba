"""The window the app opens on (issue #11): the sign-in screen, or the first admin's form on
an empty database. Nothing else is built until someone has signed in; then the main window
takes over and this one closes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow, QWidget

from app.services.store import Store
from ui.common.widgets import vbox
from ui.signin.gate import SignInScreen

if TYPE_CHECKING:
    from ui.shell.main_window import MainWindow


class StartWindow(QMainWindow):
    def __init__(self, store: Store, demo: bool = False) -> None:
        super().__init__()
        self.setWindowTitle("FaceChart" + (" — demo clinic (nothing is kept)" if demo else ""))
        central = QWidget()
        central.setObjectName("central")
        lay = vbox(central, spacing=0)
        self.gate = SignInScreen(store)
        lay.addWidget(self.gate, 1)
        self.setCentralWidget(central)
        self.keyboard_slot = lay  # the touch keyboard joins under it, for the password
        self.main_window: MainWindow | None = None  # once someone has signed in
        self.gate.show_start()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.gate.shutdown()
        super().closeEvent(event)
