"""Microneedling courses, read from the charts themselves (ADR 0029): a course starts with
the session whose record plans N sessions (default 3); each later microneedling session joins
the patient's open course; the course closes at its N-th session, or at a session whose record
closes it by hand. Nothing is stored beside the hash-covered charts, so a course reads the
same on every copy of the database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from app.domain.microneedling import (
    DEFAULT_COURSE_SESSIONS,
    SESSION_INTERVAL_DAYS,
    MicroneedlingSession,
)


@dataclass(frozen=True, slots=True)
class SessionRef:
    """One microneedling visit as a course sees it (its newest chart's session record)."""

    visit_id: int
    visit_date: date
    record: MicroneedlingSession | None  # None: not charted yet


@dataclass(slots=True)
class Course:
    planned: int
    sessions: list[SessionRef] = field(default_factory=list)
    closed_by_hand: bool = False

    @property
    def done(self) -> int:
        return len(self.sessions)

    @property
    def finished(self) -> bool:
        return self.closed_by_hand or self.done >= self.planned

    @property
    def last(self) -> SessionRef:
        return self.sessions[-1]

    def number_of(self, visit_id: int) -> int | None:
        """1-based: this visit is session n of `planned`."""
        ids = [s.visit_id for s in self.sessions]
        return ids.index(visit_id) + 1 if visit_id in ids else None


def next_session_due(last_session: date) -> date:
    """About 4 weeks after the last session (DOMAIN.md)."""
    return last_session + timedelta(days=SESSION_INTERVAL_DAYS)


def group_courses(sessions: Sequence[SessionRef]) -> list[Course]:
    """The patient's microneedling sessions (oldest first, none entered in error) as courses."""
    courses: list[Course] = []
    for ref in sessions:
        rec = ref.record
        current = courses[-1] if courses and not courses[-1].finished else None
        if current is None:
            planned = rec.course_sessions if rec and rec.course_sessions else None
            current = Course(planned or DEFAULT_COURSE_SESSIONS)
            courses.append(current)
        elif rec is not None and rec.course_sessions and current.done == 0:
            current.planned = rec.course_sessions
        current.sessions.append(ref)
        if rec is not None and rec.course_closed:
            current.closed_by_hand = True
    return courses


def course_of(courses: Sequence[Course], visit_id: int) -> Course | None:
    return next((c for c in courses if c.number_of(visit_id) is not None), None)


def unfinished_last(courses: Sequence[Course]) -> SessionRef | None:
    """The last session of the patient's unfinished course, if any: what the follow-up list
    shows as due `next_session_due(...)` after it."""
    if courses and not courses[-1].finished and courses[-1].sessions:
        return courses[-1].last
    return None
