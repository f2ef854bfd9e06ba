"""Alignment off the GUI thread: one job at a time on a worker thread of the editor's own.

`align_view` takes 100 ms or more (two meshes on two photos), so the editor must never wait
for it. The GUI thread hands the result on by the `done` signal together with the key it was
asked for; whoever asked decides whether the answer is still wanted (the view or the source
may have changed meanwhile). One thread, because the face nets are per thread (ADR 0009) and
the machine's cores are shared with the pen.

The worker touches nothing of Qt: it fills a `Future`, which a GUI-thread timer collects
every 25 ms while a job runs, and no cyclic collection runs meanwhile (ui/common/gc_pause.py:
one on the worker would free Qt objects off the GUI thread).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from ui.common.gc_pause import collector_paused

POLL_MS = 25  # well under a frame of waiting, and only while a job runs


class BackgroundAligner(QObject):
    done = Signal(object, object)  # key, AlignmentResult | Exception

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool: ThreadPoolExecutor | None = None
        self._future: Future | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._collect)
        self.running: Hashable | None = None
        self._closed = False

    @property
    def busy(self) -> bool:
        return self.running is not None

    def start(self, key: Hashable, job: Callable[[], Any]) -> None:
        """Run `job()` in the background; `done(key, result)` follows on the GUI thread."""
        if self._closed or self.running is not None:
            return
        if self._pool is None:  # a chart without earlier ones never starts the thread
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="overlay-align")
        self.running = key
        collector_paused(True)
        self._future = self._pool.submit(job)
        self._timer.start()

    def _collect(self) -> None:
        future = self._future
        if future is None or not future.done():
            return
        self._timer.stop()
        collector_paused(False)
        key, self.running, self._future = self.running, None, None
        exc = future.exception()
        if not self._closed:
            self.done.emit(key, exc if exc is not None else future.result())

    def shutdown(self) -> None:
        """Stop taking jobs and wait for the one in flight (it reads the store)."""
        self._closed = True
        self._timer.stop()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        if self.running is not None:
            self.running = None
            collector_paused(False)
