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
