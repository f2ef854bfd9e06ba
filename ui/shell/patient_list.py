"""Find a patient: a big search box that answers as you type, recent patients when it is
empty, and a big "New patient" button."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import QLineEdit, QListWidget, QListWidgetItem, QWidget

from app.services import backup_settings, follow_up, patients, unsigned
from app.services.patients import PatientRecord
from app.store.errors import StoreError
from ui.common import format as fmt
from ui.common.context import AppContext
from ui.common.dialogs import show_error
from ui.common.widgets import (
    TOUCH,
    Page,
    TapGuard,
    button,
    enable_touch_scroll,
    hbox,
    label,
    set_state,
    vbox,
)
from ui.shell.drafts_banner import DraftsBanner

SEARCH_DELAY_MS = 150  # typing a name should not run a query per keystroke
ROW_HEIGHT = 76


class PatientRow(QWidget):
    """One result: the name large, date of birth and record number beside it."""

    def __init__(self, patient: PatientRecord) -> None:
        super().__init__()
        self.setObjectName("patientRow")
        row = hbox(self, margins=0, spacing=24)
        row.setContentsMargins(20, 6, 20, 6)
        name = label(patient.display_name, "rowtitle")
        name.setObjectName("rowName")
        row.addWidget(name, 3)
        row.addWidget(label(fmt.born(patient.date_of_birth), "body"), 2)
        row.addWidget(label(patient.record_number or "—", "muted"), 1)
        # Let taps fall through to the list so it handles selection and activation.
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)


class PatientListPage(Page):
    title = "Patients"
    patient_opened = Signal(int)
    new_patient_requested = Signal()
    settings_requested = Signal()
    unsigned_requested = Signal()
    due_requested = Signal()  # the follow-up list (issue #14)
    recall_requested = Signal()
    audit_requested = Signal()  # the audit trail of the practitioner working (issue #11)
    backup_requested = Signal()

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("patientListPage")
        lay = vbox(self, margins=24, spacing=16)

        top = hbox(spacing=16)
        self.search = QLineEdit()
        self.search.setObjectName("searchBox")
        # case does not matter to search: the touch keyboard types it as it comes
        self.search.setInputMethodHints(Qt.InputMethodHint.ImhNoAutoUppercase)
        self.search.setPlaceholderText("Find a patient: a few letters of a name or record number")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumHeight(64)
        top.addWidget(self.search, 1)
        self.new_button = button("+  New patient", "primary")
        self.new_button.setObjectName("newPatientButton")
        self.new_button.setMinimumHeight(64)
        top.addWidget(self.new_button)
        # the charts waiting for this practitioner's signature or co-signature (ADR 0019)
        self.unsigned_button = button("To sign", "ghost")
        self.unsigned_button.setObjectName("unsignedButton")
        self.unsigned_button.setMinimumHeight(64)
        top.addWidget(self.unsigned_button)
        self.settings_button = button("Settings", "ghost")
        self.settings_button.setObjectName("settingsButton")
        self.settings_button.setMinimumHeight(64)
        self.settings_button.setAccessibleName("Clinic settings: soft warnings")
        top.addWidget(self.settings_button)
        self.audit_button = button("Audit trail", "ghost")
        self.audit_button.setObjectName("auditButton")
        self.audit_button.setMinimumHeight(64)
        self.audit_button.setAccessibleName("Audit trail: who did what")
        top.addWidget(self.audit_button)
        lay.addLayout(top)

        self.drafts = DraftsBanner(ctx)
        self.draft_chart_requested = self.drafts.chart_requested
        lay.addWidget(self.drafts)

        lists = hbox(spacing=16)  # the summary, and the clinic's lists at its right (issue #14)
        self.summary = label("", "heading")
        self.summary.setObjectName("resultSummary")
        lists.addWidget(self.summary, 1)
        self.due_button = button("Due", "ghost")
        self.due_button.setObjectName("dueButton")
        lists.addWidget(self.due_button)
        self.recall_button = button("Lot recall", "ghost")
        self.recall_button.setObjectName("recallButton")
        self.recall_button.setAccessibleName("Lot recall: the patients of a lot")
        lists.addWidget(self.recall_button)
        lay.addLayout(lists)

        self.results = QListWidget()
        self.results.setObjectName("patientResults")
        self.results.setUniformItemSizes(True)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        enable_touch_scroll(self.results)
        self._tap_guard = TapGuard(self.results)
        lay.addWidget(self.results, 1)

        self.empty = label("", "muted")
        self.empty.setObjectName("emptyHint")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        lay.addWidget(self.empty)

        # the last good backup's age, and a warning when it is old or the disk is missing
        # (issue #12); a tap leads to the Backup page
        self.backup_status = button("", "ghost")
        self.backup_status.setObjectName("backupStatus")
        self.backup_status.setAccessibleName("Backups: last backup and warnings")
        lay.addWidget(self.backup_status)
        self.backup_status.clicked.connect(self.backup_requested)

        self._recent_order: list[int] | None = None  # the recent rows' order, once shown
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.search.returnPressed.connect(self._open_single)
        self.results.itemClicked.connect(self._tapped)
        self.results.itemActivated.connect(self._open_item)
        self.new_button.clicked.connect(self.new_patient_requested)
        self.settings_button.clicked.connect(self.settings_requested)
        self.unsigned_button.clicked.connect(self.unsigned_requested)
        self.due_button.clicked.connect(self.due_requested)
        self.recall_button.clicked.connect(self.recall_requested)
        self.audit_button.clicked.connect(self.audit_requested)

    def activated(self) -> None:
        self.drafts.refresh()  # a chart closed unsaved above, or a draft restored and saved
        self.refresh_to_sign()  # a chart saved or signed above
        self.refresh_due()
        self.refresh_backup()
        self.refresh()  # names and "recent" may have changed on the pages above
        self.search.setFocus()

    def refresh_to_sign(self) -> None:
        """The home screen's count of charts waiting for the practitioner's signature."""
        try:
            n = unsigned.to_sign_count(self.ctx.store, self.ctx.practitioner.id)
        except StoreError:
            n = 0  # the list says why when opened; the home screen stays usable
        self.unsigned_button.setText(f"To sign · {n}" if n else "To sign")
        self.unsigned_button.setProperty("waiting", n > 0)
        self.unsigned_button.setAccessibleName(f"Charts to sign: {n}")

    def refresh_due(self) -> None:
        """The home screen's count of the follow-up list: everyone due back and every chart
        not signed, all practitioners' (the list filters by practitioner)."""
        try:
            n = follow_up.due_count(self.ctx.store)
        except StoreError:
            n = 0
        self.due_button.setText(f"Due · {n}" if n else "Due")
        self.due_button.setProperty("waiting", n > 0)
        self.due_button.setAccessibleName(f"Follow-up list: {n} due")

    def refresh_backup(self) -> None:
        try:
            status = backup_settings.status(self.ctx.store)
        except OSError:
            return
        self.backup_status.setText(status.line)
        set_state(self.backup_status, "warn", bool(status.warning))

    def refresh(self) -> None:
        self._timer.stop()
        text = self.search.text().strip()
        try:
            if text:
                found = patients.search_patients(self.ctx.store, text)
                rows, total = found.patients, found.total
                # the count stops at COUNT_CAP: say "1,000+", never a number that is not true
                count = f"{total:,}+ patients" if found.capped else fmt.plural(total, "patient")
                shown = f" (first {len(rows)} shown)" if total > len(rows) else ""
                self.summary.setText(f"{count} found{shown}")
                hint = f"No patient matches “{text}”. Check the spelling or add a new patient."
            else:
                rows = self._steady(patients.recent_patients(self.ctx.store))
                self.summary.setText("Recent patients")
                hint = "No patients yet. Tap “New patient” to add the first one."
        except StoreError as exc:
            show_error(self, str(exc))
            return
        self._fill(rows)
        self.empty.setText(hint)
        self.empty.setVisible(not rows)

    def _steady(self, recent: list[PatientRecord]) -> list[PatientRecord]:
        """The recent list keeps the order it was first shown in while the app runs: a
        clinician coming back from a patient taps the next row where it was, not the one the
        last patient pushed down. Patients new to the list (just created) come first; the
        order by last seen returns at the next start."""
        if self._recent_order is None:
            self._recent_order = [p.id for p in recent]
            return recent
        by_id = {p.id: p for p in recent}
        kept = [by_id[i] for i in self._recent_order if i in by_id]
        new = [p for p in recent if p.id not in set(self._recent_order)]
        self._recent_order = [p.id for p in new + kept]
        return new + kept

    def _fill(self, rows: list[PatientRecord]) -> None:
        self.results.clear()
        for p in rows:
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, p.id)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, p.display_name)
            item.setSizeHint(QSize(0, max(ROW_HEIGHT, TOUCH)))
            self.results.addItem(item)
            self.results.setItemWidget(item, PatientRow(p))

    def row_names(self) -> list[str]:
        """The names as shown, top to bottom."""
        return [
            self.results.item(i).data(Qt.ItemDataRole.AccessibleTextRole)
            for i in range(self.results.count())
        ]

    def _tapped(self, item: QListWidgetItem) -> None:
        if self._tap_guard.was_tap():
            self._open_item(item)

    def _open_item(self, item: QListWidgetItem) -> None:
        patient_id = int(item.data(Qt.ItemDataRole.UserRole))
        patients.mark_seen(self.ctx.store, patient_id)
        self.patient_opened.emit(patient_id)

    def _open_single(self) -> None:
        """Enter opens the only match, which is what a name plus date usually narrows to."""
        self.refresh()
        if self.results.count() == 1:
            self._open_item(self.results.item(0))
