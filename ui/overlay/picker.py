"""Choosing which earlier charts to overlay: big rows to tap, one per earlier visit, and that
visit's older versions when it has any. Up to four at once, each in its own ghost colour.

The visit this one touches up comes first (and is chosen when the editor opens); then the
newest first (touchup.default_sources says what a repeat treatment opens on). Opened with
`open()` (never `exec()`): the editor keeps running. Opening it reads nothing: the visits and
their versions came with the overlay's lookup, on its worker (app/services/earlier_charts.py).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.services.touchup import OverlaySource
from ui.editor.controls import Choice, touch_button
from ui.overlay.controller import MAX_SOURCES, OverlayController

PICKER_QSS = """
QDialog#overlayPicker { background: #F3F5F7; }
QLabel { font-size: 13pt; color: #17212B; }
QLabel#pickerTitle { font-size: 17pt; font-weight: 700; }
QLabel#pickerUnread { color: #9A3412; font-weight: 600; }
QPushButton {
    font-size: 13pt; font-weight: 600; color: #17212B; background: #FFFFFF;
    border: 2px solid #9AA8B5; border-radius: 10px; padding: 4px 12px;
}
QPushButton:checked { background: #0B6B74; border-color: #0B6B74; color: #FFFFFF; }
QPushButton[role="row"] { text-align: left; padding: 8px 14px; min-height: 64px; }
QPushButton[role="primary"] { background: #0B6B74; border-color: #0B6B74; color: #FFFFFF; }
QPushButton:disabled { color: #8794A0; border-color: #C9D1D8; background: #EEF1F4; }
"""


UNREAD = "The earlier charts could not be read yet — try again in a moment."


class OverlayPicker(QDialog):
    # The legend chosen (list[OverlaySource], legend order) and the legend charts the rows
    # showed ticked (frozenset of version hashes, `listed`): only those can be taken off here.
    picked = Signal(list, object)

    def __init__(self, ctrl: OverlayController, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("overlayPicker")
        self.setWindowTitle("Earlier charts")
        self.setStyleSheet(PICKER_QSS)
        self.setModal(True)
        self.ctrl = ctrl
        chosen = {s.visit_id: s for s in ctrl.chosen}
        self.offered = {s.visit_id for s in ctrl.available}
        by_visit = {s.version_hash for v, s in chosen.items() if v in self.offered}
        # Legend charts no visit's row shows (its visit entered in error since, another version
        # of a visit a row shows): a row each, ticked, so the clinician sees them and may
        # take them off; Show alone never does.
        self.also = [s for s in ctrl.chosen if s.version_hash not in by_visit]
        # The legend charts the rows show ticked: only those can be taken off here. One that
        # lands while the picker is open (a chart a restored draft names) stays (`set_chosen`).
        self.listed = frozenset(by_visit | {s.version_hash for s in self.also})
        self.rows: dict[int, QPushButton] = {}
        self.also_rows: dict[str, QPushButton] = {}  # by version hash
        self.versions: dict[int, list[OverlaySource]] = {}
        self.version_choice: dict[int, Choice] = {}
        lay = QVBoxLayout(self)
        lay.setContentsMargins(20, 16, 20, 16)
        lay.setSpacing(10)
        title = QLabel("Earlier charts to show over today's photos")
        title.setObjectName("pickerTitle")
        title.setWordWrap(True)
        lay.addWidget(title)
        hint = QLabel(f"Tap to show or hide. Up to {MAX_SOURCES} at once, each in its own colour.")
        hint.setWordWrap(True)
        lay.addWidget(hint)
        body = QWidget()
        rows = QVBoxLayout(body)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setSpacing(8)
        for source in ctrl.available:
            rows.addWidget(self._row(source, chosen.get(source.visit_id)))
        for source in self.also:
            rows.addWidget(self._also_row(source))
        # Until the lookup has read them (the server may be out), no rows would read as "no
        # earlier charts", and Show would take the legend's charts off: say so, offer no Show.
        self.unread = QLabel(UNREAD)
        self.unread.setObjectName("pickerUnread")
        self.unread.setWordWrap(True)
        self.unread.setVisible(ctrl.found is None)
        rows.addWidget(self.unread)
        rows.addStretch(1)
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setWidget(body)
        lay.addWidget(area, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        cancel = touch_button("Cancel", "pickerCancel")
        self.show_button = touch_button("Show", "pickerShow", role="primary")
        self.show_button.setMinimumWidth(140)
        self.show_button.setEnabled(ctrl.found is not None)
        cancel.clicked.connect(self.reject)
        self.show_button.clicked.connect(self._accept)
        buttons.addWidget(cancel)
        buttons.addWidget(self.show_button)
        lay.addLayout(buttons)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._limit()

    def _row(self, source: OverlaySource, chosen: OverlaySource | None) -> QWidget:
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(4)
        text = source.label.split(" · version")[0]
        if source.touched_up_by_this:
            text += "  —  this visit touches it up"
        row = touch_button(text, f"pickSource_{source.visit_id}", checkable=True, role="row")
        row.setChecked(chosen is not None)
        row.toggled.connect(self._limit)
        v.addWidget(row)
        self.rows[source.visit_id] = row
        versions = self.ctrl.versions(source.visit_id)
        self.versions[source.visit_id] = versions
        if len(versions) > 1:
            options = [
                (v.version_hash, f"v{v.version_no}" + (" (latest)" if v.is_head else ""))
                for v in versions
            ]
            choice = Choice(options, min(len(options), 4), f"pickVersion_{source.visit_id}")
            choice.set_value((chosen or source).version_hash)
            choice.chosen.connect(lambda _h, r=row: r.setChecked(True))
            self.version_choice[source.visit_id] = choice
            line = QHBoxLayout()
            line.setContentsMargins(24, 0, 0, 0)
            line.addWidget(QLabel("Version"))
            line.addWidget(choice, 1)
            v.addLayout(line)
        return box

    def _also_row(self, source: OverlaySource) -> QWidget:
        text = source.label
        if source.visit_id not in self.offered:
            text += "  —  no longer offered"
        name = f"pickShown_{source.version_hash[:12]}"
        row = touch_button(text, name, checkable=True, role="row")
        row.setChecked(True)  # in the legend now
        row.toggled.connect(self._limit)
        self.also_rows[source.version_hash] = row
        return row

    def _limit(self) -> None:
        """No more than MAX_SOURCES ticked: the others wait until one is untied."""
        every = [*self.rows.values(), *self.also_rows.values()]
        full = sum(b.isChecked() for b in every) >= MAX_SOURCES
        for b in every:
            b.setEnabled(b.isChecked() or not full)

    def selection(self) -> list[OverlaySource]:
        out: list[OverlaySource] = []
        for source in self.ctrl.available:
            if not self.rows[source.visit_id].isChecked():
                continue
            choice = self.version_choice.get(source.visit_id)
            wanted = choice.value() if choice else None
            match = [v for v in self.versions[source.visit_id] if v.version_hash == wanted]
            out.append(match[0] if match else source)
        out += [s for s in self.also if self.also_rows[s.version_hash].isChecked()]
        return out

    def _accept(self) -> None:
        self.picked.emit(self.selection(), self.listed)
        self.accept()
