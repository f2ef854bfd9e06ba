"""Doses across visits read from a real store (SQLite, and PostgreSQL when FACECHART_TEST_PG is
set): the 3-month window's edges, touch-ups in the window and in the course, the newest saved
version of each visit, visits entered in error and other patients left out, today's unsaved
chart counted; and the clinic's switches, stored with who and when."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.domain.across_visits import course_totals, window_totals
from app.domain.chart import ChartContent, InjectionPoint, ViewChart
from app.domain.checks import SafetyChecks
from app.domain.soft_warnings import CUMULATIVE_3_MONTHS, INTERVAL, LABEL_DOSE
from app.services import charts, patients, visits, warning_settings
from app.services.chart_opening import open_chart
from app.services.dose_history import dose_history
from app.store.database import Store
from app.store.errors import NotFoundError
from tests.app.chart_factory import point


def _chart(*points: InjectionPoint) -> ChartContent:
    return ChartContent(views=(ViewChart("frown", None, points=points),))


def _glabella(units: str, n: int = 5, product: str = "botox") -> ChartContent:
    return _chart(*[point(10 * i, 10, units, product, zone="procerus") for i in range(n)])


def _save(store: Store, visit_id: int, content: ChartContent) -> None:
    head = charts.head_version(store, visit_id)
    charts.save_version(
        store, visit_id, content, parent_version_id=head.id if head else None, saved_by_id=None
    )


def test_window_and_course_over_several_visits(store: Store, clinician) -> None:  # type: ignore[no-untyped-def]  # fixture
    zoe = patients.create_patient(store, "Zoë", "Martin", date(1984, 3, 12))
    ada = patients.create_patient(store, "Ada", "Lovelace", date(1980, 1, 2))

    def visit(day: date, touch_up_of: int | None = None, who: int = zoe.id) -> int:
        return visits.start_visit(store, who, clinician.id, "neurotoxin", day, touch_up_of).id

    too_early = visit(date(2026, 3, 14))  # a day before the window
    _save(store, too_early, _glabella("40"))
    first_day = visit(date(2026, 3, 15))  # exactly 3 months before: counts
    _save(store, first_day, _glabella("10"))
    _save(store, first_day, _glabella("20"))  # its newest version is what counts: 100 U
    original = visit(date(2026, 6, 1))
    _save(store, original, _glabella("4"))  # 20 U glabellar
    touch = visit(date(2026, 6, 15), touch_up_of=original)  # today: a touch-up
    later_touch = visit(date(2026, 6, 20), touch_up_of=original)  # after today: course only
    _save(store, later_touch, _glabella("1", 2))
    wrong = visit(date(2026, 6, 10))
    _save(store, wrong, _glabella("50"))
    visits.mark_visit_in_error(store, wrong, clinician.id, "charted on the wrong patient")
    _save(store, visit(date(2026, 6, 1), who=ada.id), _glabella("60"))  # another patient
    dysport = visit(date(2026, 5, 1))
    _save(store, dysport, _glabella("10", product="dysport"))

    history = dose_history(store, touch)

    assert history.window_start == date(2026, 3, 15)
    by_id = {v.visit_id: v for v in history.others}
    assert set(by_id) == {first_day, original, later_touch, dysport}
    assert by_id[original].in_course and by_id[later_touch].in_course
    assert not by_id[first_day].in_course and not by_id[dysport].in_course
    today = _glabella("2", 3)  # unsaved: 6 U
    window = {c: t.total for c, t in window_totals(history, today).items()}
    assert window == {"botox": Decimal(126), "dysport": Decimal(50)}  # 100 + 20 + 6; never added
    course = {c: t.total for c, t in course_totals(history, today).items()}
    assert course == {"botox": Decimal(28)}  # 20 + 2 (later touch-up) + 6

    # the same history reaches the editor with the chart's opening; the session checks with it
    opening = open_chart(store, touch)
    assert opening.dose_history == history
    checks = SafetyChecks(
        opening.visit.visit_date,
        date(2026, 6, 15),
        None,  # a touch-up: no 90-day warning
        opening.dose_history,
        opening.warning_switches,
    )
    said = {w.kind: w.text for w in checks.for_chart(today)}
    assert "28 U over the course" in said[LABEL_DOSE]
    assert CUMULATIVE_3_MONTHS not in said
    over = _glabella("60", 5)  # 300 U today: 420 U in the window
    said = {w.kind: w.text for w in checks.for_chart(over)}
    assert "420 U of onabotulinumtoxinA since 2026-03-15" in said[CUMULATIVE_3_MONTHS]


def test_a_first_visit_has_nothing_before_it(store: Store, clinician) -> None:  # type: ignore[no-untyped-def]  # fixture
    p = patients.create_patient(store, "Ada", "Lovelace", date(1980, 1, 2))
    v = visits.start_visit(store, p.id, clinician.id, "neurotoxin", date(2026, 6, 1))
    history = dose_history(store, v.id)
    assert history.others == () and history.course == ()
    with pytest.raises(NotFoundError):
        dose_history(store, v.id + 999)


def test_the_clinic_switch_is_stored_with_who_and_when(store: Store, clinician) -> None:  # type: ignore[no-untyped-def]  # fixture
    states = warning_settings.list_warning_states(store)
    assert all(s.on and s.changed_at is None for s in states)
    assert warning_settings.warning_switches(store).off == frozenset()

    warning_settings.set_warning(store, INTERVAL, False, clinician.id)

    state = next(s for s in warning_settings.list_warning_states(store) if s.rule.key == INTERVAL)
    assert not state.on and state.changed_by == clinician.name
    assert state.changed_at is not None and state.changed_at.tzinfo is not None
    assert warning_settings.warning_switches(store).off == frozenset({INTERVAL})
    warning_settings.set_warning(store, INTERVAL, True, clinician.id)
    assert warning_settings.warning_switches(store).off == frozenset()
    with pytest.raises(KeyError):
        warning_settings.set_warning(store, "made_up", False, clinician.id)
