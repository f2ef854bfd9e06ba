"""A consistent copy of a SQLite database while the app (or another room) keeps saving.

SQLite's online backup API copies the database page by page through a connection; run in one
step inside a read transaction, it copies exactly the snapshot that transaction sees, and the
counts taken in the same transaction describe that copy. A file copy would not: it misses what
sits in the `-wal` file and can catch a save half-written (issue #12 measured 5 versions lost).
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from app.store.database import Store

# What a backup is compared on (issue #12): the same in the source snapshot and in the copy.
_COUNTS = {
    "patients": "SELECT COUNT(*) FROM patient",
    "visits": "SELECT COUNT(*) FROM visit",
    "versions": "SELECT COUNT(*) FROM chart_version",
    "photos": "SELECT COUNT(*) FROM photo",
}
_NEWEST_SAVE = "SELECT MAX(saved_at) FROM chart_version"


@dataclass(frozen=True, slots=True)
class Counts:
    patients: int
    visits: int
    versions: int
    photos: int
    newest_save: str | None  # as stored (UTC)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Counts:
        return cls(
            int(data["patients"]),
            int(data["visits"]),
            int(data["versions"]),
            int(data["photos"]),
            data.get("newest_save"),
        )

    def differences(self, other: Counts) -> list[str]:
        out = []
        for name in ("patients", "visits", "versions", "photos"):
            mine, theirs = getattr(self, name), getattr(other, name)
            if mine != theirs:
                out.append(f"{name}: {theirs} in the copy, {mine} in the database")
        return out


def counts_of(conn: sqlite3.Connection) -> Counts:
    n = {name: int(conn.execute(sql).fetchone()[0]) for name, sql in _COUNTS.items()}
    newest = conn.execute(_NEWEST_SAVE).fetchone()[0]
    return Counts(
        n["patients"], n["visits"], n["versions"], n["photos"], None if newest is None else newest
    )


class NotSQLiteError(ValueError):
    """Backups of a server database go through the portable archive (issue #12)."""


def copy_database(store: Store, out: Path) -> Counts:
    """Write a consistent copy of the store's SQLite database to `out`; returns the counts
    of the snapshot it holds."""
    if not store.is_sqlite:
        raise NotSQLiteError(
            "A clinic server's database is backed up by its administrators (pg_dump) or with "
            "the portable archive (export), not with a backup file."
        )
    raw = store.engine.raw_connection()
    try:
        source = raw.driver_connection
        assert isinstance(source, sqlite3.Connection)
        source.execute("BEGIN")  # a read transaction: the snapshot both the counts and copy see
        try:
            counts = counts_of(source)
            target = sqlite3.connect(out)
            try:
                source.backup(target)  # one step: the whole snapshot, no writer is blocked
                target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            finally:
                target.close()
        finally:
            source.execute("COMMIT")
    finally:
        raw.close()
    return counts
