"""Background work for the screens: one job at a time on a thread of the owner's own, its
answer handed back on the GUI thread. (Placeholder API; see ADR 0012.)"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QTimer

from ui.common.gc_pause import PauseHold

T = TypeVar("T")
POLL_MS = 10
_Job = tuple[Future[Any], Callable[[Any], None], Callable[[BaseException], None]]


class Worker(QObject):
    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._pool: ThreadPoolExecutor | None = None
        self._job: _Job | None = None
        self._pauses = PauseHold()
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._collect)

    @property
    def busy(self) -> bool:
        return self._job is not None

    def run(
        self,
        job: Callable[[], T],
        on_done: Callable[[T], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix=self.name)
        self._pauses.hold()
        self._job = (self._pool.submit(job), on_done, on_error)
        self._timer.start()

    def _collect(self) -> None:
        if self._job is None or not self._job[0].done():
            return
        future, on_done, on_error = self._job
        self._job = None
        self._timer.stop()
        self._pauses.release()
        exc = future.exception()
        if exc is not None:
            on_error(exc)
        else:
            on_done(future.result())

    def wait(self) -> None:
        if self._job is not None:
            self._job[0].exception()  # blocks until it ended
            self._collect()

    def shutdown(self) -> None:
        """Wait for the job in flight and drop its answer: its owner is going away."""
        if self._job is not None:
            self._job[0].exception()
            self._job = None
            self._pauses.release()
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        self._timer.stop()
        self._pauses.release_all()
