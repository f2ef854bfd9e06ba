"""The audit trail's storage: an append-only, hash-chained log (issue #11).

Each event's hash covers its own fields and the previous event's hash, and `seq` runs 1, 2, 3
without gaps, so an edited, removed or reordered event breaks the chain where it happened;
removal from the end is caught by the signed checkpoints that record the log's head.

    event_hash = SHA-256( canonical JSON of {seq, at, actor_id, kind, patient_id, visit_id,
                          subject, detail} ‖ prev_hash )

with `at` as UTC ISO-8601 to the microsecond and prev_hash the previous event's hash as 64
hex characters ("" before the first). Events are appended inside the transaction of the write
they record, so a save and its audit entry land together or not at all.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.domain.values import utcnow
from app.store.schema import AuditEvent

# What the log records (issue #11, "Audit trail"). A kind outside this set is a bug.
EVENT_KINDS = frozenset(
    {
        "sign_in",
        "sign_in_failed",
        "sign_out",
        "lock",
        "unlock",
        "open_patient",
        "open_visit",
        "open_version",
        "view_photo",
        "save",
        "sign",
        "cosign",
        "amend",
        "entered_in_error",
        "patient_created",
        "patient_changed",
        "visit_created",
        "photo_added",
        "consent",
        "export",
        "import",  # a portable archive loaded (ADR 0023)
        "patient_linked",  # an imported look-alike linked to the patient here (ADR 0023)
        "patient_kept_apart",
        "report",
        "print",
        "backup",
        "restore",
        "practitioner_changed",
        "setting_changed",
    }
)

# Rooms watching for each other's changes LISTEN here (app/services/room_changes.py); the
# payload is only the new seq: the event is read from the table, never trusted from a message.
NOTIFY_CHANNEL = "facechart_changes"

# A PostgreSQL advisory lock key: appends from several rooms take turns, so the chain never
# forks (two events naming the same predecessor); SQLite's writes are serial already.
_PG_LOCK_KEY = 0x46434155  # "FCAU"


@dataclass(frozen=True, slots=True)
class EventFields:
    seq: int
    at: datetime
    actor_id: int | None
    kind: str
    patient_id: int | None
    visit_id: int | None
    subject: str
    detail: str

    @classmethod
    def of(cls, e: AuditEvent) -> EventFields:
        return cls(e.seq, e.at, e.actor_id, e.kind, e.patient_id, e.visit_id, e.subject, e.detail)


def event_hash(fields: EventFields, prev_hash: str) -> str:
    body = {
        "seq": fields.seq,
        "at": fields.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": fields.actor_id,
        "kind": fields.kind,
        "patient_id": fields.patient_id,
        "visit_id": fields.visit_id,
        "subject": fields.subject,
        "detail": fields.detail,
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256(canonical.encode("utf-8"))
    digest.update(prev_hash.encode("ascii"))
    return digest.hexdigest()


def head(s: Session) -> tuple[int, str]:
    """The newest event's seq and hash: (0, "") for an empty log."""
    row = s.execute(
        select(AuditEvent.seq, AuditEvent.event_hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    return (row[0], row[1]) if row else (0, "")


def append(
    s: Session,
    kind: str,
    actor_id: int | None,
    *,
    patient_id: int | None = None,
    visit_id: int | None = None,
    subject: str = "",
    detail: str = "",
    at: datetime | None = None,
) -> AuditEvent:
    """Append one event inside the caller's write transaction."""
    if kind not in EVENT_KINDS:
        raise ValueError(f"not an audit event kind: {kind!r}")
    on_server = s.get_bind().dialect.name == "postgresql"
    if on_server:
        s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
    seq, prev = head(s)
    when = (at or utcnow()).astimezone(UTC)
    fields = EventFields(seq + 1, when, actor_id, kind, patient_id, visit_id, subject, detail)
    event = AuditEvent(
        seq=fields.seq,
        at=when,
        actor_id=actor_id,
        kind=kind,
        patient_id=patient_id,
        visit_id=visit_id,
        subject=subject,
        detail=detail,
        prev_hash=prev,
        event_hash=event_hash(fields, prev),
    )
    s.add(event)
    s.flush()
    if on_server:  # delivered when (and only if) the transaction commits
        s.execute(
            text("SELECT pg_notify(:channel, :seq)"),
            {"channel": NOTIFY_CHANNEL, "seq": str(fields.seq)},
        )
    return event


@dataclass(frozen=True, slots=True)
class ChainBreak:
    seq: int
    problem: str


def verify(s: Session, batch: int = 5000) -> Iterator[ChainBreak]:
    """Walk the log in order: each event must follow its predecessor without a gap and hash to
    what it stores. Yields one break per bad event. Reads only the chained columns (no ORM
    entities): a clinic's log is long, and `check` must read a database at an older schema."""
    columns = (
        AuditEvent.seq,
        AuditEvent.at,
        AuditEvent.actor_id,
        AuditEvent.kind,
        AuditEvent.patient_id,
        AuditEvent.visit_id,
        AuditEvent.subject,
        AuditEvent.detail,
        AuditEvent.prev_hash,
        AuditEvent.event_hash,
    )
    expected_seq, prev = 1, ""
    last = 0
    while True:
        rows = s.execute(
            select(*columns).where(AuditEvent.seq > last).order_by(AuditEvent.seq).limit(batch)
        ).all()
        if not rows:
            return
        for e in rows:
            if e.seq != expected_seq:
                yield ChainBreak(e.seq, f"events {expected_seq}–{e.seq - 1} are missing before it")
            if e.prev_hash != prev:
                yield ChainBreak(e.seq, "it no longer links to the event before it")
            fields = EventFields(
                e.seq, e.at, e.actor_id, e.kind, e.patient_id, e.visit_id, e.subject, e.detail
            )
            if event_hash(fields, e.prev_hash) != e.event_hash:
                yield ChainBreak(e.seq, "its content does not match its hash")
            expected_seq, prev, last = e.seq + 1, e.event_hash, e.seq
