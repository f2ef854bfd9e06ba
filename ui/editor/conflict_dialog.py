"""The save conflict as a choice (issue #13, ADR 0026): another room saved this chart since it
was opened here, so this save was refused (nothing is ever overwritten, ADR 0003). The dialog
says who saved what, lists the points where their chart and this one differ, and offers:

- "Open theirs": their newest version opens; this chart's work stays as the draft.
- "Keep mine as the next version": this chart is saved on top of theirs, as a normal new
  version (a signed one of theirs asks for the amendment's reason first, ADR 0019).
- "Not now": back to the chart as it is (still unsaved, still in its draft).

Opened with `open()` (window-modal, no nested event loop), touch-sized buttons.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QScrollArea, QWidget

from app.domain.chart import ChartContent, InjectionPoint
from app.domain.diff import diff_charts
from app.domain.values import Side
from app.services.charts import VersionInfo
from ui.common import format as fmt
from ui.common.widgets import TOUCH, button, hbox, label, vbox

SIDE_LETTER = {Side.LEFT: " L", Side.RIGHT: " R", Side.MIDLINE: ""}


def _name(p: InjectionPoint) -> str:
    return f"{p.zone or 'Point'}{SIDE_LETTER.get(p.side, '') if p.side else ''}"


def _units(p: InjectionPoint) -> str:
    return f"{Decimal(p.units).normalize():f} U"


def difference_lines(theirs: ChartContent, mine: ChartContent) -> list[str]:
    """Where their chart and mine differ, one line each, e.g.
    'Corrugator L: 4 U (theirs) / 6 U (mine)'."""
    d = diff_charts(theirs, mine)
    lines = []
    for c in d.units_changed:
        assert c.before is not None and c.after is not None
        lines.append(f"{_name(c.after)}: {_units(c.before)} (theirs) / {_units(c.after)} (mine)")
    for c in d.added:
        assert c.after is not None
        lines.append(f"{_name(c.after)}: {_units(c.after)} only in mine")
    for c in d.removed:
        assert c.before is not None
        lines.append(f"{_name(c.before)}: {_units(c.before)} only in theirs")
    shown = {c.point_id for c in d.units_changed}
    for c in d.moved:
        if c.point_id not in shown:
            assert c.after is not None
            lines.append(f"{_name(c.after)}: placed differently")
            shown.add(c.point_id)
    for c in d.other_changed:
        if c.point_id not in shown:
            assert c.before is not None and c.after is not None
            what = [
                name
                for name, a, b in (
                    ("product", c.before.product, c.after.product),
                    ("depth", c.before.depth, c.after.depth),
                    ("zone", c.before.zone, c.after.zone),
                    ("side", c.before.side, c.after.side),
                    ("note", c.before.note, c.after.note),
                )
                if a != b
            ]
            lines.append(f"{_name(c.after)}: {', '.join(what)} differ")
    if d.strokes_added or d.strokes_removed:
        ours = sum(len(v.strokes) for v in mine.views)
        theirs_n = sum(len(v.strokes) for v in theirs.views)
        lines.append(f"Pen strokes: {theirs_n} (theirs) / {ours} (mine)")
    for view in d.overlays_changed:
        lines.append(f"Earlier charts shown over {view}: differ")
    return lines or ["The charts hold the same points and strokes."]


class ConflictDialog(QDialog):
    def __init__(
        self,
        parent: QWidget,
        head: VersionInfo,
        theirs: ChartContent,
        mine: ChartContent,
        signed_by: str,
        on_open_theirs: Callable[[], None],
        on_keep_mine: Callable[[], None],
    ) -> None:
        super().__init__(parent)
        self.setObjectName("conflictDialog")
        self.setWindowTitle("Someone else saved this chart")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(640)
        lay = vbox(self, margins=24, spacing=14)
        lay.addWidget(label("Someone else saved this chart", "heading"))
        who = head.saved_by or "Someone"
        signed = f" It is signed by {signed_by}." if signed_by else ""
        intro = label(
            f"{who} saved version {head.version_no} at {fmt.local_time(head.saved_at)} while "
            f"you were editing. Nothing was overwritten: your chart is still on screen and kept "
            f"as a draft.{signed} Where theirs and yours differ:",
            "body",
        )
        intro.setWordWrap(True)
        lay.addWidget(intro)
        self.lines = difference_lines(theirs, mine)
        listing = QWidget()
        col = vbox(listing, margins=8, spacing=4)
        for line in self.lines:
            item = label(f"•  {line}", "body")
            item.setObjectName("conflictLine")
            item.setWordWrap(True)
            col.addWidget(item)
        col.addStretch(1)
        area = QScrollArea()
        area.setObjectName("conflictLines")
        area.setWidgetResizable(True)
        area.setWidget(listing)
        area.setMinimumHeight(min(60 + 34 * len(self.lines), 260))
        lay.addWidget(area, 1)
        # the two choices one above the other, each the dialog's width: their words are long
        # and a finger needs the whole button (side by side they were cut at 640 px)
        self.later = button("Not now", "ghost")
        self.later.setObjectName("conflictLater")
        self.open_theirs = button(f"Open theirs (version {head.version_no})", "secondary")
        self.open_theirs.setObjectName("conflictOpenTheirs")
        keep = "Keep mine as the next version" + (" (amendment)" if signed_by else "")
        self.keep_mine = button(keep, "primary")
        self.keep_mine.setObjectName("conflictKeepMine")
        for b in (self.later, self.open_theirs, self.keep_mine):
            b.setMinimumHeight(TOUCH)
        lay.addWidget(self.keep_mine)
        lay.addWidget(self.open_theirs)
        row = hbox(spacing=12)
        row.addWidget(self.later)
        row.addStretch(1)
        lay.addLayout(row)
        self.later.clicked.connect(self.reject)
        self.open_theirs.clicked.connect(lambda: self._chosen(on_open_theirs))
        self.keep_mine.clicked.connect(lambda: self._chosen(on_keep_mine))

    def _chosen(self, then: Callable[[], None]) -> None:
        self.accept()
        then()
