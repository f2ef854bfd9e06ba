"""The one way background work runs in `ui/` (ADR 0012): a `Worker` owns a single thread that
runs plain-Python jobs one at a time and hands each outcome back on the GUI thread.

Why one base: a cyclic garbage collection on a worker frees the GUI thread's cyclic garbage,
Qt objects among it, off the GUI thread, and the app crashes later (ui/common/gc_pause.py).
Each worker used to pause collection around its own jobs, and each got the window slightly
wrong (the compare redraw handed its job to the thread before pausing: under load the thread
collected first). Here the rule is kept in one place, by construction:

- The pause is taken on the GUI thread *before* the thread is started and released on the GUI
  thread only *after* the thread has been joined: no instant exists in which this thread can
  run Python while automatic collection is on. (CPython's collector is process-wide; there is
  no per-thread switch to flip instead.) A thread that has had no job for `linger_s` seconds
  ends by itself, so the pause lasts no longer than the work plus that linger.
- The thread never drops the last reference to a job or to its outcome: the GUI thread keeps
  the job until it is delivered, and takes the outcome from a table the thread only writes
  into. So nothing a job closes over (its owner, a QObject) is freed on the thread.
- Jobs touch no Qt: they take and return plain data (numpy arrays, dataclasses, bytes). The GUI
  thread makes images, emits signals and calls `on_done` / `on_error`, polled every POLL_MS
  while anything is queued, running or undelivered.

`run(job, on_done, on_error, key=...)` queues a job; `cancel(key)` drops the queued jobs of that
key and the outcome of its running one (a newer request made them stale); `wait()` blocks until
all have run and delivers them; `shutdown()` stops taking jobs, drops the queued ones (unless
`finish_queued`: writes that must not be lost), waits for the running one, joins the thread
and releases the pause without delivering anything. Deleting the owner without `shutdown()`
does the same. A long job may poll `closing` to stop early.

`leave_running`: a worker whose jobs only read the database (the editor's earlier charts, its
photos, the conflict read) is not waited for. When the clinic server has gone, such a read waits
out the connect timeout (5 s) or a dropped link (~30 s), and closing the editor froze the screen
that long for an outcome nobody would see. Shut down or deleted, it drops its queued jobs and
leaves the running one to end on its own; the reaper joins the thread on the GUI thread once it
ends (and only then releases its pause), and keeps the job until then, so the thread still
never frees it. Its threads are daemons: quitting the app does not wait for a hung read either.
Only for database reads and plain C or Python work on what they read (the chart read ahead
also decodes with simplejpeg and places labels): a daemon thread inside OpenCV's C++ at the
interpreter's exit is ended from a C++ destructor, which aborts the process (a decode in
Pillow or simplejpeg, C, is safe). `wait_left` waits for the reads left running (a database
file swap).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QCoreApplication, QObject, QTimer

from ui.common.gc_pause import PauseHold

T = TypeVar("T")
POLL_MS = 25  # well under a frame of waiting, and only while work is outstanding
LINGER_S = 1.0  # an idle thread waits this long for the next job before it ends


@dataclass(eq=False)
class _Job(Generic[T]):
    id: int
    fn: Callable[[], T]
    on_done: Callable[[T], None] | None
    on_error: Callable[[BaseException], None] | None
    key: Hashable | None
    stale: bool = False  # cancelled while it ran: its outcome is dropped


@dataclass(eq=False)
class _Shared:
    """What the thread and the GUI thread share; no reference to the Worker QObject, so the
    owner's deletion can wind it down (`_wind_down`)."""

    name: str
    linger_s: float
    finish_queued: bool
    leave_running: bool = False
    cond: threading.Condition = field(default_factory=threading.Condition)
    queued: deque[tuple[int, Callable[[], Any]]] = field(default_factory=deque)
    # Every job not yet delivered or dropped, kept by the GUI thread (which alone touches
    # this): the thread's reference to a job is never the last, even once its owner is gone.
    held: dict[int, Callable[[], Any]] = field(default_factory=dict)
    outcomes: dict[int, tuple[bool, Any]] = field(default_factory=dict)  # id → (ok, value)
    finished: list[int] = field(default_factory=list)  # ids whose outcome may be delivered
    running: int = 0
    accepting: bool = False  # a live thread will still take queued jobs
    threads: list[threading.Thread] = field(default_factory=list)  # started, not yet joined
    pauses: PauseHold = field(default_factory=PauseHold)  # one per thread in `threads`
    closing: threading.Event = field(default_factory=threading.Event)
    numbers: itertools.count = field(default_factory=itertools.count)


def _call(fn: Callable[[], Any]) -> tuple[bool, Any]:
    try:
        return True, fn()
    except BaseException as exc:  # the GUI thread's on_error decides what it means
        return False, exc


def _loop(shared: _Shared) -> None:
    """The thread: jobs in order until none comes for `linger_s` (or the worker closes)."""
    while True:
        with shared.cond:
            deadline = time.monotonic() + shared.linger_s
            while not shared.queued and not shared.closing.is_set():
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                shared.cond.wait(left)
            if not shared.queued:
                shared.accepting = False  # the next job starts a new thread
                return
            job_id, fn = shared.queued.popleft()
            shared.running += 1
        outcome = _call(fn)
        del fn  # the GUI thread's _Job still holds it: this is never the last reference
        with shared.cond:
            shared.outcomes[job_id] = outcome
            del outcome  # the table holds it now; the GUI thread frees it
            shared.finished.append(job_id)
            shared.running -= 1
            shared.cond.notify_all()


def _join_ended(shared: _Shared, block: bool) -> None:
    """Join the threads that ended (all of them when `block`), releasing a pause for each:
    only now can none of them run Python."""
    for thread in list(shared.threads):
        if block or not thread.is_alive():
            thread.join()
            shared.threads.remove(thread)
            shared.pauses.release()


def _stop_taking(shared: _Shared, drop_queued: bool) -> None:
    with shared.cond:
        if drop_queued:
            for jid, _fn in shared.queued:
                shared.held.pop(jid, None)
            shared.queued.clear()
        shared.closing.set()
        shared.cond.notify_all()


def _release(shared: _Shared) -> None:
    """Every thread is joined: drop what is left of the jobs, here on the GUI thread."""
    with shared.cond:
        shared.outcomes.clear()
        shared.finished.clear()
    shared.held.clear()


def _wind_down(shared: _Shared, *_a: object) -> None:
    """Stop taking jobs, drop the queued ones unless they must finish, and wait for the
    thread; a `leave_running` worker's running job is left to the reaper instead."""
    _stop_taking(shared, drop_queued=not shared.finish_queued)
    if shared.leave_running:
        _join_ended(shared, block=False)
        if shared.threads:
            _Reaper.adopt(shared)
            return
    else:
        _join_ended(shared, block=True)
    _release(shared)


class _Reaper(QObject):
    """Joins, on the GUI thread, the threads of `leave_running` workers that were shut down
    while a job ran, once each ends; it keeps their jobs (and pauses) until then."""

    _one: _Reaper | None = None

    def __init__(self) -> None:
        super().__init__(QCoreApplication.instance())
        self.left: list[_Shared] = []
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)

    @classmethod
    def adopt(cls, shared: _Shared) -> None:
        if cls._one is None:
            cls._one = _Reaper()
            cls._one.destroyed.connect(cls._forget)
        if shared not in cls._one.left:  # shut down, then deleted: one entry
            cls._one.left.append(shared)
        cls._one._timer.start()

    @classmethod
    def _forget(cls, *_a: object) -> None:
        cls._one = None  # the application went: its daemon threads end with the process

    def _poll(self) -> None:
        for shared in list(self.left):
            _join_ended(shared, block=False)
            if not shared.threads:
                self.left.remove(shared)
                _release(shared)
        if not self.left:
            self._timer.stop()


def wait_left(timeout_s: float) -> bool:
    """On the GUI thread: wait, at most `timeout_s`, for the reads that shut-down workers left
    running, and join them. For what must not overlap a read: the database file being put in
    place (a restore, a rescue). False if one is still running."""
    reaper = _Reaper._one
    if reaper is None:
        return True
    deadline = time.monotonic() + timeout_s
    for shared in list(reaper.left):
        for thread in list(shared.threads):
            thread.join(max(0.0, deadline - time.monotonic()))
    reaper._poll()
    return not reaper.left


def threads_left() -> int:
    """Threads of shut-down `leave_running` workers that have not ended yet."""
    return sum(len(s.threads) for s in _Reaper._one.left) if _Reaper._one is not None else 0


class Worker(QObject):
    """One named background thread for one kind of work (see the module's docstring)."""

    def __init__(
        self,
        name: str,
        parent: QObject | None = None,
        *,
        linger_s: float = LINGER_S,
        finish_queued: bool = False,
        leave_running: bool = False,
    ) -> None:
        super().__init__(parent)
        assert not (finish_queued and leave_running), "a write is waited for, never left"
        self.name = name  # threads are called name_0, name_1, …
        self._shared = _Shared(name, linger_s, finish_queued, leave_running)
        self._jobs: dict[int, _Job[Any]] = {}  # queued, running or undelivered, by id
        self._ready: deque[tuple[int, tuple[bool, Any]]] = deque()  # taken from the thread
        self._ids = itertools.count()
        self._closed = False
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        # Deleted without shutdown() (its owner went): wind down anyway, without self.
        self.destroyed.connect(partial(_wind_down, self._shared))

    @property
    def closing(self) -> threading.Event:
        """Set once the worker shuts down: a long job may look at it between steps."""
        return self._shared.closing

    @property
    def busy(self) -> bool:
        """A job is queued, running, or its outcome is not delivered yet."""
        return bool(self._jobs)

    @property
    def threads_alive(self) -> int:
        """Threads started and not yet joined (each holds a collection pause)."""
        return len(self._shared.threads)

    def run(
        self,
        job: Callable[[], T],
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        *,
        key: Hashable | None = None,
    ) -> bool:
        """Queue `job()` (plain Python, no Qt); `on_done(result)` or `on_error(exception)`
        follows on the GUI thread. Without `on_error` an exception is raised on the GUI thread
        (the app's fault handler reports it). False once the worker has shut down."""
        if self._closed or self._shared.closing.is_set():  # shut down, or deleted
            return False
        jid = next(self._ids)
        self._jobs[jid] = _Job(jid, job, on_done, on_error, key)
        shared = self._shared
        shared.held[jid] = job
        with shared.cond:
            shared.queued.append((jid, job))
            if shared.accepting:
                shared.cond.notify()
            else:
                shared.accepting = True
                thread = threading.Thread(
                    target=_loop,
                    args=(shared,),
                    name=f"{self.name}_{next(shared.numbers)}",
                    daemon=shared.leave_running,
                )
                shared.pauses.hold()  # before the thread exists: it never runs unpaused
                shared.threads.append(thread)
                thread.start()
        self._timer.start()
        return True

    def cancel(self, key: Hashable) -> None:
        """Drop the queued jobs of `key` and the outcome of the one running: they are stale."""
        shared = self._shared
        with shared.cond:
            dropped = [jid for jid, _fn in shared.queued if self._jobs[jid].key == key]
            if dropped:
                shared.queued = deque(q for q in shared.queued if q[0] not in dropped)
        for jid in dropped:
            del self._jobs[jid]
            shared.held.pop(jid, None)
        for job in self._jobs.values():
            if job.key == key:
                job.stale = True

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every queued job has run, then deliver the outcomes here, on the GUI
        thread. False when `timeout` (seconds) ran out first (nothing is lost: the rest is
        delivered later, as usual)."""
        shared = self._shared
        deadline = None if timeout is None else time.monotonic() + timeout
        with shared.cond:
            while shared.queued or shared.running:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    break
                shared.cond.wait(left)
            done = not (shared.queued or shared.running)
        self._poll()
        return done

    def shutdown(self, wait: bool = True) -> None:
        """Stop taking jobs; drop the queued ones (run them when `finish_queued`); wait for the
        one running and join the thread (`wait=False`: the poll timer joins it later; a
        `leave_running` worker never waits: the reaper joins it). Nothing more is delivered."""
        self._closed = True
        self._jobs.clear()
        self._ready.clear()
        if wait or self._shared.leave_running:
            _wind_down(self._shared)  # a leave_running worker never waits
            self._timer.stop()
        else:
            _stop_taking(self._shared, drop_queued=not self._shared.finish_queued)
            self._timer.start()

    def _poll(self) -> None:
        """On the GUI thread: deliver what finished, join what ended, stop when all is done.
        One outcome at a time: if a callback raises, the rest wait for the next tick."""
        shared = self._shared
        # Joined first: a thread that has ended wrote all its outcomes, so none is taken after
        # the last look and left behind.
        _join_ended(shared, block=False)
        with shared.cond:
            self._ready.extend((jid, shared.outcomes.pop(jid)) for jid in shared.finished)
            shared.finished.clear()
        while self._ready:
            jid, (ok, value) = self._ready.popleft()
            shared.held.pop(jid, None)
            job = self._jobs.pop(jid, None)
            if job is None or job.stale:
                continue  # cancelled, or the worker shut down
            if ok:
                if job.on_done is not None:
                    job.on_done(value)
            elif job.on_error is not None:
                job.on_error(value)
            else:
                raise value
        if not self._jobs and not shared.threads:
            self._timer.stop()
            if self._closed:
                _release(shared)
