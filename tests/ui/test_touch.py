"""Fingers, not just mice: taps and flicks with a synthesized touch screen, and the size of
every touch target on every screen."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QInputDevice, QPointingDevice
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from app.services import patients
from app.store.database import Store
from ui.common.widgets import TOUCH
from ui.shell.main_window import MainWindow
from ui.shell.patient_page import PatientPage
from ui.shell.visit_page import VisitPage

from .helpers import page_named, tap

MIN_TARGET = 48  # CONTRACTS.md: device-independent pixels


@pytest.fixture(scope="module")
def touchscreen() -> QPointingDevice:
    """A touch screen registered with Qt, as a real one would be."""
    return QTest.createTouchDevice(QInputDevice.DeviceType.TouchScreen)


def finger_tap(widget: QWidget, device: QPointingDevice, pos: QPoint) -> None:
    QTest.touchEvent(widget, device).press(0, pos, widget).commit()
    QTest.qWait(20)
    QTest.touchEvent(widget, device).release(0, pos, widget).commit()


def test_finger_tap_on_a_patient_row_opens_the_patient(
    qtbot: QtBot, window: MainWindow, touchscreen: QPointingDevice
) -> None:
    results = window.patient_list.results
    rect = results.visualItemRect(results.item(0))
    finger_tap(results.viewport(), touchscreen, rect.center())
    qtbot.waitUntil(lambda: isinstance(window.current_page(), PatientPage), timeout=2000)
    assert window.current_page().patient.given_name == "Zoë"  # type: ignore[attr-defined]


def test_finger_tap_on_a_visit_card_opens_the_visit(
    qtbot: QtBot, window: MainWindow, demo_store: Store, touchscreen: QPointingDevice
) -> None:
    zoe = patients.search_patients(demo_store, "zoe").patients[0]
    window.open_patient(zoe.id)
    card = page_named(window, PatientPage).cards[0]  # type: ignore[attr-defined]
    finger_tap(card, touchscreen, QPoint(40, 40))
    qtbot.waitUntil(lambda: isinstance(window.current_page(), VisitPage), timeout=2000)


def test_finger_flick_scrolls_the_patient_list(
    qtbot: QtBot, window: MainWindow, demo_store: Store, touchscreen: QPointingDevice
) -> None:
    for n in range(30):  # enough patients to need scrolling
        patients.create_patient(demo_store, f"Test{n:02d}", "Scroll", patients.date(1980, 1, 1))
    qtbot.keyClicks(window.patient_list.search, "scroll")
    qtbot.waitUntil(lambda: window.patient_list.results.count() == 30, timeout=2000)
    results = window.patient_list.results
    bar = results.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == 0
    viewport = results.viewport()
    x = viewport.width() // 2
    QTest.touchEvent(viewport, touchscreen).press(0, QPoint(x, viewport.height() - 20), viewport)
    for step in range(1, 11):
        QTest.qWait(16)
        y = viewport.height() - 20 - step * 40
        QTest.touchEvent(viewport, touchscreen).move(0, QPoint(x, y), viewport)
    QTest.touchEvent(viewport, touchscreen).release(0, QPoint(x, y), viewport)
    qtbot.waitUntil(lambda: bar.value() > 0, timeout=2000)
    assert window.current_page() is window.patient_list  # a flick is not a tap


# -- touch targets ------------------------------------------------------------------------------


def too_small(root: QWidget) -> list[str]:
    """Every visible button, text field and combo box under `root` must be ≥ 48 px high, and
    whole: not cut off by a parent squeezed smaller than its contents."""
    small = []
    for w in root.findChildren(QWidget):
        if isinstance(w, QAbstractButton | QLineEdit | QComboBox) and w.isVisibleTo(root):
            text = w.text() if hasattr(w, "text") else ""
            name = f"{type(w).__name__} {w.objectName()!r} {text!r}"
            if w.height() < MIN_TARGET:
                small.append(f"{name}: {w.height()} px")
            parent = w.parentWidget()
            if parent is not None and not parent.rect().contains(w.geometry()):
                small.append(f"{name}: clipped by its parent")
    return small


def test_touch_targets_on_every_screen(qtbot: QtBot, window: MainWindow, demo_store: Store) -> None:
    assert TOUCH >= MIN_TARGET
    checked = []

    def check(root: QWidget | None = None) -> None:
        QTest.qWait(10)
        root = root or window
        assert too_small(root) == [], type(window.current_page()).__name__
        checked.append(type(window.current_page()).__name__)

    check()
    tap(qtbot, window.patient_list.new_button)
    form = window.current_page()
    tap(qtbot, form.save_button)  # type: ignore[attr-defined]
    check()
    window.go_home()
    zoe = patients.search_patients(demo_store, "zoe").patients[0]
    window.open_patient(zoe.id)
    page = window.current_page()
    check()
    tap(qtbot, page.new_visit_button)  # type: ignore[attr-defined]
    check(page.dialog)  # type: ignore[attr-defined]
    page.dialog.reject()  # type: ignore[attr-defined]
    window.open_visit(page.cards[1].entry.visit.id)  # type: ignore[attr-defined]
    visit_page = window.current_page()
    check()
    tap(qtbot, visit_page.error_button)  # type: ignore[attr-defined]
    check(visit_page.reason_dialog)  # type: ignore[attr-defined]
    visit_page.reason_dialog.reject()  # type: ignore[attr-defined]
    window.open_version(visit_page.visit.id, visit_page.versions[-1].id)  # type: ignore[attr-defined]
    check()
    tab_bar = window.current_page().tabs.tabBar()  # type: ignore[attr-defined]
    assert min(tab_bar.tabRect(i).height() for i in range(tab_bar.count())) >= MIN_TARGET
    assert len(checked) == 7
