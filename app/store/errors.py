"""Store faults as clear messages for the clinician. Every write is one transaction, so when one
of these is raised nothing has been written and the last good state stands."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, OperationalError


class StoreError(Exception):
    """A database problem the clinician can act on; str() is the message to show."""


class NewerDatabaseError(StoreError):
    pass


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


class ConflictError(StoreError):
    """A save from a stale parent: someone else saved this chart since it was opened."""


class NotFoundError(StoreError):
    pass


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
    "57P01": "unavailable",  # admin_shutdown
    "57P02": "unavailable",  # crash_shutdown
    "57P03": "unavailable",  # cannot_connect_now
    "3D000": "unavailable",  # the database does not exist
    "28000": "unavailable",  # invalid_authorization_specification
    "28P01": "unavailable",  # invalid_password
}


def _kind_from_code(orig: BaseException | None) -> str | None:
    """'read-only', 'locked', 'full', 'unavailable', '' (a code we do not explain) or None (no
    code at all)."""
    name = getattr(orig, "sqlite_errorname", None)  # Python 3.11+: SQLITE_BUSY_SNAPSHOT, ...
    if name:
        return _SQLITE_CODES.get("_".join(str(name).split("_")[:2]), "")
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)  # psycopg 3 / 2
    if code:
        code = str(code)
        if code.startswith("08"):  # connection_exception and its subclasses
            return "unavailable"
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


def translate(exc: BaseException) -> StoreError | None:
    """Map a driver error to a StoreError, or None when it is not one we can explain."""
    if not isinstance(exc, DBAPIError):
        return None
    kind = _kind_from_code(exc.orig)
    if kind is None:
        kind = _kind_from_text(exc)
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
    if kind == "unavailable":
        return DatabaseUnavailableError(f"The database cannot be reached: {exc.orig}")
    return None
