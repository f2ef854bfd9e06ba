"""The read-only chart view: zoom with the wheel and two fingers, pan with one, fit again."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QPointingDevice, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.services import charts, patients, visits
from app.store.database import Store
from ui.shell.main_window import MainWindow
from ui.shell.version_viewer import VersionViewerPage
from ui.viewer.chart_view import ChartView
from ui.viewer.zoom import MAX_ZOOM


def open_first_version(window: MainWindow, store: Store) -> VersionViewerPage:
    zoe = patients.search_patients(store, "zoe").patients[0]
    first = visits.timeline(store, zoe.id)[-1].visit
    window.open_version(first.id, charts.history(store, first.id)[0].id)
    page = window.current_page()
    assert isinstance(page, VersionViewerPage)
    QTest.qWait(10)
    return page


@pytest.fixture
def view(window: MainWindow, demo_store: Store) -> ChartView:
    return open_first_version(window, demo_store).views[0]


@pytest.fixture(scope="module")
def fingers() -> QPointingDevice:
    return QTest.createTouchDevice()  # registered with Qt, so its events are delivered


def wheel(view: ChartView, notches: int) -> None:
    pos = QPointF(view.viewport().rect().center())
    event = QWheelEvent(
        pos,
        QPointF(view.viewport().mapToGlobal(pos.toPoint())),
        QPoint(),
        QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(view.viewport(), event)


def test_opens_fitted_and_wheel_zooms_within_limits(view: ChartView) -> None:
    assert view.zoom() == pytest.approx(1.0)
    centre = view.mapToScene(view.viewport().rect().center())
    wheel(view, 2)
    assert view.zoom() > 1.3
    # The point under the pointer stays under it.
    after = view.mapToScene(view.viewport().rect().center())
    assert abs(after.x() - centre.x()) < 5 and abs(after.y() - centre.y()) < 5
    wheel(view, 40)
    assert view.zoom() == pytest.approx(MAX_ZOOM)
    wheel(view, -80)
    assert view.zoom() == pytest.approx(1.0)  # never smaller than the whole photo


def test_double_tap_fits_again(qtbot: QtBot, view: ChartView) -> None:
    wheel(view, 3)
    assert view.zoom() > 1.5
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton)
    assert view.zoom() == pytest.approx(1.0)


def test_two_fingers_pinch_and_one_finger_pans(view: ChartView, fingers: QPointingDevice) -> None:
    vp = view.viewport()
    c = vp.rect().center()
    a, b = QPoint(c.x() - 40, c.y()), QPoint(c.x() + 40, c.y())
    QTest.touchEvent(vp, fingers).press(0, a, vp).press(1, b, vp)
    for step in range(1, 6):
        QTest.touchEvent(vp, fingers).move(0, a - QPoint(20 * step, 0), vp).move(
            1, b + QPoint(20 * step, 0), vp
        )
    QTest.touchEvent(vp, fingers).release(0, a - QPoint(100, 0), vp).release(
        1, b + QPoint(100, 0), vp
    )
    assert view.zoom() == pytest.approx(280 / 80, rel=0.05)  # fingers 80 px apart, then 280

    h, v = view.horizontalScrollBar(), view.verticalScrollBar()
    before = (h.value(), v.value())
    QTest.touchEvent(vp, fingers).press(0, c, vp)
    for step in range(1, 4):
        QTest.touchEvent(vp, fingers).move(0, c + QPoint(30 * step, 30 * step), vp)
    QTest.touchEvent(vp, fingers).release(0, c + QPoint(90, 90), vp)
    assert (h.value(), v.value()) == (before[0] - 90, before[1] - 90)


def test_a_version_opens_on_its_charted_view_and_a_tapped_point_says_what_it_was(
    window: MainWindow, demo_store: Store, fingers: QPointingDevice
) -> None:
    page = open_first_version(window, demo_store)
    shown = page.tabs.currentWidget()
    assert isinstance(shown, ChartView) and shown.chart.points  # not an empty Rest photo
    point = shown.chart.points[0]
    at = shown.mapFromScene(QPointF(point.x, point.y)) + QPoint(6, -5)  # a fingertip off
    vp = shown.viewport()
    QTest.touchEvent(vp, fingers).press(0, at, vp).commit()
    QTest.touchEvent(vp, fingers).release(0, at, vp).commit()
    details = page.point_details
    assert details.isVisible()
    text = details.text()
    assert f"{point.units.normalize():f} U" in text and (point.zone or "") in text
    assert shown.zoom() == pytest.approx(1.0)  # a tap is not a pan or a zoom
    corner = QPoint(4, 4)
    QTest.touchEvent(vp, fingers).press(0, corner, vp).commit()
    QTest.touchEvent(vp, fingers).release(0, corner, vp).commit()
    assert not details.isVisible()
