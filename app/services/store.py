"""The database handle the UI holds: opened here at start-up, passed to every service call,
disposed at exit. `Store` is named here so that the UI never reaches into `app.store`
(ADR 0001: the UI imports services, domain values and `app.store.errors`)."""

from __future__ import annotations

from pathlib import Path

from app.store.database import Store, open_store, sqlite_url

__all__ = ["Store", "open_database", "open_demo_database"]


def open_database(url: str) -> Store:
    """The database at `url`, migrated to this FaceChart's schema (StoreError if refused)."""
    return open_store(url)


def open_demo_database(folder: Path) -> Store:
    """A new SQLite database in `folder` filled with the demo patients, photos and charts."""
    from app.services.demo import build_demo  # Pillow drawing: only for --demo

    store = open_store(sqlite_url(folder / "demo.db"))
    build_demo(store)
    return store
