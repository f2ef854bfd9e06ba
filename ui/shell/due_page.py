"""The follow-up list (issue #14): who is due back for a touch-up, a repeat or a course's next
session, and which charts are not signed, grouped by reason; filtered by practitioner with a
touch picker; a tap on a row opens the patient; Export CSV saves the whole list."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QFileDialog, QScrollArea, QVBoxLayout, QWidget

from app.domain.follow_up import Reason
from app.services import csv_file, follow_up, practitioners
from app.services.follow_up import DueItem
from app.store.errors import StoreError
from ui.common import format as fmt
from ui.common.context import AppContext
from ui.common.dialogs import show_error
from ui.common.widgets import Card, Page, button, enable_touch_scroll, hbox, label, vbox
from ui.shell.audit_screen import PractitionerChoice
from ui.shell.csv_save import save_csv_dialog

SHOWN_PER_REASON = 200  # a screenful many times over; the CSV has every row


class DueCard(Card):
    """One patient due: name and date of birth; why, since when, and whose patient."""

    def __init__(self, item: DueItem) -> None:
        super().__init__()
        self.item = item
        self.setObjectName("dueItem")
        row = hbox(self, margins=16, spacing=20)
        who = QWidget()
        col = vbox(who, spacing=2)
        col.addWidget(label(item.patient, "rowtitle"))
        col.addWidget(label(fmt.born(item.date_of_birth), "body"))
        row.addWidget(who, 2)
        what = QWidget()
        col = vbox(what, spacing=2)
        if item.reason is Reason.NOT_SIGNED:
            line = f"{item.treatment.label} visit of {fmt.day(item.visit_date)}"
        else:
            line = f"Due {fmt.day(item.due_date)} · after the visit of {fmt.day(item.visit_date)}"
        col.addWidget(label(line, "body"))
        col.addWidget(label(item.practitioner, "muted"))
        row.addWidget(what, 3)
        row.addWidget(label("›", "chevron"), 0, Qt.AlignmentFlag.AlignVCenter)
        for child in self.findChildren(QWidget):  # the card takes the tap
            child.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)


class DuePage(Page):
    title = "Follow-up list"
    patient_opened = Signal(int)

    def __init__(self, ctx: AppContext, today: date | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.today = today or date.today()
        self.practitioner_id: int | None = None
        self.items: list[DueItem] = []
        self.cards: dict[Reason, list[DueCard]] = {}
        self.dialog: QDialog | None = None
        self.save_dialog: QFileDialog | None = None
        self.setObjectName("duePage")
        lay = vbox(self, margins=24, spacing=12)
        top = hbox(spacing=16)
        self.summary = label("", "heading")
        self.summary.setObjectName("dueSummary")
        self.summary.setWordWrap(True)
        top.addWidget(self.summary, 1)
        self.who_button = button("All practitioners", "secondary")
        self.who_button.setObjectName("duePractitioner")
        self.who_button.setAccessibleName("Practitioner filter")
        self.who_button.clicked.connect(self.choose_practitioner)
        top.addWidget(self.who_button)
        self.export_button = button("Export CSV…", "secondary")
        self.export_button.setObjectName("dueExport")
        self.export_button.clicked.connect(self.export)
        top.addWidget(self.export_button)
        lay.addLayout(top)
        self.note = label("", "muted")
        self.note.setObjectName("dueNote")
        self.note.setWordWrap(True)
        self.note.hide()
        lay.addWidget(self.note)
        self.area = QScrollArea()
        self.area.setObjectName("dueList")
        self.area.setWidgetResizable(True)
        self.area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        enable_touch_scroll(self.area)
        lay.addWidget(self.area, 1)

    def activated(self) -> None:
        self.refresh()  # back from a patient: a chart may have been signed

    def refresh(self) -> None:
        try:
            self.items = follow_up.due_list(self.ctx.store, self.today, self.practitioner_id)
        except StoreError as exc:
            show_error(self, str(exc))
            return
        content = QWidget()
        content.setObjectName("dueContent")
        col = vbox(content, spacing=12)
        self.cards = {}
        counts = follow_up.count_due(self.items)
        for reason in Reason:
            if counts[reason]:
                self._section(col, reason, [i for i in self.items if i.reason is reason])
        if not self.items:
            empty = label("Nobody is due back, and every chart is signed.", "muted")
            empty.setObjectName("nothingDue")
            col.addWidget(empty)
        col.addStretch(1)
        self.area.setWidget(content)
        parts = [f"{r.label} {n}" for r, n in counts.items() if n]
        self.summary.setText(" · ".join(parts) if parts else "Nothing due")

    def _section(self, col: QVBoxLayout, reason: Reason, items: list[DueItem]) -> None:
        col.addWidget(label(f"{reason.label} · {len(items)}", "section"))
        cards = []
        for item in items[:SHOWN_PER_REASON]:
            card = DueCard(item)
            card.clicked.connect(lambda pid=item.patient_id: self.patient_opened.emit(pid))
            col.addWidget(card)
            cards.append(card)
        if len(items) > SHOWN_PER_REASON:
            more = len(items) - SHOWN_PER_REASON
            col.addWidget(label(f"{more} more: Export CSV lists every one.", "muted"))
        self.cards[reason] = cards

    # -- filter and export ----------------------------------------------------------------------

    def choose_practitioner(self) -> QDialog:
        choices: list[tuple[int | None, str]] = [(None, "Everyone")]
        try:
            choices += [(p.id, p.name) for p in practitioners.list_practitioners(self.ctx.store)]
        except StoreError as exc:
            show_error(self, str(exc))
        self.dialog = PractitionerChoice(self, choices, self.set_practitioner, "Whose patients?")
        self.dialog.open()
        return self.dialog

    def set_practitioner(self, practitioner_id: int | None) -> None:
        self.practitioner_id = practitioner_id
        name = "All practitioners"
        if practitioner_id is not None:
            name = practitioners.get_practitioner(self.ctx.store, practitioner_id).name
        self.who_button.setText(name)
        self.refresh()

    def export(self) -> QFileDialog:
        shown = list(self.items)
        self.save_dialog = save_csv_dialog(
            self,
            f"follow-up-{self.today.isoformat()}.csv",
            lambda path: csv_file.export_list_csv(
                self.ctx.store,
                self.ctx.practitioner.id,
                path,
                follow_up.due_csv(shown),
                list_name="follow_up",
                what="follow-up list",
                rows=len(shown),
            ),
            lambda path: self._said(f"Saved {fmt.plural(len(shown), 'row')} to {path}."),
        )
        return self.save_dialog

    def _said(self, text: str) -> None:
        self.note.setText(text)
        self.note.show()
