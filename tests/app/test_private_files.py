"""FaceChart's files are the user's only (issue #11): the database and its -wal/-shm 0600, its
folders 0700, camera stills in a fresh private folder, the error log 0600.

CI runs as root, which reads any file whatever its mode, so a failed read proves nothing: these
tests read the mode bits and the owner (os.stat), on real files and a real SQLite database.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from app.services import drafts, patients
from app.services.camera import still_dir
from app.services.store import error_log_path, log_error
from app.store.database import default_data_dir, default_url, open_store, sqlite_url
from tests.app.fault_helpers import content_v1

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX modes (Windows: profile ACLs)")


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def assert_private_file(path: Path) -> None:
    st = os.stat(path)
    assert stat.S_ISREG(st.st_mode)
    assert oct(stat.S_IMODE(st.st_mode)) == oct(0o600), path
    assert st.st_uid == os.getuid(), path


def assert_private_dir(path: Path) -> None:
    st = os.stat(path)
    assert stat.S_ISDIR(st.st_mode)
    assert oct(stat.S_IMODE(st.st_mode)) == oct(0o700), path
    assert st.st_uid == os.getuid(), path


@pytest.fixture(params=[0o022, 0o000], ids=["umask022", "umask000"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    """The modes must not depend on the umask: 022 is the usual one, 000 the loosest."""
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


@pytest.fixture
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user data folder moved under tmp_path (platformdirs reads XDG_DATA_HOME)."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("FACECHART_DB", raising=False)
    return tmp_path / "xdg"


def _side_files(db: Path) -> list[Path]:
    return [db.with_name(db.name + s) for s in ("-wal", "-shm")]


def test_new_database_and_its_wal_and_shm_are_0600(tmp_path: Path, umask: int) -> None:
    db = tmp_path / "new" / "facechart.db"
    store = open_store(sqlite_url(db))
    try:
        patients.create_patient(store, "Ada", "Lovelace", date(1985, 12, 10))
        with store.read() as s:  # a connection open: SQLite keeps -wal and -shm
            s.connection()
            assert_private_file(db)
            for side in _side_files(db):
                assert side.exists(), side
                assert_private_file(side)
    finally:
        store.dispose()
    assert_private_dir(db.parent)  # made by FaceChart: 0700


def test_an_older_0644_database_is_tightened_on_open(tmp_path: Path, umask: int) -> None:
    db = tmp_path / "facechart.db"
    open_store(sqlite_url(db)).dispose()
    # as an older FaceChart left it, with side files a crash left behind
    os.chmod(db, 0o644)
    raw = sqlite3.connect(db)
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute("CREATE TABLE IF NOT EXISTS scratch (x)")
    for side in _side_files(db):
        os.chmod(side, 0o644)
    store = open_store(sqlite_url(db))
    try:
        patients.create_patient(store, "Ada", "Lovelace", date(1985, 12, 10))
        assert_private_file(db)
        for side in _side_files(db):
            assert_private_file(side)
    finally:
        store.dispose()
        raw.close()


def test_side_files_made_lazily_after_the_last_close_are_0600(tmp_path: Path, umask: int) -> None:
    """SQLite removes -wal and -shm when the last connection closes and makes them again on the
    next write; each new one must be private too."""
    db = tmp_path / "facechart.db"
    open_store(sqlite_url(db)).dispose()
    for side in _side_files(db):
        assert not side.exists()  # removed at the last close: the next ones are new files
    store = open_store(sqlite_url(db))
    try:
        patients.create_patient(store, "Ada", "Lovelace", date(1985, 12, 10))
        with store.read() as s:
            s.connection()
            for side in _side_files(db):
                assert_private_file(side)
    finally:
        store.dispose()


def test_the_user_data_folder_is_made_0700_even_when_it_exists(data_home: Path, umask: int) -> None:
    folder = default_data_dir()
    assert folder.is_relative_to(data_home)
    folder.mkdir(parents=True)
    os.chmod(folder, 0o755)  # as today's FaceChart made it
    store = open_store(default_url())
    try:
        assert_private_dir(folder)
        assert_private_file(folder / "facechart.db")
    finally:
        store.dispose()


def test_a_folder_the_user_chose_keeps_its_mode(tmp_path: Path, umask: int) -> None:
    """A database put in a shared clinic folder: the database is private, the folder the user
    picked is left alone; only folders FaceChart makes are 0700."""
    chosen = tmp_path / "Clinic"
    chosen.mkdir()
    os.chmod(chosen, 0o775)
    store = open_store(sqlite_url(chosen / "made" / "by" / "facechart.db"))
    store.dispose()
    assert mode(chosen) == 0o775
    assert_private_dir(chosen / "made")
    assert_private_dir(chosen / "made" / "by")
    assert_private_file(chosen / "made" / "by" / "facechart.db")


def test_drafts_folder_0700_and_draft_0600(tmp_path: Path, umask: int) -> None:
    store = open_store(sqlite_url(tmp_path / "facechart.db"))
    try:
        path = drafts.write_draft(store, 7, None, content_v1("ab" * 32))
        assert_private_dir(path.parent)
        assert_private_file(path)
    finally:
        store.dispose()


def test_error_log_0600_in_a_0700_folder(data_home: Path, umask: int) -> None:
    log = error_log_path()
    assert log.is_relative_to(data_home)
    try:
        raise RuntimeError("a slot failed")
    except RuntimeError as exc:
        assert log_error(exc) == log
    assert_private_dir(log.parent)
    assert_private_file(log)
    assert "RuntimeError: a slot failed" in log.read_text(encoding="utf-8")
    os.chmod(log, 0o644)  # a log an older FaceChart wrote
    try:
        raise RuntimeError("again")
    except RuntimeError as exc:
        log_error(exc)
    assert_private_file(log)


def test_stills_go_to_a_fresh_private_folder_not_a_shared_one(umask: int) -> None:
    shared = Path(tempfile.gettempdir()) / "facechart-stills"
    made_here = not shared.exists()
    if made_here:  # what another account could have made beforehand
        shared.mkdir()
        os.chmod(shared, 0o777)
    try:
        folder = still_dir()
        assert folder != shared
        assert folder.parent == Path(tempfile.gettempdir())
        assert folder.name.startswith("facechart-stills-")
        assert_private_dir(folder)
        assert still_dir() == folder  # one folder for the run
    finally:
        if made_here:
            shared.rmdir()


def test_a_removed_stills_folder_is_made_again_private() -> None:
    folder = still_dir()
    folder.rmdir()
    assert_private_dir(still_dir())
