"""The demo clinic tells one consistent story: what a reviewer sees in it must be possible."""

from __future__ import annotations

from pathlib import Path

from app.services import patients, photos, visits
from app.services.demo import build_demo
from app.store.database import open_store, sqlite_url


def test_every_photographed_demo_patient_consented_and_visits_are_never_in_the_future(
    db_path: Path,
) -> None:
    from datetime import date

    store = open_store(sqlite_url(db_path))
    try:
        build_demo(store)
        everyone = patients.recent_patients(store, limit=100)
        assert len(everyone) >= 6
        for found in everyone:
            patient = patients.get_patient(store, found.id)
            entries = visits.timeline(store, patient.id)
            shot = any(photos.photos_for_visit(store, e.visit.id) for e in entries)
            if shot:
                assert patient.photography_consent_at is not None, patient.display_name
            assert all(e.visit.visit_date <= date.today() for e in entries)
    finally:
        store.dispose()


def test_demo_records_are_stamped_on_their_visit_day(db_path: Path) -> None:
    """A version saved months after its visit, or a photo taken after it, would contradict the
    demo's story (issue #9): each is stamped on its own visit's day, in order."""
    from app.services import charts

    store = open_store(sqlite_url(db_path))
    try:
        build_demo(store)
        charted = 0
        for found in patients.recent_patients(store, limit=100):
            for entry in visits.timeline(store, found.id):
                day = entry.visit.visit_date
                for photo in photos.photos_for_visit(store, entry.visit.id):
                    assert photo.captured_at.astimezone().date() == day
                versions = charts.history(store, entry.visit.id)  # newest first
                for info in versions:
                    assert info.saved_at.astimezone().date() == day
                    charted += 1
                times = [v.saved_at for v in reversed(versions)]
                assert times == sorted(set(times))  # each later than the one before
        assert charted >= 2
    finally:
        store.dispose()


def test_the_demo_clock_only_stamps_what_is_made_inside_it() -> None:
    from datetime import UTC, datetime, timedelta

    import pytest

    from app.domain.values import clock_at, utcnow

    then = datetime(2026, 8, 2, 10, 0, tzinfo=UTC)
    with clock_at(then):
        assert utcnow() == then
    assert abs(utcnow() - datetime.now(UTC)) < timedelta(seconds=5)
    with pytest.raises(ValueError):
        with clock_at(datetime(2026, 8, 2, 10, 0)):
            pass
