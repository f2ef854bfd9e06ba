"""Side and zone from the face in the real editor (issue #10): points tapped on a real photo
whose face is off-centre take the face's side and zone, a moved point follows the face unless
its side or zone was set by hand, a photo without a face guesses and says so on the sheet and
in the totals, and the saved SQLite version records where each came from.

Skips without ../shared/faces (CI has it); the photos go into the test's own database only.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPointF, Qt

from app.domain.chart import ChartContent, InjectionPoint, ViewChart
from app.domain.values import Side, Source
from app.services import charts, integrity, patients, photos, visits
from app.services.practitioners import default_practitioner
from app.store.database import Store
from tests.images import jpeg_bytes
from tests.ui import editor_helpers as h
from ui.editor.editor_window import ChartEditor

FACES = Path(__file__).resolve().parents[2].parent / "shared" / "faces"
needs_faces = pytest.mark.skipif(
    not (FACES / "landmarks68.json").is_file(), reason="needs ../shared/faces (real photos)"
)


def reference(name: str) -> np.ndarray:
    refs = json.loads((FACES / "landmarks68.json").read_text(encoding="utf-8"))
    return np.asarray(refs[name]["landmarks68"], float)


def tap(ed: ChartEditor, view: str, at: np.ndarray) -> None:
    canvas = ed.canvas(view)
    h.finger_tap(canvas, canvas.mapFromScene(QPointF(float(at[0]), float(at[1]))))


def point_near(ed: ChartEditor, view: str, at: np.ndarray):  # type: ignore[no-untyped-def]
    chart = ed.session.content.view(view)
    assert chart is not None
    return min(chart.points, key=lambda p: float(np.hypot(p.x - at[0], p.y - at[1])))


@needs_faces
def test_points_on_a_real_photo_take_side_and_zone_from_the_face(
    qtbot, sqlite_store: Store
) -> None:
    who = default_practitioner(sqlite_store).id
    patient = patients.create_patient(sqlite_store, "Zoë", "Martin", date(1961, 8, 4))
    visit = visits.start_visit(sqlite_store, patient.id, who, "neurotoxin", date(2026, 11, 20))
    real = (FACES / "obama.jpg").read_bytes()  # the face sits 3.7 % right of the centre
    photos.add_photo_bytes(sqlite_store, patient.id, "frown", real, visit_id=visit.id)
    wall = jpeg_bytes(Image.new("RGB", (640, 800), (150, 140, 130)))  # no face in it
    photos.add_photo_bytes(sqlite_store, patient.id, "smile", wall, visit_id=visit.id)
    ed = h.shown_editor(qtbot, sqlite_store, visit.id, who)
    # The search starts by itself behind the first paint and ends off the GUI thread.
    qtbot.waitUntil(lambda: {"frown", "smile"} <= set(ed.session.landmarks), timeout=20000)
    assert ed.session.landmarks["frown"].found and not ed.session.landmarks["smile"].found

    lm = reference("obama.jpg")
    iod = float(np.hypot(*(lm[42:48].mean(0) - lm[36:42].mean(0))))
    up, out = np.array([0.0, -iod]), np.array([iod, 0.0])  # this face is upright
    glabella = (lm[21] + lm[22]) / 2
    sites = {
        "procerus": (glabella + 0.05 * up, Side.MIDLINE),
        "corrugator R": (lm[21] + 0.12 * up - 0.08 * out, Side.RIGHT),
        "corrugator L": (lm[22] + 0.12 * up + 0.08 * out, Side.LEFT),
        "depressor R": ((lm[21] + lm[39]) / 2, Side.RIGHT),
    }
    zones = {
        "procerus": "procerus",
        "corrugator R": "corrugator supercilii",
        "corrugator L": "corrugator supercilii",
        "depressor R": "depressor supercilii",
    }
    ed.session.set_tool("point")
    ed.pen.set_finger_drawing(False)
    canvas = ed.canvas("frown")
    # Close enough that a fingertip reaches them apart, as a clinician zooms to place them.
    canvas.zoom_to(canvas.fit_scale() * 5, QPointF(canvas.viewport().rect().center()),
                   QPointF(*glabella))  # fmt: skip
    for at, _side in sites.values():
        tap(ed, "frown", at)
    assert len(ed.session.content.view("frown").points) == len(sites)  # type: ignore[union-attr]
    for name, (at, side) in sites.items():
        p = point_near(ed, "frown", at)
        assert (p.side, p.zone) == (side, zones[name]), name
        assert (p.side_source, p.zone_source) == (Source.FACE, Source.FACE), name

    # The sheet shows the suggestion; one tap on another zone makes it the clinician's.
    corr_r = point_near(ed, "frown", sites["corrugator R"][0])
    ed.session.select(h_selection("frown", corr_r.id))
    sheet = ed.treatment.sheet
    assert "from the face" in sheet.side_source.text().lower()
    assert "suggested from the face" in sheet.zone_source.text().lower()
    assert sheet.zone is not None and sheet.zone.value() == "corrugator supercilii"
    qtbot.mouseClick(sheet.zone.buttons["procerus"], Qt.MouseButton.LeftButton)
    corr_r = point_near(ed, "frown", sites["corrugator R"][0])
    assert (corr_r.zone, corr_r.zone_source) == ("procerus", Source.HAND)
    assert sheet.zone_source.text() == "Set by hand."
    # Moved across the midline: the face's side follows, the hand-set zone stays.
    to = lm[22] + 0.15 * up + 0.1 * out
    ed.session.move_point(corr_r.id, float(to[0]), float(to[1]))
    moved = point_near(ed, "frown", to)
    assert moved.id == corr_r.id
    assert (moved.side, moved.side_source) == (Side.LEFT, Source.FACE)
    assert (moved.zone, moved.zone_source) == ("procerus", Source.HAND)
    # A moved point whose zone came from the face gets the face's zone at its new place.
    dep = point_near(ed, "frown", sites["depressor R"][0])
    to = lm[20] + 0.2 * up
    ed.session.move_point(dep.id, float(to[0]), float(to[1]))
    dep = point_near(ed, "frown", to)
    assert (dep.side, dep.zone, dep.zone_source) == (
        Side.RIGHT, "corrugator supercilii", Source.FACE,
    )  # fmt: skip

    # No face in the smile photo: the side is guessed, and the sheet and the totals say so.
    ed.show_view("smile")
    ed.session.set_tool("point")
    smile = ed.canvas("smile")
    h.finger_tap(smile, smile.mapFromScene(QPointF(150.0, 300.0)))
    (guessed,) = ed.session.content.view("smile").points  # type: ignore[union-attr]
    assert (guessed.side, guessed.side_source) == (Side.RIGHT, Source.GUESS)
    assert sheet.side_source.text().startswith("⚠ Side guessed: no face found")
    assert sheet.side_source.objectName() == "warning" and sheet.side_source.isVisible()
    assert sheet.title.text().endswith("patient's right (guessed)")  # seen without scrolling
    totals = ed.treatment.totals
    totals.refresh(ed.session.content)
    assert any(w.kind == "side_guessed" for w in totals.warnings)
    assert any("side guessed" in line for line in totals.lines["botox"])
    # The clinician confirms the side with one tap: no longer a guess.
    qtbot.mouseClick(sheet.side.buttons["right"], Qt.MouseButton.LeftButton)
    (confirmed,) = ed.session.content.view("smile").points  # type: ignore[union-attr]
    assert confirmed.side_source is Source.HAND and not sheet.side_source.objectName() == "warning"
    ed.session.move_point(confirmed.id, 600.0, 300.0)  # the viewer's right: a guess would say L
    (confirmed,) = ed.session.content.view("smile").points  # type: ignore[union-attr]
    assert (confirmed.side, confirmed.side_source) == (Side.RIGHT, Source.HAND)

    info = h.save_and_wait(ed)
    assert info is not None
    saved = charts.load_version(sqlite_store, info.id).content
    got = {p.id: p for _v, p in saved.all_points()}
    assert (got[moved.id].side_source, got[moved.id].zone_source) == (Source.FACE, Source.HAND)
    assert (got[dep.id].zone, got[dep.id].zone_source) == ("corrugator supercilii", Source.FACE)
    assert got[confirmed.id].side_source is Source.HAND
    procerus = point_near(ed, "frown", sites["procerus"][0])
    assert (got[procerus.id].side, got[procerus.id].side_source) == (Side.MIDLINE, Source.FACE)
    ed.session.journal.timer.stop()


def h_selection(view: str, point_id: str):  # type: ignore[no-untyped-def]
    from ui.editor.session import Selection

    return Selection(view, point_id)


def test_a_point_saved_before_provenance_keeps_its_zone_when_moved(
    qtbot, sqlite_store: Store
) -> None:
    """No real photo needed: a faceless photo, and a point as versions before issue #10 saved
    it (no sources). Moving it re-derives its side (as before, now marked a guess) and keeps
    the zone the clinician chose; the version saved first still verifies unchanged."""
    who = default_practitioner(sqlite_store).id
    patient = patients.create_patient(sqlite_store, "Ada", "Lovelace", date(1980, 12, 10))
    visit = visits.start_visit(sqlite_store, patient.id, who, "neurotoxin", date(2026, 11, 20))
    wall = jpeg_bytes(Image.new("RGB", (800, 1000), (150, 140, 130)))
    photo = photos.add_photo_bytes(sqlite_store, patient.id, "frown", wall, visit_id=visit.id)
    old = InjectionPoint(200.0, 300.0, "botox", Decimal(4), zone="nasalis", side=Side.RIGHT)
    content = ChartContent(views=(ViewChart("frown", photo.sha256, points=(old,)),))
    first = charts.save_version(
        sqlite_store, visit.id, content, parent_version_id=None, saved_by_id=who
    )
    ed = h.shown_editor(qtbot, sqlite_store, visit.id, who)
    ed.session.wait_faces()
    assert not ed.session.landmarks["frown"].found
    ed.session.move_point(old.id, 700.0, 300.0)
    (moved,) = ed.session.content.view("frown").points  # type: ignore[union-attr]
    assert (moved.side, moved.side_source) == (Side.LEFT, Source.GUESS)
    assert (moved.zone, moved.zone_source) == ("nasalis", None)
    info = h.save_and_wait(ed)
    assert info is not None
    assert charts.load_version(sqlite_store, first.id).content == content  # never changed
    assert integrity.check_store(sqlite_store).intact
    ed.session.journal.timer.stop()


def test_a_reopened_chart_looks_for_faces_behind_its_first_paint(qtbot, sqlite_store: Store):
    """Faces an earlier opening found answer at once, and each answer refreshes the totals:
    asked for while the editor is built (the totals' glabellar check), they wait for the
    first paint, which starts the search; then every view has its answer."""
    who = default_practitioner(sqlite_store).id
    visit = h.charted_visit(sqlite_store, who)
    frown = next(
        p for p in photos.photos_for_visit(sqlite_store, visit.visit_id) if p.view_code == "frown"
    )
    point = InjectionPoint(1500.0, 1200.0, "botox", Decimal(4), zone="procerus")
    content = ChartContent(views=(ViewChart("frown", frown.sha256, points=(point,)),))
    charts.save_version(
        sqlite_store, visit.visit_id, content, parent_version_id=None, saved_by_id=who
    )
    first = h.shown_editor(qtbot, sqlite_store, visit.visit_id, who)
    first.session.wait_faces()  # found, and kept for the next opening
    first.session.journal.timer.stop()
    first.close()

    ed = ChartEditor(sqlite_store, visit.visit_id, who)
    qtbot.addWidget(ed)
    assert ed.treatment.totals.lines  # the totals were made, their checks run
    assert ed.session.landmarks == {}  # ... without the faces, before any paint
    ed.resize(1366, 768)
    ed.show()
    qtbot.waitUntil(lambda: set(ed.session.landmarks) == set(ed.session.view_codes))
    assert ed.session.faces.get("frown") is not None
    ed.session.journal.timer.stop()
