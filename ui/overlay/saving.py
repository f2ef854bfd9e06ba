"""The overlays in the chart content: what a save writes (the mapping used per view and earlier
chart, ViewChart.overlays) and how the controller follows the content when it changes.

A mapping in the content wins over a fresh alignment: a saved version reopens exactly as it
was, a hand correction (an undo step) replaces the automatic mapping, and its undo brings the
automatic one back. Automatic mappings enter the content only when the chart is saved, so
opening a chart never makes it "unsaved". The controller (ui/overlay/controller.py) does both;
this module holds what they share, and what a save writes from the legend (`content_for_save`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace

from app.domain.chart import ChartContent, OverlayUse
from app.services.touchup import OverlaySource
from ui.overlay.view_state import ViewOverlay

Key = tuple[str, str]  # (version hash of the earlier chart, view code)


def saved_uses(content: ChartContent) -> dict[Key, OverlayUse]:
    return {(u.version_hash, v.view): u for v in content.views for u in v.overlays}


def content_for_save(
    content: ChartContent,
    chosen: Sequence[OverlaySource],
    states: Mapping[Key, ViewOverlay],
    uses: Mapping[Key, OverlayUse],
    removed: Collection[str],
) -> ChartContent:
    """The chart with, per view, the mapping used for each earlier chart shown (`chosen`,
    legend order): the content's own (`uses`), else the one drawn (`states`). Views without a
    usable mapping keep none. A mapping the content holds for a chart not shown (one that
    could not be found or read) is kept as it is, after those: only a chart the clinician
    took off the legend (`removed`) loses its mappings."""
    shown = {s.version_hash for s in chosen}
    views = []
    for view_chart in content.views:
        kept = []
        for source in chosen:
            key = (source.version_hash, view_chart.view)
            state = states.get(key)
            if key in uses:
                kept.append(uses[key])
            elif state and state.ready and state.earlier and state.earlier.photo:
                assert state.mapping is not None  # ready says so
                mapping = state.mapping.to_dict()
                photo = state.earlier.photo.sha256
                kept.append(OverlayUse(source.version_hash, photo, mapping))
        kept += [
            use
            for (version_hash, view), use in uses.items()
            if view == view_chart.view and version_hash not in shown and version_hash not in removed
        ]
        views.append(replace(view_chart, overlays=tuple(kept)))
    return replace(content, views=tuple(views))
