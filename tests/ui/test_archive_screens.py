"""The portable archive by touch (issue #12, ADR 0023), on the real main window and real SQLite
files: an admin exports one patient from their page (folder by the touch browser, passphrase
twice on the touch keyboard) and the file holds that patient only; another clinic's admin
imports it by touch and every version keeps its content hash, and a second import adds
nothing; a look-alike patient is linked or kept apart as tapped (read back from SQLite); a
wrong passphrase or a file that is not an archive is said plainly and writes nothing."""

from __future__ import annotations

import io
import json
import sqlite3
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import (
    QApplication,
    QDialogButtonBox,
    QFileDialog,
    QLineEdit,
    QListWidget,
)
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from app.archive import layout, sealed
from app.services import archive, patients
from app.services.store import Store
from app.store.database import open_store, sqlite_url
from tests.ui.helpers import finger, scroll_to, signed_in
from tests.ui.test_audit_screen import _open_zoe_by_touch
from tests.ui.test_backup_screens import _tap, _type
from ui.app import build_window
from ui.shell.archive_export_page import ExportPage
from ui.shell.archive_import_page import ImportPage
from ui.shell.backup_dialogs import FolderDialog
from ui.shell.backup_page import BackupPage
from ui.shell.main_window import MainWindow

PASS = "moving day pass"
SIZE = (1366, 768)


def _db(store: Store) -> Path:
    assert store.url.database
    return Path(store.url.database)


def _zoe(store: Store) -> int:
    return patients.search_patients(store, "zoe martin").patients[0].id


def _rows(path: Path, sql: str, *args: object) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def _hashes_of(path: Path, patient_uuid: str) -> list[tuple[object, ...]]:
    """(version uuid, content hash, parent hash) of one patient's versions, from the file."""
    return _rows(
        path,
        "SELECT cv.uuid, cv.content_hash, cv.parent_hash FROM chart_version cv "
        "JOIN chart c ON c.id = cv.chart_id JOIN visit v ON v.id = c.visit_id "
        "JOIN patient p ON p.id = v.patient_id WHERE p.uuid = ? ORDER BY cv.uuid",
        patient_uuid,
    )


@pytest.fixture
def other_clinic(qtbot: QtBot, tmp_path: Path) -> Iterator[Callable[[], MainWindow]]:
    """Another clinic's FaceChart on its own SQLite file, its admin signed in: shown when
    called (the window a finger works in is the active one, as on a real screen)."""
    (tmp_path / "other").mkdir()
    store = open_store(sqlite_url(tmp_path / "other" / "facechart.db"))
    made: list[MainWindow] = []

    def make() -> MainWindow:
        w = build_window(signed_in(store))
        qtbot.addWidget(w)
        w.resize(*SIZE)
        w.show()
        qtbot.waitExposed(w)
        w.activateWindow()
        made.append(w)
        return w

    yield make
    for w in made:
        w.close()
    store.dispose()


def _export_page_by_touch(qtbot: QtBot, window: MainWindow) -> ExportPage:
    """Zoë Martin's page opened from the first screen's list, then its Export button."""
    page = _open_zoe_by_touch(window)
    assert page.export_button.isVisible()
    finger(page.export_button)
    qtbot.waitUntil(lambda: isinstance(window.current_page(), ExportPage), timeout=3000)
    export = window.current_page()
    assert isinstance(export, ExportPage)
    return export


def _choose_folder(qtbot: QtBot, page: ExportPage, folder: Path) -> None:
    _tap(qtbot, page.choose_folder)
    qtbot.waitUntil(lambda: hasattr(page, "dialog"), timeout=3000)
    dialog = page.dialog
    assert isinstance(dialog, FolderDialog)
    browser = dialog.browser
    browser.open_folder(folder.parent)
    qtbot.waitUntil(lambda: not browser.loading, timeout=5000)
    tiles: QListWidget = browser.tiles
    (item,) = [tiles.item(i) for i in range(tiles.count()) if tiles.item(i).text() == folder.name]
    browser.tap_item(item)  # tiles take fingers through their own touch handling
    qtbot.waitUntil(lambda: browser.folder == folder, timeout=5000)
    qtbot.waitUntil(lambda: not browser.loading, timeout=5000)
    finger(browser.add)
    assert page.folder == folder


def _import_page_by_touch(qtbot: QtBot, window: MainWindow) -> ImportPage:
    window.open_backup_page()
    backups = window.current_page()
    assert isinstance(backups, BackupPage)
    qtbot.wait(200)
    backups.area.ensureWidgetVisible(backups.import_button)
    _tap(qtbot, backups.import_button)
    qtbot.waitUntil(lambda: isinstance(window.current_page(), ImportPage), timeout=3000)
    page = window.current_page()
    assert isinstance(page, ImportPage)
    return page


def _choose_file(qtbot: QtBot, page: ImportPage, path: Path) -> None:
    """Qt's file dialog: the file picked in its folder, then its Open button tapped."""
    _tap(qtbot, page.choose_file)
    qtbot.waitUntil(lambda: hasattr(page, "dialog") and page.dialog.isVisible(), timeout=3000)
    dialog = page.dialog
    assert isinstance(dialog, QFileDialog)
    name = dialog.findChild(QLineEdit, "fileNameEdit")  # the dialog's "File name" field
    assert name is not None
    name.setText(str(path))  # typed in whole: no completer list over the buttons
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    open_button = box.button(QDialogButtonBox.StandardButton.Open)
    qtbot.waitUntil(open_button.isEnabled, timeout=3000)
    finger(open_button)
    qtbot.waitUntil(lambda: page.path == path, timeout=3000)
    qtbot.waitUntil(lambda: not isValid(dialog) or not dialog.isVisible(), timeout=3000)


def _open(qtbot: QtBot, page: ImportPage, passphrase: str) -> None:
    page.passphrase.clear()
    _type(qtbot, page.passphrase, passphrase)
    _tap(qtbot, page.open_button)
    qtbot.waitUntil(lambda: not page.busy, timeout=60000)


def _import(qtbot: QtBot, page: ImportPage) -> None:
    assert page.import_button.isEnabled()
    finger(page.import_button)  # outside the scrolling part
    qtbot.waitUntil(lambda: page.report is not None and not page.busy, timeout=120000)


def test_export_one_patient_by_touch_then_import_it_elsewhere_by_touch(
    qtbot: QtBot, window: MainWindow, other_clinic: Callable[[], MainWindow], tmp_path: Path
) -> None:
    source_db = _db(window.ctx.store)
    zoe = _zoe(window.ctx.store)
    ((zoe_uuid,),) = _rows(source_db, "SELECT uuid FROM patient WHERE id = ?", zoe)
    usb = tmp_path / "usb" / "archives"
    usb.mkdir(parents=True)

    page = _export_page_by_touch(qtbot, window)
    assert "this patient only" in page.what.text()
    _choose_folder(qtbot, page, usb)
    _type(qtbot, page.first, PASS)
    _type(qtbot, page.second, PASS + "x")
    finger(page.export_button)
    assert page.status.isVisible() and "differ" in page.status.text()
    assert list(usb.iterdir()) == []
    page.second.clear()
    _type(qtbot, page.second, PASS)
    finger(page.export_button)
    qtbot.waitUntil(lambda: page.report is not None, timeout=120000)

    (written,) = usb.glob("*.zip")
    assert page.result.isVisible() and "verified" in page.result.text()
    assert written.name in page.result.text() and "1 patient," in page.result.text()
    plain = io.BytesIO()
    sealed.decrypt_to(written, PASS, plain)
    with zipfile.ZipFile(plain) as zf:
        held = [n for n in zf.namelist() if n.startswith(layout.PATIENTS_DIR)]
        assert held == [layout.patient_file(zoe_uuid)]  # that patient only
        assert json.loads(zf.read(held[0]))["uuid"] == zoe_uuid
    assert _rows(source_db, "SELECT kind FROM audit_event ORDER BY seq DESC LIMIT 1") == [
        ("export",)
    ]
    # the folder is remembered for the next export
    window.go_home()
    qtbot.wait(QApplication.doubleClickInterval() + 100)
    assert _export_page_by_touch(qtbot, window).folder == usb

    # the other clinic imports it by touch
    other = other_clinic()
    target_db = _db(other.ctx.store)
    imp = _import_page_by_touch(qtbot, other)
    _choose_file(qtbot, imp, written)
    _open(qtbot, imp, PASS)
    assert imp.preview is not None and imp.holds.isVisible()
    assert imp.cells["patients"].text() == "1"
    assert _rows(target_db, "SELECT COUNT(*) FROM patient") == [(0,)]  # nothing written yet
    _import(qtbot, imp)
    assert "Imported from" in imp.result.text() and "1 patient" in imp.result.text()
    source_versions = _hashes_of(source_db, zoe_uuid)
    assert source_versions and _hashes_of(target_db, zoe_uuid) == source_versions
    assert _rows(target_db, "SELECT COUNT(*) FROM patient WHERE uuid = ?", zoe_uuid) == [(1,)]

    # importing it again adds nothing, and says so
    counts = _rows(target_db, "SELECT COUNT(*) FROM visit UNION ALL SELECT COUNT(*) FROM photo")
    imp.report = None
    _open(qtbot, imp, PASS)
    _import(qtbot, imp)
    assert "nothing new" in imp.result.text()
    assert (
        _rows(target_db, "SELECT COUNT(*) FROM visit UNION ALL SELECT COUNT(*) FROM photo")
        == counts
    )


@pytest.mark.parametrize("choice", ["link", "apart"])
def test_a_look_alike_is_linked_or_kept_apart_as_tapped(
    qtbot: QtBot,
    window: MainWindow,
    other_clinic: Callable[[], MainWindow],
    tmp_path: Path,
    choice: str,
) -> None:
    zoe = _zoe(window.ctx.store)
    out = tmp_path / "zoe.zip"
    archive.export_for(window.ctx.store, window.ctx.practitioner.id, out, PASS, patient_id=zoe)
    other = other_clinic()
    target = other.ctx.store
    here = patients.create_patient(
        target, "Zoe", "Martin", patients.get_patient(window.ctx.store, zoe).date_of_birth
    )
    target_db = _db(target)

    imp = _import_page_by_touch(qtbot, other)
    _choose_file(qtbot, imp, out)
    _open(qtbot, imp, PASS)
    _import(qtbot, imp)
    (twin,) = imp.report.look_alikes if imp.report else []
    row = imp.rows[twin.imported_id]
    assert row.isVisible() and row.text.text().startswith("From ")
    imported_visits = _rows(
        target_db, "SELECT COUNT(*) FROM visit WHERE patient_id = ?", twin.imported_id
    )[0][0]
    assert imported_visits > 0
    target_button = row.link if choice == "link" else row.apart
    qtbot.wait(QApplication.doubleClickInterval() + 100)  # the page settles after the import
    scroll_to(target_button)
    assert not target_button.visibleRegion().isEmpty()
    _tap(qtbot, target_button)
    qtbot.waitUntil(lambda: row.outcome.isVisible() or imp.status.isVisible(), timeout=30000)
    assert row.outcome.isVisible(), imp.status.text()

    decision = _rows(
        target_db,
        "SELECT existing_patient_id, decision FROM patient_link WHERE imported_patient_id = ?",
        twin.imported_id,
    )
    on_here = _rows(target_db, "SELECT COUNT(*) FROM visit WHERE patient_id = ?", here.id)[0][0]
    if choice == "link":
        assert decision == [(here.id, "linked")]
        assert on_here == imported_visits and "Linked" in row.outcome.text()
    else:
        assert decision == [(here.id, "apart")]
        assert on_here == 0 and "Kept apart" in row.outcome.text()


def test_a_wrong_passphrase_or_a_wrong_file_is_said_plainly_and_writes_nothing(
    qtbot: QtBot, window: MainWindow, other_clinic: Callable[[], MainWindow], tmp_path: Path
) -> None:
    out = tmp_path / "clinic.zip"
    archive.export_for(window.ctx.store, window.ctx.practitioner.id, out, PASS)
    other = other_clinic()
    target_db = _db(other.ctx.store)
    before = _rows(
        target_db, "SELECT COUNT(*) FROM patient UNION ALL SELECT COUNT(*) FROM audit_event"
    )

    imp = _import_page_by_touch(qtbot, other)
    _choose_file(qtbot, imp, out)
    _open(qtbot, imp, "not the passphrase")
    assert imp.status.isVisible()
    assert "passphrase does not open this archive" in imp.status.text()
    assert "Nothing was imported" in imp.status.text()
    assert imp.preview is None and not imp.import_button.isEnabled()

    stray = tmp_path / "holiday.zip"
    with zipfile.ZipFile(stray, "w") as zf:
        zf.writestr("beach.txt", "sun")
    _choose_file(qtbot, imp, stray)
    _open(qtbot, imp, PASS)
    assert "not a FaceChart archive" in imp.status.text()
    assert not imp.import_button.isEnabled()
    after = _rows(
        target_db, "SELECT COUNT(*) FROM patient UNION ALL SELECT COUNT(*) FROM audit_event"
    )
    assert after == before


def test_look_alikes_left_by_a_command_line_import_are_asked_on_the_import_screen(
    qtbot: QtBot, window: MainWindow, other_clinic: Callable[[], MainWindow], tmp_path: Path
) -> None:
    zoe = _zoe(window.ctx.store)
    out = tmp_path / "zoe.zip"
    archive.export_for(window.ctx.store, window.ctx.practitioner.id, out, PASS, patient_id=zoe)
    other = other_clinic()
    target = other.ctx.store
    born = patients.get_patient(window.ctx.store, zoe).date_of_birth
    here = patients.create_patient(target, "Zoë", "Martin", born)
    (twin,) = archive.import_for(target, other.ctx.practitioner.id, out, PASS).look_alikes

    imp = _import_page_by_touch(qtbot, other)
    assert imp.twins_card.isVisible() and list(imp.rows) == [twin.imported_id]
    row = imp.rows[twin.imported_id]
    qtbot.wait(QApplication.doubleClickInterval() + 100)
    scroll_to(row.apart)
    _tap(qtbot, row.apart)
    qtbot.waitUntil(lambda: row.outcome.isVisible() or imp.status.isVisible(), timeout=30000)
    assert "Kept apart" in row.outcome.text(), imp.status.text()
    assert _rows(
        _db(target),
        "SELECT existing_patient_id, decision FROM patient_link WHERE imported_patient_id = ?",
        twin.imported_id,
    ) == [(here.id, "apart")]


def test_only_an_admin_is_offered_export_and_import(qtbot: QtBot, demo_store: Store) -> None:
    from PySide6.QtWidgets import QMessageBox

    from app.services.practitioners import create_practitioner
    from ui.common.context import AppContext

    nurse = create_practitioner(demo_store, "Ivy Injector")
    w = build_window(AppContext.for_practitioner(demo_store, nurse))
    qtbot.addWidget(w)
    w.resize(*SIZE)
    w.show()
    qtbot.waitExposed(w)
    page = _open_zoe_by_touch(w)
    assert not page.export_button.isVisible()
    w.open_backup_page()
    backups = w.current_page()
    assert isinstance(backups, BackupPage) and not hasattr(backups, "export_button")
    for open_it in (w.open_export, w.open_import):
        open_it()
        assert isinstance(w.current_page(), BackupPage)  # refused: no page opened
        box = w.findChild(QMessageBox, "errorBox")
        assert box is not None and "Only an admin" in box.text()
        box.close()
        box.deleteLater()
        qtbot.wait(20)
    w.close()
