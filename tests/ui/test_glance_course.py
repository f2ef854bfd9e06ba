"""The glance's microneedling depths and its row of photos across visits (issue #14), on the
demo's SQLite file: every drawn depth is held against the areas saved in the charts, read back
with plain SQL and charts.load_version (not through the glance's own service), and the row's
thumbnails against the visits that photographed the view; a photo that does not align says so.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from app.domain.chart import ChartContent, ViewChart
from app.domain.microneedling import DEPTH_MAX, TreatedArea
from app.domain.values import TreatmentType
from app.services import charts, patients, photos, visits
from app.services.practitioners import default_practitioner
from app.store.database import Store
from tests.app.alignment.faces import jpeg
from tests.app.conftest import models  # noqa: F401  (a missing model fails)
from ui.shell.glance import GlanceDialog
from ui.shell.main_window import MainWindow
from ui.shell.patient_page import PatientPage

from .helpers import finger, page_named

pytestmark = pytest.mark.usefixtures("models")


def _sql(store: Store, query: str, *args: object) -> list[tuple[object, ...]]:
    db = store.url.database
    assert db
    with sqlite3.connect(db) as conn:
        return conn.execute(query, args).fetchall()


def _saved_depths(store: Store, patient_id: int) -> set[tuple[int, str, Decimal, int]]:
    """(visit, area, depth, passes) of each live microneedling visit's newest version."""
    out = set()
    for (visit_id,) in _sql(
        store,
        "SELECT id FROM visit WHERE patient_id = ? AND treatment_type = 'microneedling' "
        "AND error_at IS NULL",
        patient_id,
    ):
        rows = _sql(
            store,
            "SELECT v.id FROM chart_version v JOIN chart c ON c.id = v.chart_id "
            "WHERE c.visit_id = ? ORDER BY v.version_no DESC LIMIT 1",
            visit_id,
        )
        content = charts.load_version(store, int(rows[0][0])).content  # type: ignore[call-overload]
        for _view, a in content.all_areas():
            out.add((int(visit_id), a.name, a.depth_mm, a.passes))  # type: ignore[call-overload]
    return out


def _open_glance(window: MainWindow, patient_id: int) -> GlanceDialog:
    window.open_patient(patient_id)
    page = page_named(window, PatientPage)
    assert isinstance(page, PatientPage)
    QTest.qWait(300)  # the page settles before a finger reaches it, as on a screen
    finger(page.glance_button)
    dialog = page.glance_dialog
    assert isinstance(dialog, GlanceDialog) and dialog.isVisible()
    return dialog


def _deeper_cheeks_and_a_wrong_session(store: Store, lars: int) -> tuple[int, int]:
    """Session 2 amended (its cheeks at 2 mm: the newest version counts), and a session
    charted and then entered in error (its neck must not be drawn)."""
    who = default_practitioner(store).id
    mn = [
        e.visit
        for e in visits.timeline(store, lars)
        if e.visit.treatment_type == TreatmentType.MICRONEEDLING.value
    ]
    second = max(mn, key=lambda v: v.visit_date)
    head = charts.load_head(store, second.id)
    assert head is not None
    views = tuple(
        dataclasses.replace(
            v,
            areas=tuple(
                dataclasses.replace(a, depth_mm=Decimal("2.0")) if a.name == "Cheeks" else a
                for a in v.areas
            ),
        )
        for v in head.content.views
    )
    charts.save_version(
        store,
        second.id,
        dataclasses.replace(head.content, views=views),
        parent_version_id=head.info.id,
        saved_by_id=who,
        amend_reason="Cheeks were needled at 2 mm",
    )
    wrong = visits.start_visit(
        store, lars, who, TreatmentType.MICRONEEDLING, date.today() - timedelta(days=1)
    )
    neck = TreatedArea(((10, 10), (90, 10), (50, 90)), "Neck", Decimal("0.25"), 4)
    charts.save_version(
        store,
        wrong.id,
        ChartContent(views=(ViewChart("front", None, areas=(neck,)),)),
        parent_version_id=None,
        saved_by_id=who,
    )
    visits.mark_visit_in_error(store, wrong.id, who, "Wrong patient")
    return second.id, wrong.id


def test_the_glance_draws_each_sessions_depth_per_area(
    qtbot: QtBot, window: MainWindow, demo_store: Store
) -> None:
    lars = patients.search_patients(demo_store, "lars").patients[0].id
    second, wrong = _deeper_cheeks_and_a_wrong_session(demo_store, lars)
    dialog = _open_glance(window, lars)
    assert dialog.dose_charts == {}  # Lars has no toxin chart: no units anywhere
    assert len(dialog.depth_charts) == 1
    chart = dialog.depth_charts[0]
    dialog.scroll_area.ensureWidgetVisible(chart)
    image = chart.grab().toImage()  # paints the chart, which keeps what it drew
    drawn = {(m.visit_id, m.area, m.depth_mm, m.passes) for m in chart.marks}
    assert drawn == _saved_depths(demo_store, lars)
    assert len(drawn) == len(chart.marks)  # nothing drawn twice
    assert (second, "Cheeks", Decimal("2.0"), 3) in drawn  # the amended version, not the first
    assert all(m.visit_id != wrong for m in chart.marks)
    # one fixed scale: 2.5 mm is the plot's height, every bar in proportion
    plot = chart._plot()
    for m in chart.marks:
        assert m.rect.bottom() == pytest.approx(plot.bottom())
        assert m.rect.height() == pytest.approx(plot.height() * float(m.depth_mm / DEPTH_MAX))
        inside = m.rect.bottomLeft().toPoint() + QPoint(3, -3)
        assert QColor(image.pixel(inside)).name() == chart.colours[m.area].name()
    # sessions left to right, oldest first, each group under its own date
    firsts: dict[date, float] = {}
    for m in chart.marks:
        firsts[m.visit_date] = min(firsts.get(m.visit_date, 1e9), m.rect.left())
    assert list(firsts.values()) == sorted(firsts.values())
    assert sorted(firsts) == list(firsts)
    # the photo row's view picker: each view photographed at both sessions, ≥ 48 px to tap
    strip = dialog.photo_strip
    assert strip is not None and strip.view == "front"
    assert set(strip.view_buttons) == {"front", "left_45", "right_45"}
    assert all(b.height() >= 48 and b.width() >= 48 for b in strip.view_buttons.values())
    dialog.scroll_area.ensureWidgetVisible(strip)
    QTest.qWait(50)
    finger(strip.view_buttons["left_45"])
    assert strip.view == "left_45" and strip.view_buttons["left_45"].isChecked()
    assert not strip.view_buttons["front"].isChecked()
    assert strip.wait(120)
    assert [t.row.photo.view_code for t in strip.thumbs] == ["left_45", "left_45"]
    assert [t.state for t in strip.thumbs] == ["aligned", "newest"]
    finger(dialog.close_button)
    page = window.current_page()
    qtbot.waitUntil(lambda: getattr(page, "glance_dialog", 0) is None, timeout=2000)


def _frown_visits(store: Store, patient_id: int) -> list[tuple[int, str]]:
    """(visit id, date) of each live visit with a live frown photo, oldest first."""
    rows = _sql(
        store,
        "SELECT DISTINCT v.id, v.visit_date FROM visit v JOIN photo p ON p.visit_id = v.id "
        "JOIN view d ON d.id = p.view_id WHERE v.patient_id = ? AND v.error_at IS NULL "
        "AND p.error_at IS NULL AND d.code = 'frown' ORDER BY v.visit_date, v.id",
        patient_id,
    )
    return [(int(r[0]), str(r[1])) for r in rows]  # type: ignore[call-overload]


def test_the_photo_row_shows_each_visits_photo_aligned_and_says_when_one_is_not(
    window: MainWindow, demo_store: Store
) -> None:
    zoe = patients.search_patients(demo_store, "zoe").patients[0].id
    frown = _frown_visits(demo_store, zoe)
    assert len(frown) >= 2
    # a visit between the demo's two whose frown photo has no face: it cannot align
    first, last = date.fromisoformat(frown[0][1]), date.fromisoformat(frown[-1][1])
    who = default_practitioner(demo_store).id
    wall = visits.start_visit(
        demo_store, zoe, who, TreatmentType.NEUROTOXIN, first + (last - first) / 2
    )
    blank = np.full((900, 700, 3), 180, np.uint8)
    photos.add_photo_bytes(demo_store, zoe, "frown", jpeg(blank), visit_id=wall.id)
    frown = _frown_visits(demo_store, zoe)
    assert wall.id in [v for v, _d in frown]

    dialog = _open_glance(window, zoe)
    strip = dialog.photo_strip
    assert strip is not None and strip.view == "frown"  # the view photographed most often
    # the dialog is open before the warps are done: the thumbnails fill in
    assert [t.row.visit_id for t in strip.thumbs] == [v for v, _d in frown]
    assert strip.wait(120)
    dates = [t.row.visit_date for t in strip.thumbs]
    assert [d.isoformat() for d in dates] == [d for _v, d in frown]
    assert dates == sorted(dates)
    states = {t.row.visit_id: t.state for t in strip.thumbs}
    assert states[frown[-1][0]] == "newest"
    assert states[wall.id] == "not aligned"
    assert all(s == "aligned" for v, s in states.items() if v not in (wall.id, frown[-1][0]))
    for t in strip.thumbs:
        shown = t.image.pixmap()
        assert not shown.isNull() and shown.height() == 180
        assert t.note.isVisible() == (t.row.visit_id == wall.id)
    bad = next(t for t in strip.thumbs if t.row.visit_id == wall.id)
    assert bad.note.text() == "not aligned" and "could not align" in bad.note.toolTip()
    # aligned thumbnails are in the newest photo's frame: its size, whatever theirs was
    newest = strip.thumbs[-1].image.pixmap().size()
    for t in strip.thumbs:
        if t.state == "aligned":
            assert t.image.pixmap().size() == newest
    assert bad.image.pixmap().width() == round(700 * 180 / 900)  # as taken, its own shape
