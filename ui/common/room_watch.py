"""The window's eye on the other rooms (issue #13, ADR 0026): one `ChangeWatcher` per window,
waited on through the app's one worker base (ADR 0012), its news delivered on the GUI thread
as `news` (a list of `RoomNews`, oldest first).

Each job waits a short while (WAIT_S) and is queued again as soon as it is delivered, so the
worker's thread stays alive (and holds its collection pause, as every worker does) while the
window watches, and `close()` waits at most one WAIT_S for the job in flight. The watcher is
made in the first job, not on the GUI thread: reaching a slow or lost clinic server never
freezes the screen. A job that fails (the server went away) is tried again after RETRY_MS;
events are read by sequence number, so nothing appended meanwhile is lost.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from app.services import room_news
from app.services.room_changes import ChangedRecords, ChangeWatcher
from app.services.room_news import RoomNews
from app.services.store import Store
from ui.common.worker import Worker

WAIT_S = 0.4  # one job's wait: the most a close waits for the thread
RETRY_MS = 2000


class _Eye:
    """The watcher, in a plain object the worker's job may set (jobs touch no Qt)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.watcher: ChangeWatcher | None = None

    def look(self) -> tuple[list[RoomNews], ChangedRecords]:
        """On the worker: make the watcher once, then wait for changes and describe them;
        with every event read that changed a record, as (seq, patient_id)."""
        if self.watcher is None:
            self.watcher = ChangeWatcher(self.store)
            return [], []
        w = self.watcher
        seen = w.seen
        changes = w.wait(WAIT_S)
        try:
            return room_news.describe(self.store, changes), list(w.changed)
        except BaseException:
            w.seen = seen  # read them again next time: no news is lost
            raise


class RoomWatch(QObject):
    news = Signal(object)  # list[RoomNews]
    # every event read that changed a record (what a screen read before it may not show:
    # ui/shell/chart_prefetch.py)
    changed = Signal(object)  # ChangedRecords

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self._eye = _Eye(store)
        self._worker = Worker("room-watch", self)
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.setInterval(RETRY_MS)
        self._retry.timeout.connect(self._next)
        self._closed = False
        self.failures = 0  # in a row; tests and the log read it
        self._failed_ever = 0
        self._next()

    @property
    def watching(self) -> bool:
        """The watcher is connected and has read the log's head (tests wait for this)."""
        return self._eye.watcher is not None

    def hearing(self) -> tuple[int, int] | None:
        """None unless the watcher is up and its last look worked; else a mark that changes
        whenever it may have been deaf since (a failed look, a lost link or listen): what
        was read while the mark stayed the same, and no change heard after it, is current."""
        watcher = self._eye.watcher
        if watcher is None or self.failures or self._closed:
            return None
        return (self._failed_ever, watcher.interruptions)

    def _next(self) -> None:
        if not self._closed:
            self._worker.run(self._eye.look, self._delivered, self._failed)

    def _delivered(self, got: tuple[list[RoomNews], ChangedRecords]) -> None:
        found, changes = got
        self.failures = 0
        self._next()
        if changes:
            self.changed.emit(changes)
        if found:
            self.news.emit(found)

    def _failed(self, _exc: BaseException) -> None:
        self.failures += 1
        self._failed_ever += 1
        if not self._closed:
            self._retry.start()

    def close(self) -> None:
        """Stop watching: the job in flight ends (within WAIT_S), the thread is joined, then
        the watcher's connection is closed here."""
        if self._closed:
            return
        self._closed = True
        self._retry.stop()
        self._worker.shutdown()
        watcher, self._eye.watcher = self._eye.watcher, None
        if watcher is not None:
            watcher.close()
