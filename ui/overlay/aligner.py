"""Alignment off the GUI thread: one job at a time on a private one-thread pool.

`align_view` takes 100 ms or more (two meshes on two photos), so the editor must never wait
for it. A job's result comes back by a queued signal on the GUI thread together with the key
it was asked for; whoever asked decides whether the answer is still wanted (the view or the
source may have changed meanwhile). One thread, because the face nets are per thread (ADR
0009) and the machine's cores are shared with the pen.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal


class _Relay(QObject):
    finished = Signal(object, object)  # key, result or the exception that ended the job


class BackgroundAligner(QObject):
    done = Signal(object, object)  # key, AlignmentResult | Exception

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.pool.setExpiryTimeout(60_000)  # keep the thread (and its loaded nets) a while
        self._relay = _Relay()
        self._relay.finished.connect(self._deliver)
        self.running: Hashable | None = None
        self._closed = False

    @property
    def busy(self) -> bool:
        return self.running is not None

    def start(self, key: Hashable, job: Callable[[], Any]) -> None:
        """Run `job()` in the background; `done(key, result)` follows on the GUI thread."""
        if self._closed:
            return
        self.running = key
        relay = self._relay

        def run() -> None:
            try:
                result: Any = job()
            except Exception as exc:  # reported to the GUI thread, never lost in the pool
                result = exc
            try:
                relay.finished.emit(key, result)
            except RuntimeError:  # the editor closed while we worked: nobody to tell
                pass

        self.pool.start(run)

    def _deliver(self, key: Hashable, result: Any) -> None:
        if key == self.running:
            self.running = None
        if not self._closed:
            self.done.emit(key, result)

    def shutdown(self, wait_ms: int = 5000) -> None:
        """Stop taking jobs and wait for the one in flight (it reads the store)."""
        self._closed = True
        self.pool.clear()
        self.pool.waitForDone(wait_ms)
