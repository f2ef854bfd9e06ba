"""The database handle the UI holds: opened here at start-up, passed to every service call,
disposed at exit. `Store` is named here so that the UI never reaches into `app.store`
(ADR 0001: the UI imports services, domain values and `app.store.errors`)."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import sessionmaker

from app.store.database import (
    Store,
    create_store_engine,
    default_data_dir,
    open_store,
    sqlite_url,
)
from app.store.errors import StoreError, loggable_traceback
from app.store.private import open_private_append, private_dir

__all__ = [
    "Store",
    "error_log_path",
    "log_error",
    "open_database",
    "open_demo_database",
    "storage_warning",
    "unopened_store",
]

ERROR_LOG = "facechart-errors.log"


def open_database(url: str) -> Store:
    """The database at `url`, at this FaceChart's schema (StoreError if refused). A SQLite file
    is migrated here; a clinic server never is: only `server-init`, run with the owner's role,
    changes its schema, and a room whose FaceChart expects another schema says so (issue #13)."""
    from app.store.database import check_schema_version, parse_database_url

    if parse_database_url(url).get_backend_name() != "postgresql":
        return open_store(url)
    from app.server.init import head_revision

    store = open_store(url, migrate=False)  # refuses a newer schema itself
    try:
        current = check_schema_version(store.engine)
    except Exception:
        store.dispose()
        raise
    head = head_revision()
    if current != head:
        store.dispose()
        if current is None:
            raise StoreError(
                "The clinic server's database has not been set up yet: the administrator runs "
                "`python main.py server-init URL` with the database owner's role."
            )
        raise StoreError(
            f"The clinic server's database is at schema {current} and this FaceChart needs "
            f"{head}: the administrator upgrades it with `python main.py server-init URL` "
            "(then every room runs the same FaceChart)."
        )
    return store


def server_name(url: str) -> str | None:
    """The "host:port" of a clinic server's URL, for messages (issue #13); None for SQLite."""
    from app.store.database import parse_database_url, server_label

    return server_label(parse_database_url(url))


def unopened_store(url: str) -> Store:
    """A handle on a database that has not been opened: no schema check, no migration, no
    connection yet. The recovery screen's, for a file that is damaged (issue #12): it only
    needs to know which database it is about."""
    engine = create_store_engine(url)
    return Store(engine, sessionmaker(engine, expire_on_commit=False))


def open_demo_database(folder: Path) -> Store:
    """A new SQLite database in `folder` filled with the demo patients, photos and charts."""
    from app.services.demo import build_demo  # Pillow drawing: only for --demo

    store = open_store(sqlite_url(folder / "demo.db"))
    build_demo(store)
    return store


def storage_warning(store: Store) -> str | None:
    """A warning when the SQLite file sits on a network share (issue #13), else None."""
    from app.store.database import sqlite_file
    from app.store.network_fs import warning_for

    file = sqlite_file(store.url) if store.is_sqlite else None
    return warning_for(file) if file is not None else None


def error_log_path() -> Path:
    """The error log: in the user data folder's `logs`, readable by the user only."""
    return default_data_dir() / "logs" / ERROR_LOG


def log_error(exc: BaseException, path: Path | None = None) -> Path:
    """Append an unexpected error's traceback to the log (0600 in a 0700 folder). Database
    errors are cut to their first line and statement: the log holds no patient data."""
    log = path or error_log_path()
    private_dir(log.parent)
    text = f"--- {datetime.now().isoformat(timespec='seconds')}\n{loggable_traceback(exc)}"
    fd = open_private_append(log)
    with os.fdopen(fd, "a", encoding="utf-8") as f:
        f.write(text)
    return log
