"""The window the app opens on (issue #11): the sign-in screen, or the first admin's form on
an empty database. Nothing else is built until someone has signed in; then the main window
takes over and this one closes."""

from __future__ import annotations

from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow, QWidget

from app.services.store import Store
from ui.common.widgets import vbox
from ui.signin.gate import SignInScreen


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
        # the main window, once someone has signed in (ui/app.py sets it: a window's parts
        # never import the window)
        self.main_window: QMainWindow | None = None
        self.gate.show_start()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.gate.shutdown()
        super().closeEvent(event)
