"""The patient page: name and date of birth on top, the visit timeline, starting a visit."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from app.domain.values import TreatmentType
from app.services import patients, visits
from app.store.database import Store
from ui.shell.main_window import MainWindow
from ui.shell.patient_page import PatientPage
from ui.shell.visit_page import VisitPage

from .helpers import finger, page_named, tap


def open_zoe(window: MainWindow, store: Store) -> PatientPage:
    zoe = patients.search_patients(store, "zoe").patients[0]
    window.open_patient(zoe.id)
    return page_named(window, PatientPage)  # type: ignore[return-value]


def test_timeline_shows_visits_thumbnails_and_units(window: MainWindow, demo_store: Store) -> None:
    page = open_zoe(window, demo_store)
    assert page.banner.name.text() == "Zoë Martin"
    assert page.banner.dob.text() == "Born 12 Mar 1984"
    assert page.banner.name.isVisible() and page.banner.dob.isVisible()
    assert len(page.cards) == 2
    touch_up, first = page.cards  # newest first
    assert touch_up.findChild(type(page.summary), "touchUpBadge") is not None
    assert first.findChild(type(page.summary), "touchUpBadge") is None

    assert [t.findChild(type(page.summary), "thumbPicture") is not None for t in first.thumbnails]
    names = [t.findChildren(type(page.summary))[1].text() for t in first.thumbnails]
    assert names == ["Rest", "Frown", "Brow raise", "Smile"]
    assert all(not t.picture.pixmap().isNull() for t in first.thumbnails)
    # Units per product by name, from the newest version (demo: 5 × 5 U + 5 × 4 U).
    assert first.units_label.text() == "Botox Cosmetic 45 U"
    assert first.versions_label.text() == "2 chart versions"
    assert touch_up.versions_label.text() == "No chart saved"
    assert not touch_up.units_label.isVisible()
    assert len(touch_up.thumbnails) == 1


def test_tapping_a_card_opens_the_visit(
    qtbot: QtBot, window: MainWindow, demo_store: Store
) -> None:
    page = open_zoe(window, demo_store)
    first = page.cards[1]
    page.scroll_area.ensureWidgetVisible(first)
    tap(qtbot, first)
    visit = page_named(window, VisitPage)
    assert visit.visit.id == first.entry.visit.id


def test_new_visit_as_touch_up(qtbot: QtBot, window: MainWindow, demo_store: Store) -> None:
    page = open_zoe(window, demo_store)
    first_id = page.cards[1].entry.visit.id
    tap(qtbot, page.new_visit_button)
    dialog = page.dialog
    assert dialog is not None and dialog.isVisible()
    dialog.choose(TreatmentType.MICRONEEDLING)
    dialog.touch_up.setCurrentIndex(2)  # the first treatment (newest first, after "No")
    tap(qtbot, dialog.start_button)

    visit_page = page_named(window, VisitPage)
    entries = visits.timeline(demo_store, page.patient.id)
    assert len(entries) == 3
    new = next(e.visit for e in entries if e.visit.id == visit_page.visit.id)
    assert new.treatment_type is TreatmentType.MICRONEEDLING
    assert new.touch_up_of_id == first_id
    assert new.practitioner  # the default practitioner
    assert visit_page.history_hint.isVisible()  # nothing charted yet

    tap(qtbot, window.back)
    assert window.current_page() is page
    assert len(page.cards) == 3  # the page reloaded itself on coming back


def test_new_visit_can_be_cancelled(qtbot: QtBot, window: MainWindow, demo_store: Store) -> None:
    page = open_zoe(window, demo_store)
    tap(qtbot, page.new_visit_button)
    page.dialog.reject()
    assert window.current_page() is page
    assert len(visits.timeline(demo_store, page.patient.id)) == 2


def test_many_visits_scroll_instead_of_squeezing(
    qtbot: QtBot, window: MainWindow, demo_store: Store
) -> None:
    zoe = patients.search_patients(demo_store, "zoe").patients[0]
    clinician = window.ctx.practitioner.id
    for _ in range(8):
        visits.start_visit(demo_store, zoe.id, clinician, TreatmentType.OTHER)
    page = open_zoe(window, demo_store)
    QTest.qWait(10)
    assert len(page.cards) == 10
    assert all(c.height() >= c.sizeHint().height() for c in page.cards)
    assert page.scroll_area.verticalScrollBar().maximum() > 0


def test_new_toxin_visit_within_90_days_gets_a_soft_note(
    qtbot: QtBot, window: MainWindow, demo_store: Store
) -> None:
    zoe = patients.search_patients(demo_store, "zoe").patients[0]
    clinician = window.ctx.practitioner.id
    visits.start_visit(
        demo_store, zoe.id, clinician, TreatmentType.NEUROTOXIN, date.today() - timedelta(days=40)
    )
    page = open_zoe(window, demo_store)
    finger(page.new_visit_button)
    dialog = page.dialog
    assert dialog is not None
    assert dialog.interval_note.isVisible()
    assert "40 days ago" in dialog.interval_note.text()
    dialog.touch_up.setCurrentIndex(1)  # a touch-up is the expected exception
    assert not dialog.interval_note.isVisible()
    dialog.touch_up.setCurrentIndex(0)
    dialog.choose(TreatmentType.MICRONEEDLING)
    assert not dialog.interval_note.isVisible()
    dialog.choose(TreatmentType.NEUROTOXIN)
    finger(dialog.start_button)  # a note, never a block
    page_named(window, VisitPage)


def test_no_note_after_90_days(qtbot: QtBot, window: MainWindow, demo_store: Store) -> None:
    page = open_zoe(window, demo_store)  # the demo's last toxin visit was 106 days ago
    tap(qtbot, page.new_visit_button)
    assert page.dialog is not None and not page.dialog.interval_note.isVisible()


def test_new_visit_as_repeat_treatment(qtbot: QtBot, window: MainWindow, demo_store: Store) -> None:
    """A charted patient's new visit that touches nothing up is a repeat treatment: the dialog
    says so, and says what the editor will show; a touch-up hides that note."""
    page = open_zoe(window, demo_store)
    tap(qtbot, page.new_visit_button)
    dialog = page.dialog
    assert dialog is not None and dialog.isVisible()
    assert "repeat" in dialog.touch_up.currentText()
    assert dialog.repeat_note.isVisible() and "carry its plan forward" in dialog.repeat_note.text()
    dialog.touch_up.setCurrentIndex(1)
    assert not dialog.repeat_note.isVisible()
    dialog.touch_up.setCurrentIndex(0)
    assert dialog.repeat_note.isVisible()
    tap(qtbot, dialog.start_button)
    visit_page = page_named(window, VisitPage)
    assert visits.get_visit(demo_store, visit_page.visit.id).touch_up_of_id is None
    # Back on the timeline the new visit is marked a repeat; the touch-up and the first are not.
    tap(qtbot, window.back)
    new, touch_up, first = page.cards  # newest first
    assert new.entry.visit.id == visit_page.visit.id
    assert new.findChild(type(page.summary), "repeatBadge") is not None
    for card in (touch_up, first):
        assert card.findChild(type(page.summary), "repeatBadge") is None


def test_a_visit_recorded_late_takes_the_day_it_happened(
    qtbot: QtBot, window: MainWindow, demo_store: Store
) -> None:
    page = open_zoe(window, demo_store)
    finger(page.new_visit_button)
    dialog = page.dialog
    assert dialog is not None and dialog.day.value == date.today()
    assert not dialog.day.steps[("day", 1)].isEnabled()  # never a visit in the future
    for _ in range(3):
        finger(dialog.day.steps[("day", -1)])  # three days back, by touch
    assert dialog.day.value == date.today() - timedelta(days=3)
    assert dialog.day_note.text() == "3 days ago"
    assert min(b.height() for b in dialog.day.steps.values()) >= 48
    finger(dialog.start_button)
    newest = visits.timeline(demo_store, page.patient.id)[0].visit
    assert newest.visit_date == date.today() - timedelta(days=3)
