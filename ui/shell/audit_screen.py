"""The audit trail on screen (issue #11): who did what, newest first, in words ("09:12 Dr A
opened the record"), under a heading per day. Reached per patient from the patient page ("Who
opened this record") and per practitioner from the patients screen; filtered by practitioner
and by a date range picked by touch; scrolled by a finger, older events loading as the list
reaches its end; exported as CSV. What a practitioner may see is decided by the service
(app/services/audit_trail.py), never here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFrame, QWidget

from app.services import audit_trail, patients
from app.services.audit_trail import AuditEntry, AuditFilter
from app.store.errors import StoreError
from ui.common import format as fmt
from ui.common.context import AppContext
from ui.common.date_grid import DateField
from ui.common.dialogs import show_error
from ui.common.widgets import Page, button, hbox, label, scroll_body, vbox
from ui.shell.audit_export_dialog import AuditExportDialog, export_dialog

LOAD_MORE_MARGIN = 200  # px from the end of the list: the next page loads before it shows


def _local_start(d: date) -> datetime:
    return datetime.combine(d, time()).astimezone()


class EventRow(QFrame):
    """One event: its time, and who did what (with the patient, when the list is not one
    patient's)."""

    def __init__(self, entry: AuditEntry, with_patient: bool) -> None:
        super().__init__()
        self.setObjectName("auditRow")
        self.entry = entry
        row = hbox(self, margins=0, spacing=16)
        row.setContentsMargins(8, 6, 8, 6)
        at = label(entry.at.astimezone().strftime("%H:%M"), "rowtitle")
        at.setObjectName("auditTime")
        at.setAlignment(Qt.AlignmentFlag.AlignTop)
        at.setMinimumWidth(72)
        row.addWidget(at)
        text = entry.sentence()
        if with_patient and entry.patient:
            text += f" · {entry.patient}"
        self.words = label(text, "body")
        self.words.setObjectName("auditWords")
        self.words.setWordWrap(True)
        row.addWidget(self.words, 1)


class PractitionerChoice(QDialog):
    """Whose events to list: everyone, or one practitioner, as big buttons."""

    def __init__(
        self,
        parent: QWidget,
        choices: list[tuple[int | None, str]],
        on_pick: Callable[[int | None], None],
        question: str = "Whose actions?",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("practitionerChoice")
        self.setWindowTitle("Practitioner")
        self.setModal(True)
        self.setMinimumWidth(480)
        lay = vbox(self, margins=24, spacing=10)
        lay.addWidget(label(question, "heading"))
        area, col = scroll_body(margins=0, spacing=8)
        for pid, name in choices:
            b = button(name, "secondary")
            b.setObjectName(f"practitioner_{pid if pid is not None else 'all'}")
            b.clicked.connect(lambda _c=False, p=pid: self._pick(p))
            col.addWidget(b)
        col.addStretch(1)
        lay.addWidget(area, 1)
        cancel = button("Cancel", "secondary")
        cancel.clicked.connect(self.reject)
        lay.addWidget(cancel, 0, Qt.AlignmentFlag.AlignRight)
        self._on_pick = on_pick
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def _pick(self, practitioner_id: int | None) -> None:
        self.accept()
        self._on_pick(practitioner_id)


class AuditScreen(Page):
    title = "Audit trail"

    def __init__(
        self, ctx: AppContext, patient_id: int | None = None, actor_id: int | None = None
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("auditScreen")
        self.patient_id = patient_id
        self.actor_id = actor_id
        self.patient_name = (
            patients.get_patient(ctx.store, patient_id).display_name if patient_id else ""
        )
        self.names = dict(audit_trail.practitioners_seen(ctx.store, ctx.practitioner.id))
        self.entries: list[AuditEntry] = []
        self.next_before: int | None = None
        self.dialog: QDialog | None = None
        self.export: AuditExportDialog | None = None

        lay = vbox(self, margins=24, spacing=12)
        top = hbox(spacing=16)
        self.heading = label("", "heading")
        self.heading.setObjectName("auditHeading")
        self.heading.setWordWrap(True)
        top.addWidget(self.heading, 1)
        self.export_button = button("Export CSV", "primary")
        self.export_button.setObjectName("exportAudit")
        self.export_button.setMinimumWidth(180)
        top.addWidget(self.export_button)
        lay.addLayout(top)

        filters = hbox(spacing=12)
        self.practitioner_button = button("", "field")
        self.practitioner_button.setObjectName("auditPractitioner")
        self.since = DateField("past", "From: any day", "Events from", clearable=True)
        self.since.setObjectName("auditSince")
        self.until = DateField("past", "To: today", "Events up to", clearable=True)
        self.until.setObjectName("auditUntil")
        self.all_patients = button("All patients", "ghost")
        self.all_patients.setObjectName("auditAllPatients")
        self.all_patients.setVisible(patient_id is not None)
        for w in (self.practitioner_button, self.since, self.until):
            w.setMinimumWidth(220)
            filters.addWidget(w)
        filters.addWidget(self.all_patients)
        filters.addStretch(1)
        lay.addLayout(filters)

        self.area, self.column = scroll_body(
            "auditList", margins=0, spacing=4, inner_name="auditListBody"
        )
        lay.addWidget(self.area, 1)
        self.column.addStretch(1)
        self.more = button("Show older events", "ghost")
        self.more.setObjectName("auditMore")
        self.more.hide()

        self.export_button.clicked.connect(self.open_export)
        self.practitioner_button.clicked.connect(self.choose_practitioner)
        self.since.changed.connect(lambda _d: self.reload())
        self.until.changed.connect(lambda _d: self.reload())
        self.all_patients.clicked.connect(self.show_all_patients)
        self.more.clicked.connect(self.load_more)
        self.area.verticalScrollBar().valueChanged.connect(self._scrolled)
        self.reload()

    # -- what is listed -----------------------------------------------------------------------

    def query(self) -> AuditFilter:
        since = _local_start(self.since.value) if self.since.value else None
        until = _local_start(self.until.value + timedelta(days=1)) if self.until.value else None
        return AuditFilter(self.patient_id, self.actor_id, since, until)

    def _say(self) -> None:
        who = self.names.get(self.actor_id or -1, "") if self.actor_id else ""
        if self.patient_id is not None:
            text = f"Who opened this record: {self.patient_name}"
            if who:
                text += f", by {who}"
        elif who:
            text = f"Actions of {who}"
        else:
            text = "Everything you may see"
        self.heading.setText(text)
        self.practitioner_button.setText(f"Practitioner: {who or 'everyone'}")

    def reload(self) -> None:
        self._say()
        self.entries, self.next_before = [], None
        while (item := self.column.takeAt(0)) is not None:
            w = item.widget()
            if w is not None and w is not self.more:
                w.deleteLater()
        self.column.addWidget(self.more)
        self.column.addStretch(1)
        self._load(None)

    def load_more(self) -> None:
        if self.next_before is not None:
            self._load(self.next_before)

    def _scrolled(self, value: int) -> None:
        bar = self.area.verticalScrollBar()
        if self.next_before is not None and value >= bar.maximum() - LOAD_MORE_MARGIN:
            self.load_more()

    def _load(self, before: int | None) -> None:
        try:
            page = audit_trail.events(
                self.ctx.store, self.ctx.practitioner.id, self.query(), before=before
            )
        except StoreError as exc:
            show_error(self, str(exc))
            return
        at = self.column.indexOf(self.more)
        last_day = self.entries[-1].at.astimezone().date() if self.entries else None
        for e in page.entries:
            day = e.at.astimezone().date()
            if day != last_day:
                heading = label(fmt.day(day), "section")
                heading.setObjectName("auditDay")
                self.column.insertWidget(at, heading)
                at += 1
                last_day = day
            self.column.insertWidget(at, EventRow(e, self.patient_id is None))
            at += 1
        self.entries += page.entries
        self.next_before = page.next_before
        self.more.setVisible(page.next_before is not None)
        if not self.entries:
            empty = label("No events to show for this choice.", "muted")
            empty.setObjectName("auditEmpty")
            self.column.insertWidget(at, empty)

    def lines(self) -> list[str]:
        """The events as listed, "09:12 Dr A opened the record" (for tests and screen readers)."""
        return [f"{e.at.astimezone():%H:%M} {e.sentence()}" for e in self.entries]

    # -- filters ------------------------------------------------------------------------------

    def choose_practitioner(self) -> QDialog:
        choices: list[tuple[int | None, str]] = [(None, "Everyone")]
        choices += list(self.names.items())
        self.dialog = PractitionerChoice(self, choices, self.set_actor)
        self.dialog.open()
        return self.dialog

    def set_actor(self, actor_id: int | None) -> None:
        self.actor_id = actor_id
        self.reload()

    def show_all_patients(self) -> None:
        self.patient_id, self.patient_name = None, ""
        self.all_patients.hide()
        self.reload()

    def open_export(self) -> AuditExportDialog:
        self.export = export_dialog(self, self.ctx.store, self.ctx.practitioner.id, self.query())
        return self.export
