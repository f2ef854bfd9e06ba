"""Products used in the visit: lot, expiry (an expired lot warns) and dilution, so each point
can show its volume. Dilution is chosen from presets by touch; lot and expiry come from
scanning the carton's code ('Scan carton') or are typed and picked by hand."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QFrame, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.domain.chart import ChartContent, ProductUse
from app.domain.editing import product_use
from app.domain.values import Dilution, format_units
from app.services.product_carry import EarlierUse
from ui.common import format as fmt
from ui.common.date_grid import DateField
from ui.editor.controls import TOUCH, Choice, touch_button

VIAL_UNITS = ("50", "100", "200")
DILUENT_ML = ("1", "1.25", "2", "2.5", "4")


class ProductCard(QFrame):
    changed = Signal(object)  # the new ProductUse

    def __init__(
        self,
        name: str,
        use: ProductUse,
        expired: bool,
        today: date,
        earlier: EarlierUse | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName(f"productCard_{use.product}")
        self.setProperty("card", True)
        self.use = use
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 10, 8, 10)
        lay.setSpacing(6)
        title = QLabel(name)
        title.setObjectName("sheetHeading")
        lay.addWidget(title)
        # The lot, expiry and dilution an earlier visit recorded, one tap away while this
        # card has none of them yet (the same vial at a touch-up, the usual dilution).
        self.same_as: QPushButton | None = None
        if earlier is not None and not (use.lot or use.expiry or use.dilution):
            details = QLabel(_earlier_text(earlier))
            details.setObjectName("sheetHint")
            details.setWordWrap(True)  # a narrow panel: the words wrap, never the card widens
            lay.addWidget(details)
            self.same_as = touch_button(
                f"Same as {fmt.day(earlier.visit_date)}", f"sameAs_{use.product}", role="secondary"
            )
            self.same_as.clicked.connect(lambda: self.changed.emit(_taken_over(use, earlier)))
            lay.addWidget(self.same_as)
        lay.addWidget(QLabel("Lot"))
        self.lot = QLineEdit(use.lot)
        self.lot.setObjectName("lot")
        # lot numbers are printed in capitals: the touch keyboard types them so
        self.lot.setInputMethodHints(Qt.InputMethodHint.ImhPreferUppercase)
        self.lot.setPlaceholderText("Lot number")
        self.lot.setMinimumHeight(TOUCH)
        lay.addWidget(self.lot)
        lay.addWidget(QLabel("Expiry"))
        # Picked by touch near today (year, month, then day or "end of month"), not a calendar
        # that opens on January 2000 with fingertip-hostile arrows.
        self.expiry = DateField(
            "expiry", "Expiry not set", "Expiry of this lot", lambda: today, clearable=True
        )
        self.expiry.setObjectName("expiry")
        exp = use.expiry
        self.expiry.set_value(exp)
        lay.addWidget(self.expiry)
        self.expired = QLabel("")
        self.expired.setObjectName("warning")
        self.expired.setWordWrap(True)
        lay.addWidget(self.expired)
        if exp and expired:
            self.expired.setText(f"⚠ This lot expired on {fmt.day(exp)}.")
        else:
            self.expired.hide()
        lay.addWidget(QLabel("Vial units"))
        self.vial = Choice([(v, f"{v} U") for v in VIAL_UNITS], 3, f"vial_{use.product}")
        lay.addWidget(self.vial)
        lay.addWidget(QLabel("Saline (mL)"))
        self.diluent = Choice([(v, v) for v in DILUENT_ML], 5, f"diluent_{use.product}")
        lay.addWidget(self.diluent)
        dil = use.dilution
        self.vial.set_value(format_units(dil.vial_units) if dil else None)
        self.diluent.set_value(format_units(dil.diluent_ml) if dil else None)
        self.per = QLabel(
            f"{format_units((dil.units_per_ml / 10).normalize())} U per 0.1 mL"
            if dil
            else "Choose vial units and saline for volumes."
        )
        self.per.setObjectName("sheetHint")
        self.per.setWordWrap(True)  # never wider than the panel: the card would be cut off
        lay.addWidget(self.per)
        self.clear = touch_button("Clear dilution", f"clearDilution_{use.product}", role="ghost")
        lay.addWidget(self.clear)
        self.lot.editingFinished.connect(self._lot)
        self.expiry.changed.connect(self._expiry)
        self.vial.chosen.connect(lambda v: self._dilution(vial=v))
        self.diluent.chosen.connect(lambda v: self._dilution(ml=v))
        self.clear.clicked.connect(lambda: self.changed.emit(replace(self.use, dilution=None)))

    def _lot(self) -> None:
        if self.lot.text().strip() != self.use.lot:
            self.changed.emit(replace(self.use, lot=self.lot.text().strip()))

    def _expiry(self, value: date | None) -> None:
        if value != self.use.expiry:
            self.changed.emit(replace(self.use, expiry=value))

    def _dilution(self, vial: str | None = None, ml: str | None = None) -> None:
        dil = self.use.dilution
        vial = vial or (format_units(dil.vial_units) if dil else "100")
        ml = ml or (format_units(dil.diluent_ml) if dil else "2.5")
        self.changed.emit(replace(self.use, dilution=Dilution(Decimal(vial), Decimal(ml))))


def _earlier_text(earlier: EarlierUse) -> str:
    u = earlier.use
    parts = [f"lot {u.lot}" if u.lot else "", f"expires {fmt.day(u.expiry)}" if u.expiry else ""]
    if u.dilution:
        d = u.dilution
        parts.append(f"{format_units(d.vial_units)} U in {format_units(d.diluent_ml)} mL")
    said = ", ".join(p for p in parts if p)
    return f"On {fmt.day(earlier.visit_date)}: {said}."


def _taken_over(use: ProductUse, earlier: EarlierUse) -> ProductUse:
    e = earlier.use
    return replace(use, lot=e.lot, expiry=e.expiry, dilution=e.dilution)


class ProductsPanel(QFrame):
    changed = Signal(object)  # a ProductUse to put into the content

    def __init__(
        self,
        product_name: Callable[[str], str],
        lot_expired: Callable[[ProductUse], bool] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("productsPanel")
        self.product_name = product_name
        # Whether to warn that a lot expired: the session's soft-warning switches decide.
        self.lot_expired = lot_expired
        root = QVBoxLayout(self)
        # narrow margins: five saline buttons and the scroll bar share a 1280-px screen's panel
        root.setContentsMargins(4, 8, 4, 8)
        root.setSpacing(10)
        # 'Scan carton' (set_scanner) sits above the cards: it stays while they are rebuilt
        self.scanner_slot = QVBoxLayout()
        self.scanner_slot.setContentsMargins(0, 0, 0, 0)
        root.addLayout(self.scanner_slot)
        cards = QWidget()
        self.lay = QVBoxLayout(cards)
        self.lay.setContentsMargins(0, 0, 0, 0)
        self.lay.setSpacing(10)
        root.addWidget(cards, 1)
        self.cards: dict[str, ProductCard] = {}
        self._shown: tuple[ProductUse, ...] | None = None
        self.earlier: dict[str, EarlierUse] = {}  # per product, from the patient's last visits
        # called before the page shows: cards an opening left for behind its first paint
        self.before_shown: Callable[[], None] = lambda: None

    def showEvent(self, event: QShowEvent) -> None:
        self.before_shown()
        super().showEvent(event)

    def set_scanner(self, scanner: QWidget) -> None:
        """The 'Scan carton' buttons (ui/editor/carton_scan.py), above the cards."""
        self.scanner_slot.addWidget(scanner)

    def current_use(self, code: str) -> ProductUse | None:
        """The product's use as the cards show it (None: not in the chart yet)."""
        return next((u for u in self._shown or () if u.product == code), None)

    def refresh(self, content: ChartContent, today: date) -> None:
        used = sorted({p.product for _, p in content.all_points()} | {
            u.product for u in content.products
        })  # fmt: skip
        uses = tuple(product_use(content, code) or ProductUse(code) for code in used)
        if uses == self._shown:
            return  # keep the widgets (and any typing in them) when nothing here changed
        self._shown = uses
        while (item := self.lay.takeAt(0)) is not None:
            if gone := item.widget():
                gone.hide()  # gone from sight now; deleted when the event loop next turns
                gone.deleteLater()
        self.cards = {}
        if not uses:
            hint = QLabel("Products appear here once a point uses them.")
            hint.setObjectName("sheetHint")
            hint.setWordWrap(True)
            self.lay.addWidget(hint)
        for use in uses:
            expired = (
                self.lot_expired(use)
                if self.lot_expired is not None
                else use.expiry is not None and use.expiry < today
            )
            card = ProductCard(
                self.product_name(use.product),
                use,
                expired,
                today,
                self.earlier.get(use.product),
            )
            card.changed.connect(self.changed.emit)
            self.cards[use.product] = card
            self.lay.addWidget(card)
        self.lay.addStretch(1)
        if self.isVisible():  # made as the page shows (`before_shown`): shown with it, not
            for card in self.cards.values():  # a turn of the event loop later
                card.show()
