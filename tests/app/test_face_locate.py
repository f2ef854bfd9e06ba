"""Side and zone from the face (issue #10): provenance that leaves saved versions' hashes
alone, the zone map and midline on the real photos of ../shared/faces and their mirror images,
and `main.py locate` as a subprocess.

The real-photo tests skip when ../shared/faces is absent (CI has it). There are no real frown,
brow-raise or 45° photos there: each view's zone map is proven on the frontal photos, whose
landmarks68.json (an independent landmark model) places the points, and on their mirrors.
"""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import subprocess
import sys
import zlib
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

from app import cli
from app.alignment.face_geometry import ALL_ZONES, view_zones
from app.alignment.locate import Located, find_geometry, locate, locate_photo
from app.domain.canonical import content_from_json, content_to_json, dumps, point_to_json
from app.domain.catalogue import BUILTIN_VIEWS, EXTRA_ZONES
from app.domain.chart import ChartContent, InjectionPoint, ViewChart
from app.domain.editing import side_of, zones_for_view
from app.domain.values import Side, Source
from app.services import charts, patients, photos, practitioners, visits
from app.store.database import open_store, sqlite_url
from tests.images import face_image, jpeg_bytes

REPO = Path(__file__).resolve().parents[2]
FACES = REPO.parent / "shared" / "faces"
needs_faces = pytest.mark.skipif(
    not (FACES / "landmarks68.json").is_file(), reason="needs ../shared/faces (real photos)"
)

# -- provenance and the hash ---------------------------------------------------------------


def test_old_points_serialise_as_before_and_new_ones_carry_their_sources() -> None:
    old = InjectionPoint(1.5, 2.0, "botox", Decimal(4), zone="procerus", side=Side.RIGHT, id="p")
    assert set(point_to_json(old)) == {
        *("id", "x", "y", "product", "units", "depth", "zone", "side", "note", "origin"),
    }
    new = replace(old, side_source=Source.FACE, zone_source=Source.HAND)
    as_json = point_to_json(new)
    assert (as_json["side_source"], as_json["zone_source"]) == ("face", "hand")
    back = content_from_json(
        content_to_json(ChartContent(views=(ViewChart("frown", None, points=(new,)),)))
    )
    assert back.view("frown").points == (new,)  # type: ignore[union-attr]


def test_a_version_saved_before_provenance_still_verifies(tmp_path: Path) -> None:
    """An old-format version, its canonical JSON written out by hand (no provenance keys),
    hashes to exactly what the store computes today, and `check` finds it intact."""
    path = tmp_path / "old.sqlite"
    store = open_store(sqlite_url(path))
    who = practitioners.default_practitioner(store)
    patient = patients.create_patient(store, "Zoë", "Martin", date(1980, 1, 2))
    visit = visits.start_visit(store, patient.id, who.id, "neurotoxin")
    photo = photos.add_photo_bytes(
        store, patient.id, "frown", jpeg_bytes(face_image(160, 200)), visit_id=visit.id
    )
    point = InjectionPoint(
        1.5, 2.0, "botox", Decimal(4), zone="procerus", side=Side.RIGHT, id="p-1"
    )
    content = ChartContent(views=(ViewChart("frown", photo.sha256, points=(point,)),))
    info = charts.save_version(store, visit.id, content, parent_version_id=None, saved_by_id=who.id)
    store.dispose()
    by_hand = (
        (
            '{"format":1,"note":"","products":[],"views":{"frown":{"photo_sha256":"SHA",'
            '"points":[{"depth":"intramuscular","id":"p-1","note":"","origin":null,'
            '"product":"botox","side":"right","units":"4","x":1.5,"y":2.0,"zone":"procerus"}],'
            '"strokes":[]}}}'
        )
        .replace("SHA", photo.sha256)
        .encode()
    )
    assert info.content_hash == hashlib.sha256(by_hand).hexdigest()
    with sqlite3.connect(path) as conn:
        (data,) = conn.execute("SELECT data FROM chart_part WHERE kind = 'points'").fetchone()
    assert "side_source" not in json.loads(zlib.decompress(data))[0]
    assert cli.main(["--db", sqlite_url(path), "check"]) == 0


def test_a_version_with_provenance_round_trips_and_verifies(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    store = open_store(sqlite_url(path))
    who = practitioners.default_practitioner(store)
    patient = patients.create_patient(store, "Ada", "Byron", date(1980, 1, 2))
    visit = visits.start_visit(store, patient.id, who.id, "neurotoxin")
    point = InjectionPoint(
        3.0, 4.0, "botox", Decimal(4), zone="frontalis", side=Side.LEFT,
        side_source=Source.GUESS, zone_source=Source.FACE,
    )  # fmt: skip
    content = ChartContent(views=(ViewChart("brow_raise", None, points=(point,)),))
    info = charts.save_version(store, visit.id, content, parent_version_id=None, saved_by_id=who.id)
    (saved,) = charts.load_version(store, info.id).content.view("brow_raise").points  # type: ignore[union-attr]
    assert (saved.side_source, saved.zone_source) == (Source.GUESS, Source.FACE)
    assert info.content_hash == hashlib.sha256(dumps(content_to_json(content))).hexdigest()
    store.dispose()
    assert cli.main(["--db", sqlite_url(path), "check"]) == 0


# -- the zone table --------------------------------------------------------------------------


def test_every_zone_is_a_catalogue_zone_and_each_view_offers_its_own() -> None:
    catalogue = {m for v in BUILTIN_VIEWS for m in v.muscles} | set(EXTRA_ZONES)
    assert set(ALL_ZONES) == catalogue | {"frontalis", "orbicularis oculi (lateral)"}
    assert view_zones("frown") == ("procerus", "corrugator supercilii", "depressor supercilii")
    assert view_zones("brow_raise") == ("frontalis",)
    assert view_zones("smile") == ("orbicularis oculi (lateral)",)
    assert view_zones("rest") == view_zones(None) == ALL_ZONES
    for view in (v.code for v in BUILTIN_VIEWS):
        assert set(view_zones(view)) <= set(zones_for_view(view)), view  # the sheet has it


def test_without_a_face_the_side_is_guessed_and_says_so() -> None:
    assert locate(None, "frown", 100.0, 50.0, 1000.0) == Located(
        Side.RIGHT, "corrugator supercilii", Source.GUESS
    )
    assert locate(None, "frown", 500.0, 50.0, 1000.0).side is Side.MIDLINE
    # A 45° view shows one side: without a face, that side, still marked as a guess.
    assert locate(None, "left_45", 100.0, 50.0, 1000.0).side is Side.LEFT
    assert locate(None, "right_45", 900.0, 50.0, 1000.0).side is Side.RIGHT
    assert not locate(None, None, 100.0, 50.0, 1000.0).from_face


# -- real photos ----------------------------------------------------------------------------


def landmarks(name: str) -> np.ndarray:
    refs = json.loads((FACES / "landmarks68.json").read_text(encoding="utf-8"))
    return np.asarray(refs[name]["landmarks68"], float)


def sites(lm: np.ndarray) -> list[tuple[str, str, Side, np.ndarray]]:
    """(view, muscle, side, [x, y]) of usual injection sites, from the independent iBUG 68
    points (17–21 the patient's right brow, 22–26 the left; 36–41 right eye, 42–47 left)."""
    eyes = lm[42:48].mean(0) - lm[36:42].mean(0)
    iod = float(np.hypot(*eyes))
    glabella = (lm[21] + lm[22]) / 2
    # The face's own directions (a tilted head tilts them): up along the reference midline,
    # out along the eye line towards the patient's left (the viewer's right).
    up = (glabella - lm[8]) / float(np.hypot(*(glabella - lm[8]))) * iod
    out = eyes
    s: list[tuple[str, str, Side, np.ndarray]] = [
        ("frown", "procerus", Side.MIDLINE, glabella + 0.05 * up),
        ("brow_raise", "frontalis", Side.MIDLINE, glabella + 0.6 * up),
        ("rest", "mentalis", Side.MIDLINE, lm[57] + (lm[8] - lm[57]) * 0.5),
        ("rest", "platysma", Side.MIDLINE, lm[8] - 0.4 * up),
    ]
    for side, k in ((Side.RIGHT, -1.0), (Side.LEFT, 1.0)):
        brow_in, brow_mid = (lm[21], lm[19]) if side is Side.RIGHT else (lm[22], lm[24])
        canthus_in = lm[39] if side is Side.RIGHT else lm[42]
        canthus_out = lm[36] if side is Side.RIGHT else lm[45]
        s += [
            ("frown", "corrugator supercilii", side, brow_in + 0.12 * up + 0.08 * k * out),
            ("frown", "corrugator supercilii", side, (brow_in + brow_mid) / 2 + 0.15 * up),
            ("frown", "depressor supercilii", side, (brow_in + canthus_in) / 2),
            ("brow_raise", "frontalis", side, brow_mid + 0.6 * up),
            ("smile", "orbicularis oculi (lateral)", side, canthus_out + 0.25 * k * out),
            ("smile", "orbicularis oculi (lateral)", side, canthus_out + 0.3 * k * out - 0.2 * up),
            ("rest", "nasalis", side, (lm[31] if side is Side.RIGHT else lm[35]) + 0.15 * up),
            ("rest", "depressor anguli oris", side, (lm[48] if k < 0 else lm[54]) - 0.3 * up),
            ("rest", "masseter", side, (lm[4] if k < 0 else lm[12]) - 0.1 * k * out),
        ]
    # Every view's muscles also answer on "rest" (all zones), the view a clinic may chart.
    return s + [("rest", m, sd, p) for v, m, sd, p in s if v != "rest"]


def mirrored(data: bytes) -> tuple[bytes, int]:
    img = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")
    buf = io.BytesIO()
    ImageOps.mirror(img).save(buf, "PNG")
    return buf.getvalue(), img.width


SWAP = {Side.LEFT: Side.RIGHT, Side.RIGHT: Side.LEFT, Side.MIDLINE: Side.MIDLINE}


@needs_faces
def test_off_centre_photo_gives_the_right_side_and_zone_on_every_muscle_of_every_view() -> None:
    """obama.jpg: the face sits 3.7 % right of the photo's centre. The photo-centre rule
    called the patient's right corrugator "midline"; the face does not."""
    data = (FACES / "obama.jpg").read_bytes()
    width = Image.open(io.BytesIO(data)).width
    checks = sites(landmarks("obama.jpg"))
    got = locate_photo(data, [p.tolist() for _v, _m, _s, p in checks], None)
    for (view, muscle, side, _p), where in zip(checks, got, strict=True):
        assert where.from_face and where.side is side, (view, muscle, side, where)
    geometry = find_geometry(data)
    assert geometry is not None
    for view, muscle, side, p in checks:
        assert geometry.zone(*p, view) == muscle, (view, muscle, side)
    corrugator_r = [p for v, m, s, p in checks if m.startswith("corr") and s is Side.RIGHT]
    assert any(side_of(float(p[0]), width) is Side.MIDLINE for p in corrugator_r)


@needs_faces
@pytest.mark.parametrize(
    "name",
    sorted(n for n in json.loads((FACES / "landmarks68.json").read_text()) if FACES.is_dir())
    if (FACES / "landmarks68.json").is_file()
    else [],
)
def test_each_views_zone_map_on_a_frontal_photo_and_its_mirror(name: str) -> None:
    """Every real photo and its mirror image: the same zones, the sides swapped."""
    data = (FACES / name).read_bytes()
    flipped, width = mirrored(data)
    checks = sites(landmarks(name))
    for photo, mirror in ((data, False), (flipped, True)):
        geometry = find_geometry(photo)
        assert geometry is not None, name
        for view, muscle, side, p in checks:
            x, y = (width - p[0], p[1]) if mirror else (p[0], p[1])
            want = SWAP[side] if mirror else side
            assert geometry.side(x, y) is want, (name, mirror, view, muscle)
            assert geometry.zone(x, y, view) == muscle, (name, mirror, view, muscle, side)


# -- the command -----------------------------------------------------------------------------


def run_locate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "main.py", "locate", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


@needs_faces
def test_locate_command_prints_side_zone_and_source_per_point(tmp_path: Path) -> None:
    lm = landmarks("obama.jpg")
    checks = [c for c in sites(lm) if c[0] == "frown"]
    pts = tmp_path / "points.json"
    pts.write_text(json.dumps([p.tolist() for *_rest, p in checks]))
    done = run_locate(str(FACES / "obama.jpg"), "--points", str(pts), "--view", "frown",
                      "--db", "sqlite:///nowhere/at/all.sqlite")  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert [(o["side"], o["zone"]) for o in out] == [(s.value, m) for _v, m, s, _p in checks]
    assert all(o["from_face"] is True for o in out)
    assert set(out[0]) == {"side", "zone", "from_face", "mm_per_px"}
    # the photo's iris scale (ADR 0016), one for the photo: an adult's eyes 55-72 mm apart
    scales = {o["mm_per_px"] for o in out}
    assert len(scales) == 1 and isinstance(out[0]["mm_per_px"], float)
    eyes = np.asarray(lm)
    iod_px = float(np.hypot(*(eyes[36:42].mean(0) - eyes[42:48].mean(0))))
    assert 55 <= iod_px * out[0]["mm_per_px"] <= 72


def test_locate_command_without_a_face_guesses_and_says_so(tmp_path: Path) -> None:
    photo = tmp_path / "wall.png"
    Image.new("RGB", (400, 300), (120, 130, 140)).save(photo)
    pts = tmp_path / "p.json"
    pts.write_text("[[20, 150], [200, 150], [390.5, 10]]")
    done = run_locate(str(photo), "--points", str(pts))
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert [o["side"] for o in out] == ["right", "midline", "left"]
    assert not any(o["from_face"] for o in out)
    assert all(o["mm_per_px"] is None for o in out)  # no face, no iris: no scale


def test_locate_command_exits_2_with_one_line_on_unreadable_input(tmp_path: Path) -> None:
    pts = tmp_path / "p.json"
    pts.write_text("[[1, 2]]")
    bad = tmp_path / "not.jpg"
    bad.write_bytes(b"not an image")
    for args in (
        (str(bad), "--points", str(pts)),
        (str(tmp_path / "missing.jpg"), "--points", str(pts)),
        (str(bad), "--points", str(tmp_path / "missing.json")),
    ):
        done = run_locate(*args)
        assert done.returncode == 2, args
        assert done.stdout == "" and len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert "Traceback" not in done.stderr
