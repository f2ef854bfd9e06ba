"""Work around a reference-count bug of PySide6 6.12 on Python 3.11.

Every call of a method that returns nothing (QPainter.save, QGraphicsItem.setPos, ...) drops
one reference to None without having taken it — harmless on Python ≥ 3.12, where None is
immortal, fatal on 3.11 ("none_dealloc: deallocating None") once a long session (a 500-sample
stroke repainting every event) has made more such calls than None had references. Giving None
a huge reference count makes it immortal in practice, as 3.12 does by design.
"""

from __future__ import annotations

import ctypes
import sys

_PINNED = False
_HEADROOM = 1 << 40  # a trillion calls: years of pen events


def pin_none() -> None:
    global _PINNED
    if _PINNED or sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    # ob_refcnt is the first field of every CPython object (Py_ssize_t), at id(obj).
    ctypes.c_ssize_t.from_address(id(None)).value += _HEADROOM
    _PINNED = True
