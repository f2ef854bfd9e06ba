"""Touch-up and repeat visits: which earlier charts can be overlaid, that chart's view on its
photo, its alignment to today's photo, its markings mapped into today's pixels, carrying its
points forward, and the course total (original treatment + touch-ups).

The overlay UI calls these; none of them writes. Mapping a chart lives in `overlay_mapping.py`
(carrying it forward here, beside the `EarlierView` it reads), the course total in `course.py`;
both are re-exported here, so the overlay UI has one module to call. A mapping is either a
live one (`app.alignment.mapping.Mapping`, as `align_view` returns in its result) or its saved
dict (`OverlayUse.mapping`, ADR 0009 "Saved form"); both map identically.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from app.alignment.align import AlignmentResult
from app.domain.chart import InjectionPoint, PointOrigin, ViewChart, new_id
from app.domain.microneedling import AreaOrigin, TreatedArea
from app.domain.microneedling import new_id as mn_new_id
from app.domain.values import TreatmentType
from app.services.alignment import align_photos
from app.services.charts import load_content
from app.services.course import CourseTotals, course_totals
from app.services.overlay_mapping import AnyMapping, live_mapping, map_view_chart
from app.services.photos import PhotoRecord
from app.store.database import Store
from app.store.errors import NotFoundError
from app.store.schema import Chart, ChartVersion, Photo, View, Visit


@dataclass(frozen=True)
class OverlaySource:
    """One saved chart version of an earlier visit that can be overlaid on this visit's photos."""

    visit_id: int
    version_id: int
    version_hash: str
    visit_date: date
    treatment: str  # a TreatmentType value
    version_no: int
    is_head: bool  # the visit's newest version
    label: str  # "12 Oct 2026 · Neurotoxin · version 3", for the picker and the legend
    touched_up_by_this: bool  # the visit this visit is a touch-up of
    touch_up_of: int | None = None  # the earlier visit is itself a touch-up of this visit


def _label(visit: Visit, version: ChartVersion) -> str:
    d = visit.visit_date
    treatment = TreatmentType(visit.treatment_type).label
    return f"{d.day} {d:%b %Y} · {treatment} · version {version.version_no}"


def _source(visit: Visit, version: ChartVersion, head_no: int, touched: bool) -> OverlaySource:
    return OverlaySource(
        visit_id=visit.id,
        version_id=version.id,
        version_hash=version.content_hash,
        visit_date=visit.visit_date,
        treatment=TreatmentType(visit.treatment_type),
        version_no=version.version_no,
        is_head=version.version_no == head_no,
        label=_label(visit, version),
        touched_up_by_this=touched,
        touch_up_of=visit.touch_up_of_id,
    )


def _visit(session: Session, visit_id: int) -> Visit:
    visit = session.get(Visit, visit_id)
    if visit is None:
        raise NotFoundError(f"No visit {visit_id}.")
    return visit


def overlay_sources(store: Store, visit_id: int) -> list[OverlaySource]:
    """The head version of every earlier visit (by date, then id) of the same patient that has
    a saved chart and is not entered in error: the visit this one touches up first, then the
    newest first."""
    return [versions[0] for versions in earlier_versions(store, visit_id).values()]


def earlier_versions(store: Store, visit_id: int) -> dict[int, list[OverlaySource]]:
    """Every saved version, newest first, of each earlier visit `overlay_sources` offers, by
    visit id in its order. One query: the rows that find the heads hold the other versions too,
    so the overlay's picker offers them without reading the store again."""
    with store.read() as s:
        visit = _visit(s, visit_id)
        earlier = or_(
            Visit.visit_date < visit.visit_date,
            and_(Visit.visit_date == visit.visit_date, Visit.id < visit.id),
        )
        rows = s.execute(
            select(Visit, ChartVersion)
            .join(Chart, Chart.visit_id == Visit.id)
            .join(ChartVersion, ChartVersion.chart_id == Chart.id)
            .where(Visit.patient_id == visit.patient_id, Visit.error_at.is_(None), earlier)
            .order_by(ChartVersion.version_no.desc())
        ).all()
        per_visit: dict[int, list[tuple[Visit, ChartVersion]]] = {}
        for v, version in rows:
            per_visit.setdefault(v.id, []).append((v, version))
        found = {
            vid: [
                _source(v, version, pairs[0][1].version_no, vid == visit.touch_up_of_id)
                for v, version in pairs
            ]
            for vid, pairs in per_visit.items()
        }
    order = sorted(found, key=lambda vid: (found[vid][0].visit_date, vid), reverse=True)
    order.sort(key=lambda vid: not found[vid][0].touched_up_by_this)  # stable: newest first
    return {vid: found[vid] for vid in order}


def default_sources(sources: list[OverlaySource], treatment: str = "") -> list[OverlaySource]:
    """What the editor shows when it opens (`sources` as `overlay_sources` orders them). At a
    touch-up: the visit it touches up. At a repeat treatment: the last treatment's own chart
    (of today's `treatment` if there is one), the plan to carry forward, with its touch-ups
    after it in the legend; never a touch-up's chart alone, which holds only the few units
    added two weeks later."""
    if not sources or sources[0].touched_up_by_this:
        return sources[:1]
    plans = [s for s in sources if s.touch_up_of is None] or sources
    plan = next((s for s in plans if s.treatment == treatment), plans[0])
    return [plan, *(s for s in sources if s.touch_up_of == plan.visit_id)]


def versions_of(
    store: Store, visit_id: int, *, for_visit_id: int | None = None
) -> list[OverlaySource]:
    """Every saved version of an earlier visit's chart, newest first. `for_visit_id` is the
    visit being charted, which decides `touched_up_by_this`."""
    with store.read() as s:
        visit = _visit(s, visit_id)
        touched = False
        if for_visit_id is not None:
            touched = _visit(s, for_visit_id).touch_up_of_id == visit_id
        versions = list(
            s.scalars(
                select(ChartVersion)
                .join(Chart)
                .where(Chart.visit_id == visit_id)
                .order_by(ChartVersion.version_no.desc())
            )
        )
        head_no = versions[0].version_no if versions else 0
        return [_source(visit, v, head_no, touched) for v in versions]


def source_of(store: Store, visit_id: int, version_hash: str) -> OverlaySource | None:
    """The earlier version a saved `OverlayUse` names, for reopening a chart as it was saved:
    looked up by hash among the same patient's other charts, even if that visit was entered in
    error since (what was shown then is still what the chart recorded)."""
    with store.read() as s:
        visit = _visit(s, visit_id)
        row = s.execute(
            select(Visit, ChartVersion)
            .join(Chart, Chart.visit_id == Visit.id)
            .join(ChartVersion, ChartVersion.chart_id == Chart.id)
            .where(
                ChartVersion.content_hash == version_hash,
                Visit.patient_id == visit.patient_id,
                Visit.id != visit.id,
            )
            .order_by(ChartVersion.id)
            .limit(1)
        ).first()
        if row is None:
            return None
        earlier, version = row
        head_no = s.scalar(
            select(ChartVersion.version_no)
            .where(ChartVersion.chart_id == version.chart_id)
            .order_by(ChartVersion.version_no.desc())
            .limit(1)
        )
        return _source(earlier, version, head_no or 0, visit.touch_up_of_id == earlier.id)


@dataclass(frozen=True)
class EarlierView:
    """One view of an earlier chart version, in the pixels of the earlier photo `photo`."""

    source: OverlaySource
    view: str
    chart: ViewChart
    photo: PhotoRecord | None  # None when the chart names no photo or it is not stored


def _photo(
    session: Session, patient_id: int, visit_id: int, view: str, sha: str
) -> PhotoRecord | None:
    """The photo record the chart's coordinates refer to: the earlier visit's photo of that
    view with that content (its rotation is the frame), else any of the patient's with it."""
    rows = session.scalars(
        select(Photo)
        .join(View)
        .where(Photo.patient_id == patient_id, Photo.blob_sha256 == sha)
        .order_by(Photo.id)
    ).all()
    if not rows:
        return None
    best = min(rows, key=lambda p: (p.visit_id != visit_id, p.view.code != view, p.in_error, -p.id))
    return PhotoRecord.of(best)


def earlier_view(store: Store, source: OverlaySource, view: str) -> EarlierView | None:
    """The earlier version's chart of `view` and its photo, or None when it has no such view."""
    with store.read() as s:
        version = s.get(ChartVersion, source.version_id)
        if version is None:
            raise NotFoundError(f"No chart version {source.version_id}.")
        chart = load_content(s, version).view(view)
        if chart is None:
            return None
        patient_id = _visit(s, source.visit_id).patient_id
        photo = (
            _photo(s, patient_id, source.visit_id, view, chart.photo_sha256)
            if chart.photo_sha256
            else None
        )
        return EarlierView(source, view, chart, photo)


def carry_forward(earlier: EarlierView, mapping: AnyMapping) -> tuple[InjectionPoint, ...]:
    """Repeat treatment: the earlier points as today's plan, at their mapped positions, each with
    a new id and the point and version it came from (CONTRACTS.md); product, units, depth,
    zone, the patient's side and note as they were. Points that cannot be mapped are left out."""
    moved = map_view_chart(earlier.chart, mapping).points
    return tuple(
        replace(
            p,
            id=new_id(),
            origin=PointOrigin(point_id=p.id, version_hash=earlier.source.version_hash),
        )
        for p in moved
    )


def carry_areas_forward(earlier: EarlierView, mapping: AnyMapping) -> tuple[TreatedArea, ...]:
    """The next microneedling session: the earlier session's areas as today's plan, outlines
    mapped onto today's photo, each with a new id and the area and version it came from;
    name, depth, passes and note as they were (each depth then adjusted on its sheet). Areas
    the mapping cannot map are left out."""
    moved = map_view_chart(earlier.chart, mapping).areas
    return tuple(
        replace(
            a,
            id=mn_new_id(),
            origin=AreaOrigin(area_id=a.id, version_hash=earlier.source.version_hash),
        )
        for a in moved
    )


def align_view(
    store: Store, earlier_photo: PhotoRecord, today_photo: PhotoRecord
) -> AlignmentResult:
    """Align the earlier photo to today's (ADR 0009). Opens its own sessions and the models are
    per thread, so a worker thread may call it."""
    return align_photos(store, earlier_photo, today_photo)


__all__ = [
    "CourseTotals",
    "EarlierView",
    "OverlaySource",
    "align_view",
    "carry_areas_forward",
    "carry_forward",
    "course_totals",
    "default_sources",
    "earlier_versions",
    "earlier_view",
    "AnyMapping",
    "live_mapping",
    "map_view_chart",
    "overlay_sources",
    "source_of",
    "versions_of",
]
