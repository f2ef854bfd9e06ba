"""Patients: create, find by a few letters of a name, recent ones, likely duplicates."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypedDict

from sqlalchemy import delete, func, insert, intersect, select

from app.domain.names import name_key, tokens
from app.domain.values import utcnow
from app.store.database import Store
from app.store.errors import NotFoundError, StoreError
from app.store.schema import Patient, PatientSearchToken

# Upper bound of a prefix range: above every character, so [p, p + TOP) holds all "p…" keys.
_TOP = "\U0010ffff"


@dataclass(frozen=True, slots=True)
class PatientRecord:
    id: int
    given_name: str
    family_name: str
    date_of_birth: date
    record_number: str | None
    notes: str
    photography_consent_at: datetime | None

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    @classmethod
    def of(cls, p: Patient) -> PatientRecord:
        return cls(
            p.id,
            p.given_name,
            p.family_name,
            p.date_of_birth,
            p.record_number,
            p.notes,
            p.photography_consent_at,
        )


@dataclass(frozen=True, slots=True)
class SearchResult:
    patients: list[PatientRecord]
    total: int  # all matches, of which `patients` holds the first `limit` by name


def _search_tokens(given: str, family: str, record_number: str | None) -> set[str]:
    words = set(tokens(given)) | set(tokens(family))
    if record_number:
        words |= set(tokens(record_number))
    return words


def _checked_names(given_name: str, family_name: str, date_of_birth: date) -> tuple[str, str]:
    given_name, family_name = given_name.strip(), family_name.strip()
    if not (given_name or family_name):
        raise ValueError("A patient needs a name.")
    if date_of_birth > date.today():
        raise ValueError("The date of birth is in the future.")
    return given_name, family_name


def create_patient(
    store: Store,
    given_name: str,
    family_name: str,
    date_of_birth: date,
    record_number: str | None = None,
    notes: str = "",
) -> PatientRecord:
    given_name, family_name = _checked_names(given_name, family_name, date_of_birth)
    with store.write() as s:
        patient = Patient(
            given_name=given_name,
            family_name=family_name,
            date_of_birth=date_of_birth,
            record_number=(record_number or "").strip() or None,
            notes=notes,
            name_key=name_key(given_name, family_name),
        )
        s.add(patient)
        s.flush()
        s.add_all(
            PatientSearchToken(token=t, patient_id=patient.id)
            for t in _search_tokens(given_name, family_name, patient.record_number)
        )
        return PatientRecord.of(patient)


@dataclass(frozen=True, slots=True)
class NewPatient:
    given_name: str
    family_name: str
    date_of_birth: date
    record_number: str | None = None
    notes: str = ""


class _PatientRow(TypedDict):
    """One row of create_patients' bulk INSERT (the Patient columns it sets)."""

    given_name: str
    family_name: str
    date_of_birth: date
    record_number: str | None
    notes: str
    name_key: str


def create_patients(store: Store, new: Iterable[NewPatient]) -> list[int]:
    """Create many patients in one transaction (an import from another system), with the same
    checks and search tokens as `create_patient`; returns their ids in the given order. All or
    nothing: one bad row leaves the database unchanged."""
    rows: list[_PatientRow] = []
    for p in new:
        given, family = _checked_names(p.given_name, p.family_name, p.date_of_birth)
        rows.append(
            {
                "given_name": given,
                "family_name": family,
                "date_of_birth": p.date_of_birth,
                "record_number": (p.record_number or "").strip() or None,
                "notes": p.notes,
                "name_key": name_key(given, family),
            }
        )
    if not rows:
        return []
    with store.write() as s:
        # Core-style bulk INSERT … RETURNING: batched statements instead of one ORM object and
        # one round trip per patient, so a 100,000-patient import takes seconds, not minutes.
        ids = list(
            s.scalars(insert(Patient).returning(Patient.id, sort_by_parameter_order=True), rows)
        )
        token_rows = [
            {"token": t, "patient_id": pid}
            for pid, r in zip(ids, rows, strict=True)
            for t in _search_tokens(r["given_name"], r["family_name"], r["record_number"])
        ]
        if token_rows:
            s.execute(insert(PatientSearchToken), token_rows)
    return ids


def update_patient(
    store: Store,
    patient_id: int,
    given_name: str,
    family_name: str,
    date_of_birth: date,
    record_number: str | None,
    notes: str,
) -> PatientRecord:
    with store.write() as s:
        patient = s.get(Patient, patient_id)
        if patient is None:
            raise NotFoundError(f"No patient {patient_id}.")
        patient.given_name, patient.family_name = given_name.strip(), family_name.strip()
        patient.date_of_birth = date_of_birth
        patient.record_number = (record_number or "").strip() or None
        patient.notes = notes
        patient.name_key = name_key(patient.given_name, patient.family_name)
        s.execute(delete(PatientSearchToken).where(PatientSearchToken.patient_id == patient_id))
        s.add_all(
            PatientSearchToken(token=t, patient_id=patient_id)
            for t in _search_tokens(patient.given_name, patient.family_name, patient.record_number)
        )
        return PatientRecord.of(patient)


def likely_duplicates(
    store: Store, given_name: str, family_name: str, date_of_birth: date
) -> list[PatientRecord]:
    """Patients with the same date of birth and the same name (accents, case and the order of
    given and family name ignored)."""
    keys = {name_key(given_name, family_name), name_key(family_name, given_name)}
    with store.read() as s:
        rows = s.scalars(
            select(Patient).where(
                Patient.date_of_birth == date_of_birth, Patient.name_key.in_(keys)
            )
        ).all()
        return [PatientRecord.of(p) for p in rows]


def search_patients(store: Store, query: str, limit: int = 50) -> SearchResult:
    """Patients whose name (or record number) has a word starting with each word of `query`."""
    words = sorted(set(tokens(query)), key=len, reverse=True)
    if not words:
        return SearchResult([], 0)
    selects = [
        select(PatientSearchToken.patient_id).where(
            PatientSearchToken.token >= w, PatientSearchToken.token < w + _TOP
        )
        for w in words
    ]
    # distinct: "jo" must count Jonas Johansson once, not once per matching word
    ids = (selects[0].distinct() if len(selects) == 1 else intersect(*selects)).subquery()
    with store.read() as s:
        total = s.scalar(select(func.count()).select_from(ids)) or 0
        rows = s.scalars(
            select(Patient)
            .where(Patient.id.in_(select(ids.c[0])))
            .order_by(Patient.family_name, Patient.given_name, Patient.id)
            .limit(limit)
        ).all()
        return SearchResult([PatientRecord.of(p) for p in rows], total)


def recent_patients(store: Store, limit: int = 12) -> list[PatientRecord]:
    with store.read() as s:
        rows = s.scalars(
            select(Patient).order_by(Patient.last_seen_at.desc(), Patient.id.desc()).limit(limit)
        ).all()
        return [PatientRecord.of(p) for p in rows]


def get_patient(store: Store, patient_id: int) -> PatientRecord:
    with store.read() as s:
        patient = s.get(Patient, patient_id)
        if patient is None:
            raise NotFoundError(f"No patient {patient_id}.")
        return PatientRecord.of(patient)


def mark_seen(store: Store, patient_id: int) -> None:
    """Move a patient to the top of "recent". Best effort: a read-only database still opens."""
    try:
        with store.write() as s:
            patient = s.get(Patient, patient_id)
            if patient is not None:
                patient.last_seen_at = utcnow()
    except StoreError:
        pass


def record_photography_consent(store: Store, patient_id: int, practitioner_id: int) -> None:
    with store.write() as s:
        patient = s.get(Patient, patient_id)
        if patient is None:
            raise NotFoundError(f"No patient {patient_id}.")
        patient.photography_consent_at = utcnow()
        patient.photography_consent_by_id = practitioner_id
