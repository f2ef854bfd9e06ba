"""`server-init` on a real PostgreSQL server (issue #13): it creates the schema, the first admin
and the rooms' role, only the owner migrates, a room whose schema differs says so, and the
rooms' role cannot change or remove records."""

from __future__ import annotations

import os
import select as io_select
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from app.server.grants import APPEND_ONLY
from app.server.init import FirstAdmin, ServerInitError, head_revision, room_url, server_init
from app.services import charts, credentials, patients, photos, signin, visits
from app.services.store import open_database
from app.store.database import alembic_config, open_store
from app.store.errors import NewerDatabaseError, StoreError
from app.store.schema import AuditEvent, Practitioner
from tests.app.fault_helpers import content_v1
from tests.images import face_image, jpeg_bytes

REPO = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("FACECHART_TEST_PG")
pytestmark = pytest.mark.skipif(not PG_URL, reason="FACECHART_TEST_PG names no server")

ADMIN = {
    "FACECHART_ADMIN_NAME": "Dr Ada Admin",
    "FACECHART_ADMIN_PIN": "4711",
    "FACECHART_ADMIN_PASSWORD": "clinic server pw",
}
NO_ADMIN = {k: "" for k in ADMIN}


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


def _init(
    url: str, *extra: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "main.py", "server-init", url, *extra],
        cwd=REPO,
        capture_output=True,
        stdin=subprocess.DEVNULL,  # no terminal: the admin comes from the environment or not at all
        text=True,
        timeout=120,
        env={**os.environ, "FACECHART_APP_ROLE_PASSWORD": "room secret", **ADMIN, **(env or {})},
    )


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return set(inspect(conn).get_table_names())
    finally:
        engine.dispose()


def _given(
    name: str = "Dr Ada Admin", pin: str = "4711", pw: str = "clinic server pw"
) -> FirstAdmin:
    return FirstAdmin(name, pin, pw)


def test_server_init_then_a_room_charts_but_cannot_rewrite_records(empty_db: str) -> None:
    with pytest.raises(StoreError, match="not been set up yet"):
        open_database(empty_db)
    role = "room_" + make_url(empty_db).database  # type: ignore[operator]
    made = _init(empty_db, "--app-role", role)
    assert made.returncode == 0, made.stderr
    assert "created FaceChart's schema" in made.stdout and role in made.stdout
    assert "created the first admin, 'Dr Ada Admin'" in made.stdout
    again = _init(empty_db, "--app-role", role)
    assert again.returncode == 0 and "up to date" in again.stdout
    assert "no admin was created" in again.stdout

    room = room_url(empty_db, role, "room secret")
    store = open_database(room)  # the room's role opens it without migrating
    try:
        # the admin server-init made signs in from a room: PIN, password, their sealed key
        (tile,) = signin.tiles(store)
        assert (tile.name, tile.role.value, tile.ready) == ("Dr Ada Admin", "admin", True)
        who = signin.sign_in(store, tile.id, "4711", "clinic server pw")
        assert who.signer is not None and not who.must_replace
        patient = patients.create_patient(store, "Ada", "Room", date(1985, 1, 2))
        visit = visits.start_visit(store, patient.id, tile.id, "neurotoxin")
        photo = photos.add_photo_bytes(
            store, patient.id, "frown", jpeg_bytes(face_image(320, 400)), visit_id=visit.id
        )
        saved = charts.save_version(
            store, visit.id, content_v1(photo.sha256), parent_version_id=None, saved_by_id=tile.id
        )
        for statement in (
            f"UPDATE chart_version SET comment = 'x' WHERE id = {saved.id}",
            f"DELETE FROM chart_version WHERE id = {saved.id}",
            "UPDATE chart_part SET kind = 'x'",
            "DELETE FROM photo_blob",
            "TRUNCATE chart_version CASCADE",
            "DROP TABLE chart_version CASCADE",
            "CREATE TABLE mine (x int)",
            "ALTER TABLE chart_version ADD COLUMN x int",
            "UPDATE alembic_version SET version_num = '0001'",
        ):
            with pytest.raises(ProgrammingError, match="permission denied|must be owner"):
                with store.engine.begin() as conn:
                    conn.execute(text(statement))
    finally:
        store.dispose()


def test_the_rooms_role_cannot_update_delete_truncate_or_drop_any_append_only_table(
    empty_db: str,
) -> None:
    """Every table that holds records once written: no UPDATE, DELETE, TRUNCATE or DROP, even
    on an empty table (the server checks the right before it looks at a row)."""
    role = "room_" + make_url(empty_db).database  # type: ignore[operator]
    server_init(empty_db, role, "room secret", _given)
    engine = create_engine(room_url(empty_db, role, "room secret"))
    assert {
        "chart_version", "chart_part", "photo_blob", "audit_event", "chart_signature",
        "patient_detail_change", "checkpoint", "checkpoint_entry",
    } <= set(APPEND_ONLY)  # fmt: skip
    refused: list[str] = []
    try:
        with engine.connect() as conn:
            columns = {t: inspect(conn).get_columns(t)[1]["name"] for t in APPEND_ONLY}
        for table in APPEND_ONLY:
            for statement in (
                f"UPDATE {table} SET {columns[table]} = {columns[table]}",
                f"DELETE FROM {table}",
                f"TRUNCATE {table} CASCADE",
                f"DROP TABLE {table} CASCADE",
                f"ALTER TABLE {table} DISABLE TRIGGER ALL",
            ):
                try:
                    with engine.begin() as conn:
                        conn.execute(text(statement))
                except ProgrammingError as exc:
                    if "permission denied" in str(exc) or "must be owner" in str(exc):
                        refused.append(statement)
        # and what the app does need: SELECT and INSERT on each of them
        with engine.connect() as conn:
            for table in APPEND_ONLY:
                conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                assert conn.execute(
                    text("SELECT has_table_privilege(current_user, :t, 'INSERT')"), {"t": table}
                ).scalar_one()
    finally:
        engine.dispose()
    assert len(refused) == 5 * len(APPEND_ONLY), sorted(
        set(f"{t}" for t in APPEND_ONLY) - {s.split()[2] for s in refused}
    )


def test_server_init_refuses_another_programs_database_and_sqlite(
    empty_db: str, tmp_path: Path
) -> None:
    engine = create_engine(empty_db)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE invoices (id int)"))
    engine.dispose()
    refused = _init(empty_db)
    assert refused.returncode == 2 and "another program" in refused.stderr
    assert "invoices" in refused.stderr and "Traceback" not in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert _tables(empty_db) == {"invoices"}
    sqlite = _init(f"sqlite:///{tmp_path / 'x.db'}")
    assert sqlite.returncode == 2 and "PostgreSQL" in sqlite.stderr


def test_server_init_refuses_faceCharts_database_with_other_tables_in_it(empty_db: str) -> None:
    server_init(empty_db, ask_admin=_given)
    engine = create_engine(empty_db)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE invoices (id int)"))
    engine.dispose()
    with pytest.raises(ServerInitError, match=r"another program's tables \(invoices\)"):
        server_init(empty_db, ask_admin=_given)


def test_without_an_admin_or_with_a_weak_pin_nothing_is_created(empty_db: str) -> None:
    none = _init(empty_db, env=NO_ADMIN)
    assert none.returncode == 2, none.stdout
    assert "FACECHART_ADMIN_NAME" in none.stderr and "Traceback" not in none.stderr
    assert _tables(empty_db) == set()
    weak = _init(empty_db, env={"FACECHART_ADMIN_PIN": "12"})
    assert weak.returncode == 2 and "A PIN is 4 to 8 digits" in weak.stderr
    short = _init(empty_db, env={"FACECHART_ADMIN_PASSWORD": "short"})
    assert short.returncode == 2 and "at least 8 characters" in short.stderr
    assert _tables(empty_db) == set()


def test_the_first_admin_is_made_as_the_app_makes_it(empty_db: str) -> None:
    report = server_init(empty_db, ask_admin=lambda: _given("  Dr Bea Boss ", "12345678"))
    assert report.created and report.admin == "Dr Bea Boss"
    store = open_store(empty_db, migrate=False)
    try:
        with store.read() as s:
            (p,) = s.scalars(select(Practitioner)).all()
            kinds = [e.kind for e in s.scalars(select(AuditEvent).order_by(AuditEvent.seq))]
            assert (p.name, p.role, p.active) == ("Dr Bea Boss", "admin", True)
            assert p.pin_hash and p.pin_hash.startswith("$argon2id$")
            assert p.password_hash and p.password_hash.startswith("$argon2id$")
            pid = p.id
        assert credentials.pin_matches(store, pid, "12345678")
        signer = credentials.open_signer(store, pid, "clinic server pw")  # sealed as the app does
        (key,) = credentials.public_keys(store, pid)
        assert signer.public_key == key.public_key
        assert kinds == ["practitioner_changed"]  # created; nobody signed in
        assert signin.setup_state(store) == "ready"
    finally:
        store.dispose()


def test_an_upgrade_keeps_the_admin_and_a_room_on_the_old_schema_says_so(empty_db: str) -> None:
    server_init(empty_db, ask_admin=_given)
    head = head_revision()
    engine = create_engine(empty_db)
    with engine.begin() as conn:  # the server as an older FaceChart left it
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "-1")
        older = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    assert older != head
    with pytest.raises(StoreError, match=f"at schema {older} and this FaceChart needs {head}"):
        open_database(empty_db)  # a room: never migrates, says why it cannot start

    def must_not_ask() -> FirstAdmin:
        raise AssertionError("an admin exists: server-init must not ask for one")

    report = server_init(empty_db, ask_admin=must_not_ask)
    assert (report.from_revision, report.to_revision, report.admin) == (older, head, None)
    assert f"upgraded the schema from revision {older} to {head}" in report.lines
    assert "no admin was created: the database has one already" in report.lines
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Practitioner)).scalar_one() == 1
    open_database(empty_db).dispose()  # the same schema now: the room starts

    with engine.begin() as conn:  # a newer FaceChart upgraded the server
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_newer'"))
    engine.dispose()
    with pytest.raises(NewerDatabaseError, match="newer version of FaceChart"):
        open_database(empty_db)
    with pytest.raises(NewerDatabaseError):
        server_init(empty_db, ask_admin=must_not_ask)


def test_a_schema_left_without_an_admin_gets_one(empty_db: str) -> None:
    """An earlier server-init (before it made admins) left the schema and nobody to sign in."""
    open_store(empty_db).dispose()
    report = server_init(empty_db, ask_admin=_given)
    assert not report.created and report.admin == "Dr Ada Admin"
    assert "the schema is up to date" in report.lines[0]
    again = server_init(empty_db)  # nothing to ask for now
    assert again.admin is None and "no admin was created" in again.lines[1]


def test_the_admin_guides_set_up_works_with_an_owner_who_is_not_a_superuser() -> None:
    """docs/admin-guide.md: a superuser makes the owner role (CREATEROLE, no superuser) and the
    database it owns; server-init runs as that owner; the rooms' role it makes works."""
    assert PG_URL
    tag = uuid.uuid4().hex[:8]
    db, owner, room = f"facechart_guide_{tag}", f"fc_owner_{tag}", f"fc_room_{tag}"
    su = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with su.connect() as conn:
        conn.exec_driver_sql(f"CREATE ROLE {owner} LOGIN CREATEROLE PASSWORD 'owner pw'")
        conn.exec_driver_sql(f"CREATE DATABASE {db} OWNER {owner}")
    owner_url = (
        make_url(PG_URL)
        .set(username=owner, password="owner pw", database=db)
        .render_as_string(hide_password=False)
    )
    try:
        made = _init(owner_url, "--app-role", room)
        assert made.returncode == 0, made.stderr
        assert f"granted the rooms' role {room!r}" in made.stdout
        store = open_database(room_url(owner_url, room, "room secret"))
        try:
            (tile,) = signin.tiles(store)
            patient = patients.create_patient(store, "Gia", "Guide", date(1990, 3, 4))
            visits.start_visit(store, patient.id, tile.id, "neurotoxin")
            with pytest.raises(ProgrammingError, match="permission denied"):
                with store.engine.begin() as conn:
                    conn.execute(text("DELETE FROM audit_event"))
        finally:
            store.dispose()
    finally:
        with su.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            conn.exec_driver_sql(f"DROP ROLE IF EXISTS {room}")
            conn.exec_driver_sql(f"DROP ROLE IF EXISTS {owner}")
        su.dispose()


@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal is POSIX")
def test_on_a_terminal_the_first_admin_is_asked_for_and_the_pin_not_shown(empty_db: str) -> None:
    import pty

    env = {k: v for k, v in os.environ.items() if not k.startswith("FACECHART_ADMIN")}
    pid, fd = pty.fork()
    if pid == 0:  # the child: server-init on a terminal, no admin in its environment
        os.chdir(REPO)
        os.execvpe(sys.executable, [sys.executable, "main.py", "server-init", empty_db], env)
    answers = [b"Dr Tty Admin\n", b"13579\n", b"tty password\n", b"tty password\n"]
    screen = b""
    while io_select.select([fd], [], [], 90)[0]:  # nothing for 90 s: it hangs, stop it
        try:
            chunk = os.read(fd, 1024)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        screen += chunk
        # answer a prompt only once it is shown: getpass flushes what was typed before it
        if answers and screen.endswith(b": "):
            os.write(fd, answers.pop(0))
    else:
        os.kill(pid, signal.SIGKILL)
    status = os.waitpid(pid, 0)[1]
    shown = screen.decode(errors="replace")
    assert os.waitstatus_to_exitcode(status) == 0, shown
    assert "created the first admin, 'Dr Tty Admin'" in shown
    assert "13579" not in shown and "tty password" not in shown  # typed without echo
    assert answers == []
