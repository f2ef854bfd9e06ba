"""The earlier charts a saved version was drawn with, for read-only screens (the version viewer):
each `OverlayUse` of a view drawn through its saved mapping, never aligned again.

The saved overlay names its earlier chart by content hash only; the touch-up services find
earlier charts per visit, so the version is looked up among the visit's earlier charts and
their versions (an adapter on `overlay_sources` / `versions_of`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.domain.chart import ViewChart
from app.services import touchup
from app.services.touchup import OverlaySource
from app.store.errors import StoreError
from ui.overlay.ghost_items import GhostLayer

if TYPE_CHECKING:
    from app.store.database import Store


def find_source(store: Store, visit_id: int, version_hash: str) -> OverlaySource | None:
    """The earlier chart version with this hash, among those the visit can overlay."""
    heads = touchup.overlay_sources(store, visit_id)
    for s in heads:
        if s.version_hash == version_hash:
            return s
    for s in heads:
        for v in touchup.versions_of(store, s.visit_id, for_visit_id=visit_id):
            if v.version_hash == version_hash:
                return v
    return None


def saved_layers(
    store: Store, visit_id: int, chart: ViewChart
) -> list[tuple[OverlaySource, GhostLayer]]:
    """One ghost layer per earlier chart saved with this view, in legend order."""
    out: list[tuple[OverlaySource, GhostLayer]] = []
    for index, use in enumerate(chart.overlays):
        try:
            source = find_source(store, visit_id, use.version_hash)
            earlier = touchup.earlier_view(store, source, chart.view) if source else None
        except StoreError:
            continue
        if source is None or earlier is None or use.mapping.get("method") == "none":
            continue
        mapped = touchup.map_view_chart(earlier.chart, dict(use.mapping))
        out.append((source, GhostLayer(mapped, index)))
    return out
