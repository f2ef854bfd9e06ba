"""Opening the database: engine from a URL, SQLite settings, migrations at start-up.

SQLite (one file in the user's data folder) is the default; the same code runs on PostgreSQL
given a URL. A database written by a newer FaceChart is refused before anything touches it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import platformdirs
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

from app.store.errors import (
    BadDatabaseURLError,
    ForeignDatabaseError,
    NewerDatabaseError,
    StoreError,
    driver_summary,
    redacted,
    translate,
)
from app.store.private import (
    create_private_file,
    created_dirs,
    private_dir,
    restrict_sqlite_files,
)

if TYPE_CHECKING:
    import sqlite3  # the connections the sqlite dialect makes (pysqlite); only a type here

APP_NAME = "FaceChart"
MIGRATIONS = Path(__file__).with_name("migrations")
DEFAULT_BUSY_TIMEOUT_MS = 5000


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_url() -> str:
    """`FACECHART_DB` if set, else SQLite in the user's data folder."""
    env = os.environ.get("FACECHART_DB")
    if env:
        return env
    return URL.create(
        "sqlite", database=str(default_data_dir() / "facechart.db")
    ).render_as_string()


def sqlite_url(path: Path, read_only: bool = False) -> str:
    """A SQLite URL for a file; read-only opens it with `mode=ro` (ADR 0002)."""
    if read_only:
        # The path goes into a SQLite URI, where '#' starts a fragment, '?' a query and '%' an
        # escape: unquoted, "Clinic #1/facechart.db" opened "Clinic " -- a different,
        # *writable* database, losing mode=ro with the fragment. So percent-encode it for
        # SQLite, then let URL.create quote it once more for SQLAlchemy's own URL parsing.
        posix = Path(path).absolute().as_posix()
        if not posix.startswith("/"):  # Windows drive path: SQLite wants file:/C:/...
            posix = "/" + posix
        return URL.create(
            "sqlite",
            database="file:" + quote(posix, safe="/:"),
            query={"mode": "ro", "uri": "true"},
        ).render_as_string()
    return URL.create("sqlite", database=str(path)).render_as_string()


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def _configure_sqlite(engine: Engine, busy_timeout_ms: int, file: Path | None) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
        if file is not None:
            # On every connection, not once: SQLite makes -wal/-shm lazily (and removes them
            # when the last connection closes), and an older FaceChart left the file 0644.
            restrict_sqlite_files(file)
        # Let SQLAlchemy's BEGIN below own transactions (pysqlite's own handling is quirky).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        # No journal_mode here: switching to WAL rewrites the file header, and a connection is
        # made before we know the file is ours to change (a newer FaceChart's database must be
        # left byte for byte). WAL is a property of the file, set once in open_store.
        cur.execute("PRAGMA synchronous=FULL")  # a committed version survives a power cut
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # Store.write asks for BEGIN IMMEDIATE: a deferred transaction that has read and then
        # wants to write cannot wait for another writer (SQLite returns SQLITE_BUSY at once,
        # without the busy timeout), so two rooms saving together failed as "locked".
        conn.exec_driver_sql(f"BEGIN {conn.get_execution_options().get(_BEGIN_OPTION, '')}")


_BEGIN_OPTION = "facechart_sqlite_begin"


def _use_wal(engine: Engine) -> None:
    """Write-ahead logging: readers never block the writer, a crash never leaves half a save."""
    raw = engine.raw_connection()  # outside any transaction: the mode cannot change inside one
    try:
        raw.cursor().execute("PRAGMA journal_mode=WAL")
    except Exception:  # read-only (or busy) database: keep the journal mode it has
        pass
    finally:
        raw.close()


@dataclass
class Store:
    """The open database: an engine and a session factory. Services take one of these."""

    engine: Engine
    sessions: sessionmaker[Session]
    # this thread's `snapshot()` session, which `read()` then reuses
    _reading: threading.local = field(default_factory=threading.local, repr=False)
    # Write transactions of this process begun and ended so far (committed or not), but for
    # those that only log what someone looked at: what was read with none in flight and none
    # since is known current without a read (ui/shell/chart_prefetch.py).
    writes_begun: int = field(default=0, repr=False, compare=False)
    writes_ended: int = field(default=0, repr=False, compare=False)
    _counting: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @cached_property
    def _write_engine(self) -> Engine:
        """The same engine and pool; on SQLite its transactions begin IMMEDIATE."""
        return self.engine.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})

    @property
    def url(self) -> URL:
        return self.engine.url

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def server(self) -> str | None:
        """The "host:port" of a clinic server, for messages; None for a SQLite file."""
        return server_label(self.engine.url)

    @contextmanager
    def write(self, *, only_logs: bool = False) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on any error, driver
        errors translated into StoreError messages. `only_logs`: it appends an audit event of
        something looked at and changes no record (not counted in `writes_begun`/`writes_ended`)."""
        if not only_logs:
            with self._counting:
                self.writes_begun += 1
        try:
            session = self.sessions(bind=self._write_engine)
            try:
                with self._translated(), session.begin():
                    yield session
            finally:
                session.close()
        finally:
            if not only_logs:
                with self._counting:  # after the commit: a read begun before it is stale
                    self.writes_ended += 1

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Every `read()` of this thread inside the block is one read transaction: what a
        screen reads in several service calls (opening a chart) comes from one state of the
        database, without another room's save landing between two of them, and pays for one
        session instead of a dozen."""
        if getattr(self._reading, "session", None) is not None:
            yield  # already inside one
            return
        with self.read() as session:
            if not self.is_sqlite:  # PostgreSQL: one snapshot for the transaction, not per query
                session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            self._reading.session = session
            try:
                yield
            finally:
                self._reading.session = None

    @contextmanager
    def read(self) -> Iterator[Session]:
        shared: Session | None = getattr(self._reading, "session", None)
        if shared is not None:
            # Inside `snapshot()`, whose transaction ends with its block: each read is a
            # savepoint, so an error one caller handles (a photo that cannot be read) leaves
            # the snapshot usable (PostgreSQL refuses every later query of a transaction that
            # met an error), and its driver errors are translated as any read's.
            with self._translated(), shared.begin_nested():
                yield shared
            return
        session = self.sessions()
        try:
            # The rollback too: a server that went away after the last query fails it, and
            # that is "cannot be reached" like any other lost connection, not a raw driver
            # error escaping the screen that only handles StoreError.
            with self._translated():
                try:
                    yield session
                finally:
                    session.rollback()
        finally:
            session.close()

    @contextmanager
    def _translated(self) -> Iterator[None]:
        """Driver errors as StoreError messages (app/store/errors.py)."""
        try:
            yield
        except DBAPIError as exc:
            translated = translate(exc, self.server)
            if translated is not None:
                raise translated from exc
            clean = redacted(exc)
            if clean is not None:  # the driver's DETAIL quotes names: not into any message
                raise clean from None
            raise

    def dispose(self) -> None:
        self.engine.dispose()


def server_label(url: URL) -> str | None:
    """The "host:port" of a PostgreSQL URL (the clinic server a message names), else None."""
    if url.get_backend_name() != "postgresql":
        return None
    return f"{url.host or 'localhost'}:{url.port or 5432}"


SUPPORTED_BACKENDS = ("sqlite", "postgresql")
_URL_HELP = "use sqlite:///path/to/facechart.db or postgresql://user@host:port/database"


def parse_database_url(url: str) -> URL:
    """The URL parsed, or BadDatabaseURLError saying in one line what is wrong with it. The
    message names the scheme only: the URL may hold a password."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise BadDatabaseURLError(f"The database URL (--db) is not a URL; {_URL_HELP}.") from None
    except ValueError:  # the port: int() of "notaport"
        raise BadDatabaseURLError(
            f"The database URL (--db) has a port that is not a number; {_URL_HELP}."
        ) from None
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED_BACKENDS:
        raise BadDatabaseURLError(
            f"The database URL (--db) names a database FaceChart does not use ({backend!r}); "
            f"{_URL_HELP}."
        )
    return parsed


def sqlite_file(url: URL) -> Path | None:
    """The file of a SQLite URL: None for memory and for `file:` URIs (opened read-only)."""
    database = url.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def _prepare_sqlite_file(path: Path) -> None:
    """The database's folder and the file itself, private before SQLite first writes it."""
    if path.parent.absolute() == default_data_dir().absolute():
        private_dir(path.parent)  # FaceChart's own folder: 0700 even when it exists (0755)
    else:
        created_dirs(path.parent)  # the user's folder keeps its mode; folders made here: 0700
    create_private_file(path)


def create_store_engine(url: str, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS) -> Engine:
    """An engine for `url`; BadDatabaseURLError for a URL FaceChart cannot use. Statement
    parameters are never put into error messages (hide_parameters): they carry patients'
    names and dates of birth, and errors end up in the log (issue #11)."""
    parsed = parse_database_url(url)
    try:
        return _create_engine(parsed, busy_timeout_ms)
    except (NoSuchModuleError, ImportError):
        raise BadDatabaseURLError(
            "The database URL (--db) names a driver FaceChart does not have "
            f"({parsed.drivername!r}); {_URL_HELP}."
        ) from None


# How a room notices that the clinic server went away (issue #13, ADR 0027), as libpq
# parameters; any of them given in the URL's query wins. Without these a connect to a server
# that is off the network waits for the operating system's TCP timeout (minutes), and a
# connection whose server vanished mid-statement waits for ever: the save would sit at
# "Saving…" instead of saying the server cannot be reached and retrying.
# No statement_timeout: a save carrying a 12 MP photo may rightly take long on a slow link, and
# a timeout would cancel it; a dead link is told by TCP (keepalives, tcp_user_timeout), which
# does not depend on how long a statement runs.
SERVER_LINK_ARGS: dict[str, int] = {
    "connect_timeout": 5,  # seconds to connect before "cannot be reached"
    "keepalives": 1,
    "keepalives_idle": 10,  # seconds of silence before the first probe
    "keepalives_interval": 5,
    "keepalives_count": 3,  # so an idle dead link is noticed within ~25 s
    # milliseconds sent data may stay unacknowledged (keepalives do not probe while data is
    # in flight): a photo streams as long as the server keeps acknowledging it
    "tcp_user_timeout": 30000,
}


def _server_link_args(parsed: URL) -> dict[str, int]:
    return {k: v for k, v in SERVER_LINK_ARGS.items() if k not in parsed.query}


def _create_engine(parsed: URL, busy_timeout_ms: int) -> Engine:
    if parsed.get_backend_name() == "sqlite":
        file = sqlite_file(parsed)
        if file is not None:
            try:
                _prepare_sqlite_file(file)
            except OSError as exc:
                raise StoreError(
                    f"The database folder {file.parent} cannot be used: {exc.strerror or exc}"
                ) from exc
        engine = create_engine(parsed, hide_parameters=True)
        _configure_sqlite(engine, busy_timeout_ms, file)
        return engine
    if parsed.drivername in ("postgresql", "postgres"):
        # A plain postgresql:// URL would pick psycopg2, which FaceChart does not ship.
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "postgresql":
        # SQLite's busy timeout, on the server: without it a save waiting for another
        # session's lock waits for ever instead of saying "busy" (DatabaseLockedError).
        options = " ".join(
            filter(
                None, [str(parsed.query.get("options", "")), f"-c lock_timeout={busy_timeout_ms}"]
            )
        )
        return create_engine(
            parsed,
            pool_pre_ping=True,  # a pooled connection the server dropped is noticed, not used
            hide_parameters=True,
            connect_args={**_server_link_args(parsed), "options": options},
        )
    return create_engine(parsed, pool_pre_ping=True, hide_parameters=True)


def check_schema_version(engine: Engine) -> str | None:
    """The database's schema revision; NewerDatabaseError when this FaceChart does not know it."""
    script = ScriptDirectory.from_config(alembic_config())
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
        # No revision stamp but tables of its own: another program's database (a wrong file
        # picked for --db). Migrating would write FaceChart's tables into it.
        others = [] if current is not None else inspect(conn).get_table_names()
    if others:
        raise ForeignDatabaseError(
            "This database belongs to another program (it has tables such as "
            f"{', '.join(sorted(others)[:3])}, but none of FaceChart's). Choose FaceChart's "
            "database or a new file; this one has not been changed."
        )
    if current is not None:
        known = {rev.revision for rev in script.walk_revisions()}
        if current not in known:
            raise NewerDatabaseError(
                "This database was written by a newer version of FaceChart "
                f"(schema {current}). Install the newer FaceChart to open it; the database has "
                "not been changed."
            )
    return current


def open_store(
    url: str | None = None, *, migrate: bool = True, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS
) -> Store:
    """Open (and if needed create and migrate) the database at `url`."""
    engine = create_store_engine(url or default_url(), busy_timeout_ms)
    try:
        current = check_schema_version(engine)
        script = ScriptDirectory.from_config(alembic_config())
        if migrate and engine.dialect.name == "sqlite":
            _use_wal(engine)  # only now: the schema check above proved the file is ours
        if migrate and current != script.get_current_head():
            with engine.begin() as conn:
                cfg = alembic_config()
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
    except DBAPIError as exc:
        engine.dispose()
        translated = translate(exc, server_label(engine.url))
        if translated is not None:
            raise translated from exc
        raise StoreError(f"The database could not be opened: {driver_summary(exc)}") from exc
    except Exception:
        engine.dispose()
        raise
    return Store(engine, sessionmaker(engine, expire_on_commit=False))
