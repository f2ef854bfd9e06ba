"""The visit's chart read ahead while its page is on screen (issue #8: opening a chart).

A clinician on the visit page taps Chart seconds later, and then waits for the read (tens of
milliseconds on SQLite, round trips on a clinic server) before the editor can even be built.
So the visit page reads the opening the editor will need (`chart_opening.open_chart`) on a
worker when it shows, with its first view's pixels and stroke shapes (ui/editor/ahead.py),
and the tap builds the editor from them at once.

A read made ahead is used only while it is as current as a read at the tap would be:
- nothing was written by this app since it began (`Store.writes_ended`: a save, a sign-off,
  a photo, anything, on any thread): known at once, without the watcher's delay;
- no change newer than the read has been heard of by the window's watcher since (ADR 0026: a
  save, sign-off, photo or visit anywhere, another room's or this one's; `heard(seq)`: the
  read knows the audit trail's newest event in its own snapshot, so news of a change it
  already holds leaves it);
- it is younger than MAX_AGE_S, for what the watcher does not report (a catalogue change made
  in another room); the page reads it again every REREAD_MS while it shows;
- the window watches the other rooms at all (without a watcher nothing says it is current).
Otherwise the tap reads the chart as before. A read ahead is used once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer

from app.services import room_changes
from app.services.chart_opening import ChartOpening, open_chart
from app.services.store import Store
from ui.common.worker import Worker
from ui.editor import ahead
from ui.editor.ahead import FirstView

log = logging.getLogger(__name__)

MAX_AGE_S = 30.0
REREAD_MS = 20_000


@dataclass(frozen=True, slots=True)
class _ReadAhead:
    store: Store  # a restore replaces the window's store: what was read from another is not
    visit_id: int
    practitioner_id: int
    writes_ended: int  # the store's count when the read began
    seq: int  # the audit trail's newest event in the read's snapshot
    started: float  # monotonic
    opening: ChartOpening
    first: FirstView | None  # its first view's pixels and shapes (ui/editor/ahead.py)


class ChartPrefetch(QObject):
    """One read ahead at a time, for the visit page on screen."""

    def __init__(self, watching: Callable[[], bool], parent: QObject) -> None:
        super().__init__(parent)
        self._watching = watching  # the window's watcher is up and reading
        self._worker = Worker("chart-prefetch", self, leave_running=True)
        self._held: _ReadAhead | None = None
        self._heard = 0  # the newest change the watcher has told of while a read ran
        self._want: tuple[Store, int, int] | None = None  # (store, visit, who) of the page
        self._again = QTimer(self)
        self._again.setInterval(REREAD_MS)
        self._again.timeout.connect(self._read)

    @property
    def ready(self) -> bool:
        """A read ahead is held (tests wait for it)."""
        return self._held is not None

    def prepare(self, store: Store, visit_id: int, practitioner_id: int) -> None:
        """Read the visit's chart ahead (again), and keep it fresh while the page shows."""
        if self._want is None or self._want[0] is not store:
            self._heard = 0  # a restored database's trail counts again from its own events
        self._want = (store, visit_id, practitioner_id)
        self._held = None
        self._read()
        self._again.start()

    def heard(self, seq: int) -> None:
        """The watcher told of a change up to `seq`: what was read before it is dropped (and
        read again while the visit page shows)."""
        self._heard = max(self._heard, seq)
        if self._held is not None and seq > self._held.seq:
            self._held = None
            self._read()

    def stop(self) -> None:
        """The visit page left: nothing more is read ahead, nothing kept."""
        self._want = None
        self._held = None
        self._again.stop()
        self._worker.cancel("ahead")

    def shutdown(self) -> None:
        self.stop()
        self._worker.shutdown()

    def take(
        self, store: Store, visit_id: int, practitioner_id: int
    ) -> tuple[ChartOpening, FirstView | None] | None:
        """The opening read ahead for this visit and practitioner if it is still current
        (see the module's docstring), else None: read it now. Used once."""
        held, self._held = self._held, None
        if held is None or held.store is not store:
            return None
        if (held.visit_id, held.practitioner_id) != (visit_id, practitioner_id):
            return None
        if held.writes_ended != store.writes_ended:
            return None
        if time.monotonic() - held.started > MAX_AGE_S or not self._watching():
            return None
        return held.opening, held.first

    def _read(self) -> None:
        want = self._want
        if want is None or not self._watching():
            return
        store, visit_id, who = want
        writes, started, side = store.writes_ended, time.monotonic(), ahead.screen_side()

        def read() -> tuple[int, ChartOpening, FirstView | None]:
            with store.snapshot():  # the trail's head and the chart as one state
                seq = room_changes.newest_seq(store)
                opening = open_chart(store, visit_id, first_display_only=True, practitioner_id=who)
            return seq, opening, ahead.work_out(opening, side)

        def done(got: tuple[int, ChartOpening, FirstView | None]) -> None:
            seq, opening, first = got
            if self._want != want:
                return
            if self._heard > seq:  # a change came in while it was read: read it again
                self._read()
                return
            self._held = _ReadAhead(store, visit_id, who, writes, seq, started, opening, first)

        def failed(exc: BaseException) -> None:  # the tap reads it and says what went wrong
            log.info("chart not read ahead (%s)", type(exc).__name__)

        self._worker.cancel("ahead")
        self._worker.run(read, done, failed, key="ahead")
