"""The course a visit belongs to: the original treatment and its touch-ups, with units per
product for each visit and for the whole course (a touch-up's dose is judged against it).

Units of different products are never added together (CONTRACTS.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.chart import ChartContent
from app.domain.totals import ProductTotal, combined, totals
from app.services.charts import load_content
from app.store.database import Store
from app.store.errors import NotFoundError
from app.store.schema import Chart, ChartVersion, Visit


@dataclass(frozen=True)
class CourseTotals:
    """Units per product of one course: the original treatment and its touch-ups."""

    original_visit_id: int
    per_visit: dict[int, dict[str, Decimal]]  # visit id → product → units, oldest visit first
    total: dict[str, Decimal]  # product → units; different products are never added


def course_totals(store: Store, visit_id: int, today: ChartContent) -> CourseTotals:
    """The course this visit belongs to (`course_of`). This visit counts from `today`
    (unsaved content); the others from their newest saved version; visits entered in error
    count nothing."""
    with store.read() as s:
        visit = s.get(Visit, visit_id)
        if visit is None:
            raise NotFoundError(f"No visit {visit_id}.")
        family = list(s.scalars(select(Visit).where(Visit.patient_id == visit.patient_id)))
        course = course_of(visit, family)
        per_visit: dict[int, Mapping[str, ProductTotal]] = {}
        for v in course:
            if v.id == visit_id:
                per_visit[v.id] = totals(today)
            elif not v.in_error:
                per_visit[v.id] = head_totals(s, v.id)
        root_id = _root(visit, family).id
    total = combined(per_visit.values())
    return CourseTotals(
        root_id,
        {vid: {c: t.total for c, t in units.items()} for vid, units in per_visit.items()},
        {c: t.total for c, t in total.items()},
    )


def _root(visit: Visit, family: list[Visit]) -> Visit:
    by_id = {v.id: v for v in family}
    root = visit
    seen = {root.id}
    while root.touch_up_of_id in by_id and root.touch_up_of_id not in seen:
        root = by_id[root.touch_up_of_id]
        seen.add(root.id)
    return root


def course_of(visit: Visit, family: list[Visit]) -> list[Visit]:
    """The visit's course among the patient's visits: follow `touch_up_of` up to the
    original, then every touch-up of it (and of those); oldest first."""
    course = [_root(visit, family)]
    for v in course:  # grows while walking: breadth-first down the touch-up links
        course += [c for c in family if c.touch_up_of_id == v.id and c not in course]
    course.sort(key=lambda v: (v.visit_date, v.id))
    return course


def head_totals(session: Session, visit_id: int) -> Mapping[str, ProductTotal]:
    """Per product, the totals of the visit's newest saved version (none: nothing)."""
    head = session.scalar(
        select(ChartVersion)
        .join(Chart)
        .where(Chart.visit_id == visit_id)
        .order_by(ChartVersion.version_no.desc())
        .limit(1)
    )
    return totals(load_content(session, head)) if head else {}
