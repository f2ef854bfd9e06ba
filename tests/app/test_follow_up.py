"""The follow-up list (issue #14) on a real database: each rule at its day boundaries, visits
entered in error never counting, the practitioner filter, the unsigned charts, and CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

from app.domain.chart import ChartContent, InjectionPoint, ProductUse, ViewChart
from app.domain.follow_up import COURSE_SESSION, REPEAT, TOUCH_UP, Reason
from app.services import charts, follow_up, patients, visits
from app.services.follow_up import DueItem
from app.services.practitioners import PractitionerRecord, create_practitioner
from app.store.database import Store

TODAY = date(2026, 6, 15)


def _patient(store: Store, given: str) -> int:
    return patients.create_patient(store, given, "Due", date(1980, 1, 1)).id


def _visit(
    store: Store,
    patient_id: int,
    who: PractitionerRecord,
    days_ago: int,
    kind: str = "neurotoxin",
    touch_up_of: int | None = None,
) -> int:
    return visits.start_visit(
        store, patient_id, who.id, kind, TODAY - timedelta(days=days_ago), touch_up_of
    ).id


def _due(store: Store, reason: Reason, practitioner_id: int | None = None) -> list[DueItem]:
    found = follow_up.due_list(store, TODAY, practitioner_id)
    return [i for i in found if i.reason is reason]


def test_the_day_counts_come_from_the_timeline() -> None:
    # DOMAIN.md: touch-up at ~2 weeks, effect 3-4 months (treatments >= 90 days apart),
    # microneedling sessions about 4 weeks apart
    assert (TOUCH_UP.first, TOUCH_UP.last) == (14, 28)
    assert (REPEAT.first, REPEAT.last) == (90, 122)
    assert (COURSE_SESSION.first, COURSE_SESSION.last) == (28, 56)


def test_touch_up_is_due_from_day_14_to_day_28_of_a_first_treatment(
    store: Store, clinician: PractitionerRecord
) -> None:
    days = {13: False, 14: True, 28: True, 29: False}
    ids = {}
    for ago in days:
        ids[ago] = _visit(store, _patient(store, f"T{ago}"), clinician, ago)
    due = _due(store, Reason.TOUCH_UP)
    assert {i.visit_id for i in due} == {ids[a] for a, yes in days.items() if yes}
    by_visit = {i.visit_id: i for i in due}
    assert by_visit[ids[14]].due_date == TODAY  # due today, 14 days after
    assert by_visit[ids[28]].due_date == TODAY - timedelta(days=14)
    assert by_visit[ids[14]].patient == "T14 Due" and by_visit[ids[14]].practitioner


def test_no_touch_up_due_once_recorded_or_for_a_later_treatment(
    store: Store, clinician: PractitionerRecord
) -> None:
    done = _patient(store, "Done")
    first = _visit(store, done, clinician, 20)
    _visit(store, done, clinician, 6, touch_up_of=first)
    repeat_patient = _patient(store, "Again")
    _visit(store, repeat_patient, clinician, 200)  # the first treatment was long ago
    _visit(store, repeat_patient, clinician, 20)
    came_back = _patient(store, "Back")  # a later toxin visit, not linked as a touch-up
    _visit(store, came_back, clinician, 20)
    _visit(store, came_back, clinician, 5)
    microneedling_first = _patient(store, "Needle")
    _visit(store, microneedling_first, clinician, 20, kind="microneedling")
    assert _due(store, Reason.TOUCH_UP) == []


def test_visits_entered_in_error_never_count(store: Store, clinician: PractitionerRecord) -> None:
    wrong = _patient(store, "Wrong")
    mistaken = _visit(store, wrong, clinician, 20)
    visits.mark_visit_in_error(store, mistaken, clinician.id, "wrong patient")
    # an earlier treatment entered in error does not make this one a repeat...
    earlier_mistake = _patient(store, "Early")
    old = _visit(store, earlier_mistake, clinician, 300)
    visits.mark_visit_in_error(store, old, clinician.id, "wrong patient")
    first = _visit(store, earlier_mistake, clinician, 16)
    # ...and a touch-up entered in error does not end the wait
    touched = _patient(store, "Touched")
    treated = _visit(store, touched, clinician, 15)
    bad_touch = _visit(store, touched, clinician, 1, touch_up_of=treated)
    visits.mark_visit_in_error(store, bad_touch, clinician.id, "typed on the wrong day")
    assert {i.visit_id for i in _due(store, Reason.TOUCH_UP)} == {first, treated}
    # a repeat treatment entered in error leaves the one before it the last treatment
    repeat = _patient(store, "Repeat")
    last = _visit(store, repeat, clinician, 100)
    later_mistake = _visit(store, repeat, clinician, 10)
    visits.mark_visit_in_error(store, later_mistake, clinician.id, "never happened")
    assert [i.visit_id for i in _due(store, Reason.REPEAT)] == [last]


def test_repeat_is_due_from_day_90_to_day_122_after_the_last_treatment(
    store: Store, clinician: PractitionerRecord
) -> None:
    days = {89: False, 90: True, 122: True, 123: False}
    ids = {}
    for ago in days:
        p = _patient(store, f"R{ago}")
        _visit(store, p, clinician, ago + 400)  # an older treatment: not a first one
        ids[ago] = _visit(store, p, clinician, ago)
    later = _patient(store, "Later")
    _visit(store, later, clinician, 100)
    _visit(store, later, clinician, 30)  # treated again since: the 100-day one is not last
    touched = _patient(store, "Touch")
    original = _visit(store, touched, clinician, 100)
    _visit(store, touched, clinician, 86, touch_up_of=original)  # a touch-up is no new course
    due = _due(store, Reason.REPEAT)
    assert {i.visit_id for i in due} == {ids[a] for a, yes in days.items() if yes} | {original}
    assert {i.visit_id: i.due_date for i in due}[ids[90]] == TODAY


def test_the_next_session_of_an_unfinished_course_is_due_from_day_28_to_56(
    store: Store, clinician: PractitionerRecord
) -> None:
    other = create_practitioner(store, "Dr Other")
    due = _visit(store, _patient(store, "Needle"), clinician, 30, kind="microneedling")
    early = _patient(store, "Early")
    _visit(store, early, clinician, 20, kind="microneedling")  # not yet four weeks
    finished = _patient(store, "Finished")
    for days in (90, 60, 30):  # three of the three a course plans: nothing more is due
        _visit(store, finished, clinician, days, kind="microneedling")
    theirs = _visit(store, _patient(store, "Theirs"), other, 40, kind="microneedling")
    wrong = _patient(store, "Wrong")
    wrong_visit = _visit(store, wrong, clinician, 35, kind="microneedling")
    visits.mark_visit_in_error(store, wrong_visit, clinician.id, "Wrong patient")
    found = {i.visit_id for i in _due(store, Reason.COURSE_SESSION)}
    assert found == {due, theirs}
    assert {i.visit_id for i in _due(store, Reason.COURSE_SESSION, clinician.id)} == {due}
    item = next(i for i in _due(store, Reason.COURSE_SESSION) if i.visit_id == due)
    assert item.due_date == TODAY - timedelta(days=30) + timedelta(days=28)
    assert follow_up.due_count(store, TODAY) >= 2


def _chart(store: Store, visit_id: int, who: PractitionerRecord) -> None:
    content = ChartContent(
        views=(ViewChart("frown", None, points=(InjectionPoint(1, 2, "botox", Decimal(4)),)),),
        products=(ProductUse("botox", "LOT1"),),
    )
    charts.save_version(store, visit_id, content, parent_version_id=None, saved_by_id=who.id)


def test_unsigned_charts_and_the_practitioner_filter(
    store: Store, clinician: PractitionerRecord
) -> None:
    other = create_practitioner(store, "Dr Other")
    mine = _visit(store, _patient(store, "Mine"), clinician, 15)
    theirs = _visit(store, _patient(store, "Theirs"), other, 15)
    gone = _visit(store, _patient(store, "Gone"), clinician, 3)
    for vid in (mine, theirs, gone):
        _chart(store, vid, clinician)
    visits.mark_visit_in_error(store, gone, clinician.id, "wrong patient")
    assert {i.visit_id for i in _due(store, Reason.NOT_SIGNED)} == {mine, theirs}
    everyone = follow_up.due_list(store, TODAY)
    assert follow_up.due_count(store, TODAY) == len(everyone) == 4
    assert [(i.reason, i.visit_id) for i in everyone] == [
        (Reason.TOUCH_UP, i)
        for i in sorted((mine, theirs), key=lambda v: "Mine" if v == mine else "Theirs")
    ] + [(Reason.NOT_SIGNED, mine), (Reason.NOT_SIGNED, theirs)]
    only_other = follow_up.due_list(store, TODAY, other.id)
    assert [(i.reason, i.visit_id, i.practitioner) for i in only_other] == [
        (Reason.TOUCH_UP, theirs, "Dr Other"),
        (Reason.NOT_SIGNED, theirs, "Dr Other"),
    ]


def test_csv_has_a_row_per_item(store: Store, clinician: PractitionerRecord) -> None:
    vid = _visit(store, _patient(store, 'Comma, Quote"'), clinician, 14)
    rows = list(csv.reader(io.StringIO(follow_up.due_csv(follow_up.due_list(store, TODAY)))))
    assert rows[0] == list(follow_up.CSV_COLUMNS)
    assert rows[1:] == [
        [
            "Touch-up due",
            'Comma, Quote" Due',
            "1980-01-01",
            str(vid),
            (TODAY - timedelta(days=14)).isoformat(),
            TODAY.isoformat(),
            clinician.name,
            "Neurotoxin",
        ]
    ]
