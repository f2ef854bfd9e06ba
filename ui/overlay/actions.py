"""What the clinician does with an earlier chart that changes today's chart: carry its points
forward, or replace a view's alignment with one corrected by hand. Each is one undo step on the
editor's stack, and each records in the view's overlays the mapping it used.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING

from app.domain.chart import ChartContent, OverlayUse
from app.services import touchup
from app.services.alignment import Mapping
from app.services.touchup import OverlaySource

if TYPE_CHECKING:
    from ui.overlay.controller import OverlayController


def with_use(
    ctrl: OverlayController, content: ChartContent, view: str, use: OverlayUse
) -> ChartContent:
    """`content` with `use` as the view's overlay for its source, in legend order."""
    chart = content.view(view)
    if chart is None:
        return content
    by_hash = {u.version_hash: u for u in chart.overlays}
    by_hash[use.version_hash] = use
    order = [s.version_hash for s in ctrl.chosen]
    uses = sorted(
        by_hash.values(),
        key=lambda u: order.index(u.version_hash) if u.version_hash in order else 99,
    )
    return content.with_view(replace(chart, overlays=tuple(uses)))


def current_use(ctrl: OverlayController, source: OverlaySource, view: str) -> OverlayUse | None:
    state = ctrl.state(source, view)
    if state is None or not state.ready or state.earlier is None or state.earlier.photo is None:
        return None
    assert state.mapping is not None  # ready says so
    return OverlayUse(source.version_hash, state.earlier.photo.sha256, state.mapping.to_dict())


def apply_hand_mapping(
    ctrl: OverlayController, source: OverlaySource, view: str, mapping: Mapping
) -> None:
    state = ctrl.state(source, view)
    if state is None or state.earlier is None or state.earlier.photo is None:
        return
    use = OverlayUse(source.version_hash, state.earlier.photo.sha256, mapping.to_dict())
    ctrl.session.apply(with_use(ctrl, ctrl.session.content, view, use), "Adjust alignment", view)


def carry_forward(
    ctrl: OverlayController, source: OverlaySource, views: list[str], doses: bool = True
) -> tuple[str, list[str]]:
    """Copy the earlier points of `views` into today's chart (one undo step), with their
    doses or at 0 U (a touch-up's top-up is decided point by point). Returns what happened
    in words, and the views refused because they are not aligned (never guessed)."""
    session = ctrl.session
    content = session.content
    carried, refused, waiting = 0, [], []
    areas = 0  # a microneedling chart's areas carried (the next session's plan)
    for view in views:
        state = ctrl.state(source, view)
        name = session.view_names.get(view, view)
        if state is None or state.status == "absent":
            continue
        if state.pending:  # read or aligned in the background: not guessed meanwhile
            waiting.append(name)
            continue
        use = current_use(ctrl, source, view)
        if use is None or state.earlier is None:
            refused.append(view)
            continue
        assert state.mapping is not None  # a current use says it is ready
        chart = content.view(view)
        done = {
            (p.origin.point_id, p.origin.version_hash)
            for p in (chart.points if chart else ())
            if p.origin
        }
        new = [
            p if doses else replace(p, units=Decimal(0))
            for p in touchup.carry_forward(state.earlier, state.mapping)
            if p.origin is None or (p.origin.point_id, p.origin.version_hash) not in done
        ]
        content = with_use(ctrl, content, view, use)
        chart = content.view(view)
        if chart is not None and new:
            content = content.with_view(replace(chart, points=(*chart.points, *new)))
            carried += len(new)
        chart = content.view(view)
        had = (
            {(a.origin.area_id, a.origin.version_hash) for a in chart.areas if a.origin}
            if chart
            else set()
        )
        new_areas = [
            a
            for a in touchup.carry_areas_forward(state.earlier, state.mapping)
            if a.origin is None or (a.origin.area_id, a.origin.version_hash) not in had
        ]
        if chart is not None and new_areas:
            content = content.with_view(replace(chart, areas=(*chart.areas, *new_areas)))
            areas += len(new_areas)
    if carried or areas:
        session.apply(content, "Carry forward", ctrl.host.current_view)
    parts = []
    if areas:
        parts.append(
            f"Carried forward {areas} area{'s' if areas != 1 else ''} with last session's "
            "depths: tap an area to adjust its depth."
        )
    if carried:
        what = f"Carried forward {carried} point{'s' if carried != 1 else ''}"
        parts.append(f"{what}." if doses else f"{what} at 0 U: set today's dose on each.")
    elif not areas and not refused and not waiting:
        parts.append("Nothing to carry forward: those points are already in today's chart.")
    if waiting:
        parts.append(f"Still aligning {', '.join(waiting)}: try again in a moment.")
    if refused:
        names = ", ".join(session.view_names.get(v, v) for v in refused)
        parts.append(
            f"{names} could not be aligned, so its points were not carried "
            "forward. Align it by hand with Compare / adjust."
        )
    return " ".join(parts), refused
