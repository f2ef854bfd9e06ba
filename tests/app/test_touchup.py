"""Touch-up services: earlier charts to overlay, their views, alignment to today's photo, charts
mapped into today's pixels, carry forward, course totals, and overlays saved with a version.

Real stores (SQLite, and PostgreSQL when FACECHART_TEST_PG is set); alignment really aligns
(the astronaut from scikit-image, moved by a known similarity)."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from app.alignment.mapping import NoMapping, SimilarityMapping
from app.domain.chart import ChartContent, InjectionPoint, Stroke, ViewChart
from app.domain.values import Depth, Side
from app.services import charts, patients, photos, touchup, visits
from app.services.photos import PhotoRecord
from app.store.database import Store
from app.store.errors import NotFoundError
from tests.app.alignment.faces import astronaut, jpeg, similarity, warp
from tests.app.chart_factory import point

# The earlier photo moved by this known similarity is today's photo.
KNOWN = similarity(0.9, 6.0, (40.0, -30.0), (450.0, 300.0))


def _apply(m: np.ndarray, xy: Any) -> np.ndarray:
    return np.asarray(xy, float) @ m[:, :2].T + m[:, 2]


@pytest.fixture
def patient(store: Store):  # type: ignore[no-untyped-def]
    return patients.create_patient(store, "Zoë", "Martin", date(1984, 3, 12))


def _visit(store, clinician, patient, day: date, *, touch_up_of=None, kind="neurotoxin"):  # type: ignore[no-untyped-def]
    return visits.start_visit(store, patient.id, clinician.id, kind, day, touch_up_of)


def _chart(*points: InjectionPoint, view: str = "frown", sha: str | None = None) -> ChartContent:
    return ChartContent(views=(ViewChart(view, sha, points=points),))


def _save(store, visit_id: int, content: ChartContent) -> charts.VersionInfo:  # type: ignore[no-untyped-def]
    head = charts.head_version(store, visit_id)
    return charts.save_version(
        store, visit_id, content, parent_version_id=head.id if head else None, saved_by_id=None
    )


# --- which earlier charts can be overlaid -----------------------------------------------------


def test_sources_touched_up_visit_first_then_newest(store, clinician, patient):  # type: ignore[no-untyped-def]
    jan = _visit(store, clinician, patient, date(2026, 1, 10))
    _save(store, jan.id, _chart(point(10, 10, "20")))
    jan_v2 = _save(store, jan.id, _chart(point(10, 10, "22")))
    feb = _visit(store, clinician, patient, date(2026, 2, 1), kind="microneedling")
    feb_v1 = _save(store, feb.id, _chart(point(20, 20)))
    _visit(store, clinician, patient, date(2026, 3, 1))  # no chart saved: not offered
    wrong = _visit(store, clinician, patient, date(2026, 3, 5))
    _save(store, wrong.id, _chart(point(30, 30)))
    visits.mark_visit_in_error(store, wrong.id, clinician.id, "wrong patient")
    same_day = _visit(store, clinician, patient, date(2026, 3, 10))  # same day, earlier id
    same_v1 = _save(store, same_day.id, _chart(point(40, 40)))
    other = patients.create_patient(store, "Ada", "Lovelace", date(1980, 1, 2))
    _save(store, _visit(store, clinician, other, date(2026, 2, 2)).id, _chart(point(1, 1)))
    today = _visit(store, clinician, patient, date(2026, 3, 10), touch_up_of=jan.id)
    later = _visit(store, clinician, patient, date(2026, 3, 10))  # same day, later id
    _save(store, later.id, _chart(point(50, 50)))

    sources = touchup.overlay_sources(store, today.id)

    assert [(s.visit_id, s.version_id) for s in sources] == [
        (jan.id, jan_v2.id),  # the visit this one touches up, at its head version
        (same_day.id, same_v1.id),
        (feb.id, feb_v1.id),
    ]
    assert [s.touched_up_by_this for s in sources] == [True, False, False]
    assert sources[0].label == "10 Jan 2026 · Neurotoxin · version 2"
    assert sources[2].label == "1 Feb 2026 · Microneedling · version 1"
    assert sources[0].version_hash == jan_v2.content_hash and sources[0].is_head
    assert sources[2].treatment == "microneedling" and sources[2].visit_date == date(2026, 2, 1)
    # A visit that touches up nothing still sees every earlier chart, newest first.
    assert [s.visit_id for s in touchup.overlay_sources(store, later.id)] == [
        same_day.id,
        feb.id,
        jan.id,
    ]
    assert touchup.overlay_sources(store, jan.id) == []


def test_versions_of_an_earlier_visit_newest_first(store, clinician, patient):  # type: ignore[no-untyped-def]
    jan = _visit(store, clinician, patient, date(2026, 1, 10))
    v1 = _save(store, jan.id, _chart(point(10, 10, "20")))
    v2 = _save(store, jan.id, _chart(point(10, 10, "22")))
    today = _visit(store, clinician, patient, date(2026, 1, 24), touch_up_of=jan.id)
    repeat = _visit(store, clinician, patient, date(2026, 5, 1))

    got = touchup.versions_of(store, jan.id, for_visit_id=today.id)
    assert [(s.version_id, s.version_no, s.is_head) for s in got] == [
        (v2.id, 2, True),
        (v1.id, 1, False),
    ]
    assert [s.version_hash for s in got] == [v2.content_hash, v1.content_hash]
    assert all(s.touched_up_by_this for s in got)
    assert got[1].label == "10 Jan 2026 · Neurotoxin · version 1"
    assert not any(
        s.touched_up_by_this for s in touchup.versions_of(store, jan.id, for_visit_id=repeat.id)
    )
    assert touchup.versions_of(store, today.id) == []  # no chart saved yet


def test_earlier_versions_are_every_offered_visits_versions_in_the_lookup(  # type: ignore[no-untyped-def]
    store, clinician, patient
):
    """The overlay's picker offers each earlier visit's versions from the editor's lookup (read
    on its worker), not one query per visit on the GUI thread when it opens: per visit in
    `overlay_sources` order, they are what `versions_of` reads, and a visit entered in error
    or not charted has none."""
    from app.services import earlier_charts

    jan = _visit(store, clinician, patient, date(2026, 1, 10))
    _save(store, jan.id, _chart(point(10, 10, "20")))
    _save(store, jan.id, _chart(point(10, 10, "22")))
    _save(store, jan.id, _chart(point(10, 10, "24")))
    feb = _visit(store, clinician, patient, date(2026, 2, 1))
    _save(store, feb.id, _chart(point(20, 20)))
    _visit(store, clinician, patient, date(2026, 2, 20))  # no chart saved
    wrong = _visit(store, clinician, patient, date(2026, 3, 1))
    _save(store, wrong.id, _chart(point(30, 30)))
    visits.mark_visit_in_error(store, wrong.id, clinician.id, "wrong patient")
    today = _visit(store, clinician, patient, date(2026, 3, 10), touch_up_of=jan.id)

    got = touchup.earlier_versions(store, today.id)
    assert list(got) == [s.visit_id for s in touchup.overlay_sources(store, today.id)]
    assert list(got) == [jan.id, feb.id]
    for visit_id, versions in got.items():
        assert versions == touchup.versions_of(store, visit_id, for_visit_id=today.id)
    assert [(s.version_no, s.is_head) for s in got[jan.id]] == [(3, True), (2, False), (1, False)]
    found = earlier_charts.look_up(
        store, today.id, saved=[], treatment="neurotoxin", read_only=False, views=["frown"],
        limit=3,
    )  # fmt: skip
    assert found.versions == got
    assert found.available == [versions[0] for versions in got.values()]
    assert touchup.earlier_versions(store, jan.id) == {}


def test_a_touched_up_visit_without_a_chart_or_in_error_is_not_offered(store, clinician, patient):  # type: ignore[no-untyped-def]
    bare = _visit(store, clinician, patient, date(2026, 1, 10))  # never charted
    wrong = _visit(store, clinician, patient, date(2026, 1, 12))
    _save(store, wrong.id, _chart(point(1, 1)))
    visits.mark_visit_in_error(store, wrong.id, clinician.id, "duplicate")
    for earlier in (bare, wrong):
        today = _visit(store, clinician, patient, date(2026, 1, 24), touch_up_of=earlier.id)
        assert touchup.overlay_sources(store, today.id) == []
    with pytest.raises(NotFoundError):
        touchup.overlay_sources(store, 10_000)
    with pytest.raises(NotFoundError):
        touchup.versions_of(store, 10_000)
    with pytest.raises(NotFoundError):
        touchup.course_totals(store, 10_000, ChartContent())


def test_source_of_a_saved_overlay_even_after_its_visit_is_entered_in_error(
    store, clinician, patient
):  # type: ignore[no-untyped-def]
    jan = _visit(store, clinician, patient, date(2026, 1, 10))
    v1 = _save(store, jan.id, _chart(point(10, 10, "20")))
    _save(store, jan.id, _chart(point(10, 10, "22")))
    today = _visit(store, clinician, patient, date(2026, 1, 24), touch_up_of=jan.id)
    other = patients.create_patient(store, "Ada", "Lovelace", date(1980, 1, 2))
    theirs = _save(store, _visit(store, clinician, other, date(2026, 1, 2)).id, _chart())

    found = touchup.source_of(store, today.id, v1.content_hash)
    assert found == touchup.versions_of(store, jan.id, for_visit_id=today.id)[1]
    assert found is not None and not found.is_head and found.touched_up_by_this
    visits.mark_visit_in_error(store, jan.id, clinician.id, "wrong date")
    assert touchup.overlay_sources(store, today.id) == []  # no longer offered…
    assert touchup.source_of(store, today.id, v1.content_hash) == found  # …but still found
    assert touchup.source_of(store, today.id, theirs.content_hash) is None  # another patient
    assert touchup.source_of(store, today.id, "0" * 64) is None


# --- an earlier view, its photo, alignment -----------------------------------------------------


@pytest.fixture(scope="module")
def faces() -> tuple[np.ndarray, np.ndarray]:
    face = astronaut(2.0)  # 1024 px, eye distance ≈ 125 px
    return face, warp(face, KNOWN)


def _photo(store, patient, visit, view: str, rgb: np.ndarray) -> PhotoRecord:  # type: ignore[no-untyped-def]
    return photos.add_photo_bytes(store, patient.id, view, jpeg(rgb), visit_id=visit.id)


# Spots on the astronaut's face (earlier photo's pixels, eyes at x ≈ 388 and 513): right brow,
# glabella, left brow, right and left crow's feet (the patient's own sides).
FACE_SPOTS = [(395.0, 172.0), (452.0, 180.0), (510.0, 177.0), (372.0, 205.0), (532.0, 212.0)]


def _earlier_chart(sha: str) -> ViewChart:
    sides = [Side.RIGHT, Side.MIDLINE, Side.LEFT, Side.RIGHT, Side.LEFT]
    return ViewChart(
        "frown",
        sha,
        strokes=(Stroke(tuple((400.0 + 7 * i, 190.0 + i / 2, 0.5, 8.0 * i) for i in range(15))),),
        points=tuple(
            InjectionPoint(x, y, "botox", Decimal("2.5"), Depth.INTRADERMAL, "zone", side, "n")
            for (x, y), side in zip(FACE_SPOTS, sides, strict=True)
        ),
    )


@pytest.fixture
def touch_up(store, clinician, patient, faces):  # type: ignore[no-untyped-def]
    """An earlier visit charted on the astronaut, and today's touch-up photographed moved."""
    jan = _visit(store, clinician, patient, date(2026, 1, 10))
    old = _photo(store, patient, jan, "frown", faces[0])
    saved = _save(store, jan.id, ChartContent(views=(_earlier_chart(old.sha256),)))
    today = _visit(store, clinician, patient, date(2026, 1, 24), touch_up_of=jan.id)
    new = _photo(store, patient, today, "frown", faces[1])
    return jan, today, old, new, saved


def test_earlier_view_is_the_saved_chart_on_its_photo(store, touch_up):  # type: ignore[no-untyped-def]
    jan, today, old, _new, saved = touch_up
    (source,) = touchup.overlay_sources(store, today.id)
    view = touchup.earlier_view(store, source, "frown")
    assert view is not None and view.source == source and view.view == "frown"
    assert view.chart == charts.load_version(store, saved.id).content.view("frown")
    assert view.photo is not None and view.photo.id == old.id and view.photo.visit_id == jan.id
    assert touchup.earlier_view(store, source, "rest") is None  # not charted on that view


def test_earlier_view_names_the_photo_its_coordinates_refer_to(
    store, clinician, patient, touch_up, faces
):  # type: ignore[no-untyped-def]
    jan, today, old, _new, _saved = touch_up
    # The same bytes imported again elsewhere (another visit, another view) are another record;
    # the earlier visit's own record of that view is the frame (its rotation applies).
    elsewhere = _visit(store, clinician, patient, date(2025, 6, 1))
    _photo(store, patient, elsewhere, "rest", faces[0])
    # A photo marked in error later still is what the saved coordinates refer to.
    photos.mark_photo_in_error(store, old.id, clinician.id, "blurred")
    (source,) = touchup.overlay_sources(store, today.id)
    view = touchup.earlier_view(store, source, "frown")
    assert view is not None and view.photo is not None
    assert (view.photo.id, view.photo.visit_id, view.photo.in_error) == (old.id, jan.id, True)
    # A view charted with no photo has no frame to align from.
    v2 = _save(store, jan.id, _chart(point(1, 1), view="rest"))
    (source,) = touchup.versions_of(store, jan.id, for_visit_id=today.id)[:1]
    assert source.version_id == v2.id
    rest = touchup.earlier_view(store, source, "rest")
    assert rest is not None and rest.photo is None and len(rest.chart.points) == 1


@pytest.mark.usefixtures("models")
def test_align_view_aligns_stored_photos_from_a_worker_thread(store, touch_up):  # type: ignore[no-untyped-def]
    _jan, today, old, new, _saved = touch_up
    results: list[Any] = []
    worker = threading.Thread(target=lambda: results.append(touchup.align_view(store, old, new)))
    worker.start()
    worker.join(60)
    (result,) = results
    assert result.method == "mesh", result.message
    assert result.words == "good"
    (source,) = touchup.overlay_sources(store, today.id)
    earlier = touchup.earlier_view(store, source, "frown")
    assert earlier is not None

    truth = _apply(KNOWN, [(p.x, p.y) for p in earlier.chart.points])  # loaded: sorted by id
    for mapping in (result, result.mapping, result.mapping.to_dict()):  # every form the UI holds
        mapped = touchup.map_view_chart(earlier.chart, mapping)
        got = np.array([(p.x, p.y) for p in mapped.points])
        err = np.hypot(*(got - truth).T)
        # The mesh follows the face to about 1 px here (eye distance ≈ 113 px in today's photo).
        assert np.median(err) < 1.5 and err.max() < 3.0, err
    carried = touchup.carry_forward(earlier, result.mapping)
    got = np.array([(p.x, p.y) for p in carried])
    assert np.median(np.hypot(*(got - truth).T)) < 1.5


@pytest.mark.usefixtures("models")
def test_no_face_today_is_could_not_align_and_nothing_is_overlaid(store, touch_up):  # type: ignore[no-untyped-def]
    _jan, today, old, _new, _saved = touch_up
    wall = np.full((700, 900, 3), 180, np.uint8)  # today's "photo" shows no face
    blank = photos.add_photo_bytes(store, old.patient_id, "frown", jpeg(wall), visit_id=today.id)
    result = touchup.align_view(store, old, blank)
    assert (result.method, result.words, result.confidence) == ("none", "could not align", 0.0)
    (source,) = touchup.overlay_sources(store, today.id)
    earlier = touchup.earlier_view(store, source, "frown")
    assert earlier is not None
    shown = touchup.map_view_chart(earlier.chart, result)
    assert shown.points == () and shown.strokes == ()  # never a guessed overlay
    assert touchup.carry_forward(earlier, result) == ()


# --- mapping a chart into today's pixels, carrying points forward --------------------------


def _earlier(chart: ViewChart, version_hash: str = "e" * 64) -> touchup.EarlierView:
    source = touchup.OverlaySource(
        visit_id=1,
        version_id=1,
        version_hash=version_hash,
        visit_date=date(2026, 1, 10),
        treatment="neurotoxin",
        version_no=1,
        is_head=True,
        label="10 Jan 2026 · Neurotoxin · version 1",
        touched_up_by_this=True,
    )
    return touchup.EarlierView(source, chart.view, chart, None)


def test_map_view_chart_moves_samples_and_points_by_the_mapping() -> None:
    chart = _earlier_chart("a" * 64)
    mapped = touchup.map_view_chart(chart, SimilarityMapping(KNOWN), photo_sha256="b" * 64)
    assert mapped.view == "frown" and mapped.photo_sha256 == "b" * 64
    (stroke,) = mapped.strokes
    (before,) = chart.strokes
    want = _apply(KNOWN, [s[:2] for s in before.samples])
    assert np.abs(np.array([s[:2] for s in stroke.samples]) - want).max() < 1e-3
    assert [s[2:] for s in stroke.samples] == [s[2:] for s in before.samples]  # pressure, time
    assert stroke.id == before.id and stroke.color == before.color
    assert stroke.width == pytest.approx(before.width * 0.9, rel=1e-6)  # the face got smaller
    want = _apply(KNOWN, [(p.x, p.y) for p in chart.points])
    assert np.abs(np.array([(p.x, p.y) for p in mapped.points]) - want).max() < 1e-3
    # Ids kept (the overlay names the earlier points); the patient's own side never flips.
    assert [(p.id, p.side, p.units) for p in mapped.points] == [
        (p.id, p.side, p.units) for p in chart.points
    ]
    assert touchup.map_view_chart(chart, SimilarityMapping(KNOWN)).photo_sha256 is None


class _LeftHalfOnly:
    """Moves everything by (5, 5) but cannot map what lands right of x = 480."""

    method = "similarity"

    def map_points(self, points: np.ndarray) -> np.ndarray:
        out = np.asarray(points, float).reshape(-1, 2) + 5.0
        out[out[:, 0] > 480] = np.nan
        return out

    def to_dict(self) -> dict[str, Any]:
        return {}


def test_what_the_mapping_cannot_map_is_dropped() -> None:
    chart = _earlier_chart("a" * 64)
    half = touchup.map_view_chart(chart, _LeftHalfOnly())
    assert [(p.x, p.y) for p in half.points] == [(400.0, 177.0), (457.0, 185.0), (377.0, 210.0)]
    (stroke,) = half.strokes
    assert [s[0] for s in stroke.samples] == [405.0 + 7 * i for i in range(11)]
    nothing = touchup.map_view_chart(chart, NoMapping("no face"))
    assert nothing.strokes == () and nothing.points == ()
    assert touchup.carry_forward(_earlier(chart), NoMapping("no face")) == ()


def test_carry_forward_copies_points_with_new_ids_and_their_origin() -> None:
    chart = _earlier_chart("a" * 64)
    carried = touchup.carry_forward(_earlier(chart, "f" * 64), SimilarityMapping(KNOWN).to_dict())
    assert len(carried) == len(chart.points)
    want = _apply(KNOWN, [(p.x, p.y) for p in chart.points])
    assert np.abs(np.array([(p.x, p.y) for p in carried]) - want).max() < 1e-3
    for new, old in zip(carried, chart.points, strict=True):
        assert new.id != old.id
        assert new.origin is not None
        assert (new.origin.point_id, new.origin.version_hash) == (old.id, "f" * 64)
        assert (new.product, new.units, new.depth, new.zone, new.side, new.note) == (
            old.product,
            old.units,
            old.depth,
            old.zone,
            old.side,
            old.note,
        )
    assert len({p.id for p in carried}) == len(carried)


def test_carried_points_save_and_read_back_with_their_origin(store, touch_up):  # type: ignore[no-untyped-def]
    _jan, today, _old, new, saved = touch_up
    (source,) = touchup.overlay_sources(store, today.id)
    earlier = touchup.earlier_view(store, source, "frown")
    assert earlier is not None
    carried = touchup.carry_forward(earlier, SimilarityMapping(KNOWN))
    version = _save(store, today.id, _chart(*carried, sha=new.sha256))
    loaded = charts.load_version(store, version.id).content.view("frown")
    assert loaded is not None
    assert {p.origin.point_id for p in loaded.points if p.origin} == {
        p.id for p in earlier.chart.points
    }
    assert {p.origin.version_hash for p in loaded.points if p.origin} == {saved.content_hash}


# --- course totals ------------------------------------------------------------------------------


def test_course_totals_original_and_touch_ups_per_product(store, clinician, patient):  # type: ignore[no-untyped-def]
    original = _visit(store, clinician, patient, date(2026, 1, 10))
    _save(store, original.id, _chart(point(1, 1, "20"), point(2, 2, "10", "dysport")))
    first = _visit(store, clinician, patient, date(2026, 1, 24), touch_up_of=original.id)
    _save(store, first.id, _chart(point(1, 1, "4")))
    _save(store, first.id, _chart(point(1, 1, "4"), point(3, 3, "2.5")))  # head counts
    second = _visit(store, clinician, patient, date(2026, 2, 7), touch_up_of=first.id)
    wrong = _visit(store, clinician, patient, date(2026, 2, 8), touch_up_of=original.id)
    _save(store, wrong.id, _chart(point(1, 1, "100")))
    visits.mark_visit_in_error(store, wrong.id, clinician.id, "charted on the wrong patient")
    other_course = _visit(store, clinician, patient, date(2026, 6, 1))
    _save(store, other_course.id, _chart(point(1, 1, "50")))
    today = _chart(point(5, 5, "2"), point(6, 6, "3", "xeomin"))  # unsaved, on screen

    totals = touchup.course_totals(store, second.id, today)

    assert totals.original_visit_id == original.id
    assert list(totals.per_visit) == [original.id, first.id, second.id]  # oldest first
    assert totals.per_visit[original.id] == {"botox": Decimal(20), "dysport": Decimal(10)}
    assert totals.per_visit[first.id] == {"botox": Decimal("6.5")}
    assert totals.per_visit[second.id] == {"botox": Decimal(2), "xeomin": Decimal(3)}
    assert totals.total == {
        "botox": Decimal("28.5"),
        "dysport": Decimal(10),
        "xeomin": Decimal(3),
    }
    # From the original's side the course is the same; today's content stands for that visit.
    from_original = touchup.course_totals(store, original.id, _chart(point(1, 1, "20")))
    assert from_original.original_visit_id == original.id
    assert list(from_original.per_visit) == [original.id, first.id, second.id]
    assert from_original.per_visit[second.id] == {}  # nothing saved there yet
    assert from_original.total == {"botox": Decimal("26.5")}
    # A visit outside any touch-up link is a course of its own.
    alone = touchup.course_totals(store, other_course.id, ChartContent())
    assert (alone.original_visit_id, alone.per_visit, alone.total) == (
        other_course.id,
        {other_course.id: {}},
        {},
    )


def test_default_sources_a_touch_up_shows_its_visit_a_repeat_the_last_plan(
    store, clinician, patient
):  # type: ignore[no-untyped-def]
    """A repeat treatment opens on the last treatment's own chart (the plan to carry forward)
    with its touch-up after it, not on the newer touch-up's few top-up units alone; of today's
    treatment when the patient had another kind since."""
    jan = _visit(store, clinician, patient, date(2026, 1, 10))
    _save(store, jan.id, _chart(point(10, 10, "20")))
    top_up = _visit(store, clinician, patient, date(2026, 1, 24), touch_up_of=jan.id)
    _save(store, top_up.id, _chart(point(12, 12, "2")))
    feb = _visit(store, clinician, patient, date(2026, 2, 20), kind="microneedling")
    _save(store, feb.id, _chart(point(30, 30, "0")))
    repeat = _visit(store, clinician, patient, date(2026, 5, 1))
    second_top_up = _visit(store, clinician, patient, date(2026, 1, 26), touch_up_of=jan.id)

    sources = touchup.overlay_sources(store, repeat.id)
    assert [s.visit_id for s in sources] == [feb.id, top_up.id, jan.id]  # the picker: newest
    assert [s.touch_up_of for s in sources] == [None, jan.id, None]
    picked = touchup.default_sources(sources, "neurotoxin")
    assert [s.visit_id for s in picked] == [jan.id, top_up.id]
    assert [s.visit_id for s in touchup.default_sources(sources, "microneedling")] == [feb.id]
    assert [s.visit_id for s in touchup.default_sources(sources)] == [feb.id]  # newest plan
    # A touch-up shows the visit it touches up, by itself.
    at_touch_up = touchup.overlay_sources(store, second_top_up.id)
    assert [s.visit_id for s in touchup.default_sources(at_touch_up, "neurotoxin")] == [jan.id]
    assert touchup.default_sources([], "neurotoxin") == []


def test_the_editors_lookup_reads_the_earlier_charts_their_views_and_the_course(  # type: ignore[no-untyped-def]
    store, clinician, patient
):
    """What the editor reads on its worker after the first paint (app/services/earlier_charts):
    the defaults (the visit touched up), each chosen chart's view of every view of today's
    (None where it has none), the course's units and its visits' dates; charts saved with the
    version are shown again even read-only, and a read-only chart shows no default."""
    from app.services import earlier_charts

    jan = _visit(store, clinician, patient, date(2026, 1, 10))
    v1 = _save(store, jan.id, _chart(point(1, 1, "20")))
    feb = _visit(store, clinician, patient, date(2026, 2, 1))
    v2 = _save(store, feb.id, _chart(point(2, 2, "12")))
    today = _visit(store, clinician, patient, date(2026, 2, 14), touch_up_of=feb.id)

    def look(saved: list[str], read_only: bool = False) -> earlier_charts.EarlierCharts:
        return earlier_charts.look_up(
            store, today.id, saved=saved, treatment="neurotoxin", read_only=read_only,
            views=["frown", "smile"], limit=3,
        )  # fmt: skip

    found = look([])
    assert [s.visit_id for s in found.available] == [feb.id, jan.id]
    assert [s.version_hash for s in found.chosen] == [v2.content_hash]
    assert set(found.views) == {(v2.content_hash, "frown"), (v2.content_hash, "smile")}
    frown = found.views[(v2.content_hash, "frown")]
    assert frown is not None and frown.chart.points[0].units == Decimal(12)
    assert found.views[(v2.content_hash, "smile")] is None  # not charted in that view
    assert found.course is not None and list(found.course.per_visit) == [feb.id, today.id]
    assert found.visit_days == {feb.id: date(2026, 2, 1), today.id: date(2026, 2, 14)}
    saved = look([v1.content_hash], read_only=True)
    assert [s.version_hash for s in saved.chosen] == [v1.content_hash]
    assert look([], read_only=True).chosen == []


def test_the_views_of_charts_chosen_later_are_read_as_the_lookup_reads_them(  # type: ignore[no-untyped-def]
    store, clinician, patient
):
    """A chart the clinician chooses after the lookup (app/services/earlier_charts.read_views):
    every view asked for, of every chart, in one call on the editor's worker, each as the
    lookup would have read it (None where that chart has no such view)."""
    from app.services import earlier_charts

    jan = _visit(store, clinician, patient, date(2026, 1, 10))
    v1 = _save(store, jan.id, _chart(point(1, 1, "20")))
    feb = _visit(store, clinician, patient, date(2026, 2, 1))
    v2 = _save(store, feb.id, _chart(point(2, 2, "12")))
    today = _visit(store, clinician, patient, date(2026, 2, 14))
    found = earlier_charts.look_up(
        store, today.id, saved=[v1.content_hash, v2.content_hash], treatment="neurotoxin",
        read_only=False, views=["frown", "smile"], limit=3,
    )  # fmt: skip
    wanted = [(s, v) for s in found.chosen for v in ("frown", "smile")]
    read = earlier_charts.read_views(store, wanted)
    assert list(read) == [(s.version_hash, v) for s, v in wanted]
    assert read == found.views
    jan_frown = read[(v1.content_hash, "frown")]
    assert jan_frown is not None and jan_frown.chart.points[0].units == Decimal(20)
    assert read[(v2.content_hash, "smile")] is None  # not charted in that view
    assert earlier_charts.read_views(store, []) == {}


def test_an_outage_inside_the_editors_lookup_fails_it_whole(  # type: ignore[no-untyped-def]
    store, clinician, patient, monkeypatch
):
    """The server goes away while the lookup reads the course's units: the lookup raises a
    StoreError, which the editor tries again, and never comes back as a success without the
    course total (a course line missing in silence reads as a course with no earlier units).
    PostgreSQL: the connection is ended by the server, as a dropped link ends it."""
    from sqlalchemy import text

    from app.services import earlier_charts
    from app.store.database import open_store
    from app.store.errors import StoreError

    if store.is_sqlite:
        pytest.skip("a connection the server ends: PostgreSQL")
    jan = _visit(store, clinician, patient, date(2026, 1, 10))
    _save(store, jan.id, _chart(point(1, 1, "20")))
    today = _visit(store, clinician, patient, date(2026, 1, 24), touch_up_of=jan.id)
    other = open_store(str(store.url.render_as_string(hide_password=False)))
    real = earlier_charts.course_totals

    def server_gone(st: Store, visit_id: int, content: ChartContent):  # type: ignore[no-untyped-def]
        with st.read() as s:
            pid = s.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with other.read() as s:
            s.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        return real(st, visit_id, content)

    monkeypatch.setattr(earlier_charts, "course_totals", server_gone)
    try:
        with pytest.raises(StoreError):
            earlier_charts.look_up(
                store, today.id, saved=[], treatment="neurotoxin", read_only=False,
                views=["frown"], limit=3,
            )  # fmt: skip
    finally:
        other.dispose()
    monkeypatch.setattr(earlier_charts, "course_totals", real)
    found = earlier_charts.look_up(
        store, today.id, saved=[], treatment="neurotoxin", read_only=False, views=["frown"],
        limit=3,
    )  # fmt: skip
    assert found.course is not None and list(found.course.per_visit) == [jan.id, today.id]
