"""The visit's chart read ahead while its page is on screen (issue #8: opening a chart).

A clinician on the visit page taps Chart seconds later, and then waits for the read (tens of
milliseconds on SQLite, round trips on a clinic server) before the editor can even be built.
So the visit page reads the opening the editor will need (`chart_opening.open_chart`) on a
worker when it shows, with its first view's pixels, stroke shapes and labels (ui/editor/
ahead.py), and the tap builds the editor from them at once.

A read made ahead is used only while it is as current as a read at the tap would be (ADR
0031):
- no write of this app was in flight when it began, and none since (`Store.writes_begun`,
  `writes_ended`: a save, a sign-off, a photo, anything, on any thread; not the audit events
  that only log a look): known at once, without the watcher's delay;
- the window's watcher (ADR 0026) has read no change since to this patient's records or to
  the clinic's (catalogue, settings, practitioners): `heard`, from every event read that
  changed a record, by its seq against the trail's head in the read's own snapshot;
- the watcher was hearing all along: up, its looks working, its link never lost
  (`RoomWatch.hearing()` unchanged), so no change can have gone by unheard;
- it is younger than MAX_AGE_S; the page reads it again every REREAD_MS while it shows.
Otherwise the tap reads the chart as before. A read ahead is used once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

from app.services import room_news
from app.services.chart_opening import ChartOpening, open_chart
from app.services.room_changes import ChangedRecords
from app.services.store import Store
from ui.common.worker import Worker

if TYPE_CHECKING:
    from ui.editor.ahead import FirstView

log = logging.getLogger(__name__)

MAX_AGE_S = 30.0
REREAD_MS = 20_000


@dataclass(frozen=True, slots=True)
class _ReadAhead:
    store: Store  # a restore replaces the window's store: what was read from another is not
    visit_id: int
    practitioner_id: int
    writes: int  # the store's writes ended when the read began (none was in flight)
    hearing: Hashable  # the watcher's mark when the read began
    seq: int  # the audit trail's newest event in the read's snapshot
    started: float  # monotonic
    opening: ChartOpening
    first: FirstView | None  # its first view's pixels, shapes and labels


class ChartPrefetch(QObject):
    """One read ahead at a time, for the visit page on screen."""

    def __init__(self, hearing: Callable[[], Hashable | None], parent: QObject) -> None:
        super().__init__(parent)
        self._hearing = hearing  # None unless the window's watcher hears (RoomWatch.hearing)
        self._worker = self._new_worker()
        self._held: _ReadAhead | None = None
        self._heard = 0  # the newest change read while a read was running
        self._want: tuple[Store, int, int] | None = None  # (store, visit, who) of the page
        self._again = QTimer(self)
        self._again.setInterval(REREAD_MS)
        self._again.timeout.connect(self._read)

    def _new_worker(self) -> Worker:
        return Worker("chart-prefetch", self, leave_running=True)

    @property
    def ready(self) -> bool:
        """A read ahead is held (tests wait for it)."""
        return self._held is not None

    def prepare(self, store: Store, visit_id: int, practitioner_id: int) -> None:
        """Read the visit's chart ahead (again), and keep it fresh while the page shows."""
        self._want = (store, visit_id, practitioner_id)
        self._held = None
        self._heard = 0  # a read starting now sees every change already read
        self._read()
        self._again.start()

    def heard(self, changes: ChangedRecords) -> None:
        """The watcher read these record changes: a read ahead that may not hold one about
        its patient or the clinic is dropped (and read again while the page shows)."""
        self._heard = max(self._heard, max((seq for seq, _pid in changes), default=0))
        held = self._held
        if held is not None and any(
            seq > held.seq and (pid is None or pid == held.opening.patient.id)
            for seq, pid in changes
        ):
            self._held = None
            self._read()

    def stop(self) -> None:
        """The visit page left: nothing more is read ahead, nothing kept. A read still
        running is left to the reaper (ADR 0012), so a database swap waits for it."""
        self._want = None
        self._held = None
        self._again.stop()
        if self._worker.busy:
            self._worker.shutdown()
            self._worker = self._new_worker()

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
        if not store.writes_begun == store.writes_ended == held.writes:
            return None
        if self._hearing() != held.hearing or time.monotonic() - held.started > MAX_AGE_S:
            return None
        return held.opening, held.first

    def _read(self) -> None:
        from ui.editor import ahead  # the editor's modules load with the first visit page

        want, hearing = self._want, self._hearing()
        if want is None or hearing is None:
            return
        store, visit_id, who = want
        writes, started, side = store.writes_ended, time.monotonic(), ahead.screen_side()
        if store.writes_begun != writes:
            return  # a write in flight: the read could miss it (read again when heard)

        def read() -> tuple[int, ChartOpening, FirstView | None]:
            with store.snapshot():  # the trail's head and the chart as one state
                seq = room_news.head_seq(store)
                opening = open_chart(store, visit_id, first_display_only=True, practitioner_id=who)
            return seq, opening, ahead.work_out(opening, side)

        def done(got: tuple[int, ChartOpening, FirstView | None]) -> None:
            seq, opening, first = got
            if self._want != want:
                return
            if self._heard > seq:  # a change was read while it ran: read it again
                self._read()
                return
            self._held = _ReadAhead(
                store, visit_id, who, writes, hearing, seq, started, opening, first
            )

        def failed(exc: BaseException) -> None:  # the tap reads it and says what went wrong
            self._held = None
            log.info("chart not read ahead (%s)", type(exc).__name__)

        self._worker.cancel("ahead")
        self._worker.run(read, done, failed, key="ahead")
