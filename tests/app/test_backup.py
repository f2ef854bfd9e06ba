"""Backups and restore (issue #12) on real SQLite files: a backup taken while another process
saves holds everything committed before it began and passes `check`; a damaged database is
refused; restore round-trips and keeps the replaced database aside; the file is encrypted, and
a wrong passphrase, a cut-short or altered file say so."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app import cli
from app.domain import backup_rotation
from app.services import backup, charts
from app.services.backup import BackupError, BackupKey, BackupVerificationError
from app.store.database import open_store, sqlite_url
from tests.app.fault_helpers import content_v2, make_charted

REPO = Path(__file__).resolve().parents[2]
PASS = "clinic passphrase"


@pytest.fixture(scope="module")
def key() -> BackupKey:
    return BackupKey.from_passphrase(PASS)  # Argon2id once per module: it costs ~0.2 s


def _charted(path: Path) -> tuple[int, list[str]]:
    """A database with one visit charted twice; returns the visit and the version hashes."""
    store = open_store(sqlite_url(path))
    try:
        c = make_charted(store)
        v2 = charts.save_version(
            store,
            c.visit_id,
            content_v2(c.photo_sha),
            parent_version_id=c.v1.id,
            saved_by_id=c.clinician_id,
        )
        return c.visit_id, [c.v1.content_hash, v2.content_hash]
    finally:
        store.dispose()


def _hashes(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT content_hash FROM chart_version ORDER BY id").fetchall()
    conn.close()
    return [r[0] for r in rows]


def test_backup_restores_to_the_same_versions_and_keeps_the_current_database(
    tmp_path: Path, key: BackupKey
) -> None:
    db = tmp_path / "facechart.db"
    _, hashes = _charted(db)
    store = open_store(sqlite_url(db))
    try:
        report = backup.make_backup(store, tmp_path, key)
    finally:
        store.dispose()
    assert report.path.parent == tmp_path and report.path.suffix == ".fcbackup"
    assert (report.counts.patients, report.counts.versions, report.counts.photos) == (1, 2, 1)
    assert not list(tmp_path.glob("*.partial"))
    raw = report.path.read_bytes()
    assert b"Lovelace" not in raw and b"SQLite format" not in raw  # encrypted, not a copy

    contents = backup.open_backup(report.path, PASS)
    assert contents.intact and contents.counts == report.counts

    # the database changes after the backup; restore brings back the backed-up state
    store = open_store(sqlite_url(db))
    try:
        make_charted(store)
    finally:
        store.dispose()
    before = db.read_bytes()
    restored = backup.restore_backup(db, report.path, PASS)
    assert _hashes(db) == hashes
    assert restored.aside is not None and restored.aside.exists()
    assert len(_hashes(restored.aside)) == 3  # the replaced database is kept, whole
    assert before  # (the file set aside was checkpointed first: nothing in a lost -wal)
    assert cli.main(["--db", sqlite_url(db), "check"]) == 0


def test_a_backup_taken_while_another_process_saves_holds_what_was_committed(
    tmp_path: Path, key: BackupKey
) -> None:
    db = tmp_path / "facechart.db"
    visit_id, _ = _charted(db)
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sys
                from app.services import charts
                from app.store.database import open_store, sqlite_url
                from tests.app.fault_helpers import content_v1
                store = open_store(sqlite_url({str(db)!r}))
                head = charts.history(store, {visit_id})[0]
                for i in range(400):
                    loaded = charts.load_version(store, head.id)
                    head = charts.save_version(store, {visit_id}, loaded.content,
                        parent_version_id=head.id, saved_by_id=None, comment=str(i))
                    print(head.version_no, flush=True)
                """
            ),
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None
        for _ in range(20):  # let it save a while before the backup starts
            writer.stdout.readline()
        committed = len(_hashes(db))
        assert committed >= 20  # the writer is saving (a crashed writer would prove nothing)
        store = open_store(sqlite_url(db))
        try:
            report = backup.make_backup(store, tmp_path, key)
        finally:
            store.dispose()
        assert writer.poll() is None  # still saving when the backup ended
    finally:
        writer.kill()
        writer.wait()
    assert report.counts.versions >= committed
    contents = backup.open_backup(report.path, PASS)
    assert contents.intact, contents.problems
    assert contents.counts.versions == report.counts.versions


def test_a_damaged_database_is_not_backed_up(tmp_path: Path, key: BackupKey) -> None:
    db = tmp_path / "facechart.db"
    _charted(db)
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(db, "r+b") as f:  # overwrite pages in the middle of the file
        f.seek(page * 3)
        f.write(os.urandom(page * 2))
    store = open_store(sqlite_url(db), migrate=False)
    try:
        with pytest.raises(BackupVerificationError, match="recovery screen|earlier backup"):
            backup.make_backup(store, tmp_path, key)
    finally:
        store.dispose()
    assert not list(tmp_path.glob("*.fcbackup*"))


def test_wrong_passphrase_cut_short_and_altered_files_are_told(
    tmp_path: Path, key: BackupKey
) -> None:
    db = tmp_path / "facechart.db"
    _charted(db)
    store = open_store(sqlite_url(db))
    try:
        path = backup.make_backup(store, tmp_path, key).path
    finally:
        store.dispose()
    with pytest.raises(BackupError, match="passphrase does not open"):
        backup.open_backup(path, "not the passphrase")
    data = path.read_bytes()
    short = tmp_path / "short.fcbackup"
    short.write_bytes(data[: len(data) - 100])
    with pytest.raises(BackupError, match="cut short"):
        backup.open_backup(short, PASS)
    altered = tmp_path / "altered.fcbackup"
    flipped = bytearray(data)
    flipped[len(data) - 50] ^= 1
    altered.write_bytes(bytes(flipped))
    with pytest.raises(BackupError, match="damaged|passphrase"):
        backup.open_backup(altered, PASS)
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    with pytest.raises(BackupError, match="not a FaceChart backup"):
        backup.open_backup(other, PASS)
    before = db.read_bytes()
    with pytest.raises(BackupError):
        backup.restore_backup(db, short, PASS)
    assert db.read_bytes() == before  # nothing was changed


def test_a_missing_backup_folder_is_said_plainly(tmp_path: Path, key: BackupKey) -> None:
    db = tmp_path / "facechart.db"
    _charted(db)
    store = open_store(sqlite_url(db))
    try:
        with pytest.raises(BackupError, match="cannot be found: is the disk connected"):
            backup.make_backup(store, tmp_path / "usb" / "backups", key)
    finally:
        store.dispose()


def test_command_line_backup_and_restore(tmp_path: Path) -> None:
    db = tmp_path / "facechart.db"
    _, hashes = _charted(db)
    env = {**os.environ, "FACECHART_PASSPHRASE": PASS}
    out = tmp_path / "backups"
    out.mkdir()

    def run(*args: str, **kw: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "main.py", "--db", sqlite_url(db), *args],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
            env={**env, **kw},
        )

    made = run("backup", str(out))
    assert made.returncode == 0, made.stderr
    assert "verified" in made.stdout
    (path,) = out.glob("*.fcbackup")
    wrong = run("restore", str(path), FACECHART_PASSPHRASE="wrong passphrase")
    assert wrong.returncode == 2 and "passphrase" in wrong.stderr
    assert "Traceback" not in wrong.stderr
    restored = run("restore", str(path))
    assert restored.returncode == 0, restored.stderr
    assert "kept as" in restored.stdout
    assert _hashes(db) == hashes
    missing = run("restore", str(tmp_path / "nope.fcbackup"))
    assert missing.returncode == 2 and missing.stderr.startswith("error: no backup")
    pg = subprocess.run(
        [sys.executable, "main.py", "--db", "postgresql://u@127.0.0.1:1/x", "restore", str(path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert pg.returncode == 2 and "SQLite database file" in pg.stderr


def test_rotation_keeps_7_daily_4_weekly_12_monthly() -> None:
    now = datetime(2026, 11, 30, 18, tzinfo=UTC)
    # two backups a day (daily and on closing) for 400 days
    taken = [now - timedelta(hours=12 * i) for i in range(800)]
    kept, removable = backup_rotation.to_keep((t, t) for t in taken)
    assert now in kept  # the newest
    days = {t.date() for t in kept if now - t < timedelta(days=7)}
    assert len(days) == 7
    months = {(t.year, t.month) for t in kept}
    assert len(months) >= 12
    assert len(kept) <= 7 + 4 + 12
    assert len(kept) + len(removable) == 800


def test_rotate_removes_only_backups_no_rule_keeps(tmp_path: Path) -> None:
    now = datetime(2026, 11, 30, 18, tzinfo=UTC)
    for i in range(30):
        (tmp_path / backup.file_name(now - timedelta(days=i))).write_bytes(b"x")
    (tmp_path / "holiday.jpg").write_bytes(b"x")
    removed = backup.rotate(tmp_path)
    left = {p.name for p in tmp_path.iterdir()}
    assert "holiday.jpg" in left
    assert backup.file_name(now) in left
    assert len(removed) == 30 - len(left - {"holiday.jpg"})
    assert removed
