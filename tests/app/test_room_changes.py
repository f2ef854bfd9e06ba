"""One room sees what another appended (issue #13): a watcher on one connection pool wakes
within the 2-second goal when another pool commits an event, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time

from app.services import audit
from app.services.practitioners import PractitionerRecord
from app.services.room_changes import ChangeWatcher
from app.store.database import Store, open_store


def _other_room(store: Store) -> Store:
    """A second pool on the same database: another room's FaceChart."""
    return open_store(store.url.render_as_string(hide_password=False), migrate=False)


def test_another_rooms_save_wakes_the_watcher_within_two_seconds(
    store: Store, clinician: PractitionerRecord
) -> None:
    audit.record(store, "save", clinician.id, subject="chart_version:1")  # before watching
    watcher = ChangeWatcher(store)
    other = _other_room(store)
    try:
        assert watcher.wait(0.3) == []  # nothing new
        sent = {}

        def later() -> None:
            time.sleep(0.5)
            audit.record(other, "open_patient", clinician.id, patient_id=None)  # not a change
            sent["at"] = time.monotonic()
            audit.record(other, "save", clinician.id, subject="chart_version:2")

        thread = threading.Thread(target=later)
        thread.start()
        seen = []
        deadline = time.monotonic() + 5
        while not seen and time.monotonic() < deadline:
            seen = watcher.wait(1.0)
        got = time.monotonic()
        thread.join()
        assert [c.subject for c in seen] == ["chart_version:2"]
        assert got - sent["at"] < 2.0
        assert watcher.wait(0.3) == []  # read once
    finally:
        watcher.close()
        other.dispose()


def test_events_appended_while_not_waiting_are_read_by_seq(
    store: Store, clinician: PractitionerRecord
) -> None:
    watcher = ChangeWatcher(store)
    other = _other_room(store)
    try:
        for i in range(3):
            audit.record(other, "photo_added", clinician.id, subject=f"photo:{i}")
        changes = watcher.wait(2.0) or watcher.read_new()
        assert [c.subject for c in changes] == ["photo:0", "photo:1", "photo:2"]
    finally:
        watcher.close()
        other.dispose()
