"""Lot recall (issue #14): type a lot or scan its carton, and see every patient whose chart
used it — in the newest version of each chart — with the visit's date, the practitioner, the
product, units and points; charts whose earlier version named the lot are listed apart. A tap
opens the patient; Export CSV saves the list."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFileDialog, QLineEdit, QScrollArea, QVBoxLayout, QWidget

from app.domain.chart import ProductUse
from app.services import catalogue, csv_file
from app.services import recall as recalling
from app.services.recall import LotHit, RecallResult
from app.store.errors import StoreError
from ui.common import format as fmt
from ui.common.context import AppContext
from ui.common.dialogs import show_error
from ui.common.widgets import Card, Page, button, enable_touch_scroll, hbox, label, vbox
from ui.editor.carton_scan import CartonScanner
from ui.shell.csv_save import save_csv_dialog

SHOWN = 300  # cards per section; a recall of thousands is worked from the CSV


def _has_camera() -> bool:
    from ui.capture.sources import available_cameras  # Qt Multimedia only when shown

    return bool(available_cameras())


class HitCard(Card):
    """One chart that used the lot: the patient; the visit, practitioner and what was given."""

    def __init__(self, ctx: AppContext, hit: LotHit) -> None:
        super().__init__()
        self.hit = hit
        self.setObjectName("lotHit")
        row = hbox(self, margins=16, spacing=20)
        who = QWidget()
        col = vbox(who, spacing=2)
        col.addWidget(label(hit.patient, "rowtitle"))
        col.addWidget(label(fmt.born(hit.date_of_birth), "body"))
        row.addWidget(who, 2)
        what = QWidget()
        col = vbox(what, spacing=2)
        col.addWidget(label(f"{fmt.day(hit.visit_date)} · {hit.practitioner}", "body"))
        given = fmt.units_text(ctx, {hit.product: hit.units}) if hit.units is not None else ""
        points = fmt.plural(hit.points, "point")
        version = "" if hit.newest else f" · version {hit.version_no}"
        col.addWidget(
            label(f"{given or ctx.product_name(hit.product)} · {points} · lot {hit.lot}{version}",
                  "muted")
        )  # fmt: skip
        row.addWidget(what, 3)
        row.addWidget(label("›", "chevron"), 0, Qt.AlignmentFlag.AlignVCenter)
        for child in self.findChildren(QWidget):
            child.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)


class RecallPage(Page):
    title = "Lot recall"
    patient_opened = Signal(int)

    def __init__(self, ctx: AppContext, today: date | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.result: RecallResult | None = None
        self.cards: list[HitCard] = []
        self.earlier_cards: list[HitCard] = []
        self.save_dialog: QFileDialog | None = None
        self.setObjectName("recallPage")
        lay = vbox(self, margins=24, spacing=12)
        top = hbox(spacing=16)
        self.lot = QLineEdit()
        self.lot.setObjectName("lotField")
        self.lot.setPlaceholderText("Lot number, as on the vial or carton")
        self.lot.setInputMethodHints(Qt.InputMethodHint.ImhPreferUppercase)
        self.lot.setMinimumHeight(64)
        top.addWidget(self.lot, 1)
        self.find_button = button("Find", "primary")
        self.find_button.setObjectName("recallFind")
        self.find_button.setMinimumHeight(64)
        top.addWidget(self.find_button)
        self.export_button = button("Export CSV…", "secondary")
        self.export_button.setObjectName("recallExport")
        self.export_button.setMinimumHeight(64)
        self.export_button.setEnabled(False)
        top.addWidget(self.export_button)
        lay.addLayout(top)
        try:
            products = catalogue.list_products(ctx.store)
        except StoreError:
            products = []
        # the editor's carton scanner: it reads the GS1 code's lot; here nothing is charted
        self.scanner = CartonScanner(
            ctx.store,
            ctx.practitioner.id,
            today or date.today(),
            products,
            lambda _code: None,
            has_camera=_has_camera,
        )
        self.scanner.photo_button.setText("Scan carton (photo)…")
        lay.addWidget(self.scanner)
        self.summary = label("Type a lot, or scan the carton it came in.", "heading")
        self.summary.setObjectName("recallSummary")
        self.summary.setWordWrap(True)
        lay.addWidget(self.summary)
        self.note = label("", "muted")
        self.note.setObjectName("recallNote")
        self.note.setWordWrap(True)
        self.note.hide()
        lay.addWidget(self.note)
        self.area = QScrollArea()
        self.area.setObjectName("recallList")
        self.area.setWidgetResizable(True)
        self.area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        enable_touch_scroll(self.area)
        lay.addWidget(self.area, 1)
        self.lot.returnPressed.connect(self.look_up)
        self.find_button.clicked.connect(self.look_up)
        self.export_button.clicked.connect(self.export)
        self.scanner.scanned.connect(self._scanned)

    def _scanned(self, use: ProductUse) -> None:
        if use.lot:
            self.lot.setText(use.lot)
            self.look_up()

    def look_up(self) -> None:
        text = self.lot.text().strip()
        if not text:
            return
        try:
            self.result = recalling.recall(self.ctx.store, text)
        except StoreError as exc:
            show_error(self, str(exc))
            return
        self.lot.clearFocus()  # the touch keyboard steps aside: the answer is what matters now
        self._show(self.result)

    def _show(self, result: RecallResult) -> None:
        content = QWidget()
        content.setObjectName("recallContent")
        col = vbox(content, spacing=12)
        self.cards = self._section(col, "In the newest version of each chart", result.uses)
        self.earlier_cards = self._section(
            col, "Named only by an earlier version of the chart", result.earlier
        )
        col.addStretch(1)
        self.area.setWidget(content)
        if result.uses or result.earlier:
            text = (
                f"Lot {result.lot}: {fmt.plural(result.patient_count, 'patient')}, "
                f"{fmt.plural(len(result.uses), 'chart')}"
            )
            if result.earlier:
                text += f"; {len(result.earlier)} more named it in an earlier version"
        else:
            text = f"No chart names lot {result.lot}."
        self.summary.setText(text)
        self.export_button.setEnabled(bool(result.uses or result.earlier))

    def _section(self, col: QVBoxLayout, title: str, hits: list[LotHit]) -> list[HitCard]:
        if not hits:
            return []
        col.addWidget(label(title, "section"))
        cards = []
        for hit in hits[:SHOWN]:
            card = HitCard(self.ctx, hit)
            card.clicked.connect(lambda pid=hit.patient_id: self.patient_opened.emit(pid))
            col.addWidget(card)
            cards.append(card)
        if len(hits) > SHOWN:
            col.addWidget(label(f"{len(hits) - SHOWN} more: Export CSV lists every one.", "muted"))
        return cards

    def export(self) -> QFileDialog | None:
        result = self.result
        if result is None:
            return None
        safe = "".join(c if c.isalnum() else "-" for c in result.lot.strip())
        self.save_dialog = save_csv_dialog(
            self,
            f"recall-{safe}.csv",
            lambda path: csv_file.export_list_csv(
                self.ctx.store,
                self.ctx.practitioner.id,
                path,
                recalling.recall_csv(result),
                list_name="lot_recall",
                what=f"lot recall {result.lot.strip()}",
                rows=len(result.uses) + len(result.earlier),
            ),
            lambda path: self._said(f"Saved to {path}."),
        )
        return self.save_dialog

    def _said(self, text: str) -> None:
        self.note.setText(text)
        self.note.show()
