"""`server-init` on a real PostgreSQL server (issue #13): it creates the schema and the rooms'
role, only the owner migrates, and the rooms' role cannot change or remove records."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from app.server.init import room_url
from app.services import charts, patients, practitioners, visits
from app.services.store import open_database
from app.store.errors import StoreError
from tests.app.fault_helpers import content_v1

REPO = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("FACECHART_TEST_PG")
pytestmark = pytest.mark.skipif(not PG_URL, reason="FACECHART_TEST_PG names no server")


@pytest.fixture
def empty_db() -> Iterator[str]:
    """A database of its own on the server, and a role name of its own; both dropped after."""
    assert PG_URL
    name = f"facechart_srv_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.exec_driver_sql(f'DROP ROLE IF EXISTS "room_{name}"')
        admin.dispose()


def _init(url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "main.py", "server-init", url, *extra],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "FACECHART_APP_ROLE_PASSWORD": "room secret"},
    )


def test_server_init_then_a_room_charts_but_cannot_rewrite_records(empty_db: str) -> None:
    with pytest.raises(StoreError, match="not been set up yet"):
        open_database(empty_db)
    role = "room_" + make_url(empty_db).database  # type: ignore[operator]
    made = _init(empty_db, "--app-role", role)
    assert made.returncode == 0, made.stderr
    assert "created FaceChart's schema" in made.stdout and role in made.stdout
    again = _init(empty_db, "--app-role", role)
    assert again.returncode == 0 and "up to date" in again.stdout

    room = room_url(empty_db, role, "room secret")
    store = open_database(room)  # the room's role opens it without migrating
    try:
        who = practitioners.default_practitioner(store)
        patient = patients.create_patient(store, "Ada", "Room", date(1985, 1, 2))
        visit = visits.start_visit(store, patient.id, who.id, "neurotoxin")
        saved = charts.save_version(
            store, visit.id, content_v1(None), parent_version_id=None, saved_by_id=who.id
        )
        for statement in (
            f"UPDATE chart_version SET comment = 'x' WHERE id = {saved.id}",
            f"DELETE FROM chart_version WHERE id = {saved.id}",
            "UPDATE chart_part SET kind = 'x'",
            "DELETE FROM photo_blob",
            "TRUNCATE chart_version CASCADE",
            "DROP TABLE chart_version CASCADE",
            "CREATE TABLE mine (x int)",
        ):
            with pytest.raises(ProgrammingError, match="permission denied|must be owner"):
                with store.engine.begin() as conn:
                    conn.execute(text(statement))
    finally:
        store.dispose()


def test_server_init_refuses_another_programs_database_and_sqlite(
    empty_db: str, tmp_path: Path
) -> None:
    engine = create_engine(empty_db)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE invoices (id int)"))
    engine.dispose()
    refused = _init(empty_db)
    assert refused.returncode == 2 and "another program" in refused.stderr
    assert "Traceback" not in refused.stderr
    sqlite = _init(f"sqlite:///{tmp_path / 'x.db'}")
    assert sqlite.returncode == 2 and "PostgreSQL" in sqlite.stderr
