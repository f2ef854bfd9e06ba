"""The chart editor driven like a tablet: pen strokes with pressure, fingers, taps, the point
sheet, undo, save, then the saved version read back from a real SQLite database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF
from PySide6.QtGui import QColor

from app.domain.canonical import normalise
from app.services import charts, drafts
from app.services.practitioners import default_practitioner
from app.store.database import Store
from tests.ui import editor_helpers as h
from tests.ui.editor_helpers import save_and_wait
from tests.ui.helpers import finger, scroll_to
from ui.editor import input as inp
from ui.editor.editor_window import ChartEditor
from ui.editor.session import Selection


@pytest.fixture
def visit(sqlite_store: Store) -> h.Visit:
    return h.charted_visit(sqlite_store, default_practitioner(sqlite_store).id)


@pytest.fixture
def open_editor(qtbot, sqlite_store: Store, visit: h.Visit) -> Iterator:  # type: ignore[no-untyped-def]
    made: list[ChartEditor] = []

    def _open(version_id: int | None = None, view: str = "frown") -> ChartEditor:
        ed = ChartEditor(
            sqlite_store, visit.visit_id, default_practitioner(sqlite_store).id, version_id
        )
        qtbot.addWidget(ed)
        ed.resize(1366, 768)
        ed.show()
        qtbot.waitExposed(ed)
        if view in ed.session.view_codes:
            ed.show_view(view)
        ed.canvas().fit()
        made.append(ed)
        return ed

    yield _open
    for ed in made:
        ed.session.journal.timer.stop()


def line(x0: float, y0: float, x1: float, y1: float, n: int) -> list[QPointF]:
    return [QPointF(x0 + (x1 - x0) * i / (n - 1), y0 + (y1 - y0) * i / (n - 1)) for i in range(n)]


def test_pen_stroke_is_saved_in_photo_pixels(open_editor, sqlite_store, visit) -> None:
    ed = open_editor()
    canvas = ed.canvas("frown")
    assert canvas.vscene.frame.width() == 3000  # the original's frame, not the display image's
    pts = line(900.0, 1400.0, 2100.0, 1650.0, 25)
    pressures = [round(0.1 + 0.8 * i / 24, 3) for i in range(25)]
    h.pen_stroke(canvas, pts, pressures)
    assert ed.widgets.status.text() == "● Unsaved changes"
    info = save_and_wait(ed)
    assert info is not None and info.version_no == 1
    saved = charts.load_head(sqlite_store, visit.visit_id)
    assert saved is not None
    (stroke,) = saved.content.view("frown").strokes  # type: ignore[union-attr]
    assert len(stroke.samples) == 25
    for (x, y, p, t), want, wp in zip(stroke.samples, pts, pressures, strict=True):
        # Only the viewport mapping and 3-decimal rounding stand between pen and record.
        assert x == pytest.approx(want.x(), abs=0.01)
        assert y == pytest.approx(want.y(), abs=0.01)
        assert p == pytest.approx(wp, abs=0.001)
        assert t >= 0
    assert stroke.samples[0][3] == 0
    assert stroke.color == "white" and stroke.style == "solid"
    assert ed.widgets.status.text() == "Version 1 saved"


def test_marks_land_on_the_right_pixels(open_editor, tmp_path) -> None:
    ed = open_editor()
    ed.session.set_pencil(color="red")
    canvas = ed.canvas("frown")
    pts = line(600.0, 600.0, 2400.0, 600.0, 40)
    h.pen_stroke(canvas, pts, [1.0] * 40)
    image = canvas.viewport().grab().toImage()
    image.save(str(tmp_path / "canvas.png"))
    on = canvas.mapFromScene(QPointF(1500.0, 600.0))
    off = canvas.mapFromScene(QPointF(1500.0, 1000.0))
    red = QColor(image.pixel(on))
    assert red.red() > 200 and red.green() < 90 and red.blue() < 90, red.name()
    assert QColor(image.pixel(off)).name() != red.name()


def test_touch_near_the_pen_draws_nothing(open_editor, qtbot) -> None:
    ed = open_editor()
    canvas = ed.canvas("frown")
    assert ed.pen.finger_drawing  # default until a pen has been seen
    h.proximity(canvas, True)
    assert not ed.pen.finger_drawing  # a pen exists: fingers navigate now
    ed.pen.set_finger_drawing(True)  # even if the user wants finger drawing ...
    h.finger_drag(canvas, QPoint(300, 300), QPoint(500, 320))
    assert not ed.session.model.content.view("frown").strokes  # ... the palm draws nothing
    h.proximity(canvas, False)
    ed.pen.last_pen_ms = -1e12  # the grace period after the pen has passed
    h.finger_drag(canvas, QPoint(300, 300), QPoint(500, 320))
    assert len(ed.session.model.content.view("frown").strokes) == 1


def test_finger_pans_when_not_drawing_and_pinch_zooms(open_editor) -> None:
    ed = open_editor()
    canvas = ed.canvas("frown")
    ed.pen.set_finger_drawing(False)
    centre = canvas.viewport().rect().center()
    anchor = canvas.mapToScene(centre)
    h.pinch(canvas, centre, 100, 300)
    assert canvas.zoom_level() == pytest.approx(3.0, rel=0.05)
    # The photo point between the fingers stays between them.
    back = canvas.mapFromScene(anchor)
    assert abs(back.x() - centre.x()) <= 2 and abs(back.y() - centre.y()) <= 2
    before = canvas.mapToScene(QPoint(400, 300))
    h.finger_drag(canvas, QPoint(400, 300), QPoint(300, 250))
    after = canvas.mapToScene(QPoint(300, 250))
    assert after.x() == pytest.approx(before.x(), abs=3) and after.y() == pytest.approx(
        before.y(), abs=3
    )
    assert not ed.session.model.content.view("frown").strokes
    h.pinch(canvas, centre, 100, 2000)
    assert canvas.zoom_level() == pytest.approx(8.0, rel=0.01)  # clamped
    h.pinch(canvas, centre, 200, 200, steps=1)
    h.pinch(canvas, centre, 200, 200, steps=1)  # two-finger double tap fits
    assert canvas.zoom_level() == pytest.approx(1.0, rel=0.01)


def test_wheel_zoom_is_anchored_and_clamped(open_editor, qtbot) -> None:
    from PySide6.QtCore import QPointF as P
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    ed = open_editor()
    canvas = ed.canvas("frown")
    at = QPoint(250, 200)
    anchor = canvas.mapToScene(at)
    for _ in range(3):
        ev = QWheelEvent(
            P(at), P(canvas.viewport().mapToGlobal(at)), QPoint(), QPoint(0, 120),
            Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
            Qt.ScrollPhase.NoScrollPhase, False,
        )  # fmt: skip
        QApplication.sendEvent(canvas.viewport(), ev)
    assert canvas.zoom_level() == pytest.approx(1.25**3, rel=0.01)
    back = canvas.mapFromScene(anchor)
    assert abs(back.x() - at.x()) <= 2 and abs(back.y() - at.y()) <= 2


def test_points_tap_drag_sheet_undo_and_save(open_editor, sqlite_store, visit, qtbot) -> None:
    ed = open_editor()
    canvas = ed.canvas("frown")
    ed.session.set_tool("point")
    ed.pen.set_finger_drawing(False)
    # A finger tap on the patient's left (viewer's right) places a point there.
    where = QPointF(2000.0, 1200.0)
    h.finger_tap(canvas, canvas.mapFromScene(where))
    (p,) = ed.session.model.content.view("frown").points
    assert abs(p.x - where.x()) < canvas.screen_px() and p.product == "botox"
    assert p.units == Decimal(4) and p.side.value == "left"
    assert p.zone == "corrugator supercilii"
    assert ed.treatment.sheet.point is not None and ed.treatment.sheet.point.id == p.id
    finger(ed.treatment.sheet.presets.buttons["2.5"])
    finger(ed.treatment.sheet.plus)
    finger(ed.treatment.sheet.plus)
    assert ed.session.model.content.view("frown").points[0].units == Decimal("3.5")
    scroll_to(ed.treatment.sheet.depth_choice.buttons["intradermal"])
    finger(ed.treatment.sheet.depth_choice.buttons["intradermal"])
    # A second point takes the last product and the chart's usual dose (issue #9): 3.5 U
    # placed once is no habit yet, so the product's default; once placed twice, it is.
    h.finger_tap(canvas, canvas.mapFromScene(QPointF(1500.0, 1100.0)))
    second = [q for q in ed.session.model.content.view("frown").points if q.id != p.id][0]
    assert second.units == Decimal(4) and second.side.value == "midline"
    assert second.zone == "procerus"
    assert ed.session.new_point("frown", 1.0, 1.0).units == Decimal(4)
    scroll_to(ed.treatment.sheet.minus)
    finger(ed.treatment.sheet.minus)
    assert ed.session.new_point("frown", 1.0, 1.0).units == Decimal("3.5")
    second = next(q for q in ed.session.content.view("frown").points if q.id == second.id)
    # Drag the first point with the pen: one undo step for the whole drag.
    h.pen_stroke(canvas, line(2000.0, 1200.0, 2300.0, 1300.0, 10), [0.5] * 10)
    moved = next(q for q in ed.session.model.content.view("frown").points if q.id == p.id)
    assert (moved.x, moved.y) == pytest.approx((2300.0, 1300.0), abs=0.01)
    steps = ed.session.undo_stack.count()
    ed.session.undo_stack.undo()
    back = next(q for q in ed.session.model.content.view("frown").points if q.id == p.id)
    assert (back.x, back.y) == (p.x, p.y)  # exactly where the finger tap put it
    ed.session.undo_stack.redo()
    assert ed.session.undo_stack.count() == steps
    info = save_and_wait(ed)
    assert info is not None
    saved = charts.load_version(sqlite_store, info.id).content.view("frown")
    assert saved is not None
    got = {q.id: q for q in saved.points}
    assert set(got) == {p.id, second.id}
    assert got[p.id].units == Decimal("3.5") and got[p.id].depth.value == "intradermal"
    assert (got[p.id].x, got[p.id].y) == pytest.approx((2300.0, 1300.0), abs=0.01)
    # Delete from the sheet.
    ed.session.select(Selection("frown", second.id))
    scroll_to(ed.treatment.sheet.delete)
    finger(ed.treatment.sheet.delete)
    assert [q.id for q in ed.session.model.content.view("frown").points] == [p.id]


def test_partial_erase_splits_and_saves_only_pieces(open_editor, sqlite_store, visit) -> None:
    ed = open_editor()
    canvas = ed.canvas("frown")
    h.pen_stroke(canvas, line(500.0, 2000.0, 2500.0, 2000.0, 30), [0.7] * 30)
    (original,) = ed.session.model.content.view("frown").strokes
    h.pen_stroke(canvas, line(1500.0, 1800.0, 1500.0, 2200.0, 6), [1.0] * 6, h.PEN_ERASER)
    pieces = ed.session.model.content.view("frown").strokes
    assert len(pieces) == 2 and original.id not in {s.id for s in pieces}
    info = save_and_wait(ed)
    assert info is not None
    saved = charts.load_version(sqlite_store, info.id).content.view("frown").strokes
    assert {s.id for s in saved} == {s.id for s in pieces}
    xs = sorted((min(x for x, *_ in s.samples), max(x for x, *_ in s.samples)) for s in saved)
    assert xs[0][0] == pytest.approx(500.0, abs=0.01) and xs[0][1] < 1500
    assert xs[1][0] > 1500 and xs[1][1] == pytest.approx(2500.0, abs=0.01)
    # Whole-stroke erasing removes what it touches, and the eraser itself is never stored.
    ed.session.tools.erase_whole = True
    h.pen_stroke(canvas, line(800.0, 1900.0, 800.0, 2100.0, 4), [1.0] * 4, h.PEN_ERASER)
    assert len(ed.session.model.content.view("frown").strokes) == 1
    ed.session.undo_stack.undo()
    assert len(ed.session.model.content.view("frown").strokes) == 2


def test_undo_spans_views(open_editor) -> None:
    ed = open_editor()
    h.pen_stroke(ed.canvas("frown"), line(500, 500, 900, 700, 8), [0.5] * 8)
    ed.show_view("smile")
    h.pen_stroke(ed.canvas("smile"), line(100, 100, 300, 200, 8), [0.5] * 8)
    assert ed.session.model.dirty
    ed.session.undo_stack.undo()
    assert not ed.session.model.content.view("smile").strokes
    ed.session.undo_stack.undo()
    assert ed.current_view == "frown" and not ed.session.model.content.view("frown").strokes
    assert not ed.session.model.dirty
    ed.session.undo_stack.redo()
    assert len(ed.session.model.content.view("frown").strokes) == 1


def test_draft_survives_a_crash(open_editor, sqlite_store, visit, qtbot) -> None:
    ed = open_editor()
    h.pen_stroke(ed.canvas("frown"), line(500, 500, 900, 700, 8), [0.5] * 8)
    qtbot.waitUntil(
        lambda: (
            drafts.load_draft(sqlite_store, visit.visit_id, ed.session.practitioner_id) is not None
        ),
        timeout=3000,
    )
    drawn = ed.session.model.content
    ed.session.journal.timer.stop()
    ed.hide()
    ed.deleteLater()  # dropped without saving, as a crash would
    again = open_editor()
    assert again.widgets.message_bar.isVisible() and "Restore" in [
        b.text() for b in again.widgets.message_bar.buttons
    ]
    again.restore_draft()
    assert normalise(again.session.model.content) == normalise(drawn) and again.session.model.dirty
    assert save_and_wait(again) is not None
    assert drafts.load_draft(sqlite_store, visit.visit_id, again.session.practitioner_id) is None


def test_conflict_keeps_the_work_on_screen(open_editor) -> None:
    first = open_editor()
    second = open_editor()
    h.pen_stroke(first.canvas("frown"), line(500, 500, 900, 700, 8), [0.5] * 8)
    assert save_and_wait(first) is not None
    h.pen_stroke(second.canvas("frown"), line(600, 900, 900, 900, 8), [0.5] * 8)
    assert save_and_wait(second) is None
    assert (
        second.widgets.message_bar.isVisible()
        and "another window" in second.widgets.message_bar.text.text()
    )
    assert (
        second.session.model.dirty and len(second.session.model.content.view("frown").strokes) == 1
    )


def test_older_version_opens_read_only(open_editor, sqlite_store, visit) -> None:
    ed = open_editor()
    h.pen_stroke(ed.canvas("frown"), line(500, 500, 900, 700, 8), [0.5] * 8)
    v1 = save_and_wait(ed)
    h.pen_stroke(ed.canvas("frown"), line(500, 900, 900, 900, 8), [0.5] * 8)
    assert save_and_wait(ed) is not None and v1 is not None
    old = open_editor(v1.id)
    assert old.session.read_only and not old.widgets.save_button.isVisible()
    h.pen_stroke(old.canvas("frown"), line(500, 1500, 900, 1500, 8), [0.5] * 8)
    assert len(old.session.model.content.view("frown").strokes) == 1
    assert "read-only" in old.widgets.status.text()


def test_totals_per_product_and_soft_warnings(qtbot, sqlite_store) -> None:
    pr = default_practitioner(sqlite_store)
    earlier = h.charted_visit(sqlite_store, pr.id, date(2026, 10, 1), big=(640, 800))
    from app.services import photos, visits
    from tests.images import jpeg_bytes

    v = visits.start_visit(sqlite_store, earlier.patient_id, pr.id, "neurotoxin", date(2026, 11, 1))
    photos.add_photo_bytes(sqlite_store, earlier.patient_id, "frown", jpeg_bytes(), visit_id=v.id)
    ed = ChartEditor(sqlite_store, v.id, pr.id)
    qtbot.addWidget(ed)
    ed.resize(1366, 768)
    ed.show()
    assert any(w.kind == "interval" and "31 days" in w.text for w in ed.treatment.totals.warnings)
    ed.session.set_tool("point")
    canvas = ed.canvas("frown")
    for x in (200.0, 260.0, 320.0, 380.0, 440.0, 500.0):
        pt = ed.session.new_point("frown", x, 300.0)
        from app.domain.editing import put_point

        ed.session.apply(put_point(ed.session.model.content, "frown", pt), "Add point", "frown")
    dysport = ed.session.new_point("frown", 320.0, 500.0)
    from dataclasses import replace

    ed.session.apply(
        put_point(
            ed.session.model.content,
            "frown",
            replace(dysport, product="dysport", units=Decimal(10)),
        ),
        "Add point",
        "frown",
    )
    assert any(w.kind == "label_dose" and "24 U" in w.text for w in ed.treatment.totals.warnings)
    assert ed.treatment.totals.lines["botox"][0] == "Visit: 24 U in 6 points"
    assert ed.treatment.totals.lines["dysport"][0] == "Visit: 10 U in 1 point"
    assert not any("34" in line for lines in ed.treatment.totals.lines.values() for line in lines)
    assert canvas is not None
    ed.session.journal.timer.stop()


def test_grace_period_constant_is_short() -> None:
    # Touches after the pen lifts away are ignored only briefly: fingers must stay usable.
    assert inp.PEN_GRACE_MS <= 1000


def test_layers_hide_and_fade(open_editor) -> None:
    ed = open_editor()
    scene = ed.scenes["frown"]
    qtbot_click = ed.widgets.layer_buttons["markings"].click
    qtbot_click()
    assert scene.layers["markings"].opacity() < 1 and scene.layers["markings"].isVisible()
    qtbot_click()
    assert not scene.layers["markings"].isVisible()
    assert ed.widgets.layer_buttons["markings"].text() == "Markings: hidden"
    qtbot_click()
    assert scene.layers["markings"].isVisible() and scene.layers["markings"].opacity() == 1


def test_mouse_places_and_drags_a_point(open_editor, qtbot) -> None:
    from PySide6.QtCore import Qt

    ed = open_editor()
    ed.session.set_tool("point")
    canvas = ed.canvas("frown")
    at = canvas.mapFromScene(QPointF(900.0, 1500.0))
    qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=at)
    (p,) = ed.session.model.content.view("frown").points
    assert p.side.value == "right"  # the viewer's left of a frontal photo
    to = at + QPoint(60, 20)
    qtbot.mousePress(canvas.viewport(), Qt.MouseButton.LeftButton, pos=at)
    qtbot.mouseMove(canvas.viewport(), at + QPoint(30, 10))
    qtbot.mouseMove(canvas.viewport(), to)
    qtbot.mouseRelease(canvas.viewport(), Qt.MouseButton.LeftButton, pos=to)
    (moved,) = ed.session.model.content.view("frown").points
    assert moved.id == p.id and moved.x > p.x + 50 * canvas.screen_px()


def test_a_visit_without_photos_opens(qtbot, sqlite_store) -> None:
    from app.services import patients, visits

    pr = default_practitioner(sqlite_store)
    pa = patients.create_patient(sqlite_store, "No", "Photos", date(1990, 1, 1))
    v = visits.start_visit(sqlite_store, pa.id, pr.id, "neurotoxin", date(2026, 11, 20))
    ed = ChartEditor(sqlite_store, v.id, pr.id)
    qtbot.addWidget(ed)
    ed.show()
    assert list(ed.session.view_codes) == [] and ed.widgets.name_label.text() == "No Photos"


def test_deep_zoom_lays_original_pixels_over_the_display_image(open_editor, qtbot) -> None:
    ed = open_editor()
    canvas = ed.canvas("frown")
    photo = canvas.vscene.photo_item
    # The first paint decodes the display image at the screen's size, then it comes whole.
    assert photo is not None and 1024 <= photo.pixmap().width() <= 2048
    qtbot.waitUntil(lambda: photo.pixmap().width() == 2048, timeout=5000)  # the display image
    assert canvas.detail.item is None
    centre = QPointF(canvas.viewport().rect().center())
    canvas.zoom_to(canvas.fit_scale() * 8, centre, QPointF(1500.0, 1500.0))
    qtbot.waitUntil(lambda: canvas.detail.item is not None, timeout=5000)
    item = canvas.detail.item
    seen = canvas.mapToScene(canvas.viewport().rect()).boundingRect()
    assert item.sceneBoundingRect().contains(seen.intersected(canvas.vscene.frame))
    assert item.scale() == 1.0  # one original pixel per photo pixel
    canvas.fit()
    assert canvas.detail.item is None  # back at fit the display image is sharp enough


def test_four_views_charted_with_pen_and_fingers_alone(qtbot, sqlite_store) -> None:
    from app.services import patients, photos, visits
    from tests.images import face_image, jpeg_bytes

    pr = default_practitioner(sqlite_store)
    pa = patients.create_patient(sqlite_store, "Four", "Views", date(1985, 5, 5))
    v = visits.start_visit(sqlite_store, pa.id, pr.id, "neurotoxin", date(2026, 11, 20))
    for i, view in enumerate(("rest", "frown", "brow_raise", "smile")):
        jpeg = jpeg_bytes(face_image(800, 1000, i))
        photos.add_photo_bytes(sqlite_store, pa.id, view, jpeg, visit_id=v.id)
    ed = ChartEditor(sqlite_store, v.id, pr.id)
    qtbot.addWidget(ed)
    ed.resize(1366, 768)
    ed.show()
    qtbot.waitExposed(ed)
    assert list(ed.session.view_codes) == ["rest", "frown", "brow_raise", "smile"]
    closed = []
    ed.closed.connect(lambda: closed.append(True))
    for view in ed.session.view_codes:
        h.finger_tap(ed.widgets.view_buttons[view], QPoint(20, 20))  # a finger on the view's button
        assert ed.current_view == view
        canvas = ed.canvas()
        canvas.fit()
        ed.session.set_tool("pencil")
        h.pen_stroke(canvas, line(200, 300, 600, 320, 12), [0.4] * 12)
        ed.session.set_tool("point")
        h.pen_stroke(canvas, [QPointF(300, 500)] * 2, [0.5, 0.5])  # a pen tap places a point
    info = save_and_wait(ed)
    assert info is not None and info.point_count == 4 and info.stroke_count == 4
    saved = charts.load_version(sqlite_store, info.id).content
    assert {c.view for c in saved.views} == set(ed.session.view_codes)
    for c in saved.views:
        assert len(c.strokes) == 1 and len(c.points) == 1
        (p,) = c.points
        assert (p.x, p.y) == pytest.approx((300, 500), abs=0.01) and p.units == Decimal(4)
    finger(ed.widgets.close_button)
    assert closed == [True]
    ed.session.journal.timer.stop()


def test_a_pencil_tap_on_a_point_opens_it(open_editor) -> None:
    ed = open_editor()
    canvas = ed.canvas("frown")
    pt = ed.session.new_point("frown", 1200.0, 1000.0)
    from app.domain.editing import put_point

    ed.session.apply(put_point(ed.session.model.content, "frown", pt), "Add point", "frown")
    ed.session.set_tool("pencil")
    h.pen_stroke(canvas, [QPointF(1201.0, 1001.0)] * 2, [0.5, 0.5])
    assert not ed.session.model.content.view("frown").strokes
    assert ed.treatment.sheet.point is not None and ed.treatment.sheet.point.id == pt.id


def test_undoing_back_to_the_saved_chart_drops_the_draft(open_editor, sqlite_store, visit, qtbot):  # type: ignore[no-untyped-def]
    ed = open_editor()
    h.pen_stroke(ed.canvas("frown"), line(500, 500, 900, 700, 8), [0.5] * 8)
    ed.session.journal.flush()
    assert drafts.load_draft(sqlite_store, visit.visit_id, ed.session.practitioner_id) is not None
    ed.session.undo_stack.undo()
    assert (
        not ed.session.model.dirty
        and drafts.load_draft(sqlite_store, visit.visit_id, ed.session.practitioner_id) is None
    )


def test_a_point_of_an_old_version_opens_locked(open_editor) -> None:
    from app.domain.editing import put_point

    ed = open_editor()
    pt = ed.session.new_point("frown", 1200.0, 1000.0)
    ed.session.apply(put_point(ed.session.model.content, "frown", pt), "Add point", "frown")
    v1 = save_and_wait(ed)
    ed.session.apply(
        put_point(ed.session.model.content, "frown", ed.session.new_point("frown", 900, 900)),
        "p",
        "frown",
    )
    assert v1 is not None and save_and_wait(ed) is not None
    old = open_editor(v1.id)
    canvas = old.canvas("frown")
    h.finger_tap(canvas, canvas.mapFromScene(QPointF(1200.0, 1000.0)))
    assert old.treatment.sheet.point is not None and old.treatment.sheet.point.id == pt.id
    assert not old.treatment.sheet.isEnabled()
    assert len(old.session.model.content.view("frown").points) == 1


def test_expiry_is_picked_by_touch_near_today_and_saved(
    qtbot, open_editor, sqlite_store: Store, visit: h.Visit
) -> None:
    """The expiry opens on this year, not January 2000; "end of month" is one tap (cartons
    print the month); an expired lot warns on the card; the chosen date is what is saved."""
    from PySide6.QtWidgets import QPushButton

    from tests.ui.helpers import pick_date

    ed = open_editor()
    ed.session.set_tool("point")
    canvas = ed.canvas("frown")
    at = h.vp_of(canvas, QPointF(800, 900))
    h.tablet(canvas, QEvent.Type.TabletPress, at, 0.6)
    h.tablet(canvas, QEvent.Type.TabletRelease, at, 0.0)
    assert len(ed.session.model.content.view("frown").points) == 1
    ed.show_panel("products")
    card = next(iter(ed.treatment.products_panel.cards.values()))
    assert card.expiry.text() == "Expiry not set"
    today = ed.session.today
    finger(card.expiry)
    dialog = card.expiry.dialog
    assert dialog is not None
    years = sorted(
        int(b.objectName()[5:])
        for b in dialog.findChildren(QPushButton)
        if b.objectName().startswith("year_")
    )
    assert years[0] >= today.year - 2 and today.year in years
    finger(dialog.findChild(QPushButton, "dateGridCancel"))
    last_month = date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)
    pick_date(qtbot, card.expiry, last_month, end_of_month=True)
    card = next(iter(ed.treatment.products_panel.cards.values()))  # rebuilt from the content
    qtbot.waitUntil(card.expired.isVisible)
    assert "expired on" in card.expired.text()
    saved = save_and_wait(ed)
    assert saved is not None
    use = charts.load_version(sqlite_store, saved.id).content.products[0]
    assert use.expiry is not None and use.expiry.month == last_month.month
    assert (use.expiry + timedelta(days=1)).day == 1  # the month's last day


def test_lot_expiry_and_dilution_of_the_last_visit_are_one_tap_away(
    qtbot, sqlite_store: Store
) -> None:
    """At the touch-up the vial of two weeks ago is offered on the Products card ("Same as");
    one tap records it, and the saved version holds it. Nothing is copied without the tap."""
    from PySide6.QtWidgets import QLabel

    from app.domain.chart import ChartContent, ProductUse, ViewChart
    from app.domain.values import Dilution
    from app.services import photos, visits
    from tests.images import jpeg_bytes

    pr = default_practitioner(sqlite_store)
    first = h.charted_visit(sqlite_store, pr.id, date(2026, 11, 2), big=(640, 800))
    sha = photos.photos_for_visit(sqlite_store, first.visit_id)[0].sha256
    use = ProductUse("botox", "C1234A", date(2027, 9, 30), Dilution(Decimal(100), Decimal("2.5")))
    charts.save_version(
        sqlite_store,
        first.visit_id,
        ChartContent(views=(ViewChart("frown", sha),), products=(use,)),
        parent_version_id=None,
        saved_by_id=pr.id,
    )
    later = visits.start_visit(
        sqlite_store, first.patient_id, pr.id, "neurotoxin", date(2026, 11, 16),
        touch_up_of_id=first.visit_id,
    )  # fmt: skip
    photos.add_photo_bytes(sqlite_store, first.patient_id, "frown", jpeg_bytes(), visit_id=later.id)
    ed = h.shown_editor(qtbot, sqlite_store, later.id, pr.id)
    ed.session.set_tool("point")
    canvas = ed.canvas("frown")
    at = h.vp_of(canvas, QPointF(300, 300))
    h.tablet(canvas, QEvent.Type.TabletPress, at, 0.6)
    h.tablet(canvas, QEvent.Type.TabletRelease, at, 0.0)
    ed.show_panel("products")
    card = ed.treatment.products_panel.cards["botox"]
    assert card.same_as is not None
    qtbot.waitUntil(card.same_as.isVisible)
    assert card.same_as.text() == "Same as 2 Nov 2026"
    said = [lab.text() for lab in card.findChildren(QLabel) if "C1234A" in lab.text()]
    assert said == ["On 2 Nov 2026: lot C1234A, expires 30 Sep 2027, 100 U in 2.5 mL."]
    assert card.same_as.height() >= 48
    assert ed.session.model.content.products == () or not ed.session.model.content.products[0].lot
    finger(card.same_as)
    card = ed.treatment.products_panel.cards["botox"]
    assert card.same_as is None  # recorded: the offer is gone
    assert card.lot.text() == "C1234A" and card.expiry.value == date(2027, 9, 30)
    saved = save_and_wait(ed)
    assert saved is not None
    got = charts.load_version(sqlite_store, saved.id).content.products
    assert [(u.lot, u.expiry, u.dilution) for u in got] == [
        ("C1234A", date(2027, 9, 30), Dilution(Decimal(100), Decimal("2.5")))
    ]
