"""A patient's details keep their history (issue #11): every change of name, date of birth,
record number or notes is kept as one PatientDetailChange row per field, with the old and new
value, who, when and why. `patients.update_patient` writes them; this module lists them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.store.database import Store
from app.store.schema import PatientDetailChange

# The details whose changes are kept (PatientDetailChange.field), with their words.
DETAIL_FIELDS = {
    "given_name": "given name",
    "family_name": "family name",
    "date_of_birth": "date of birth",
    "record_number": "record number",
    "notes": "notes",
}
# Reasons offered with one tap when details change (any other can be typed).
COMMON_REASONS = (
    "Spelling corrected",
    "Name changed",
    "Wrong date of birth entered",
    "Record number corrected",
    "Notes updated",
)


@dataclass(frozen=True, slots=True)
class DetailChange:
    field: str  # a key of DETAIL_FIELDS
    old_value: str
    new_value: str
    reason: str
    changed_at: datetime
    changed_by: str

    @property
    def field_words(self) -> str:
        return DETAIL_FIELDS.get(self.field, self.field.replace("_", " "))


def detail_history(store: Store, patient_id: int) -> list[DetailChange]:
    """Every kept change of a patient's details, newest first."""
    with store.read() as s:
        rows = s.scalars(
            select(PatientDetailChange)
            .where(PatientDetailChange.patient_id == patient_id)
            .order_by(PatientDetailChange.changed_at.desc(), PatientDetailChange.id.desc())
        ).all()
        return [
            DetailChange(
                r.field,
                r.old_value,
                r.new_value,
                r.reason,
                r.changed_at,
                r.changed_by.name if r.changed_by else "",
            )
            for r in rows
        ]
