"""Store faults as clear messages for the clinician. Every write is one transaction, so when one
of these is raised nothing has been written and the last good state stands."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, OperationalError


class StoreError(Exception):
    """A database problem the clinician can act on; str() is the message to show."""


class NewerDatabaseError(StoreError):
    pass


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


def translate(exc: BaseException) -> StoreError | None:
    """Map a driver error to a StoreError, or None when it is not one we can explain."""
    if not isinstance(exc, DBAPIError):
        return None
    text = str(exc.orig).lower() if exc.orig is not None else str(exc).lower()
    if "readonly" in text or "read-only" in text or "read only" in text:
        return ReadOnlyDatabaseError(
            "The database is read-only, so nothing could be saved. Your changes are still on "
            "screen; ask whoever manages this computer to make the database writable."
        )
    if "locked" in text or "busy" in text:
        return DatabaseLockedError(
            "The database is busy (another FaceChart window or program is writing to it). "
            "Nothing was lost; try again in a moment."
        )
    if "full" in text or "no space" in text or "disk quota" in text:
        return DiskFullError(
            "The disk is full, so nothing could be saved. Your changes are still on screen; "
            "free some space and save again."
        )
    if isinstance(exc, OperationalError) and (
        "unable to open" in text or "could not connect" in text or "connection" in text
    ):
        return DatabaseUnavailableError(f"The database cannot be reached: {exc.orig}")
    return None
