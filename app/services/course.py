"""The course a visit belongs to: the original treatment and its touch-ups, with units per
product for each visit and for the whole course (a touch-up's dose is judged against it).

Units of different products are never added together (CONTRACTS.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.chart import ChartContent
from app.domain.totals import units_per_product
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
    """The course this visit belongs to: follow `touch_up_of` up to the original, then every
    touch-up of it (and of those). This visit counts from `today` (unsaved content); the others
    from their newest saved version; visits entered in error count nothing."""
    with store.read() as s:
        visit = s.get(Visit, visit_id)
        if visit is None:
            raise NotFoundError(f"No visit {visit_id}.")
        family = {
            v.id: v for v in s.scalars(select(Visit).where(Visit.patient_id == visit.patient_id))
        }
        root = visit
        seen = {root.id}
        while root.touch_up_of_id in family and root.touch_up_of_id not in seen:
            root = family[root.touch_up_of_id]
            seen.add(root.id)
        course = [root]
        for v in course:  # grows while walking: breadth-first down the touch-up links
            course += [c for c in family.values() if c.touch_up_of_id == v.id and c not in course]
        course.sort(key=lambda v: (v.visit_date, v.id))
        per_visit: dict[int, dict[str, Decimal]] = {}
        for v in course:
            if v.id == visit_id:
                per_visit[v.id] = units_per_product(today)
            elif not v.in_error:
                per_visit[v.id] = _head_units(s, v.id)
        root_id = root.id
    total: dict[str, Decimal] = {}
    for units in per_visit.values():
        for product, u in units.items():
            total[product] = total.get(product, Decimal(0)) + u
    return CourseTotals(root_id, per_visit, total)


def _head_units(session: Session, visit_id: int) -> dict[str, Decimal]:
    head = session.scalar(
        select(ChartVersion)
        .join(Chart)
        .where(Chart.visit_id == visit_id)
        .order_by(ChartVersion.version_no.desc())
        .limit(1)
    )
    return units_per_product(load_content(session, head)) if head else {}
