"""Alignment off the GUI thread: one job at a time on a worker thread of the editor's own.

`align_view` takes 100 ms or more (two meshes on two photos), so the editor must never wait
for it. The GUI thread hands the result on by the `done` signal together with the key it was
asked for; whoever asked decides whether the answer is still wanted (the view or the source
may have changed meanwhile). One thread, because the face nets are per thread (ADR 0009) and
the machine's cores are shared with the pen. The thread, the collection pause and the hand-over
to the GUI thread are the app's one worker base's (ui/common/worker.py, ADR 0012).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from PySide6.QtCore import QObject, Signal

from ui.common.worker import Worker

# The controller asks for the next view as soon as one is done: a thread kept this long keeps
# its face nets (~20 ms to load) from one view to the next.
LINGER_S = 2.0


class BackgroundAligner(QObject):
    done = Signal(object, object)  # key, AlignmentResult | Exception

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._worker = Worker("overlay-align", self, linger_s=LINGER_S)
        self.running: Hashable | None = None

    @property
    def busy(self) -> bool:
        return self.running is not None

    def start(self, key: Hashable, job: Callable[[], Any]) -> None:
        """Run `job()` in the background; `done(key, result)` follows on the GUI thread."""
        if self.running is not None:
            return
        if self._worker.run(job, self._finished, self._finished):
            self.running = key

    def _finished(self, result: object) -> None:
        key, self.running = self.running, None
        self.done.emit(key, result)

    def shutdown(self) -> None:
        """Stop taking jobs and wait for the one in flight (it reads the store)."""
        self._worker.shutdown()
        self.running = None
