"""Backups run here, one at a time, on the main window's backup worker (ADR 0012): "Back up now",
the daily backup and the one on closing. The job is plain Python (app.services.backup_settings);
its progress is a (step, fraction) pair it writes under a lock and the GUI thread polls, so no
Qt is touched off the GUI thread. Pages listen to the signals."""

from __future__ import annotations

import threading
from functools import partial

from PySide6.QtCore import QObject, QTimer, Signal

from app.services import backup_settings, recovery
from app.services.backup import BackupReport
from app.services.store import Store
from app.store.errors import StoreError
from ui.common.worker import Worker

POLL_MS = 100


class JobProgress:
    """A job's step and fraction: written by the job's thread, read by the GUI thread (no Qt
    off the GUI thread). The backup and the archive jobs both report through it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value = ("Starting", 0.0)

    def __call__(self, step: str, done: float) -> None:
        with self._lock:
            self._value = (step, done)

    def read(self) -> tuple[str, float]:
        with self._lock:
            return self._value


class BackupRunner(QObject):
    started = Signal(bool)  # automatic
    progress = Signal(str, float)  # step in words, fraction done
    finished = Signal(object)  # BackupReport
    failed = Signal(str, bool)  # message, whether the database itself is damaged

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # finish_queued: a backup taken at closing must not be dropped by the worker's shutdown
        self._worker = Worker("backup", self, finish_queued=True)
        self._progress = JobProgress()
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        self.last_report: BackupReport | None = None
        self.last_error = ""

    @property
    def busy(self) -> bool:
        return self._worker.busy

    def start(self, store: Store, actor_id: int | None, automatic: bool = False) -> bool:
        """Run one backup to the configured folder; False when one is already running."""
        if self._worker.busy:
            return False
        self._progress = progress = JobProgress()
        self.last_error = ""
        job = partial(backup_settings.run_backup, store, progress, actor_id=actor_id)
        self._worker.run(job, self._done, self._error)
        self._timer.start()
        self.started.emit(automatic)
        return True

    def _poll(self) -> None:
        step, done = self._progress.read()
        self.progress.emit(step, done)

    def _done(self, report: BackupReport) -> None:
        self._timer.stop()
        self.last_report = report
        self.progress.emit("Done", 1.0)
        self.finished.emit(report)

    def _error(self, exc: BaseException) -> None:
        self._timer.stop()
        if isinstance(exc, OSError):  # a disk pulled out mid-write, a share gone
            message = (
                f"The backup could not be written: {exc.strerror or exc}. Nothing was kept; "
                "check the backup disk and try again."
            )
        elif isinstance(exc, StoreError):
            message = str(exc)
        else:
            raise exc  # a bug: the app's fault handler reports it
        self.last_error = message
        self.failed.emit(message, recovery.is_damage(exc) or "recovery screen" in message)

    def wait(self, timeout: float | None = None) -> bool:
        return self._worker.wait(timeout)

    def shutdown(self) -> None:
        self._timer.stop()
        self._worker.shutdown()
