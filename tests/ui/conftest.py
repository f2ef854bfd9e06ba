"""GUI fixtures: the real main window on a real, temporary SQLite store with the demo clinic.

Nothing is mocked: pages read and write through app.services like the running app.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.services.demo import build_demo
from app.store.database import Store, open_store, sqlite_url
from ui.app import application, build_window
from ui.shell.main_window import MainWindow

SIZE = (1366, 768)


@pytest.fixture(scope="session")
def qapp_cls() -> type:
    """pytest-qt makes the app's own QApplication class (pen proximity as a signal)."""
    from ui.common.application import Application

    return Application


@pytest.fixture(scope="session", autouse=True)
def real_app(qapp) -> None:  # type: ignore[no-untyped-def]
    """Every GUI test runs in the QApplication the app configures (style sheet, fonts, garbage
    collected on the GUI thread only), whether it runs alone or after the others."""
    application()


@pytest.fixture(autouse=True)
def no_read_left_running() -> Iterator[None]:
    """A read that a closed editor or screen left running (ADR 0012) has ended, and its thread
    is joined, before the next test: its thread and its collection pause never cross over."""
    from ui.common.worker import wait_left

    yield
    assert wait_left(10), "a read left running did not end within 10 s"


@pytest.fixture(autouse=True)
def own_recent_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The import browser's "used last" list of each test in its own file, never the user's."""
    from ui.capture import browse_data

    file = tmp_path / "recent-folders.json"
    monkeypatch.setattr(browse_data, "default_recent_file", lambda: file)
    return file


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo clinic built once; each test gets its own copy of the file (fast, isolated)."""
    path = tmp_path_factory.mktemp("demo") / "template.db"
    store = open_store(sqlite_url(path))
    build_demo(store)
    store.dispose()  # the last connection closing checkpoints the WAL into the file
    return path


@pytest.fixture
def demo_store(sqlite_store: Store, demo_template: Path) -> Store:
    """`sqlite_store` (a fresh, migrated file) filled with a copy of the demo clinic by
    SQLite's backup API: much faster than building it per test, and other tests in this
    folder that use `sqlite_store` still get an empty database."""
    sqlite_store.dispose()  # no pooled connection keeps the empty database's pages
    target = sqlite_store.url.database
    assert target
    source = sqlite3.connect(demo_template)
    dest = sqlite3.connect(target)
    try:
        source.backup(dest)
    finally:
        source.close()
        dest.close()
    return sqlite_store


@pytest.fixture
def window(qtbot: QtBot, demo_store: Store) -> Iterator[MainWindow]:
    application()  # the style sheet and fonts of the real app, so sizes are the real ones
    from tests.ui.helpers import signed_in

    w = build_window(signed_in(demo_store))
    qtbot.addWidget(w)
    w.resize(*SIZE)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close()
