"""No cyclic garbage collection while a worker thread (ui/common/worker.py) can run Python.

CPython collects on whichever thread allocates past the threshold, and a worker that builds
many lists (the mesh mapping's triangle grid, the face nets) does: measured, 20 collections on
the compare screen's redraw thread in 3 s. A collection there can free cyclic garbage the GUI
thread left, Qt objects among it, and so delete them off the GUI thread; the GUI thread later
crashed in its own collector or on a posted event for the freed object (PySide6 6.11.3 and
6.12, Python 3.11). Refcounting still frees everything acyclic meanwhile, and the GUI thread
collects as usual once no worker runs. Counted, so the aligner and the redraw can overlap.
The one user is the worker base (ui/common/worker.py, ADR 0012), which holds a pause for each
of its threads from before the thread starts until after it is joined.

A worker that never stops (the OpenCV camera's reader thread) cannot be paused around: for it
the app collects on the GUI thread only (`collect_on_gui_thread_only`, called by ui/app.py),
and then the pauses change nothing; they stay for code run outside the app (tests, bench).
"""

from __future__ import annotations

import gc
import threading

from PySide6.QtCore import QObject, QTimer

_lock = threading.Lock()
_paused = 0
_gui_only = False  # automatic collection is off for good; a GUI-thread timer collects
_gui_timer: QTimer | None = None
COLLECT_MS = 500  # how often the GUI thread looks whether a generation is due


def collector_paused(on: bool) -> None:
    """`True` before a worker thread starts, `False` once it is joined (on the GUI thread)."""
    global _paused
    with _lock:
        _paused = max(0, _paused + (1 if on else -1))
        if _gui_only:
            return
        if _paused:
            gc.disable()
        else:
            gc.enable()


def paused() -> bool:
    return _paused > 0


def settled() -> bool:
    """No worker holds a pause: collection is as the app set it up (automatic, or on the GUI
    thread's timer alone)."""
    return _paused == 0 and gc.isenabled() == (not _gui_only)


def collect_on_gui_thread_only(parent: QObject) -> QTimer:
    """Turn automatic collection off for the app's life and collect on a GUI-thread timer, a
    generation when the automatic thresholds say it is due: no thread but the GUI thread ever
    frees a Qt object in a cycle. Call after the QApplication is made (ui/app.py does); later
    calls return the same timer."""
    global _gui_only, _gui_timer
    if _gui_timer is not None:
        return _gui_timer
    with _lock:
        _gui_only = True
        gc.disable()
    timer = QTimer(parent)
    timer.setInterval(COLLECT_MS)
    timer.timeout.connect(collect_due)
    timer.start()
    _gui_timer = timer
    return timer


def collect_due() -> int | None:
    """The generation the thresholds say is due, collected now (on the calling thread)."""
    (n0, n1, n2), (t0, t1, t2) = gc.get_count(), gc.get_threshold()
    if n0 <= t0:
        return None
    generation = 2 if n2 > t2 else 1 if n1 > t1 else 0  # the oldest due, as CPython picks
    gc.collect(generation)
    return generation


class PauseHold:
    """The pauses one worker holds (one per live thread): released one by one as its threads
    are joined, so none is left behind."""

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
