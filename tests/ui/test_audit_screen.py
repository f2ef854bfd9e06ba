"""The audit trail and the patient-details history by touch (issue #11), on the demo clinic's
real SQLite file: opening a patient is recorded, the audit screen lists it and exports CSV,
and a corrected name asks why and shows in the details history."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from app.domain.roles import Role
from app.services import audit, patients, practitioners
from app.store.database import Store
from ui.shell import audit_export_dialog
from ui.shell.audit_screen import AuditScreen
from ui.shell.main_window import MainWindow
from ui.shell.patient_form import PatientFormPage
from ui.shell.patient_page import PatientPage

from .helpers import finger, page_named


def _db(store: Store) -> Path:
    assert store.url.database
    return Path(store.url.database)


def _events(store: Store, kind: str) -> list[tuple[int, int | None, int | None, str, str]]:
    """Straight from the file, as another program would read it."""
    with sqlite3.connect(_db(store)) as conn:
        return conn.execute(
            "SELECT seq, actor_id, patient_id, subject, detail FROM audit_event WHERE kind = ? "
            "ORDER BY seq",
            (kind,),
        ).fetchall()


def _open_zoe_by_touch(window: MainWindow) -> PatientPage:
    lst = window.patient_list.results
    names = window.patient_list.row_names()
    row = names.index("Zoë Martin")
    finger(lst.viewport(), lst.visualItemRect(lst.item(row)).center())
    return page_named(window, PatientPage)  # type: ignore[return-value]


def test_opening_a_patient_is_recorded_and_listed_and_exported(
    qtbot: QtBot,
    window: MainWindow,
    demo_store: Store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _events(demo_store, "open_patient") == []
    page = _open_zoe_by_touch(window)
    zoe = page.patient.id
    me = window.ctx.practitioner.id
    opened = _events(demo_store, "open_patient")
    assert [(a, p, s) for _, a, p, s, _ in opened] == [(me, zoe, f"patient:{zoe}")]

    finger(page.audit_button)
    screen = page_named(window, AuditScreen)
    assert isinstance(screen, AuditScreen)
    assert "Who opened this record: Zoë Martin" == screen.heading.text()
    newest = screen.lines()[0]
    assert newest.endswith(f"{window.ctx.practitioner.name} opened the record")
    assert any("saved the chart: version 2" in line for line in screen.lines())
    rows = screen.findChildren(type(screen.heading), "auditWords")
    assert rows and rows[0].isVisible()

    docs = tmp_path / "Documents"
    docs.mkdir()
    monkeypatch.setattr(audit_export_dialog, "documents_folder", lambda: docs)
    finger(screen.export_button)
    dialog = screen.export
    assert dialog is not None and dialog.isVisible()
    finger(dialog.documents)
    assert dialog.saved is not None and dialog.saved.parent == docs
    assert "Saved" in dialog.outcome.text()
    with dialog.saved.open(encoding="utf-8-sig", newline="") as fh:
        table = list(csv.DictReader(fh))
    assert len(table) == len(screen.entries)
    assert table[0]["kind"] == "open_patient" and table[0]["patient_id"] == str(zoe)
    exported = _events(demo_store, "export")
    assert len(exported) == 1 and exported[0][2] == zoe and dialog.saved.name in exported[0][3]

    # another folder, picked in the touch folder browser
    (docs / "Inspections").mkdir()
    finger(dialog.other)
    browser = dialog.choose_folder()
    qtbot.waitUntil(lambda: not browser.loading and bool(browser.tiles.count()), timeout=5000)
    browser.tap_item(browser.tiles.item(0))  # the sub-folder's tile
    qtbot.waitUntil(lambda: browser.folder == docs / "Inspections", timeout=5000)
    QTest.qWait(300)  # a finger's pause between two taps
    finger(browser.add)
    assert dialog.saved is not None and dialog.saved.parent == docs / "Inspections"
    finger(dialog.close_button)


def test_the_home_screen_opens_the_practitioners_own_trail(
    qtbot: QtBot, window: MainWindow, demo_store: Store
) -> None:
    _open_zoe_by_touch(window)
    window.go_home()
    finger(window.patient_list.audit_button)
    screen = page_named(window, AuditScreen)
    assert isinstance(screen, AuditScreen)
    name = window.ctx.practitioner.name
    assert screen.heading.text() == f"Actions of {name}"
    assert screen.lines()[0].endswith(f"{name} opened the record")
    # picking "everyone" by touch: an admin sees the whole trail
    finger(screen.practitioner_button)
    dialog = screen.dialog
    assert dialog is not None
    everyone = dialog.findChild(type(screen.export_button), "practitioner_all")
    finger(everyone)
    assert screen.heading.text() == "Everything you may see"
    assert screen.actor_id is None


def test_an_injector_sees_only_their_own_actions(
    qtbot: QtBot, window: MainWindow, demo_store: Store
) -> None:
    _open_zoe_by_touch(window)  # by the admin
    window.go_home()
    ivy = practitioners.create_practitioner(demo_store, "Ivy Nurse", Role.INJECTOR)
    zoe = patients.search_patients(demo_store, "zoe").patients[0].id
    audit.record(demo_store, "open_patient", ivy.id, patient_id=zoe)
    window.ctx.practitioner = ivy  # as after Ivy signs in
    window.open_audit(patient_id=zoe)
    screen = page_named(window, AuditScreen)
    assert isinstance(screen, AuditScreen)
    assert [e.actor_id for e in screen.entries] == [ivy.id]
    assert screen.lines()[0].endswith("Ivy Nurse opened the record")


def test_correcting_a_name_asks_why_and_shows_the_history(
    qtbot: QtBot, window: MainWindow, demo_store: Store
) -> None:
    page = _open_zoe_by_touch(window)
    zoe = page.patient.id
    assert not page.history_button.isVisible()
    finger(page.edit_button)
    form = page_named(window, PatientFormPage)
    assert isinstance(form, PatientFormPage)
    assert form.family.text() == "Martin" and form.save_button.text() == "Save changes"
    form.family.selectAll()
    qtbot.keyClicks(form.family, "Martin-Leroy")
    finger(form.save_button)  # asks why before anything is saved
    dialog = form.reason_dialog
    assert dialog is not None and dialog.isVisible()
    pending = [w.text() for w in dialog.findChildren(type(dialog.error), "pendingChange")]
    assert pending == ["family name Martin → Martin-Leroy"]
    finger(dialog.confirm)  # no reason yet: refused, nothing saved
    assert "reason" in dialog.error.text() and dialog.isVisible()
    with sqlite3.connect(_db(demo_store)) as conn:
        assert conn.execute("SELECT count(*) FROM patient_detail_change").fetchone() == (0,)
    chip = next(b for b in dialog.reasons.buttons() if b.text() == "Name changed")
    finger(chip)
    assert chip.isChecked()
    QTest.qWait(300)  # a finger's pause between two taps
    finger(dialog.confirm)
    back = page_named(window, PatientPage)
    assert back is page
    QTest.qWait(20)
    assert page.banner.name.text() == "Zoë Martin-Leroy"
    assert page.history_line.isVisible()
    assert "family name Martin → Martin-Leroy" in page.history_line.text()
    assert "Name changed" in page.history_line.text()
    with sqlite3.connect(_db(demo_store)) as conn:
        rows = conn.execute(
            "SELECT field, old_value, new_value, reason, changed_by_id FROM patient_detail_change"
            " WHERE patient_id = ?",
            (zoe,),
        ).fetchall()
    assert rows == [
        ("family_name", "Martin", "Martin-Leroy", "Name changed", window.ctx.practitioner.id)
    ]
    changed = _events(demo_store, "patient_changed")
    assert [(p, d) for _, _, p, _, d in changed] == [(zoe, "changed: family name")]
    finger(page.history_button)
    dialog = page.history_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.rows[0].startswith("family name Martin → Martin-Leroy")
    finger(dialog.close_button)
    # search keys followed the new name
    assert [p.id for p in patients.search_patients(demo_store, "leroy").patients] == [zoe]


def test_opening_a_visit_an_older_version_and_a_photo_is_recorded(
    window: MainWindow, demo_store: Store
) -> None:
    from app.services import charts, photos, visits

    zoe = patients.search_patients(demo_store, "zoe martin").patients[0].id
    charted = next(e for e in visits.timeline(demo_store, zoe) if e.version_count)
    visit_id = charted.visit.id
    window.open_patient(zoe)
    window.open_visit(visit_id)
    oldest = charts.history(demo_store, visit_id)[-1]
    window.open_version(visit_id, oldest.id)
    window.go_back()
    photo = photos.photos_for_visit(demo_store, visit_id)[0]
    window.open_photo(photo)
    assert [(p, s) for _, _, p, s, _ in _events(demo_store, "open_visit")] == [
        (zoe, f"visit:{visit_id}")
    ]
    version = _events(demo_store, "open_version")
    assert [(s, d) for _, _, _, s, d in version] == [
        (f"chart_version:{oldest.id}", "version 1 (an older one)")
    ]
    viewed = _events(demo_store, "view_photo")
    assert [(p, s) for _, _, p, s, _ in viewed] == [(zoe, f"photo:{photo.id}")]


def test_older_events_load_as_the_list_reaches_its_end(
    qtbot: QtBot, window: MainWindow, demo_store: Store
) -> None:
    me = window.ctx.practitioner.id
    zoe = patients.search_patients(demo_store, "zoe martin").patients[0].id
    for i in range(150):
        audit.record(demo_store, "open_patient", me, patient_id=zoe, detail=f"test {i}")
    window.open_audit(patient_id=zoe)
    screen = page_named(window, AuditScreen)
    assert isinstance(screen, AuditScreen)
    assert len(screen.entries) == 100 and screen.next_before is not None
    total = len(audit_trail_events(demo_store, me, zoe))
    bar = screen.area.verticalScrollBar()
    while screen.next_before is not None:
        bar.setValue(bar.maximum())  # as a finger's flick to the end does
        QTest.qWait(20)
    assert len(screen.entries) == total > 150
    seqs = [e.seq for e in screen.entries]
    assert seqs == sorted(seqs, reverse=True) and len(set(seqs)) == len(seqs)


def audit_trail_events(store: Store, viewer: int, patient_id: int) -> list[int]:
    with sqlite3.connect(_db(store)) as conn:
        rows = conn.execute("SELECT seq FROM audit_event WHERE patient_id = ?", (patient_id,))
        return [r[0] for r in rows]


def test_a_date_range_is_picked_by_touch_and_offers_no_future_day(
    qtbot: QtBot, window: MainWindow, demo_store: Store
) -> None:
    from datetime import date

    from PySide6.QtWidgets import QPushButton

    page = _open_zoe_by_touch(window)  # today's event; the demo's are months old
    finger(page.audit_button)
    screen = page_named(window, AuditScreen)
    assert isinstance(screen, AuditScreen)
    assert len({e.at.astimezone().date() for e in screen.entries}) > 1
    today = date.today()
    finger(screen.since)
    dialog = screen.since.dialog
    assert dialog is not None
    assert dialog.findChild(QPushButton, f"year_{today.year + 1}") is None
    for name in (f"year_{today.year}", f"month_{today.month}"):
        target = dialog.findChild(QPushButton, name)
        assert target is not None, name
        finger(target)
    if today.month < 12:  # the grid offered no later month of this year
        assert dialog.findChild(QPushButton, f"month_{today.month + 1}") is None
    assert dialog.findChild(QPushButton, f"day_{today.day + 1}") is None or today.day == 31
    finger(dialog.findChild(QPushButton, f"day_{today.day}"))
    assert screen.since.value == today
    assert screen.entries and {e.at.astimezone().date() for e in screen.entries} == {today}
    assert screen.lines()[0].endswith("opened the record")
