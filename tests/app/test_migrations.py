"""The migrations build exactly the schema the ORM models describe."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from app.services import patients
from app.store.database import alembic_config, create_store_engine, open_store, sqlite_url
from app.store.schema import Base
from tests.conftest import BACKENDS, PG_URL, reset_postgres


def test_migrated_schema_matches_the_models(store):
    with store.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diffs == []


def test_database_is_at_the_newest_revision(store):
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with store.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head


def test_sqlite_runs_with_foreign_keys_and_wal(sqlite_store):
    with sqlite_store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"


@pytest.mark.parametrize("backend", BACKENDS)
def test_search_keys_of_a_0001_database_are_completed(backend: str, db_path: Path) -> None:
    """Patients written by the first schema (whole words only, no names beside them) are
    found by one and two letters, in name order, after the upgrade."""
    from alembic import command

    url = sqlite_url(db_path)
    if backend == "postgresql":
        assert PG_URL
        reset_postgres(PG_URL)
        url = PG_URL
    engine = create_store_engine(url)
    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        for pid, given, family, words in [
            (1, "Jonas", "Johansson", ("jonas", "johansson")),
            (2, "Jo", "Abel", ("jo", "abel")),
            (3, "Zoë", "Østergaard", ("zoe", "ostergaard")),
            (4, "Anne-Marie", "O'Brien", ("anne", "marie", "o", "brien")),
        ]:
            conn.execute(
                text(
                    "INSERT INTO patient (id, family_name, given_name, date_of_birth, notes, "
                    "created_at, last_seen_at, name_key) VALUES (:id, :f, :g, '1980-01-01', '', "
                    "'2026-01-01 00:00:00', '2026-01-01 00:00:00', :k)"
                ),
                {"id": pid, "f": family, "g": given, "k": " ".join(words)},
            )
            for w in words:
                conn.execute(
                    text("INSERT INTO patient_search_token (token, patient_id) VALUES (:t, :p)"),
                    {"t": w, "p": pid},
                )
    engine.dispose()
    store = open_store(url)
    try:
        jo = patients.search_patients(store, "jo")
        assert [p.id for p in jo.patients] == [2, 1] and jo.total == 2  # Abel, Johansson
        assert [p.id for p in patients.search_patients(store, "j").patients] == [2, 1]
        assert [p.id for p in patients.search_patients(store, "o").patients] == [4, 3]
        # 0003: the punctuated names get their joined keys too
        assert [p.id for p in patients.search_patients(store, "obrien").patients] == [4]
        assert [p.id for p in patients.search_patients(store, "annemarie ob").patients] == [4]
        assert [p.id for p in patients.search_patients(store, "zo os").patients] == [3]
        assert patients.search_patients(store, "ab").total == 1
        with store.engine.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diffs == []
    finally:
        store.dispose()
