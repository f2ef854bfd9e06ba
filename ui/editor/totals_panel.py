"""Live totals, per product only (units of different products are never added): the visit,
each side, each muscle/zone with L/R, each view; and the soft warnings above them."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from app.domain.chart import ChartContent
from app.domain.totals import ProductTotal, Warning, dose_warnings, totals
from app.domain.values import format_units


def u(value: Decimal) -> str:
    return f"{format_units(value)} U"


def product_lines(t: ProductTotal, view_name: Callable[[str], str]) -> list[str]:
    """What the panel says about one product, as plain lines (also what the tests read).
    Lines ending in ':' are sub-headings."""
    lines = [f"Visit: {u(t.total)} in {t.points} point{'s' if t.points != 1 else ''}"]
    lines.append(f"Patient's right {u(t.right)} · left {u(t.left)}")
    lines.append("By muscle / zone:")
    for zone in sorted(t.zones.values(), key=lambda z: z.zone):
        name = zone.zone or "no zone"
        parts = []
        if zone.right or zone.left:
            parts.append(f"R {format_units(zone.right)} · L {format_units(zone.left)}")
        if zone.midline:
            parts.append(f"midline {format_units(zone.midline)}")
        lines.append(f"{name}: {u(zone.total)} ({', '.join(parts)})")
    lines.append("By view:")
    for view, units in t.views.items():
        lines.append(f"{view_name(view)}: {u(units)}")
    return lines


class TotalsPanel(QFrame):
    def __init__(
        self,
        product_name: Callable[[str], str],
        view_name: Callable[[str], str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("totalsPanel")
        self.product_name = product_name
        self.view_name = view_name
        self.lay = QVBoxLayout(self)
        self.lay.setContentsMargins(12, 12, 12, 12)
        self.lay.setSpacing(6)
        self.extra_warnings: list[Warning] = []
        self.warnings: list[Warning] = []
        self.lines: dict[str, list[str]] = {}
        # The course (original + touch-ups) beside today's totals, when there is one
        # (ui/overlay/attach.py); today's totals above never count an earlier point.
        self.course: Callable[[ChartContent], list[str]] | None = None
        self.course_lines: list[str] = []

    def refresh(self, content: ChartContent) -> None:
        while (item := self.lay.takeAt(0)) is not None:
            gone = item.widget()
            if gone is not None:
                gone.setParent(None)  # off screen now, not later
                gone.deleteLater()
        per_product = totals(content)
        self.warnings = [*self.extra_warnings, *dose_warnings(per_product)]
        for w in self.warnings:
            lab = QLabel(f"⚠ {w.text}")
            lab.setObjectName("warning")
            lab.setProperty("kind", w.kind)
            lab.setWordWrap(True)
            self.lay.addWidget(lab)
        if not per_product:
            empty = QLabel("No injection points yet.")
            empty.setObjectName("sheetHint")
            self.lay.addWidget(empty)
        self.lines = {}
        for code, t in sorted(per_product.items(), key=lambda kv: self.product_name(kv[0])):
            head = QLabel(self.product_name(code))
            head.setObjectName("sheetHeading")
            self.lay.addWidget(head)
            self.lines[code] = product_lines(t, self.view_name)
            for line in self.lines[code]:
                lab = QLabel(line)
                lab.setObjectName("totalSub" if line.endswith(":") else "totalLine")
                lab.setWordWrap(True)
                self.lay.addWidget(lab)
        self.course_lines = self.course(content) if self.course else []
        if self.course_lines:
            head = QLabel("Course total (original + touch-ups)")
            head.setObjectName("sheetHeading")
            self.lay.addWidget(head)
            for line in self.course_lines:
                lab = QLabel(line.strip())
                lab.setObjectName("totalLine" if line.startswith(" ") else "totalSub")
                lab.setWordWrap(True)
                self.lay.addWidget(lab)
        self.lay.addStretch(1)
