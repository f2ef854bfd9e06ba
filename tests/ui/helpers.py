"""Small helpers for driving the real widgets like a user."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QListWidget, QWidget
from pytestqt.qtbot import QtBot

from ui.shell.main_window import MainWindow


def tap(qtbot: QtBot, widget: QWidget, pos: QPoint | None = None) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos or widget.rect().center())


def tap_row(qtbot: QtBot, lst: QListWidget, row: int) -> None:
    rect = lst.visualItemRect(lst.item(row))
    tap(qtbot, lst.viewport(), rect.center())


def page_named(window: MainWindow, cls: type) -> object:
    page = window.current_page()
    assert isinstance(page, cls), f"expected {cls.__name__}, on {type(page).__name__}"
    return page
