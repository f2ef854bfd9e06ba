"""Finger taps on buttons inside panels that scroll by touch (issue #9): a quick second tap on
+ in the point sheet is a second step, what it gives is what is saved, holding + repeats, and
a drag that starts on a button scrolls the panel without pressing the button. Before the fix
Qt's flick gesture ate the second tap's double click, and a drag over + added a unit."""

from __future__ import annotations

import time
from collections.abc import Iterator
from decimal import Decimal

import pytest
from PySide6.QtCore import QPoint, QPointF
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QScrollArea, QScroller, QWidget
from pytestqt.qtbot import QtBot

from app.services import charts
from app.services.practitioners import default_practitioner
from app.store.database import Store
from tests.ui import editor_helpers as h
from tests.ui.editor_helpers import touch_device
from tests.ui.helpers import finger, on_screen, slow_double_clicks
from ui.editor.editor_window import ChartEditor
from ui.editor.point_sheet import REPEAT_DELAY_MS, REPEAT_INTERVAL_MS


def scroll_area_of(widget: QWidget) -> QScrollArea:
    w = widget.parentWidget()
    while w is not None and not isinstance(w, QScrollArea):
        w = w.parentWidget()
    assert isinstance(w, QScrollArea), "the widget is not in a scrolling panel"
    # the panel scrolls by finger: Qt's kinetic scroller with the touch gesture, and it has
    # somewhere to scroll (else the scroller stays Inactive under a finger, and Qt's flick
    # gesture lets the double click through: the test would prove nothing)
    assert QScroller.hasScroller(w.viewport())
    assert w.verticalScrollBar().maximum() > 0
    return w


def double_tap(widget: QWidget) -> float:
    """Two finger taps on `widget`, as quick as a clinician's; the milliseconds between the two."""
    finger(widget)
    first = time.monotonic()
    finger(widget)
    return (time.monotonic() - first) * 1000


def drag(area: QScrollArea, start: QWidget, dy: int, steps: int = 12) -> None:
    """A finger put down on `start` and drawn `dy` pixels up the panel, then lifted."""
    vp = area.viewport()
    at = start.mapTo(vp, start.rect().center())
    on_screen(vp, at)
    on_screen(vp, at - QPoint(0, dy))  # the whole way is on the screen
    dev = touch_device()
    QTest.touchEvent(vp, dev).press(0, at, vp).commit()
    for i in range(1, steps + 1):
        QTest.qWait(16)
        QTest.touchEvent(vp, dev).move(0, at - QPoint(0, dy * i // steps), vp).commit()
    QTest.touchEvent(vp, dev).release(0, at - QPoint(0, dy), vp).commit()
    QTest.qWait(50)


@pytest.fixture
def editor(qtbot: QtBot, sqlite_store: Store) -> Iterator[ChartEditor]:
    """The chart editor of a charted visit, 1280×720 (the tightest screen), one point placed
    by a finger on the frown view and shown on the point sheet."""
    pr = default_practitioner(sqlite_store)
    visit = h.charted_visit(sqlite_store, pr.id)
    ed = ChartEditor(sqlite_store, visit.visit_id, pr.id)
    qtbot.addWidget(ed)
    ed.resize(1280, 720)
    ed.show()
    qtbot.waitExposed(ed)
    ed.show_view("frown")
    ed.canvas().fit()
    ed.session.set_tool("point")
    ed.pen.set_finger_drawing(False)
    canvas = ed.canvas("frown")
    h.finger_tap(canvas, canvas.mapFromScene(QPointF(2000.0, 1200.0)))
    (p,) = ed.session.model.content.view("frown").points
    assert p.units == Decimal(4)
    assert ed.treatment.sheet.point is not None and ed.treatment.sheet.point.id == p.id
    with slow_double_clicks():  # two quick taps are a double click however loaded the machine
        yield ed
    ed.session.journal.timer.stop()


def units(ed: ChartEditor) -> Decimal:
    (p,) = ed.session.model.content.view("frown").points
    return p.units


def test_two_quick_finger_taps_on_plus_are_two_steps_and_are_saved(
    editor: ChartEditor, sqlite_store: Store, qtbot: QtBot
) -> None:
    sheet = editor.treatment.sheet
    area = scroll_area_of(sheet.plus)
    area.ensureWidgetVisible(sheet.plus)
    qtbot.wait(50)
    between = double_tap(sheet.plus)
    assert between < QApplication.doubleClickInterval()  # quick enough to be a double click
    assert units(editor) == Decimal(5)
    assert sheet.units.text().startswith("5")
    between = double_tap(sheet.minus)
    assert between < QApplication.doubleClickInterval()
    assert units(editor) == Decimal(4)
    for _ in range(3):  # three taps in a row, each within the interval of the one before
        finger(sheet.plus)
    assert units(editor) == Decimal("5.5")
    finger(editor.widgets.save_button)
    editor.session.wait()
    saved = charts.load_head(sqlite_store, editor.session.visit_id)
    assert saved is not None and saved.info.version_no == 1
    (point,) = saved.content.view("frown").points  # type: ignore[union-attr]
    assert point.units == Decimal("5.5")


def test_a_drag_from_plus_scrolls_the_point_sheet_and_adds_nothing(
    editor: ChartEditor, qtbot: QtBot
) -> None:
    sheet = editor.treatment.sheet
    area = scroll_area_of(sheet.plus)
    bar = area.verticalScrollBar()
    assert bar.maximum() > 150, "the sheet must be taller than its panel for this test"
    assert bar.value() == 0 and sheet.plus.mapTo(area.viewport(), QPoint(0, 0)).y() > 0
    steps = editor.session.undo_stack.count()
    drag(area, sheet.plus, 150)
    qtbot.waitUntil(lambda: QScroller.scroller(area.viewport()).state() == QScroller.State.Inactive)
    assert bar.value() > 60  # the panel followed the finger
    assert units(editor) == Decimal(4)  # and + was not pressed
    assert editor.session.undo_stack.count() == steps
    assert not sheet.plus.isDown()
    # A tap after the drag is a tap again.
    area.ensureWidgetVisible(sheet.plus)
    qtbot.wait(50)
    finger(sheet.plus)
    assert units(editor) == Decimal("4.5")


def test_holding_plus_with_a_finger_repeats(editor: ChartEditor, qtbot: QtBot) -> None:
    sheet = editor.treatment.sheet
    scroll_area_of(sheet.plus).ensureWidgetVisible(sheet.plus)
    qtbot.wait(50)
    at = sheet.plus.rect().center()
    on_screen(sheet.plus, at)
    QTest.touchEvent(sheet.plus, touch_device()).press(0, at, sheet.plus).commit()
    qtbot.wait(REPEAT_DELAY_MS + 3 * REPEAT_INTERVAL_MS + REPEAT_INTERVAL_MS // 2)
    assert sheet.plus.isDown()
    QTest.touchEvent(sheet.plus, touch_device()).release(0, at, sheet.plus).commit()
    qtbot.wait(50)
    # a tap is one step (4.5 U); held, it repeated at least once more (timers run late on a
    # loaded machine, so no more is counted on)
    assert units(editor) >= Decimal(5)
    assert not sheet.plus.isDown()
