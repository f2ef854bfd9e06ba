"""Sign-off by touch (issue #11, ADR 0019), on the demo clinic's real SQLite file: the list of
charts to sign opens a chart, the editor signs it after a save, a signed chart's save asks why
and stores an amendment, a prescriber co-signs an injector's chart on the visit page, and the
history says who signed, co-signed and amended, when and why."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from app.services import credentials, patients, signoff, visits
from app.services.demo import demo_secrets
from app.store.database import Store
from ui.shell.hosted import HostedPage
from ui.shell.main_window import MainWindow
from ui.shell.patient_page import PatientPage
from ui.shell.unsigned_page import UnsignedPage
from ui.shell.version_viewer import VersionViewerPage
from ui.shell.visit_page import VisitPage

from .helpers import finger, page_named


def db_file(store: Store) -> Path:
    assert store.url.database
    return Path(store.url.database)


def rows(store: Store, sql: str, *params: object) -> list[tuple]:
    """What the file holds, read apart from FaceChart's own connections."""
    con = sqlite3.connect(db_file(store))
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


@pytest.fixture
def signed_in(window: MainWindow, demo_store: Store) -> MainWindow:
    """The demo clinician signed in with their password: their signing key is open."""
    ctx = window.ctx
    secrets = demo_secrets(ctx.practitioner.name)
    assert secrets is not None
    ctx.signer = credentials.open_signer(demo_store, ctx.practitioner.id, secrets.password)
    return window


def visit_of(store: Store, name: str) -> int:
    found = patients.search_patients(store, name).patients[0]
    return visits.timeline(store, found.id)[0].visit.id


def open_editor_from_visit(window: MainWindow):  # type: ignore[no-untyped-def]
    page = page_named(window, VisitPage)
    finger(page.chart_button)  # type: ignore[attr-defined]
    return page_named(window, HostedPage).screen_widget  # type: ignore[attr-defined]


def test_the_list_to_sign_opens_a_chart_and_the_editor_signs_it_after_a_save(
    qtbot: QtBot, signed_in: MainWindow, demo_store: Store
) -> None:
    window, me = signed_in, signed_in.ctx.practitioner
    home = window.patient_list
    assert home.unsigned_button.text() == "To sign · 2"  # Siobhán to sign, Maria to co-sign
    assert home.unsigned_button.height() >= 48
    finger(home.unsigned_button)
    page = page_named(window, UnsignedPage)
    assert [c.chart.patient for c in page.to_sign] == ["Siobhán O'Brien"]  # type: ignore[attr-defined]
    assert [c.chart.patient for c in page.to_cosign] == ["Maria González"]  # type: ignore[attr-defined]
    card = page.to_sign[0]  # type: ignore[attr-defined]
    assert card.height() >= 48
    finger(card)
    visit = page_named(window, VisitPage)
    assert visit.visit.id == card.chart.visit_id  # type: ignore[attr-defined]
    assert visit.sign_button.isVisible() and not visit.cosign_button.isVisible()  # type: ignore[attr-defined]

    editor = open_editor_from_visit(window)
    bar = editor.sign_off
    assert not bar.label.isVisible() and bar.sign_button.isVisible()
    point = editor.session.add_point("frown", 600.0, 520.0)
    assert not bar.sign_button.isVisible()  # unsaved changes: a signature covers a saved version
    finger(editor.widgets.save_button)
    qtbot.waitUntil(lambda: not editor.session.saving and not editor.session.dirty, timeout=5000)
    assert editor.session.version.version_no == 2
    assert bar.sign_button.isVisible() and bar.sign_button.height() >= 48
    finger(bar.sign_button)
    head = editor.session.version.id
    assert rows(
        demo_store,
        "SELECT practitioner_id, kind, content_hash FROM chart_signature "
        "WHERE chart_version_id = ?",
        head,
    ) == [(me.id, "sign", editor.session.version.content_hash)]
    assert rows(demo_store, "SELECT kind, actor_id FROM audit_event ORDER BY seq DESC LIMIT 1") == [
        ("sign", me.id)
    ]
    assert bar.label.text().startswith(f"✓ Signed by {me.name}\n")
    assert not bar.sign_button.isVisible()
    assert point.id in {p.id for _v, p in editor.session.content.all_points()}

    editor.close_editor()
    visit = page_named(window, VisitPage)
    lines = visit.history.itemWidget(visit.history.item(0)).sign_off_lines  # type: ignore[attr-defined]
    assert lines[0].startswith(f"Signed by {me.name}, ")
    assert not visit.sign_button.isVisible()  # type: ignore[attr-defined]
    window.go_home()
    assert home.unsigned_button.text() == "To sign · 1"  # Maria's co-signature is left


def test_saving_a_signed_chart_asks_why_and_stores_an_amendment(
    qtbot: QtBot, signed_in: MainWindow, demo_store: Store
) -> None:
    window, me = signed_in, signed_in.ctx.practitioner
    visit_id = visit_of(demo_store, "weiss")  # signed, amended and signed again
    window.open_patient(visits.get_visit(demo_store, visit_id).patient_id)
    window.open_visit(visit_id)
    editor = open_editor_from_visit(window)
    assert editor.sign_off.label.text().startswith(f"✓ Signed by {me.name}")
    before = rows(demo_store, "SELECT COUNT(*) FROM chart_version")[0][0]

    editor.session.add_point("frown", 600.0, 520.0)
    finger(editor.widgets.save_button)
    dialog = editor.sign_off.dialog
    assert dialog is not None and dialog.isVisible()
    finger(dialog.confirm)  # no reason yet: refused, said, nothing saved
    assert dialog.isVisible() and dialog.error.isVisible()
    finger(dialog.cancel)  # "Keep editing"
    assert editor.session.dirty
    assert rows(demo_store, "SELECT COUNT(*) FROM chart_version")[0][0] == before

    finger(editor.widgets.save_button)
    dialog = editor.sign_off.dialog
    assert all(b.height() >= 48 for b in dialog.reason_buttons)
    finger(dialog.reason_buttons[1])  # "Units corrected"
    assert dialog.reason.text() == "Units corrected"
    finger(dialog.confirm)
    qtbot.waitUntil(lambda: not editor.session.saving and not editor.session.dirty, timeout=5000)
    newest = rows(
        demo_store,
        "SELECT id, version_no, amend_reason, saved_by_id FROM chart_version "
        "ORDER BY id DESC LIMIT 1",
    )[0]
    assert newest[1:] == (3, "Units corrected", me.id)
    assert rows(demo_store, "SELECT kind, subject FROM audit_event ORDER BY seq DESC LIMIT 1") == [
        ("amend", f"chart_version:{newest[0]}")
    ]
    assert not editor.sign_off.label.isVisible()  # the amendment waits for its signature
    assert editor.sign_off.sign_button.isVisible()

    editor.close_editor()
    visit = page_named(window, VisitPage)
    lines = visit.history.itemWidget(visit.history.item(0)).sign_off_lines  # type: ignore[attr-defined]
    assert lines[0].startswith(f"Amended by {me.name}, ") and lines[0].endswith(
        ": “Units corrected”"
    )
    assert lines[1] == "Not signed"
    window.go_back()
    card = page_named(window, PatientPage).cards[0]  # type: ignore[attr-defined]
    assert card.sign_off_label.text() == "Not signed"


def test_a_prescriber_cosigns_an_injectors_chart_on_the_visit_page(
    qtbot: QtBot, signed_in: MainWindow, demo_store: Store
) -> None:
    window, me = signed_in, signed_in.ctx.practitioner
    visit_id = visit_of(demo_store, "gonzalez")  # the injector signed it
    window.open_patient(visits.get_visit(demo_store, visit_id).patient_id)
    window.open_visit(visit_id)
    page = page_named(window, VisitPage)
    assert page.cosign_button.isVisible() and not page.sign_button.isVisible()  # type: ignore[attr-defined]
    # a page opened by code, then tapped at once: the offscreen platform drops a tap that
    # comes before the page settles (a clinician's finger never does); let it settle
    QTest.qWait(600)
    finger(page.cosign_button)  # type: ignore[attr-defined]
    assert rows(
        demo_store,
        "SELECT s.kind, s.practitioner_id FROM chart_signature s "
        "JOIN chart_version v ON v.id = s.chart_version_id "
        "JOIN chart c ON c.id = v.chart_id WHERE c.visit_id = ? ORDER BY s.id",
        visit_id,
    )[-1] == ("cosign", me.id)
    lines = page.history.itemWidget(page.history.item(0)).sign_off_lines  # type: ignore[attr-defined]
    assert lines[0].startswith("Signed by Ella Byrne, ")
    assert lines[1].startswith(f"Co-signed by {me.name}, ")
    assert not page.cosign_button.isVisible()  # type: ignore[attr-defined]

    history = page.history  # type: ignore[attr-defined]
    finger(history.viewport(), history.visualItemRect(history.item(0)).center())
    viewer = page_named(window, VersionViewerPage)
    shown = [w.text() for w in viewer.findChildren(QLabel, "signOffLine")]
    assert shown == lines


def test_without_an_open_key_signing_is_refused_and_said(
    qtbot: QtBot, window: MainWindow, demo_store: Store
) -> None:
    assert window.ctx.signer is None
    visit_id = visit_of(demo_store, "siobhan")
    window.open_patient(visits.get_visit(demo_store, visit_id).patient_id)
    window.open_visit(visit_id)
    page = page_named(window, VisitPage)
    finger(page.sign_button)  # type: ignore[attr-defined]
    box = page.findChild(QMessageBox, "errorBox")
    assert box is not None and "sign in with your password" in box.text()
    assert rows(
        demo_store,
        "SELECT COUNT(*) FROM chart_signature s JOIN chart_version v ON v.id = s.chart_version_id "
        "JOIN chart c ON c.id = v.chart_id WHERE c.visit_id = ?",
        visit_id,
    ) == [(0,)]


def test_a_chart_signed_from_another_room_meanwhile_asks_why_at_the_next_save(
    qtbot: QtBot, signed_in: MainWindow, demo_store: Store
) -> None:
    window, me = signed_in, signed_in.ctx.practitioner
    visit_id = visit_of(demo_store, "siobhan")
    window.open_patient(visits.get_visit(demo_store, visit_id).patient_id)
    window.open_visit(visit_id)
    editor = open_editor_from_visit(window)
    head = editor.session.version
    editor.session.add_point("frown", 600.0, 520.0)
    signoff.sign_version(demo_store, head.id, me.id, window.ctx.signer)  # the other room

    finger(editor.widgets.save_button)  # this editor still thinks the chart unsigned
    qtbot.waitUntil(lambda: not editor.session.saving, timeout=5000)
    shown = editor.widgets.message_bar.findChildren(QLabel)
    assert any("is signed, so a change is an amendment" in w.text() for w in shown)
    assert editor.session.dirty and editor.session.version.id == head.id  # kept on screen
    assert rows(demo_store, "SELECT COUNT(*) FROM chart_version WHERE id > ?", head.id) == [(0,)]

    finger(editor.widgets.save_button)  # now it knows: why?
    dialog = editor.sign_off.dialog
    assert dialog is not None and dialog.isVisible()
    finger(dialog.reason_buttons[3])  # "Missing point added"
    finger(dialog.confirm)
    qtbot.waitUntil(lambda: not editor.session.saving and not editor.session.dirty, timeout=5000)
    assert rows(demo_store, "SELECT amend_reason FROM chart_version WHERE id > ?", head.id) == [
        ("Missing point added",)
    ]


def test_the_chart_opens_from_the_visit_page_without_a_read_on_the_gui_thread(
    qtbot: QtBot, signed_in: MainWindow, demo_store: Store
) -> None:
    """Issue #8: loading runs off the GUI thread. The shell reads the chart on its worker, the
    header's sign-off with it (for the practitioner signed in): from the tap on Chart to the
    editor on screen, with Sign offered on the unsigned chart, not one statement runs on the
    GUI thread, so a slow clinic server never freezes the screen."""
    import threading

    from sqlalchemy import event

    on_gui: list[str] = []

    def seen(_conn, _cursor, statement, *_rest) -> None:  # type: ignore[no-untyped-def]
        if threading.current_thread() is threading.main_thread():
            on_gui.append(statement)

    signed_in.open_visit(visit_of(demo_store, "Siobhán"))
    page = page_named(signed_in, VisitPage)
    event.listen(demo_store.engine, "before_cursor_execute", seen)
    try:
        finger(page.chart_button)  # type: ignore[attr-defined]
        editor = page_named(signed_in, HostedPage).screen_widget  # type: ignore[attr-defined]
        qtbot.waitExposed(editor)
    finally:
        event.remove(demo_store.engine, "before_cursor_execute", seen)
    assert editor.sign_off.sign_button.isVisible()  # read with the chart, for this clinician
    assert not editor.sign_off.label.isVisible()
    assert on_gui == []
