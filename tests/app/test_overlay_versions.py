"""Overlays saved with a chart version (ADR 0003, ADR 0009 "Saved with the version"): the
mapping reads back exactly and lands on the same pixels, versions saved before overlays keep
their hash, a kept mapping costs a next version almost nothing, and `check` catches an altered
mapping. Real stores: SQLite, and PostgreSQL when FACECHART_TEST_PG is set."""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select, text

from app.alignment import align_images
from app.alignment.manual import adjust
from app.alignment.mapping import SimilarityMapping, mapping_from_dict
from app.domain.canonical import content_to_json, normalise
from app.domain.chart import (
    ChartContent,
    InjectionPoint,
    OverlayUse,
    PointOrigin,
    ProductUse,
    Stroke,
    ViewChart,
)
from app.domain.diff import diff_charts
from app.domain.values import Depth, Dilution, Side
from app.services import charts, drafts, patients, photos, touchup, visits
from app.services.integrity import check_store
from app.store import chart_parts
from app.store.database import Store
from app.store.errors import NotFoundError
from app.store.hash_chain import content_hash
from app.store.schema import ChartPart, ChartVersion
from tests.app.alignment.faces import astronaut, jpeg, similarity, warp
from tests.app.chart_factory import point

# --- versions saved before overlays existed ------------------------------------------------------


def _fixed_content() -> ChartContent:
    return ChartContent(
        views=(
            ViewChart(
                "frown",
                "a" * 64,
                strokes=(
                    Stroke(
                        ((10.1234, 20.5, 0.5, 0.0), (12.0, 22.25, 0.75, 8.0)),
                        "blue",
                        "dashed",
                        4.5,
                        id="s1",
                    ),
                ),
                points=(
                    InjectionPoint(
                        100.25,
                        200.125,
                        "botox",
                        Decimal("4"),
                        zone="procerus",
                        side=Side.MIDLINE,
                        id="p1",
                    ),  # fmt: skip
                    InjectionPoint(
                        150.0,
                        190.0,
                        "dysport",
                        Decimal("2.5"),
                        Depth.INTRADERMAL,
                        "corrugator",
                        Side.LEFT,
                        "lateral",
                        PointOrigin("p0", "b" * 64),
                        id="p2",
                    ),  # fmt: skip
                ),
            ),
            ViewChart("rest", None),
        ),
        products=(ProductUse("botox", "C1", None, Dilution(Decimal(100), Decimal("2.5"))),),
        note="plan",
    )


def test_content_without_overlays_hashes_as_before_overlays_existed() -> None:
    # Computed with the code of the commit before overlays were added (1199b9b).
    assert content_hash(_fixed_content(), "") == (
        "cd30dd5a75cb09be5790aeae5178d8b27c1f7518b79fdb21acf8b9952ff0b113"
    )
    assert content_hash(_fixed_content(), "c" * 64) == (
        "e778aaf6edb65603b8d1780e93b14f9257380cf03e99a424dd439e427cc4cd1f"
    )
    views = content_to_json(_fixed_content())["views"]
    assert all("overlays" not in v for v in views.values())
    manifest, _ = chart_parts.split(_fixed_content())
    assert all("overlays" not in v for v in manifest["views"].values())


# --- a real mesh mapping ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def mesh(models) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The saved form of a real mesh alignment: the astronaut against a moved copy."""
    face = astronaut(2.0)
    moved = warp(face, similarity(0.9, 6.0, (40.0, -30.0), (450.0, 300.0)))
    result = align_images(face, moved)
    assert result.method == "mesh", result.message
    return result.mapping.to_dict()


def _manual() -> dict[str, Any]:
    # A hand-set similarity: 9-decimal matrix, more than the 3 decimals of chart floats.
    return SimilarityMapping(similarity(1.0123456789, -3.21, (12.345678, -6.5), (400, 300)),
                             "manual").to_dict()  # fmt: skip


SPOTS = [(395.0, 172.0), (452.0, 180.0), (510.0, 177.0), (372.0, 205.0), (100.0, 900.0)]


def _earlier_chart() -> ViewChart:
    return ViewChart(
        "frown",
        "e" * 64,
        strokes=(Stroke(tuple((400.0 + 7 * i, 190.0 + i / 2, 0.5, 8.0 * i) for i in range(15))),),
        points=tuple(point(x, y, "2.5") for x, y in SPOTS),
    )


@pytest.fixture
def visit(store: Store, clinician):  # type: ignore[no-untyped-def]
    p = patients.create_patient(store, "Zoë", "Martin", date(1984, 3, 12))
    return visits.start_visit(store, p.id, clinician.id, "neurotoxin", date(2026, 1, 24))


@dataclass
class Earlier:
    """The patient's earlier visit: its photo and three saved versions, for overlays to name
    (a save refuses an overlay of a version or photo that is not in the database)."""

    photo_sha256: str
    hashes: list[str]


@pytest.fixture
def earlier(store: Store, clinician, visit) -> Earlier:  # type: ignore[no-untyped-def]
    jan = visits.start_visit(store, visit.patient_id, clinician.id, "neurotoxin", date(2026, 1, 10))
    photo = photos.add_photo_bytes(store, visit.patient_id, "frown", jpeg(astronaut(1.0)),
                                   visit_id=jan.id)  # fmt: skip
    hashes = [
        _save(
            store,
            jan.id,
            ChartContent(
                views=(ViewChart("frown", photo.sha256, points=(point(400, 200, str(n)),)),)
            ),
        ).content_hash  # fmt: skip
        for n in (4, 5, 6)
    ]
    return Earlier(photo.sha256, hashes)


FAKE = Earlier("e" * 64, [f"{i}" * 64 for i in range(4)])  # for what is never saved


def _with_overlays(*maps: dict[str, Any], units: str = "4", refs: Earlier = FAKE) -> ChartContent:
    overlays = tuple(OverlayUse(refs.hashes[i], refs.photo_sha256, m) for i, m in enumerate(maps))
    return ChartContent(
        views=(
            ViewChart("frown", None, points=(point(400, 200, units),), overlays=overlays),
            ViewChart("rest", None, overlays=overlays[:1]),
        )
    )


def _save(store: Store, visit_id: int, content: ChartContent) -> charts.VersionInfo:
    head = charts.head_version(store, visit_id)
    return charts.save_version(
        store, visit_id, content, parent_version_id=head.id if head else None, saved_by_id=None
    )


def test_overlays_reload_with_the_same_mapping_hash_and_pixels(store, visit, earlier, mesh) -> None:  # type: ignore[no-untyped-def]
    corrected = adjust(mapping_from_dict(mesh), 3.25, -1.5, 1.01, 0.7, (450.0, 200.0)).to_dict()
    maps = (mesh, _manual(), corrected)
    content = _with_overlays(*maps, refs=earlier)
    saved = _save(store, visit.id, content)
    loaded = charts.load_version(store, saved.id).content

    frown = loaded.view("frown")
    assert frown is not None
    assert [o.mapping for o in frown.overlays] == list(maps)  # every digit, in legend order
    assert [o.version_hash for o in frown.overlays] == earlier.hashes
    assert loaded.view("rest").overlays == frown.overlays[:1]  # type: ignore[union-attr]
    assert content_hash(loaded, "") == saved.content_hash
    assert loaded == normalise(content)  # what the editor holds after a save
    # Reopened, rebuilt, the earlier chart lands on the same pixels as when it was saved.
    chart = _earlier_chart()
    for live, stored in zip(maps, frown.overlays, strict=True):
        before = touchup.map_view_chart(chart, mapping_from_dict(live))
        after = touchup.map_view_chart(chart, stored.mapping)
        xy = np.array([(p.x, p.y) for p in before.points])
        assert np.abs(xy - [(p.x, p.y) for p in after.points]).max() < 0.01
        assert (
            np.abs(
                np.array([s[:2] for s in before.strokes[0].samples])
                - [s[:2] for s in after.strokes[0].samples]
            ).max()
            < 0.01
        )
    assert check_store(store).intact


def test_a_kept_mapping_costs_the_next_version_almost_nothing(store, visit, earlier, mesh) -> None:  # type: ignore[no-untyped-def]
    def stored_bytes() -> int:
        with store.read() as s:
            parts = sum(len(d) for d in s.scalars(select(ChartPart.data)))
            manifests = sum(len(m) for m in s.scalars(select(ChartVersion.manifest)))
            return parts + manifests

    empty = stored_bytes()
    _save(store, visit.id, _with_overlays(mesh, _manual(), refs=earlier))
    first = stored_bytes() - empty
    # The mesh mapping is ~31 kB of JSON; compressed it is a third of that, stored once.
    assert 5_000 < first < 20_000, first
    _save(store, visit.id, _with_overlays(mesh, _manual(), units="2.5", refs=earlier))
    second = stored_bytes() - empty - first
    assert second < 1_500, second  # one view's points and the manifest: the mapping is shared
    with store.read() as s:
        assert len(s.scalars(select(ChartPart).where(ChartPart.kind == "overlay")).all()) == 2


def _overlay_part(store: Store) -> tuple[str, bytes]:
    with store.read() as s:
        sha, data = s.execute(
            select(ChartPart.sha256, ChartPart.data).where(ChartPart.kind == "overlay")
        ).one()
    return sha, zlib.decompress(data)


def _nudged(raw: bytes) -> bytes:
    """The overlay part with one mapped point moved by 1 px: a plausible forgery."""
    part = json.loads(raw)
    mapping = json.loads(part["mapping"])
    mapping["new"][10][0] += 1.0
    part["mapping"] = json.dumps(mapping, sort_keys=True, separators=(",", ":"))
    return json.dumps(part, sort_keys=True, separators=(",", ":")).encode()


def _saved_with_one_overlay(store: Store, visit, refs: Earlier, mesh) -> charts.VersionInfo:  # type: ignore[no-untyped-def]
    content = ChartContent(
        views=(ViewChart("frown", None, overlays=(OverlayUse(refs.hashes[0], None, mesh),)),)
    )
    return _save(store, visit.id, content)


def test_check_catches_a_mapping_altered_in_place(store, visit, earlier, mesh) -> None:  # type: ignore[no-untyped-def]
    saved = _saved_with_one_overlay(store, visit, earlier, mesh)
    sha, raw = _overlay_part(store)
    with store.engine.begin() as conn:
        conn.execute(
            text("UPDATE chart_part SET data = :data WHERE sha256 = :sha"),
            {"data": zlib.compress(_nudged(raw)), "sha": sha},
        )
    report = check_store(store)
    found = {(a.table, a.key.split(" ")[0]) for a in report.alterations}
    assert found == {("chart_part", f"sha256={sha}"), ("chart_version", f"id={saved.id}")}


def test_check_catches_a_mapping_replaced_under_a_new_address(store, visit, earlier, mesh) -> None:  # type: ignore[no-untyped-def]
    # A careful forger re-addresses the part and points the manifest at it: every part is then
    # consistent, and only the version's hash, which covers the mapping, gives it away.
    saved = _saved_with_one_overlay(store, visit, earlier, mesh)
    sha, raw = _overlay_part(store)
    forged = _nudged(raw)
    new_sha = hashlib.sha256(forged).hexdigest()
    with store.read() as s:
        manifest = chart_parts.decode_manifest(s.get(ChartVersion, saved.id).manifest)  # type: ignore[union-attr]
    manifest["views"]["frown"]["overlays"] = [new_sha]
    with store.engine.begin() as conn:
        conn.execute(
            text("UPDATE chart_part SET sha256 = :new, data = :data WHERE sha256 = :old"),
            {"new": new_sha, "data": zlib.compress(forged), "old": sha},
        )
        conn.execute(
            text("UPDATE chart_version SET manifest = :m WHERE id = :id"),
            {"m": chart_parts.encode_manifest(manifest), "id": saved.id},
        )
    report = check_store(store)
    assert [(a.table, a.key.split(" ")[0]) for a in report.alterations] == [
        ("chart_version", f"id={saved.id}")
    ]
    assert "does not match its hash" in report.alterations[0].problem


def test_overlay_values_are_hashable_and_survive_normalise_exactly() -> None:
    mapping = {"format": 1, "method": "manual", "similarity": [[1e-09, -0.123456789, 3.0],
               [0.123456789, 1e-09, -4.000000001]], "scale": 0.123456789}  # fmt: skip
    view = ViewChart("frown", None, overlays=(OverlayUse("a" * 64, None, mapping),))
    assert normalise(ChartContent(views=(view,))).views[0].overlays[0].mapping == mapping
    assert hash(view) == hash(ViewChart("frown", None, overlays=(OverlayUse("a" * 64, None, {}),)))
    with pytest.raises(ValueError):  # NaN has no JSON form: refused, never saved
        content_to_json(
            ChartContent(views=(ViewChart("f", overlays=(OverlayUse("a", None, {"x": np.nan}),)),))
        )


def test_a_draft_keeps_its_overlays_exactly(sqlite_store, mesh) -> None:  # type: ignore[no-untyped-def]
    content = normalise(_with_overlays(mesh, _manual()))
    drafts.write_draft(sqlite_store, 7, None, content)
    draft = drafts.load_draft(sqlite_store, 7)
    assert draft is not None and draft.content == content  # the editor's journal loses nothing


def test_a_diff_names_the_views_whose_overlays_changed(mesh) -> None:  # type: ignore[no-untyped-def]
    before = normalise(_with_overlays(mesh))
    assert diff_charts(before, before).is_empty
    nudged = adjust(mapping_from_dict(mesh), 1.0, 0.0, 1.0, 0.0, (450.0, 200.0)).to_dict()
    frown = before.view("frown")
    assert frown is not None
    use = replace(frown.overlays[0], mapping=nudged)
    after = before.with_view(replace(frown, overlays=(use,)))  # alignment corrected by hand
    diff = diff_charts(before, after)
    assert diff.overlays_changed == ["frown"] and not diff.is_empty
    assert not diff.moved and not diff.added and not diff.removed
    without = before.with_view(replace(frown, overlays=()))
    assert diff_charts(before, without).overlays_changed == ["frown"]


def test_a_save_refuses_an_overlay_of_a_version_or_photo_not_in_the_database(  # type: ignore[no-untyped-def]
    store, clinician, visit, earlier, mesh
) -> None:
    """An overlay must name one of the patient's own saved versions and a stored photo: a
    version would otherwise record an overlay nobody can ever draw again."""
    other = patients.create_patient(store, "Ada", "Lovelace", date(1980, 1, 2))
    theirs = visits.start_visit(store, other.id, clinician.id, "neurotoxin", date(2026, 1, 3))
    their_hash = _save(store, theirs.id, ChartContent(views=(ViewChart("frown"),))).content_hash
    for refs in (
        Earlier(earlier.photo_sha256, ["9" * 64]),  # no such version
        Earlier(earlier.photo_sha256, [their_hash]),  # another patient's chart
        Earlier("f" * 64, earlier.hashes),  # no such photo
    ):
        with pytest.raises(NotFoundError):
            _save(store, visit.id, _with_overlays(mesh, refs=refs))
    assert charts.head_version(store, visit.id) is None  # nothing was written
    assert _save(store, visit.id, _with_overlays(mesh, refs=earlier)).version_no == 1
