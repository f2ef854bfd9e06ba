"""Creating a patient through the form, with inline validation and the duplicate warning."""

from __future__ import annotations

from datetime import date

from pytestqt.qtbot import QtBot

from app.services import patients
from app.store.database import Store
from ui.shell.main_window import MainWindow
from ui.shell.patient_form import PatientFormPage
from ui.shell.patient_page import PatientPage

from .helpers import page_named, tap


def open_form(qtbot: QtBot, window: MainWindow) -> PatientFormPage:
    tap(qtbot, window.patient_list.new_button)
    return page_named(window, PatientFormPage)  # type: ignore[return-value]


def fill(qtbot: QtBot, form: PatientFormPage, given: str, family: str, dob: date) -> None:
    qtbot.keyClicks(form.given, given)
    qtbot.keyClicks(form.family, family)
    qtbot.keyClicks(form.day, str(dob.day))  # a closed combo box selects by typed text
    form.month.setCurrentIndex(dob.month - 1)
    qtbot.keyClicks(form.year, str(dob.year))


def test_create_patient(qtbot: QtBot, window: MainWindow, demo_store: Store) -> None:
    form = open_form(qtbot, window)
    fill(qtbot, form, "Ingrid", "Ålund", date(1991, 6, 7))
    assert form.day.currentText() == "7"
    qtbot.keyClicks(form.record, "FC-2001")
    qtbot.keyClicks(form.notes, "Prefers afternoon appointments")
    tap(qtbot, form.save_button)

    page = page_named(window, PatientPage)
    found = patients.search_patients(demo_store, "alund").patients
    assert [(p.given_name, p.family_name) for p in found] == [("Ingrid", "Ålund")]
    record = found[0]
    assert record.date_of_birth == date(1991, 6, 7)
    assert record.record_number == "FC-2001"
    assert record.notes == "Prefers afternoon appointments"
    assert page.patient.id == record.id
    # Back goes to the list, not to the used form.
    tap(qtbot, window.back)
    assert window.current_page() is window.patient_list
    assert window.patient_list.row_names()[0] == "Ingrid Ålund"


def test_validation_is_shown_inline(qtbot: QtBot, window: MainWindow, demo_store: Store) -> None:
    form = open_form(qtbot, window)
    tap(qtbot, form.save_button)
    assert form.name_error.text() == "Enter the patient's name."
    assert "day, month and year" in form.dob_error.text()
    assert window.current_page() is form

    fill(qtbot, form, "Ann", "Lee", date(2001, 2, 1))
    form.day.setCurrentIndex(29)  # 30 February
    tap(qtbot, form.save_button)
    assert form.name_error.text() == ""
    assert form.dob_error.text() == "February 2001 has no such day."

    form.day.setCurrentIndex(0)
    form.year.setText(str(date.today().year + 1))
    tap(qtbot, form.save_button)
    assert "future" in form.dob_error.text()
    assert patients.search_patients(demo_store, "ann lee").total == 0


def test_duplicate_warning_opens_the_existing_patient(
    qtbot: QtBot, window: MainWindow, demo_store: Store
) -> None:
    form = open_form(qtbot, window)
    fill(qtbot, form, "zoe", "MARTIN", date(1984, 3, 12))
    tap(qtbot, form.save_button)
    assert form.duplicate_panel.isVisible()
    text = form.duplicate_text.text()
    assert "same name and date of birth already exists" in text
    assert "Zoë Martin, born 12 Mar 1984" in text
    assert window.current_page() is form  # nothing created yet

    open_button = form.duplicate_panel.findChild(type(form.save_button), "openDuplicate")
    tap(qtbot, open_button)
    page = page_named(window, PatientPage)
    assert page.patient.display_name == "Zoë Martin"
    assert len(patients.likely_duplicates(demo_store, "Zoë", "Martin", date(1984, 3, 12))) == 1


def test_duplicate_can_be_created_anyway(
    qtbot: QtBot, window: MainWindow, demo_store: Store
) -> None:
    form = open_form(qtbot, window)
    # QTest types only Latin-1 keys; the duplicate check folds "Zoe" to "Zoë" anyway.
    fill(qtbot, form, "Zoe", "Martin", date(1984, 3, 12))
    tap(qtbot, form.save_button)
    anyway = form.duplicate_panel.findChild(type(form.save_button), "createAnyway")
    tap(qtbot, anyway)
    page_named(window, PatientPage)
    assert len(patients.likely_duplicates(demo_store, "Zoë", "Martin", date(1984, 3, 12))) == 2


def test_editing_after_a_warning_hides_it(qtbot: QtBot, window: MainWindow) -> None:
    form = open_form(qtbot, window)
    fill(qtbot, form, "Zoe", "Martin", date(1984, 3, 12))
    tap(qtbot, form.save_button)
    assert form.duplicate_panel.isVisible()
    qtbot.keyClicks(form.given, "lle")
    assert not form.duplicate_panel.isVisible()
