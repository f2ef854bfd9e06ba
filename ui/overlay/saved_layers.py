"""The earlier charts a saved version was drawn with, for read-only screens (the version viewer):
each `OverlayUse` of a view drawn through its saved mapping, never aligned again.

The saved overlay names its earlier chart by content hash only, and `touchup.source_of` finds
it by that hash, even when its visit was entered in error later: what the clinician saw then
is what the version records, so it is drawn as saved (and a re-save keeps it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.domain.chart import ViewChart
from app.services import touchup
from app.services.touchup import OverlaySource
from app.store.errors import StoreError
from ui.overlay.ghost_items import GhostLayer

if TYPE_CHECKING:
    from app.services.store import Store


def find_source(store: Store, visit_id: int, version_hash: str) -> OverlaySource | None:
    """The earlier chart version a saved overlay of this visit names, or None."""
    return touchup.source_of(store, visit_id, version_hash)


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
