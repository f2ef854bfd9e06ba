"""The before/after image (issue #12) on a real SQLite file: two visits of one patient, the
later photo the earlier one moved, turned and scaled (scikit-image's public-domain astronaut),
each with a chart. The image is read back: its captions hold both dates, the aligned earlier
photo's eyes lie on the later photo's, markings change the pixels over the points, and the
command line refuses bad input with exit 2."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from app import cli
from app.alignment.photo_face import measure_face
from app.domain.chart import ChartContent, ViewChart
from app.reports import before_after as drawing
from app.services import before_after, charts, patients, photos, visits
from app.services.practitioners import default_practitioner
from app.store.database import Store, open_store, sqlite_url
from tests.app.alignment.faces import astronaut, jpeg, similarity, warp
from tests.app.chart_factory import point, stroke

pytestmark = pytest.mark.usefixtures("models")
REPO = Path(__file__).resolve().parents[2]
MOVE = similarity(0.9, 6.0, (70.0, 40.0), (768.0, 768.0))


def _pupils(rgb: np.ndarray) -> np.ndarray:
    face = measure_face(np.ascontiguousarray(rgb)).geometry
    assert face is not None, "no face found"
    return np.asarray(face.pupils, float)


def _clinic(store: Store) -> tuple[int, int, np.ndarray]:
    """Two visits of Ada; the earlier photo's pupils (its original pixels) for placing points."""
    who = default_practitioner(store)
    ada = patients.create_patient(store, "Ada", "Lovelace", date(1980, 1, 2))
    face = astronaut(3.0)  # 1536 px
    early = visits.start_visit(store, ada.id, who.id, "neurotoxin", date(2026, 3, 2))
    late = visits.start_visit(store, ada.id, who.id, "neurotoxin", date(2026, 4, 16))
    a = photos.add_photo_bytes(store, ada.id, "frown", jpeg(face), visit_id=early.id)
    b = photos.add_photo_bytes(store, ada.id, "frown", jpeg(warp(face, MOVE)), visit_id=late.id)
    pupils = _pupils(face)
    for visit, photo, where in ((early, a, pupils), (late, b, pupils @ MOVE[:, :2].T + MOVE[:, 2])):
        view = ViewChart(
            "frown",
            photo.sha256,
            strokes=(stroke(20, 500, 300, "blue"),),
            points=tuple(point(x, y) for x, y in where),
        )
        charts.save_version(
            store, visit.id, ChartContent(views=(view,)), parent_version_id=None, saved_by_id=who.id
        )
    return early.id, late.id, pupils


@pytest.fixture
def clinic(sqlite_store: Store) -> tuple[Store, int, int, np.ndarray]:
    early, late, pupils = _clinic(sqlite_store)
    return sqlite_store, early, late, pupils


def _caption(text: str, size: tuple[int, int], font_px: int) -> np.ndarray:
    """`text` drawn as the image draws a caption, on a band of `size`."""
    band = Image.new("RGB", size, drawing.BACKGROUND)
    d = ImageDraw.Draw(band)
    w, h = size
    drawing._centred(d, text, drawing._font(font_px, bold=True), w / 2, h * 0.22, drawing.INK)
    return np.asarray(band).astype(int)


def test_the_image_shows_both_dates_and_the_earlier_photo_aligned_on_the_later(
    clinic: tuple[Store, int, int, np.ndarray], tmp_path: Path
) -> None:
    store, early, late, _ = clinic
    out = tmp_path / "ada.png"
    # given in the "wrong" order: the earlier visit is still "before"
    ba = before_after.write_before_after(store, late, early, out)
    assert ba.aligned and ba.before.visit_date == date(2026, 3, 2)
    img = np.asarray(Image.open(out).convert("RGB")).astype(int)
    boxes = drawing.layout(ba)
    assert img.shape[:2] == (boxes["canvas"][3], boxes["canvas"][2])
    assert boxes["before"][3] - boxes["before"][1] <= drawing.MAX_HALF_HEIGHT

    for key, text in (("before", "Before · 2 Mar 2026"), ("after", "After · 16 Apr 2026")):
        x0, y0, x1, y1 = boxes[f"{key}_caption"]
        crop = img[y0:y1, x0:x1]
        ink = np.abs(crop - np.array(drawing.BACKGROUND)).sum(axis=2) > 60
        assert ink.sum() > 500, f"no text in the {key} caption"
        expected = _caption(text, (x1 - x0, y1 - y0), round((y1 - y0) * 0.46))
        assert np.abs(crop - expected).mean() < 2.0, f"the {key} caption is not {text!r}"
        wrong = _caption(text.replace("2026", "2025"), (x1 - x0, y1 - y0), round((y1 - y0) * 0.46))
        assert np.abs(crop - wrong).mean() > np.abs(crop - expected).mean() + 0.2

    # the app's own face locator on each half: the eyes lie on each other
    halves = {}
    for key in ("before", "after"):
        x0, y0, x1, y1 = boxes[key]
        halves[key] = np.ascontiguousarray(img[y0:y1, x0:x1].astype(np.uint8))
    before_eyes, after_eyes = _pupils(halves["before"]), _pupils(halves["after"])
    iod = float(np.hypot(*(after_eyes[1] - after_eyes[0])))
    assert iod > 100  # the face is big enough in the image for "a few pixels" to mean much
    assert np.abs(before_eyes - after_eyes).max() < 5.0, (before_eyes, after_eyes)
    # and unaligned they would not be: the later photo really moved
    raw = np.asarray(Image.fromarray(ba.before.image).resize(halves["after"].shape[1::-1]))
    assert np.abs(_pupils(raw) - after_eyes).max() > 20


def test_markings_are_drawn_only_when_asked_and_the_earlier_ones_move_with_the_photo(
    clinic: tuple[Store, int, int, np.ndarray],
) -> None:
    store, early, late, _ = clinic
    ba = before_after.before_after(store, early, late, "frown")
    plain = np.asarray(drawing.render(ba)).astype(int)
    marked = np.asarray(drawing.render(ba, markings=True)).astype(int)
    boxes = drawing.layout(ba)
    scale = (boxes["after"][3] - boxes["after"][1]) / ba.after.frame[1]
    for key, side in (("before", ba.before), ("after", ba.after)):
        x0, y0 = boxes[key][:2]
        assert len(side.points) == 2
        for p in side.points:
            x, y = round(x0 + p.x * scale), round(y0 + p.y * scale)
            patch = (slice(y - 4, y + 5), slice(x - 4, x + 5))
            assert np.abs(marked[patch] - plain[patch]).sum(axis=2).mean() > 100, (key, p)
            # the point's centre dot is the ink colour
            assert np.abs(marked[y, x] - np.array(drawing.INK)).sum() < 40
    # the earlier chart's points (on the earlier photo's pupils) land on the later pupils
    later = np.array(sorted((p.x, p.y) for p in ba.after.points))
    mapped = np.array(sorted((p.x, p.y) for p in ba.before.points))
    assert np.abs(mapped - later).max() * scale < 5.0
    # the title is the same either way, and far from the points nothing changed
    t = boxes["title"]
    assert np.array_equal(plain[t[1] : t[3], t[0] : t[2]], marked[t[1] : t[3], t[0] : t[2]])


def test_photos_that_do_not_align_are_side_by_side_and_say_not_aligned(
    sqlite_store: Store, tmp_path: Path
) -> None:
    who = default_practitioner(sqlite_store)
    ada = patients.create_patient(sqlite_store, "Ada", "Lovelace", date(1980, 1, 2))
    early = visits.start_visit(sqlite_store, ada.id, who.id, "neurotoxin", date(2026, 3, 2))
    late = visits.start_visit(sqlite_store, ada.id, who.id, "neurotoxin", date(2026, 4, 16))
    photos.add_photo_bytes(sqlite_store, ada.id, "rest", jpeg(astronaut(2.0)), visit_id=early.id)
    wall = np.full((900, 700, 3), 180, np.uint8)  # no face in it
    photos.add_photo_bytes(sqlite_store, ada.id, "rest", jpeg(wall), visit_id=late.id)
    out = tmp_path / "ada.jpg"
    ba = before_after.write_before_after(sqlite_store, early.id, late.id, out)
    assert not ba.aligned and "could not align" in ba.alignment_note
    img = Image.open(out)
    assert img.format == "JPEG"
    rgb = np.asarray(img.convert("RGB")).astype(int)
    x0, y0, x1, _ = drawing.layout(ba)["before"]
    band = rgb[y0 + 2 : y0 + 12, x0 + 2 : x1 - 2]  # the red "NOT ALIGNED" band over the photo
    assert np.abs(band - np.array(drawing.ALERT)).sum(axis=2).mean() < 60
    # the earlier photo as taken, scaled to the half: its own proportions (square), not today's
    assert abs((x1 - x0) - drawing.half_height(ba)) <= 1


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    code = (
        "import sys; from app import cli; rc = cli.main(sys.argv[1:]); "
        "assert 'PySide6' not in sys.modules, 'Qt loaded'; sys.exit(rc)"
    )
    return subprocess.run(
        [sys.executable, "-c", code, *args], cwd=REPO, capture_output=True, text=True, timeout=300
    )


def test_the_command_writes_png_or_jpeg_and_refuses_bad_input_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "facechart.db"
    store = open_store(sqlite_url(db))
    try:
        early, late, _ = _clinic(store)
        other = patients.create_patient(store, "Bo", "Bell", date(1990, 5, 6))
        who = default_practitioner(store)
        stranger = visits.start_visit(store, other.id, who.id, "neurotoxin", date(2026, 5, 1))
    finally:
        store.dispose()
    url = sqlite_url(db)
    out = tmp_path / "ada.png"
    made = _run("--db", url, "before-after", str(early), str(late), str(out), "--markings")
    assert made.returncode == 0, made.stderr
    assert "aligned" in made.stdout and "NOT" not in made.stdout
    assert Image.open(io.BytesIO(out.read_bytes())).format == "PNG"

    for args, words in (
        ((str(early), "999", str(out)), "no visit 999"),
        ((str(early), str(stranger.id), str(out)), "different patients"),
        ((str(early), str(late), str(tmp_path / "x.gif")), ".png, .jpg or .jpeg"),
        ((str(early), str(late), str(tmp_path / "none" / "x.png")), "no folder"),
        ((str(early), str(late), str(out), "--view", "smile"), "no photo of the view"),
        ((str(early), str(late), str(out), "--view", "nose"), "no view 'nose'"),
        ((str(early), str(early), str(out)), "two different visits"),
    ):
        assert cli.main(["--db", url, "before-after", *args]) == 2, args
        (line,) = capsys.readouterr().err.splitlines()
        assert line.startswith("error: ") and words in line.lower(), line
