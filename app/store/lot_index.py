"""The lot index (ADR 0030): one `lot_use` row per product lot a chart version names, written
in the transaction that writes the version, so recall never reads chart content.

Every path that adds a `chart_version` row calls `index_version` (the chart service's save,
the archive importer); migration 0011 filled the rows of versions saved before it with
`index_rows`, the same function.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from app.domain.lots import lot_key, lot_uses
from app.domain.values import format_units
from app.store.schema import LotUse


def index_rows(version_id: int, chart_id: int, content: Any) -> list[dict[str, Any]]:
    """The `lot_use` rows of one version's content, as column values."""
    return [
        {
            "version_id": version_id,
            "chart_id": chart_id,
            "product": use.product,
            "lot": use.lot,
            "lot_key": lot_key(use.lot),
            "kind": use.kind,
            "units": None if use.units is None else format_units(use.units),
            "point_count": use.points,
        }
        for use in lot_uses(content)
    ]


def index_version(session: Session, version_id: int, chart_id: int, content: Any) -> int:
    """Add the version's lot rows inside the caller's transaction; returns how many."""
    rows = index_rows(version_id, chart_id, content)
    if rows:
        session.execute(insert(LotUse), rows)
    return len(rows)
