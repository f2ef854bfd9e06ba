"""The microneedling chart editor driven like a tablet (issue #14): an area drawn by pen
(QTabletEvent with pressure) and by finger (touch events), its depth and passes set by taps,
saved, and the version read back from a real SQLite file: polygon in photo pixels, depth an
exact Decimal, passes; the hash verifies; no toxin control anywhere on the chart."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QLabel, QPushButton

from app.domain.canonical import normalise
from app.domain.microneedling import DEPTHS
from app.services import charts, patients, photos, visits
from app.services.integrity import check_store
from app.services.practitioners import default_practitioner
from app.store.database import Store
from app.store.hash_chain import content_hash
from tests.app.chart_factory import glabella
from tests.images import face_image, jpeg_bytes
from tests.ui import editor_helpers as h
from tests.ui.editor_helpers import save_and_wait
from tests.ui.helpers import finger, scroll_to
from ui.editor.editor_window import ChartEditor
from ui.editor.mn_treatment import MicroneedlingTreatment

FRONT = (2000, 2500)


@pytest.fixture
def mn_visit(sqlite_store: Store) -> int:
    who = default_practitioner(sqlite_store).id
    p = patients.create_patient(sqlite_store, "Inès", "Laurent", date(1990, 6, 1))
    v = visits.start_visit(sqlite_store, p.id, who, "microneedling", date(2026, 3, 2))
    photos.add_photo_bytes(
        sqlite_store, p.id, "front", jpeg_bytes(face_image(*FRONT)), visit_id=v.id
    )
    photos.add_photo_bytes(
        sqlite_store, p.id, "left_45", jpeg_bytes(face_image(800, 1000, 2)), visit_id=v.id
    )
    return v.id


@pytest.fixture
def editor(qtbot, sqlite_store: Store, mn_visit: int) -> Iterator[ChartEditor]:  # type: ignore[no-untyped-def]
    ed = ChartEditor(sqlite_store, mn_visit, default_practitioner(sqlite_store).id)
    qtbot.addWidget(ed)
    ed.resize(1366, 768)
    ed.show()
    qtbot.waitExposed(ed)
    ed.show_view("front")
    ed.canvas().fit()
    yield ed
    ed.session.journal.timer.stop()


def _tap_pen(canvas, at: QPointF) -> None:  # type: ignore[no-untyped-def]
    h.pen_stroke(canvas, [at, at], [0.6, 0.6])


def test_a_microneedling_visit_opens_the_area_plug_in_without_toxin_controls(
    editor: ChartEditor,
) -> None:
    assert isinstance(editor.treatment, MicroneedlingTreatment)
    rail = editor.widgets.rail
    assert set(rail.tool_buttons) == {"area", "brush", "pencil", "eraser", "measure"}
    assert rail.tool_buttons["area"].isChecked() and not rail.band.isVisible()
    assert editor.session.tools.tool == "area"
    # the first session of a course opens on the contraindication check
    assert editor.widgets.panel_choice.value() == "session"
    assert editor.treatment.session_page.contra.isVisible()
    # every button and label of the editor, shown or on a page not shown yet
    texts = [b.text() for b in editor.findChildren(QPushButton)]
    texts += [lab.text() for lab in editor.findChildren(QLabel)]
    tokens = set(re.findall(r"[A-Za-z]+", " ".join(texts)))
    toxin = {"Botox", "Dysport", "U", "IM", "ID", "SC", "Products", "Point", "units", "Units"}
    assert not toxin & tokens, toxin & tokens
    assert editor.widgets.layer_buttons["points"].text() == "Areas"


def test_area_by_pen_then_depth_and_passes_by_taps_saved_and_read_back(
    editor: ChartEditor, sqlite_store: Store, mn_visit: int
) -> None:
    canvas = editor.canvas("front")
    corners = [QPointF(600.5, 1300.25), QPointF(1000.0, 1320.0), QPointF(980.0, 1700.0)]
    corners.append(QPointF(620.0, 1650.0))
    for c in corners:
        _tap_pen(canvas, c)
    assert editor.treatment.sheet.drawing.isVisible()  # Finish / Cancel offered
    _tap_pen(canvas, corners[0] + QPointF(3, 2))  # the first corner again closes it
    ((view, area),) = list(editor.session.content.all_areas())
    assert view == "front" and len(area.polygon) == 4
    for (x, y), want in zip(area.polygon, corners, strict=True):
        assert x == pytest.approx(want.x(), abs=0.01) and y == pytest.approx(want.y(), abs=0.01)
    sheet = editor.treatment.sheet
    assert sheet.area is not None and sheet.area.id == area.id  # the sheet opened on it
    assert editor.widgets.panel_choice.value() == "area"
    finger(sheet.name.buttons["Cheeks"])
    area = editor.treatment.edits.selected()[1]  # type: ignore[index]
    assert area.name == "Cheeks" and area.depth_mm == Decimal("1.0")  # lower end first
    assert sheet.depth_choice.buttons["1"].property("usual") is True
    assert sheet.depth_choice.buttons["2.5"].property("usual") is False
    scroll_to(sheet.depth_choice.buttons["1.75"])
    finger(sheet.depth_choice.buttons["1.75"])
    scroll_to(sheet.plus)
    finger(sheet.plus)
    finger(sheet.plus)
    assert not sheet.warning.isVisible()
    info = save_and_wait(editor)
    assert info is not None and info.version_no == 1
    saved = charts.load_version(sqlite_store, info.id).content
    ((_v, got),) = list(saved.all_areas())
    assert got.name == "Cheeks" and got.depth_mm == Decimal("1.75") and got.passes == 3
    assert isinstance(got.depth_mm, Decimal)
    assert got.polygon[0] == (pytest.approx(600.5, abs=0.01), pytest.approx(1300.25, abs=0.01))
    assert saved.microneedling is not None  # the session's record travels with it
    assert info.content_hash == content_hash(saved, "")
    report = check_store(sqlite_store)
    assert report.intact, report.alterations


def test_area_by_finger_taps_and_a_depth_above_the_usual_range_warns(
    editor: ChartEditor, sqlite_store: Store
) -> None:
    canvas = editor.canvas("front")
    editor.pen.set_finger_drawing(False)  # fingers tap corners whatever this says
    pts = [QPointF(800, 600), QPointF(1300, 600), QPointF(1250, 850), QPointF(850, 850)]
    for p in pts:
        h.finger_tap(canvas, canvas.mapFromScene(p))
    assert len(editor.treatment._drafting_tool.corners) == 4  # type: ignore[union-attr]
    finger(editor.treatment.sheet.finish)
    ((_v, area),) = list(editor.session.content.all_areas())
    tolerance = 1.0 * canvas.screen_px()  # a finger lands on whole viewport pixels
    for (x, y), want in zip(area.polygon, pts, strict=True):
        assert abs(x - want.x()) <= tolerance and abs(y - want.y()) <= tolerance
    sheet = editor.treatment.sheet
    finger(sheet.name.buttons["Forehead"])
    assert editor.treatment.edits.selected()[1].depth_mm == Decimal("0.25")  # type: ignore[index]
    scroll_to(sheet.depth_choice.buttons["1"])
    finger(sheet.depth_choice.buttons["1"])
    assert sheet.warning.isVisible() and "deeper than the usual 0.25–0.5 mm" in sheet.warning.text()
    assert any("⚠" in ln for ln in editor.treatment.areas.lines)
    # a tap inside the area (no outline started) opens its sheet
    editor.session.select(None)
    h.finger_tap(canvas, canvas.mapFromScene(QPointF(1050, 720)))
    assert sheet.area is not None and sheet.area.id == area.id


def test_brush_paints_a_region_that_becomes_one_polygon(editor: ChartEditor) -> None:
    canvas = editor.canvas("front")
    editor.session.set_tool("brush")
    path = [QPointF(700 + 20 * i, 1900 + 6 * (i % 4)) for i in range(30)]
    h.pen_stroke(canvas, path, [0.7] * len(path))
    ((_v, area),) = list(editor.session.content.all_areas())
    xs = [x for x, _y in area.polygon]
    ys = [y for _x, y in area.polygon]
    half = 40.0 * canvas.screen_px() / 2  # the brush's half width in photo pixels
    assert min(xs) == pytest.approx(700 - half, abs=half * 0.2)
    assert max(xs) == pytest.approx(1280 + half, abs=half * 0.2)
    assert 3 <= len(area.polygon) <= 200 and min(ys) < 1900 < max(ys)


def test_session_page_and_contraindications_are_saved(
    editor: ChartEditor, sqlite_store: Store
) -> None:
    page = editor.treatment.session_page
    editor.show_panel("session")
    for key in ("isotretinoin", "infection", "keloid", "pregnancy"):
        choice = page.contra.choices[key]
        scroll_to(choice.buttons["no"])
        finger(choice.buttons["yes" if key == "keloid" else "no"])
    assert "Keloid" in page.contra.state.text()
    page.fields["cartridge_lot"].setText("SP-4711")
    page.fields["cartridge_lot"].editingFinished.emit()
    page.fields["device"].setText("SkinPen Precision")
    page.fields["device"].editingFinished.emit()
    scroll_to(page.fitzpatrick.buttons["4"])
    finger(page.fitzpatrick.buttons["4"])
    scroll_to(page.endpoint.buttons["Pinpoint bleeding"])
    finger(page.endpoint.buttons["Pinpoint bleeding"])
    scroll_to(page.planned_plus)
    finger(page.planned_plus)
    info = save_and_wait(editor)
    assert info is not None
    rec = charts.load_version(sqlite_store, info.id).content.microneedling
    assert rec is not None
    assert rec.cartridge_lot == "SP-4711" and rec.device == "SkinPen Precision"
    assert rec.fitzpatrick == 4 and rec.endpoint == "Pinpoint bleeding"
    assert rec.course_sessions == 4
    assert rec.contraindications is not None and rec.contraindications.positives == ["keloid"]
    assert rec.contraindications.complete


def test_a_toxin_chart_keeps_its_hash_and_its_plug_in(qtbot, sqlite_store: Store) -> None:  # type: ignore[no-untyped-def]
    who = default_practitioner(sqlite_store).id
    v = h.charted_visit(sqlite_store, who)
    content = glabella(None)
    frown = charts.save_version(
        sqlite_store, v.visit_id, content, parent_version_id=None, saved_by_id=who
    )
    assert frown.content_hash == content_hash(normalise(content), "")
    # the pinned hash of a toxin chart from before microneedling existed
    from tests.app.test_overlay_versions import _fixed_content

    assert content_hash(_fixed_content(), "") == (
        "cd30dd5a75cb09be5790aeae5178d8b27c1f7518b79fdb21acf8b9952ff0b113"
    )
    ed = h.shown_editor(qtbot, sqlite_store, v.visit_id, who)
    assert type(ed.treatment).__name__ == "ToxinTreatment"
    assert set(ed.widgets.rail.tool_buttons) == {"pencil", "eraser", "point", "measure"}
    assert ed.widgets.layer_buttons["points"].text() == "Points"
    loaded = charts.load_head(sqlite_store, v.visit_id)
    assert loaded is not None and content_hash(loaded.content, "") == frown.content_hash
    ed.session.journal.timer.stop()


def test_every_depth_button_is_a_touch_target(editor: ChartEditor) -> None:
    sheet = editor.treatment.sheet
    assert [b.text() for b in sheet.depth_choice.buttons.values()] == [
        "0.25", "0.5", "0.75", "1", "1.25", "1.5", "1.75", "2", "2.25", "2.5",
    ]  # fmt: skip
    assert len(DEPTHS) == 10
    for b in sheet.depth_choice.buttons.values():
        assert b.minimumHeight() >= 48 and b.minimumWidth() >= 48


def test_the_report_carries_the_areas_and_the_session(
    sqlite_store: Store, mn_visit: int, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtPdf import QPdfDocument

    from app.services import reports
    from tests.app.mn_factory import full_face

    who = default_practitioner(sqlite_store).id
    shas = {p.view_code: p.sha256 for p in photos.photos_for_visit(sqlite_store, mn_visit)}
    content = full_face(shas["front"], shas["left_45"])
    info = charts.save_version(
        sqlite_store, mn_visit, content, parent_version_id=None, saved_by_id=who
    )
    out = tmp_path / "mn.pdf"
    report = reports.write_visit_report(sqlite_store, mn_visit, out)
    assert report.content_hash == info.content_hash
    assert [len(v.areas) for v in report.views] == [2, 1]
    doc = QPdfDocument()
    doc.load(str(out))
    assert doc.status() == QPdfDocument.Status.Ready
    text = "\n".join(doc.getAllText(i).text() for i in range(doc.pageCount()))
    assert "Microneedling treatment" in text and "Microneedling session" in text
    for want in ("Cheeks", "1.5 mm", "Forehead", "0.5 mm", "Scar area", "2.5 mm", "SP-2291"):
        assert want in text, want
    assert "SkinPen Precision" in text and "Fitzpatrick III" in text and "Pinpoint bleeding" in text
    assert "Keloid scarring" in text
    assert "No injection points" not in text and " U " not in text and "Products" not in text
    patient = reports.visit_report(sqlite_store, mn_visit, patient_copy=True)
    assert patient.microneedling is not None and patient.views[0].areas


def test_a_saved_version_shows_its_areas_not_points_or_units(
    qtbot, sqlite_store: Store, mn_visit: int
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QLabel

    from tests.app.mn_factory import full_face
    from tests.ui.helpers import signed_in
    from ui.shell.version_viewer import VersionViewerPage
    from ui.shell.visit_page import VisitPage

    who = default_practitioner(sqlite_store).id
    shas = {p.view_code: p.sha256 for p in photos.photos_for_visit(sqlite_store, mn_visit)}
    info = charts.save_version(
        sqlite_store,
        mn_visit,
        full_face(shas["front"], shas["left_45"]),
        parent_version_id=None,
        saved_by_id=who,
    )
    ctx = signed_in(sqlite_store)
    page = VersionViewerPage(ctx, mn_visit, info.id)
    qtbot.addWidget(page)
    front = page.views[page.tabs.currentIndex()]
    assert len(front.areas.items) == 2  # the front's areas, drawn
    texts = [lab.text() for lab in page.findChildren(QLabel)]
    assert "Cheeks: 1.5 mm, 3 passes" in texts and "Forehead: 0.5 mm, 2 passes" in texts
    assert "Units" not in texts and not any("injection point" in t for t in texts)
    visit_page = VisitPage(ctx, mn_visit)
    qtbot.addWidget(visit_page)

    def row_texts() -> list[str]:
        return [lab.text() for lab in visit_page.findChildren(QLabel)]

    visit_page.refresh()  # as the window does when the page is shown (activated)
    texts = row_texts()
    assert "Treated areas and needle depths: open the chart" in texts
    assert "No injection points" not in texts and "0 points" not in texts
