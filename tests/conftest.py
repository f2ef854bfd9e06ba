"""Shared fixtures: a real store on SQLite always, and on PostgreSQL when FACECHART_TEST_PG is set.

GUI tests run offscreen; nothing here mocks the database.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.services.practitioners import PractitionerRecord, default_practitioner  # noqa: E402
from app.store.database import Store, open_store, sqlite_url  # noqa: E402

PG_URL = os.environ.get("FACECHART_TEST_PG")

BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def reset_postgres(url: str) -> None:
    from sqlalchemy import text

    from app.store.database import create_store_engine

    engine = create_store_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(autouse=True)
def integrity_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Each test its own installation key and checkpoints files (ADR 0025), never the user's."""
    from app.integrity.signing import INTEGRITY_DIR_ENV

    folder = tmp_path_factory.mktemp("integrity")
    monkeypatch.setenv(INTEGRITY_DIR_ENV, str(folder))
    return folder


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "facechart.db"


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, db_path: Path) -> Iterator[Store]:
    """A freshly migrated store: SQLite file, and the PostgreSQL server when configured."""
    if request.param == "postgresql":
        assert PG_URL
        reset_postgres(PG_URL)
        s = open_store(PG_URL)
    else:
        s = open_store(sqlite_url(db_path))
    yield s
    s.dispose()


@pytest.fixture
def sqlite_store(db_path: Path) -> Iterator[Store]:
    s = open_store(sqlite_url(db_path))
    yield s
    s.dispose()


@pytest.fixture
def clinician(store: Store) -> PractitionerRecord:
    return default_practitioner(store)


@pytest.fixture(autouse=True)
def own_backup_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's backup settings (folder, key, last backup) in its own folder, never the
    user's: the main window reads them at start and after every backup."""
    from app.services import backup_settings

    folder = tmp_path / "backup-settings"
    monkeypatch.setattr(backup_settings, "settings_folder", lambda: folder)
    return folder
