"""The charts the signed-in practitioner has not signed yet, oldest visit first, and, for a
prescriber or admin, the injectors' signed charts waiting for their co-signature (ADR 0019).
A tap on one opens its visit, where Sign and Co-sign are."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QScrollArea, QVBoxLayout, QWidget

from app.services import unsigned
from app.services.unsigned import ChartToSign
from app.store.errors import StoreError
from ui.common import format as fmt
from ui.common.context import AppContext
from ui.common.dialogs import show_error
from ui.common.widgets import Card, Page, enable_touch_scroll, hbox, label, vbox


class ChartCard(Card):
    """One chart: the patient (name, date of birth), the visit and the version to sign."""

    def __init__(self, chart: ChartToSign) -> None:
        super().__init__()
        self.chart = chart
        self.setObjectName("chartToSign")
        row = hbox(self, margins=16, spacing=20)
        who = QWidget()
        col = vbox(who, spacing=2)
        col.addWidget(label(chart.patient, "rowtitle"))
        col.addWidget(label(fmt.born(chart.date_of_birth), "body"))
        row.addWidget(who, 2)
        what = QWidget()
        col = vbox(what, spacing=2)
        col.addWidget(label(f"{fmt.day(chart.visit_date)} · {chart.treatment.label}", "body"))
        by = f" by {chart.saved_by}" if chart.saved_by else ""
        saved = f"Version {chart.version_no} saved {fmt.local_time(chart.saved_at)}{by}"
        col.addWidget(label(saved, "muted"))
        if chart.signed_by:
            col.addWidget(label(f"Signed by {chart.signed_by}", "muted"))
        row.addWidget(what, 3)
        row.addWidget(label("›", "chevron"), 0, Qt.AlignmentFlag.AlignVCenter)
        for child in self.findChildren(QWidget):  # the card takes the tap
            child.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)


class UnsignedPage(Page):
    title = "Charts to sign"
    visit_opened = Signal(int)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("unsignedPage")
        lay = vbox(self, margins=24, spacing=12)
        self.summary = label("", "heading")
        self.summary.setObjectName("unsignedSummary")
        lay.addWidget(self.summary)
        self.area = QScrollArea()
        self.area.setObjectName("unsignedList")
        self.area.setWidgetResizable(True)
        self.area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        enable_touch_scroll(self.area)
        lay.addWidget(self.area, 1)
        self.to_sign: list[ChartCard] = []
        self.to_cosign: list[ChartCard] = []

    def activated(self) -> None:
        self.refresh()  # back from a visit where one was just signed

    def refresh(self) -> None:
        who = self.ctx.practitioner.id
        try:
            mine = unsigned.unsigned_charts(self.ctx.store, who)
            theirs = unsigned.awaiting_cosign(self.ctx.store, who)
        except StoreError as exc:
            show_error(self, str(exc))
            return
        content = QWidget()
        content.setObjectName("unsignedContent")
        col = vbox(content, spacing=12)
        self.to_sign = self._section(col, "Not signed yet", mine)
        if theirs:
            col.addSpacing(12)
        self.to_cosign = self._section(col, "Waiting for your co-signature", theirs)
        if not mine and not theirs:
            empty = label("Every chart of yours is signed.", "muted")
            empty.setObjectName("allSigned")
            col.addWidget(empty)
        col.addStretch(1)
        self.area.setWidget(content)
        parts = [fmt.plural(len(mine), "chart") + " to sign"]
        if theirs:
            parts.append(f"{len(theirs)} to co-sign")
        self.summary.setText(" · ".join(parts) if mine or theirs else "Nothing to sign")

    def _section(self, col: QVBoxLayout, title: str, charts: list[ChartToSign]) -> list[ChartCard]:
        if not charts:
            return []
        col.addWidget(label(title, "section"))
        cards = []
        for chart in charts:
            card = ChartCard(chart)
            card.clicked.connect(lambda vid=chart.visit_id: self.visit_opened.emit(vid))
            col.addWidget(card)
            cards.append(card)
        return cards
