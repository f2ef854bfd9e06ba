"""Store faults as clear messages for the clinician. Every write is one transaction, so when one
of these is raised nothing has been written and the last good state stands."""

from __future__ import annotations

import re
import traceback

from sqlalchemy.exc import DBAPIError, OperationalError


class StoreError(Exception):
    """A database problem the clinician can act on; str() is the message to show."""


class NewerDatabaseError(StoreError):
    pass


class BadDatabaseURLError(StoreError):
    """`--db` (or FACECHART_DB) is not a URL of a database FaceChart can use."""


class ForeignDatabaseError(StoreError):
    """The database holds another program's tables, not FaceChart's: left as it is."""


class ReadOnlyDatabaseError(StoreError):
    pass


class DatabaseLockedError(StoreError):
    pass


class DiskFullError(StoreError):
    pass


class DatabaseUnavailableError(StoreError):
    pass


class ServerUnreachableError(DatabaseUnavailableError):
    """The clinic server went away (connection refused or reset, the server shutting down, a
    timeout): an outage that ends by itself, unlike a wrong password or a missing database.
    A write that met one may or may not have been committed (the answer to COMMIT can be what
    was lost): a retry must be idempotent (`save_version(version_uuid=...)`, ADR 0027)."""


class VersionIdentityError(StoreError):
    """A save's version UUID (its idempotency key) is already a version with other content:
    never taken as "already saved"."""


class ServerCertificateError(StoreError):
    """The clinic server answered, but its TLS certificate is not the one the URL trusts (another
    CA, another host name, no CA file): a setting to fix, not an outage to wait out."""


class ConflictError(StoreError):
    """A save from a stale parent: someone else saved this chart since it was opened."""


class NotFoundError(StoreError):
    pass


class SignOffError(StoreError):
    """A signature, co-signature or amendment refused (app/services/signoff.py): the message
    says why and what to do; nothing was written."""


class AmendReasonRequiredError(SignOffError):
    """A save on top of a signed version is an amendment, and an amendment needs a reason."""


# Drivers say what went wrong in codes; the message text is for people and varies by version
# and language (PostgreSQL's "canceling statement due to lock timeout" never says "locked").
# So the codes decide, and the text is read only when a driver gives no code.
_SQLITE_CODES: dict[str, str] = {
    "SQLITE_READONLY": "read-only",
    "SQLITE_BUSY": "locked",
    "SQLITE_LOCKED": "locked",
    "SQLITE_FULL": "full",
    "SQLITE_CANTOPEN": "unavailable",
}
_POSTGRES_CODES: dict[str, str] = {
    "25006": "read-only",  # read_only_sql_transaction
    "55P03": "locked",  # lock_not_available (lock_timeout)
    "40P01": "locked",  # deadlock_detected: the other side went through; try again
    "53100": "full",  # disk_full
    "57P01": "unreachable",  # admin_shutdown: the server is stopping
    "57P02": "unreachable",  # crash_shutdown
    "57P03": "unreachable",  # cannot_connect_now: starting up or shutting down
    "3D000": "unavailable",  # the database does not exist
    "28000": "unavailable",  # invalid_authorization_specification
    "28P01": "unavailable",  # invalid_password
}


# libpq's words when TLS verification fails (`sslmode=verify-full`, issue #13). Not any "SSL
# error": a server going away mid-session says "SSL error: unexpected eof", an outage.
_TLS_FAILURE = re.compile(
    r"certificate verify failed|server certificate for .* does not match host name|"
    r"root certificate file .* does not exist|could not read root certificate|"
    r"could not get server's host name from server certificate",
    re.IGNORECASE,
)


def _tls_reason(exc: DBAPIError) -> str:
    """libpq's reason, without its "connection to server at … failed:" preamble."""
    reason = driver_summary(exc).rsplit(" failed: ", 1)[-1].removeprefix("SSL error: ").strip()
    if reason == "certificate verify failed":  # OpenSSL's words for "not signed by your CA"
        return "it is not signed by the CA in sslrootcert (certificate verify failed)"
    return reason


def _kind_from_code(orig: BaseException | None) -> str | None:
    """'read-only', 'locked', 'full', 'unavailable', 'unreachable', '' (a code we do not
    explain) or None (no code at all)."""
    name = getattr(orig, "sqlite_errorname", None)  # Python 3.11+: SQLITE_BUSY_SNAPSHOT, ...
    if name:
        return _SQLITE_CODES.get("_".join(str(name).split("_")[:2]), "")
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)  # psycopg 3 / 2
    if code:
        code = str(code)
        if code.startswith("08"):  # connection_exception and its subclasses
            return "unreachable"
        return _POSTGRES_CODES.get(code, "")
    return None


def is_unique_violation(exc: BaseException) -> bool:
    """A UNIQUE/PRIMARY KEY violation (two writers inserting the same key), as opposed to a
    foreign key, NOT NULL or CHECK failure, which is a bug or bad input, never a race."""
    orig = getattr(exc, "orig", None)
    name = str(getattr(orig, "sqlite_errorname", "") or "")
    if name:
        return name in ("SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY")
    code = str(getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None) or "")
    if code:
        return code == "23505"  # unique_violation
    return "unique" in str(orig or exc).lower()


def driver_summary(exc: DBAPIError) -> str:
    """The driver's message, first line only: PostgreSQL's DETAIL line quotes the row's values
    ("Key (family_name)=(Lovelace) already exists"), which must not reach a message or log."""
    text = str(exc.orig) if exc.orig is not None else type(exc).__name__
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


class RedactedDriverError(Exception):
    """A driver error's first line and codes, without the lines after it (PostgreSQL's DETAIL
    quotes the row's values). `is_unique_violation` and `translate` read the same codes."""

    def __init__(self, orig: BaseException | None, summary: str) -> None:
        super().__init__(summary)
        for attr in ("sqlstate", "pgcode", "sqlite_errorname", "sqlite_errorcode"):
            setattr(self, attr, getattr(orig, attr, None))


def redacted(exc: DBAPIError) -> DBAPIError | None:
    """The same kind of error (IntegrityError stays IntegrityError) without the driver's
    DETAIL lines, or None when the message is one line already (SQLite's always is)."""
    text = str(exc.orig).strip() if exc.orig is not None else ""
    if "\n" not in text:
        return None
    clean = type(exc)(
        exc.statement,
        None,
        RedactedDriverError(exc.orig, driver_summary(exc)),
        hide_parameters=True,
        connection_invalidated=exc.connection_invalidated,
        code=exc.code,
    )
    return clean.with_traceback(exc.__traceback__)


def _lost_connection(exc: DBAPIError) -> bool:
    """The connection to a server failed or broke, told by types, not text: SQLAlchemy marks
    the connection invalidated when its dialect sees a disconnect, and psycopg raises a bare
    OperationalError (no SQLSTATE: nothing came from the server) when it cannot connect, the
    socket is reset or closed, or a timeout expires. psycopg's PipelineAborted is also an
    OperationalError without a code, but it follows another statement's error: not an outage.
    SQLite's errors carry their own codes and are never an outage ("database is locked" is a
    busy file)."""
    orig = exc.orig
    if getattr(orig, "sqlite_errorname", None) or type(orig).__module__.startswith("sqlite3"):
        return False
    if exc.connection_invalidated:
        return True
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg ships with FaceChart
        return False
    return isinstance(orig, psycopg.OperationalError) and not isinstance(
        orig, psycopg.errors.PipelineAborted
    )


def _kind_from_text(exc: DBAPIError) -> str:
    text = str(exc.orig).lower() if exc.orig is not None else str(exc).lower()
    if "readonly" in text or "read-only" in text or "read only" in text:
        return "read-only"
    if "locked" in text or "busy" in text or "lock timeout" in text:
        return "locked"
    if "disk is full" in text or "no space" in text or "disk quota" in text:
        return "full"
    if isinstance(exc, OperationalError) and (
        "unable to open" in text or "could not connect" in text or "connection" in text
    ):
        return "unavailable"
    return ""


def unreachable_message(server: str | None = None) -> str:
    where = f" ({server})" if server else ""
    return (
        f"The clinic server{where} cannot be reached. Nothing is lost; FaceChart works again "
        "as soon as the server is back (check the network, or ask whoever looks after it)."
    )


def translate(exc: BaseException, server: str | None = None) -> StoreError | None:
    """Map a driver error to a StoreError, or None when it is not one we can explain.
    `server` ("host:port") names the clinic server in the message of an outage."""
    if not isinstance(exc, DBAPIError):
        return None
    if isinstance(exc, OperationalError) and _TLS_FAILURE.search(driver_summary(exc)):
        return ServerCertificateError(
            f"The clinic server's certificate could not be verified: {_tls_reason(exc)}. Check "
            "sslrootcert= in the database URL (the clinic's CA certificate) and that the URL "
            "names the server as its certificate does."
        )
    kind = _kind_from_code(exc.orig)
    if kind is None:
        kind = "unreachable" if _lost_connection(exc) else _kind_from_text(exc)
    elif kind == "" and exc.connection_invalidated:  # a code we do not know, then a hang-up
        kind = "unreachable"
    if kind == "read-only":
        return ReadOnlyDatabaseError(
            "The database is read-only, so nothing could be saved. Your changes are still on "
            "screen; ask whoever manages this computer to make the database writable."
        )
    if kind == "locked":
        return DatabaseLockedError(
            "The database is busy (another FaceChart window or program is writing to it). "
            "Nothing was lost; try again in a moment."
        )
    if kind == "full":
        return DiskFullError(
            "The disk is full, so nothing could be saved. Your changes are still on screen; "
            "free some space and save again."
        )
    if kind == "unreachable":
        return ServerUnreachableError(unreachable_message(server))
    if kind == "unavailable":
        return DatabaseUnavailableError(f"The database cannot be reached: {driver_summary(exc)}")
    return None


# Modules whose exception messages may quote a row's values (PostgreSQL's DETAIL line).
_DRIVER_MODULES = ("sqlite3", "psycopg", "sqlalchemy")


def _loggable_message(exc: BaseException) -> str:
    if not type(exc).__module__.startswith(_DRIVER_MODULES):
        return str(exc)
    if isinstance(exc, DBAPIError):
        # "(psycopg.errors.X) first line" and the statement (its placeholders, no values)
        return f"({type(exc.orig).__module__}.{type(exc.orig).__name__}) {driver_summary(exc)}" + (
            f"\n[SQL: {exc.statement}]" if exc.statement else ""
        )
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""


def loggable_traceback(exc: BaseException) -> str:
    """A traceback for the error log, as Python prints it, but with database errors cut to
    their first line and statement: the log holds no patient data (issue #11)."""
    chain: list[tuple[BaseException, str]] = []  # each exception, and what led from it
    seen: set[int] = set()
    current: BaseException | None = exc
    link = ""
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append((current, link))
        if current.__cause__ is not None:
            current, link = current.__cause__, "direct cause"
        elif current.__context__ is not None and not current.__suppress_context__:
            current, link = current.__context__, "context"
        else:
            current = None
    parts: list[str] = []
    for i, (e, _) in enumerate(reversed(chain)):
        if i:
            # the link of the exception after this one in the chain, as Python words it
            link = chain[len(chain) - i][1]
            parts.append(
                "\nThe above exception was the direct cause of the following exception:\n\n"
                if link == "direct cause"
                else "\nDuring handling of the above exception, another exception occurred:\n\n"
            )
        if e.__traceback__ is not None:
            parts.append("Traceback (most recent call last):\n")
            parts.extend(traceback.format_tb(e.__traceback__))
        name = type(e).__qualname__
        module = type(e).__module__
        qualified = name if module in ("builtins", "__main__") else f"{module}.{name}"
        message = _loggable_message(e)
        parts.append(f"{qualified}: {message}\n" if message else f"{qualified}\n")
    return "".join(parts)
