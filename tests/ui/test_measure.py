"""Millimetres in the editor, driven by fingers, pen and mouse on real widgets: the measure
tool's line and label, the point sheet's distance to the brow and the glabellar warning, the
safety band. The face photo is scikit-image's public-domain astronaut (no patient photo is
committed); the smile view's photo is a plain backdrop, where no face is found: no scale."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt

from app.services import patients, photos, visits
from app.services.practitioners import default_practitioner
from app.store.database import Store
from tests.app.alignment.faces import astronaut
from tests.images import jpeg_bytes
from tests.ui import editor_helpers as h
from ui.editor.measure_items import MeasureLabel
from ui.editor.tools.measure import MeasureTool


@pytest.fixture
def editor(qtbot, sqlite_store: Store):  # type: ignore[no-untyped-def]
    """A toxin visit: the astronaut (1024 px, irises ~16 px) as the frown photo, a backdrop
    without a face as the smile photo. (A drawn cartoon face is no good here: the models find
    a face and irises in it.)"""
    from PIL import Image

    who = default_practitioner(sqlite_store).id
    p = patients.create_patient(sqlite_store, "Ada", "Lovelace", date(1980, 12, 10))
    v = visits.start_visit(sqlite_store, p.id, who, "neurotoxin", date(2026, 11, 20))
    face = jpeg_bytes(Image.fromarray(astronaut(2.0)), quality=95)
    photos.add_photo_bytes(sqlite_store, p.id, "frown", face, visit_id=v.id)
    rng = np.random.default_rng(5)
    backdrop = (rng.random((800, 640, 3)) * 30 + 110).astype(np.uint8)
    photos.add_photo_bytes(
        sqlite_store, p.id, "smile", jpeg_bytes(Image.fromarray(backdrop)), visit_id=v.id
    )
    if getattr(qtbot, "_band_off", False):  # the clinic switched the glabellar row off
        from app.domain.soft_warnings import GLABELLAR_DISTANCE
        from app.services import warning_settings

        warning_settings.set_warning(sqlite_store, GLABELLAR_DISTANCE, False, who)
    ed = h.shown_editor(qtbot, sqlite_store, v.id, who)
    yield ed
    ed.close()


def measured(ed, view: str):  # type: ignore[no-untyped-def]
    faces = ed.session.faces
    faces.request(view)
    faces.wait()
    face = faces.get(view)
    assert face is not None
    return face


def tool(ed) -> MeasureTool:  # type: ignore[no-untyped-def]
    t = ed.canvas().tools["measure"]
    assert isinstance(t, MeasureTool)
    return t


def labels(ed, view: str) -> list[MeasureLabel]:  # type: ignore[no-untyped-def]
    return [i for i in ed.scenes[view].items() if isinstance(i, MeasureLabel)]


def test_two_finger_taps_measure_the_eyes_in_mm(editor, qtbot) -> None:  # type: ignore[no-untyped-def]
    ed = editor
    button = ed.widgets.rail.tool_buttons["measure"]
    assert button.height() >= 48 and button.width() >= 48
    h.finger_tap(button, button.rect().center())
    assert ed.session.tools.tool == "measure"
    face = measured(ed, "frown")
    assert face.scale is not None
    a, b = (QPointF(*i.centre) for i in (face.scale.right, face.scale.left))
    canvas = ed.canvas()
    h.finger_tap(canvas, canvas.mapFromScene(a))
    h.finger_tap(canvas, canvas.mapFromScene(b))
    text = tool(ed).text
    assert text is not None and text.endswith("mm"), text
    mm = float(text.split()[0])
    assert 55 <= mm <= 72  # the distance between an adult's pupils
    # What the label says is the tapped length at the photo's scale.
    m = tool(ed).current
    assert m is not None and m.length_px is not None
    assert mm == pytest.approx(m.length_px * face.scale.mm_per_px, abs=0.06)
    assert math.dist((a.x(), a.y()), (b.x(), b.y())) == pytest.approx(m.length_px, rel=0.03)
    assert [lab.text for lab in labels(ed, "frown")] == [text]
    assert labels(ed, "frown")[0].isVisible()


def test_a_pen_tap_starts_a_new_measurement_and_another_tool_clears_it(editor) -> None:  # type: ignore[no-untyped-def]
    ed = editor
    ed.session.set_tool("measure")
    measured(ed, "frown")
    canvas = ed.canvas()
    # Two taps, then two more: the third tap starts a new measurement.
    for x, y in ((400.0, 600.0), (500.0, 600.0), (300.0, 600.0), (300.0, 700.0)):
        vp = h.vp_of(canvas, QPointF(x, y))
        h.tablet(canvas, QEvent.Type.TabletPress, vp, 0.5)
        h.tablet(canvas, QEvent.Type.TabletRelease, vp, 0.0)
    assert len(labels(ed, "frown")) == 1  # the first measurement went with the third tap
    m = tool(ed).current
    assert m is not None and m.length_px == pytest.approx(100.0, abs=1.0)
    ed.session.set_tool("point")
    assert labels(ed, "frown") == []  # measuring is not charting: nothing stays behind


def test_without_a_face_the_label_says_no_scale(editor, qtbot) -> None:  # type: ignore[no-untyped-def]
    ed = editor
    ed.show_view("smile")
    ed.canvas().fit()
    ed.session.set_tool("measure")
    canvas = ed.canvas()
    for pt in (QPointF(200, 300), QPointF(400, 300)):
        qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=canvas.mapFromScene(pt))
    measured(ed, "smile")
    qtbot.waitUntil(lambda: tool(ed).text not in (None, "measuring…"))
    assert tool(ed).text == "no scale: no face found"
    assert "mm" not in (tool(ed).text or "")


def place_point(ed, at: QPointF) -> None:  # type: ignore[no-untyped-def]
    ed.session.set_tool("point")
    canvas = ed.canvas()
    h.finger_tap(canvas, canvas.mapFromScene(at))


def test_the_sheet_shows_the_brow_distance_and_the_band_warning(editor, qtbot) -> None:  # type: ignore[no-untyped-def]
    ed = editor
    face = measured(ed, "frown")
    g = face.geometry
    assert g is not None and g.mm_per_px is not None
    mm = g.mm_per_px
    # 5 mm straight above the middle of the patient's right brow (the brow's mid-line)
    xs, ys = zip(*sorted(g.brows[0]), strict=True)
    bx = (xs[0] + xs[-1]) / 2
    by = float(np.interp(bx, xs, ys))
    place_point(ed, QPointF(bx, by - 5 / mm))
    lines = ed.treatment.sheet.distance
    qtbot.waitUntil(lambda: "mm" in lines.distance.text())
    assert "above the right brow" in lines.distance.text()
    assert float(lines.distance.text().split()[0]) == pytest.approx(5.0, abs=1.0)
    assert lines.warning.isVisible(), lines.warning.text()
    assert "1 cm" in lines.warning.text() and lines.warning.text().startswith("⚠")
    # the totals say it too, as a row of the clinic's soft-warning table
    from app.domain.soft_warnings import GLABELLAR_DISTANCE

    band = [w for w in ed.treatment.totals.warnings if w.kind == GLABELLAR_DISTANCE]
    assert len(band) == 1 and "Frown point" in band[0].text and "1 cm" in band[0].text
    # On the cheek, well below the eye (far from the first point's marker): the distance,
    # and no warning.
    place_point(ed, QPointF(bx, by + 40 / mm))
    qtbot.waitUntil(lambda: "below" in lines.distance.text())
    assert not lines.warning.isVisible()
    assert float(lines.distance.text().split()[0]) == pytest.approx(40.0, abs=3.0)


@pytest.fixture
def band_off(qtbot):  # type: ignore[no-untyped-def]
    qtbot._band_off = True
    return qtbot


def test_a_clinic_that_switched_the_band_off_sees_the_distance_only(
    band_off, editor, qtbot
) -> None:  # type: ignore[no-untyped-def]
    """The glabellar row off in the clinic's settings: the distance is still measured and
    shown, the band warns neither on the sheet nor in the totals."""
    ed = editor
    g = measured(ed, "frown").geometry
    xs, ys = zip(*sorted(g.brows[0]), strict=True)
    bx = (xs[0] + xs[-1]) / 2
    by = float(np.interp(bx, xs, ys))
    place_point(ed, QPointF(bx, by - 5 / g.mm_per_px))
    lines = ed.treatment.sheet.distance
    qtbot.waitUntil(lambda: "mm" in lines.distance.text())
    assert "above the right brow" in lines.distance.text()
    assert not lines.warning.isVisible()
    assert not [w for w in ed.treatment.totals.warnings if w.kind == "glabellar_distance"]


def test_without_a_scale_the_sheet_says_distance_unknown(editor, qtbot) -> None:  # type: ignore[no-untyped-def]
    ed = editor
    ed.show_view("smile")
    measured(ed, "smile")
    place_point(ed, QPointF(320, 300))
    lines = ed.treatment.sheet.distance
    assert "unknown" in lines.distance.text()
    assert not lines.warning.isVisible()  # the band is a frown-view check


def test_the_safety_band_toggle_draws_on_the_frown_photo(editor, qtbot) -> None:  # type: ignore[no-untyped-def]
    ed = editor
    band = ed.widgets.rail.band
    assert band.height() >= 48
    h.finger_tap(band, band.rect().center())
    assert band.isChecked()
    measured(ed, "frown")
    qtbot.waitUntil(lambda: ed.safety_band.shown)
    item = ed.safety_band.item
    assert item.scene() is ed.scenes["frown"]
    g = ed.session.faces.get("frown").geometry
    top = min(y for x, y in g.brows[0])
    assert item.path().boundingRect().top() < top  # it reaches above the brows
    h.finger_tap(band, band.rect().center())
    assert not band.isChecked() and not ed.safety_band.shown
