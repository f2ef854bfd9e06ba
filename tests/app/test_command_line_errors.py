"""Command-line mistakes are one clear line and exit 2 (issue #11): a mistyped `--db` for every
form that opens a database, never a traceback; a NUL in a patient's name is refused by the
service with the same message on SQLite and PostgreSQL (PostgreSQL's driver would refuse it deep
inside with a DataError, SQLite would have stored it)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from app.services import patients
from app.store.database import Store, open_store, parse_database_url
from app.store.errors import BadDatabaseURLError, StoreError

REPO = Path(__file__).resolve().parents[2]

BAD_URLS = {
    "misspelt scheme": ("postgresq://x", "does not use ('postgresq')"),
    "another database": ("mysql://x", "does not use ('mysql')"),
    "port not a number": ("postgresql://u@h:notaport/db", "port that is not a number"),
    "not a URL": ("facechart.db", "is not a URL"),
    "driver not shipped": ("postgresql+psycopg2://u@h/db", "driver FaceChart does not have"),
}
FORMS = {
    "check": ["check"],
    "gui screenshot": ["--screenshot", "{out}"],
    "gui named screen": ["--screenshot", "{out}", "--screen", "patients"],
}


def _run(args: list[str], env_db: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("FACECHART_DB", None)
    if env_db is not None:
        env["FACECHART_DB"] = env_db
    return subprocess.run(
        [sys.executable, "main.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _assert_one_clear_line(result: subprocess.CompletedProcess[str], words: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: The database URL")
    assert words in lines[0]
    assert "sqlite:///" in lines[0] and "postgresql://" in lines[0]  # says what would do
    assert result.stdout == ""


@pytest.mark.parametrize("form", sorted(FORMS))
@pytest.mark.parametrize("case", ["misspelt scheme", "another database", "port not a number"])
def test_bad_db_url_is_one_line_and_exit_2_for_every_form(
    tmp_path: Path, form: str, case: str
) -> None:
    url, words = BAD_URLS[case]
    out = tmp_path / "shot.png"
    args = [a.replace("{out}", str(out)) for a in FORMS[form]]
    _assert_one_clear_line(_run(["--db", url, *args]), words)
    assert not out.exists()


def test_bad_url_in_facechart_db_is_refused_the_same_way(tmp_path: Path) -> None:
    _assert_one_clear_line(_run(["check"], env_db="postgresq://x"), "postgresq")
    _assert_one_clear_line(
        _run(["--screenshot", str(tmp_path / "x.png")], env_db="mysql://x"), "mysql"
    )


@pytest.mark.parametrize("case", sorted(BAD_URLS))
def test_every_bad_url_is_a_store_error_from_open_store(case: str) -> None:
    url, words = BAD_URLS[case]
    with pytest.raises(BadDatabaseURLError, match=words.replace("(", r"\(").replace(")", r"\)")):
        open_store(url)
    assert issubclass(BadDatabaseURLError, StoreError)  # the GUI's refusal box catches it


def test_the_message_never_repeats_a_password() -> None:
    with pytest.raises(BadDatabaseURLError) as info:
        parse_database_url("postgresq://clinic:s3cret-pw@db.example/records")
    assert "s3cret-pw" not in str(info.value)


def test_good_urls_still_parse() -> None:
    assert parse_database_url("sqlite:///x.db").get_backend_name() == "sqlite"
    assert parse_database_url("postgresql://u@h:5432/db").port == 5432
    assert parse_database_url("postgresql+psycopg://u@h/db").get_backend_name() == "postgresql"


# --- NUL in a name ---------------------------------------------------------------------------

NUL_MESSAGE = "contains a control character (such as NUL), which cannot be saved"


@pytest.mark.parametrize(
    ("given", "family", "record", "notes", "field"),
    [
        ("Ada\x00", "Lovelace", None, "", "given name"),
        ("Ada", "Love\x00lace", None, "", "family name"),
        ("Ada", "Lovelace", "R\x0012", "", "record number"),
        ("Ada", "Lovelace", None, "note\x00", "notes"),
        ("Ada\x1b", "Lovelace", None, "", "given name"),  # an escape is no part of a name
    ],
)
def test_a_control_character_is_refused_clearly_on_every_backend(
    store: Store, given: str, family: str, record: str | None, notes: str, field: str
) -> None:
    """`store` runs on SQLite and, with FACECHART_TEST_PG, on PostgreSQL: the same message."""
    expected = f"The patient's {field} {NUL_MESSAGE}"
    with pytest.raises(ValueError) as created:
        patients.create_patient(store, given, family, date(1985, 12, 10), record, notes)
    assert str(created.value).startswith(expected)
    with pytest.raises(ValueError) as bulk:
        patients.create_patients(
            store, [patients.NewPatient(given, family, date(1985, 12, 10), record, notes)]
        )
    assert str(bulk.value) == str(created.value)
    ada = patients.create_patient(store, "Ada", "Lovelace", date(1985, 12, 10))
    with pytest.raises(ValueError) as updated:
        patients.update_patient(
            store, ada.id, given, family, date(1985, 12, 10), record, notes, reason="Name changed"
        )
    assert str(updated.value) == str(created.value)
    # nothing half-saved: Ada is as she was, and no other patient appeared
    assert patients.get_patient(store, ada.id) == ada
    assert [p.id for p in patients.search_patients(store, "ada").patients] == [ada.id]


def test_line_breaks_and_tabs_stay_allowed_in_notes(store: Store) -> None:
    p = patients.create_patient(store, "Ada", "Lovelace", date(1985, 12, 10), None, "a\n\tb\r\n")
    assert patients.get_patient(store, p.id).notes == "a\n\tb\r\n"
