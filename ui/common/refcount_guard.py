"""A guard against a PySide6 refcount bug that would crash a long preview.

With PySide6-Essentials 6.12.0 on Python 3.11, every call of a void Qt method, every Python
`paintEvent` and every signal emission takes one reference from `None` or `True` that it never
gave (Python 3.12 makes those objects immortal, where this is harmless). At 30 preview frames a
second that drains `None`'s references in about two minutes and Python aborts ("none_dealloc:
deallocating None"). Until the project moves to Python ≥ 3.12 or a PySide6 without the bug,
the capture screen tops up their reference counts once a second. The three are static
singletons of CPython, never freed, so a raised count only does what Python 3.12's immortal
objects do; a Python list of references would not do: freed at exit, it would hand the drained
count back and abort the shutdown. `broken()` measures whether this interpreter and PySide6
need it at all.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QImage, QPainter

FLOOR = 200_000  # top up below this many references …
RESERVE = 1_000_000  # … to this many (a second of preview costs a few hundred)
_WATCHED = (None, True, False)


def broken() -> bool:
    """True when void PySide calls drop references they do not own (measured, not assumed)."""
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return False  # immortal None/True/False: the lost references cost nothing
    image = QImage(4, 4, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    before = sys.getrefcount(None)
    for _ in range(50):
        painter.setOpacity(1.0)
    after = sys.getrefcount(None)
    painter.end()
    return after < before - 25


def top_up() -> None:
    for obj in _WATCHED:
        missing = RESERVE - sys.getrefcount(obj)
        if missing > RESERVE - FLOOR:
            # ob_refcnt is the first field of every CPython object
            ctypes.c_ssize_t.from_address(id(obj)).value += missing


class RefcountGuard(QObject):
    """Tops up the reserve every second while its parent lives (only where needed)."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.active = broken()
        if self.active:
            top_up()
            self._timer = QTimer(self)
            self._timer.setInterval(1000)
            self._timer.timeout.connect(top_up)
            self._timer.start()
