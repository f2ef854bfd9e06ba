"""`create_patients`, the bulk import the search benchmark fills 100,000 patients with.

Lives here beside the benchmark that needs it; it tests app/services/patients.py.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.services import patients
from app.services.patients import NewPatient


def test_bulk_created_patients_are_found_like_single_ones(store) -> None:
    ids = patients.create_patients(
        store,
        [
            NewPatient(" Zoë ", "Østergaard", date(1980, 1, 2), record_number=" FC-7 "),
            NewPatient("Jonas", "Johansson", date(1990, 3, 4)),
            NewPatient("Łukasz", "Weiß", date(1970, 5, 6), notes="left-handed"),
        ],
    )
    assert len(ids) == 3 and len(set(ids)) == 3
    first = patients.get_patient(store, ids[0])
    assert (first.given_name, first.family_name, first.record_number) == (
        "Zoë",
        "Østergaard",
        "FC-7",
    )
    assert patients.get_patient(store, ids[2]).notes == "left-handed"
    assert [p.id for p in patients.search_patients(store, "zoe oster").patients] == [ids[0]]
    assert [p.id for p in patients.search_patients(store, "weiss").patients] == [ids[2]]
    assert [p.id for p in patients.search_patients(store, "fc").patients] == [ids[0]]
    # two words of one patient match "jo": still one patient
    result = patients.search_patients(store, "jo")
    assert result.total == 1 and [p.id for p in result.patients] == [ids[1]]
    assert patients.likely_duplicates(store, "Zoe", "Ostergaard", date(1980, 1, 2))
    assert patients.recent_patients(store)  # created_at/last_seen_at defaults were applied


def test_one_bad_row_creates_nobody(store) -> None:
    future = date.today() + timedelta(days=1)
    with pytest.raises(ValueError):
        patients.create_patients(
            store,
            [NewPatient("Anna", "Nowak", date(1980, 1, 1)), NewPatient("Bo", "Li", future)],
        )
    with pytest.raises(ValueError):
        patients.create_patients(store, [NewPatient(" ", "", date(1980, 1, 1))])
    assert patients.search_patients(store, "anna").total == 0
    assert patients.create_patients(store, []) == []
