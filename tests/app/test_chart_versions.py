"""Chart versions: append-only, hash-chained, conflicts refused, any version loads."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from app.domain.chart import PointOrigin
from app.domain.totals import units_per_product
from app.services import charts, patients, photos, visits
from app.store.errors import ConflictError, NotFoundError, is_unique_violation
from app.store.schema import ChartVersion
from tests.app.chart_factory import glabella, point, stroke
from tests.images import face_image, jpeg_bytes


@pytest.fixture
def visit(store, clinician):
    p = patients.create_patient(store, "Zoë", "Martin", date(1984, 3, 12))
    v = visits.start_visit(store, p.id, clinician.id, "neurotoxin")
    ph = photos.add_photo_bytes(store, p.id, "frown", jpeg_bytes(), visit_id=v.id)
    return v, ph


def test_saved_version_reads_back_exactly(store, clinician, visit):
    v, ph = visit
    content = glabella(ph.sha256)
    saved = charts.save_version(
        store, v.id, content, parent_version_id=None, saved_by_id=clinician.id, comment="plan"
    )
    loaded = charts.load_version(store, saved.id)
    assert loaded.is_head
    assert loaded.info.version_no == 1 and loaded.info.saved_by == clinician.name
    frown = loaded.content.view("frown")
    assert frown is not None and frown.photo_sha256 == ph.sha256
    # strokes keep their order and their samples, rounded to 3 decimals
    assert [s.id for s in frown.strokes] == [s.id for s in content.views[0].strokes]
    assert frown.strokes[0].samples[1] == (103.333, 201.25, 0.5, 8.0)
    by_id = {p.id: p for p in frown.points}
    for original in content.views[0].points:
        got = by_id[original.id]
        assert (got.x, got.y, got.units, got.product, got.depth, got.zone, got.side) == (
            original.x,
            original.y,
            original.units,
            original.product,
            original.depth,
            original.zone,
            original.side,
        )
    assert loaded.content.products == content.products
    assert loaded.info.units == {"botox": Decimal(12), "dysport": Decimal("2.5")}
    assert saved.saved_at.tzinfo is not None  # stored and returned in UTC


def test_each_save_appends_and_old_versions_never_change(store, clinician, visit):
    v, ph = visit
    content = glabella(ph.sha256)
    v1 = charts.save_version(store, v.id, content, parent_version_id=None, saved_by_id=clinician.id)
    with store.read() as s:
        row1_before = s.execute(
            text("SELECT * FROM chart_version WHERE id = :i"), {"i": v1.id}
        ).one()
    frown = content.views[0]
    changed = dataclasses.replace(
        frown, points=(dataclasses.replace(frown.points[0], units=Decimal("5")), *frown.points[1:])
    )
    v2 = charts.save_version(
        store, v.id, content.with_view(changed), parent_version_id=v1.id, saved_by_id=clinician.id
    )
    assert v2.version_no == 2 and v2.parent_hash == v1.content_hash
    with store.read() as s:
        row1_after = s.execute(
            text("SELECT * FROM chart_version WHERE id = :i"), {"i": v1.id}
        ).one()
    assert row1_after == row1_before
    assert [h.version_no for h in charts.history(store, v.id)] == [2, 1]
    old = charts.load_version(store, v1.id)
    assert not old.is_head  # an older version opens read-only
    old_points = {p.id: p.units for p in old.content.views[0].points}
    assert old_points[frown.points[0].id] == Decimal(4)
    new_points = {p.id: p.units for p in charts.load_version(store, v2.id).content.views[0].points}
    assert new_points[frown.points[0].id] == Decimal(5)


def test_save_from_a_stale_parent_is_refused(store, clinician, visit):
    v, ph = visit
    v1 = charts.save_version(
        store, v.id, glabella(ph.sha256), parent_version_id=None, saved_by_id=clinician.id
    )
    # two windows (or two rooms) opened version 1; the first saves
    mine = glabella(ph.sha256)
    charts.save_version(store, v.id, mine, parent_version_id=v1.id, saved_by_id=clinician.id)
    theirs = glabella(ph.sha256)
    with pytest.raises(ConflictError, match="another window or room"):
        charts.save_version(store, v.id, theirs, parent_version_id=v1.id, saved_by_id=clinician.id)
    with pytest.raises(ConflictError):  # a "first" save onto an existing chart too
        charts.save_version(store, v.id, theirs, parent_version_id=None, saved_by_id=clinician.id)
    history = charts.history(store, v.id)
    assert [h.version_no for h in history] == [2, 1]
    head = charts.load_head(store, v.id)
    assert head is not None
    assert {p.id for p in head.content.views[0].points} == {p.id for p in mine.views[0].points}


def test_the_unique_version_number_stops_a_race_the_check_missed(store, clinician, visit):
    v, ph = visit
    v1 = charts.save_version(
        store, v.id, glabella(ph.sha256), parent_version_id=None, saved_by_id=clinician.id
    )
    with pytest.raises(IntegrityError) as race:  # the database itself refuses a second version 1
        with store.write() as s:
            s.add(
                ChartVersion(
                    chart_id=v1.chart_id,
                    version_no=1,
                    parent_hash="",
                    content_hash="0" * 64,
                    manifest=b"",
                )
            )
    # …and says so in a way save_version turns into a conflict, unlike a broken reference
    assert is_unique_violation(race.value)


def test_a_broken_reference_is_not_reported_as_a_conflict(store, clinician, visit):
    v, ph = visit
    with pytest.raises(IntegrityError) as broken:  # no practitioner 999999: a bug, not a race
        charts.save_version(
            store, v.id, glabella(ph.sha256), parent_version_id=None, saved_by_id=999_999
        )
    assert not is_unique_violation(broken.value)
    assert charts.history(store, v.id) == []  # and nothing was written


def test_content_hash_is_sha256_of_canonical_json_then_parent_hash(store, clinician, visit):
    """Recomputed here from CONTRACTS.md's words, not with the app's own helper."""
    v, ph = visit
    content = glabella(ph.sha256)
    v1 = charts.save_version(store, v.id, content, parent_version_id=None, saved_by_id=clinician.id)
    p = content.views[0].points[3]
    s = content.views[0].strokes[0]
    expected_point = {
        "id": p.id,
        "x": 330.0,
        "y": 175.0,
        "product": "dysport",
        "units": "2.5",
        "depth": "intradermal",
        "zone": "",
        "side": None,
        "note": "",
        "origin": None,
    }
    canonical = {
        "format": 1,
        "note": "plan",
        "products": [
            {
                "product": "botox",
                "lot": "C1234",
                "expiry": None,
                "dilution": {"vial_units": "100", "diluent_ml": "2.5"},
            }
        ],
        "views": {
            "frown": {
                "photo_sha256": ph.sha256,
                "strokes": [
                    {
                        "id": st.id,
                        "color": st.color,
                        "style": st.style,
                        "width": 6.0,
                        "samples": [
                            [round(x, 3), round(y, 3), round(pr, 3), round(t, 3)]
                            for x, y, pr, t in st.samples
                        ],
                    }
                    for st in content.views[0].strokes
                ],
                "points": sorted(
                    [expected_point]
                    + [
                        {
                            "id": q.id,
                            "x": float(q.x),
                            "y": float(q.y),
                            "product": "botox",
                            "units": "4",
                            "depth": "intramuscular",
                            "zone": q.zone,
                            "side": q.side.value,
                            "note": "",
                            "origin": None,
                        }
                        for q in content.views[0].points[:3]
                    ],
                    key=lambda d: d["id"],
                ),
            }
        },
    }
    raw = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )
    assert b", " not in raw and b": " not in raw  # no whitespace between tokens
    assert hashlib.sha256(raw).hexdigest() == v1.content_hash
    assert s.samples[1][0] == 103.3333  # stored rounded, hashed rounded
    v2 = charts.save_version(
        store, v.id, content, parent_version_id=v1.id, saved_by_id=clinician.id
    )
    assert hashlib.sha256(raw + v1.content_hash.encode()).hexdigest() == v2.content_hash


def test_units_are_exact_decimals_never_floats():
    from app.domain.chart import InjectionPoint

    with pytest.raises(TypeError):
        InjectionPoint(1, 2, "botox", 0.1)  # type: ignore[arg-type]
    a = point(1, 2, "0.1")
    b = point(1, 2, "0.2")
    c = point(1, 2, "5", product="dysport")
    from app.domain.chart import ChartContent, ViewChart

    totals = units_per_product(ChartContent(views=(ViewChart("frown", None, (), (a, b, c)),)))
    assert totals == {"botox": Decimal("0.3"), "dysport": Decimal(5)}  # never added across


def test_carried_point_keeps_its_origin(store, clinician, visit):
    v, ph = visit
    v1 = charts.save_version(
        store, v.id, glabella(ph.sha256), parent_version_id=None, saved_by_id=clinician.id
    )
    source = charts.load_version(store, v1.id).content.views[0].points[0]
    carried = dataclasses.replace(point(10, 20), origin=PointOrigin(source.id, v1.content_hash))
    content = glabella(ph.sha256)
    content = content.with_view(dataclasses.replace(content.views[0], points=(carried,)))
    v2 = charts.save_version(
        store, v.id, content, parent_version_id=v1.id, saved_by_id=clinician.id
    )
    got = charts.load_version(store, v2.id).content.views[0].points[0]
    assert got.origin == PointOrigin(source.id, v1.content_hash)
    assert got.id == carried.id


def test_diff_by_point_id(store, clinician, visit):
    v, ph = visit
    base = glabella(ph.sha256)
    v1 = charts.save_version(store, v.id, base, parent_version_id=None, saved_by_id=clinician.id)
    frown = base.views[0]
    kept, moved, reunited, removed = frown.points
    new_point = point(500, 500)
    changed = dataclasses.replace(
        frown,
        points=(
            kept,
            dataclasses.replace(moved, x=moved.x + 12),
            dataclasses.replace(reunited, units=Decimal(6)),
            new_point,
        ),
        strokes=(*frown.strokes, stroke(10)),
    )
    v2 = charts.save_version(
        store, v.id, base.with_view(changed), parent_version_id=v1.id, saved_by_id=clinician.id
    )
    d = charts.diff_versions(store, v1.id, v2.id)
    assert [c.point_id for c in d.added] == [new_point.id]
    assert [c.point_id for c in d.removed] == [removed.id]
    assert [c.point_id for c in d.moved] == [moved.id]
    assert [(c.point_id, c.before.units, c.after.units) for c in d.units_changed] == [
        (reunited.id, Decimal(4), Decimal(6))
    ]
    assert d.strokes_added == 1 and d.strokes_removed == 0


def test_a_retake_never_changes_a_saved_version(store, clinician, visit):
    v, ph = visit
    v1 = charts.save_version(
        store, v.id, glabella(ph.sha256), parent_version_id=None, saved_by_id=clinician.id
    )
    retake = photos.add_photo_bytes(
        store, v.patient_id, "frown", jpeg_bytes(face_image(seed=5)), visit_id=v.id
    )
    assert retake.sha256 != ph.sha256
    assert charts.load_version(store, v1.id).content.views[0].photo_sha256 == ph.sha256
    assert [p.sha256 for p in photos.photos_for_visit(store, v.id)] == [ph.sha256, retake.sha256]
    timeline = visits.timeline(store, v.patient_id)
    assert timeline[0].photos == [("frown", "Frown", retake.sha256)]  # the newest per view


def test_a_chart_must_refer_to_stored_photos_and_known_products(store, clinician, visit):
    v, _ = visit
    with pytest.raises(NotFoundError, match="photo"):
        charts.save_version(
            store, v.id, glabella("f" * 64), parent_version_id=None, saved_by_id=clinician.id
        )
    assert charts.history(store, v.id) == []


def test_history_reads_no_content(store, clinician, visit):
    v, ph = visit
    parent = None
    for _ in range(3):
        parent = charts.save_version(
            store, v.id, glabella(ph.sha256), parent_version_id=parent, saved_by_id=clinician.id
        ).id
    with store.read() as s:
        row = s.scalars(select(ChartVersion).limit(1)).one()
        assert "manifest" not in row.__dict__  # deferred: listing never loads chart content
    assert [h.version_no for h in charts.history(store, v.id)] == [3, 2, 1]
