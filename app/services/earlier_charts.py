"""What a chart editor reads about the patient's earlier visits once its first view has painted
(the overlay, ui/overlay): the earlier charts it may show and every saved version of each (the
picker's choices), the ones it shows, each of their views with its photo, today's photos, and
the course's units.

One call, in one snapshot, made on the editor's worker thread: the pen stays live while it
reads (a touch-up's earlier charts are four views' content and photos), and on a clinic server
an outage fails the lookup as one StoreError, which the editor retries, instead of freezing
the window once per query (never as a lookup that succeeds with a part left out: a course
total missing in silence reads as a course with no earlier units).

A chart chosen later (in the picker, named by a restored draft) has its views read the same
way by `read_views`: every view of every newly chosen chart in one call, one snapshot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from app.domain.chart import ChartContent
from app.services import photos, touchup, visits
from app.services.course import CourseTotals, course_totals
from app.services.photos import PhotoRecord
from app.services.touchup import EarlierView, OverlaySource
from app.store.database import Store
from app.store.errors import NotFoundError

Key = tuple[str, str]  # (earlier version's hash, view code)


@dataclass(frozen=True)
class EarlierCharts:
    available: list[OverlaySource]  # every earlier chart the clinician may choose (its head)
    versions: dict[int, list[OverlaySource]]  # each available visit's versions, newest first
    chosen: list[OverlaySource]  # shown at opening: those saved with the chart, or the defaults
    views: dict[Key, EarlierView | None]  # each chosen chart's view of today's views (None: absent)
    today: dict[str, PhotoRecord]  # this visit's photos, by sha256
    course: CourseTotals | None  # None: the course's units could not be worked out
    visit_days: dict[int, date]  # the date of each visit of the course


def look_up(
    store: Store,
    visit_id: int,
    *,
    saved: Sequence[str],
    treatment: str,
    read_only: bool,
    views: Sequence[str],
    limit: int,
) -> EarlierCharts:
    """The earlier charts for the editor of `visit_id`. `saved` names, in legend order, the
    earlier versions whose mappings the chart content holds: they are shown again as saved.
    Without any, an editable chart shows `default_sources` (at most `limit`); a read-only one
    shows none."""
    with store.snapshot():
        versions = touchup.earlier_versions(store, visit_id)
        available = [v[0] for v in versions.values()]  # = touchup.overlay_sources
        if saved:
            chosen = _sources(store, visit_id, saved)
        elif not read_only:
            chosen = touchup.default_sources(available, treatment)[:limit]
        else:
            chosen = []
        earlier = {
            (s.version_hash, v): touchup.earlier_view(store, s, v) for s in chosen for v in views
        }
        today = {p.sha256: p for p in photos.photos_for_visit(store, visit_id)}
        try:
            course: CourseTotals | None = course_totals(store, visit_id, ChartContent())
        except NotFoundError:  # a visit of the course gone meanwhile: no course line, the rest
            course = None  # (an outage fails the whole lookup, which the editor tries again)
        course_visits = course.per_visit if course else {}
        days = {v: visits.get_visit(store, v).visit_date for v in course_visits}
    return EarlierCharts(available, versions, chosen, earlier, today, course, days)


def read_views(
    store: Store, wanted: Sequence[tuple[OverlaySource, str]]
) -> dict[Key, EarlierView | None]:
    """Each (earlier chart, view) of `wanted` as `look_up` reads its chosen charts' views
    (None: that chart has no such view), in one snapshot. A store that cannot be read fails
    the whole call (StoreError): the editor says those views could not be read."""
    with store.snapshot():
        return {(s.version_hash, v): touchup.earlier_view(store, s, v) for s, v in wanted}


def sources_of(store: Store, visit_id: int, version_hashes: list[str]) -> list[OverlaySource]:
    """The earlier versions these hashes name (`touchup.source_of`), in one snapshot: for the
    charts a restored draft's mappings name that the lookup did not offer (a visit entered in
    error since). Hashes not found are left out."""
    with store.snapshot():
        return _sources(store, visit_id, version_hashes)


def _sources(store: Store, visit_id: int, version_hashes: Sequence[str]) -> list[OverlaySource]:
    found = (touchup.source_of(store, visit_id, h) for h in version_hashes)
    return [s for s in found if s is not None]
