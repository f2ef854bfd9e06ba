"""Database faults (issue #2): each one is a StoreError with a clear message, and nothing is lost.

Real SQLite files throughout. CI runs as root, so file permissions prove nothing: read-only is
SQLite's own `mode=ro`, a full disk is `PRAGMA max_page_count`, a lock is another connection.
"""

from __future__ import annotations

import io
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import make_url

from app.services import charts, integrity, photos, practitioners
from app.store.database import open_store, sqlite_url
from app.store.errors import (
    DatabaseLockedError,
    DatabaseUnavailableError,
    DiskFullError,
    ForeignDatabaseError,
    NewerDatabaseError,
    ReadOnlyDatabaseError,
    StoreError,
)
from tests.app.fault_helpers import (
    Charted,
    assert_v1_intact,
    content_v2,
    file_digest,
    make_charted,
    row_counts,
)
from tests.conftest import PG_URL, reset_postgres


def _charted_file(path: Path) -> Charted:
    """A database file with a charted visit, every connection closed afterwards."""
    store = open_store(sqlite_url(path))
    try:
        return make_charted(store)
    finally:
        store.dispose()


def _save_v2(store, charted: Charted) -> charts.VersionInfo:  # type: ignore[no-untyped-def]
    return charts.save_version(
        store,
        charted.visit_id,
        content_v2(charted.photo_sha),
        parent_version_id=charted.v1.id,
        saved_by_id=charted.clinician_id,
    )


def _noise_png(side: int) -> bytes:
    """A photo that does not compress: about side*side*3 bytes on disk."""
    rng = np.random.default_rng(7)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, (side, side, 3), dtype=np.uint8)).save(buf, "PNG")
    return buf.getvalue()


def _databases(root: Path) -> list[Path]:
    """Every file under root except SQLite's WAL side files (a reader may create those)."""
    return sorted(p for p in root.rglob("*") if not p.name.endswith(("-wal", "-shm")))


# --- read-only -------------------------------------------------------------------------------


# Folder names a clinic really uses; '#', '?' and '%' mean something inside a SQLite URI.
@pytest.mark.parametrize("folder", ["plain", "Clinic #1", "50% done?", "Zoë's photos"])
def test_read_only_database_opens_for_reading_and_refuses_saves(tmp_path: Path, folder: str):
    path = tmp_path / folder / "facechart.db"
    path.parent.mkdir()
    charted = _charted_file(path)
    before = file_digest(path)
    files_before = _databases(tmp_path)

    store = open_store(sqlite_url(path, read_only=True))
    try:
        assert_v1_intact(store, charted)  # reading works, and it reads *this* file
        with pytest.raises(ReadOnlyDatabaseError, match="read-only"):
            _save_v2(store, charted)
        with pytest.raises(ReadOnlyDatabaseError, match="nothing could be saved"):
            practitioners.create_practitioner(store, "Grace Hopper")
        with pytest.raises(ReadOnlyDatabaseError):
            photos.add_photo_bytes(store, charted.patient_id, "rest", _noise_png(32))
        assert_v1_intact(store, charted)
    finally:
        store.dispose()

    assert file_digest(path) == before
    # No other database appeared beside it (a mis-parsed URI opens a different, writable file).
    assert _databases(tmp_path) == files_before
    wal = path.with_name(path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0  # no write went to the journal either


def test_sqlite_url_round_trips_awkward_paths(tmp_path: Path):
    path = tmp_path / "Clinic #1" / "50% done?" / "facechart.db"
    path.parent.mkdir(parents=True)
    store = open_store(sqlite_url(path))
    store.dispose()
    assert path.exists()
    assert [p for p in _databases(tmp_path) if p.is_file()] == [path]


# --- locked ----------------------------------------------------------------------------------


@pytest.mark.parametrize("lock", ["IMMEDIATE", "EXCLUSIVE"])
def test_locked_database_gives_locked_error_then_the_same_save_succeeds(tmp_path: Path, lock: str):
    path = tmp_path / "facechart.db"
    charted = _charted_file(path)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute(f"BEGIN {lock}")
    store = open_store(sqlite_url(path), busy_timeout_ms=200)
    try:
        counts = row_counts(store)
        started = time.monotonic()
        with pytest.raises(DatabaseLockedError, match="busy") as info:
            _save_v2(store, charted)
        assert time.monotonic() - started >= 0.15  # it waited for the lock before giving up
        assert "Nothing was lost" in str(info.value)
        other.execute("ROLLBACK")
        assert row_counts(store) == counts
        assert_v1_intact(store, charted)

        v2 = _save_v2(store, charted)  # the very same save, once the lock is gone
        assert v2.version_no == 2 and v2.parent_hash == charted.v1.content_hash
        assert integrity.check_store(store).intact
    finally:
        other.close()
        store.dispose()


def test_save_waits_for_a_brief_writer_instead_of_failing(tmp_path: Path):
    """Another room commits while our save waits: the save must go through, not fail as
    'locked' because its transaction began reading before it asked to write."""
    path = tmp_path / "facechart.db"
    charted = _charted_file(path)
    store = open_store(sqlite_url(path), busy_timeout_ms=5000)
    holding = threading.Event()

    def other_room() -> None:
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO setting (key, value) VALUES ('clinic_name', 'Other room')")
        holding.set()
        time.sleep(0.4)
        conn.execute("COMMIT")
        conn.close()

    thread = threading.Thread(target=other_room)
    thread.start()
    try:
        assert holding.wait(5)
        v2 = _save_v2(store, charted)
        assert v2.version_no == 2
    finally:
        thread.join()
        store.dispose()


# --- disk full -------------------------------------------------------------------------------


@pytest.fixture
def full_disk_store(tmp_path: Path) -> Iterator[tuple]:
    """A store whose connections may grow the file by only ~40 KB (SQLITE_FULL beyond)."""
    path = tmp_path / "facechart.db"
    charted = _charted_file(path)
    raw = sqlite3.connect(path)
    pages = raw.execute("PRAGMA page_count").fetchone()[0]
    raw.close()
    store = open_store(sqlite_url(path))

    @event.listens_for(store.engine, "connect")
    def _limit(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        dbapi_conn.execute(f"PRAGMA max_page_count={pages + 10}")

    store.engine.dispose()  # the pool's connections are re-made with the limit
    yield store, charted, path
    store.dispose()


def test_disk_full_gives_disk_full_error_and_keeps_earlier_versions(full_disk_store):
    store, charted, path = full_disk_store
    counts = row_counts(store)
    big = _noise_png(400)  # ~480 KB: far over the ~40 KB left
    with pytest.raises(DiskFullError, match="disk is full") as info:
        photos.add_photo_bytes(store, charted.patient_id, "rest", big, visit_id=charted.visit_id)
    assert "nothing could be saved" in str(info.value)
    assert row_counts(store) == counts
    assert_v1_intact(store, charted)
    assert integrity.check_store(store).intact

    # A small save still fits: the store is usable, not wedged by the failed transaction.
    v2 = _save_v2(store, charted)
    assert v2.version_no == 2

    # With space again (no limit), the big photo goes in.
    store.dispose()
    roomy = open_store(sqlite_url(path))
    try:
        record = photos.add_photo_bytes(roomy, charted.patient_id, "rest", big)
        assert photos.original_bytes(roomy, record.sha256) == big
        assert integrity.check_store(roomy).intact
    finally:
        roomy.dispose()


# --- newer database --------------------------------------------------------------------------


@pytest.mark.parametrize("journal_mode", ["wal", "delete"])
@pytest.mark.parametrize("read_only", [False, True])
def test_database_from_a_newer_facechart_is_refused_untouched(
    tmp_path: Path, journal_mode: str, read_only: bool
):
    path = tmp_path / "facechart.db"
    _charted_file(path)
    raw = sqlite3.connect(path, isolation_level=None)
    # A newer FaceChart may well keep its file in another journal mode: ours must not change it.
    raw.execute(f"PRAGMA journal_mode={journal_mode}")
    raw.execute("UPDATE alembic_version SET version_num = 'f00dfeed9999'")
    raw.close()
    before = file_digest(path)
    files_before = _databases(tmp_path)

    with pytest.raises(NewerDatabaseError, match="newer version of FaceChart") as info:
        open_store(sqlite_url(path, read_only=read_only))
    assert "f00dfeed9999" in str(info.value)
    assert isinstance(info.value, StoreError)

    assert file_digest(path) == before
    assert _databases(tmp_path) == files_before


# --- the same faults on PostgreSQL (when FACECHART_TEST_PG names a server) -------------------


def test_unreachable_server_is_a_clear_store_error():
    # Port 1 on loopback: nothing listens there, so the connection is refused at once.
    with pytest.raises(DatabaseUnavailableError, match="cannot be reached"):
        open_store("postgresql://facechart@127.0.0.1:1/facechart", busy_timeout_ms=200)


needs_pg = pytest.mark.skipif(not PG_URL, reason="FACECHART_TEST_PG names no server")


@pytest.fixture
def pg_charted() -> Iterator[Charted]:
    assert PG_URL
    reset_postgres(PG_URL)
    store = open_store(PG_URL)
    try:
        yield make_charted(store)
    finally:
        store.dispose()


def _with_options(url: str, options: str) -> str:
    return make_url(url).update_query_dict({"options": options}).render_as_string(False)


@needs_pg
@pytest.mark.pg
def test_postgres_read_only_session_refuses_saves(pg_charted: Charted):
    assert PG_URL
    store = open_store(_with_options(PG_URL, "-c default_transaction_read_only=on"))
    try:
        assert_v1_intact(store, pg_charted)
        with pytest.raises(ReadOnlyDatabaseError, match="read-only"):
            _save_v2(store, pg_charted)
        assert_v1_intact(store, pg_charted)
    finally:
        store.dispose()


@needs_pg
@pytest.mark.pg
def test_postgres_lock_gives_locked_error_then_the_same_save_succeeds(pg_charted: Charted):
    assert PG_URL
    other = create_engine(PG_URL).connect()
    other.exec_driver_sql("LOCK TABLE chart_version IN EXCLUSIVE MODE")  # opens a transaction
    store = open_store(PG_URL, busy_timeout_ms=200)
    try:
        counts = row_counts(store)
        started = time.monotonic()
        with pytest.raises(DatabaseLockedError, match="busy"):
            _save_v2(store, pg_charted)
        assert time.monotonic() - started < 5  # it gave up after the timeout, not never
        other.rollback()
        assert row_counts(store) == counts
        assert _save_v2(store, pg_charted).version_no == 2
        assert integrity.check_store(store).intact
    finally:
        other.close()
        other.engine.dispose()
        store.dispose()


@needs_pg
@pytest.mark.pg
def test_postgres_database_from_a_newer_facechart_is_refused_untouched(pg_charted: Charted):
    assert PG_URL
    engine = create_engine(PG_URL)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'f00dfeed9999'")
    tables = sorted(inspect(engine).get_table_names())
    with pytest.raises(NewerDatabaseError, match="f00dfeed9999"):
        open_store(PG_URL)
    assert sorted(inspect(engine).get_table_names()) == tables
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one() == (
            "f00dfeed9999"
        )
    engine.dispose()


# --- another program's database --------------------------------------------------------------


def test_another_programs_database_is_refused_untouched(tmp_path: Path):
    """A wrong file picked for --db (a SQLite database of another program) gets a clear
    message; FaceChart's tables are not written into it."""
    path = tmp_path / "calendar.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE appointment (id INTEGER PRIMARY KEY, at TEXT, who TEXT)")
        conn.execute("INSERT INTO appointment (at, who) VALUES ('2026-11-23 09:00', 'Ada')")
    before = file_digest(path)
    with pytest.raises(ForeignDatabaseError, match="another program.*appointment"):
        open_store(sqlite_url(path))
    assert file_digest(path) == before


def test_an_empty_file_becomes_a_new_database(tmp_path: Path):
    path = tmp_path / "new.db"
    path.touch()  # e.g. made by the file dialog: no tables yet, so it is ours to set up
    store = open_store(sqlite_url(path))
    try:
        assert row_counts(store)["chart_version"] == 0
    finally:
        store.dispose()


@needs_pg
@pytest.mark.pg
def test_postgres_connection_lost_at_the_end_of_a_read_is_server_unreachable(
    pg_charted: Charted,
):
    """The server goes away after a read's last query: its closing ROLLBACK fails, and that is
    ServerUnreachableError (a StoreError, which every screen handles), not the driver's
    OperationalError. It once escaped the editor's course total during an outage."""
    from sqlalchemy import text

    from app.store.errors import ServerUnreachableError

    assert PG_URL
    store, other = open_store(PG_URL), open_store(PG_URL)
    try:
        with pytest.raises(ServerUnreachableError), store.read() as s:
            pid = s.execute(text("SELECT pg_backend_pid()")).scalar_one()
            with other.read() as o:
                o.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        assert charts.version_count(store, pg_charted.visit_id) == 1  # the next read reconnects
    finally:
        store.dispose()
        other.dispose()
