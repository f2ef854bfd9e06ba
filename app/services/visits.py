"""Visits: start one, the patient's timeline, mark a visit entered in error."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app.domain.values import TreatmentType, utcnow
from app.services.charts import VersionInfo
from app.store import audit_log
from app.store.database import Store
from app.store.errors import NotFoundError
from app.store.schema import Chart, ChartVersion, Patient, Photo, Practitioner, Visit


@dataclass(frozen=True, slots=True)
class VisitRecord:
    id: int
    patient_id: int
    visit_date: date
    treatment_type: TreatmentType
    practitioner: str
    touch_up_of_id: int | None
    notes: str
    in_error: bool

    @classmethod
    def of(cls, v: Visit) -> VisitRecord:
        return cls(
            v.id,
            v.patient_id,
            v.visit_date,
            TreatmentType(v.treatment_type),
            v.practitioner.name if v.practitioner else "",
            v.touch_up_of_id,
            v.notes,
            v.in_error,
        )


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    visit: VisitRecord
    # the current photo of each view (newest not entered in error), in protocol order
    photos: list[tuple[str, str, str]] = field(default_factory=list)  # (view code, name, sha256)
    units: dict[str, Decimal] = field(default_factory=dict)  # from the newest chart version
    version_count: int = 0


def start_visit(
    store: Store,
    patient_id: int,
    practitioner_id: int,
    treatment_type: TreatmentType | str,
    visit_date: date | None = None,
    touch_up_of_id: int | None = None,
    notes: str = "",
) -> VisitRecord:
    with store.write() as s:
        if s.get(Patient, patient_id) is None:
            raise NotFoundError(f"No patient {patient_id}.")
        if touch_up_of_id is not None:
            earlier = s.get(Visit, touch_up_of_id)
            if earlier is None or earlier.patient_id != patient_id:
                raise NotFoundError("A touch-up must follow one of the same patient's visits.")
        visit = Visit(
            patient_id=patient_id,
            visit_date=visit_date or date.today(),
            practitioner_id=practitioner_id,
            treatment_type=TreatmentType(treatment_type).value,
            touch_up_of_id=touch_up_of_id,
            notes=notes,
        )
        s.add(visit)
        s.flush()
        audit_log.append(
            s,
            "visit_created",
            practitioner_id,
            patient_id=patient_id,
            visit_id=visit.id,
            subject=f"visit:{visit.id}",
            detail=f"{TreatmentType(treatment_type).label.lower()} visit"
            + (f", touch-up of visit {touch_up_of_id}" if touch_up_of_id is not None else ""),
        )
        # the INSERT above checked the foreign key, so the practitioner exists
        visit.practitioner = s.get_one(Practitioner, practitioner_id)
        return VisitRecord.of(visit)


def get_visit(store: Store, visit_id: int) -> VisitRecord:
    with store.read() as s:
        visit = s.get(Visit, visit_id)
        if visit is None:
            raise NotFoundError(f"No visit {visit_id}.")
        return VisitRecord.of(visit)


def timeline(store: Store, patient_id: int, include_in_error: bool = False) -> list[TimelineEntry]:
    """The patient's visits, newest first, each with a photo per view and units per product."""
    with store.read() as s:
        q = select(Visit).where(Visit.patient_id == patient_id)
        if not include_in_error:
            q = q.where(Visit.error_at.is_(None))
        visits = list(s.scalars(q.order_by(Visit.visit_date.desc(), Visit.id.desc())))
        ids = [v.id for v in visits]
        photos = s.scalars(
            select(Photo)
            .where(Photo.visit_id.in_(ids), Photo.error_at.is_(None))
            .order_by(Photo.captured_at, Photo.id)
        ).all()
        current: dict[int, dict[str, Photo]] = {}
        for p in photos:  # later photos of a view (retakes) replace earlier ones
            current.setdefault(p.visit_id or 0, {})[p.view.code] = p
        heads: dict[int, ChartVersion] = {}
        counts: dict[int, int] = {}
        for chart_visit, version in s.execute(
            select(Chart.visit_id, ChartVersion)
            .join(ChartVersion, ChartVersion.chart_id == Chart.id)
            .where(Chart.visit_id.in_(ids))
        ):
            counts[chart_visit] = counts.get(chart_visit, 0) + 1
            if chart_visit not in heads or version.version_no > heads[chart_visit].version_no:
                heads[chart_visit] = version
        entries = []
        for v in visits:
            per_view = sorted(current.get(v.id, {}).values(), key=lambda p: p.view.sort_order)
            head = heads.get(v.id)
            entries.append(
                TimelineEntry(
                    VisitRecord.of(v),
                    [(p.view.code, p.view.name, p.blob_sha256) for p in per_view],
                    VersionInfo.of(head).units if head else {},
                    counts.get(v.id, 0),
                )
            )
        return entries


def previous_toxin_visit(store: Store, patient_id: int, before: date) -> VisitRecord | None:
    """The patient's latest neurotoxin visit before a date (for the 90-day warning)."""
    with store.read() as s:
        v = s.scalar(
            select(Visit)
            .where(
                Visit.patient_id == patient_id,
                Visit.treatment_type == TreatmentType.NEUROTOXIN.value,
                Visit.visit_date < before,
                Visit.error_at.is_(None),
            )
            .order_by(Visit.visit_date.desc())
            .limit(1)
        )
        return VisitRecord.of(v) if v else None


def mark_visit_in_error(store: Store, visit_id: int, practitioner_id: int, reason: str) -> None:
    """Hide a visit from the timeline; the record keeps it, with who, when and why."""
    if not reason.strip():
        raise ValueError("Say why the visit was entered in error.")
    with store.write() as s:
        visit = s.get(Visit, visit_id)
        if visit is None:
            raise NotFoundError(f"No visit {visit_id}.")
        visit.error_at = now = utcnow()
        visit.error_by_id = practitioner_id
        visit.error_reason = reason.strip()
        # the reason stays on the visit: typed words may name the patient
        audit_log.append(
            s,
            "entered_in_error",
            practitioner_id,
            patient_id=visit.patient_id,
            visit_id=visit_id,
            subject=f"visit:{visit_id}",
            detail="visit entered in error",
            at=now,
        )
