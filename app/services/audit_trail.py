"""Reading the audit trail (issue #11): per patient ("who opened this record"), per
practitioner and by date range, newest first, a page at a time, with what each role may see
enforced here, so a screen that forgets a check still shows nothing it should not.

- injector: the events of their own actions;
- prescriber: those, plus every event about a patient they treated (a visit where they are
  the practitioner);
- admin: the whole trail.

Pages are keyset-paged on `seq` (newest first, "the next page is everything below this seq"):
a busy clinic has hundreds of thousands of events, and an OFFSET would read every skipped one.
The indexes (patient_id, seq) and (actor_id, seq) serve the per-patient and per-practitioner
pages directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from app.domain.roles import Role, at_least, may_administer
from app.store.database import Store
from app.store.errors import NotFoundError
from app.store.schema import AuditEvent, Patient, Practitioner, Visit

# What each kind of event says, after who did it ("Dr A opened the record").
KIND_WORDS = {
    "sign_in": "signed in",
    "sign_in_failed": "failed to sign in",
    "sign_out": "signed out",
    "lock": "locked the screen",
    "unlock": "unlocked the screen",
    "open_patient": "opened the record",
    "open_visit": "opened a visit",
    "open_version": "opened a chart version",
    "view_photo": "viewed a photo full size",
    "save": "saved the chart",
    "sign": "signed a chart",
    "cosign": "co-signed a chart",
    "amend": "amended a signed chart",
    "entered_in_error": "marked entered in error",
    "patient_created": "created the record",
    "patient_changed": "changed the patient's details",
    "visit_created": "started a visit",
    "photo_added": "added a photo",
    "consent": "recorded consent",
    "export": "exported",
    "import": "imported an archive",
    "patient_linked": "linked an imported patient",
    "patient_kept_apart": "kept an imported patient apart",
    "report": "made a report",
    "print": "printed",
    "backup": "made a backup",
    "restore": "restored a backup",
    "practitioner_changed": "changed a practitioner",
    "setting_changed": "changed a setting",
}

PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Which events to list; None means any. `since` and `until` are aware datetimes, `since`
    included and `until` not (a day's events: its local midnight to the next)."""

    patient_id: int | None = None
    actor_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None

    def words(self) -> str:
        """The filter in a few words, without a patient's details (for the export's event)."""
        parts = []
        if self.patient_id is not None:
            parts.append(f"patient {self.patient_id}")
        if self.actor_id is not None:
            parts.append(f"practitioner {self.actor_id}")
        if self.since is not None:
            parts.append(f"from {self.since.astimezone().date().isoformat()}")
        if self.until is not None:
            parts.append(f"before {self.until.astimezone().date().isoformat()}")
        return ", ".join(parts) or "all events"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    at: datetime  # UTC
    actor_id: int | None
    actor: str  # the practitioner's name, "" for none (a failed sign-in of no one)
    kind: str
    patient_id: int | None
    visit_id: int | None
    subject: str
    detail: str
    event_hash: str
    patient: str = ""  # the patient's name for the screen; never stored in the trail

    @property
    def action(self) -> str:
        """What was done, in words: "opened the record", "saved the chart: version 3"."""
        words = KIND_WORDS.get(self.kind, self.kind.replace("_", " "))
        return f"{words}: {self.detail}" if self.detail else words

    def sentence(self) -> str:
        """Who did what, without the time: "Dr A opened the record"."""
        return f"{self.actor or 'Someone'} {self.action}"


@dataclass(frozen=True, slots=True)
class AuditPage:
    entries: list[AuditEntry]
    next_before: int | None  # pass as `before` for the next (older) page; None: no more


def _viewer_role(s: Session, viewer_id: int) -> Role:
    viewer = s.get(Practitioner, viewer_id)
    if viewer is None:
        raise NotFoundError(f"No practitioner {viewer_id}.")
    return Role(viewer.role)


def _filtered(q: Select[AuditEvent], f: AuditFilter, before: int | None) -> Select[AuditEvent]:
    if f.patient_id is not None:
        q = q.where(AuditEvent.patient_id == f.patient_id)
    if f.actor_id is not None:
        q = q.where(AuditEvent.actor_id == f.actor_id)
    if f.since is not None:
        q = q.where(AuditEvent.at >= f.since)
    if f.until is not None:
        q = q.where(AuditEvent.at < f.until)
    if before is not None:
        q = q.where(AuditEvent.seq < before)
    return q.order_by(AuditEvent.seq.desc())


def _scopes(s: Session, viewer_id: int) -> list[ColumnElement[bool]] | None:
    """The conditions of what the viewer may see, each served by an index; None: everything.
    A prescriber's two (own actions, treated patients) are read as two queries and merged:
    one OR would make the database walk the whole trail for a prescriber with few patients."""
    role = _viewer_role(s, viewer_id)
    if may_administer(role):
        return None
    own = AuditEvent.actor_id == viewer_id
    if at_least(role, Role.PRESCRIBER):
        treated = select(Visit.patient_id).where(Visit.practitioner_id == viewer_id)
        return [own, AuditEvent.patient_id.in_(treated)]
    return [own]


def _rows(
    s: Session, viewer_id: int, f: AuditFilter, before: int | None, limit: int
) -> list[AuditEvent]:
    scopes = _scopes(s, viewer_id)
    base = select(AuditEvent)
    if scopes is None:
        return list(s.scalars(_filtered(base, f, before).limit(limit)))
    found: dict[int, AuditEvent] = {}
    for scope in scopes:
        for e in s.scalars(_filtered(base.where(scope), f, before).limit(limit)):
            found[e.seq] = e
    return [found[k] for k in sorted(found, reverse=True)[:limit]]


def _entries(s: Session, rows: list[AuditEvent], with_names: bool) -> list[AuditEntry]:
    names: dict[int, str] = {}
    ids = {e.patient_id for e in rows if e.patient_id is not None}
    if with_names and ids:
        for pid, given, family in s.execute(
            select(Patient.id, Patient.given_name, Patient.family_name).where(Patient.id.in_(ids))
        ):
            names[pid] = f"{given} {family}".strip()
    return [
        AuditEntry(
            e.seq,
            e.at,
            e.actor_id,
            e.actor.name if e.actor else "",
            e.kind,
            e.patient_id,
            e.visit_id,
            e.subject,
            e.detail,
            e.event_hash,
            names.get(e.patient_id or 0, ""),
        )
        for e in rows
    ]


def events(
    store: Store,
    viewer_id: int,
    f: AuditFilter | None = None,
    *,
    before: int | None = None,
    limit: int = PAGE_SIZE,
    with_names: bool = True,
) -> AuditPage:
    """One page of the events `viewer_id` may see that match `f`, newest first, older than
    seq `before` (None: from the newest). `with_names` adds the patients' names for a screen;
    an export leaves them out."""
    f = f or AuditFilter()
    with store.read() as s:
        rows = _rows(s, viewer_id, f, before, limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        entries = _entries(s, rows, with_names)
    return AuditPage(entries, entries[-1].seq if more and entries else None)


def practitioners_seen(store: Store, viewer_id: int) -> list[tuple[int, str]]:
    """Whom the viewer may pick as "practitioner": everyone for an admin or a prescriber (a
    prescriber sees others' events on the patients they treated), themselves otherwise."""
    with store.read() as s:
        role = _viewer_role(s, viewer_id)
        q = select(Practitioner.id, Practitioner.name).order_by(Practitioner.name)
        if not at_least(role, Role.PRESCRIBER):
            q = q.where(Practitioner.id == viewer_id)
        return [(pid, name) for pid, name in s.execute(q)]
