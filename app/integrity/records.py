"""The record map (ADR 0025): every record a screen shows, as key → (label, hash of its fields).

Keys are short and stable: `patient/12`, `visit/40`, `photo/7`, `chart/5`, `version/33`,
`practitioner/1`, and `head/NAME` for a subsystem's own head (the audit log's, registered with
`register_head_source`). The hash is SHA-256 over the canonical JSON (sorted keys, no
whitespace) of the record's fields as the database gives them back: times as UTC ISO 8601,
dates as ISO, so SQLite and PostgreSQL hash the same record alike. The label names the record
for a person ("patient 12, visit 40, version 3"); it is stored beside the hash so a record that
is gone can still be named.

Fields that change by themselves (a patient's `last_seen_at`, a search key) are left out:
only what the record *says* is covered.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.store.schema import (
    AuditEvent,
    Chart,
    ChartVersion,
    Patient,
    Photo,
    PhotoBlob,
    Practitioner,
    View,
    Visit,
)

HeadSource = Callable[[Session], str]
_head_sources: dict[str, HeadSource] = {}


def register_head_source(name: str, source: HeadSource) -> None:
    """Cover another subsystem's head by every checkpoint: `source(session)` returns its
    current head as a string (the audit log: its newest event's chain hash). One line at the
    subsystem's import, e.g. `register_head_source("audit", audit_head)`."""
    if "/" in name or not name:
        raise ValueError(f"a head's name is one word: {name!r}")
    _head_sources[name] = source


def head_sources() -> dict[str, HeadSource]:
    return dict(_head_sources)


@dataclass(frozen=True, slots=True)
class Record:
    label: str
    value: bytes  # SHA-256 of the record's canonical fields, 32 bytes
    at: datetime | None  # when it was made (versions, photos, visits, patients): None for heads


RecordMap = dict[str, Record]


def _plain(v: Any) -> Any:
    """What JSON cannot say itself: times (timezone-aware, UTC, from the store) and dates."""
    if isinstance(v, datetime | date):
        return v.isoformat()
    raise TypeError(f"not a record field: {type(v).__name__}")


# one encoder for every record: a checkpoint hashes tens of thousands of them
_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain
)


def record_hash(fields: dict[str, Any]) -> bytes:
    return hashlib.sha256(_ENCODER.encode(fields).encode("utf-8")).digest()


def current_map(session: Session) -> RecordMap:
    """The map of the records in the database now (metadata only: no image or content bytes)."""
    out: RecordMap = {}
    _practitioners(session, out)
    _patients(session, out)
    _visits(session, out)
    _photos(session, out)
    _charts_and_versions(session, out)
    _audit_events(session, out)
    for name, source in sorted(_head_sources.items()):
        out[f"head/{name}"] = Record(
            f"the {name} head", record_hash({"head": source(session)}), None
        )
    return out


def _audit_events(s: Session, out: RecordMap) -> None:
    """Every audit event by its chain hash: an event never changes, and one present at a
    checkpoint is never removed, so cutting the newest events off (which the chain alone
    cannot show) is named against the checkpoint that held them."""
    rows = s.execute(select(AuditEvent.seq, AuditEvent.kind, AuditEvent.at, AuditEvent.event_hash))
    for seq, kind, at, event_hash in rows:
        try:
            value = bytes.fromhex(event_hash)
        except ValueError:
            value = record_hash({"event_hash": event_hash})
        out[f"audit/{seq}"] = Record(f"audit event {seq}, {kind}", value, at)


def _practitioners(s: Session, out: RecordMap) -> None:
    for p in s.execute(select(Practitioner.id, Practitioner.name, Practitioner.active)):
        out[f"practitioner/{p.id}"] = Record(
            f"practitioner {p.id}", record_hash({"name": p.name, "active": p.active}), None
        )


def _patients(s: Session, out: RecordMap) -> None:
    q = select(
        Patient.id,
        Patient.family_name,
        Patient.given_name,
        Patient.date_of_birth,
        Patient.record_number,
        Patient.notes,
        Patient.photography_consent_at,
        Patient.photography_consent_by_id,
        Patient.created_at,
    )
    for row in s.execute(q):
        fields = row._asdict()
        out[f"patient/{row.id}"] = Record(f"patient {row.id}", record_hash(fields), row.created_at)


def _visits(s: Session, out: RecordMap) -> None:
    q = select(
        Visit.id,
        Visit.patient_id,
        Visit.visit_date,
        Visit.practitioner_id,
        Visit.treatment_type,
        Visit.touch_up_of_id,
        Visit.notes,
        Visit.created_at,
        Visit.error_at,
        Visit.error_by_id,
        Visit.error_reason,
    )
    for row in s.execute(q):
        out[f"visit/{row.id}"] = Record(
            f"patient {row.patient_id}, visit {row.id}", record_hash(row._asdict()), row.created_at
        )


def _photos(s: Session, out: RecordMap) -> None:
    q = (
        select(
            Photo.id,
            Photo.patient_id,
            Photo.visit_id,
            View.code.label("view"),
            Photo.blob_sha256,
            PhotoBlob.display_sha256,
            PhotoBlob.thumb_sha256,
            Photo.captured_at,
            Photo.taken_by_id,
            Photo.source,
            Photo.original_filename,
            Photo.rotation,
            Photo.width,
            Photo.height,
            Photo.created_at,
            Photo.error_at,
            Photo.error_by_id,
            Photo.error_reason,
        )
        .join(View, View.id == Photo.view_id)
        .outerjoin(PhotoBlob, PhotoBlob.sha256 == Photo.blob_sha256)
    )
    for row in s.execute(q):
        where = f"visit {row.visit_id}" if row.visit_id is not None else "no visit"
        out[f"photo/{row.id}"] = Record(
            f"patient {row.patient_id}, {where}, {row.view}",
            record_hash(row._asdict()),
            row.created_at,
        )


def _charts_and_versions(s: Session, out: RecordMap) -> None:
    """A chart's own record is its visit; its history is its versions' records, so a version
    saved after a checkpoint changes nothing the checkpoint holds (it is new), while one
    removed, the newest included, is missing by name."""
    q_charts = select(Chart.id, Chart.visit_id, Visit.patient_id).join(Visit)
    charts = {c.id: c for c in s.execute(q_charts)}
    for c in charts.values():
        out[f"chart/{c.id}"] = Record(
            f"patient {c.patient_id}, visit {c.visit_id}",
            record_hash({"visit_id": c.visit_id}),
            None,
        )
    q = select(
        ChartVersion.id,
        ChartVersion.chart_id,
        ChartVersion.version_no,
        ChartVersion.parent_id,
        ChartVersion.parent_hash,
        ChartVersion.content_hash,
        ChartVersion.saved_at,
        ChartVersion.saved_by_id,
        ChartVersion.comment,
        ChartVersion.point_count,
        ChartVersion.stroke_count,
        ChartVersion.units_summary,
    )
    for row in s.execute(q):
        chart = charts.get(row.chart_id)
        fields = row._asdict()
        fields["visit_id"] = chart.visit_id if chart else None
        label = (
            f"patient {chart.patient_id}, visit {chart.visit_id}, version {row.version_no}"
            if chart
            else f"chart {row.chart_id}, version {row.version_no}"
        )
        out[f"version/{row.id}"] = Record(label, record_hash(fields), row.saved_at)
