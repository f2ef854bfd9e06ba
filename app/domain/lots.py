"""Lots a chart names, for the lot index behind lot recall (issue #14, ADR 0030).

A chart's content says which lot of each product it used (`ProductUse.lot`), and its points
say how many units of each product went where. `lot_uses` turns one version's content into
one row per (product, lot): the index row written with the version.

Another treatment type names its lots in its own content (a microneedling session's
cartridge): it registers one more *lot source* with `register_lot_source`, a function from a
version's content to `LotUse` rows, and every save, import and the index rebuild include it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.domain.chart import ChartContent
from app.domain.totals import totals

# Spaces, hyphens, dots and slashes are how people type a lot, not part of it.
_NOT_IN_KEY = re.compile(r"[\s\-./]+")
KEY_LENGTH = 200  # the index column's width; GS1 lots are at most 20 characters


def lot_key(lot: str) -> str:
    """The form lots are matched by: case, spaces and separators folded, so "c3a 123" typed at
    the desk finds "C3A-123" scanned from a carton. A recall must not miss a patient over how
    a lot was written; the few extra matches this could make are read on the result list."""
    return _NOT_IN_KEY.sub("", lot).upper()[:KEY_LENGTH]


@dataclass(frozen=True, slots=True)
class LotUse:
    """One product lot a version used: for a toxin, the points and units of that product."""

    product: str
    lot: str
    kind: str = "vial"  # "vial" (toxin), "cartridge" (microneedling), …
    units: Decimal | None = None  # None where the product is not dosed in units
    points: int = 0


LotSource = Callable[[Any], Iterable[LotUse]]


def toxin_lots(content: Any) -> Iterable[LotUse]:
    """A toxin chart's vials: per product with a lot, that product's points and units."""
    if not isinstance(content, ChartContent):
        return []
    per_product = totals(content)
    out = []
    for use in content.products:
        if not lot_key(use.lot):
            continue
        t = per_product.get(use.product)
        units, points = (t.total, t.points) if t else (Decimal(0), 0)
        out.append(LotUse(use.product, use.lot.strip(), "vial", units, points))
    return out


def cartridge_lots(content: Any) -> Iterable[LotUse]:
    """A microneedling session's cartridge (ADR 0029): its lot, no units or points. The
    product is the cartridge as written, else the device, else "cartridge"."""
    session = getattr(content, "microneedling", None)
    if session is None or not lot_key(session.cartridge_lot):
        return []
    product = session.cartridge.strip() or session.device.strip() or "cartridge"
    return [LotUse(product, session.cartridge_lot.strip(), "cartridge")]


# Listed here, not registered by the treatment's module: the migration that fills the index
# for versions saved before it existed must see every source without importing the UI.
_SOURCES: list[LotSource] = [toxin_lots, cartridge_lots]


def register_lot_source(source: LotSource) -> None:
    """Add a treatment type's lots to the index (once, at import of its module)."""
    if source not in _SOURCES:
        _SOURCES.append(source)


def lot_uses(content: Any) -> list[LotUse]:
    """Every lot the content names, one row per (product, lot key), from every source."""
    seen: set[tuple[str, str]] = set()
    out = []
    for source in _SOURCES:
        for use in source(content):
            key = (use.product, lot_key(use.lot))
            if key not in seen:
                seen.add(key)
                out.append(use)
    return out
