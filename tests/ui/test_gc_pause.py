"""Garbage collection kept off worker threads (ui/common/gc_pause.py): the counted pause the
overlay and capture workers hold, and collection on the GUI thread only for the whole app."""

from __future__ import annotations

import gc
import threading

import pytest
from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot

from ui.common import gc_pause


@pytest.fixture
def collector(qtbot: QtBot):  # type: ignore[no-untyped-def]
    """Each test starts from automatic collection; afterwards collection is as the app had set
    it up (ui/app.py makes it GUI-thread-only), whatever the test did. A worker thread left
    by an earlier test ends first (idle threads end within seconds, ui/common/worker.py): its
    pause, let go during the test, would upset the counts saved here."""
    qtbot.waitUntil(lambda: not gc_pause.paused(), timeout=10000)
    saved = (gc_pause._gui_only, gc_pause._gui_timer, gc_pause._paused, gc.isenabled())
    gc_pause._gui_only, gc_pause._gui_timer, gc_pause._paused = False, None, 0
    gc.enable()
    yield
    gc_pause._gui_only, gc_pause._gui_timer, gc_pause._paused, enabled = saved
    if enabled:
        gc.enable()
    else:
        gc.disable()


def test_pauses_are_counted_and_end_with_the_last(collector) -> None:  # type: ignore[no-untyped-def]
    aligner, redraw = gc_pause.PauseHold(), gc_pause.PauseHold()
    aligner.hold()
    redraw.hold()
    redraw.hold()
    assert not gc.isenabled() and gc_pause.paused()
    redraw.release_all()
    assert not gc.isenabled()  # the aligner still runs
    aligner.release()
    aligner.release()  # one too many changes nothing
    assert gc.isenabled() and not gc_pause.paused()


def test_collection_on_the_gui_thread_only(qtbot: QtBot, collector) -> None:  # type: ignore[no-untyped-def]
    owner = QObject()
    threads: list[threading.Thread] = []

    def seen(phase: str, _info: dict) -> None:
        if phase == "start":
            threads.append(threading.current_thread())

    gc.callbacks.append(seen)
    try:
        timer = gc_pause.collect_on_gui_thread_only(owner)
        assert not gc.isenabled() and timer.isActive()
        gc_pause.collector_paused(True)
        gc_pause.collector_paused(False)
        assert not gc.isenabled()  # a worker's pause ending does not turn it back on

        def churn() -> None:  # a worker allocating far past every threshold
            for _ in range(200_000):
                a: list = []
                a.append(a)

        worker = threading.Thread(target=churn, name="churn")
        worker.start()
        worker.join()
        assert threads == []  # the worker never collected
        qtbot.waitUntil(lambda: len(threads) > 0, timeout=3 * gc_pause.COLLECT_MS)
        assert all(t is threading.main_thread() for t in threads)
        assert gc.get_count()[0] <= gc.get_threshold()[0]
    finally:
        gc.callbacks.remove(seen)
        owner.deleteLater()
