"""Small helpers for driving the real widgets like a user."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QListWidget, QWidget
from pytestqt.qtbot import QtBot

from ui.common import gc_pause
from ui.shell.main_window import MainWindow


def tap(qtbot: QtBot, widget: QWidget, pos: QPoint | None = None) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos or widget.rect().center())


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


@contextmanager
def collections_off_the_gui_thread() -> Iterator[list[str]]:
    """The names of the threads other than the GUI thread that ran a garbage collection inside
    the block. Automatic collection is on inside it, as outside the app: the app collects on
    the GUI thread only, which would hide whether a worker's own pause works."""
    gui_only, enabled = gc_pause._gui_only, gc.isenabled()
    gc_pause._gui_only = False
    gc.enable()
    names: list[str] = []

    def seen(phase: str, _info: dict) -> None:
        if phase == "start" and threading.current_thread() is not threading.main_thread():
            names.append(threading.current_thread().name)

    gc.callbacks.append(seen)
    try:
        yield names
    finally:
        gc.callbacks.remove(seen)
        gc_pause._gui_only = gui_only
        if enabled:
            gc.enable()
        else:
            gc.disable()
