"""The consent step: until the patient's consent to clinical photography is recorded (one tap:
who and when are kept, ADR 0008), a bar across the screen says so and the shutter, the pedal
keys and import explain why they wait."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QWidget

from app.services import patients
from app.services.patients import PatientRecord
from app.services.store import Store
from app.store.errors import StoreError
from ui.common import format as fmt
from ui.common.widgets import button, hbox, label

WAITING = "Waiting for consent: record the patient's consent above to take photos."
REFUSED_SHUTTER = (
    "Waiting for consent: the patient's consent to clinical photography must be "
    "recorded before the first photo. Tap “Patient consents to photos”."
)


class ConsentBar(QFrame):
    """The bar that asks for consent, and its one button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("consentBar")
        row = hbox(self, margins=12, spacing=16)
        text = label(
            "Photography consent is not recorded. Ask the patient; if they agree, record it "
            "(your name and the time are kept).",
            "body",
        )
        text.setWordWrap(True)
        self.button = button("Patient consents to photos", "primary")
        self.button.setObjectName("consentButton")
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        row.addWidget(text, 1)
        row.addWidget(self.button)


def record_consent(
    store: Store, patient: PatientRecord, practitioner_id: int
) -> tuple[PatientRecord, str, bool]:
    """Record the consent; the patient as now stored, what to say, and whether it is an error."""
    try:
        patients.record_photography_consent(store, patient.id, practitioner_id)
        patient = patients.get_patient(store, patient.id)
    except StoreError as exc:
        return patient, f"Consent could not be recorded: {exc}", True
    at = patient.photography_consent_at
    return (
        patient,
        (f"Consent recorded {fmt.local_time(at)}." if at else "Consent recorded."),
        False,
    )
