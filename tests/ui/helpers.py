"""Small helpers for driving the real widgets like a user."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QListWidget, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from app.services.practitioners import default_practitioner
from app.services.store import Store
from ui.common import gc_pause
from ui.common.context import AppContext
from ui.common.date_grid import DateField
from ui.shell.main_window import MainWindow


def signed_in(store: Store) -> AppContext:
    """The first practitioner (the demo clinic's admin) signed in at the service level, for
    tests of pages and windows that are not about signing in. The app itself always goes
    through the sign-in screen (ui/app.py); tests of signing in do too (test_signin_screen)."""
    return AppContext.for_practitioner(store, default_practitioner(store))


def tap(qtbot: QtBot, widget: QWidget, pos: QPoint | None = None) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos or widget.rect().center())


def finger(widget: QWidget, pos: QPoint | None = None) -> None:
    """A fingertip's tap on a widget, from a touch screen: at `pos`, else in the middle of what
    shows of it (a button half under a scrolling panel's edge is tapped on its visible half, as
    a finger would; a touch where it does not show reaches whatever does). The offscreen test
    platform's screen is 800 px square and a touch beyond its edge reaches nothing: the window
    is slid so the point is on it first (its layout does not change)."""
    from tests.ui.editor_helpers import touch_device

    shown = widget.visibleRegion().boundingRect()
    at = pos or (shown.center() if not shown.isEmpty() else widget.rect().center())
    on_screen(widget, at)
    QTest.touchEvent(widget, touch_device()).press(0, at, widget).commit()
    QTest.qWait(20)
    QTest.touchEvent(widget, touch_device()).release(0, at, widget).commit()
    QTest.qWait(40)


def scroll_to(widget: QWidget) -> None:
    """Scroll the panel holding `widget` until it shows whole, as a finger would first."""
    from PySide6.QtWidgets import QScrollArea

    area = widget.parentWidget()
    while area is not None and not isinstance(area, QScrollArea):
        area = area.parentWidget()
    assert area is not None, "not in a scrolling panel"
    area.ensureWidgetVisible(widget, 0, 8)
    QTest.qWait(20)


def on_screen(widget: QWidget, at: QPoint) -> None:
    """Slide `widget`'s window so that the point `at` of it is on the offscreen test platform's
    800-px-square screen (40 px inside its edges), where a touch can reach it."""
    screen = QApplication.primaryScreen().geometry()
    spot = widget.mapToGlobal(at)
    dx = min(0, screen.right() - 40 - spot.x()) or max(0, 40 - spot.x())
    dy = min(0, screen.bottom() - 40 - spot.y()) or max(0, 40 - spot.y())
    if dx or dy:
        window = widget.window()
        window.move(window.pos() + QPoint(dx, dy))
        QTest.qWait(10)


@contextmanager
def slow_double_clicks(ms: int = 3000) -> Iterator[int]:
    """Qt's double-click interval made `ms` inside the block, so two taps of a test are a
    double click even on a loaded machine, where 400 ms can pass between them."""
    hints = QApplication.styleHints()
    before = hints.mouseDoubleClickInterval()
    hints.setMouseDoubleClickInterval(ms)
    try:
        yield ms
    finally:
        hints.setMouseDoubleClickInterval(before)


def tap_row(qtbot: QtBot, lst: QListWidget, row: int) -> None:
    rect = lst.visualItemRect(lst.item(row))
    tap(qtbot, lst.viewport(), rect.center())


def page_named(window: MainWindow, cls: type, timeout_ms: int = 5000) -> object:
    """The page on screen, once it is of `cls`: some pages open after a read on a worker
    (the chart editor), as a user waits for the screen to change."""
    waited = 0
    while not isinstance(window.current_page(), cls) and waited < timeout_ms:
        QTest.qWait(10)
        waited += 10
    page = window.current_page()
    assert isinstance(page, cls), f"expected {cls.__name__}, on {type(page).__name__}"
    return page


SENSITIVE_THRESHOLD = 50  # young-generation allocations per collection inside the block (700)


@contextmanager
def collections_off_the_gui_thread() -> Iterator[list[str]]:
    """The names of the threads other than the GUI thread that ran a garbage collection inside
    the block. Automatic collection is on inside it, as outside the app (the app collects on
    the GUI thread only, which would hide whether a worker's own pause works), unless a worker
    holds its pause already; and it is due 14 times as often as by default, so a worker that
    runs Python unpaused for even a moment collects."""
    gui_only, enabled, threshold = gc_pause._gui_only, gc.isenabled(), gc.get_threshold()
    gc_pause._gui_only = False
    if not gc_pause.paused():
        gc.enable()
    gc.set_threshold(SENSITIVE_THRESHOLD, *threshold[1:])
    names: list[str] = []

    def seen(phase: str, _info: dict) -> None:
        if phase == "start" and threading.current_thread() is not threading.main_thread():
            names.append(threading.current_thread().name)

    gc.callbacks.append(seen)
    try:
        yield names
    finally:
        gc.callbacks.remove(seen)
        gc.set_threshold(*threshold)
        gc_pause._gui_only = gui_only
        if enabled:
            gc.enable()
        else:
            gc.disable()


@contextmanager
def cpu_load(seconds: float = 60.0) -> Iterator[None]:
    """A CPU-burning process per core beside the block, as on a loaded CI machine: the GUI
    thread loses the CPU at any instruction, which is when races between it and a worker
    show. Each burner ends by itself after `seconds` and is stopped when the block ends."""
    code = f"import time\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end: pass"
    burners = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(os.cpu_count() or 1)]
    try:
        yield
    finally:
        for p in burners:
            p.kill()
        for p in burners:
            p.wait()


def pick_date(qtbot: QtBot, field: DateField, value: date, end_of_month: bool = False) -> None:
    """Choose a date in a touch date field as a clinician does: tap the field, then the year
    (its decade first, for a birth date), the month and the day."""
    finger(field)
    dialog = field.dialog
    assert dialog is not None and dialog.isVisible()
    names = [f"year_{value.year}", f"month_{value.month}"]
    if field.mode == "birth":
        names.insert(0, f"decade_{value.year // 10 * 10}")
    names.append("endOfMonth" if end_of_month else f"day_{value.day}")
    for name in names:
        target = dialog.findChild(QPushButton, name)
        assert target is not None and target.isVisible(), f"no {name} to tap"
        finger(target)
    assert not isValid(dialog) or not dialog.isVisible()  # closed (and deleted) on the pick
    if not end_of_month:
        assert field.value == value
