"""Another room's change in words (app/services/room_news.py): who, which version, when; and
the audit log's head, by which a page tells what it shows from what it does not."""

from __future__ import annotations

from datetime import date

from app.domain.chart import ChartContent
from app.services import charts, patients, room_news, visits
from app.services.practitioners import PractitionerRecord
from app.services.room_changes import ChangeWatcher
from app.store.database import Store


def test_a_save_and_a_visit_are_described_with_name_number_and_time(
    store: Store, clinician: PractitionerRecord
) -> None:
    p = patients.create_patient(store, "Ada", "Lovelace", date(1980, 12, 10))
    v = visits.start_visit(store, p.id, clinician.id, "neurotoxin", date(2026, 11, 20))
    before = room_news.head_seq(store)
    watcher = ChangeWatcher(store)
    try:
        first = charts.save_version(
            store, v.id, ChartContent(), parent_version_id=None, saved_by_id=clinician.id
        )
        second = charts.save_version(
            store, v.id, ChartContent(note="more"), parent_version_id=first.id,
            saved_by_id=clinician.id,
        )  # fmt: skip
        other = visits.start_visit(store, p.id, clinician.id, "neurotoxin")
        news = room_news.describe(store, watcher.read_new())
    finally:
        watcher.close()
    assert room_news.head_seq(store) > before
    assert [(n.kind, n.version_no) for n in news] == [
        ("save", 1),
        ("save", 2),
        ("visit_created", None),
    ]
    assert news[1].version_id == second.id and news[1].about_chart
    assert news[1].visit_id == v.id and news[2].visit_id == other.id
    assert all(n.actor == clinician.name and n.patient_id == p.id for n in news)
    said = room_news.sentence(news[1])
    assert said.startswith(f"{clinician.name} saved version 2 of this chart at ")
    assert room_news.sentence(news[2]).startswith(f"{clinician.name} started a neurotoxin visit")
    assert room_news.describe(store, []) == []
