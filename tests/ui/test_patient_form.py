"""Creating a patient through the form, with inline validation and the duplicate warning."""

from __future__ import annotations

from datetime import date

from pytestqt.qtbot import QtBot

from app.services import patients
from app.store.database import Store
from ui.shell.main_window import MainWindow
from ui.shell.patient_form import PatientFormPage
from ui.shell.patient_page import PatientPage

from .helpers import finger, page_named, pick_date, tap


def open_form(qtbot: QtBot, window: MainWindow) -> PatientFormPage:
    tap(qtbot, window.patient_list.new_button)
    return page_named(window, PatientFormPage)  # type: ignore[return-value]


def fill(qtbot: QtBot, form: PatientFormPage, given: str, family: str, dob: date) -> None:
    qtbot.keyClicks(form.given, given)
    qtbot.keyClicks(form.family, family)
    pick_date(qtbot, form.dob, dob)  # by touch: decade, year, month, day


def test_create_patient(qtbot: QtBot, window: MainWindow, demo_store: Store) -> None:
    form = open_form(qtbot, window)
    fill(qtbot, form, "Ingrid", "Ålund", date(1991, 6, 7))
    assert form.dob.text() == "7 Jun 1991"
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
    assert "year, month and day" in form.dob_error.text()
    assert window.current_page() is form
    assert patients.search_patients(demo_store, "ann lee").total == 0

    fill(qtbot, form, "Ann", "Lee", date(2001, 2, 1))
    tap(qtbot, form.save_button)
    assert form.name_error.text() == form.dob_error.text() == ""
    assert patients.search_patients(demo_store, "ann lee").total == 1


def test_the_birth_date_picker_offers_only_dates_that_can_be(
    qtbot: QtBot, window: MainWindow
) -> None:
    """No 30 February, no birthday in the future, every target a fingertip wide; Back goes up
    a level to correct a wrong tap."""
    from PySide6.QtWidgets import QPushButton

    form = open_form(qtbot, window)
    finger(form.dob)
    dialog = form.dob.dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)

    def offered(prefix: str) -> list[str]:
        return [
            b.objectName()
            for b in dialog.findChildren(QPushButton)
            if b.objectName().startswith(prefix) and b.isVisible()
        ]

    this_year = date.today().year
    assert f"decade_{this_year // 10 * 10}" in offered("decade_")
    assert f"decade_{(this_year + 10) // 10 * 10}" not in offered("decade_")
    finger(dialog.findChild(QPushButton, f"decade_{this_year // 10 * 10}"))
    assert f"year_{this_year + 1}" not in offered("year_")
    finger(dialog.findChild(QPushButton, "dateGridUp"))  # a wrong decade: back up
    finger(dialog.findChild(QPushButton, "decade_2000"))
    finger(dialog.findChild(QPushButton, "year_2001"))
    finger(dialog.findChild(QPushButton, "month_2"))
    days = offered("day_")
    assert days[-1] == "day_28" and len(days) == 28  # 2001 was no leap year
    sizes = [b.size() for b in dialog.findChildren(QPushButton) if b.isVisible()]
    assert min(min(s.width(), s.height()) for s in sizes) >= 48
    finger(dialog.findChild(QPushButton, "day_28"))
    assert form.dob.value == date(2001, 2, 28)


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
