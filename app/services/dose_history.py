"""What a patient's other visits add to this visit's doses: the last 3 months and the course
(the treatment and its touch-ups), read once when a chart opens (app/domain/across_visits.py
does the sums, today's unsaved chart included)."""

from __future__ import annotations

from sqlalchemy import select

from app.domain.across_visits import DoseHistory, EarlierVisit, months_before
from app.domain.doses import CUMULATIVE_MONTHS
from app.services.course import course_of, head_totals
from app.store.database import Store
from app.store.errors import NotFoundError
from app.store.schema import Visit


def dose_history(store: Store, visit_id: int) -> DoseHistory:
    """The patient's other visits in this visit's 3-month window or course, each at its
    newest saved version; visits entered in error count nothing."""
    with store.read() as s:
        visit = s.get(Visit, visit_id)
        if visit is None:
            raise NotFoundError(f"No visit {visit_id}.")
        family = list(s.scalars(select(Visit).where(Visit.patient_id == visit.patient_id)))
        course = {v.id for v in course_of(visit, family)}
        start = months_before(visit.visit_date, CUMULATIVE_MONTHS)
        others = []
        for v in sorted(family, key=lambda v: (v.visit_date, v.id)):
            if v.id == visit_id or v.in_error:
                continue
            in_window = start <= v.visit_date <= visit.visit_date
            if in_window or v.id in course:
                units = head_totals(s, v.id)
                others.append(EarlierVisit(v.id, v.visit_date, v.id in course, units))
        return DoseHistory(visit.visit_date, tuple(others))
