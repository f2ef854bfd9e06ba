"""A patient's toxin treatments at a glance (issue #14): units per product and zone at every
charted visit, touch-ups marked, and the intervals between treatments against the label's
90-day minimum — what the patient page plots where reading visit by visit would be slower;
and for microneedling, the needle depth per area at each session of each course.

Each visit counts its newest saved version; visits entered in error count nothing. Units of
different products are never added together (CONTRACTS.md): every figure here is inside one
product. A touch-up belongs to its treatment, so intervals run from treatment to treatment.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app.domain.chart import ChartContent
from app.domain.doses import MIN_DAYS_BETWEEN_TREATMENTS
from app.domain.values import TreatmentType
from app.services import charts
from app.services.course import head_totals
from app.services.mn_course import patient_courses
from app.store.database import Store
from app.store.schema import Chart, ChartVersion, Visit

NO_ZONE = "Zone not given"


@dataclass(frozen=True, slots=True)
class VisitDoses:
    visit_id: int
    visit_date: date
    touch_up: bool
    units: dict[str, dict[str, Decimal]]  # product → zone → units, at the newest version

    def product_total(self, product: str) -> Decimal:
        return sum(self.units.get(product, {}).values(), Decimal(0))


@dataclass(frozen=True, slots=True)
class TreatmentGap:
    """From one treatment to the next (touch-ups are part of the treatment before them)."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def too_soon(self) -> bool:
        return self.days < MIN_DAYS_BETWEEN_TREATMENTS


@dataclass(frozen=True, slots=True)
class ToxinGlance:
    visits: tuple[VisitDoses, ...]  # charted toxin visits, oldest first
    gaps: tuple[TreatmentGap, ...]
    treatments: tuple[date, ...]  # the dates the gaps run between

    @property
    def products(self) -> list[str]:
        """Every product used, most units first (within itself) then by name."""
        seen: dict[str, Decimal] = {}
        for v in self.visits:
            for product in v.units:
                seen[product] = seen.get(product, Decimal(0)) + v.product_total(product)
        return sorted(seen, key=lambda p: (-seen[p], p))

    def zones(self, product: str) -> list[str]:
        """The product's zones across visits, most units first: the same colour everywhere."""
        seen: dict[str, Decimal] = {}
        for v in self.visits:
            for zone, units in v.units.get(product, {}).items():
                seen[zone] = seen.get(zone, Decimal(0)) + units
        return sorted(seen, key=lambda z: (-seen[z], z))


def treatment_gaps(treatments: Iterable[date]) -> tuple[TreatmentGap, ...]:
    days = sorted(treatments)
    return tuple(TreatmentGap(a, b) for a, b in zip(days, days[1:], strict=False))


def toxin_glance(store: Store, patient_id: int) -> ToxinGlance:
    with store.read() as s:
        rows = s.scalars(
            select(Visit)
            .where(
                Visit.patient_id == patient_id,
                Visit.error_at.is_(None),
                Visit.treatment_type == TreatmentType.NEUROTOXIN.value,
            )
            .order_by(Visit.visit_date, Visit.id)
        ).all()
        charted = set(
            s.scalars(
                select(Chart.visit_id)
                .join(ChartVersion, ChartVersion.chart_id == Chart.id)
                .where(Chart.visit_id.in_([v.id for v in rows]))
            )
        )
        visits = []
        for v in rows:
            if v.id not in charted:
                continue
            units = {
                product: {(zone or NO_ZONE): z.total for zone, z in total.zones.items()}
                for product, total in head_totals(s, v.id).items()
            }
            visits.append(VisitDoses(v.id, v.visit_date, v.touch_up_of_id is not None, units))
    treatments = tuple(v.visit_date for v in visits if not v.touch_up)
    return ToxinGlance(tuple(visits), treatment_gaps(treatments), treatments)


# Microneedling: the needle depth per area across each course (issue #14). Toxin units have no
# place here, and nothing here is summed: a depth is drawn as saved, per area and session.


@dataclass(frozen=True, slots=True)
class AreaDepth:
    name: str
    depth_mm: Decimal
    passes: int


@dataclass(frozen=True, slots=True)
class SessionDepths:
    visit_id: int
    visit_date: date
    number: int  # session `number` of the course's `planned`
    areas: tuple[AreaDepth, ...]  # one per distinct (name, depth, passes), by name then depth


@dataclass(frozen=True, slots=True)
class CourseDepths:
    planned: int
    sessions: tuple[SessionDepths, ...]

    @property
    def area_names(self) -> list[str]:
        """Every area treated in the course, in the order first treated: one colour each."""
        seen: dict[str, None] = {}
        for session in self.sessions:
            for a in session.areas:
                seen.setdefault(a.name, None)
        return list(seen)


def _session_areas(content: ChartContent | None) -> tuple[AreaDepth, ...]:
    if content is None:
        return ()
    # the same area on two views (the cheeks on the front and 45° photos) is one mark
    found = {AreaDepth(a.name, a.depth_mm, a.passes) for _view, a in content.all_areas()}
    return tuple(sorted(found, key=lambda a: (a.name, a.depth_mm, a.passes)))


def course_depths(store: Store, patient_id: int) -> tuple[CourseDepths, ...]:
    """The patient's microneedling courses (oldest first), each session's areas read from its
    newest chart version; sessions entered in error are not in any course."""
    out = []
    for course in patient_courses(store, patient_id):
        sessions = []
        for n, ref in enumerate(course.sessions, start=1):
            head = charts.load_head(store, ref.visit_id)
            areas = _session_areas(head.content if head is not None else None)
            sessions.append(SessionDepths(ref.visit_id, ref.visit_date, n, areas))
        out.append(CourseDepths(course.planned, tuple(sessions)))
    return tuple(out)
