"""`server-init URL` (CONTRACTS.md, issue #13): run with the database owner's role, it creates
or upgrades FaceChart's schema on a PostgreSQL database, optionally creates the rooms' role
with only the rights they need (app/server/grants.py), and says what it did. A database that
holds another program's tables is refused untouched."""

from __future__ import annotations

from dataclasses import dataclass, field

from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from app.server.grants import grant_statements
from app.store.database import (
    alembic_config,
    check_schema_version,
    create_store_engine,
    open_store,
    parse_database_url,
)
from app.store.errors import StoreError


class ServerInitError(StoreError):
    """The server could not be set up; the message says why (exit 2)."""


@dataclass
class InitReport:
    created: bool  # the schema was made on an empty database
    from_revision: str | None
    to_revision: str
    app_role: str | None = None
    lines: list[str] = field(default_factory=list)


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def server_init(
    url: str, app_role: str | None = None, app_password: str | None = None
) -> InitReport:
    parsed = parse_database_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise ServerInitError(
            "server-init sets up a PostgreSQL server database; a SQLite file needs no set-up."
        )
    engine = create_store_engine(url)
    try:
        current = check_schema_version(engine)  # refuses another program's database
    finally:
        engine.dispose()
    head = head_revision()
    report = InitReport(current is None, current, head)
    store = open_store(url, migrate=True)  # as the owner: the only role that migrates
    try:
        if current is None:
            report.lines.append(f"created FaceChart's schema (revision {head})")
        elif current != head:
            report.lines.append(f"upgraded the schema from revision {current} to {head}")
        else:
            report.lines.append(f"the schema is up to date (revision {head})")
        if app_role:
            _make_app_role(store.engine, app_role, app_password)
            report.app_role = app_role
            report.lines.append(
                f"the rooms' role {app_role!r} may read and add records; it cannot change or "
                "remove versions, photos, audit events or signatures, nor change the schema"
            )
    finally:
        store.dispose()
    return report


def _make_app_role(engine: object, role: str, password: str | None) -> None:
    from sqlalchemy import Engine

    assert isinstance(engine, Engine)
    with engine.begin() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}
        ).first()
        quoted = '"' + role.replace('"', '""') + '"'
        if not exists:
            if not password:
                raise ServerInitError(
                    f"The role {role!r} does not exist: give its password "
                    "(FACECHART_APP_ROLE_PASSWORD) to create it."
                )
            # a literal, not a parameter: CREATE ROLE takes no bind parameters
            literal = "'" + password.replace("'", "''") + "'"
            conn.execute(text(f"CREATE ROLE {quoted} LOGIN PASSWORD {literal}"))
        database = conn.execute(text("SELECT current_database()")).scalar_one()
        conn.execute(text(f'GRANT CONNECT ON DATABASE "{database}" TO {quoted}'))
        tables = set(inspect(conn).get_table_names())
        for statement in grant_statements(role, tables):
            conn.execute(text(statement))


def room_url(url: str, role: str, password: str) -> str:
    """The URL a room uses: the same server and database, the rooms' role."""
    return make_url(url).set(username=role, password=password).render_as_string(hide_password=False)
