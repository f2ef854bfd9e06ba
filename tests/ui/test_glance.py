"""A patient's treatments at a glance (issue #14): every drawn value is held against what the
saved charts say, read back from the SQLite file with plain SQL and JSON, not through the code
that drew them."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from app.domain.chart import ChartContent, ViewChart
from app.domain.values import Side, TreatmentType
from app.services import charts, patients, visits
from app.services.glance import NO_ZONE, toxin_glance, treatment_gaps
from app.store.database import Store
from tests.app.chart_factory import point
from ui.shell.glance import GlanceDialog
from ui.shell.main_window import MainWindow
from ui.shell.patient_page import PatientPage

from .helpers import finger, page_named


def _chart(*points_: tuple[str, str, str]) -> ChartContent:
    """Points as (product, zone, units) on the frown view."""
    pts = tuple(
        point(100 + 10 * i, 100, units, product, zone=zone, side=Side.MIDLINE)
        for i, (product, zone, units) in enumerate(points_)
    )
    return ChartContent(views=(ViewChart("frown", None, points=pts),))


def window_practitioner(store: Store) -> int:
    from app.services.practitioners import default_practitioner

    return default_practitioner(store).id


def _more_visits(store: Store) -> tuple[int, int, int, int]:
    """Beside the demo's first treatment (120 days ago, 45 U Botox): its touch-up charted, a
    second treatment 60 days ago (too soon) with two products, and a charted visit entered
    in error, which must count nothing."""
    zoe = patients.search_patients(store, "zoe").patients[0]
    zoe_visits = visits.timeline(store, zoe.id)
    first = next(e.visit for e in zoe_visits if e.visit.touch_up_of_id is None)
    touch = next(e.visit for e in zoe_visits if e.visit.touch_up_of_id == first.id)
    who = window_practitioner(store)
    charts.save_version(
        store,
        touch.id,
        _chart(("botox", "corrugator supercilii", "2"), ("botox", "", "1.5")),
        parent_version_id=None,
        saved_by_id=who,
    )
    today = date.today()
    second = visits.start_visit(
        store, zoe.id, who, TreatmentType.NEUROTOXIN, today - timedelta(days=60)
    )
    charts.save_version(
        store,
        second.id,
        _chart(
            ("botox", "frontalis", "10"),
            ("botox", "procerus", "4"),
            ("dysport", "orbicularis oculi", "30"),
        ),
        parent_version_id=None,
        saved_by_id=who,
    )
    wrong = visits.start_visit(
        store, zoe.id, who, TreatmentType.NEUROTOXIN, today - timedelta(days=10)
    )
    charts.save_version(
        store,
        wrong.id,
        _chart(("botox", "masseter", "50")),
        parent_version_id=None,
        saved_by_id=who,
    )
    visits.mark_visit_in_error(store, wrong.id, who, "Wrong patient")
    return first.id, touch.id, second.id, wrong.id


def _saved_units(store: Store, visit_id: int) -> dict[tuple[str, str], Decimal]:
    """(product, zone) → units of the visit's newest version, from the file itself."""
    db = store.url.database
    assert db
    with sqlite3.connect(db) as conn:
        row = conn.execute(
            "SELECT v.id FROM chart_version v JOIN chart c ON c.id = v.chart_id "
            "WHERE c.visit_id = ? ORDER BY v.version_no DESC LIMIT 1",
            (visit_id,),
        ).fetchone()
    content = charts.load_version(store, row[0]).content
    out: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for view in content.views:
        for p in view.points:
            out[(p.product, p.zone or NO_ZONE)] += p.units
    return dict(out)


def test_the_glance_draws_each_visits_units_per_product_and_zone(
    qtbot: QtBot, window: MainWindow, demo_store: Store
) -> None:
    first, touch, second, wrong = _more_visits(demo_store)
    zoe = patients.search_patients(demo_store, "zoe").patients[0]
    window.open_patient(zoe.id)
    page = page_named(window, PatientPage)
    assert isinstance(page, PatientPage)
    QTest.qWait(300)  # the page settles before a finger reaches it, as on a screen
    finger(page.glance_button)
    dialog = page.glance_dialog
    assert isinstance(dialog, GlanceDialog) and dialog.isVisible()
    assert "Zoë Martin" in dialog.findChild(type(page.summary), "glancePatient").text()

    # one chart per product, never summed across products
    assert set(dialog.dose_charts) == {"botox", "dysport"}
    drawn: dict[int, dict[tuple[str, str], Decimal]] = defaultdict(dict)
    for product, chart in dialog.dose_charts.items():
        image = chart.grab().toImage()  # paints the chart, which keeps what it drew
        assert chart.bars
        scale = {round(b.rect.height() / float(b.units), 3) for b in chart.bars}
        assert max(scale) - min(scale) < 0.01  # every segment on one scale per product
        for bar in chart.bars:
            drawn[bar.visit_id][(product, bar.zone)] = bar.units
            # the painted pixel in the segment (clear of its units' text) is its zone's colour
            inside = bar.rect.bottomLeft().toPoint() + QPoint(3, -3)
            got = QColor(image.pixel(inside))
            if not bar.touch_up:
                assert got.name() == chart.colours[bar.zone].name()
    assert wrong not in drawn  # entered in error: nothing
    assert set(drawn) == {first, touch, second}
    for visit_id, units in drawn.items():
        assert units == _saved_units(demo_store, visit_id)
    touch_ups = {b.visit_id for c in dialog.dose_charts.values() for b in c.bars if b.touch_up}
    assert touch_ups == {touch}

    # from the first treatment to the second: 60 days, under the 90-day minimum
    image = dialog.interval_chart.grab().toImage()
    gaps = dialog.interval_chart.gaps
    assert [(g.days, g.too_soon) for g in gaps] == [(60, True)]
    red = QColor(image.pixel(gaps[0].rect.center().toPoint()))
    assert red.name() == "#a1221a"
    finger(dialog.close_button)
    qtbot.waitUntil(lambda: page.glance_dialog is None, timeout=2000)


def test_gaps_run_from_treatment_to_treatment() -> None:
    days = [date(2026, 1, 1), date(2026, 4, 1), date(2026, 5, 1)]
    assert [(g.days, g.too_soon) for g in treatment_gaps(days)] == [(90, False), (30, True)]
    assert treatment_gaps(days[:1]) == ()


def test_a_patient_without_a_toxin_chart_shows_an_empty_glance(
    window: MainWindow, demo_store: Store
) -> None:
    other = patients.create_patient(demo_store, "Nina", "Quist", date(1990, 5, 6))
    assert toxin_glance(demo_store, other.id).visits == ()
    window.open_patient(other.id)
    page = page_named(window, PatientPage)
    assert isinstance(page, PatientPage)
    QTest.qWait(300)  # the page settles before a finger reaches it, as on a screen
    finger(page.glance_button)
    dialog = page.glance_dialog
    assert dialog is not None and dialog.dose_charts == {}
    assert dialog.interval_chart.layout_gaps() == []
