"""`server-init URL` (CONTRACTS.md, issue #13): run with the database owner's role, it creates
or upgrades FaceChart's schema on a PostgreSQL database, creates the first admin when there is
none (through the same service as the app's first start: the same hashes and sealed key),
optionally creates the rooms' role with only the rights they need (app/server/grants.py), and
says what it did. A database that holds another program's tables is refused untouched: it
checks what exists and fills only the gaps, so running it twice changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import make_url

from app.security import secrets
from app.server.grants import grant_statements
from app.services import signin
from app.store.database import (
    alembic_config,
    check_schema_version,
    create_store_engine,
    open_store,
    parse_database_url,
)
from app.store.errors import ForeignDatabaseError, StoreError
from app.store.schema import Base


class ServerInitError(StoreError):
    """The server could not be set up; the message says why (exit 2)."""


@dataclass
class InitReport:
    created: bool  # the schema was made on an empty database
    from_revision: str | None
    to_revision: str
    app_role: str | None = None
    admin: str | None = None  # the first admin's name, when one was created
    lines: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class FirstAdmin:
    """The first admin's name, PIN and password (from the environment or the terminal)."""

    name: str
    pin: str
    password: str


AskAdmin = Callable[[], FirstAdmin]


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def server_init(
    url: str,
    app_role: str | None = None,
    app_password: str | None = None,
    ask_admin: AskAdmin | None = None,
) -> InitReport:
    """Set up (or upgrade) the server at `url`; `ask_admin` gives the first admin's name, PIN
    and password when the database has no admin yet (asked before anything is written)."""
    parsed = parse_database_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise ServerInitError(
            "server-init sets up a PostgreSQL server database; a SQLite file needs no set-up."
        )
    engine = create_store_engine(url)
    try:
        current = check_schema_version(engine)  # refuses a newer FaceChart's schema
        others = _other_tables(engine)
    except ForeignDatabaseError:
        others, current = _other_tables(engine), None
    finally:
        engine.dispose()
    if others:
        raise ServerInitError(
            "This database holds another program's tables ("
            + ", ".join(others[:3])
            + (", …" if len(others) > 3 else "")
            + "): server-init sets up an empty database or FaceChart's own. Nothing was changed."
        )
    head = head_revision()
    report = InitReport(current is None, current, head)
    # An empty database needs its admin: asked (and checked) before the schema is written, so
    # a mistyped PIN leaves the database as empty as it was.
    admin = _first_admin(ask_admin) if current is None else None
    store = open_store(url, migrate=True)  # as the owner: the only role that migrates
    try:
        if current is None:
            report.lines.append(f"created FaceChart's schema (revision {head})")
        elif current != head:
            report.lines.append(f"upgraded the schema from revision {current} to {head}")
        else:
            report.lines.append(f"the schema is up to date (revision {head})")
        state = signin.setup_state(store)
        if state == "first_admin":  # an empty schema, or one whose admin was never made
            admin = admin or _first_admin(ask_admin)
            made = signin.set_up_first_admin(store, admin.name, admin.pin, admin.password)
            report.admin = made.name
            report.lines.append(
                f"created the first admin, {made.name!r}: they sign in with that PIN and "
                "password and add the other practitioners"
            )
        elif state == "claim":
            report.lines.append(
                "no admin was created: the admins already here set their own PIN and password "
                "at their first sign-in"
            )
        else:
            report.lines.append("no admin was created: the database has one already")
        if app_role:
            _make_app_role(store.engine, app_role, app_password)
            report.app_role = app_role
            report.lines.append(
                f"granted the rooms' role {app_role!r}: it may read and add records; it cannot "
                "change or remove versions, photos, audit events or signatures, nor change the "
                "schema"
            )
    finally:
        store.dispose()
    return report


def _other_tables(engine: Engine) -> list[str]:
    """Tables in the database's schema that are not FaceChart's (nor Alembic's stamp)."""
    with engine.connect() as conn:
        names = set(inspect(conn).get_table_names())
    return sorted(names - set(Base.metadata.tables) - {"alembic_version"})


def _first_admin(ask_admin: AskAdmin | None) -> FirstAdmin:
    """The first admin's details, checked as the app's first start checks them."""
    if ask_admin is None:
        raise ServerInitError("The database has no admin yet: give the first admin's details.")
    admin = ask_admin()
    try:
        name = signin.check_name(admin.name)
        secrets.check_pin(admin.pin)
        secrets.check_password(admin.password)
    except secrets.WeakSecretError as exc:
        raise ServerInitError(f"The first admin cannot be created: {exc}") from None
    return FirstAdmin(name, admin.pin, admin.password)


def _make_app_role(engine: Engine, role: str, password: str | None) -> None:
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
