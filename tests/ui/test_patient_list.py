"""Finding patients: type a few letters, accents and case do not matter."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.services import patients
from app.services.patients import NewPatient
from app.store.database import Store
from ui.shell.main_window import MainWindow
from ui.shell.patient_list import PatientListPage
from ui.shell.patient_page import PatientPage

from .helpers import finger, page_named


def search(qtbot: QtBot, window: MainWindow, text: str) -> list[str]:
    box = window.patient_list.search
    box.clear()
    qtbot.keyClicks(box, text)
    qtbot.waitUntil(lambda: not window.patient_list._timer.isActive(), timeout=2000)
    return window.patient_list.row_names()


def test_empty_box_shows_recent_patients(window: MainWindow) -> None:
    page = window.patient_list
    assert page.summary.text() == "Recent patients"
    names = page.row_names()
    assert len(names) == 6
    assert names[0] == "Zoë Martin"  # the demo marks her as seen last


def test_search_folds_accents_and_case(qtbot: QtBot, window: MainWindow) -> None:
    assert search(qtbot, window, "zoe") == ["Zoë Martin"]
    assert window.patient_list.summary.text() == "1 patient found"
    assert search(qtbot, window, "OSTER") == ["Lars Østergaard"]
    assert search(qtbot, window, "weiss") == ["Jürgen Weiß"]
    assert search(qtbot, window, "xyzzy") == []
    assert window.patient_list.summary.text() == "0 patients found"
    assert window.patient_list.empty.isVisible()


def test_a_search_finding_over_a_thousand_says_so_without_a_false_count(
    qtbot: QtBot, window: MainWindow, demo_store: Store
) -> None:
    born = date(1970, 1, 1)
    patients.create_patients(
        demo_store, [NewPatient("Quinn", f"Qa{i:04d}", born) for i in range(1000)]
    )
    # exactly the cap is still counted to the last patient
    names = search(qtbot, window, "q")
    assert window.patient_list.summary.text() == "1000 patients found (first 50 shown)"
    assert names[:2] == ["Quinn Qa0000", "Quinn Qa0001"] and len(names) == 50
    patients.create_patient(demo_store, "Quinn", "Qb", born)
    names = search(qtbot, window, "q")
    assert window.patient_list.summary.text() == "1,000+ patients found (first 50 shown)"
    assert names[0] == "Quinn Qa0000" and len(names) == 50  # the page is still the first 50
    assert search(qtbot, window, "quinn qb") == ["Quinn Qb"]
    assert window.patient_list.summary.text() == "1 patient found"


def test_results_wait_for_a_pause_in_typing(qtbot: QtBot, window: MainWindow) -> None:
    page = window.patient_list
    qtbot.keyClicks(page.search, "amel")
    assert page._timer.isActive()  # no query per keystroke
    assert page.summary.text() == "Recent patients"
    qtbot.waitUntil(lambda: page.row_names() == ["Amélie Dubois"], timeout=2000)


def test_clearing_the_box_brings_back_recent(qtbot: QtBot, window: MainWindow) -> None:
    search(qtbot, window, "lars")
    window.patient_list.search.clear()
    qtbot.waitUntil(lambda: window.patient_list.summary.text() == "Recent patients")


def test_tapping_a_row_opens_the_patient_and_marks_seen(qtbot: QtBot, window: MainWindow) -> None:
    shown_before = window.patient_list.row_names()
    search(qtbot, window, "oster")
    results = window.patient_list.results
    finger(results.viewport(), results.visualItemRect(results.item(0)).center())
    page = page_named(window, PatientPage)
    assert page.patient.family_name == "Østergaard"
    assert page.banner.name.text() == "Lars Østergaard"
    assert page.banner.dob.text() == "Born 2 Nov 1976"
    finger(window.back)
    window.patient_list.search.clear()
    window.patient_list.refresh()
    # Seen now (the next start lists him first), but the list on screen keeps its order: the
    # row a clinician reaches for next is where it was (issue #9).
    assert patients.recent_patients(window.ctx.store)[0].display_name == "Lars Østergaard"
    assert window.patient_list.row_names() == shown_before
    fresh = PatientListPage(window.ctx)
    fresh.refresh()
    assert fresh.row_names()[0] == "Lars Østergaard"


def test_a_new_patient_joins_the_recent_list_at_the_top(qtbot: QtBot, window: MainWindow) -> None:
    shown_before = window.patient_list.row_names()
    record = patients.create_patient(window.ctx.store, "Ingrid", "Ålund", date(1991, 6, 7))
    patients.mark_seen(window.ctx.store, record.id)
    window.patient_list.activated()
    assert window.patient_list.row_names() == ["Ingrid Ålund", *shown_before][:12]


def test_enter_opens_a_single_match(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClicks(window.patient_list.search, "siob")
    qtbot.keyClick(window.patient_list.search, Qt.Key.Key_Return)
    assert page_named(window, PatientPage).patient.given_name == "Siobhán"
