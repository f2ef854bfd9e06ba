"""Soft warnings on screen: the 3-month total and its warning in the editor's totals and on the
point sheet, and gone once the clinic switches the warning off on the settings screen (real
widgets, real SQLite; the switch is tapped, then the chart is opened again)."""

from __future__ import annotations

import os
import time
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QLabel, QScrollArea
from pytestqt.qtbot import QtBot

from app.domain.chart import ChartContent, ViewChart
from app.domain.editing import put_point
from app.domain.soft_warnings import CUMULATIVE_3_MONTHS, INTERVAL, RULES
from app.services import charts, visits, warning_settings
from app.services.practitioners import default_practitioner
from app.store.database import Store
from tests.app.chart_factory import point
from tests.ui import editor_helpers as h
from tests.ui.helpers import finger, page_named, signed_in, slow_double_clicks, tap
from ui.app import application, build_window
from ui.editor.editor_window import ChartEditor
from ui.editor.session import Selection
from ui.shell.warnings_page import WarningsPage

SHOTS = os.environ.get("FACECHART_SHOTS")  # a folder: the test also saves its screenshots


def _earlier_chart(store: Store, patient_id: int, practitioner_id: int) -> None:
    """Eight weeks before: 300 U of Botox (a masseter-size dose), saved."""
    v = visits.start_visit(store, patient_id, practitioner_id, "neurotoxin", date(2026, 9, 25))
    content = ChartContent(
        views=(ViewChart("frown", None, points=tuple(point(10 * i, 10, "30") for i in range(10))),)
    )
    charts.save_version(store, v.id, content, parent_version_id=None, saved_by_id=None)


def _open(qtbot: QtBot, store: Store, visit_id: int) -> ChartEditor:
    ed = ChartEditor(store, visit_id, default_practitioner(store).id)
    qtbot.addWidget(ed)
    ed.resize(1366, 768)
    ed.show()
    qtbot.waitExposed(ed)
    # The earlier chart makes the overlay add its page (and show it): wait for it, then the
    # totals page is the one in front.
    qtbot.waitUntil(lambda: "earlier" in ed.widgets.panels)
    qtbot.wait(50)
    return ed


def _add_points(ed: ChartEditor, n: int, units: str) -> None:
    for i in range(n):
        pt = ed.session.new_point("frown", 400.0 + 40 * i, 500.0)
        ed.session.apply(
            put_point(ed.session.content, "frown", replace(pt, units=Decimal(units))),
            "Add point",
            "frown",
        )


def _shown_warnings(ed: ChartEditor) -> list[str]:
    panel = ed.treatment.totals
    return [
        lab.text()
        for lab in panel.findChildren(QLabel)
        if lab.objectName() == "warning" and lab.isVisible()
    ]


def test_3_month_total_warns_in_totals_and_sheet_until_the_clinic_switches_it_off(
    qtbot: QtBot, sqlite_store: Store, tmp_path: Path
) -> None:
    application()
    pr = default_practitioner(sqlite_store)
    today = h.charted_visit(sqlite_store, pr.id, date(2026, 11, 20))
    _earlier_chart(sqlite_store, today.patient_id, pr.id)

    ed = _open(qtbot, sqlite_store, today.visit_id)
    _add_points(ed, 5, "24")  # 120 U today: 420 U in 3 months
    ed.show_panel("totals")
    qtbot.waitUntil(lambda: bool(_shown_warnings(ed)))
    shown = _shown_warnings(ed)
    assert any("420 U of onabotulinumtoxinA" in t and "400 U" in t for t in shown), shown
    assert any("Only 56 days" in t for t in shown), shown  # the 90-day row is on too
    across = ed.treatment.totals.across_lines
    assert across[0] == "Last 3 months (since 2026-08-20):"
    assert any("420 U of the label's 400 U limit" in ln for ln in across), across
    if SHOTS:
        qtbot.wait(300)  # the labels laid out
        ed.grab().save(str(Path(SHOTS) / "totals-warnings.png"))
        area = ed.treatment.totals.parentWidget()
        while area is not None and not isinstance(area, QScrollArea):
            area = area.parentWidget()
        assert area is not None
        area.verticalScrollBar().setValue(area.verticalScrollBar().maximum())
        qtbot.wait(100)
        ed.grab().save(str(Path(SHOTS) / "totals-across-visits.png"))
    # the point sheet of a Botox point says it too: this point adds to the 420 U
    pid = next(p.id for _v, p in ed.session.content.all_points())
    ed.session.select(Selection("frown", pid))
    sheet = ed.treatment.sheet
    assert "420 U of onabotulinumtoxinA" in sheet.dose_warning.text()
    ed.session.journal.timer.stop()
    ed.hide()

    # The clinic switches the 3-month warning off on its settings screen, reached from home.
    window = build_window(signed_in(sqlite_store))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    tap(qtbot, window.patient_list.settings_button)
    page = page_named(window, WarningsPage)
    assert isinstance(page, WarningsPage)
    assert list(page.cards) == [r.key for r in RULES]  # every row, in the table's order
    switch = page.cards[CUMULATIVE_3_MONTHS].switch
    assert switch.isChecked() and switch.height() >= 48 and switch.width() >= 48
    if SHOTS:
        window.grab().save(str(Path(SHOTS) / "settings-warnings.png"))
    tap(qtbot, switch)
    assert not switch.isChecked() and switch.text() == "Off"
    assert f"Switched off by {pr.name}" in page.cards[CUMULATIVE_3_MONTHS].who.text()
    if SHOTS:
        page.area.ensureWidgetVisible(page.cards[CUMULATIVE_3_MONTHS])
        qtbot.wait(100)
        window.grab().save(str(Path(SHOTS) / "settings-warnings-off.png"))
    stored = {s.rule.key: s for s in warning_settings.list_warning_states(sqlite_store)}
    assert not stored[CUMULATIVE_3_MONTHS].on and stored[CUMULATIVE_3_MONTHS].changed_by == pr.name
    assert stored[CUMULATIVE_3_MONTHS].changed_at is not None
    assert stored[INTERVAL].on and stored[INTERVAL].changed_at is None
    window.close()

    ed = _open(qtbot, sqlite_store, today.visit_id)
    _add_points(ed, 5, "24")
    ed.show_panel("totals")
    qtbot.waitUntil(lambda: bool(_shown_warnings(ed)))
    shown = _shown_warnings(ed)
    assert not any("400 U" in t for t in shown), shown  # switched off: not said
    assert any("Only 56 days" in t for t in shown), shown  # the other rows still are
    assert any("420 U" in ln for ln in ed.treatment.totals.across_lines)  # the sum still shows
    pid = next(p.id for _v, p in ed.session.content.all_points())
    ed.session.select(Selection("frown", pid))
    assert "420 U" not in ed.treatment.sheet.dose_warning.text()
    ed.session.journal.timer.stop()


@pytest.mark.parametrize("key", [r.key for r in RULES])
def test_every_row_switches_and_back(qtbot: QtBot, sqlite_store: Store, key: str) -> None:
    application()
    window = build_window(signed_in(sqlite_store))
    qtbot.addWidget(window)
    window.show()
    window.open_settings()
    page = page_named(window, WarningsPage)
    assert isinstance(page, WarningsPage)
    switch = page.cards[key].switch
    tap(qtbot, switch)
    tap(qtbot, switch)
    assert switch.isChecked()
    state = next(s for s in warning_settings.list_warning_states(sqlite_store) if s.rule.key == key)
    assert state.on and "Switched on by" in page.cards[key].who.text()
    window.close()


def test_the_clinics_largest_dose_per_point_warns_outside_the_label_areas(
    qtbot: QtBot, sqlite_store: Store
) -> None:
    """The clinic sets Botox's largest single dose per point by touch on the settings screen
    (nothing is set by default: the label gives no figure); a 12 U masseter point then warns on
    the sheet, a 12 U glabellar point is judged by the label's area dose instead."""
    from app.services import catalogue

    application()
    window = build_window(signed_in(sqlite_store))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.open_settings()
    page = page_named(window, WarningsPage)
    assert isinstance(page, WarningsPage)
    card = page.max_dose
    assert card.values["botox"].text() == "not set"
    plus = card.findChild(type(page.cards[INTERVAL].switch), "maxDose_plus_botox")
    assert plus is not None and plus.height() >= 48
    page.area.ensureWidgetVisible(plus)  # scrolled to, as a finger would
    qtbot.wait(50)
    # A quick second tap, within the double-click interval, in a page that scrolls by touch:
    # it counts (ui/common/tap_button.py). The interval is long here so that the two taps are
    # a double click on a loaded machine too.
    with slow_double_clicks():
        finger(plus)  # starts at 10 U
        first = time.monotonic()
        qtbot.waitUntil(lambda: card.values["botox"].text() == "10 U")
        finger(plus)
        assert time.monotonic() - first < QApplication.doubleClickInterval() / 1000
    qtbot.waitUntil(lambda: card.values["botox"].text() == "11 U")
    stored = {p.code: p.max_units_per_point for p in catalogue.list_products(sqlite_store)}
    assert stored["botox"] == Decimal(11) and stored["dysport"] is None

    pr = default_practitioner(sqlite_store)
    v = h.charted_visit(sqlite_store, pr.id, date(2026, 11, 20), big=(640, 800))
    ed = ChartEditor(sqlite_store, v.visit_id, pr.id)
    qtbot.addWidget(ed)
    ed.resize(1366, 768)
    ed.show()
    masseter = replace(ed.session.new_point("frown", 300.0, 600.0), zone="masseter")
    glabella = replace(ed.session.new_point("frown", 320.0, 300.0), zone="procerus")
    for p in (masseter, glabella):
        ed.session.apply(
            put_point(ed.session.content, "frown", replace(p, units=Decimal(12))), "Add", "frown"
        )
    ed.session.select(Selection("frown", masseter.id))
    said = ed.treatment.sheet.dose_warning.text()
    assert "largest single dose" in said and "11 U per point" in said
    ed.session.select(Selection("frown", glabella.id))
    assert "largest single dose" not in ed.treatment.sheet.dose_warning.text()
    ed.session.journal.timer.stop()
