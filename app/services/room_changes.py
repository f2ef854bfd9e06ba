"""Rooms see each other's changes (issue #13): what another room saved, imported or started
since this room last looked, read from the audit trail, which every write appends to in the
same transaction (app/store/audit_log.py).

Waking up is quick and cheap on both backends: on PostgreSQL each appended event NOTIFYs the
`facechart_changes` channel on commit, and the watcher LISTENs on a connection of its own; on
SQLite it polls `PRAGMA data_version`, which changes when another connection commits. A wake-up
only says "look": the events themselves are read by sequence number, so a notification missed
while a connection was being replaced loses nothing.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.store import audit_log
from app.store.database import Store
from app.store.schema import AuditEvent

# the events another room cares about: a chart, photo or visit changed under its eyes
CHANGE_KINDS = frozenset(
    {"save", "sign", "cosign", "amend", "photo_added", "visit_created", "entered_in_error"}
)
SQLITE_POLL_S = 0.25
# Events that only log what someone looked at or did without changing a record: any other
# event changes what a screen read before it shows (`ChangeWatcher.changed`: a chart read
# ahead).
LOOK_ONLY_KINDS = frozenset(
    {
        "sign_in",
        "sign_in_failed",
        "sign_out",
        "lock",
        "unlock",
        "open_patient",
        "open_visit",
        "open_version",
        "view_photo",
        "report",
        "print",
        "export",
        "backup",
    }
)
# Read by sequence number at least this often, woken or not: a link gone quiet (no NOTIFY,
# no error) is found out by the query failing, and nothing is missed meanwhile.
RESYNC_S = 5.0

# Events that changed a record, as (seq, patient_id): what a screen read before them may not show.
ChangedRecords = list[tuple[int, int | None]]


@dataclass(frozen=True, slots=True)
class RoomChange:
    seq: int
    kind: str
    actor_id: int | None
    patient_id: int | None
    visit_id: int | None
    subject: str  # e.g. "chart_version:12"


class ChangeWatcher:
    """Blocking, plain Python: run `wait(timeout)` on a worker thread, again and again."""

    def __init__(self, store: Store) -> None:
        self.store = store
        with store.read() as s:
            self.seen, _ = audit_log.head(s)
        # the events that changed a record (not LOOK_ONLY_KINDS) read by the last call
        self.changed: ChangedRecords = []
        # times the watcher may have been deaf (its link lost, a listen failed): what was read
        # while it could not hear is not known current (ui/shell/chart_prefetch.py)
        self.interruptions = 0
        self._last_read = time.monotonic()
        self._pg: Any = None
        self._sqlite: sqlite3.Connection | None = None
        self._data_version: int | None = None
        if store.is_sqlite:
            database = store.url.database or ""
            self._sqlite = sqlite3.connect(database, check_same_thread=False)
            self._data_version = self._sqlite.execute("PRAGMA data_version").fetchone()[0]
        else:
            self._listen()

    def _listen(self) -> None:
        import psycopg

        url = self.store.url.set(drivername="postgresql")
        self._pg = psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)
        self._pg.execute(f"LISTEN {audit_log.NOTIFY_CHANNEL}")

    def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
            self._sqlite = None
        if self._pg is not None:
            self._pg.close()
            self._pg = None

    def _woken(self, timeout: float) -> bool:
        """Block until something may have changed, or `timeout` seconds passed."""
        if self._sqlite is not None:
            deadline = time.monotonic() + timeout
            while True:
                version = self._sqlite.execute("PRAGMA data_version").fetchone()[0]
                if version != self._data_version:
                    self._data_version = version
                    return True
                if time.monotonic() >= deadline:
                    return False
                time.sleep(min(SQLITE_POLL_S, max(deadline - time.monotonic(), 0)))
        try:
            for _ in self._pg.notifies(timeout=timeout, stop_after=1):
                return True
        except Exception:  # the server went away: reconnect next time, read by seq anyway
            self.interruptions += 1
            try:
                self._pg.close()
            finally:
                self._pg = None
            time.sleep(min(timeout, 1.0))
            try:
                self._listen()
            except Exception:
                self._pg = None
                return False
            return True
        return False

    def wait(self, timeout: float = 1.0) -> list[RoomChange]:
        """The changes appended since the last call (none if nothing woke it in time)."""
        self.changed = []
        if self._sqlite is None and self._pg is None:
            self.interruptions += 1
            try:
                self._listen()
            except Exception:
                time.sleep(timeout)
                return []
        if not self._woken(timeout) and time.monotonic() - self._last_read < RESYNC_S:
            return []
        return self.read_new()

    def read_new(self) -> list[RoomChange]:
        with self.store.read() as s:
            rows = s.execute(
                select(
                    AuditEvent.seq,
                    AuditEvent.kind,
                    AuditEvent.actor_id,
                    AuditEvent.patient_id,
                    AuditEvent.visit_id,
                    AuditEvent.subject,
                )
                .where(AuditEvent.seq > self.seen)
                .order_by(AuditEvent.seq)
            ).all()
        self._last_read = time.monotonic()
        if rows:
            self.seen = rows[-1][0]
        self.changed = [(row[0], row[3]) for row in rows if row[1] not in LOOK_ONLY_KINDS]
        return [RoomChange(*row) for row in rows if row[1] in CHANGE_KINDS]
