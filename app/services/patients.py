"""Patients: create, find by a few letters of a name, recent ones, likely duplicates."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypedDict

from sqlalchemy import ColumnElement, Select, delete, exists, func, insert, select
from sqlalchemy.orm import Session, aliased

from app.domain.names import name_key, query_words, search_keys
from app.domain.values import utcnow
from app.services.patient_history import DETAIL_FIELDS
from app.store import audit_log
from app.store.database import Store
from app.store.errors import NotFoundError, StoreError
from app.store.schema import Patient, PatientDetailChange, PatientLink, PatientSearchToken

# Upper bound of a prefix range: above every character, so [p, p + TOP) holds all "p…" keys.
_TOP = "\U0010ffff"
# A word's first 1 … PREFIX_KEYS letters are search keys of their own (ADR 0005): the shortest
# searches match the most patients, and as one key their rows come off the index in list order.
PREFIX_KEYS = 2
# Matches are counted up to this many; a search finding more says "1,000+" (type more letters).
COUNT_CAP = 1000


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


# PatientRecord's fields, in its order
_RECORD_COLUMNS = (
    Patient.id,
    Patient.given_name,
    Patient.family_name,
    Patient.date_of_birth,
    Patient.record_number,
    Patient.notes,
    Patient.photography_consent_at,
)


@dataclass(frozen=True, slots=True)
class SearchResult:
    patients: list[PatientRecord]
    total: int  # all matches, of which `patients` holds the first `limit` by name...
    capped: bool = False  # ...or, when True, COUNT_CAP of more: counting them all is slow


def _search_tokens(given: str, family: str, record_number: str | None) -> set[str]:
    """The search keys of a patient: every folded word, and each word's first letters."""
    words = search_keys(given) | search_keys(family)
    if record_number:
        words |= search_keys(record_number)
    return words | {w[:n] for w in words for n in range(1, PREFIX_KEYS + 1) if len(w) > n}


def _token_rows(
    patient_id: int, given: str, family: str, record_number: str | None
) -> list[dict[str, object]]:
    return [
        {"token": t, "patient_id": patient_id, "family_name": family, "given_name": given}
        for t in _search_tokens(given, family, record_number)
    ]


def _refuse_control_characters(**fields: str | None) -> None:
    """Names and record numbers are one line of printable text; notes may have line breaks
    but no NUL, which PostgreSQL refuses deep in the driver (SQLite would keep it): the same
    clear message on both."""
    for label, value in fields.items():
        if not value:
            continue
        allowed = "\n\r\t" if label == "notes" else ""
        if any(unicodedata.category(c) == "Cc" and c not in allowed for c in value):
            raise ValueError(
                f"The patient's {label.replace('_', ' ')} contains a control character "
                "(such as NUL), which cannot be saved; type it again."
            )


def _checked_names(
    given_name: str,
    family_name: str,
    date_of_birth: date,
    record_number: str | None = None,
    notes: str = "",
) -> tuple[str, str]:
    _refuse_control_characters(
        given_name=given_name, family_name=family_name, record_number=record_number, notes=notes
    )
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
    *,
    actor_id: int | None = None,
) -> PatientRecord:
    given_name, family_name = _checked_names(
        given_name, family_name, date_of_birth, record_number, notes
    )
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
        s.execute(
            insert(PatientSearchToken),
            _token_rows(patient.id, given_name, family_name, patient.record_number),
        )
        audit_log.append(
            s, "patient_created", actor_id, patient_id=patient.id, subject=f"patient:{patient.id}"
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


def create_patients(
    store: Store, new: Iterable[NewPatient], *, actor_id: int | None = None
) -> list[int]:
    """Create many patients in one transaction (an import from another system), with the same
    checks and search tokens as `create_patient`; returns their ids in the given order. All or
    nothing: one bad row leaves the database unchanged. The audit trail gets one event for the
    import, not one per patient: a 100,000-patient import is one action."""
    rows: list[_PatientRow] = []
    names: list[tuple[str, str, str | None]] = []  # typed copies for the search keys
    for p in new:
        given, family = _checked_names(
            p.given_name, p.family_name, p.date_of_birth, p.record_number, p.notes
        )
        number = (p.record_number or "").strip() or None
        names.append((given, family, number))
        rows.append(
            {
                "given_name": given,
                "family_name": family,
                "date_of_birth": p.date_of_birth,
                "record_number": number,
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
            row
            for pid, (given, family, number) in zip(ids, names, strict=True)
            for row in _token_rows(pid, given, family, number)
        ]
        if token_rows:
            s.execute(insert(PatientSearchToken), token_rows)
        audit_log.append(
            s,
            "patient_created",
            actor_id,
            subject=f"patient:{min(ids)}..patient:{max(ids)}",
            detail=f"{len(ids)} patients imported",
        )
    return ids


def _detail_values(p: Patient) -> dict[str, str]:
    """The kept details as text, as PatientDetailChange stores them (ISO date, "" for none)."""
    return {
        "given_name": p.given_name,
        "family_name": p.family_name,
        "date_of_birth": p.date_of_birth.isoformat(),
        "record_number": p.record_number or "",
        "notes": p.notes,
    }


def update_patient(
    store: Store,
    patient_id: int,
    given_name: str,
    family_name: str,
    date_of_birth: date,
    record_number: str | None,
    notes: str,
    *,
    reason: str,
    actor_id: int | None = None,
) -> PatientRecord:
    """Change a patient's details. Each changed field keeps its old value, who, when and why
    (one PatientDetailChange row per field), written with the change, its search keys and its
    audit event in one transaction. Nothing changed: nothing is written."""
    given_name, family_name = _checked_names(
        given_name, family_name, date_of_birth, record_number, notes
    )
    reason = reason.strip()
    _refuse_control_characters(reason=reason)
    with store.write() as s:
        patient = s.get(Patient, patient_id)
        if patient is None:
            raise NotFoundError(f"No patient {patient_id}.")
        before = _detail_values(patient)
        patient.given_name, patient.family_name = given_name, family_name
        patient.date_of_birth = date_of_birth
        patient.record_number = (record_number or "").strip() or None
        patient.notes = notes
        after = _detail_values(patient)
        changed = [f for f in DETAIL_FIELDS if before[f] != after[f]]
        if not changed:
            return PatientRecord.of(patient)
        if not reason:
            raise ValueError("Say why the patient's details changed.")
        now = utcnow()
        s.add_all(
            PatientDetailChange(
                patient_id=patient_id,
                field=f,
                old_value=before[f],
                new_value=after[f],
                reason=reason,
                changed_at=now,
                changed_by_id=actor_id,
            )
            for f in changed
        )
        patient.name_key = name_key(patient.given_name, patient.family_name)
        s.execute(delete(PatientSearchToken).where(PatientSearchToken.patient_id == patient_id))
        s.execute(
            insert(PatientSearchToken),
            _token_rows(patient_id, patient.given_name, patient.family_name, patient.record_number),
        )
        # field names only: the values (a name, a date of birth) stay out of the audit trail
        audit_log.append(
            s,
            "patient_changed",
            actor_id,
            patient_id=patient_id,
            subject=f"patient:{patient_id}",
            detail="changed: " + ", ".join(DETAIL_FIELDS[f] for f in changed),
            at=now,
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


def _matches(key: type[PatientSearchToken], word: str) -> ColumnElement[bool]:
    """`key` is a search key of a patient word starting with `word`: a short word is a key of
    its own (one index entry per patient), a longer one a range of whole-word keys."""
    if len(word) <= PREFIX_KEYS:
        return key.token == word
    return (key.token >= word) & (key.token < word + _TOP)


def _first_distinct(s: Session, ordered: Select[int], limit: int, exact: bool) -> list[int]:
    """The first `limit` distinct ids of an ordered query. Rows of one patient sort together
    (same name, same id), so a few extra rows cover patients two of whose words match."""
    n = limit if exact else 2 * limit
    while True:
        got = s.scalars(ordered.limit(n)).all()
        ids = list(dict.fromkeys(got))
        if len(ids) >= limit or len(got) < n:
            return ids[:limit]
        n *= 4


def search_patients(store: Store, query: str, limit: int = 50) -> SearchResult:
    """Patients whose name (or record number) has a word starting with each word of `query`:
    the first `limit` in list order (family name, given name, id) and how many match, counted
    up to COUNT_CAP. The longest word leads (fewest matches); each other word must match the
    same patient. Neither the page nor the count touches every match of a short word."""
    words = sorted(set(query_words(query)), key=len, reverse=True)
    if not words:
        return SearchResult([], 0)
    lead = PatientSearchToken
    where = [_matches(lead, words[0])]
    for w in words[1:]:
        other = aliased(PatientSearchToken)
        if len(w) <= PREFIX_KEYS:
            # A short word matches many: look each lead row's patient up under it.
            where.append(exists().where(other.patient_id == lead.patient_id, _matches(other, w)))
        else:
            # A longer one matches few: list them once and check each lead row against the
            # list. "+ 0" keeps SQLite from turning this round into one index probe per listed
            # patient (3-4x slower for "zoe weiss"); PostgreSQL hashes the list either way.
            listed = select(other.patient_id).where(_matches(other, w))
            where.append((lead.patient_id + 0).in_(listed))
    # A short lead word is one key per patient; a range of whole words may hold two of one
    # ("jonas johansson" under "jon…"), so those are made distinct.
    exact = len(words[0]) <= PREFIX_KEYS
    ordered = (
        select(lead.patient_id)
        .where(*where)
        .order_by(lead.family_name, lead.given_name, lead.patient_id)
    )
    cap = max(COUNT_CAP, limit)
    with store.read() as s:
        if len(words) > 1:
            # Every match of the lead word is tested against the others anyway: one pass that
            # keeps up to cap + 1 of them in order gives the page and the count.
            upto = _first_distinct(s, ordered, cap + 1, exact)
            ids, total = upto[:limit], len(upto)
        else:
            ids = _first_distinct(s, ordered, limit, exact) if limit > 0 else []
            total = len(ids) if len(ids) < limit else _count_upto(s, where, exact, cap + 1)
        # plain rows, not ORM objects: half the cost of a short search was loading 50 of them
        rows = s.execute(select(*_RECORD_COLUMNS).where(Patient.id.in_(ids)))
        found = {r[0]: PatientRecord(*r) for r in rows}
        return SearchResult([found[i] for i in ids], min(total, cap), capped=total > cap)


def _count_upto(s: Session, where: list[ColumnElement[bool]], exact: bool, most: int) -> int:
    """How many patients match, counting no further than `most`: the index stops there."""
    matching = select(PatientSearchToken.patient_id).where(*where)
    if not exact:
        matching = matching.distinct()
    return s.scalar(select(func.count()).select_from(matching.limit(most).subquery())) or 0


def recent_patients(store: Store, limit: int = 12) -> list[PatientRecord]:
    with store.read() as s:
        rows = s.scalars(
            select(Patient)
            # an imported patient linked into another is shown as that one (ADR 0023)
            .where(
                Patient.id.not_in(
                    select(PatientLink.imported_patient_id).where(PatientLink.decision == "linked")
                )
            )
            .order_by(Patient.last_seen_at.desc(), Patient.id.desc())
            .limit(limit)
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
        patient.photography_consent_at = now = utcnow()
        patient.photography_consent_by_id = practitioner_id
        audit_log.append(
            s,
            "consent",
            practitioner_id,
            patient_id=patient_id,
            subject=f"patient:{patient_id}",
            detail="photography consent recorded",
            at=now,
        )
