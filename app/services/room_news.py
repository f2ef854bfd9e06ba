"""What another room did, in words a banner can say (issue #13, ADR 0026).

`ChangeWatcher` (app/services/room_changes.py) hands over bare audit events; this reads the
rest a banner needs in one short read on the watcher's own thread (who, when, which version
number), so the GUI thread never waits on the database to say "Dr X saved version 4 of this
chart at 10:42". It also gives the pages the audit log's head, so a page can tell an event it
already shows (it read the records after it) from one it does not (ADR 0026).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.services.room_changes import RoomChange
from app.store import audit_log
from app.store.database import Store
from app.store.schema import AuditEvent, ChartVersion, Practitioner

CHART_KINDS = frozenset({"save", "sign", "cosign", "amend"})
VERBS = {
    "save": "saved",
    "sign": "signed",
    "cosign": "co-signed",
    "amend": "amended",
    "photo_added": "added",
    "visit_created": "started",
    "entered_in_error": "marked entered in error",
}


@dataclass(frozen=True, slots=True)
class RoomNews:
    seq: int
    kind: str
    actor_id: int | None
    actor: str  # the practitioner's name, "" when unknown
    at: datetime
    patient_id: int | None
    visit_id: int | None
    subject: str
    detail: str  # the audit trail's own words, e.g. "frown photo (camera)"
    version_id: int | None = None  # a chart event's version
    version_no: int | None = None

    @property
    def about_chart(self) -> bool:
        return self.kind in CHART_KINDS and self.version_id is not None


def _subject_id(subject: str, prefix: str) -> int | None:
    head, _, tail = subject.partition(":")
    return int(tail) if head == prefix and tail.isdigit() else None


def describe(store: Store, changes: list[RoomChange]) -> list[RoomNews]:
    """The changes with their names, times and version numbers, oldest first (one read)."""
    if not changes:
        return []
    seqs = [c.seq for c in changes]
    with store.read() as s:
        rows = s.execute(
            select(AuditEvent.seq, AuditEvent.at, AuditEvent.detail, Practitioner.name)
            .outerjoin(Practitioner, Practitioner.id == AuditEvent.actor_id)
            .where(AuditEvent.seq.in_(seqs))
        ).all()
        extra = {seq: (at, detail, name or "") for seq, at, detail, name in rows}
        version_ids = {
            v for c in changes if (v := _subject_id(c.subject, "chart_version")) is not None
        }
        numbers: dict[int, int] = {}
        if version_ids:
            numbers = dict(
                s.execute(
                    select(ChartVersion.id, ChartVersion.version_no).where(
                        ChartVersion.id.in_(version_ids)
                    )
                ).all()
            )
    news = []
    for c in changes:
        if c.seq not in extra:
            continue
        at, detail, name = extra[c.seq]
        version_id = _subject_id(c.subject, "chart_version")
        news.append(
            RoomNews(
                c.seq,
                c.kind,
                c.actor_id,
                name,
                at,
                c.patient_id,
                c.visit_id,
                c.subject,
                detail,
                version_id,
                numbers.get(version_id) if version_id is not None else None,
            )
        )
    return news


def head_seq(store: Store) -> int:
    """The newest audit event's seq: what a page read after this is on its screen."""
    with store.read() as s:
        return audit_log.head(s)[0]


def sentence(news: RoomNews, here: str = "this chart") -> str:
    """'Dr X saved version 4 of this chart at 10:42', in the computer's local time."""
    who = news.actor or "Someone"
    when = news.at.astimezone().strftime("%H:%M")
    verb = VERBS.get(news.kind, news.kind)
    if news.about_chart:
        return f"{who} {verb} version {news.version_no} of {here} at {when}."
    if news.kind == "photo_added":
        photo = news.detail.split(" (")[0] or "photo"
        return f"{who} added a {photo} at {when}."
    if news.kind == "visit_created":
        return f"{who} started a {news.detail.split(',')[0] or 'visit'} at {when}."
    if news.kind == "entered_in_error":
        return f"{who} marked a record entered in error at {when}."
    return f"{who} {verb} at {when}."
