"""The overlays in the chart content: what a save writes (the mapping used per view and earlier
chart, ViewChart.overlays) and how the controller follows the content when it changes.

A mapping in the content wins over a fresh alignment: a saved version reopens exactly as it
was, a hand correction (an undo step) replaces the automatic mapping, and its undo brings the
automatic one back. Automatic mappings enter the content only when the chart is saved, so
opening a chart never makes it "unsaved".
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from app.domain.chart import ChartContent, OverlayUse

if TYPE_CHECKING:
    from ui.overlay.controller import Key, OverlayController


def saved_uses(content: ChartContent) -> dict[Key, OverlayUse]:
    return {(u.version_hash, v.view): u for v in content.views for u in v.overlays}


def follow_model(ctrl: OverlayController) -> None:
    uses = saved_uses(ctrl.editor.model.content)
    if uses == ctrl.uses:  # every stroke lands here: no overlay change costs a dict compare
        return
    changed = {k for k in uses.keys() | ctrl.uses.keys() if uses.get(k) != ctrl.uses.get(k)}
    ctrl.uses = uses
    for key in changed:
        state, use = ctrl.states.get(key), uses.get(key)
        if use is not None and state is not None and state.ready and not state.saved:
            if state.mapping.to_dict() == dict(use.mapping):  # type: ignore[union-attr]
                state.saved = True  # just saved as it is shown: nothing to redraw
                continue
        # A hand correction or its undo: rebuild from the content (or align again).
        source = next((s for s in ctrl.chosen if s.version_hash == key[0]), None)
        ctrl.forget(key)
        ctrl.queue = [k for k in ctrl.queue if k != key]
        if source is not None:
            ctrl.ensure(key, source)
    ctrl.pump()
    ctrl.changed.emit()


def content_for_save(ctrl: OverlayController, content: ChartContent) -> ChartContent:
    """The chart with, per view, the mapping used for each earlier chart shown (legend order).
    Views without a usable mapping keep none; before the sources are read, the content is
    left as it is."""
    if not ctrl.started:
        return content
    views = []
    for view_chart in content.views:
        uses = []
        for source in ctrl.chosen:
            key = (source.version_hash, view_chart.view)
            state = ctrl.states.get(key)
            if key in ctrl.uses:
                uses.append(ctrl.uses[key])
            elif state and state.ready and state.earlier and state.earlier.photo:
                mapping = state.mapping.to_dict()  # type: ignore[union-attr]
                uses.append(OverlayUse(source.version_hash, state.earlier.photo.sha256, mapping))
        views.append(replace(view_chart, overlays=tuple(uses)))
    return replace(content, views=tuple(views))
