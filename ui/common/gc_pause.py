"""No cyclic garbage collection while a worker thread (overlay, capture framing) runs Python.

CPython collects on whichever thread allocates past the threshold, and a worker that builds
many lists (the mesh mapping's triangle grid, the face nets) does: measured, 20 collections on
the compare screen's redraw thread in 3 s. A collection there can free cyclic garbage the GUI
thread left, Qt objects among it, and so delete them off the GUI thread; the GUI thread later
crashed in its own collector or on a posted event for the freed object (PySide6 6.11.3 and
6.12, Python 3.11). Refcounting still frees everything acyclic meanwhile, and the GUI thread
collects as usual once no worker runs. Counted, so the aligner and the redraw can overlap.
"""

from __future__ import annotations

import gc
import threading

_lock = threading.Lock()
_paused = 0


def collector_paused(on: bool) -> None:
    """`True` when a worker job starts, `False` when it has ended (called on the GUI thread)."""
    global _paused
    with _lock:
        _paused = max(0, _paused + (1 if on else -1))
        if _paused:
            gc.disable()
        else:
            gc.enable()


def paused() -> bool:
    return _paused > 0


class PauseHold:
    """The pauses one owner holds (one per running job): released one by one as jobs end, or
    all at once when the owner shuts down or is deleted, so none is left behind."""

    def __init__(self) -> None:
        self.count = 0

    def hold(self) -> None:
        self.count += 1
        collector_paused(True)

    def release(self) -> None:
        if self.count:
            self.count -= 1
            collector_paused(False)

    def release_all(self) -> None:
        while self.count:
            self.release()
