"""Walk every named screen (ui/screens.py) at one window size and report what a clinician
would run into: widgets outside the window, text cut off, touch targets under 48 px.

    QT_SCALE_FACTOR=1.5 python -m tests.ui.screen_walk 1280x720 OUTDIR

Run as its own process because Qt reads QT_SCALE_FACTOR once, at start-up. Prints one JSON
object: per screen, the PNG's pixel size and the list of problems found.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QScrollBar,
    QStyle,
    QStyleOptionButton,
    QTabBar,
    QWidget,
)

TOUCH = 48  # logical pixels: the smallest target a fingertip hits reliably
SLACK = 1  # rounding at fractional scales


def name_of(w: QWidget) -> str:
    text = ""
    if isinstance(w, (QAbstractButton, QLabel)):
        text = w.text().replace("\n", " ")[:40]
    elif isinstance(w, QLineEdit):
        text = w.placeholderText()[:40]
    return f"{type(w).__name__}#{w.objectName() or '-'}[{text}]"


def scrolled(w: QWidget, top: QWidget) -> bool:
    """Inside a scroll area's viewport: it may lie beyond the edge and be scrolled to."""
    p = w.parentWidget()
    while p is not None and p is not top:
        area = p.parentWidget()
        if isinstance(area, QAbstractScrollArea) and p is area.viewport():
            return True
        p = p.parentWidget()
    return False


def visible_rect(w: QWidget, top: QWidget) -> QRect:
    return QRect(w.mapTo(top, QPoint(0, 0)), w.size())


def text_cut(w: QWidget) -> str | None:
    """Why the widget's own text does not fit in it, or None."""
    if isinstance(w, QLabel):
        text = w.text()
        if not text or not w.pixmap().isNull() or "<" in text:
            return None  # pictures and rich text lay out on their own terms
        room = w.contentsRect().width() - 2 * w.margin()
        if w.wordWrap():
            need = w.heightForWidth(w.width())
            if need > w.height() + SLACK:
                return f"wrapped text needs {need} px of height, has {w.height()}"
            return None
        widest = max(w.fontMetrics().horizontalAdvance(line) for line in text.split("\n"))
        if widest > room + SLACK:
            return f"text needs {widest} px, has {room}"
    if isinstance(w, QPushButton) and w.text():
        # the room left inside the style sheet's border and padding
        opt = QStyleOptionButton()
        w.initStyleOption(opt)
        room = w.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, opt, w).width()
        lines = w.text().replace("&", "").split("\n")
        widest = max(w.fontMetrics().horizontalAdvance(line) for line in lines)
        if widest > room + SLACK:
            return f"button text needs {widest} px, has {room} inside its padding"
    return None


TARGETS = (QAbstractButton, QComboBox, QLineEdit, QAbstractSpinBox, QAbstractSlider)


def small_target(w: QWidget) -> str | None:
    if not isinstance(w, TARGETS) or not w.isEnabled():
        return None
    if isinstance(w, QScrollBar) or isinstance(w.parentWidget(), QAbstractSpinBox):
        # Lists scroll by dragging the content (QScroller): the bar only shows where one is.
        # A spin box's own line edit is part of the box, which is checked.
        return None
    if isinstance(w, QAbstractSlider):
        if min(w.width(), w.height()) < TOUCH - SLACK:
            return f"slider {w.width()}x{w.height()}"
        return None
    if w.width() < TOUCH - SLACK or w.height() < TOUCH - SLACK:
        return f"target {w.width()}x{w.height()}"
    return None


def small_tabs(w: QWidget) -> list[str]:
    if not isinstance(w, QTabBar):
        return []
    return [
        f"tab {w.tabText(i)!r} {w.tabRect(i).width()}x{w.tabRect(i).height()}"
        for i in range(w.count())
        if w.tabRect(i).height() < TOUCH - SLACK or w.tabRect(i).width() < TOUCH - SLACK
    ]


def clipped_scroll(w: QWidget) -> str | None:
    """A scroll area that cannot scroll sideways, holding content wider than itself: its right
    edge is cut off (a touch UI scrolls up and down only)."""
    if not isinstance(w, QScrollArea) or w.widget() is None:
        return None
    if w.horizontalScrollBarPolicy() != Qt.ScrollBarPolicy.ScrollBarAlwaysOff:
        return None
    inner, room = w.widget().width(), w.viewport().width()
    if inner > room + SLACK:
        return f"content {inner} px wide in {room} px: its right edge is cut off"
    return None


def problems_in(top: QWidget, frame: QRect) -> list[str]:
    """What is wrong on one window (or a dialog, checked against the screen's frame)."""
    found: list[str] = []
    if top.isWindow() and (
        top.width() > frame.width() + SLACK or top.height() > frame.height() + SLACK
    ):
        found.append(f"{name_of(top)} is {top.width()}x{top.height()}, larger than the screen")
    for w in top.findChildren(QWidget):
        if not w.isVisibleTo(top) or w.isWindow():
            continue
        where = name_of(w)
        if not scrolled(w, top):
            r = visible_rect(w, top)
            if not top.rect().adjusted(-SLACK, -SLACK, SLACK, SLACK).contains(r):
                found.append(
                    f"{where} at {r.x()},{r.y()} {r.width()}x{r.height()} leaves the window"
                )
        why = text_cut(w)
        if why:
            found.append(f"{where}: {why}")
        why = clipped_scroll(w)
        if why:
            found.append(f"{where}: {why}")
        why = small_target(w)
        if why:
            found.append(f"{where}: {why} < {TOUCH}")
        found += [f"{where}: {t} < {TOUCH}" for t in small_tabs(w)]
    return found


def walk(size: tuple[int, int], outdir: Path) -> dict[str, object]:
    from app.services.demo import build_demo
    from app.store.database import open_store, sqlite_url
    from ui.app import application, build_window, demo_sign_in
    from ui.common.context import AppContext
    from ui.screens import SCREENS, picture, settle, show_screen

    app = application()
    report: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(sqlite_url(Path(tmp) / "demo.db"))
        build_demo(store)
        who = demo_sign_in(store)  # once: a sign-in costs two Argon2id hashes
        for name in SCREENS:
            window = build_window(AppContext.signed_in(store, who), demo=True)
            window.resize(*size)
            window.show()
            settle()
            dialog = show_screen(window, name)
            shot = picture(window, dialog)
            shot.save(str(outdir / f"{name}.png"), "PNG")
            frame = QRect(0, 0, *size)
            problems = problems_in(window, frame)
            if dialog is not None and dialog.isVisible():
                problems += [f"dialog: {p}" for p in problems_in(dialog, frame)]
            report[name] = {"png": [shot.width(), shot.height()], "problems": problems}
            if dialog is not None:
                dialog.close()
            window.go_home()
            window.close()
            window.deleteLater()
            app.processEvents()
        store.dispose()
    return report


def main(argv: list[str]) -> int:
    w, h = (int(v) for v in argv[0].split("x"))
    outdir = Path(argv[1])
    outdir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    print(json.dumps(walk((w, h), outdir)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
