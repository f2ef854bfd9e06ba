"""Writes that another room may make at the same moment with the same content (issue #13).

Content-addressed rows (chart parts, photo blobs) and one-per-key catalogue rows are inserted
with `INSERT … ON CONFLICT DO NOTHING` on both backends: when two rooms insert the same row at
once, one row is stored and neither transaction fails. A check-then-insert let the second
room's unique key fire, and the save was refused as a conflict it was not (50 of 100 saves of
different charts sharing a new part, measured on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.store.schema import Base


def insert_missing(
    session: Session, model: type[Base], rows: Sequence[dict[str, Any]], key: Sequence[str]
) -> None:
    """Insert the rows whose `key` columns are not stored yet; rows already there (inserted
    by anyone, even a moment ago by another room) are left exactly as they are."""
    if not rows:
        return
    session.execute(_on_conflict_nothing(session, model, key), list(rows))


def insert_if_missing(
    session: Session, model: type[Base], row: dict[str, Any], key: Sequence[str]
) -> bool:
    """`insert_missing` of one row: whether this call inserted it (False when it was there,
    even inserted a moment ago by another room), so what records the change records it once."""
    # RETURNING names the row only when this insert added it (a driver's rowcount for an
    # ON CONFLICT insert is not always given: psycopg's is -1)
    stmt = _on_conflict_nothing(session, model, key).returning(*(getattr(model, k) for k in key))
    return session.execute(stmt, row).first() is not None


def _on_conflict_nothing(session: Session, model: type[Base], key: Sequence[str]) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(model).on_conflict_do_nothing(index_elements=list(key))
    if dialect == "sqlite":
        return sqlite.insert(model).on_conflict_do_nothing(index_elements=list(key))
    raise ValueError(f"no idempotent insert for {dialect}")  # pragma: no cover
