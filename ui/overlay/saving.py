"""The overlays in the chart content: what a save writes (the mapping used per view and earlier
chart, ViewChart.overlays) and how the controller follows the content when it changes.

A mapping in the content wins over a fresh alignment: a saved version reopens exactly as it
was, a hand correction (an undo step) replaces the automatic mapping, and its undo brings the
automatic one back. Automatic mappings enter the content only when the chart is saved, so
opening a chart never makes it "unsaved". The controller (ui/overlay/controller.py) does both;
this module holds what they share.
"""

from __future__ import annotations

from app.domain.chart import ChartContent, OverlayUse

Key = tuple[str, str]  # (version hash of the earlier chart, view code)


def saved_uses(content: ChartContent) -> dict[Key, OverlayUse]:
    return {(u.version_hash, v.view): u for v in content.views for u in v.overlays}
