"""A patient: name and date of birth always on top, "New visit", and the visit timeline."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QScrollArea, QWidget

from app.domain import roles
from app.domain.values import TreatmentType
from app.services import patient_history, patients, signoff, visits
from app.services.glance import course_depths, toxin_glance
from app.services.room_news import RoomNews
from app.services.visits import TimelineEntry
from app.store.errors import StoreError
from ui.common import format as fmt
from ui.common.context import AppContext
from ui.common.dialogs import show_error
from ui.common.widgets import (
    Page,
    PatientBanner,
    button,
    enable_touch_scroll,
    hbox,
    label,
    vbox,
)
from ui.shell.glance import GlanceDialog
from ui.shell.new_visit_dialog import NewVisitDialog
from ui.shell.patient_history import PatientHistoryDialog, summary_line
from ui.shell.room_banner import RoomBanner
from ui.shell.timeline import VisitCard


class PatientPage(Page):
    title = "Patient"
    visit_opened = Signal(int)
    audit_requested = Signal()  # "Who opened this record"
    edit_requested = Signal()  # correct the details (a change asks why)
    export_requested = Signal()  # this patient's records to an archive (admin, issue #12)

    def __init__(self, ctx: AppContext, patient_id: int) -> None:
        super().__init__()
        self.ctx = ctx
        self.patient = patients.get_patient(ctx.store, patient_id)
        self.setObjectName("patientPage")
        lay = vbox(self, margins=0, spacing=0)
        self.banner = PatientBanner(self.patient)
        self.new_visit_button = button("+  New visit", "primary")
        self.new_visit_button.setObjectName("newVisitButton")
        self.banner.add_button(self.new_visit_button)
        lay.addWidget(self.banner)

        body = vbox(margins=24, spacing=12)
        lay.addLayout(body, 1)
        self.room_banner = RoomBanner()  # another room's photo, visit or chart (issue #13)
        body.addWidget(self.room_banner)
        top = hbox(spacing=12)
        self.summary = label("", "heading")
        self.summary.setObjectName("timelineSummary")
        top.addWidget(self.summary, 1)
        self.edit_button = button("Edit details", "ghost")
        self.edit_button.setObjectName("editDetailsButton")
        self.audit_button = button("Who opened this record", "ghost")
        self.audit_button.setObjectName("patientAuditButton")
        self.glance_button = button("At a glance", "ghost")
        self.glance_button.setObjectName("glanceButton")
        top.addWidget(self.glance_button)
        top.addWidget(self.edit_button)
        top.addWidget(self.audit_button)
        self.export_button = button("Export", "ghost")
        self.export_button.setObjectName("patientExportButton")
        self.export_button.setVisible(roles.may_administer(ctx.practitioner.role))
        top.addWidget(self.export_button)
        body.addLayout(top)
        self.notes = label(self.patient.notes, "muted")
        self.notes.setObjectName("patientNotes")
        self.notes.setWordWrap(True)
        self.notes.setVisible(bool(self.patient.notes))
        body.addWidget(self.notes)
        # the newest change of the details; tapped, every change (issue #11)
        history = hbox(spacing=12)
        self.history_line = label("", "muted")
        self.history_line.setObjectName("detailsHistoryLine")
        self.history_line.setWordWrap(True)
        self.history_button = button("Details history", "ghost")
        self.history_button.setObjectName("detailsHistoryButton")
        history.addWidget(self.history_line, 1)
        history.addWidget(self.history_button)
        body.addLayout(history)
        # hidden until there is a history: hiding a shown button as the page comes to the
        # front made the offscreen platform drop the window's focus on the next touch
        self.history_line.hide()
        self.history_button.hide()
        self.history: list[patient_history.DetailChange] = []
        self.history_dialog: PatientHistoryDialog | None = None

        self.scroll_area = QScrollArea()
        self.scroll_area.setObjectName("timeline")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        enable_touch_scroll(self.scroll_area)
        body.addWidget(self.scroll_area, 1)

        self.entries: list[TimelineEntry] = []
        self.cards: list[VisitCard] = []
        self.new_visit_button.clicked.connect(self.ask_new_visit)
        self.dialog: NewVisitDialog | None = None
        self.edit_button.clicked.connect(self.edit_requested)
        self.audit_button.clicked.connect(self.audit_requested)
        self.export_button.clicked.connect(self.export_requested)
        self.history_button.clicked.connect(self.show_history)
        self.glance_button.clicked.connect(self.show_glance)
        self.glance_dialog: GlanceDialog | None = None

    def activated(self) -> None:
        self.refresh()  # a visit may have been charted or entered in error meanwhile
        self.refresh_details()  # or the details corrected

    def refresh_details(self) -> None:
        try:
            self.patient = patients.get_patient(self.ctx.store, self.patient.id)
            self.history = patient_history.detail_history(self.ctx.store, self.patient.id)
        except StoreError as exc:
            show_error(self, str(exc))
            return
        self.banner.show_patient(self.patient)
        self.notes.setText(self.patient.notes)
        if self.notes.isHidden() == bool(self.patient.notes):
            self.notes.setVisible(bool(self.patient.notes))
        self.history_line.setText(summary_line(self.history))
        if self.history_button.isHidden() == bool(self.history):  # only when it changes
            self.history_line.setVisible(bool(self.history))
            self.history_button.setVisible(bool(self.history))

    def show_history(self) -> PatientHistoryDialog:
        self.history_dialog = PatientHistoryDialog(self, self.patient.display_name, self.history)
        self.history_dialog.destroyed.connect(lambda: setattr(self, "history_dialog", None))
        self.history_dialog.open()
        return self.history_dialog

    def show_glance(self) -> GlanceDialog | None:
        try:
            glance = toxin_glance(self.ctx.store, self.patient.id)
            courses = course_depths(self.ctx.store, self.patient.id)
        except StoreError as exc:
            show_error(self, str(exc))
            return None
        names = {code: self.ctx.product_name(code) for code in glance.products}
        line = f"{self.patient.display_name}, born {fmt.day(self.patient.date_of_birth)}"
        self.glance_dialog = GlanceDialog(
            self, line, glance, names, courses, (self.ctx.store, self.patient.id)
        )
        self.glance_dialog.destroyed.connect(lambda: setattr(self, "glance_dialog", None))
        self.glance_dialog.open()
        return self.glance_dialog

    def room_news(self, found: list[RoomNews]) -> None:
        """Another room's change for this patient: the timeline refreshes by itself (nothing
        is typed here that it could lose) and the banner says what changed."""
        pid = self.patient.id
        self.room_banner.take(found, lambda n: n.patient_id == pid, self.refresh, "a chart")

    def refresh(self) -> None:
        self.room_banner.mark_read(self.ctx.store)
        try:
            self.entries = visits.timeline(self.ctx.store, self.patient.id)
            heads = signoff.head_states(self.ctx.store, [e.visit.id for e in self.entries])
        except StoreError as exc:
            show_error(self, str(exc))
            return
        dates = {e.visit.id: fmt.day(e.visit.visit_date) for e in self.entries}
        charted = [(e.visit.visit_date, e.visit.id, e.visit.treatment_type)
                   for e in self.entries if e.version_count > 0]  # fmt: skip
        content = QWidget()
        content.setObjectName("timelineContent")
        col = vbox(content, spacing=12)
        self.cards = []
        for e in self.entries:
            v = e.visit
            repeat = any(  # a later treatment of a kind charted before (not a touch-up)
                t == v.treatment_type and (d, i) < (v.visit_date, v.id) for d, i, t in charted
            )
            card = VisitCard(
                self.ctx, e, dates.get(v.touch_up_of_id or -1), repeat, heads.get(e.visit.id)
            )
            card.clicked.connect(lambda vid=e.visit.id: self.visit_opened.emit(vid))
            col.addWidget(card)
            self.cards.append(card)
        if not self.entries:
            empty = label("No visits yet. Tap “New visit” to start one.", "muted")
            empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
            col.addWidget(empty)
        col.addStretch(1)
        self.scroll_area.setWidget(content)  # replaces (and deletes) the previous cards
        self.summary.setText(f"Visits ({len(self.entries)})" if self.entries else "Visits")

    def ask_new_visit(self) -> None:
        self.dialog = NewVisitDialog(self, self.entries, self.start_visit)
        self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog.destroyed.connect(lambda: setattr(self, "dialog", None))
        self.dialog.open()

    def start_visit(
        self, treatment: TreatmentType, touch_up_of: int | None, visit_date: date | None = None
    ) -> None:
        try:
            visit = visits.start_visit(
                self.ctx.store,
                self.patient.id,
                self.ctx.practitioner.id,
                treatment,
                visit_date,
                touch_up_of_id=touch_up_of,
            )
        except StoreError as exc:
            show_error(self, str(exc))
            return
        self.refresh()
        self.visit_opened.emit(visit.id)
