"""The recovery screen's "Choose another backup file…" (issue #12): a backup kept on another
disk, not in the backup folder, is picked with Qt's file dialog by touch; the restore page
shows what it holds and its check before anything is replaced, and restoring it brings back
its versions."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from app.services.backup import BackupKey, check_file, make_backup
from app.services.store import Store
from app.store.database import sqlite_url
from tests.ui.helpers import finger
from tests.ui.test_backup_screens import (
    PASS,
    SIZE,
    _damage_patients,
    _db,
    _hashes,
    _started,
    _tap,
    _type,
)
from ui.app import application
from ui.shell.patient_list import PatientListPage
from ui.shell.recovery_page import RecoveryPage
from ui.shell.restore_page import RestorePage


def test_recovery_restores_a_backup_file_chosen_from_another_disk(
    qtbot: QtBot, demo_store: Store, tmp_path: Path
) -> None:
    db = _db(demo_store)
    elsewhere = tmp_path / "the admin's disk"
    elsewhere.mkdir()
    written = make_backup(demo_store, elsewhere, BackupKey.from_passphrase(PASS)).path
    backed_up = _hashes(db)
    demo_store.dispose()
    _damage_patients(db)

    application()
    store, window = _started(sqlite_url(db))
    qtbot.addWidget(window)
    window.resize(*SIZE)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.in_recovery, timeout=20000)
    page = window.current_page()
    assert isinstance(page, RecoveryPage)
    assert not page.restore_button.isEnabled()  # no backup folder set up on this computer
    assert page.other_button.isEnabled()

    _tap(qtbot, page.other_button)
    qtbot.waitUntil(lambda: hasattr(page, "dialog") and page.dialog.isVisible(), timeout=3000)
    dialog = page.dialog
    assert isinstance(dialog, QFileDialog)
    name = dialog.findChild(QLineEdit, "fileNameEdit")
    assert name is not None
    name.setText(str(written))  # typed in whole: no completer list over the buttons
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    open_button = box.button(QDialogButtonBox.StandardButton.Open)
    qtbot.waitUntil(open_button.isEnabled, timeout=3000)
    finger(open_button)
    qtbot.waitUntil(lambda: isinstance(window.current_page(), RestorePage), timeout=3000)
    assert not isValid(dialog) or not dialog.isVisible()

    restore = window.current_page()
    assert isinstance(restore, RestorePage)
    assert restore.chosen() == written
    _type(qtbot, restore.passphrase, PASS)
    _tap(qtbot, restore.open_button)
    qtbot.waitUntil(lambda: restore.contents is not None, timeout=60000)
    # what it holds and its check, beside the damaged database, before anything is replaced
    assert restore.cells["patients"][0].text() == "6"
    assert restore.cells["check"][0].text() == "Passes its check"
    assert "Damaged" in restore.cells["check"][1].text()
    finger(restore.restore_button)
    qtbot.waitUntil(lambda: hasattr(restore, "box"), timeout=3000)
    yes = restore.box.findChild(QPushButton, "restoreYes")
    assert yes is not None
    finger(yes)
    qtbot.waitUntil(
        lambda: not window.in_recovery and getattr(window, "swap_result", None) is not None,
        timeout=60000,
    )
    assert isinstance(window.current_page(), PatientListPage)
    assert _hashes(db) == backed_up and check_file(db) == []
    window.swap_result.close()
    window.go_home()
    qtbot.wait(20)
    window.close()
    store.dispose()
    window.ctx.store.dispose()


def test_a_database_swap_waits_for_a_read_left_running_and_refuses_if_it_does_not_end(
    qtbot: QtBot,
    window,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    """A restore or rescue replaces the database file. A read that a chart closed a moment
    before left running (ADR 0012) could still hold the old file (on Windows an open SQLite
    file cannot be replaced): the swap waits for it, and if it does not end, changes nothing
    and says so; the pages are usable again."""
    import threading

    from PySide6.QtCore import QObject
    from PySide6.QtWidgets import QMessageBox

    from ui.common.worker import Worker, threads_left
    from ui.shell import recovery_wiring

    monkeypatch.setattr(recovery_wiring, "LEFT_READS_S", 0.2)
    owner = QObject()
    reader = Worker("t-swap-read", owner, leave_running=True)
    gate, started = threading.Event(), threading.Event()
    reader.run(lambda: (started.set(), gate.wait(10)))
    qtbot.waitUntil(started.is_set, timeout=5000)
    reader.shutdown()  # its chart closed: the read is left running
    acted: list[str] = []

    def act(_old: Store, _reopen) -> str:  # type: ignore[no-untyped-def]
        acted.append("swapped")
        return "done"

    try:
        assert not window.recovery_wiring._swap_database("Putting it in place…", act)
        box = window.findChild(QMessageBox, "errorBox")
        assert box is not None and "still reading" in box.text()
        assert acted == [] and all(
            window.stack.widget(i).isEnabled() for i in range(window.stack.count())
        )
        box.close()
    finally:
        gate.set()
    qtbot.waitUntil(lambda: threads_left() == 0, timeout=10000)
    owner.deleteLater()
