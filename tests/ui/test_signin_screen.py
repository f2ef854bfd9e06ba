"""Signing in, the lock and the practitioners' page, driven by finger on the real widgets over
the demo clinic in a real SQLite file (issue #11). What is asserted is what the database holds
afterwards: practitioner rows, audit events, chart versions and draft files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.domain.editing import put_point
from app.domain.roles import Role
from app.services import charts, credentials, drafts, patients, practitioner_admin, signin
from app.services.access import NotAllowedError
from app.services.demo import DEMO_PRACTITIONERS
from app.store.database import Store
from app.store.schema import AuditEvent, Practitioner
from tests.ui.helpers import finger, page_named
from ui.app import build_window, start_app
from ui.common.context import AppContext
from ui.common.touch_keyboard import KeyboardController
from ui.shell.hosted import HostedPage
from ui.shell.main_window import MainWindow
from ui.signin.gate import SignInScreen
from ui.signin.practitioners_page import PractitionersPage
from ui.signin.start import StartWindow

from .conftest import SIZE

ADMIN, PRESCRIBER, INJECTOR = DEMO_PRACTITIONERS


def pid(store: Store, name: str) -> int:
    return next(t.id for t in signin.tiles(store) if t.name == name)


def audit(store: Store) -> list[tuple[str, int | None, str]]:
    with store.read() as s:
        return [(e.kind, e.actor_id, e.detail) for e in s.scalars(select(AuditEvent))]


def tap_pin(gate: SignInScreen, pin: str, ok: bool = True) -> None:
    keypad = gate.setup.keypad if gate.pages.currentWidget() is gate.setup else gate.entry.keypad
    for digit in pin:
        finger(keypad.keys[digit])
    if ok:
        finger(keypad.keys["ok"])


def type_by_keyboard(field: QLineEdit, text: str) -> None:
    """A finger on the field brings FaceChart's touch keyboard up; each key is tapped."""
    finger(field)
    app = QApplication.instance()
    controller = app.findChild(KeyboardController) if app else None
    assert controller is not None and controller.keyboard.isVisible()
    for ch in text:
        finger(controller.keyboard.keys[f"key_{ch}"])
    assert field.text() == text


def choose(gate: SignInScreen, store: Store, name: str) -> None:
    tile = gate.tiles.inner.findChild(QAbstractButton, f"tile_{pid(store, name)}")
    assert tile is not None and tile.isVisible()
    finger(tile)


@pytest.fixture
def start(qtbot: QtBot, demo_store: Store) -> Iterator[StartWindow]:
    w = start_app(demo_store, demo=True, size=SIZE, maximized=False)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    if w.main_window is not None:
        w.main_window.close()
    w.close()


def main_window_as(qtbot: QtBot, store: Store, name: str) -> MainWindow:
    who = signin.sign_in(
        store,
        pid(store, name),
        *next((d.pin, d.password) for d in DEMO_PRACTITIONERS if d.name == name),
    )
    w = build_window(AppContext.signed_in(store, who), demo=True)
    qtbot.addWidget(w)
    w.resize(*SIZE)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_signing_in_by_finger_opens_the_main_window_as_them(
    start: StartWindow, demo_store: Store, qtbot: QtBot
) -> None:
    gate = start.gate
    assert gate.pages.currentWidget() is gate.tiles
    assert "8024" in gate.tiles.hint.text()  # a demo database says its secrets
    choose(gate, demo_store, INJECTOR.name)
    assert gate.pages.currentWidget() is gate.entry and INJECTOR.pin in gate.entry.hint.text()
    type_by_keyboard(gate.entry.password, INJECTOR.password)
    tap_pin(gate, INJECTOR.pin)
    qtbot.waitUntil(lambda: start.main_window is not None, timeout=5000)
    window = start.main_window
    assert window is not None and window.ctx.practitioner.name == INJECTOR.name
    assert window.ctx.signer is not None  # the key is open while they are signed in
    assert not start.isVisible()
    assert audit(demo_store)[-1][:2] == ("sign_in", pid(demo_store, INJECTOR.name))


def test_a_wrong_pin_backs_off_and_says_how_long(
    start: StartWindow, demo_store: Store, qtbot: QtBot
) -> None:
    gate = start.gate
    ella = pid(demo_store, INJECTOR.name)
    choose(gate, demo_store, INJECTOR.name)
    for _ in range(3):
        gate.entry.password.setText(INJECTOR.password)
        tap_pin(gate, "1111")
    assert "wait 30 seconds" in gate.entry.message.text()
    assert start.main_window is None
    with demo_store.read() as s:
        row = s.get(Practitioner, ella)
        assert row is not None and row.failed_attempts == 3 and row.retry_after is not None
    gate.entry.password.setText(INJECTOR.password)
    tap_pin(gate, INJECTOR.pin)  # right now, but it must wait
    assert "Try again in" in gate.entry.message.text() and start.main_window is None
    failed = [e for e in audit(demo_store) if e[0] == "sign_in_failed"]
    assert len(failed) == 3 and {actor for _, actor, _ in failed} == {ella}


def test_the_lock_button_and_the_idle_clock_lock_and_the_pin_unlocks(
    qtbot: QtBot, demo_store: Store
) -> None:
    window = main_window_as(qtbot, demo_store, ADMIN.name)
    locker = window.locker
    assert locker.idle.running and not locker.locked
    finger(window.lock_button)
    assert locker.locked and not window.work.isVisible() and locker.gate.isVisible()
    tap_pin(locker.gate, "9999")
    assert locker.locked and "not right" in locker.gate.entry.message.text()
    tap_pin(locker.gate, ADMIN.pin)
    assert not locker.locked and window.work.isVisible()
    locker.idle.set_minutes(2 / 60)  # a test's idle time: 2 s
    QTest.qWait(1200)
    clock = locker.idle._clock
    assert clock.remainingTime() < 1000
    finger(window.patient_list.settings_button)  # any input restarts the clock
    assert not locker.locked and clock.remainingTime() > 1500
    qtbot.waitUntil(lambda: locker.locked, timeout=5000)
    admin = pid(demo_store, ADMIN.name)
    kinds = [(k, d) for k, a, d in audit(demo_store) if a == admin]
    assert ("lock", "button") in kinds and ("lock", "idle") in kinds
    assert [k for k, _ in kinds].count("unlock") == 1
    window.close()


def visible_texts(top: QWidget) -> list[str]:
    found = [top.windowTitle()]
    for w in top.findChildren(QWidget):
        if not w.isVisible():
            continue
        if isinstance(w, (QLabel, QAbstractButton)):
            found.append(w.text())
        elif isinstance(w, QLineEdit):
            found += [w.text(), w.placeholderText()]
    return found


def test_the_lock_screen_shows_nothing_of_the_patient(
    qtbot: QtBot, demo_store: Store, tmp_path: Path
) -> None:
    window = main_window_as(qtbot, demo_store, ADMIN.name)
    zoe = patients.search_patients(demo_store, "zoe martin").patients[0]
    window.open_patient(zoe.id)
    seen = " ".join(visible_texts(window))
    assert "Zoë Martin" in seen and "1984" in seen  # shown before the lock: the check can fail
    window.current_page().ask_new_visit()  # a dialog over the window, naming her too
    qtbot.waitUntil(lambda: window.current_page().dialog.isVisible())
    window.locker.lock()
    shot = tmp_path / "locked.png"
    assert window.grab().save(str(shot), "PNG") and not QImage(str(shot)).isNull()
    for top in QApplication.topLevelWidgets():
        if top.isVisible():
            for text in visible_texts(top):
                assert "Zoë" not in text and "Martin" not in text and "1984" not in text, text
    assert window.windowTitle() == "FaceChart — locked"
    tap_pin(window.locker.gate, ADMIN.pin)
    assert window.current_page().dialog.isVisible()  # back as it was, dialog included
    window.current_page().dialog.reject()
    window.close()


def test_another_practitioner_at_the_lock_never_gets_the_first_ones_unsaved_chart(
    qtbot: QtBot, demo_store: Store
) -> None:
    window = main_window_as(qtbot, demo_store, ADMIN.name)
    admin, samir = pid(demo_store, ADMIN.name), pid(demo_store, PRESCRIBER.name)
    zoe = patients.search_patients(demo_store, "zoe martin").patients[0]
    from ui.screens import _charted_visit

    visit_id = _charted_visit(window)
    saved_before = len(charts.history(demo_store, visit_id))
    window.open_patient(zoe.id)
    window.open_visit(visit_id)
    window.open_editor(visit_id)
    page = page_named(window, HostedPage)
    assert isinstance(page, HostedPage)
    editor = page.screen_widget
    session = editor.session  # type: ignore[attr-defined]
    width, height = session.frames.get("frown", (1200, 1500))
    point = session.new_point("frown", width * 0.5, height * 0.3)
    session.apply(put_point(session.content, "frown", point), "Add point", "frown")
    assert session.model.dirty
    # the clinician walks away from the chart: the idle clock locks (0.3 s in a test)
    window.locker.idle.set_minutes(0.3 / 60)
    qtbot.waitUntil(lambda: window.locker.locked, timeout=3000)
    gate = window.locker.gate
    finger(gate.entry.other)  # "Sign in as someone else"
    choose(gate, demo_store, PRESCRIBER.name)
    gate.entry.password.setText(PRESCRIBER.password)
    tap_pin(gate, PRESCRIBER.pin)
    qtbot.waitUntil(lambda: not window.locker.locked, timeout=5000)
    assert window.ctx.practitioner.id == samir and window.stack.count() == 1
    # nothing saved under anyone; the work is the admin's draft, never the prescriber's
    assert len(charts.history(demo_store, visit_id)) == saved_before
    assert drafts.load_draft(demo_store, visit_id, admin) is not None
    assert drafts.load_draft(demo_store, visit_id, samir) is None
    assert visit_id not in window.patient_list.drafts.rows
    events = audit(demo_store)
    # the prescriber's sign-in, then the end of the admin's session it took over
    assert [(k, a) for k, a, _ in events[-2:]] == [("sign_in", samir), ("sign_out", admin)]
    # the admin comes back: their draft is offered to them, and only to them
    finger(window.lock_button)
    finger(gate.entry.other)
    choose(gate, demo_store, ADMIN.name)
    gate.entry.password.setText(ADMIN.password)
    tap_pin(gate, ADMIN.pin)
    qtbot.waitUntil(lambda: not window.locker.locked, timeout=5000)
    assert window.ctx.practitioner.id == admin
    assert visit_id in window.patient_list.drafts.rows
    window.close()


def test_unlocking_returns_the_open_chart_as_it_was(qtbot: QtBot, demo_store: Store) -> None:
    window = main_window_as(qtbot, demo_store, ADMIN.name)
    from ui.screens import _charted_visit

    visit_id = _charted_visit(window)
    window.open_visit(visit_id)
    window.open_editor(visit_id)
    page = page_named(window, HostedPage)
    assert isinstance(page, HostedPage)
    session = page.screen_widget.session  # type: ignore[attr-defined]
    point = session.new_point("frown", 600.0, 450.0)
    session.apply(put_point(session.content, "frown", point), "Add point", "frown")
    content = session.model.content
    window.locker.lock("idle")
    assert not page.isVisible()
    tap_pin(window.locker.gate, ADMIN.pin)
    assert window.current_page() is page and page.isVisible()
    assert session.model.content == content and session.model.dirty
    page.screen_widget.leave_keeping_draft()  # type: ignore[attr-defined]
    window.close()


def test_an_admin_resets_a_pin_by_finger(qtbot: QtBot, demo_store: Store) -> None:
    window = main_window_as(qtbot, demo_store, ADMIN.name)
    ella = pid(demo_store, INJECTOR.name)
    finger(window.patient_list.settings_button)
    settings = window.current_page()
    button = settings.findChild(QAbstractButton, "practitionersButton")
    assert button is not None and button.isVisible()
    finger(button)
    page = page_named(window, PractitionersPage)
    assert isinstance(page, PractitionersPage)
    reset = page.findChild(QAbstractButton, f"resetPin_{ella}")
    assert reset is not None
    page.area.ensureWidgetVisible(reset)
    finger(reset)
    dialog = page.dialog
    assert dialog is not None and dialog.pin is not None
    qtbot.waitUntil(dialog.isVisible)
    dialog.pin.setText("12")
    finger(dialog.confirm)
    assert "4 to 8 digits" in dialog.error.text() and dialog.isVisible()
    dialog.pin.setText("5555")
    finger(dialog.confirm)
    assert not dialog.isVisible()
    assert credentials.pin_matches(demo_store, ella, "5555")
    assert signin.temporary_parts(demo_store, ella) == {"pin"}
    admin = pid(demo_store, ADMIN.name)
    assert ("practitioner_changed", admin, "PIN reset by an admin") in audit(demo_store)
    window.close()


def test_a_non_admin_cannot_open_the_practitioners_page(qtbot: QtBot, demo_store: Store) -> None:
    window = main_window_as(qtbot, demo_store, INJECTOR.name)
    finger(window.patient_list.settings_button)
    button = window.current_page().findChild(QAbstractButton, "practitionersButton")
    assert button is not None and not button.isVisible()
    pages = window.stack.count()
    window.open_practitioners()  # reached anyhow: refused with a message
    assert window.stack.count() == pages
    box = window.findChild(QMessageBox, "errorBox")
    assert box is not None and "Only admins" in box.text()
    box.close()
    with pytest.raises(NotAllowedError):  # and the services refuse on their own
        PractitionersPage(window.ctx)
    with pytest.raises(NotAllowedError):
        practitioner_admin.set_idle_lock_minutes(demo_store, window.ctx.practitioner.id, 60)
    window.close()


def test_first_start_on_an_empty_database_creates_the_admin(
    qtbot: QtBot, sqlite_store: Store
) -> None:
    start = start_app(sqlite_store, demo=False, size=SIZE, maximized=False)
    qtbot.addWidget(start)
    start.show()
    gate = start.gate
    assert gate.pages.currentWidget() is gate.setup and gate.setup.name.isVisible()
    gate.setup.name.setText("Dr Ada Byron")
    gate.setup.password.setText("analytical engine")
    gate.setup.repeat.setText("analytical engine")
    tap_pin(gate, "4821")
    assert gate.setup.keypad.prompt.text() == "The same PIN again"
    tap_pin(gate, "4821")
    qtbot.waitUntil(lambda: start.main_window is not None, timeout=5000)
    assert start.main_window is not None
    assert start.main_window.ctx.practitioner.name == "Dr Ada Byron"
    with sqlite_store.read() as s:
        rows = list(s.scalars(select(Practitioner)))
        assert [(p.name, p.role) for p in rows] == [("Dr Ada Byron", "admin")]
        assert rows[0].pin_hash and rows[0].pin_hash.startswith("$argon2id$")
    assert [k for k, _, _ in audit(sqlite_store)] == ["practitioner_changed", "sign_in"]
    start.main_window.close()


def test_an_added_practitioner_chooses_their_own_secrets_at_first_sign_in(
    qtbot: QtBot, demo_store: Store
) -> None:
    window = main_window_as(qtbot, demo_store, ADMIN.name)
    window.open_settings()
    window.open_practitioners()
    page = page_named(window, PractitionersPage)
    assert isinstance(page, PractitionersPage)
    page.new_name.setText("Nurse Noor Aziz")
    prescriber = page.new_roles[Role.PRESCRIBER]
    page.area.ensureWidgetVisible(prescriber)
    qtbot.wait(50)
    finger(prescriber)
    qtbot.waitUntil(prescriber.isChecked)
    page.new_pin.setText("7391")
    page.new_password.setText("given-by-admin")
    page.area.ensureWidgetVisible(page.add_button)
    # past the double-tap interval: a page that scrolls by touch takes a quick second tap
    # for a double tap (as in test_soft_warnings)
    qtbot.wait(QApplication.doubleClickInterval() + 100)
    finger(page.add_button)
    qtbot.waitUntil(lambda: "Nurse Noor Aziz" in [t.name for t in signin.tiles(demo_store)])
    assert page.add_message.text() == ""
    noor = pid(demo_store, "Nurse Noor Aziz")
    assert noor in page.cards and page.add_message.text() == ""
    with demo_store.read() as s:
        row = s.get(Practitioner, noor)
        assert row is not None and row.role == "prescriber" and row.pin_hash
    admin_known = credentials.public_keys(demo_store, noor)[-1].public_key
    window.close()

    start = start_app(demo_store, demo=True, size=SIZE, maximized=False)
    qtbot.addWidget(start)
    start.show()
    gate = start.gate
    choose(gate, demo_store, "Nurse Noor Aziz")
    gate.entry.password.setText("given-by-admin")
    tap_pin(gate, "7391")
    assert gate.pages.currentWidget() is gate.setup and start.main_window is None
    gate.setup.password.setText("noor's own secret")
    gate.setup.repeat.setText("noor's own secret")
    tap_pin(gate, "2580")
    tap_pin(gate, "2580")
    qtbot.waitUntil(lambda: start.main_window is not None, timeout=5000)
    assert signin.temporary_parts(demo_store, noor) == frozenset()
    keys = credentials.public_keys(demo_store, noor)
    assert [k.retired for k in keys] == [True, False] and keys[0].public_key == admin_known
    assert credentials.pin_matches(demo_store, noor, "2580")
    details = [d for k, a, d in audit(demo_store) if k == "practitioner_changed" and a == noor]
    assert details == ["chose their own PIN and password"]
    assert start.main_window is not None
    start.main_window.close()
