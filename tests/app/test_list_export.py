"""A list saved as CSV (follow-up list, lot recall) is a copy of patient data leaving
FaceChart: the file is the owner's only, appears whole or not at all, and the export is in the
audit trail with no patient's name; an export that cannot be recorded leaves no file."""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from app.services.csv_file import export_list_csv
from app.services.practitioners import default_practitioner
from app.store.database import Store, open_store, sqlite_url
from app.store.errors import StoreError
from app.store.schema import AuditEvent

TEXT = "reason,patient\r\ntouch-up,Otto Follow\r\n"


def _exports(store: Store) -> list[tuple[int | None, str, str]]:
    """(actor, subject, detail) of each export event."""
    q = select(AuditEvent.actor_id, AuditEvent.subject, AuditEvent.detail)
    with store.read() as s:
        return [tuple(row) for row in s.execute(q.where(AuditEvent.kind == "export"))]


def test_a_list_export_writes_the_file_and_records_it(store, clinician, tmp_path: Path) -> None:
    out = tmp_path / "lists" / "due.csv"
    out.parent.mkdir()
    export_list_csv(
        store, clinician.id, out, TEXT, list_name="follow_up", what="follow-up list", rows=1
    )
    assert out.read_bytes() == ("\ufeff" + TEXT).encode("utf-8")
    if sys.platform != "win32":
        assert oct(out.stat().st_mode & 0o777) == "0o600"
    assert _exports(store) == [
        (clinician.id, "list_csv:follow_up", "follow-up list to CSV, 1 rows")
    ]
    assert os.listdir(out.parent) == ["due.csv"]  # no part file left beside it


def test_a_list_that_cannot_be_written_records_nothing(store, clinician, tmp_path: Path) -> None:
    with pytest.raises(OSError):
        export_list_csv(
            store,
            clinician.id,
            tmp_path / "gone" / "due.csv",
            TEXT,
            list_name="follow_up",
            what="follow-up list",
            rows=1,
        )
    assert _exports(store) == []


def test_an_export_that_cannot_be_recorded_leaves_the_file_there_before(tmp_path: Path) -> None:
    """The database is locked by another program past the wait: no record, so no new file,
    and last week's list saved under the same name (with the clinic's notes) is untouched."""
    db = tmp_path / "clinic.db"
    store = open_store(sqlite_url(db), busy_timeout_ms=200)
    who = default_practitioner(store).id
    other = sqlite3.connect(db)
    out = tmp_path / "lists" / "due.csv"
    out.parent.mkdir()
    out.write_text("last week's list, with the call notes\n")
    try:
        other.execute("BEGIN EXCLUSIVE")
        with pytest.raises(StoreError):
            export_list_csv(
                store, who, out, TEXT, list_name="follow_up", what="follow-up list", rows=1
            )
        assert os.listdir(out.parent) == ["due.csv"]  # no part file left beside it
        assert out.read_text() == "last week's list, with the call notes\n"
        other.rollback()
        assert _exports(store) == []
    finally:
        other.close()
        store.dispose()
