"""Patients: accent- and case-insensitive search, recent patients, likely duplicates."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.names import fold, tokens
from app.services import patients


@pytest.fixture
def clinic(store):
    people = [
        ("Zoë", "Martin", date(1984, 3, 12), "FC-1001"),
        ("Zoe", "Ng", date(1990, 1, 1), None),
        ("Lars", "Østergaard", date(1976, 11, 2), None),
        ("Jürgen", "Weiß", date(1969, 7, 23), None),
        ("Anne-Marie", "O'Brien", date(1988, 9, 5), None),
        ("Łukasz", "Nowak", date(1970, 2, 2), None),
        ("Martin", "Zoller", date(1961, 6, 6), None),
    ]
    return {f"{g} {f}": patients.create_patient(store, g, f, d, r) for g, f, d, r in people}


def names(result: patients.SearchResult) -> list[str]:
    return [p.display_name for p in result.patients]


def test_fold_spells_out_letters_unicode_does_not_decompose():
    assert fold("Zoë ØSTER Weiß Łukasz Æsir") == "zoe oster weiss lukasz aesir"
    assert tokens("Anne-Marie O'Brien") == ["anne", "marie", "o", "brien"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("zoe", ["Zoë Martin", "Zoe Ng"]),
        ("ZOË", ["Zoë Martin", "Zoe Ng"]),
        ("oster", ["Lars Østergaard"]),
        ("Øst", ["Lars Østergaard"]),
        ("weiss", ["Jürgen Weiß"]),
        ("weiß", ["Jürgen Weiß"]),
        ("jurg", ["Jürgen Weiß"]),
        ("marie", ["Anne-Marie O'Brien"]),
        ("brien", ["Anne-Marie O'Brien"]),
        ("lukasz", ["Łukasz Nowak"]),
        ("mar zo", ["Zoë Martin", "Martin Zoller"]),
        ("zoe martin", ["Zoë Martin"]),
        ("fc-1001", ["Zoë Martin"]),
        ("xyz", []),
    ],
)
def test_search_finds_by_the_start_of_any_word(store, clinic, query, expected):
    result = patients.search_patients(store, query)
    assert sorted(names(result)) == sorted(expected)
    assert result.total == len(expected)


def test_search_limit_keeps_the_true_total(store, clinic):
    result = patients.search_patients(store, "ma", limit=1)
    assert len(result.patients) == 1
    assert result.total == 3  # Zoë Martin, Martin Zoller, Anne-Marie O'Brien
    assert patients.search_patients(store, "mart", limit=10).total == 2


def test_blank_query_finds_nothing(store, clinic):
    assert patients.search_patients(store, "  - ").total == 0


def test_likely_duplicates_same_name_and_birth_date(store, clinic):
    dupes = patients.likely_duplicates(store, "zoe", "MARTIN", date(1984, 3, 12))
    assert names(patients.SearchResult(dupes, len(dupes))) == ["Zoë Martin"]
    swapped = patients.likely_duplicates(store, "Martin", "Zoë", date(1984, 3, 12))
    assert len(swapped) == 1  # given and family name entered the wrong way round
    assert patients.likely_duplicates(store, "Zoë", "Martin", date(1984, 3, 13)) == []


def test_recent_patients_follow_what_was_opened(store, clinic):
    lars = clinic["Lars Østergaard"]
    patients.mark_seen(store, lars.id)
    assert patients.recent_patients(store)[0].id == lars.id


def test_update_patient_reindexes_search(store, clinic):
    p = clinic["Zoe Ng"]
    patients.update_patient(
        store, p.id, "Zoe", "Nguyễn", p.date_of_birth, None, "", reason="Name changed"
    )
    assert names(patients.search_patients(store, "nguyen")) == ["Zoe Nguyễn"]
    assert patients.search_patients(store, "ng").total == 1


def test_bad_patient_input_is_refused(store):
    with pytest.raises(ValueError, match="name"):
        patients.create_patient(store, " ", "", date(1980, 1, 1))
    with pytest.raises(ValueError, match="future"):
        patients.create_patient(store, "A", "B", date(2999, 1, 1))


def test_short_words_list_the_first_page_in_name_order_and_cap_the_count(store):
    born = date(1980, 1, 1)
    # record numbers add words too ("mx0007"): one patient, counted once for "m"
    people = [
        patients.NewPatient(f"Mia{i % 7}", f"Berg{i:04d}", born, record_number=f"MX{i:04d}")
        for i in range(patients.COUNT_CAP, -1, -1)  # created in reverse name order
    ]
    ids = patients.create_patients(store, people)
    result = patients.search_patients(store, "m")
    assert (result.total, result.capped) == (patients.COUNT_CAP, True)
    assert [p.family_name for p in result.patients] == [f"Berg{i:04d}" for i in range(50)]
    assert result.patients[0].id == ids[-1]
    # a long word and a second word: the same page, and a count that is exact below the cap
    assert names(patients.search_patients(store, "berg00 mia3")) == [
        f"Mia3 Berg{i:04d}" for i in range(100) if i % 7 == 3
    ]
    both = patients.search_patients(store, "mi be")
    assert (both.total, both.capped) == (patients.COUNT_CAP, True)
    assert [p.family_name for p in both.patients][:2] == ["Berg0000", "Berg0001"]
    few = patients.search_patients(store, "mia1 mx00")
    assert (few.total, few.capped) == (15, False)  # i % 7 == 1 below 100
    assert patients.search_patients(store, "berg1000").total == 1


def test_renamed_patient_moves_in_the_list(store, clinic):
    p = clinic["Martin Zoller"]
    assert names(patients.search_patients(store, "m"))[-1] == "Martin Zoller"
    patients.update_patient(
        store, p.id, "Martin", "Abel", p.date_of_birth, None, "", reason="Name changed"
    )
    found = patients.search_patients(store, "m")
    assert names(found)[0] == "Martin Abel" and found.total == 3
    assert patients.search_patients(store, "zo").total == 2  # no key of "Zoller" is left


def test_punctuation_in_a_name_does_not_matter_to_search(store) -> None:  # type: ignore[no-untyped-def]
    p = patients.create_patient(store, "Anne-Marie", "O'Brien", date(1970, 5, 4))
    for query in ("obrien", "O'Brien", "o’brien", "brien", "o brien", "annemarie", "anne-marie",
                  "anne marie", "Anne-Marie O'Brien", "ann obr"):  # fmt: skip
        found = patients.search_patients(store, query)
        assert [q.id for q in found.patients] == [p.id], query
    patients.update_patient(
        store, p.id, "Anne-Marie", "D'Angelo", date(1970, 5, 4), None, "", reason="Name changed"
    )
    assert [q.id for q in patients.search_patients(store, "dangelo").patients] == [p.id]
    assert patients.search_patients(store, "obrien").total == 0  # the old name's keys went
