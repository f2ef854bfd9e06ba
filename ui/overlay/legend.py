"""The legend on the canvas: each earlier chart's ghost colour, its date, and how well it is
aligned on the view on screen ("good", "check", "could not align", "Aligning…").

It floats over the photo's top-left corner (the patient's sides are marked at mid-height) and
lets every touch and pen event through to the canvas below.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QWidget

from ui.overlay.controller import OverlayController
from ui.overlay.ghost_items import GHOST_COLOURS
from ui.overlay.view_state import short_label

LEGEND_QSS = """
#overlayLegend { background: rgba(16, 22, 28, 205); border-radius: 10px; }
#overlayLegend QLabel {
    color: #F3F5F7; font-size: 12pt; font-weight: 600; background: transparent;
}
#overlayLegend QLabel#legendTitle { font-size: 11pt; color: #C9D3DC; }
#overlayLegend QLabel[kind="warn"] { color: #FFD37A; }
"""
WORD_COLOURS = {"good": "#7BE39A", "check": "#FFD37A", "could not align": "#FF8A80"}


class OverlayLegend(QFrame):
    def __init__(self, ctrl: OverlayController, host: QWidget) -> None:
        super().__init__(host)
        self.setObjectName("overlayLegend")
        self.setStyleSheet(LEGEND_QSS)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.ctrl = ctrl
        self.host = host
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(12, 8, 12, 8)
        self.grid.setHorizontalSpacing(10)
        self.grid.setVerticalSpacing(4)
        self.rows: list[tuple[str, str]] = []  # (label, status): what the tests read
        host.installEventFilter(self)
        ctrl.changed.connect(self.refresh)
        self.refresh()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.host and event.type() in (QEvent.Type.Resize, QEvent.Type.LayoutRequest):
            self._place()
        return False

    def _place(self) -> None:
        for i in range(self.grid.count()):
            item = self.grid.itemAt(i)
            w = item.widget() if item is not None else None
            if w is not None:
                w.show()  # a layout shows new children later: size them now
        self.grid.activate()
        self.adjustSize()
        self.move(12, 12)
        self.raise_()

    def refresh(self) -> None:
        while (item := self.grid.takeAt(0)) is not None:
            gone = item.widget()
            if gone is not None:
                gone.setParent(None)  # off screen now, not later
                gone.deleteLater()
        self.rows = []
        chosen = self.ctrl.chosen
        self.setVisible(bool(chosen))
        if not chosen:
            return
        title = QLabel("Earlier charts")
        title.setObjectName("legendTitle")
        self.grid.addWidget(title, 0, 0, 1, 3)
        for i, source in enumerate(chosen):
            colour = GHOST_COLOURS[i % len(GHOST_COLOURS)]
            chip = QLabel()
            chip.setFixedSize(22, 22)
            chip.setStyleSheet(
                f"background: {colour}; border: 2px dashed #10161C; border-radius: 11px;"
            )
            state = self.ctrl.state(source)
            status = state.short() if state else ""
            word = QLabel(status)
            word.setStyleSheet(f"color: {WORD_COLOURS.get(status, '#F3F5F7')};")
            self.grid.addWidget(chip, i + 1, 0)
            self.grid.addWidget(QLabel(short_label(source)), i + 1, 1)
            self.grid.addWidget(word, i + 1, 2)
            self.rows.append((short_label(source), status))
        self._place()
