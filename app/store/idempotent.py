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
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        stmt: Any = postgresql.insert(model).on_conflict_do_nothing(index_elements=list(key))
    elif dialect == "sqlite":
        stmt = sqlite.insert(model).on_conflict_do_nothing(index_elements=list(key))
    else:  # pragma: no cover - only the two supported backends reach here
        raise ValueError(f"no idempotent insert for {dialect}")
    session.execute(stmt, list(rows))
