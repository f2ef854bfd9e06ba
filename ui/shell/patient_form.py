"""New patient: names, date of birth picked by touch (year first), record number, notes.
Checks for a likely duplicate (same name and date of birth) before creating, because two
records of one person split their treatment history.

The same form corrects an existing patient's details (`editing=`): a change asks why, with
common reasons one tap away, and the old values are kept with who, when and why (issue #11)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QWidget,
)

from app.services import patients
from app.services.patients import PatientRecord
from app.store.errors import StoreError
from ui.common import format as fmt
from ui.common.context import AppContext
from ui.common.date_grid import DateField
from ui.common.dialogs import show_error
from ui.common.widgets import TOUCH, Page, button, hbox, label, vbox
from ui.shell.patient_history import DetailsReasonDialog, ask_details_reason


def _line(placeholder: str, name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setPlaceholderText(placeholder)
    edit.setMinimumHeight(TOUCH)
    return edit


class PatientFormPage(Page):
    title = "New patient"
    created = Signal(int)
    existing_chosen = Signal(int)
    saved = Signal(int)  # an existing patient's details were changed
    cancelled = Signal()

    def __init__(self, ctx: AppContext, editing: int | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.editing = patients.get_patient(ctx.store, editing) if editing is not None else None
        self.reason_dialog: DetailsReasonDialog | None = None
        self.setObjectName("patientFormPage")
        # The form scrolls when the touch keyboard takes the bottom of a 720-px screen.
        area = QScrollArea()
        area.setObjectName("patientFormScroll")
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # No flick scrolling: its press delay would swallow the first key tapped after a
        # field; the keyboard scrolls the focused field into view instead.
        vbox(self, margins=0).addWidget(area)
        body = QWidget()
        body.setObjectName("patientFormBody")
        area.setWidget(body)
        outer = hbox(body, margins=24)
        outer.addStretch(1)
        column = QWidget()
        column.setMaximumWidth(1100)
        outer.addWidget(column, 8)
        outer.addStretch(1)
        lay = vbox(column, spacing=14)

        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(6)
        self.given = _line("e.g. Zoë", "givenName")
        self.family = _line("e.g. Martin", "familyName")
        # Picked by touch, year first: typing a year needs a keyboard a tablet may not have.
        self.dob = DateField("birth", "Choose…", "Date of birth")
        self.dob.setObjectName("dateOfBirth")
        self.record = _line("Optional, e.g. FC-1042", "recordNumber")
        self.notes = QPlainTextEdit()
        self.notes.setObjectName("notes")
        self.notes.setPlaceholderText("Optional notes (allergies, preferences…)")
        self.notes.setMinimumHeight(TOUCH * 2)
        self.notes.setMaximumHeight(TOUCH * 2)
        self.notes.setTabChangesFocus(True)

        self.name_error = label("", "error")
        self.dob_error = label("", "error")
        self.name_error.setObjectName("nameError")
        self.dob_error.setObjectName("dobError")

        grid.addWidget(label("Given name", "field"), 0, 0)
        grid.addWidget(label("Family name", "field"), 0, 1)
        grid.addWidget(self.given, 1, 0)
        grid.addWidget(self.family, 1, 1)
        grid.addWidget(self.name_error, 2, 0, 1, 2)
        grid.addWidget(label("Date of birth", "field"), 3, 0)
        grid.addWidget(label("Record number", "field"), 3, 1)
        grid.addWidget(self.dob, 4, 0)
        grid.addWidget(self.record, 4, 1)
        grid.addWidget(self.dob_error, 5, 0, 1, 2)
        grid.addWidget(label("Notes", "field"), 6, 0)
        grid.addWidget(self.notes, 7, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        lay.addLayout(grid)

        self.duplicate_panel = QFrame()
        self.duplicate_panel.setObjectName("duplicateWarning")
        dup = vbox(self.duplicate_panel, margins=16, spacing=10)
        self.duplicate_text = label("", "body")
        self.duplicate_text.setObjectName("duplicateText")
        self.duplicate_text.setWordWrap(True)
        dup.addWidget(self.duplicate_text)
        self.duplicate_buttons = hbox(spacing=12)
        dup.addLayout(self.duplicate_buttons)
        self.duplicate_panel.hide()
        lay.addWidget(self.duplicate_panel)

        lay.addStretch(1)
        actions = hbox(spacing=16)
        actions.addStretch(1)
        self.cancel_button = button("Cancel", "secondary")
        self.save_button = button("Create patient", "primary")
        self.save_button.setObjectName("savePatient")
        self.cancel_button.setMinimumWidth(160)
        self.save_button.setMinimumWidth(240)
        actions.addWidget(self.cancel_button)
        actions.addWidget(self.save_button)
        lay.addLayout(actions)

        self.cancel_button.clicked.connect(self.cancelled)
        self.save_button.clicked.connect(lambda: self.save(confirmed_new=False))
        for edit in (self.given, self.family):
            edit.textChanged.connect(self._details_changed)
        self.dob.changed.connect(lambda _d: self._details_changed())
        if self.editing is not None:
            self._fill(self.editing)

    # -- correcting an existing patient -------------------------------------------------------

    def _fill(self, p: PatientRecord) -> None:
        self.title = "Patient details"
        self.given.setText(p.given_name)
        self.family.setText(p.family_name)
        self.dob.set_value(p.date_of_birth)
        self.record.setText(p.record_number or "")
        self.notes.setPlainText(p.notes)
        self.save_button.setText("Save changes")

    def _save_changes(self, given: str, family: str, dob: date) -> None:
        """Nothing changed: back to the patient. Otherwise ask why, then save."""
        assert self.editing is not None
        before = self.editing
        after = {
            "given_name": given,
            "family_name": family,
            "date_of_birth": dob.isoformat(),
            "record_number": self.record.text().strip(),
            "notes": self.notes.toPlainText().strip(),
        }
        was = {
            "given_name": before.given_name,
            "family_name": before.family_name,
            "date_of_birth": before.date_of_birth.isoformat(),
            "record_number": before.record_number or "",
            "notes": before.notes,
        }
        changes = [(f, was[f], after[f]) for f in after if after[f] != was[f]]
        if not changes:
            self.saved.emit(before.id)
            return
        self.reason_dialog = ask_details_reason(
            self, changes, lambda reason: self._store_changes(given, family, dob, reason)
        )

    def _store_changes(self, given: str, family: str, dob: date, reason: str) -> None:
        assert self.editing is not None
        try:
            patients.update_patient(
                self.ctx.store,
                self.editing.id,
                given,
                family,
                dob,
                self.record.text().strip() or None,
                self.notes.toPlainText().strip(),
                reason=reason,
                actor_id=self.ctx.practitioner.id,
            )
        except ValueError as exc:
            self.name_error.setText(str(exc))
            return
        except StoreError as exc:
            show_error(self, str(exc))
            return
        self.saved.emit(self.editing.id)

    def activated(self) -> None:
        self.given.setFocus()

    def set_date_of_birth(self, d: date) -> None:
        self.dob.set_value(d)

    # -- checks ---------------------------------------------------------------------------------

    def _details_changed(self) -> None:
        # A warning about other details than those on screen would mislead.
        self.duplicate_panel.hide()

    def _date_of_birth(self) -> date | None:
        """The date chosen, or None with the reason shown under the field. The picker offers
        no day that cannot be (30 February, a birthday in the future)."""
        if self.dob.value is None:
            self.dob_error.setText("Choose the date of birth: year, month and day.")
            return None
        return self.dob.value

    def _validated(self) -> tuple[str, str, date] | None:
        self.name_error.setText("")
        self.dob_error.setText("")
        given, family = self.given.text().strip(), self.family.text().strip()
        ok = True
        if not (given or family):  # one name is enough: some people have only one
            self.name_error.setText("Enter the patient's name.")
            ok = False
        dob = self._date_of_birth()
        return (given, family, dob) if ok and dob else None

    # -- saving ---------------------------------------------------------------------------------

    def save(self, confirmed_new: bool) -> None:
        checked = self._validated()
        if checked is None:
            return
        given, family, dob = checked
        if self.editing is not None:
            self._save_changes(given, family, dob)
            return
        try:
            if not confirmed_new:
                same = patients.likely_duplicates(self.ctx.store, given, family, dob)
                if same:
                    self._warn_duplicates(same)
                    return
            record = patients.create_patient(
                self.ctx.store,
                given,
                family,
                dob,
                record_number=self.record.text().strip() or None,
                notes=self.notes.toPlainText().strip(),
                actor_id=self.ctx.practitioner.id,
            )
        except ValueError as exc:
            self.name_error.setText(str(exc))
            return
        except StoreError as exc:
            show_error(self, str(exc))
            return
        patients.mark_seen(self.ctx.store, record.id)
        self.created.emit(record.id)

    def _warn_duplicates(self, same: list[PatientRecord]) -> None:
        who = "; ".join(
            f"{p.display_name}, born {fmt.day(p.date_of_birth)}"
            + (f" (record {p.record_number})" if p.record_number else "")
            for p in same
        )
        many = len(same) > 1
        self.duplicate_text.setText(
            f"{'Patients' if many else 'A patient'} with the same name and date of birth already "
            f"exist{'' if many else 's'}: {who}. Is this the same person?"
        )
        while (item := self.duplicate_buttons.takeAt(0)) is not None:
            if gone := item.widget():
                gone.deleteLater()
        for p in same[:3]:
            b = button(f"Open {p.display_name}" if many else "Open that patient", "primary")
            b.setObjectName("openDuplicate")
            b.clicked.connect(lambda _c=False, pid=p.id: self._open_existing(pid))
            self.duplicate_buttons.addWidget(b)
        anyway = button("Create anyway", "secondary")
        anyway.setObjectName("createAnyway")
        anyway.clicked.connect(lambda: self.save(confirmed_new=True))
        self.duplicate_buttons.addWidget(anyway)
        self.duplicate_buttons.addStretch(1)
        self.duplicate_panel.show()

    def _open_existing(self, patient_id: int) -> None:
        patients.mark_seen(self.ctx.store, patient_id)
        self.existing_chosen.emit(patient_id)
