"""The screen the app opens on when the clinic server cannot be reached at start-up (issue #13,
ADR 0027): one plain sentence naming the server, a "Try again" button, and a try on its own
every few seconds. Nothing else is built over a dead connection: no sign-in screen that would
fail at its first tap. When the server answers, `opened(store)` hands the open database on and
the app continues to sign-in; a refusal that waiting will not cure (a schema from another
FaceChart, a wrong password) is `refused(text)`.

Each try runs on a worker (ui/common/worker.py): a connect may take up to its timeout (5 s,
app/store/database.py), and the screen stays live meanwhile.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow, QWidget

from app.services import signin
from app.services.store import Store, open_database, server_name
from app.store.errors import ServerUnreachableError, StoreError
from ui.common.widgets import button, label, vbox
from ui.common.worker import Worker

RETRY_S = 5.0  # "every few seconds": a server restart takes a few


def _open(url: str) -> Store:
    """The database opened and its first screen's first read done (on the worker)."""
    store = open_database(url)
    try:
        signin.tiles(store)
    except BaseException:
        store.dispose()
        raise
    return store


class ServerWaitWindow(QMainWindow):
    opened = Signal(object)  # Store: the server answered; sign-in comes next
    refused = Signal(str)  # the server answered with a refusal that waiting will not cure

    def __init__(self, url: str, retry_s: float | None = None) -> None:
        super().__init__()
        self.url = url
        self.server = server_name(url) or "?"
        self.setWindowTitle("FaceChart")
        central = QWidget()
        central.setObjectName("central")
        lay = vbox(central, margins=48, spacing=20)
        lay.addStretch(1)
        self.title = label(f"The clinic server ({self.server}) cannot be reached", "title")
        self.title.setWordWrap(True)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body = label(
            "FaceChart tries again every few seconds and goes on to sign-in as soon as the "
            "server answers. Check this laptop's network, or ask whoever looks after the "
            "clinic server.",
            "body",
        )
        self.body.setWordWrap(True)
        self.body.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status = label("", "muted")
        self.status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.try_again = button("Try again", "primary")
        self.try_again.setObjectName("serverTryAgain")
        self.try_again.setMinimumWidth(200)
        self.try_again.clicked.connect(self.attempt)
        for w in (self.title, self.body, self.status):
            lay.addWidget(w)
        lay.addWidget(self.try_again, 0, Qt.AlignmentFlag.AlignHCenter)
        lay.addStretch(2)
        self.setCentralWidget(central)
        self._worker = Worker("server-wait", self)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(int((retry_s or RETRY_S) * 1000))
        self._timer.timeout.connect(self.attempt)
        self._timer.start()
        self.tries = 0
        self._done = False

    def attempt(self) -> None:
        """One try now (the button, or the timer); a try already running is enough."""
        if self._done or self._worker.busy:
            return
        self._timer.stop()
        self.tries += 1
        self.status.setText("Trying to reach the server…")
        self.try_again.setEnabled(False)
        url = self.url
        self._worker.run(lambda: _open(url), self._opened, self._failed)

    def _opened(self, store: Store) -> None:
        self._done = True
        self.opened.emit(store)

    def _failed(self, exc: BaseException) -> None:
        self.try_again.setEnabled(True)
        if isinstance(exc, ServerUnreachableError):
            at = datetime.now().strftime("%H:%M:%S")
            self.status.setText(f"Still no answer at {at}; trying again in a few seconds.")
            self._timer.start()
            return
        self._done = True
        if isinstance(exc, StoreError):
            self.refused.emit(str(exc))
        else:
            raise exc  # the error hook logs it and says so plainly

    def shutdown(self) -> None:
        self._timer.stop()
        self._worker.shutdown()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)
