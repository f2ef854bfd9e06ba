"""Database problems reach the user as plain messages on the screen, never as a crash."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.services import patients
from app.store.database import Store, open_store, sqlite_url
from tests.ui.helpers import signed_in
from ui.app import application, build_window
from ui.shell.main_window import MainWindow
from ui.shell.patient_form import PatientFormPage
from ui.shell.patient_page import PatientPage

from .helpers import page_named, tap, tap_row


@pytest.fixture
def read_only_store(demo_store: Store, db_path: Path) -> Iterator[Store]:
    """The demo clinic's file opened read-only, as on a share the user may not write to."""
    store = open_store(sqlite_url(db_path, read_only=True))
    yield store
    store.dispose()


@pytest.fixture
def read_only_window(qtbot: QtBot, read_only_store: Store) -> MainWindow:
    application()
    w = build_window(signed_in(read_only_store))
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    return w


def error_box(window: MainWindow) -> QMessageBox | None:
    boxes = [b for b in window.findChildren(QMessageBox, "errorBox") if b.isVisible()]
    return boxes[0] if boxes else None


def test_read_only_database_still_browses(qtbot: QtBot, read_only_window: MainWindow) -> None:
    assert read_only_window.patient_list.row_names()[0] == "Zoë Martin"
    tap_row(qtbot, read_only_window.patient_list.results, 0)  # "mark seen" fails quietly
    assert page_named(read_only_window, PatientPage).patient.given_name == "Zoë"


def test_saving_to_a_read_only_database_explains_itself(
    qtbot: QtBot, read_only_window: MainWindow, read_only_store: Store
) -> None:
    tap(qtbot, read_only_window.patient_list.new_button)
    form = page_named(read_only_window, PatientFormPage)
    assert isinstance(form, PatientFormPage)
    qtbot.keyClicks(form.given, "Nora")
    qtbot.keyClicks(form.family, "Berg")
    form.set_date_of_birth(date(1990, 5, 5))
    tap(qtbot, form.save_button)
    qtbot.waitUntil(lambda: error_box(read_only_window) is not None, timeout=2000)
    box = error_box(read_only_window)
    assert box is not None and "read-only" in box.text()
    assert read_only_window.current_page() is form  # what was typed is still on screen
    assert form.given.text() == "Nora"
    assert patients.search_patients(read_only_store, "nora").total == 0
    box.accept()


def test_a_vanished_record_is_a_message(qtbot: QtBot, window: MainWindow) -> None:
    window.open_patient(987654)
    assert window.current_page() is window.patient_list
    qtbot.waitUntil(lambda: error_box(window) is not None, timeout=2000)
    assert "No patient 987654" in error_box(window).text()  # type: ignore[union-attr]
