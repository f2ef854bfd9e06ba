"""Backup, restore and recovery by touch (issue #12), on the real main window and real SQLite
files: the admin sets up backups with the touch folder browser and keyboard, "Back up now"
writes a verified file and the first screen's age follows; a missing disk warns; restore
replaces the database (kept aside) with the backup's versions and the app goes on; a damaged
database opens the recovery screen, and its rescue gives a database that passes `check`."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QListWidget, QMessageBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from app.services import backup, backup_settings, patients, practitioners, recovery
from app.services.backup import check_file
from app.services.patients import NewPatient
from app.services.practitioners import PractitionerRecord
from app.services.store import Store
from app.store.database import open_store, sqlite_url
from tests.ui.helpers import finger, signed_in
from ui.app import application, build_window, open_window
from ui.common.touch_keyboard import KeyboardController
from ui.shell.backup_dialogs import FolderDialog, PassphraseDialog
from ui.shell.backup_page import BackupPage
from ui.shell.main_window import MainWindow
from ui.shell.patient_list import PatientListPage
from ui.shell.recovery_page import RecoveryPage
from ui.shell.restore_page import RestorePage

PASS = "clinic pass"
SIZE = (1366, 768)


def _db(store: Store) -> Path:
    assert store.url.database
    return Path(store.url.database)


def _hashes(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT content_hash FROM chart_version ORDER BY id").fetchall()
    conn.close()
    return [r[0] for r in rows]


def _set_up(window: MainWindow, folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    backup_settings.set_folder(window.ctx.store, window.ctx.practitioner, folder)
    backup_settings.set_passphrase(window.ctx.store, window.ctx.practitioner, PASS)


def _backup_page(window: MainWindow) -> BackupPage:
    finger(window.patient_list.backup_status)
    QTest.qWait(QApplication.doubleClickInterval() + 100)
    page = window.current_page()
    assert isinstance(page, BackupPage)
    return page


def _tap(qtbot: QtBot, widget: QWidget) -> None:
    """A finger's tap on a page that scrolls by touch: Qt's scroller hands a still finger on
    as a press a moment later, and swallows a second tap within the double-click interval
    (tests/ui/test_soft_warnings.py), so the next tap waits that long."""
    finger(widget)
    qtbot.wait(QApplication.doubleClickInterval() + 100)


def _type(qtbot: QtBot, field: object, text: str) -> None:
    """A finger on the field brings FaceChart's keyboard (on Linux and macOS); each character
    is then a tap on its key. Where the system brings its own keyboard, keys are typed."""
    from PySide6.QtWidgets import QLineEdit

    assert isinstance(field, QLineEdit)
    app = QApplication.instance()
    controller = app.findChild(KeyboardController) if app else None
    finger(field)
    QTest.qWait(200)
    if controller is None or controller.mode != "own" or not controller.keyboard.isVisible():
        QTest.keyClicks(field, text)
        return
    from tests.ui.test_touch_keyboard import type_by_touch

    type_by_touch(qtbot, controller.keyboard, text)
    # the finger leaves the keyboard: a tap that follows within the double-click interval
    # would be a double click, which a page that scrolls by touch swallows
    qtbot.wait(QApplication.doubleClickInterval() + 100)


def test_an_admin_sets_up_backups_by_touch_and_back_up_now_writes_a_verified_file(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    assert "not set up" in window.patient_list.backup_status.text()
    page = _backup_page(window)
    assert not page.now_button.isEnabled()  # nowhere to write yet

    # the folder: the touch folder browser, a sub-folder tapped open, "Use this folder"
    usb = tmp_path / "usb"
    (usb / "FaceChart backups").mkdir(parents=True)
    _tap(qtbot, page.choose_folder)
    qtbot.waitUntil(lambda: hasattr(page, "dialog"), timeout=3000)
    dialog = page.dialog
    assert isinstance(dialog, FolderDialog)
    browser = dialog.browser
    browser.open_folder(usb)
    qtbot.waitUntil(lambda: not browser.loading, timeout=5000)
    tiles: QListWidget = browser.tiles
    assert tiles.count() == 1
    browser.tap_item(tiles.item(0))  # tiles take fingers through their own touch handling
    qtbot.waitUntil(lambda: browser.folder == usb / "FaceChart backups", timeout=5000)
    qtbot.waitUntil(lambda: not browser.loading, timeout=5000)
    finger(browser.add)
    assert backup_settings.load(window.ctx.store).folder == usb / "FaceChart backups"

    # the passphrase, twice, typed on the touch keyboard
    _tap(qtbot, page.set_passphrase)
    qtbot.waitUntil(lambda: hasattr(page, "dialog_passphrase"), timeout=3000)
    pdialog = page.dialog_passphrase
    assert isinstance(pdialog, PassphraseDialog)
    _type(qtbot, pdialog.first, PASS)
    _type(qtbot, pdialog.second, PASS + "x")
    finger(pdialog.save)
    assert pdialog.error.isVisible() and "differ" in pdialog.error.text()
    pdialog.second.clear()
    _type(qtbot, pdialog.second, PASS)
    finger(pdialog.save)
    qtbot.waitUntil(lambda: not isValid(pdialog) or not pdialog.isVisible(), timeout=3000)
    assert backup_settings.load(window.ctx.store).configured

    assert page.now_button.isEnabled()
    _tap(qtbot, page.now_button)
    qtbot.waitUntil(lambda: page.result.isVisible(), timeout=60000)
    (written,) = (usb / "FaceChart backups").glob("*.fcbackup")
    assert backup.open_backup(written, PASS).intact  # verified, and the passphrase opens it
    assert page.result.isVisible() and "verified" in page.result.text()
    assert "6 patients" in page.result.text()
    assert page.backups.count() == 1

    finger(window.back)
    assert window.current_page() is window.patient_list
    assert window.patient_list.backup_status.text() == "Last backup: just now"
    assert window.patient_list.backup_status.property("warn") is False


def test_a_missing_backup_disk_is_warned_on_the_first_screen_and_on_back_up_now(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    usb = tmp_path / "usb"
    _set_up(window, usb)
    usb.rmdir()  # the disk is unplugged
    window.patient_list.activated()
    line = window.patient_list.backup_status
    assert "The backup disk is not connected" in line.text()
    assert line.property("warn") is True
    page = _backup_page(window)
    assert page.warning.isVisible() and "not connected" in page.warning.text()
    _tap(qtbot, page.now_button)
    qtbot.waitUntil(lambda: page.result.isVisible(), timeout=30000)
    assert page.result.isVisible() and "The backup disk is not connected" in page.result.text()
    assert page.result.property("kind") == "error"
    assert not list(tmp_path.glob("**/*.fcbackup"))


def test_restore_by_touch_replaces_the_database_and_the_app_goes_on(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    db = _db(window.ctx.store)
    _set_up(window, tmp_path / "usb")
    backed_up = _hashes(db)
    report = backup_settings.run_backup(window.ctx.store, actor_id=window.ctx.practitioner.id)
    patients.create_patient(window.ctx.store, "After", "Backup", date(1990, 5, 5))

    page = _backup_page(window)
    assert page.backups.count() == 1
    _tap(qtbot, page.restore_button)
    qtbot.waitUntil(lambda: isinstance(window.current_page(), RestorePage), timeout=3000)
    restore = window.current_page()
    assert isinstance(restore, RestorePage)
    assert restore.chosen() == report.path
    _type(qtbot, restore.passphrase, PASS)
    _tap(qtbot, restore.open_button)
    qtbot.waitUntil(lambda: restore.contents is not None, timeout=60000)
    assert restore.cells["patients"][0].text() == "6"  # the backup
    assert restore.cells["patients"][1].text() == "7"  # the current database
    assert restore.cells["check"][0].text() == "Passes its check"
    assert restore.restore_button.isEnabled()
    finger(restore.restore_button)  # outside the scrolling part
    qtbot.waitUntil(lambda: hasattr(restore, "box"), timeout=3000)
    box = restore.box
    assert isinstance(box, QMessageBox) and box.isVisible()
    yes = box.findChild(QPushButton, "restoreYes")
    assert yes is not None
    finger(yes)
    qtbot.waitUntil(
        lambda: (
            isinstance(window.current_page(), PatientListPage)
            and window.stack.count() == 1
            and getattr(window, "swap_result", None) is not None
        ),
        timeout=60000,
    )
    assert "Restored the backup" in window.swap_result.text()
    # the replaced database is kept aside, whole; the database holds the backup's versions
    (aside,) = tmp_path.glob("**/facechart.db.before-restore-*")
    assert "After" in {
        r[0] for r in sqlite3.connect(aside).execute("SELECT given_name FROM patient")
    }
    assert _hashes(db) == backed_up
    assert check_file(db) == []
    # the restore is in the restored database's audit trail
    with sqlite3.connect(db) as conn:
        kinds = [r[0] for r in conn.execute("SELECT kind FROM audit_event ORDER BY seq")]
    conn.close()
    assert kinds[-2:] == ["restore", "lock"]
    # whoever works next signs in on the restored records (their PIN and key there)
    assert window.locker.locked
    # and the app is usable on it: the first screen lists the backup's patients, a patient opens
    assert window.ctx.store is not None
    names = window.patient_list.row_names()
    assert "After Backup" not in names and len(names) == 6
    window.open_patient(patients.search_patients(window.ctx.store, "zoe").patients[0].id)
    assert window.stack.count() == 2
    window.go_home()
    window.swap_result.close()


def _overwrite_middle(path: Path, table: str) -> None:
    """One leaf page in the middle of a table's pages overwritten, as a failing disk does."""
    with sqlite3.connect(path) as conn:
        pages = [
            r[0]
            for r in conn.execute(
                "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno",
                (table,),
            )
        ]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    assert len(pages) > 2
    with open(path, "r+b") as f:
        f.seek((pages[len(pages) // 2] - 1) * size)
        f.write(b"\xa5" * size)


def _damage_patients(path: Path) -> None:
    """Hundreds of patients, then one page in the middle of them overwritten: the first
    screen's recent patients are read across it."""
    store = open_store(sqlite_url(path))
    try:
        patients.create_patients(
            store, (NewPatient(f"G{i}", f"F{i:04d}", date(1980, 1, 1)) for i in range(400))
        )
    finally:
        store.dispose()
    _overwrite_middle(path, "patient")


def _started(url: str) -> tuple[Store, MainWindow]:
    """What `python main.py` does at start: the recovery window of a file found damaged, else
    the sign-in screen, where the demo admin signs in (at the service level here)."""
    store, window = open_window(url)
    return store, window if window is not None else build_window(signed_in(store))


def test_a_damaged_database_opens_the_recovery_screen_and_rescue_passes_check(
    qtbot: QtBot, demo_store: Store
) -> None:
    db = _db(demo_store)
    demo_store.dispose()
    _damage_patients(db)

    application()
    store, window = _started(sqlite_url(db))  # what `python main.py` does at start
    qtbot.addWidget(window)
    window.resize(*SIZE)
    window.show()
    qtbot.waitExposed(window)
    # the first screen reads its recent patients past the damage; the full check after
    # start finds it, off the GUI thread
    qtbot.waitUntil(lambda: window.in_recovery, timeout=20000)
    page = window.current_page()
    assert isinstance(page, RecoveryPage) and window.in_recovery
    assert window.stack.count() == 1  # no first screen behind it to fail piecemeal
    assert "damaged" in page.what.text() and "malformed" in page.detail.text()
    assert not page.restore_button.isEnabled()  # no backup folder on this computer

    _tap(qtbot, page.rescue_button)
    qtbot.waitUntil(lambda: page.report is not None, timeout=60000)
    assert page.report is not None and page.report.passes_check
    assert "passes its check" in page.rescue_text.text()
    assert "patient:" in page.rescue_text.text()  # what could not be read is said
    _tap(qtbot, page.use_button)
    qtbot.waitUntil(
        lambda: not window.in_recovery and getattr(window, "swap_result", None) is not None,
        timeout=60000,
    )
    assert isinstance(window.current_page(), PatientListPage)
    assert recovery.diagnose(db) is None and check_file(db) == []
    assert list(db.parent.glob("facechart.db.damaged-*"))  # the damaged file is kept
    assert window.patient_list.row_names()  # the rescued patients are listed
    window.swap_result.close()
    window.close()
    store.dispose()
    window.ctx.store.dispose()


def test_the_recovery_screen_restores_the_newest_backup_by_touch(
    qtbot: QtBot, demo_store: Store, tmp_path: Path
) -> None:
    db = _db(demo_store)
    admin = practitioners.default_practitioner(demo_store)
    usb = tmp_path / "usb"
    usb.mkdir()
    backup_settings.set_folder(demo_store, admin, usb)
    backup_settings.set_passphrase(demo_store, admin, PASS)
    backup_settings.run_backup(demo_store, actor_id=admin.id)
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
    assert "just now" in page.backup_text.text()
    assert page.restore_button.isEnabled()
    _tap(qtbot, page.restore_button)
    qtbot.waitUntil(lambda: isinstance(window.current_page(), RestorePage), timeout=3000)
    restore = window.current_page()
    assert isinstance(restore, RestorePage)
    _type(qtbot, restore.passphrase, PASS)
    _tap(qtbot, restore.open_button)
    qtbot.waitUntil(lambda: restore.contents is not None, timeout=60000)
    assert restore.cells["patients"][1].text() == "—"  # the damaged one cannot be counted
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
    assert list(db.parent.glob("facechart.db.before-restore-*"))  # the damaged file, aside
    assert len(window.patient_list.row_names()) == 6
    window.swap_result.close()
    window.go_home()
    qtbot.wait(20)
    window.close()
    store.dispose()
    window.ctx.store.dispose()


def test_a_database_damaged_where_the_start_reads_opens_on_the_recovery_screen(
    qtbot: QtBot, demo_store: Store
) -> None:
    """A table whose top page is gone fails at its first read: the app starts on the
    recovery screen at once, never on a first screen that fails piecemeal."""
    db = _db(demo_store)
    demo_store.dispose()
    _damage_patients(db)
    with sqlite3.connect(db) as conn:
        (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'visit'").fetchone()
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(db, "r+b") as f:
        f.seek((root - 1) * size)
        f.write(b"\x5a" * size)
    application()
    store, window = open_window(sqlite_url(db))
    assert window is not None  # the recovery window at once, no sign-in screen first
    qtbot.addWidget(window)
    window.show()
    assert window.in_recovery and window.stack.count() == 1
    page = window.current_page()
    assert isinstance(page, RecoveryPage)
    assert page.diagnosis.kind in ("damaged", "not-a-database")
    window.close()
    store.dispose()


def test_damage_met_while_working_opens_the_recovery_screen(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error that says the file is damaged, wherever it comes from, reaches the app's
    error handler, which opens the recovery screen instead of "Something went wrong"."""
    import sys

    from sqlalchemy import text

    from ui.app import install_error_hook

    db = _db(window.ctx.store)
    # the window's watcher of other rooms holds a connection of its own: with it open the
    # last pages written stay in the WAL, over the damage written into the file below
    window.stop_watching_rooms()
    window.ctx.store.dispose()
    _damage_patients(db)
    with pytest.raises(Exception) as caught, window.ctx.store.read() as s:  # noqa: PT011
        s.execute(text("SELECT * FROM patient")).all()
    assert recovery.is_damage(caught.value)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # put back after the test
    install_error_hook(lambda: window)
    sys.excepthook(type(caught.value), caught.value, caught.value.__traceback__)
    assert window.in_recovery and isinstance(window.current_page(), RecoveryPage)
    assert window.stack.count() == 1  # nothing behind it to fail piecemeal
    assert not QApplication.activeModalWidget()  # no "Something went wrong" box


def test_the_daily_backup_runs_when_due_and_the_first_screen_follows(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    usb = tmp_path / "usb"
    _set_up(window, usb)
    window.patient_list.activated()
    assert "No backup has been made yet" in window.patient_list.backup_status.text()
    assert window.backup_if_due()  # what the start-up look and the half-hourly timer call
    qtbot.waitUntil(lambda: not window.backups.busy, timeout=60000)
    (written,) = usb.glob("*.fcbackup")
    assert backup.open_backup(written, PASS).intact
    assert window.patient_list.backup_status.text() == "Last backup: just now"
    assert not window.backup_if_due()  # not again the same day
    assert len(list(usb.glob("*.fcbackup"))) == 1


def test_closing_the_app_backs_up_first_with_progress(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    usb = tmp_path / "usb"
    _set_up(window, usb)
    window.close()
    assert window.isVisible()  # waiting for the backup, with its progress shown
    dialog = window._closing_backup
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=60000)
    (written,) = usb.glob("*.fcbackup")
    assert backup.open_backup(written, PASS).intact
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_on_a_server_the_backup_page_says_who_backs_it_up(
    qtbot: QtBot, store: Store, clinician: PractitionerRecord
) -> None:
    application()
    w = build_window(signed_in(store))
    qtbot.addWidget(w)
    w.resize(*SIZE)
    w.show()
    qtbot.waitExposed(w)
    w.open_backup_page()
    page = w.current_page()
    assert isinstance(page, BackupPage)
    if store.is_sqlite:
        assert not page.server
    else:
        assert page.server
        note = page.findChild(QLabel, "serverNote")
        assert note is not None and "administrators" in note.text()
        assert "server" in w.patient_list.backup_status.text()
    # home first: closing with a page open, then deleting the window at once, crashes Qt on
    # main as well (any page; reported to the lead)
    w.go_home()
    qtbot.wait(20)
    w.close()
