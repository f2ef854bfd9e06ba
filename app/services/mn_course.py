"""A patient's microneedling sessions and courses from the store (app/domain/mn_course.py
groups them): "session n of N" for the editor, the earlier session to overlay and carry
forward, and for the follow-up list the last session of each unfinished course with the next
session's due date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.chart import ChartContent
from app.domain.mn_course import (
    Course,
    SessionRef,
    course_of,
    group_courses,
    next_session_due,
    unfinished_last,
)
from app.domain.values import TreatmentType
from app.services.charts import load_content
from app.store.database import Store
from app.store.errors import NotFoundError
from app.store.schema import Chart, ChartVersion, Visit

__all__ = ["CourseState", "DueSession", "course_state", "due_sessions", "next_session_due"]


@dataclass(frozen=True)
class CourseState:
    number: int  # this visit is session `number` of `planned`
    planned: int
    finished: bool
    previous_visit_id: int | None  # the course's session before this one (to overlay)
    previous_date: date | None
    next_due: date  # about 4 weeks after this session
    first_of_course: bool  # the contraindication check is asked before it


@dataclass(frozen=True)
class DueSession:
    patient_id: int
    last_visit_id: int
    last_date: date
    done: int
    planned: int
    due: date


def _heads(s: Session, visit_ids: list[int]) -> dict[int, ChartVersion]:
    if not visit_ids:
        return {}
    newest = (
        select(Chart.visit_id, func.max(ChartVersion.version_no).label("n"))
        .join(ChartVersion, ChartVersion.chart_id == Chart.id)
        .where(Chart.visit_id.in_(visit_ids))
        .group_by(Chart.visit_id)
        .subquery()
    )
    rows = s.execute(
        select(Chart.visit_id, ChartVersion)
        .join(ChartVersion, ChartVersion.chart_id == Chart.id)
        .join(
            newest,
            (newest.c.visit_id == Chart.visit_id) & (newest.c.n == ChartVersion.version_no),
        )
    )
    return {vid: version for vid, version in rows}


def _sessions(s: Session, patient_id: int) -> list[SessionRef]:
    visits = list(
        s.scalars(
            select(Visit)
            .where(
                Visit.patient_id == patient_id,
                Visit.treatment_type == TreatmentType.MICRONEEDLING.value,
                Visit.error_at.is_(None),
            )
            .order_by(Visit.visit_date, Visit.id)
        )
    )
    heads = _heads(s, [v.id for v in visits])
    refs = []
    for v in visits:
        head = heads.get(v.id)
        record = load_content(s, head).microneedling if head is not None else None
        refs.append(SessionRef(v.id, v.visit_date, record))
    return refs


def patient_courses(store: Store, patient_id: int) -> list[Course]:
    with store.read() as s:
        return group_courses(_sessions(s, patient_id))


def course_state(store: Store, visit_id: int, today: ChartContent | None = None) -> CourseState:
    """Where a microneedling visit stands in its course; `today` is its unsaved content (its
    record may plan or close the course)."""
    with store.read() as s:
        visit = s.get(Visit, visit_id)
        if visit is None:
            raise NotFoundError(f"No visit {visit_id}.")
        visit_date = visit.visit_date
        refs = _sessions(s, visit.patient_id)
    if today is not None:
        refs = [
            SessionRef(r.visit_id, r.visit_date, today.microneedling)
            if r.visit_id == visit_id
            else r
            for r in refs
        ]
    courses = group_courses(refs)
    course = course_of(courses, visit_id)
    if course is None:  # entered in error, or not a microneedling visit: a course of its own
        course = Course(
            (today.microneedling.course_sessions if today and today.microneedling else None) or 3,
            [SessionRef(visit_id, visit_date, None)],
        )
    n = course.number_of(visit_id) or 1
    prev = course.sessions[n - 2] if n >= 2 else None
    return CourseState(
        number=n,
        planned=course.planned,
        finished=course.finished,
        previous_visit_id=prev.visit_id if prev else None,
        previous_date=prev.visit_date if prev else None,
        next_due=next_session_due(visit_date),
        first_of_course=n == 1,
    )


def due_sessions(store: Store, patient_ids: list[int] | None = None) -> list[DueSession]:
    """The last session of every unfinished course (each patient's newest course), with the
    next session due about 4 weeks after it. For the follow-up list; visits entered in error
    never count."""
    with store.read() as s:
        q = select(Visit.patient_id).where(
            Visit.treatment_type == TreatmentType.MICRONEEDLING.value, Visit.error_at.is_(None)
        )
        if patient_ids is not None:
            q = q.where(Visit.patient_id.in_(patient_ids))
        out = []
        for pid in sorted(set(s.scalars(q))):
            courses = group_courses(_sessions(s, pid))
            last = unfinished_last(courses)
            if last is not None:
                c = courses[-1]
                out.append(
                    DueSession(
                        pid, last.visit_id, last.visit_date, c.done, c.planned,
                        next_session_due(last.visit_date),
                    )
                )  # fmt: skip
    return out


def last_sessions_in(
    s: Session, oldest: date, newest: date, practitioner_id: int | None = None
) -> list[int]:
    """The visit ids of the last session of each unfinished course dated in [oldest, newest]
    (the follow-up list's "course session due"). Only patients with a session in that window
    are read, so a large clinic costs what its recent microneedling patients cost."""
    q = (
        select(Visit.patient_id)
        .where(
            Visit.treatment_type == TreatmentType.MICRONEEDLING.value,
            Visit.error_at.is_(None),
            Visit.visit_date >= oldest,
            Visit.visit_date <= newest,
        )
        .distinct()
    )
    if practitioner_id is not None:
        q = q.where(Visit.practitioner_id == practitioner_id)
    out = []
    for pid in sorted(s.scalars(q)):
        last = unfinished_last(group_courses(_sessions(s, pid)))
        if last is not None and oldest <= last.visit_date <= newest:
            out.append(last.visit_id)
    if practitioner_id is not None and out:  # the last session itself must be theirs
        out = list(
            s.scalars(
                select(Visit.id).where(Visit.id.in_(out), Visit.practitioner_id == practitioner_id)
            )
        )
    return out
