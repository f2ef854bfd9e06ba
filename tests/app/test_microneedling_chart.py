"""Microneedling chart content (ADR 0029): areas as polygons in photo pixels with exact depths,
the session record, its canonical form and parts; saved and read back on real stores, the
hash verified by `check`, toxin charts' bytes unchanged, and the archive carrying it."""

from __future__ import annotations

import json
import zlib
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from app.domain.canonical import content_from_json, content_to_json, dumps, normalise
from app.domain.chart import ChartContent, ViewChart
from app.domain.microneedling import (
    DEPTHS,
    ContraindicationCheck,
    MicroneedlingSession,
    TreatedArea,
    area_kind,
    first_depth,
    parse_depth,
)
from app.domain.mn_editing import (
    centroid,
    contains,
    find_area,
    polygon_area,
    put_area,
    remove_area,
    simplify,
)
from app.domain.mn_totals import depth_warning, mn_totals
from app.domain.soft_warnings import NEEDLE_DEPTH, Switches
from app.services import archive, charts, patients, photos, visits
from app.services.integrity import check_store
from app.store import chart_parts
from app.store.database import Store, open_store, sqlite_url
from app.store.hash_chain import content_hash
from app.store.schema import ChartPart, ChartVersion, Visit
from tests.app.chart_factory import glabella
from tests.app.mn_factory import cheek_polygon, full_face, mn_session
from tests.images import face_image, jpeg_bytes

# --- domain --------------------------------------------------------------------------------


def test_depths_are_exact_quarter_millimetres_from_025_to_25() -> None:
    assert DEPTHS[0] == Decimal("0.25") and DEPTHS[-1] == Decimal("2.5") and len(DEPTHS) == 10
    assert parse_depth("1.25") == Decimal("1.25")
    for wrong in ("0", "0.3", "2.75", "-1", "NaN"):
        with pytest.raises(ValueError):
            parse_depth(wrong)
    with pytest.raises(TypeError):
        parse_depth(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        TreatedArea(cheek_polygon(), "Cheeks", 1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        TreatedArea(((0.0, 0.0), (1.0, 1.0)), "Cheeks", Decimal(1))


def test_the_lower_end_of_an_area_usual_range_is_offered_first() -> None:
    assert first_depth("Forehead") == Decimal("0.25")
    assert first_depth("periorbital") == Decimal("0.25")
    assert first_depth("Cheeks") == Decimal("1.0")
    assert first_depth("Scar area") == Decimal("1.5")
    kind = area_kind("scars")
    assert kind is not None and kind.usual_high == Decimal("2.5")
    assert area_kind("Décolletage") is None  # clinic-defined: no usual range
    assert first_depth("Décolletage") == Decimal("0.25")


def test_contraindication_answers_are_recorded_not_judged() -> None:
    check = ContraindicationCheck().with_answer("pregnancy", False)
    assert check.answer("pregnancy") is False and check.answer("keloid") is None
    assert not check.complete
    for key in ("isotretinoin", "infection", "keloid"):
        check = check.with_answer(key, key == "keloid")
    assert check.complete and check.positives == ["keloid"]
    with pytest.raises(KeyError):
        check.with_answer("smoker", True)


def test_session_refuses_a_naive_time_and_a_skin_type_out_of_range() -> None:
    with pytest.raises(ValueError):
        MicroneedlingSession(anaesthetic_at=datetime(2026, 3, 2, 9, 15))
    with pytest.raises(ValueError):
        MicroneedlingSession(fitzpatrick=7)


# --- canonical form and parts ----------------------------------------------------------------


def test_canonical_form_covers_areas_and_session_with_decimals_as_strings() -> None:
    content = full_face("f" * 64, "e" * 64)
    d = json.loads(dumps(content_to_json(content)))
    (cheek,) = [a for a in d["views"]["front"]["areas"] if a["id"] == "a-cheek-r"]
    assert cheek["depth_mm"] == "1.5" and cheek["passes"] == 3
    assert cheek["polygon"][1] == [780.123, 910.0]  # floats rounded to 3 decimals
    assert [a["id"] for a in d["views"]["front"]["areas"]] == ["a-cheek-r", "a-forehead"]
    mn = d["microneedling"]
    assert mn["cartridge_lot"] == "SP-2291" and mn["fitzpatrick"] == 3
    assert mn["anaesthetic_at"] == "2026-03-02T09:15:00+00:00"
    assert mn["contraindications"] == {
        "infection": False,
        "isotretinoin": False,
        "keloid": False,
        "pregnancy": False,
    }
    back = content_from_json(d)
    assert back == normalise(content)
    assert back.views[0].areas[0].depth_mm == Decimal("1.5")


def test_a_different_depth_or_lot_is_a_different_hash() -> None:
    content = normalise(full_face("f" * 64))
    front = content.views[0]
    deeper = replace(front.areas[0], depth_mm=Decimal("1.75"))
    other_depth = content.with_view(replace(front, areas=(deeper, front.areas[1])))
    assert content.microneedling is not None
    other_lot = replace(content, microneedling=replace(content.microneedling, cartridge_lot="X"))
    hashes = {content_hash(c, "") for c in (content, other_depth, other_lot)}
    assert len(hashes) == 3


def test_toxin_content_has_no_microneedling_keys() -> None:
    d = content_to_json(glabella("a" * 64))
    assert "microneedling" not in d
    assert all("areas" not in v for v in d["views"].values())
    manifest, parts = chart_parts.split(glabella("a" * 64))
    assert "microneedling" not in manifest
    assert all("areas" not in v for v in manifest["views"].values())
    assert {kind for kind, _raw in parts.values()} == {"stroke", "points", "products"}


def test_parts_splice_to_the_canonical_bytes() -> None:
    """`check` and the archive splice the canonical bytes from parts without parsing them."""
    for content in (full_face("f" * 64, "e" * 64), glabella("a" * 64)):
        canonical = dumps(content_to_json(content))
        manifest, parts = chart_parts.split(content)
        raw = {sha: data for sha, (_kind, data) in parts.items()}
        assert chart_parts.splice(manifest, raw) == canonical
        assert dumps(chart_parts.assemble(manifest, raw)) == canonical
        saved_manifest, saved_parts, saved = chart_parts.split_content(content)
        assert (saved_manifest, saved_parts, saved) == (manifest, parts, canonical)


# --- saved on a real store -----------------------------------------------------------------


def _mn_visit(store: Store, clinician_id: int) -> tuple[int, str, str]:
    p = patients.create_patient(store, "Inès", "Laurent", date(1990, 6, 1))
    v = visits.start_visit(store, p.id, clinician_id, "microneedling", date(2026, 3, 2))
    front = photos.add_photo_bytes(
        store, p.id, "front", jpeg_bytes(face_image(seed=1)), visit_id=v.id
    )
    left = photos.add_photo_bytes(
        store, p.id, "left_45", jpeg_bytes(face_image(seed=2)), visit_id=v.id
    )
    return v.id, front.sha256, left.sha256


def test_saved_microneedling_version_reads_back_and_verifies(store: Store, clinician) -> None:
    visit_id, front, left = _mn_visit(store, clinician.id)
    content = full_face(front, left)
    info = charts.save_version(
        store, visit_id, content, parent_version_id=None, saved_by_id=clinician.id
    )
    assert info.content_hash == content_hash(content, "")
    loaded = charts.load_version(store, info.id).content
    assert loaded == normalise(content)
    areas = {a.id: a for _v, a in loaded.all_areas()}
    assert areas["a-cheek-r"].polygon[1] == (780.123, 910.0)
    assert areas["a-cheek-r"].depth_mm == Decimal("1.5") and areas["a-cheek-r"].passes == 3
    assert loaded.microneedling == normalise(content).microneedling
    # a second version changing one depth
    front_view = loaded.view("front")
    assert front_view is not None
    changed = replace(front_view.areas[1], depth_mm=Decimal("0.25"))
    v2 = charts.save_version(
        store,
        visit_id,
        loaded.with_view(replace(front_view, areas=(front_view.areas[0], changed))),
        parent_version_id=info.id,
        saved_by_id=clinician.id,
    )
    assert v2.version_no == 2
    report = check_store(store)
    assert report.intact, report.alterations
    assert report.versions_checked == 2


def test_check_names_an_altered_depth(store: Store, clinician) -> None:
    visit_id, front, left = _mn_visit(store, clinician.id)
    charts.save_version(
        store, visit_id, full_face(front, left), parent_version_id=None, saved_by_id=clinician.id
    )
    with store.write() as s:
        part = s.scalars(select(ChartPart).where(ChartPart.kind == "areas")).first()
        assert part is not None
        raw = zlib.decompress(part.data).replace(b'"depth_mm":"2.5"', b'"depth_mm":"0.5"')
        raw = raw.replace(b'"depth_mm":"1.5"', b'"depth_mm":"0.5"')
        part.data = zlib.compress(raw)
    report = check_store(store)
    assert not report.intact


def test_export_and_import_keep_a_microneedling_chart(
    store: Store, clinician, tmp_path: Path
) -> None:
    visit_id, front, left = _mn_visit(store, clinician.id)
    content = full_face(front, left)
    info = charts.save_version(
        store, visit_id, content, parent_version_id=None, saved_by_id=clinician.id
    )
    out = tmp_path / "mn.zip"
    archive.export_archive(store, out, "correct horse battery staple")
    target = open_store(sqlite_url(tmp_path / "target.db"))
    try:
        archive.import_archive(target, out, "correct horse battery staple")
        report = check_store(target)
        assert report.intact, report.alterations
        with target.read() as s:
            (version,) = s.scalars(select(ChartVersion)).all()
            assert version.content_hash == info.content_hash
            loaded = charts.load_content(s, version)
        assert loaded == normalise(content)
    finally:
        target.dispose()


def test_an_area_on_a_view_without_areas_before_changes_nothing_else() -> None:
    """Adding an area to a view keeps its strokes' parts: only the areas part is new."""
    base = ChartContent(views=(ViewChart("front", "f" * 64),), microneedling=mn_session())
    m1, p1 = chart_parts.split(base)
    with_area = base.with_view(
        ViewChart("front", "f" * 64, areas=(TreatedArea(cheek_polygon(), "Cheeks", Decimal(1)),))
    )
    m2, p2 = chart_parts.split(with_area)
    assert set(p2) - set(p1) and m1["microneedling"] == m2["microneedling"]
    assert "areas" not in m1["views"]["front"] and "areas" in m2["views"]["front"]


# --- totals and the depth warning ------------------------------------------------------------


def test_totals_are_areas_depths_and_passes() -> None:
    content = full_face("f" * 64, "e" * 64)
    t = mn_totals(content, ("front", "left_45", "right_45"))
    assert t.areas == 3 and t.passes == 3 + 2 + 2
    assert [(ln.view, ln.name, ln.depth_mm) for ln in t.lines] == [
        ("front", "Cheeks", Decimal("1.5")),
        ("front", "Forehead", Decimal("0.5")),
        ("left_45", "Scar area", Decimal("2.5")),
    ]
    assert t.deepest == Decimal("2.5") and not any(ln.above_usual for ln in t.lines)


def test_a_depth_above_the_usual_range_warns_softly() -> None:
    forehead = TreatedArea(cheek_polygon(), "Forehead", Decimal("0.75"))
    w = depth_warning(forehead)
    assert w is not None and w.kind == NEEDLE_DEPTH
    assert "0.75 mm is deeper than the usual 0.25–0.5 mm" in w.text
    assert depth_warning(replace(forehead, depth_mm=Decimal("0.5"))) is None
    assert depth_warning(replace(forehead, name="Décolletage", depth_mm=Decimal("2.5"))) is None
    assert Switches.from_settings({NEEDLE_DEPTH: False}).shown([w]) == []


# --- edits and geometry ----------------------------------------------------------------------


def test_area_edits_are_pure_and_keep_order() -> None:
    content = normalise(full_face("f" * 64))
    front = content.views[0]
    deeper = replace(front.areas[0], depth_mm=Decimal("2"))
    edited = put_area(content, "front", deeper)
    assert content.views[0].areas[0].depth_mm == Decimal("1.5")  # unchanged
    assert [a.id for a in edited.views[0].areas] == [a.id for a in front.areas]
    found = find_area(edited, deeper.id)
    assert found is not None and found[1].depth_mm == Decimal(2)
    assert find_area(remove_area(edited, "front", deeper.id), deeper.id) is None


def test_polygon_geometry() -> None:
    square = ((0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0))
    assert polygon_area(square) == 100.0
    assert contains(square, 5, 5) and not contains(square, 15, 5)
    assert centroid(square) == (5.0, 5.0)
    import math as m

    circle = tuple((100 + 50 * m.cos(i / 100 * 2 * m.pi), 100 + 50 * m.sin(i / 100 * 2 * m.pi))
                   for i in range(100))  # fmt: skip
    small = simplify(circle, 1.0)
    assert 8 <= len(small) < 40
    assert abs(polygon_area(small) - polygon_area(circle)) / polygon_area(circle) < 0.03


# --- the course, the overlay and carrying forward -------------------------------------------


def test_courses_group_sessions_and_say_when_the_next_is_due() -> None:
    from datetime import timedelta

    from app.domain.mn_course import SessionRef, group_courses, next_session_due, unfinished_last

    d0 = date(2026, 1, 5)
    planned4 = MicroneedlingSession(course_sessions=4)
    refs = [
        SessionRef(1, d0, planned4),
        SessionRef(2, d0 + timedelta(days=28), MicroneedlingSession()),
        SessionRef(3, d0 + timedelta(days=56), MicroneedlingSession(course_closed=True)),
        SessionRef(4, d0 + timedelta(days=200), None),  # a new course, default 3
    ]
    first, second = group_courses(refs)
    assert first.planned == 4 and first.done == 3 and first.finished and first.closed_by_hand
    assert second.planned == 3 and second.number_of(4) == 1 and not second.finished
    assert unfinished_last([first, second]) == refs[3]
    assert next_session_due(refs[3].visit_date) == refs[3].visit_date + timedelta(days=28)
    full = group_courses([SessionRef(i, d0, None) for i in range(1, 5)])
    assert [c.done for c in full] == [3, 1]  # a course closes at its third session


def test_course_state_and_due_sessions_on_a_real_store(store: Store, clinician) -> None:
    from app.services import mn_course

    visit_id, front, left = _mn_visit(store, clinician.id)
    charts.save_version(
        store, visit_id, full_face(front, left), parent_version_id=None, saved_by_id=clinician.id
    )
    state = mn_course.course_state(store, visit_id)
    assert (state.number, state.planned, state.first_of_course) == (1, 3, True)
    assert state.next_due == date(2026, 3, 30)
    with store.read() as s:
        patient_id = s.get_one(Visit, visit_id).patient_id
    later = visits.start_visit(store, patient_id, clinician.id, "microneedling", date(2026, 4, 1))
    state2 = mn_course.course_state(store, later.id)
    assert (state2.number, state2.previous_visit_id, state2.first_of_course) == (2, visit_id, False)
    (due,) = mn_course.due_sessions(store)
    assert due.last_visit_id == later.id and due.done == 2 and due.planned == 3
    assert due.due == date(2026, 4, 29)
    visits.mark_visit_in_error(store, later.id, clinician.id, "opened twice")
    (due,) = mn_course.due_sessions(store)  # a visit entered in error never counts
    assert due.last_visit_id == visit_id and due.done == 1


def test_earlier_areas_map_onto_today_and_carry_forward_with_their_origin() -> None:
    import numpy as np

    from app.alignment.mapping import SimilarityMapping
    from app.services.overlay_mapping import map_view_chart
    from app.services.touchup import EarlierView, OverlaySource, carry_areas_forward

    chart = normalise(full_face("f" * 64)).views[0]
    shift = SimilarityMapping(np.array([[1.0, 0, 12.5], [0, 1.0, -7.25]]))
    mapped = map_view_chart(chart, shift)
    by_id = {a.id: a for a in mapped.areas}
    for a in chart.areas:
        assert by_id[a.id].polygon == tuple((x + 12.5, y - 7.25) for x, y in a.polygon)
    source = OverlaySource(1, 1, "h" * 64, date(2026, 3, 2), "microneedling", 1, True, "", False)
    carried = carry_areas_forward(EarlierView(source, "front", chart, None), shift)
    assert len(carried) == 2
    for a in carried:
        assert a.origin is not None and a.origin.version_hash == "h" * 64
        was = next(b for b in chart.areas if b.id == a.origin.area_id)
        assert a.id != was.id and a.depth_mm == was.depth_mm and a.name == was.name
