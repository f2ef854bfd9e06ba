"""`check` says the next step (issue #12): every kind of finding ends with what to do, and a
damaged database file says the app opens its recovery screen. On real files for the command
line; each table and kind the checks report, for the wording."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from app.integrity.report import TABLES, Alteration, next_step
from app.services import patients
from app.services.patients import NewPatient
from app.store.database import open_store, sqlite_url
from tests.app.test_check_command import _alter_photo, _charted_file, _check

RESTORE = (
    "restore the newest good backup (Settings → Backup → Restore…, or "
    "`python main.py restore BACKUP`)"
)
KEEP = "keep a copy of this database file aside"


@pytest.mark.parametrize(
    ("table", "kind", "says"),
    [
        ("photo_blob", "ALTERED", "the chart versions that refer to it are unaffected"),
        ("chart_part", "ALTERED", "do not rely on the charts that use it"),
        ("chart_version", "ALTERED", "do not rely on it; " + KEEP),
        ("chart_signature", "ALTERED", "A signature no longer verifies"),
        ("audit_event", "ALTERED", "The audit trail was edited outside FaceChart: " + KEEP),
        ("checkpoint", "ALTERED", "tell the clinic's admin"),
        ("checkpoint", "MISSING", "tell the clinic's admin"),
        ("checkpoints file", "ALTERED", "The checkpoints file outside the database"),
        ("setting", "MISSING", "The database's identity is gone"),
        ("photo", "ALTERED", "A photo record was changed outside FaceChart"),
        ("visit", "ALTERED", "A visit record was changed outside FaceChart"),
        ("patient", "ALTERED", "A record changed without FaceChart recording the change"),
        ("practitioner", "ALTERED", "A record changed without FaceChart recording the change"),
        ("patient", "MISSING", "A record the last checkpoint signed is gone"),
        ("chart_version", "MISSING", "A record the last checkpoint signed is gone"),
        ("photo", "ADDED", "slipped in with an earlier date"),
        ("chart_version", "ADDED", "slipped in with an earlier date"),
    ],
)
def test_each_kind_of_finding_says_what_to_do(table: str, kind: str, says: str) -> None:
    step = next_step(table, kind)
    assert says in step
    assert RESTORE in step  # every finding leads to the backup that holds the record whole
    line = Alteration(table, "id=7", "what is wrong", kind).with_next_step()
    assert line == f"{kind} {table} id=7: what is wrong. Next: {step}"


def test_every_table_a_checkpoint_names_has_a_next_step() -> None:
    for table in TABLES.values():
        for kind in ("ALTERED", "MISSING", "ADDED"):
            assert RESTORE in next_step(table, kind), (table, kind)


def test_check_names_an_altered_photo_and_says_restore_it(tmp_path: Path) -> None:
    path = tmp_path / "facechart.db"
    charted = _charted_file(path)
    _alter_photo(path, charted.photo_sha)
    result = _check(sqlite_url(path))
    assert result.returncode == 1
    (line,) = [x for x in result.stdout.splitlines() if x.startswith("ALTERED photo_blob")]
    assert f"sha256={charted.photo_sha}" in line
    assert line.endswith("Next: " + next_step("photo_blob", "ALTERED"))
    assert "the chart versions that refer to it are unaffected" in line


def test_a_damaged_database_says_the_app_opens_its_recovery_screen(tmp_path: Path) -> None:
    path = tmp_path / "facechart.db"
    store = open_store(sqlite_url(path))
    patients.create_patients(
        store, (NewPatient(f"G{i}", f"F{i:04d}", date(1980, 1, 1)) for i in range(400))
    )
    store.dispose()
    conn = sqlite3.connect(path)
    pages = [
        r[0]
        for r in conn.execute(
            "SELECT pageno FROM dbstat WHERE name = 'patient' AND pagetype = 'leaf' ORDER BY pageno"
        )
    ]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(path, "r+b") as f:
        f.seek((pages[len(pages) // 2] - 1) * size)
        f.write(b"\xa5" * size)

    result = _check(sqlite_url(path))
    assert result.returncode == 2
    assert "some records cannot be read" in result.stderr
    assert "it opens its recovery screen" in result.stderr
    assert "python main.py restore BACKUP" in result.stderr
