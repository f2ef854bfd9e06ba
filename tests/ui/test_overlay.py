"""Earlier charts over today's photos in the chart editor, with the real face models: the
astronaut's earlier chart aligned in the background onto a moved copy of the face, the
overlay's controls driven by touch and pen, carry forward, and what a save writes to SQLite."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, QRect, QSize, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from sqlalchemy import event

from app.alignment.manual import adjust
from app.domain.chart import InjectionPoint
from app.services import charts, touchup
from app.services.practitioners import default_practitioner
from app.store.database import Store, open_store, sqlite_url
from app.store.errors import StoreError
from tests.app.conftest import models  # noqa: F401  (a missing model fails)
from tests.ui import editor_helpers as h
from tests.ui import overlay_helpers as oh
from tests.ui.editor_helpers import save_and_wait
from tests.ui.helpers import collections_off_the_gui_thread, cpu_load, signed_in
from ui.editor.editor_window import ChartEditor
from ui.overlay import actions
from ui.overlay.ghost_items import GhostPoint

pytestmark = pytest.mark.usefixtures("models")
NEAR_PX = 4.0  # 0.03 of the 125-px eye distance: what the mesh mapping promises (ADR 0009)


@pytest.fixture
def who(sqlite_store: Store) -> int:
    return default_practitioner(sqlite_store).id


@pytest.fixture
def open_editor(qtbot, sqlite_store: Store, who: int) -> Iterator:  # type: ignore[no-untyped-def]
    made: list[ChartEditor] = []

    def _open(visit_id: int, version_id: int | None = None) -> ChartEditor:
        ed = h.shown_editor(qtbot, sqlite_store, visit_id, who, version_id)
        made.append(ed)
        return ed

    yield _open
    for ed in made:
        ed.session.journal.timer.stop()
        ed.close()  # waits for an alignment in flight before the store goes


def settled(ed: ChartEditor) -> bool:
    c = ed.overlay.ctrl
    return c.started and not c.reading and not c.aligner.busy and not c.queue


def ghosts(ed: ChartEditor, view: str = "frown") -> dict[str, QPointF]:
    """Earlier point id → where its ring is drawn, in today's photo pixels (scene)."""
    (layer,) = [lay for key, lay in ed.overlay.ctrl.layers.items() if key[1] == view]
    return {g.point.id: g.scenePos() for g in layer.points}


def tap(qtbot, widget: QWidget, at: QPoint | None = None) -> None:  # type: ignore[no-untyped-def]
    """A finger on a control, delivered to its window as a touchscreen delivers it."""
    assert widget.isVisible() and widget.isEnabled(), widget.objectName()
    assert min(widget.width(), widget.height()) >= 48
    win = widget.window()
    pos = widget.mapTo(win, at or widget.rect().center())
    QTest.touchEvent(win, h.touch_device()).press(0, pos, win).commit()
    QTest.touchEvent(win, h.touch_device()).release(0, pos, win).commit()
    qtbot.wait(PRESS_DELAY_MS)


# The side panel scrolls by touch (QScroller): it hands a press on to a button only after its
# press delay (0.25 s), to tell a tap from the start of a flick; and two taps on one spot
# within the double-click interval (0.4 s) would be one double tap.
PRESS_DELAY_MS = 500


def pen_tap(canvas, at: QPointF) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QEvent

    h.tablet(canvas, QEvent.Type.TabletPress, h.vp_of(canvas, at), 0.5)
    h.tablet(canvas, QEvent.Type.TabletRelease, h.vp_of(canvas, at), 0.0)


@contextmanager
def statements_on_the_gui_thread(store: Store) -> Iterator[list[str]]:
    """The SQL statements run on the GUI thread inside the block (SQLAlchemy's hook)."""
    on_gui: list[str] = []

    def seen(_conn, _cursor, statement, *_rest) -> None:  # type: ignore[no-untyped-def]
        if threading.current_thread() is threading.main_thread():
            on_gui.append(statement)

    event.listen(store.engine, "before_cursor_execute", seen)
    try:
        yield on_gui
    finally:
        event.remove(store.engine, "before_cursor_execute", seen)


def test_touch_up_overlay_aligned_in_background_saved_and_reopened(
    qtbot, open_editor, sqlite_store: Store, who: int, db_path: Path
) -> None:
    course = oh.course(sqlite_store, who, touch_up=True)
    ed = open_editor(course.today_visit_id)
    ctrl = ed.overlay.ctrl
    # The touched-up visit is chosen by itself; the view on screen aligns without blocking.
    qtbot.waitUntil(lambda: ctrl.started, timeout=5000)
    assert [s.visit_id for s in ctrl.chosen] == [course.earlier_visit_id]
    qtbot.waitUntil(lambda: settled(ed), timeout=30000)
    assert ed.overlay.legend.rows == [("1 Oct 2026 · Neurotoxin · v1", "good")]
    assert ed.widgets.rail.earlier.isVisible() and ed.widgets.rail.earlier.height() >= 48

    drawn = ghosts(ed)
    for pid, (x, y, *_rest) in zip(course.earlier_ids, oh.EARLIER_POINTS, strict=True):
        wx, wy = oh.warped(x, y)
        got = drawn[pid]
        assert math.hypot(got.x() - wx, got.y() - wy) < NEAR_PX, (pid, got, (wx, wy))

    # Today's smile photo shows no face: said in words, with the hand correction offered.
    ed.show_view("smile")
    qtbot.waitUntil(lambda: ed.overlay.legend.rows[0][1] == "could not align", timeout=5000)
    status = ed.overlay.panel.status_labels[course.earlier_hash].text()
    assert status.startswith("Alignment: could not align — No face was found in today's photo")
    assert "align it by hand with Compare / adjust" in status
    assert not [k for k in ctrl.layers if k[1] == "smile"]
    ed.show_view("frown")

    # Layers and opacity, by touch.
    layer = next(iter(ctrl.layers.values()))
    tap(qtbot, ed.overlay.panel.part_buttons["points"])
    assert not layer.parts["points"].isVisible() and layer.parts["labels"].isVisible()
    tap(qtbot, ed.overlay.panel.part_buttons["points"])
    assert layer.parts["points"].isVisible()
    tap(qtbot, ed.overlay.panel.part_buttons["markings"])
    assert not layer.parts["markings"].isVisible()
    slider = ed.overlay.panel.opacity
    tap(qtbot, slider, QPoint(round(slider.width() * 0.2), slider.height() // 2))
    assert 0.2 < layer.opacity() < 0.35 and layer.opacity() == pytest.approx(slider.value() / 100)

    # A pen tap right on an earlier ring places today's point there: rings are never hit.
    ed.session.set_tool("point")
    canvas = ed.canvas("frown")
    procerus = drawn[course.earlier_ids[0]]
    assert canvas.point_at(procerus) is None
    pen_tap(canvas, procerus)
    (today_point,) = ed.session.model.content.view("frown").points  # type: ignore[union-attr]
    assert math.hypot(today_point.x - procerus.x(), today_point.y - procerus.y()) < 0.01
    assert today_point.origin is None
    # Today's totals count today's point only; the course total adds the earlier visit.
    assert ed.treatment.totals.lines["botox"][0] == "Visit: 4 U in 1 point"
    assert "Botox Cosmetic: 24.5 U" in ed.treatment.totals.course_lines[0]
    assert any("1 Oct 2026: 20.5 U" in line for line in ed.treatment.totals.course_lines)
    # The touch-up of 15 Oct opened later is named by its date, not called "Today".
    assert "  15 Oct 2026: 4 U" in ed.treatment.totals.course_lines

    info = save_and_wait(ed)
    assert info is not None
    # Read back from the file by another connection, as a later session would.
    other = open_store(sqlite_url(db_path))
    try:
        saved = charts.load_head(other, course.today_visit_id)
    finally:
        other.dispose()
    assert saved is not None
    frown = saved.content.view("frown")
    assert frown is not None and len(frown.points) == 1
    (use,) = frown.overlays
    assert use.version_hash == course.earlier_hash
    assert use.mapping["method"] == "mesh" and len(use.mapping["old"]) == 468
    assert saved.content.view("smile").overlays == ()  # type: ignore[union-attr]

    # Reopened: the saved mapping is used as it is, nothing aligns the frown view again.
    again = open_editor(course.today_visit_id)
    qtbot.waitUntil(lambda: settled(again), timeout=30000)
    state = again.overlay.ctrl.state(again.overlay.ctrl.chosen[0], "frown")
    assert state is not None and state.saved and state.words == "saved with this chart"
    assert again.overlay.ctrl.align_count == 1  # the smile view only, which saved no mapping
    for pid, pos in ghosts(again).items():
        assert pos == drawn[pid]


def test_repeat_treatment_carries_points_forward_in_one_step(
    qtbot, open_editor, sqlite_store: Store, who: int, db_path: Path
) -> None:
    course = oh.course(sqlite_store, who, touch_up=False)
    ed = open_editor(course.today_visit_id)
    qtbot.waitUntil(lambda: settled(ed), timeout=30000)
    assert [s.visit_id for s in ed.overlay.ctrl.chosen] == [course.earlier_visit_id]  # the newest
    drawn = ghosts(ed)

    tap(qtbot, ed.overlay.panel.carry_view)
    points = ed.session.model.content.view("frown").points  # type: ignore[union-attr]
    assert len(points) == 5
    for p in points:
        assert p.origin is not None and p.origin.version_hash == course.earlier_hash
        assert p.id not in course.earlier_ids  # today's own ids
        ghost = drawn[p.origin.point_id]
        assert (p.x, p.y) == pytest.approx((ghost.x(), ghost.y()), abs=0.01)
    assert ed.treatment.totals.lines["botox"][0] == "Visit: 16.5 U in 5 points"
    assert ed.session.undo_stack.count() == 1
    ed.session.undo_stack.undo()
    assert ed.session.model.content.view("frown").points == ()  # type: ignore[union-attr]
    ed.session.undo_stack.redo()

    # Each is today's point: editable like any other.
    first = points[0]
    ed.session.set_units(first.id, Decimal(6))
    assert ed.session.model.content.view("frown").points[0].units == Decimal(6)  # type: ignore[union-attr]

    # All views: the frown points are there already; the smile view could not align.
    tap(qtbot, ed.overlay.panel.carry_all)
    notice = ed.overlay.panel.notice
    assert notice.isVisible() and "Smile could not be aligned" in notice.text()
    assert "Compare / adjust" in notice.text() and notice.property("kind") == "warn"
    assert len(ed.session.model.content.view("frown").points) == 5  # type: ignore[union-attr]
    assert ed.session.model.content.view("smile").points == ()  # type: ignore[union-attr]
    assert ed.height() == 768  # said in the panel: no message bar grows the editor
    # From there straight to aligning the smile view by hand.
    tap(qtbot, ed.overlay.panel.notice_action)
    assert ed.current_view == "smile" and ed.overlay.cover.isVisible()
    ed.overlay.cover.screen_widget.closed.emit()  # Cancel
    assert not ed.overlay.cover.isVisible()

    tap(qtbot, ed.widgets.save_button)  # a finger on Save
    assert ed.widgets.status.text() == "Version 1 saved"
    other = open_store(sqlite_url(db_path))
    try:
        saved = charts.load_head(other, course.today_visit_id)
    finally:
        other.dispose()
    assert saved is not None
    frown = saved.content.view("frown")
    assert frown is not None
    origins = {p.origin.point_id for p in frown.points if p.origin}
    assert origins == set(course.earlier_ids)
    assert frown.overlays[0].mapping["method"] == "mesh"


def test_hand_correction_replaces_the_mapping_and_undoes(
    qtbot, open_editor, sqlite_store: Store, who: int
) -> None:
    course = oh.course(sqlite_store, who)
    ed = open_editor(course.today_visit_id)
    qtbot.waitUntil(lambda: settled(ed), timeout=30000)
    ctrl = ed.overlay.ctrl
    source = ctrl.chosen[0]
    before = ghosts(ed)
    moved = adjust(ctrl.state(source, "frown").mapping, dx=30.0, dy=-12.0)  # type: ignore[union-attr]
    actions.apply_hand_mapping(ctrl, source, "frown", moved)
    state = ctrl.state(source, "frown")
    assert state is not None and state.words == "adjusted by hand"
    assert ed.overlay.legend.rows[0][1] == "adjusted by hand"
    for pid, pos in ghosts(ed).items():
        assert (pos.x(), pos.y()) == pytest.approx((before[pid].x() + 30, before[pid].y() - 12))
    assert ed.session.model.dirty  # a correction is part of the chart: it is saved with it
    ed.session.undo_stack.undo()
    assert ctrl.state(source, "frown").words == "good"  # type: ignore[union-attr]
    assert ghosts(ed) == before


def test_compare_button_opens_the_compare_screen_over_the_editor(
    qtbot, open_editor, sqlite_store: Store, who: int
) -> None:
    course = oh.course(sqlite_store, who)
    ed = open_editor(course.today_visit_id)
    qtbot.waitUntil(lambda: settled(ed), timeout=30000)
    with statements_on_the_gui_thread(sqlite_store) as on_gui:  # issue #8: nor the screen's
        tap(qtbot, ed.overlay.panel.compare_button)
        cover = ed.overlay.cover
        qtbot.waitUntil(lambda: cover.screen_widget.ready, timeout=10000)
    assert on_gui == []  # who it acts as came with the chart; the photos on its worker
    assert cover.isVisible() and cover.geometry() == ed.rect()
    source = ed.overlay.ctrl.chosen[0]
    moved = adjust(ed.overlay.ctrl.state(source, "frown").mapping, dx=-20.0)  # type: ignore[union-attr]
    cover.screen_widget.mapping_accepted.emit(moved)
    assert not cover.isVisible()
    assert ed.overlay.ctrl.state(source, "frown").words == "adjusted by hand"  # type: ignore[union-attr]


def test_closing_the_editor_over_a_loading_compare_screen_drops_its_read(
    qtbot, open_editor, sqlite_store: Store, who: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The editor closes while the compare screen over it still reads its photos (a slow
    clinic server): the read is left to end, and what it brings back is never built into
    the closed editor."""
    from ui.common.worker import threads_left
    from ui.overlay import compare_screen

    course = oh.course(sqlite_store, who)
    ed = open_editor(course.today_visit_id)
    qtbot.waitUntil(lambda: settled(ed), timeout=30000)
    gate = threading.Event()
    real = compare_screen.read_opening

    def slow(*a, **k):  # type: ignore[no-untyped-def]
        gate.wait(10)
        return real(*a, **k)

    monkeypatch.setattr(compare_screen, "read_opening", slow)
    tap(qtbot, ed.overlay.panel.compare_button)
    screen = ed.overlay.cover.screen_widget
    assert isinstance(screen, compare_screen.CompareScreen)
    qtbot.waitUntil(lambda: screen.reader.busy, timeout=5000)
    ed.session.journal.timer.stop()
    ed.close()
    gate.set()
    qtbot.waitUntil(lambda: threads_left() == 0, timeout=10000)
    qtbot.wait(100)  # an outcome delivered now would build the screen
    assert not screen.ready and not hasattr(screen, "edit")


def test_picker_hides_and_brings_back_an_earlier_chart(
    qtbot, open_editor, sqlite_store: Store, who: int
) -> None:
    course = oh.course(sqlite_store, who)
    ed = open_editor(course.today_visit_id)
    qtbot.waitUntil(lambda: settled(ed), timeout=30000)
    tap(qtbot, ed.widgets.rail.earlier)
    picker = ed.overlay.picker
    qtbot.waitExposed(picker)
    row = picker.rows[course.earlier_visit_id]
    assert row.isChecked() and "this visit touches it up" in row.text()
    tap(qtbot, row)
    tap(qtbot, picker.show_button)
    assert ed.overlay.ctrl.chosen == [] and ed.overlay.ctrl.layers == {}
    assert not ed.overlay.legend.isVisible()
    tap(qtbot, ed.overlay.panel.choose_button)
    picker = ed.overlay.picker
    qtbot.waitExposed(picker)
    tap(qtbot, picker.rows[course.earlier_visit_id])
    tap(qtbot, picker.show_button)
    qtbot.waitUntil(lambda: settled(ed), timeout=30000)
    assert len(ghosts(ed)) == 5


def test_a_result_for_a_source_no_longer_shown_is_dropped(
    qtbot, open_editor, sqlite_store: Store, who: int
) -> None:
    course = oh.course(sqlite_store, who)
    ed = open_editor(course.today_visit_id)
    ctrl = ed.overlay.ctrl
    qtbot.waitUntil(lambda: ctrl.aligner.busy, timeout=5000)
    ctrl.set_chosen([])  # while the frown view is being aligned
    qtbot.waitUntil(lambda: not ctrl.aligner.busy, timeout=30000)
    assert ctrl.layers == {} and ctrl.states == {}
    assert ed.overlay.ctrl.content_for_save(ed.session.model.content).view("frown").overlays == ()  # type: ignore[union-attr]


def test_a_chart_without_earlier_ones_shows_no_overlay(qtbot, open_editor, sqlite_store, who):  # type: ignore[no-untyped-def]
    visit = h.charted_visit(sqlite_store, who)
    ed = open_editor(visit.visit_id)
    qtbot.waitUntil(lambda: ed.overlay.ctrl.started, timeout=5000)
    assert not ed.widgets.rail.earlier.isVisible()
    assert not ed.widgets.panel_choice.buttons["earlier"].isVisible()
    assert not hasattr(ed, "overlay_legend") and "earlier" not in ed.widgets.panels
    assert ed.overlay.ctrl.align_count == 0
    assert not any(isinstance(i, GhostPoint) for i in ed.scenes["frown"].items())


def test_an_older_version_shows_its_saved_overlay_read_only(
    qtbot, open_editor, sqlite_store: Store, who: int
) -> None:
    course = oh.course(sqlite_store, who)
    ed = open_editor(course.today_visit_id)
    qtbot.waitUntil(lambda: settled(ed), timeout=30000)
    drawn = ghosts(ed)
    first = save_and_wait(ed)
    ed.session.set_tool("point")
    pen_tap(ed.canvas("frown"), QPointF(300.0, 700.0))
    assert save_and_wait(ed) is not None  # version 2: version 1 is now read-only

    old = open_editor(course.today_visit_id, first.id)  # type: ignore[union-attr]
    assert old.session.read_only
    qtbot.waitUntil(lambda: settled(old), timeout=5000)
    assert old.overlay.ctrl.align_count == 0  # the saved mapping, never a fresh alignment
    assert ghosts(old) == drawn
    assert not old.widgets.rail.earlier.isVisible()
    panel = old.overlay.panel
    for b in (panel.choose_button, panel.compare_button, panel.carry_view, panel.carry_all):
        assert not b.isEnabled()
    assert old.overlay.legend.rows == [("1 Oct 2026 · Neurotoxin · v1", "saved with this chart")]


def test_the_version_viewer_draws_the_saved_overlay(
    qtbot, open_editor, sqlite_store: Store, who: int
) -> None:
    from ui.shell.version_viewer import VersionViewerPage

    course = oh.course(sqlite_store, who)
    ed = open_editor(course.today_visit_id)
    qtbot.waitUntil(lambda: settled(ed), timeout=30000)
    drawn = ghosts(ed)
    info = save_and_wait(ed)
    assert info is not None
    page = VersionViewerPage(signed_in(sqlite_store), course.today_visit_id, info.id)
    qtbot.addWidget(page)
    frown = next(v for v in page.views if v.chart.view == "frown")
    rings = [i for i in frown.scene().items() if isinstance(i, GhostPoint)]
    assert {g.point.id: g.scenePos() for g in rings} == drawn
    (line,) = page.findChildren(QWidget, "earlierChart")
    assert "1 Oct 2026 · Neurotoxin · v1" in line.text()  # type: ignore[attr-defined]


def test_two_earlier_charts_at_once_in_their_own_colours_one_an_older_version(
    qtbot, open_editor, sqlite_store: Store, who: int
) -> None:
    from datetime import date

    from app.services import photos, visits
    from tests.app.alignment.faces import astronaut, jpeg, warp
    from ui.overlay.ghost_items import GHOST_COLOURS

    course = oh.course(sqlite_store, who)
    touch_up = open_editor(course.today_visit_id)  # charted twice: versions 1 and 2
    qtbot.waitUntil(lambda: settled(touch_up), timeout=30000)
    touch_up.session.set_tool("point")
    pen_tap(touch_up.canvas("frown"), QPointF(520.0, 200.0))
    first = save_and_wait(touch_up)
    pen_tap(touch_up.canvas("frown"), QPointF(560.0, 210.0))
    assert save_and_wait(touch_up) is not None and first is not None
    later = visits.start_visit(
        sqlite_store, course.patient_id, who, "neurotoxin", date(2027, 1, 20)
    )
    moved = jpeg(warp(astronaut(2.0), oh.WARP))
    photos.add_photo_bytes(sqlite_store, course.patient_id, "frown", moved, visit_id=later.id)

    ed = ChartEditor(sqlite_store, later.id, who)
    qtbot.addWidget(ed)
    states: list[list[tuple[str, str]]] = []
    ed.overlay.ctrl.started_signal.connect(lambda: states.append(list(ed.overlay.legend.rows)))
    ed.resize(1366, 768)
    ed.show()
    qtbot.waitUntil(lambda: settled(ed), timeout=30000)
    # A repeat treatment: the treatment's plan first and its touch-up after it, each
    # "Aligning…" until its alignment came back.
    assert states == [
        [
            ("1 Oct 2026 · Neurotoxin · v1", "Aligning…"),
            ("15 Oct 2026 · Neurotoxin · v2", "Aligning…"),
        ]
    ]
    tap(qtbot, ed.widgets.rail.earlier)
    picker = ed.overlay.picker
    qtbot.waitExposed(picker)
    assert picker.rows[course.earlier_visit_id].isChecked()
    tap(qtbot, picker.version_choice[course.today_visit_id].buttons[first.content_hash])
    tap(qtbot, picker.show_button)
    qtbot.waitUntil(lambda: settled(ed), timeout=30000)
    assert ed.overlay.legend.rows == [
        ("15 Oct 2026 · Neurotoxin · v1", "good"),
        ("1 Oct 2026 · Neurotoxin · v1", "good"),
    ]
    layers = sorted(ed.overlay.ctrl.layers.values(), key=lambda lay: lay.zValue())
    assert [lay.fill.name().upper() for lay in layers] == [c.upper() for c in GHOST_COLOURS[:2]]
    assert [len(lay.points) for lay in layers] == [1, 5]  # version 1 of the touch-up: 1 point
    ed.session.journal.timer.stop()


def test_a_saved_overlay_still_shows_after_its_earlier_visit_is_entered_in_error(
    qtbot, open_editor, sqlite_store: Store, who: int
) -> None:
    """The earlier visit is no longer offered, but today's saved version was drawn over it:
    the editor and the version viewer show it as saved, and a re-save keeps it."""
    from app.services import visits
    from ui.shell.version_viewer import VersionViewerPage

    course = oh.course(sqlite_store, who)
    ed = open_editor(course.today_visit_id)
    qtbot.waitUntil(lambda: settled(ed), timeout=30000)
    drawn = ghosts(ed)
    info = save_and_wait(ed)
    assert info is not None
    ed.close()
    visits.mark_visit_in_error(sqlite_store, course.earlier_visit_id, who, "wrong date")

    again = open_editor(course.today_visit_id)
    qtbot.waitUntil(lambda: settled(again), timeout=30000)
    assert [s.version_hash for s in again.overlay.ctrl.chosen] == [course.earlier_hash]
    assert again.overlay.ctrl.align_count == 1  # the smile view only, which saved no mapping
    assert ghosts(again) == drawn
    kept = again.overlay.ctrl.content_for_save(again.session.model.content)
    assert (
        kept.view("frown").overlays
        == charts.load_head(  # type: ignore[union-attr]
            sqlite_store, course.today_visit_id
        )
        .content.view("frown")
        .overlays
    )  # type: ignore[union-attr]

    page = VersionViewerPage(signed_in(sqlite_store), course.today_visit_id, info.id)
    qtbot.addWidget(page)
    frown = next(v for v in page.views if v.chart.view == "frown")
    rings = [i for i in frown.scene().items() if isinstance(i, GhostPoint)]
    assert {g.point.id: g.scenePos() for g in rings} == drawn


def test_a_repeat_treatment_after_a_touch_up_opens_on_the_treatment_plan(
    qtbot, open_editor, sqlite_store: Store, who: int
) -> None:
    """Treatment, its touch-up two weeks later, then the repeat months later: the editor shows
    the treatment's own chart first (what Carry forward acts on) and the touch-up's after it,
    never the touch-up's few top-up units alone."""
    from datetime import date

    from app.domain.chart import ChartContent, InjectionPoint, ViewChart
    from app.services import photos, visits
    from tests.app.alignment.faces import astronaut, jpeg

    course = oh.course(sqlite_store, who, touch_up=True)
    (frown,) = [p for p in photos.photos_for_visit(sqlite_store, course.today_visit_id)
                if p.view_code == "frown"]  # fmt: skip
    top_up = InjectionPoint(460.0, 200.0, "botox", Decimal(2), zone="corrugator")
    charts.save_version(
        sqlite_store,
        course.today_visit_id,
        ChartContent(views=(ViewChart("frown", frown.sha256, points=(top_up,)),)),
        parent_version_id=None,
        saved_by_id=who,
    )
    repeat = visits.start_visit(sqlite_store, course.patient_id, who, "neurotoxin",
                                date(2027, 2, 1))  # fmt: skip
    photos.add_photo_bytes(
        sqlite_store, course.patient_id, "frown", jpeg(astronaut(2.0)), visit_id=repeat.id
    )
    ed = open_editor(repeat.id)
    qtbot.waitUntil(lambda: settled(ed), timeout=30000)
    assert [s.visit_id for s in ed.overlay.ctrl.chosen] == [
        course.earlier_visit_id,
        course.today_visit_id,
    ]
    assert ed.overlay.panel.active_source().visit_id == course.earlier_visit_id
    tap(qtbot, ed.overlay.panel.carry_view)
    carried = ed.session.model.content.view("frown").points  # type: ignore[union-attr]
    assert {p.origin.point_id for p in carried} == set(course.earlier_ids)  # type: ignore[union-attr]


def test_a_touch_up_carries_the_plan_at_0_u_unless_the_earlier_doses_are_chosen(
    qtbot, open_editor, sqlite_store: Store, who: int
) -> None:
    course = oh.course(sqlite_store, who, touch_up=True)
    ed = open_editor(course.today_visit_id)
    qtbot.waitUntil(lambda: settled(ed), timeout=30000)
    panel = ed.overlay.panel
    ed.show_panel("earlier")
    assert panel.carry_doses.isVisible() and not panel.carry_doses.isChecked()
    tap(qtbot, panel.carry_view)
    points = ed.session.content.view("frown").points  # type: ignore[union-attr]
    assert len(points) == 5 and {p.units for p in points} == {Decimal(0)}
    assert "at 0 U" in panel.notice.text()  # the positions and products, today's doses to set
    assert ed.treatment.totals.lines["botox"][0] == "Visit: 0 U in 5 points"
    ed.session.undo_stack.undo()
    tap(qtbot, panel.carry_doses)
    tap(qtbot, panel.carry_view)
    points = ed.session.content.view("frown").points  # type: ignore[union-attr]
    assert sum(p.units for p in points) == Decimal("16.5")  # the earlier doses, as chosen


def test_the_earlier_chart_stays_over_the_sharp_pixels_of_a_deep_zoom(
    qtbot, open_editor, sqlite_store: Store, who: int
) -> None:
    course = oh.course(sqlite_store, who, touch_up=True)
    ed = open_editor(course.today_visit_id)
    qtbot.waitUntil(lambda: settled(ed), timeout=30000)
    canvas = ed.canvas("frown")
    drawn = ghosts(ed)
    at = next(iter(drawn.values()))
    # Two fingers spread apart over an earlier point: deep enough for the original's pixels.
    h.pinch(canvas, canvas.mapFromScene(at), 60, 600)
    qtbot.waitUntil(lambda: canvas.detail.item is not None, timeout=10000)
    # Earlier items are inert (no hit shape): found by their drawn extent, top first.
    spot = QRect(canvas.mapFromScene(at) - QPoint(2, 2), QSize(4, 4))
    under = canvas.items(spot, Qt.ItemSelectionMode.IntersectsItemBoundingRect)
    on_top = [i for i in under if i.isVisible()]
    ghost = next(i for i in on_top if isinstance(i, GhostPoint))
    assert on_top.index(ghost) < on_top.index(canvas.detail.item)  # drawn above it


def _fault_photo(kind: str):  # type: ignore[no-untyped-def]
    import cv2
    import numpy as np

    from tests.app.alignment.faces import astronaut, similarity, warp

    face = astronaut(2.0)
    if kind == "two faces":
        return np.concatenate([face, face], axis=1)
    if kind == "cut off":  # the frame's left edge through the middle of the face
        return warp(face, similarity(1.0, 0.0, (-450.0, 0.0), (0.0, 0.0)))
    if kind == "another view":  # the face at half its height: another view, in effect
        return cv2.resize(face, (face.shape[1], face.shape[0] // 2), interpolation=cv2.INTER_AREA)
    return warp(face, oh.WARP)  # "models missing": a good pair, but nothing to align with


@pytest.mark.parametrize("kind", ["two faces", "cut off", "another view", "models missing"])
def test_a_fault_is_never_a_confident_overlay_and_offers_the_hand(
    qtbot, open_editor, sqlite_store: Store, who: int, kind: str, tmp_path, monkeypatch
) -> None:
    """The issue's faults in the editor: the legend never says "good", the panel says why
    and offers Compare / adjust, and a view that could not align draws nothing."""
    from datetime import date

    from app.alignment import models as m
    from app.services import photos, visits
    from tests.app.alignment.faces import jpeg

    course = oh.course(sqlite_store, who)
    visit = visits.start_visit(
        sqlite_store,
        course.patient_id,
        who,
        "neurotoxin",
        date(2026, 10, 16),
        touch_up_of_id=course.earlier_visit_id,
    )
    photos.add_photo_bytes(sqlite_store, course.patient_id, "frown",
                           jpeg(_fault_photo(kind)), visit_id=visit.id)  # fmt: skip
    if kind == "models missing":
        monkeypatch.setattr(m, "search_dirs", lambda: [tmp_path])
        m.forget_models()
    try:
        ed = open_editor(visit.id)
        qtbot.waitUntil(lambda: settled(ed), timeout=30000)
    finally:
        monkeypatch.undo()
        m.forget_models()
    state = ed.overlay.ctrl.state(ed.overlay.ctrl.chosen[0], "frown")
    assert state is not None and state.words in ("check", "could not align"), state.words
    assert ed.overlay.legend.rows == [("1 Oct 2026 · Neurotoxin · v1", state.words)]
    status = ed.overlay.panel.status_labels[course.earlier_hash].text()
    assert "Compare / adjust" in status
    if state.words == "could not align":
        assert not ed.overlay.ctrl.layers  # nothing drawn, never a guess
    if kind == "models missing":
        assert state.words == "could not align" and m.INSTALL_COMMAND in status
    qtbot.wait(100)  # the panel lays out its longer status text: the button moves down
    tap(qtbot, ed.overlay.panel.compare_button)  # the hand correction is right there
    assert ed.overlay.cover.isVisible()
    ed.overlay.cover.screen_widget.closed.emit()


def test_a_hand_correction_is_saved_and_reopens_as_it_was(
    qtbot, open_editor, sqlite_store: Store, who: int
) -> None:
    """The corrected frown view and the smile view aligned by hand (it could not align) are
    saved with the version; reopened, both are drawn from the saved mappings, nothing aligns."""
    from app.alignment.mapping import SimilarityMapping

    course = oh.course(sqlite_store, who)
    ed = open_editor(course.today_visit_id)
    qtbot.waitUntil(lambda: settled(ed), timeout=30000)
    ctrl = ed.overlay.ctrl
    source = ctrl.chosen[0]
    moved = adjust(ctrl.state(source, "frown").mapping, dx=30.0, dy=-12.0)  # type: ignore[union-attr]
    actions.apply_hand_mapping(ctrl, source, "frown", moved)
    by_hand = SimilarityMapping(np.array([[0.9, 0.0, 20.0], [0.0, 0.9, 15.0]]), "manual")
    actions.apply_hand_mapping(ctrl, source, "smile", by_hand)
    drawn = {view: ghosts(ed, view) for view in ("frown", "smile")}
    assert save_and_wait(ed) is not None

    again = open_editor(course.today_visit_id)
    qtbot.waitUntil(lambda: settled(again), timeout=30000)
    assert again.overlay.ctrl.align_count == 0
    for view in ("frown", "smile"):
        state = again.overlay.ctrl.state(again.overlay.ctrl.chosen[0], view)
        assert state is not None and state.saved and state.words == "adjusted by hand"
        assert ghosts(again, view) == drawn[view]


def test_no_garbage_collection_runs_on_a_worker_thread(
    qtbot, open_editor, sqlite_store: Store, who: int
) -> None:
    """The aligner and the compare screen's redraw build many lists on their threads; a
    collection there would free the GUI thread's cyclic garbage, Qt objects among it, off the
    GUI thread (it crashed the app later). Measured before: ~20 collections on the redraw
    thread in 3 s. And the pause ends, also when the screen is deleted without being left.
    Beside a CPU-burning process: alone it passed while a redraw could start unpaused, which a
    loaded machine showed (the GUI thread lost the CPU between handing the job over and
    pausing; ui/common/worker.py now pauses before its thread exists)."""
    from ui.common import gc_pause

    course = oh.course(sqlite_store, who)
    with cpu_load(), collections_off_the_gui_thread() as off_gui:
        ed = open_editor(course.today_visit_id)
        qtbot.waitUntil(lambda: settled(ed), timeout=30000)
        ed.overlay.panel.compare_button.click()
        screen = ed.overlay.cover.screen_widget
        qtbot.waitUntil(lambda: screen.ready, timeout=10000)  # its photos, read on a worker
        screen.set_mode("adjust")
        for dx in (10.0, -15.0, 20.0):  # redraws, each a quick and a sharp frame
            qtbot.wait(400)
            screen.edit.apply_gesture(np.array([[1.0, 0.0, dx], [0.0, 1.0, 0.0]]), (0.0, 0.0))
        assert gc_pause.paused()  # the last redraw has just started
        ed.overlay.cover.deleteLater()  # gone mid-redraw, never left (as when its editor goes)
        qtbot.waitUntil(lambda: not gc_pause.paused(), timeout=10000)
        assert gc_pause.settled()
    assert off_gui == []


def test_the_earlier_charts_and_course_are_read_off_the_gui_thread(
    qtbot, sqlite_store: Store, who: int
) -> None:
    """Issue #8: loading runs off the GUI thread. What the overlay reads after the first paint
    (the earlier charts, each of their views and photos, the course's units) is one lookup on
    the editor's worker: not one statement of it runs on the GUI thread, so the pen stays
    live while it reads, and a clinic server that went away cannot freeze the window."""
    course = oh.course(sqlite_store, who, touch_up=True)
    ed = ChartEditor(sqlite_store, course.today_visit_id, who)  # the opening, read as the shell
    qtbot.addWidget(ed)  # reads it on its worker: what follows the first paint is timed here
    try:
        with statements_on_the_gui_thread(sqlite_store) as on_gui:
            ed.resize(1366, 768)
            ed.show()
            qtbot.waitUntil(lambda: settled(ed), timeout=30000)
    finally:
        ed.session.journal.timer.stop()
    assert [s.visit_id for s in ed.overlay.ctrl.chosen] == [course.earlier_visit_id]
    assert ed.overlay.legend.rows == [("1 Oct 2026 · Neurotoxin · v1", "good")]
    assert [when for when, _units in ed.overlay.course.earlier] == ["1 Oct 2026"]
    assert on_gui == []
    ed.close()


def test_closing_the_editor_does_not_wait_for_a_lookup_that_hangs(
    qtbot, sqlite_store: Store, who: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lookup after the first paint reads a clinic server that has just gone: the read
    waits out the connect timeout (5 s) or a dropped link (~30 s). Closing the editor then
    froze the screen that long, for an outcome nobody would see. It closes at once; the read
    ends on its own later, its outcome dropped, its thread joined on the GUI thread."""
    import threading
    import time

    from app.services import earlier_charts
    from ui.common.worker import threads_left

    course = oh.course(sqlite_store, who, touch_up=True)
    gate, reading = threading.Event(), threading.Event()
    real = earlier_charts.look_up

    def hangs(*a, **k):  # type: ignore[no-untyped-def]
        reading.set()
        gate.wait(20)  # the lost server, until the test lets it answer
        return real(*a, **k)

    monkeypatch.setattr(earlier_charts, "look_up", hangs)
    ed = h.shown_editor(qtbot, sqlite_store, course.today_visit_id, who)
    ed.session.journal.timer.stop()
    try:
        qtbot.waitUntil(reading.is_set, timeout=10000)  # the lookup starts after the paint
        t0 = time.monotonic()
        ed.close()
        took = time.monotonic() - t0
    finally:
        gate.set()
    assert took < 3.0  # it waited 20 s before; a close is a few ms
    assert not ed.overlay.ctrl.started  # its outcome is dropped
    qtbot.waitUntil(lambda: threads_left() == 0, timeout=10000)
    assert not ed.overlay.ctrl.started


def test_a_restored_draft_shows_the_earlier_chart_it_names_and_its_save_keeps_the_mapping(
    qtbot, open_editor, sqlite_store: Store, who: int
) -> None:
    """A draft kept from a session that showed another earlier chart (the spring's plan, by
    hand) is restored at today's touch-up: the legend shows that chart beside the one the
    touch-up shows by itself, and the next version saves its mapping as drawn. Before, a
    chart the legend lacked lost its mapping at the save, in silence. Taken off the legend by
    the clinician, it loses its mapping at the next save."""
    from app.alignment.mapping import SimilarityMapping
    from app.domain.chart import ChartContent, OverlayUse
    from app.services import drafts

    course = oh.course(sqlite_store, who, touch_up=True)
    spring = oh.spring_plan(sqlite_store, course, who)
    by_hand = SimilarityMapping(np.array([[1.0, 0.0, 12.0], [0.0, 1.0, -8.0]]), "manual")
    use = OverlayUse(spring.version_hash, spring.photo_sha256, by_hand.to_dict())
    ed = open_editor(course.today_visit_id)
    views = ed.session.content.views
    kept = ChartContent(
        views=tuple(replace(v, overlays=(use,)) if v.view == "frown" else v for v in views)
    )
    ed.session.journal.timer.stop()
    drafts.write_draft(sqlite_store, course.today_visit_id, None, kept, author_id=who)
    ed.close()
    ed = open_editor(course.today_visit_id)  # offers the kept draft
    qtbot.waitUntil(lambda: settled(ed), timeout=30000)
    ctrl = ed.overlay.ctrl
    assert [s.visit_id for s in ctrl.chosen] == [course.earlier_visit_id]
    with statements_on_the_gui_thread(sqlite_store) as on_gui:  # issue #8: the pen stays live
        ed.restore_draft()
        qtbot.waitUntil(lambda: settled(ed), timeout=30000)
    assert [s.visit_id for s in ctrl.chosen] == [course.earlier_visit_id, spring.visit_id]
    assert on_gui == []
    assert save_and_wait(ed) is not None
    saved = charts.load_head(sqlite_store, course.today_visit_id)
    assert saved is not None
    frown = saved.content.view("frown")
    assert frown is not None
    assert [u.version_hash for u in frown.overlays] == [course.earlier_hash, spring.version_hash]
    assert use in frown.overlays  # the spring's mapping, as drawn by hand
    ctrl.set_chosen([s for s in ctrl.chosen if s.visit_id != spring.visit_id])
    ed.session.add_point("frown", 600.0, 520.0)
    assert save_and_wait(ed) is not None
    again = charts.load_head(sqlite_store, course.today_visit_id)
    assert again is not None and again.info.version_no == 2
    frown = again.content.view("frown")
    assert frown is not None
    assert [u.version_hash for u in frown.overlays] == [course.earlier_hash]


def _draft_naming_a_chart_entered_in_error(qtbot, open_editor, store: Store, who: int):  # type: ignore[no-untyped-def]
    """Today's chart kept as a draft that shows the spring plan with a mapping set by hand,
    then the spring visit entered in error, and the editor opened again (settled): the
    draft names a chart the picker no longer offers."""
    from app.alignment.mapping import SimilarityMapping
    from app.domain.chart import ChartContent, OverlayUse
    from app.services import drafts, visits

    course = oh.course(store, who, touch_up=True)
    spring = oh.spring_plan(store, course, who)
    by_hand = SimilarityMapping(np.array([[1.0, 0.0, 12.0], [0.0, 1.0, -8.0]]), "manual")
    use = OverlayUse(spring.version_hash, spring.photo_sha256, by_hand.to_dict())
    ed = open_editor(course.today_visit_id)
    kept = ChartContent(
        views=tuple(
            replace(v, overlays=(use,)) if v.view == "frown" else v
            for v in ed.session.content.views
        )
    )
    ed.session.journal.timer.stop()
    drafts.write_draft(store, course.today_visit_id, None, kept, author_id=who)
    ed.close()
    visits.mark_visit_in_error(store, spring.visit_id, who, "wrong patient")
    ed = open_editor(course.today_visit_id)
    qtbot.waitUntil(lambda: settled(ed), timeout=30000)
    return ed, course, spring, use


def test_a_restored_draft_naming_a_chart_entered_in_error_since_shows_it_read_off_the_gui_thread(
    qtbot, open_editor, sqlite_store: Store, who: int
) -> None:
    """The chart a kept draft's mapping names was entered in error since: the lookup does not
    offer it, so it is looked up by its hash on the worker and then shown, as the saved
    overlays of such a visit are; nothing is read on the GUI thread meanwhile."""

    ed, course, spring, use = _draft_naming_a_chart_entered_in_error(
        qtbot, open_editor, sqlite_store, who
    )
    ctrl = ed.overlay.ctrl
    assert spring.visit_id not in [s.visit_id for s in ctrl.available]
    with statements_on_the_gui_thread(sqlite_store) as on_gui:
        ed.restore_draft()
        qtbot.waitUntil(lambda: len(ctrl.chosen) == 2 and settled(ed), timeout=30000)
    assert [s.visit_id for s in ctrl.chosen] == [course.earlier_visit_id, spring.visit_id]
    state = ctrl.state(ctrl.chosen[1], "frown")
    assert state is not None and state.saved and state.ready  # as the draft's mapping drew it
    assert on_gui == []


def test_show_in_the_picker_keeps_a_legend_chart_the_picker_does_not_list(
    qtbot, open_editor, sqlite_store: Store, who: int
) -> None:
    """The legend shows a chart the picker does not offer (its visit entered in error since,
    named by a restored draft, then by the saved version): the clinician opens the picker and
    taps Show without touching it. The chart stays in the legend and every save keeps its
    mapping: only a chart the clinician took off loses it (ADR 0011), as its own row in the
    picker unticked does. Before, Show took it off in silence and the next version lost the
    mapping drawn by hand."""
    from app.domain.chart import OverlayUse

    ed, course, spring, use = _draft_naming_a_chart_entered_in_error(  # offers the kept draft
        qtbot, open_editor, sqlite_store, who
    )

    def show_untouched(ed: ChartEditor) -> None:
        tap(qtbot, ed.widgets.rail.earlier)
        picker = ed.overlay.picker
        qtbot.waitExposed(picker)
        assert spring.visit_id not in picker.rows  # not offered: entered in error
        tap(qtbot, picker.show_button)
        qtbot.waitUntil(lambda: settled(ed), timeout=30000)

    def saved_frown() -> list[OverlayUse]:
        head = charts.load_head(sqlite_store, course.today_visit_id)
        assert head is not None
        frown = head.content.view("frown")
        assert frown is not None
        return list(frown.overlays)

    ctrl = ed.overlay.ctrl
    ed.restore_draft()
    qtbot.waitUntil(lambda: len(ctrl.chosen) == 2 and settled(ed), timeout=30000)
    assert spring.visit_id not in [s.visit_id for s in ctrl.available]
    show_untouched(ed)
    assert [s.visit_id for s in ctrl.chosen] == [course.earlier_visit_id, spring.visit_id]
    assert save_and_wait(ed) is not None
    assert use in saved_frown()  # the mapping drawn by hand, as drawn
    ed.close()

    # Reopened: the saved version names it; Show again, and the next version keeps it too.
    again = open_editor(course.today_visit_id)
    qtbot.waitUntil(lambda: settled(again), timeout=30000)
    ctrl = again.overlay.ctrl
    assert [s.visit_id for s in ctrl.chosen] == [course.earlier_visit_id, spring.visit_id]
    show_untouched(again)
    assert [s.visit_id for s in ctrl.chosen] == [course.earlier_visit_id, spring.visit_id]
    again.session.add_point("frown", 600.0, 520.0)
    info = save_and_wait(again)
    assert info is not None and info.version_no == 2
    assert [u.version_hash for u in saved_frown()] == [course.earlier_hash, spring.version_hash]
    assert use in saved_frown()

    # The picker shows it in a row of its own, ticked: untick it, Show, and it goes.
    tap(qtbot, again.widgets.rail.earlier)
    picker = again.overlay.picker
    qtbot.waitExposed(picker)
    row = picker.also_rows[spring.version_hash]
    assert row.isChecked() and "no longer offered" in row.text()
    tap(qtbot, row)
    tap(qtbot, picker.show_button)
    assert [s.visit_id for s in ctrl.chosen] == [course.earlier_visit_id]
    again.session.add_point("frown", 640.0, 540.0)
    assert save_and_wait(again) is not None
    assert [u.version_hash for u in saved_frown()] == [course.earlier_hash]


def test_a_chart_that_lands_in_the_legend_while_the_picker_is_open_stays_after_show(
    qtbot, open_editor, sqlite_store: Store, who: int
) -> None:
    """The picker is open as a restored draft's chart (its visit entered in error since) is
    found on the worker and joins the legend: the picker never listed it, so its Show keeps
    it, and the save keeps its mapping."""

    ed, course, spring, use = _draft_naming_a_chart_entered_in_error(
        qtbot, open_editor, sqlite_store, who
    )
    ctrl = ed.overlay.ctrl
    tap(qtbot, ed.widgets.rail.earlier)
    picker = ed.overlay.picker
    qtbot.waitExposed(picker)
    assert picker.also_rows == {}
    ed.restore_draft()  # its chart is looked up on the worker and lands meanwhile
    qtbot.waitUntil(lambda: len(ctrl.chosen) == 2 and settled(ed), timeout=30000)
    tap(qtbot, picker.show_button)
    assert [s.visit_id for s in ctrl.chosen] == [course.earlier_visit_id, spring.visit_id]
    assert save_and_wait(ed) is not None
    head = charts.load_head(sqlite_store, course.today_visit_id)
    assert head is not None
    frown = head.content.view("frown")
    assert frown is not None and use in frown.overlays


# --- the picker reads nothing when it opens (issue #8) --------------------------------------


def charted_twice(store: Store, who: int) -> tuple[oh.Course, list[str]]:
    """The course, its earlier visit charted again (one point more): the picker offers that
    visit's versions 2 and 1. Returns their hashes, newest first."""
    course = oh.course(store, who)
    first = charts.load_version(store, course.earlier_version_id).content
    frown = first.views[0]
    extra = InjectionPoint(430.0, 240.0, "botox", Decimal(2), zone="nasalis")
    again = replace(first, views=(replace(frown, points=(*frown.points, extra)), *first.views[1:]))
    second = charts.save_version(
        store, course.earlier_visit_id, again, parent_version_id=course.earlier_version_id,
        saved_by_id=who,
    )  # fmt: skip
    return course, [second.content_hash, course.earlier_hash]


def offered_versions(ed: ChartEditor, visit_id: int) -> list[str]:
    picker = ed.overlay.picker
    assert picker is not None
    assert visit_id in picker.version_choice, "offered as a visit with no other version"
    choice = picker.version_choice[visit_id]
    assert all(b.isVisible() and b.height() >= 48 for b in choice.buttons.values())
    return list(choice.buttons)


def failing(name: str) -> Callable[..., Any]:
    def read(*_args: Any, **_kwargs: Any) -> Any:
        raise StoreError(f"{name}: the clinic server cannot be reached")

    return read


def test_opening_the_picker_runs_no_statement_on_the_gui_thread(
    qtbot, open_editor, sqlite_store: Store, who: int
) -> None:
    """The versions of each earlier visit came with the overlay's lookup, on its worker: the
    picker offers them without one statement on the GUI thread."""
    course, hashes = charted_twice(sqlite_store, who)
    ed = open_editor(course.today_visit_id)
    qtbot.waitUntil(lambda: settled(ed), timeout=30000)
    with statements_on_the_gui_thread(sqlite_store) as on_gui:
        tap(qtbot, ed.widgets.rail.earlier)
        qtbot.waitExposed(ed.overlay.picker)
    assert on_gui == []
    assert offered_versions(ed, course.earlier_visit_id) == hashes
    ed.overlay.picker.reject()


def test_a_read_that_failed_is_said_in_the_picker_never_shown_as_no_versions(
    qtbot, open_editor, sqlite_store: Store, who: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server goes away: a picker opened afterwards still offers the versions the lookup
    read (before, it read them again, and an outage showed the visit with no other version).
    A lookup that fails reads no versions either: no Earlier charts button, and a picker
    opened all the same says the charts could not be read, with no Show that would empty the
    legend. The lookup tried again shows them."""
    course, hashes = charted_twice(sqlite_store, who)
    ed = open_editor(course.today_visit_id)
    qtbot.waitUntil(lambda: settled(ed), timeout=30000)
    monkeypatch.setattr(touchup, "versions_of", failing("versions_of"))
    tap(qtbot, ed.widgets.rail.earlier)
    qtbot.waitExposed(ed.overlay.picker)
    assert offered_versions(ed, course.earlier_visit_id) == hashes
    assert not ed.overlay.picker.unread.isVisible()
    ed.overlay.picker.reject()

    # The lookup itself meets the outage.
    real = touchup.earlier_versions if hasattr(touchup, "earlier_versions") else None
    calls: list[int] = []

    def gone(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        raise StoreError("earlier_versions: the clinic server cannot be reached")

    monkeypatch.setattr(touchup, "earlier_versions", gone, raising=False)
    out = open_editor(course.today_visit_id)
    late = out.overlay.ctrl
    qtbot.waitUntil(lambda: late.started or bool(calls), timeout=10000)
    qtbot.waitUntil(lambda: not late._lookup.busy, timeout=10000)
    assert not late.started and not out.widgets.rail.earlier.isVisible()
    picker = out.overlay.open_picker()  # as no button offers it: what it would say
    qtbot.waitExposed(picker)
    assert picker.rows == {} and picker.unread.isVisible()
    words = picker.unread.text()
    assert "could not be read" in words and "try again" in words
    assert picker.unread.height() > 0 and not picker.show_button.isEnabled()
    picker.reject()

    assert real is not None
    monkeypatch.setattr(touchup, "earlier_versions", real)
    late.start()  # what the retry timer does 15 s later
    qtbot.waitUntil(lambda: settled(out), timeout=30000)
    tap(qtbot, out.widgets.rail.earlier)
    qtbot.waitExposed(out.overlay.picker)
    assert offered_versions(out, course.earlier_visit_id) == hashes
    assert not out.overlay.picker.unread.isVisible()
    out.overlay.picker.reject()


# --- a chart chosen after the lookup is read on the worker (issue #8) -----------------------


def test_a_chart_chosen_after_the_lookup_is_read_off_the_gui_thread(
    qtbot, open_editor, sqlite_store: Store, who: int
) -> None:
    """The clinician shows the earlier visit's first version instead of its newest: its views
    are read on the overlay's worker, in one job, not a round trip per view on the GUI thread
    (the pen dead meanwhile, up to the connect timeout in an outage). Until they land the
    legend says it is reading them; then the chart is shown over today's photo like any
    other."""
    course, hashes = charted_twice(sqlite_store, who)
    ed = open_editor(course.today_visit_id)
    qtbot.waitUntil(lambda: settled(ed), timeout=30000)
    ctrl = ed.overlay.ctrl
    newest, first = ctrl.versions(course.earlier_visit_id)
    assert [newest.version_hash, first.version_hash] == hashes
    assert [s.version_hash for s in ctrl.chosen] == [newest.version_hash]  # its head
    with statements_on_the_gui_thread(sqlite_store) as on_gui:
        ctrl.set_chosen([first])  # as the picker's Show does
        state = ctrl.state(first, "frown")
        assert state is not None and state.status == "reading"
        assert ed.overlay.legend.rows == [("1 Oct 2026 · Neurotoxin · v1", "Reading…")]
        qtbot.waitUntil(lambda: settled(ed), timeout=30000)
    assert on_gui == []
    state = ctrl.state(first, "frown")
    assert state is not None and state.ready and state.message != "could not be read"
    assert state.earlier is not None and state.earlier.source.version_hash == first.version_hash
    assert (first.version_hash, "frown") in ctrl.layers
    assert len(ghosts(ed)) == 5  # version 1: without the point version 2 added
    assert ed.overlay.legend.rows == [("1 Oct 2026 · Neurotoxin · v1", "good")]


def test_a_view_read_that_fails_unexpectedly_is_never_left_reading(
    qtbot, open_editor, sqlite_store: Store, who: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read of a chosen chart's views fails with something other than the store's errors (a
    content that does not parse): the fault is reported, and the views say they could not be
    read, not "Reading…" for the rest of the session; shown again, they are read again."""
    from app.services import earlier_charts

    course, _hashes = charted_twice(sqlite_store, who)
    ed = open_editor(course.today_visit_id)
    qtbot.waitUntil(lambda: settled(ed), timeout=30000)
    ctrl = ed.overlay.ctrl
    newest, first = ctrl.versions(course.earlier_visit_id)
    real = earlier_charts.read_views

    def broken(*_a, **_k):  # type: ignore[no-untyped-def]
        raise RuntimeError("a content that does not parse")

    monkeypatch.setattr(earlier_charts, "read_views", broken)
    with qtbot.captureExceptions() as raised:
        ctrl.set_chosen([newest, first])
        qtbot.waitUntil(lambda: not ctrl.reading, timeout=10000)
    assert [type(e[1]) for e in raised] == [RuntimeError]
    state = ctrl.state(first, "frown")
    assert state is not None and state.message == "could not be read"
    assert ("1 Oct 2026 · Neurotoxin · v1", "Reading…") not in ed.overlay.legend.rows
    monkeypatch.setattr(earlier_charts, "read_views", real)
    ed.show_view("smile")
    ed.show_view("frown")
    qtbot.waitUntil(lambda: settled(ed), timeout=30000)
    state = ctrl.state(first, "frown")
    assert state is not None and state.ready


def test_a_chart_taken_off_while_its_views_are_read_is_not_shown_when_they_land(
    qtbot, open_editor, sqlite_store: Store, who: int
) -> None:
    """The clinician adds a chart, then takes it off again before its views have been read
    (a slow clinic server): what the read brings back is dropped, and a save keeps no
    mapping of it. Added back while that same read runs, it is shown once the read lands."""
    course, _hashes = charted_twice(sqlite_store, who)
    ed = open_editor(course.today_visit_id)
    qtbot.waitUntil(lambda: settled(ed), timeout=30000)
    ctrl = ed.overlay.ctrl
    newest, first = ctrl.versions(course.earlier_visit_id)
    gate, entered = threading.Event(), threading.Event()

    def slow(_conn, _cursor, _statement, *_rest) -> None:  # type: ignore[no-untyped-def]
        if threading.current_thread().name.startswith("overlay-views"):
            entered.set()
            gate.wait(10)  # the slow server, until the test lets it answer

    event.listen(sqlite_store.engine, "before_cursor_execute", slow)
    try:
        ctrl.set_chosen([newest, first])
        qtbot.waitUntil(entered.is_set, timeout=5000)  # read on the worker, held there
        ctrl.set_chosen([newest])  # taken off before the read lands
        gate.set()
        qtbot.waitUntil(lambda: not ctrl.reading, timeout=10000)
    finally:
        gate.set()
        event.remove(sqlite_store.engine, "before_cursor_execute", slow)
    qtbot.waitUntil(lambda: settled(ed), timeout=30000)
    assert [k for k in ctrl.states if k[0] == first.version_hash] == []
    assert [k for k in ctrl.layers if k[0] == first.version_hash] == []
    assert ed.overlay.legend.rows == [("1 Oct 2026 · Neurotoxin · v2", "good")]
    frown = ctrl.content_for_save(ed.session.model.content).view("frown")
    assert frown is not None
    assert [u.version_hash for u in frown.overlays] == [newest.version_hash]

    # Added, taken off and added back while one read runs: shown once it lands.
    gate.clear()
    entered.clear()
    event.listen(sqlite_store.engine, "before_cursor_execute", slow)
    try:
        ctrl.set_chosen([newest, first])
        qtbot.waitUntil(entered.is_set, timeout=5000)
        ctrl.set_chosen([newest])
        ctrl.set_chosen([newest, first])
        state = ctrl.state(first, "frown")
        assert state is not None and state.status == "reading"
        gate.set()
        qtbot.waitUntil(lambda: settled(ed), timeout=30000)
    finally:
        gate.set()
        event.remove(sqlite_store.engine, "before_cursor_execute", slow)
    state = ctrl.state(first, "frown")
    assert state is not None and state.ready
    assert (first.version_hash, "frown") in ctrl.layers
