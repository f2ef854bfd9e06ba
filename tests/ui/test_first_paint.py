"""What a chart's opening leaves until behind its first paint (issue #8, ADR 0031): the first
view's photo, strokes, points and labels are drawn straight for that paint and cached right
after it (a pen event then repaints by blits); the totals page is worked out right after it
too, and says its lines whenever it is shown or read."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QGraphicsItem, QLabel

from app.domain.chart import ChartContent, InjectionPoint, Stroke, ViewChart
from app.domain.values import Side
from app.services import charts, photos
from app.services.practitioners import default_practitioner
from app.store.database import Store
from tests.ui import editor_helpers as h
from ui.editor.editor_window import ChartEditor

CACHED = QGraphicsItem.CacheMode.DeviceCoordinateCache
STRAIGHT = QGraphicsItem.CacheMode.NoCache


def _charted(store: Store) -> tuple[int, int]:
    who = default_practitioner(store).id
    visit = h.charted_visit(store, who)
    frown = next(
        p for p in photos.photos_for_visit(store, visit.visit_id) if p.view_code == "frown"
    )
    points = tuple(
        InjectionPoint(
            300.0 + 40 * i, 170.0, "botox", Decimal(4), zone="Corrugator", side=Side.LEFT
        )
        for i in range(3)
    )
    line = Stroke(tuple((300.0 + 8 * i, 400.0 + 3 * i, 0.5, 0.01 * i) for i in range(20)))
    content = ChartContent(views=(ViewChart("frown", frown.sha256, (line,), points),))
    charts.save_version(store, visit.visit_id, content, parent_version_id=None, saved_by_id=who)
    return visit.visit_id, who


def _opened(qtbot, store: Store) -> ChartEditor:  # type: ignore[no-untyped-def]
    """The chart's editor, built and sized as the shell shows it, not shown yet."""
    visit_id, who = _charted(store)
    ed = ChartEditor(store, visit_id, who)
    qtbot.addWidget(ed)
    ed.resize(1366, 768)
    return ed


def _first_view_items(ed: ChartEditor) -> list[QGraphicsItem]:
    scene = ed.scenes["frown"]
    assert scene.photo_item is not None
    return [
        scene.photo_item,
        *scene.stroke_items.values(),
        *scene.point_items.values(),
        *scene.label_items.values(),
    ]


def test_the_first_view_is_drawn_straight_then_cached_behind_its_first_paint(
    qtbot, sqlite_store: Store
) -> None:  # type: ignore[no-untyped-def]
    ed = _opened(qtbot, sqlite_store)
    ed.show()  # built for the first paint, not painted yet
    items = _first_view_items(ed)
    assert len(items) == 1 + 1 + 3 + 3
    assert all(item.cacheMode() == STRAIGHT for item in items)
    assert not ed.treatment.totals.findChildren(QLabel)  # the totals wait too
    ed.canvas().viewport().repaint()  # the first paint
    qtbot.waitUntil(lambda: all(item.cacheMode() == CACHED for item in items))
    qtbot.waitUntil(
        lambda: any(lab.isVisible() for lab in ed.treatment.totals.findChildren(QLabel))
    )
    lines = [lab.text() for lab in ed.treatment.totals.findChildren(QLabel) if lab.isVisible()]
    assert "Visit: 12 U in 3 points" in lines
    # a pen stroke drawn afterwards is cached from the start
    h.pen_stroke(ed.canvas(), [QPointF(600 + 40 * i, 500) for i in range(8)], [0.6] * 8)
    (new,) = [i for sid, i in ed.scenes["frown"].stroke_items.items() if i not in items]
    assert new.cacheMode() == CACHED
    ed.session.journal.timer.stop()


def test_the_totals_say_their_lines_when_shown_before_the_first_paint_came(
    qtbot, sqlite_store: Store
) -> None:  # type: ignore[no-untyped-def]
    ed = _opened(qtbot, sqlite_store)
    ed.show()
    totals = ed.treatment.totals
    assert not [lab for lab in totals.findChildren(QLabel) if lab.isVisible()]  # held
    ed.show_panel("point")
    ed.show_panel("totals")  # shown again by a tap on its tab: it says its lines at once
    lines = [lab.text() for lab in totals.findChildren(QLabel) if lab.isVisible()]
    assert "Visit: 12 U in 3 points" in lines
    ed.session.journal.timer.stop()
