"""The one background-work base (ui/common/worker.py): outcomes on the GUI thread, errors
delivered, stale jobs dropped, shutdown waits, and never a garbage collection on its thread,
also with a CPU-burning process beside it. And the rule that all of `ui/` uses it."""

from __future__ import annotations

import ast
import gc
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot
from shiboken6 import Shiboken

from tests.ui.helpers import collections_off_the_gui_thread, cpu_load
from ui.common import gc_pause
from ui.common.worker import Worker, threads_left, wait_left

UI = Path(__file__).resolve().parents[2] / "ui"


@pytest.fixture
def owner(qtbot: QtBot):  # type: ignore[no-untyped-def]
    obj = QObject()
    yield obj
    for w in obj.findChildren(Worker):
        w.shutdown()
    obj.deleteLater()


def churn(n: int = 20_000) -> int:
    """What the aligner and the redraw do to the collector: many small containers."""
    kept = []
    for i in range(n):
        a: list = [i]
        a.append(a)  # cyclic: only a collection frees it
        kept.append(a) if i % 100 == 0 else None
    return len(kept)


def test_outcomes_and_errors_arrive_on_the_gui_thread_in_order(qtbot: QtBot, owner) -> None:  # type: ignore[no-untyped-def]
    worker = Worker("t-order", owner)
    got: list[tuple[str, object, threading.Thread]] = []
    ran_on: list[str] = []

    def job(n: int) -> int:
        ran_on.append(threading.current_thread().name)
        if n == 2:
            raise ValueError("two")
        return n * 10

    def done(v: object) -> None:
        got.append(("done", v, threading.current_thread()))

    def failed(e: BaseException) -> None:
        got.append(("error", e, threading.current_thread()))

    for n in (1, 2, 3):
        worker.run(lambda n=n: job(n), done, failed)
    assert worker.busy
    qtbot.waitUntil(lambda: not worker.busy, timeout=5000)
    assert [(k, v if k == "done" else str(v)) for k, v, _t in got] == [
        ("done", 10),
        ("error", "two"),
        ("done", 30),
    ]
    assert all(t is threading.main_thread() for _k, _v, t in got)
    assert ran_on == ["t-order_0"] * 3  # one thread, jobs in order


def test_an_error_without_a_handler_is_raised_on_the_gui_thread(owner) -> None:  # type: ignore[no-untyped-def]
    worker = Worker("t-raise", owner)
    worker.run(lambda: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        worker.wait(5)


def test_stale_jobs_are_dropped_by_key(qtbot: QtBot, owner) -> None:  # type: ignore[no-untyped-def]
    worker = Worker("t-key", owner)
    gate = threading.Event()
    got: list[str] = []
    worker.run(lambda: gate.wait(5) and "first", got.append, key="redraw")
    worker.run(lambda: "queued", got.append, key="redraw")
    worker.run(lambda: "other", got.append, key="other")
    worker.cancel("redraw")  # a newer request came in: neither the running nor the queued
    worker.run(lambda: "newest", got.append, key="redraw")
    gate.set()
    assert worker.wait(5)
    assert got == ["other", "newest"]


def test_wait_delivers_and_shutdown_waits_for_the_running_job(qtbot: QtBot, owner) -> None:  # type: ignore[no-untyped-def]
    worker = Worker("t-wait", owner)
    got: list[int] = []
    worker.run(lambda: (time.sleep(0.2), 7)[1], got.append)
    assert worker.wait(5) and got == [7]  # delivered inside wait(), on this thread

    finished = threading.Event()
    worker.run(lambda: (time.sleep(0.3), finished.set()), got.append)
    worker.run(lambda: 99, got.append)  # queued: dropped by shutdown
    time.sleep(0.05)
    worker.shutdown()
    assert finished.is_set() and worker.threads_alive == 0 and not worker.busy
    qtbot.wait(100)
    assert got == [7]  # nothing is delivered after shutdown
    assert not worker.run(lambda: 1, got.append)


def test_finish_queued_runs_what_was_queued_before_shutdown(owner) -> None:  # type: ignore[no-untyped-def]
    worker = Worker("t-finish", owner, finish_queued=True)
    ran: list[int] = []
    for n in range(3):
        worker.run(lambda n=n: (time.sleep(0.05), ran.append(n)))
    worker.shutdown()
    assert ran == [0, 1, 2]


def test_deleting_the_owner_winds_the_worker_down(qtbot: QtBot) -> None:
    parent = QObject()
    worker = Worker("t-owner", parent)
    started, stopped = threading.Event(), threading.Event()

    def long_job() -> None:
        started.set()
        while not worker_closing.is_set():
            time.sleep(0.01)
        stopped.set()

    worker_closing = worker.closing
    worker.run(long_job)
    assert gc_pause.paused()
    assert started.wait(5)
    Shiboken.delete(parent)  # its children go with it, the worker among them
    assert stopped.is_set() and not gc_pause.paused()  # waited for, there and then
    assert not any(t.name.startswith("t-owner") for t in threading.enumerate())


class FreedOn:
    """Captured by a job: notes the thread that frees it (a job freed off the GUI thread can
    take Qt objects it closes over with it)."""

    def __init__(self, where: list[str]) -> None:
        self.where = where

    def __del__(self) -> None:
        self.where.append(threading.current_thread().name)


def blocking_job(gate: threading.Event, freed: list[str]):  # type: ignore[no-untyped-def]
    """A read waiting on a lost server, closing over an object that tells where it is freed."""
    kept = FreedOn(freed)

    def job() -> str:
        gate.wait(10)
        return str(kept)

    return job


@pytest.mark.parametrize("how", ["shutdown", "delete the owner"])
def test_a_leave_running_worker_is_not_waited_for(qtbot: QtBot, how: str) -> None:
    """Closing the editor while its earlier charts are read from a server that has gone must
    not freeze the screen for the connect timeout: the read is left to end on its own, its
    outcome is dropped, its thread is joined (and its pause let go) on the GUI thread once it
    ends, and the job is freed there too."""
    parent = QObject()
    worker = Worker("t-leave", parent, leave_running=True)
    gate, freed, got = threading.Event(), [], []  # type: ignore[var-annotated]
    worker.run(blocking_job(gate, freed), got.append, got.append)
    worker.run(lambda: "queued", got.append)  # dropped, never run
    shared = worker._shared
    qtbot.waitUntil(lambda: shared.running == 1, timeout=5000)
    t0 = time.monotonic()
    if how == "shutdown":
        worker.shutdown()
    else:
        Shiboken.delete(parent)
    assert time.monotonic() - t0 < 3.0  # not waited for (the job waits 10 s)
    assert worker_threads("t-leave") and gc_pause.paused() and threads_left() == 1
    assert freed == []  # the running job is kept while its thread lives
    gate.set()
    qtbot.waitUntil(lambda: threads_left() == 0 and not worker_threads("t-leave"), timeout=5000)
    assert gc_pause.settled()
    qtbot.wait(60)
    assert got == []  # nothing is delivered after shutdown
    if how == "shutdown":
        assert freed == ["MainThread"]  # the worker had let go of it: the reaper freed it
        Shiboken.delete(parent)
    del worker  # deleted with its owner, the worker's object still held the job
    gc.collect()
    assert freed == ["MainThread"]


def test_wait_left_waits_for_the_reads_left_running(qtbot: QtBot) -> None:
    """A database file swap must not overlap a read a closed chart left running."""
    parent = QObject()
    worker = Worker("t-wait-left", parent, leave_running=True)
    gate, freed = threading.Event(), []  # type: ignore[var-annotated]
    worker.run(blocking_job(gate, freed))
    shared = worker._shared
    qtbot.waitUntil(lambda: shared.running == 1, timeout=5000)
    worker.shutdown()
    assert not wait_left(0.1) and threads_left() == 1  # bounded: still running
    threading.Timer(0.2, gate.set).start()
    assert wait_left(5)
    assert threads_left() == 0 and not worker_threads("t-wait-left") and gc_pause.settled()
    Shiboken.delete(parent)


def test_a_job_left_by_shutdown_without_waiting_is_freed_on_the_gui_thread(qtbot: QtBot) -> None:
    """`shutdown(wait=False)` forgot the running job at once: the thread then held the last
    reference and freed the job (and whatever it closed over) off the GUI thread."""
    parent = QObject()
    worker = Worker("t-nowait", parent)
    gate, freed = threading.Event(), []  # type: ignore[var-annotated]
    worker.run(blocking_job(gate, freed))
    qtbot.waitUntil(lambda: worker._shared.running == 1, timeout=5000)
    worker.shutdown(wait=False)
    gate.set()
    qtbot.waitUntil(lambda: worker.threads_alive == 0, timeout=5000)
    assert freed == ["MainThread"]
    Shiboken.delete(parent)


def worker_threads(prefix: str) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(prefix)]


def test_an_idle_thread_ends_and_only_then_the_pause_ends(qtbot: QtBot, owner) -> None:  # type: ignore[no-untyped-def]
    worker = Worker("t-idle", owner, linger_s=0.1)
    seen: list[tuple[bool, bool]] = []  # (paused, thread alive) at each GUI-thread look
    worker.run(lambda: churn(2_000))

    def look() -> bool:
        alive = any(t.name.startswith("t-idle") for t in threading.enumerate())
        seen.append((gc_pause.paused(), alive))
        return not alive and not gc_pause.paused()

    qtbot.waitUntil(look, timeout=5000)
    assert all(paused for paused, alive in seen if alive)  # never a live thread unpaused
    assert worker.threads_alive == 0 and not worker.busy


def test_no_collection_on_the_worker_thread_under_load(qtbot: QtBot, owner) -> None:  # type: ignore[no-untyped-def]
    """Many short jobs, each allocating past every threshold, started and ended while the GUI
    thread churns too and a CPU burner takes the cores: the moments a pause could be taken
    late or let go early are many, and a collection in any of them is seen."""
    worker = Worker("t-gc", owner, linger_s=0.02)  # threads end and start again, often
    got: list[int] = []
    automatic_in_job: list[bool] = []

    def job() -> int:
        automatic_in_job.append(gc.isenabled())  # the first thing a job does
        return churn(3_000)

    with cpu_load(30), collections_off_the_gui_thread() as off_gui:
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            worker.run(job, got.append)
            churn(500)  # the GUI thread's own garbage, some of it due on the worker's watch
            qtbot.wait(5 if len(got) % 2 else 40)  # sometimes the thread lingers out
        qtbot.waitUntil(lambda: not worker.busy and worker.threads_alive == 0, timeout=10000)
        assert gc_pause.settled()
    assert len(got) > 20
    assert not any(automatic_in_job)  # no job ever began with automatic collection on
    assert off_gui == []
    assert gc.get_count()[0] >= 0  # the collector itself still works


# Background threads in ui/ other than through the base, and why each is allowed.
EXCEPTIONS = {
    # The OpenCV camera's reader: a stream, not jobs. It runs as long as the camera and hands
    # each frame, already a screen-sized QImage, to the paint path at once (ADR 0008); a
    # pause for its life would be no collection all session. The app collects on the GUI
    # thread only (gc_pause.collect_on_gui_thread_only), which covers it (ADR 0012).
    "ui/capture/sources.py",
    "ui/common/worker.py",  # the base itself
}
THREAD_NAMES = {"Thread", "ThreadPoolExecutor", "QThread", "QThreadPool", "QRunnable"}


def background_threads(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in (
            "threading",
            "concurrent.futures",
            "PySide6.QtCore",
            "_thread",
        ):
            found += [a.name for a in node.names if a.name in THREAD_NAMES]
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name in ("concurrent.futures", "_thread")]
        elif isinstance(node, ast.Attribute) and node.attr in THREAD_NAMES:
            found.append(node.attr)  # threading.Thread(...), QtCore.QThread, ...
    return found


def test_all_background_work_in_ui_goes_through_the_worker_base() -> None:
    offenders = {
        str(p.relative_to(UI.parent)): names
        for p in sorted(UI.rglob("*.py"))
        if (names := background_threads(p)) and str(p.relative_to(UI.parent)) not in EXCEPTIONS
    }
    assert offenders == {}


def test_the_rule_check_sees_a_thread_started_the_old_way(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from concurrent.futures import ThreadPoolExecutor\n"
        "import threading\n"
        "from PySide6.QtCore import QThreadPool\n"
        "t = threading.Thread(target=print)\n"
    )
    assert sorted(background_threads(bad)) == ["QThreadPool", "Thread", "ThreadPoolExecutor"]
