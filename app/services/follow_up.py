"""The follow-up list (issue #14, ADR 0030): who is due back, and which charts are not signed.

- Touch-up due: a patient's first toxin treatment, 14-28 days ago, with no toxin visit since
  (a touch-up linked to it, or any later toxin visit).
- Repeat due: a patient's last toxin treatment (touch-ups aside), 90-122 days ago.
- Course session due: the last session of an unfinished microneedling course, 28-56 days ago.
- Not signed: charts whose newest version is not signed (app/services/unsigned.py).

The day counts live in app/domain/follow_up.py. Visits entered in error never count: not as
the visit a patient is due after, nor as the visit that ended their being due. Each rule is
one query bounded by its window of visit dates (indexed), so the list stays fast on a clinic
of 100,000 patients (bench `due_list_ms_100k`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from app.domain.follow_up import COURSE_SESSION, REPEAT, TOUCH_UP, WINDOWS, Reason
from app.domain.values import TreatmentType
from app.services import mn_course
from app.services.unsigned import not_signed
from app.store.database import Store
from app.store.schema import Patient, Practitioner, Visit

TOXIN = TreatmentType.NEUROTOXIN.value


@dataclass(frozen=True, slots=True)
class DueItem:
    reason: Reason
    patient_id: int
    patient: str
    date_of_birth: date
    visit_id: int  # the visit the patient is due after (for "not signed": the chart's visit)
    visit_date: date
    due_date: date
    practitioner_id: int
    practitioner: str
    treatment: TreatmentType


# A "due" query selects the ids of the visits a patient is due after.
DueQuery = Select[int]


def _toxin(v: type[Visit]) -> list[ColumnElement[bool]]:
    return [v.treatment_type == TOXIN, v.error_at.is_(None)]


def _original(v: type[Visit]) -> ColumnElement[bool]:
    """Not a touch-up, written so that no index serves it: "touch-up of nothing" matches most
    visits, and SQLite's planner, offered the touch-up index for it, scanned 300,000 rows
    instead of the few thousand of the window of dates (0.4 s against 0.04 s at 100,000
    patients). Visit ids start at 1, so 0 is never one."""
    return func.coalesce(v.touch_up_of_id, 0) == 0


def _by(v: type[Visit], practitioner_id: int | None) -> list[ColumnElement[bool]]:
    return [] if practitioner_id is None else [v.practitioner_id == practitioner_id]


def touch_ups_due(today: date, practitioner_id: int | None = None) -> DueQuery:
    """First toxin treatments in the touch-up window with no toxin visit after them."""
    v, earlier, later = aliased(Visit), aliased(Visit), aliased(Visit)
    oldest, newest = TOUCH_UP.visits_due(today)
    return select(v.id).where(
        *_toxin(v),
        *_by(v, practitioner_id),
        _original(v),
        v.visit_date.between(oldest, newest),
        ~exists().where(  # not the patient's first treatment: an earlier one exists
            earlier.patient_id == v.patient_id,
            *_toxin(earlier),
            earlier.touch_up_of_id.is_(None),
            or_(
                earlier.visit_date < v.visit_date,
                and_(earlier.visit_date == v.visit_date, earlier.id < v.id),
            ),
        ),
        ~exists().where(  # a touch-up of it, or any toxin visit since: the patient came back
            later.patient_id == v.patient_id,
            *_toxin(later),
            later.id != v.id,
            or_(later.touch_up_of_id == v.id, later.visit_date > v.visit_date),
        ),
    )


def repeats_due(today: date, practitioner_id: int | None = None) -> DueQuery:
    """Last toxin treatments (not counting touch-ups) in the repeat window."""
    v, later = aliased(Visit), aliased(Visit)
    oldest, newest = REPEAT.visits_due(today)
    return select(v.id).where(
        *_toxin(v),
        *_by(v, practitioner_id),
        _original(v),
        v.visit_date.between(oldest, newest),
        ~exists().where(
            later.patient_id == v.patient_id,
            *_toxin(later),
            later.touch_up_of_id.is_(None),
            or_(
                later.visit_date > v.visit_date,
                and_(later.visit_date == v.visit_date, later.id > v.id),
            ),
        ),
    )


def last_session_of_unfinished_course(
    session: Session, oldest: date, newest: date, practitioner_id: int | None = None
) -> list[int]:
    """The visit ids of the last session of each unfinished microneedling course whose date
    lies in [oldest, newest]: the courses are read from the charts (app/services/mn_course.py)."""
    return mn_course.last_sessions_in(session, oldest, newest, practitioner_id)


def due_list(
    store: Store, today: date | None = None, practitioner_id: int | None = None
) -> list[DueItem]:
    """Everyone due back, and every chart not signed, grouped by reason in `Reason` order,
    then by due date and name. `practitioner_id` keeps only that practitioner's visits."""
    today = today or date.today()
    with store.read() as s:
        unsigned = not_signed(s).with_only_columns(Visit.id).order_by(None)
        if practitioner_id is not None:
            unsigned = unsigned.where(Visit.practitioner_id == practitioner_id)
        oldest, newest = COURSE_SESSION.visits_due(today)
        sessions = last_session_of_unfinished_course(s, oldest, newest, practitioner_id)
        rules: list[tuple[Reason, Select[int] | list[int]]] = [
            (Reason.TOUCH_UP, touch_ups_due(today, practitioner_id)),
            (Reason.REPEAT, repeats_due(today, practitioner_id)),
            (Reason.COURSE_SESSION, sessions),
            (Reason.NOT_SIGNED, unsigned),
        ]
        conn = s.connection()  # plain rows: thousands of them, no ORM objects wanted
        items = [_item(reason, row) for reason, ids in rules for row in conn.execute(_details(ids))]
    items.sort(key=lambda i: (_RANK[i.reason], i.due_date, i.patient, i.visit_id))
    return items


_RANK = {reason: n for n, reason in enumerate(Reason)}
_TREATMENTS = {t.value: t for t in TreatmentType}


def due_count(store: Store, today: date | None = None) -> int:
    """How many items `due_list` would list for everyone (the home screen's "Due · N"),
    counted by the database, no rows built: it runs at each return to the home screen."""
    today = today or date.today()
    with store.read() as s:
        queries = [
            touch_ups_due(today),
            repeats_due(today),
            not_signed(s).with_only_columns(Visit.id).order_by(None),
        ]
        n = sum(s.scalar(select(func.count()).select_from(q.subquery())) or 0 for q in queries)
        oldest, newest = COURSE_SESSION.visits_due(today)
        return n + len(last_session_of_unfinished_course(s, oldest, newest))


def _details(ids: Select[int] | list[int]) -> Select[int, date, int, str, int, str, str, date, str]:
    """The visits a rule found, with their patient's and practitioner's names: one query
    per rule, the rule as its sub-query."""
    return (
        select(
            Visit.id,
            Visit.visit_date,
            Visit.practitioner_id,
            Visit.treatment_type,
            Patient.id,
            Patient.given_name,
            Patient.family_name,
            Patient.date_of_birth,
            Practitioner.name,
        )
        .join(Patient, Patient.id == Visit.patient_id)
        .join(Practitioner, Practitioner.id == Visit.practitioner_id)
        .where(Visit.id.in_(ids))
    )


def _item(reason: Reason, row: Any) -> DueItem:
    vid, day, who_id, kind, pid, given, family, born, who = row
    window = WINDOWS.get(reason)  # a chart to sign is due now: listed by its visit's date
    return DueItem(
        reason,
        pid,
        f"{given} {family}".strip(),  # Patient.display_name
        born,
        vid,
        day,
        window.due_on(day) if window else day,
        who_id,
        who,
        _TREATMENTS.get(kind) or TreatmentType(kind),
    )


def count_due(items: Iterable[DueItem]) -> dict[Reason, int]:
    out = dict.fromkeys(Reason, 0)
    for item in items:
        out[item.reason] += 1
    return out


CSV_COLUMNS = (
    "reason",
    "patient",
    "date_of_birth",
    "visit_id",
    "visit_date",
    "due_date",
    "practitioner",
    "treatment",
)


def due_csv(items: Iterable[DueItem]) -> str:
    """The list as CSV text (UTF-8 when written; dates ISO-8601), one row per item."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    for i in items:
        w.writerow(
            [
                i.reason.label,
                i.patient,
                i.date_of_birth.isoformat(),
                i.visit_id,
                i.visit_date.isoformat(),
                i.due_date.isoformat(),
                i.practitioner,
                i.treatment.label,
            ]
        )
    return out.getvalue()
