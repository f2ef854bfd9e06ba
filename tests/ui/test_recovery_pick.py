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
