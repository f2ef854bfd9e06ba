"""The chart editor and the capture screen open from a visit and leave their own way."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.services import patients
from app.store.database import Store
from ui.shell.hosted import HostedPage
from ui.shell.main_window import MainWindow
from ui.shell.visit_page import VisitPage

from .helpers import finger, page_named, tap


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


def test_closing_the_window_over_an_unsaved_chart_asks_first(
    qtbot: QtBot, window: MainWindow, demo_store: Store
) -> None:
    from PySide6.QtCore import QPointF

    from tests.ui.editor_helpers import pen_stroke

    visit_page = open_first_visit(window, demo_store)
    finger(visit_page.chart_button)
    editor = page_named(window, HostedPage).screen_widget  # type: ignore[attr-defined]
    pen_stroke(editor.canvas(), [QPointF(500 + 30 * i, 700) for i in range(6)], [0.5] * 6)
    window.close()
    assert window.isVisible()  # the question first, on the editor's bar
    bar = editor.widgets.message_bar
    assert bar.isVisible() and bar.text.text() == "This chart has unsaved changes."
    (stay,) = [b for b in bar.buttons if b.text() == "Keep editing"]
    finger(stay)
    assert window.isVisible() and page_named(window, HostedPage)
    window.close()
    (leave,) = [b for b in bar.buttons if b.text() == "Close, keep draft"]
    finger(leave)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
