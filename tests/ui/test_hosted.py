"""The chart editor and the capture screen open from a visit and leave their own way."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.services import patients
from app.store.database import Store
from ui.shell.hosted import HostedPage
from ui.shell.main_window import MainWindow
from ui.shell.visit_page import VisitPage

from .helpers import page_named, tap


def open_first_visit(window: MainWindow, store: Store) -> VisitPage:
    zoe = patients.search_patients(store, "zoe").patients[0]
    window.open_patient(zoe.id)
    window.open_visit(window.current_page().cards[1].entry.visit.id)  # type: ignore[attr-defined]
    return page_named(window, VisitPage)  # type: ignore[return-value]


def test_open_chart_and_come_back(qtbot: QtBot, window: MainWindow, demo_store: Store) -> None:
    visit_page = open_first_visit(window, demo_store)
    tap(qtbot, visit_page.chart_button)
    hosted = page_named(window, HostedPage)
    assert type(hosted.screen_widget).__name__ == "ChartEditor"  # type: ignore[attr-defined]
    assert not window.bar.isVisible()  # the editor has its own Close and needs the height
    assert window.height() == 768  # fits the 1366x768 window, nothing pushed off-screen
    window.go_back()  # Back (Alt+Left): the editor keeps its draft, then says it is done
    assert window.current_page() is visit_page
    assert window.bar.isVisible()
    tap(qtbot, visit_page.chart_button)
    hosted = page_named(window, HostedPage)
    hosted.screen_widget.close_editor()  # type: ignore[attr-defined]  # its own Close button
    assert window.current_page() is visit_page


def test_take_photos_and_come_back(qtbot: QtBot, window: MainWindow, demo_store: Store) -> None:
    visit_page = open_first_visit(window, demo_store)
    tap(qtbot, visit_page.capture_button)
    hosted = page_named(window, HostedPage)
    assert type(hosted.screen_widget).__name__ == "CaptureScreen"  # type: ignore[attr-defined]
    assert window.height() == 768
    window.go_back()  # the camera stops before the page goes
    assert window.current_page() is visit_page
    tap(qtbot, visit_page.capture_button)
    hosted = page_named(window, HostedPage)
    hosted.screen_widget.finish()  # type: ignore[attr-defined]  # its own Done button
    assert window.current_page() is visit_page


def test_closing_the_app_lets_the_editor_keep_its_draft(
    qtbot: QtBot, window: MainWindow, demo_store: Store
) -> None:
    visit_page = open_first_visit(window, demo_store)
    tap(qtbot, visit_page.chart_button)
    left = []
    page_named(window, HostedPage).done.connect(lambda: left.append(True))  # type: ignore[attr-defined]
    window.close()
    assert left == [True]
    assert window.current_page() is window.patient_list
