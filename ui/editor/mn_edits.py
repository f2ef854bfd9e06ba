"""The typed edits of a microneedling chart, each one undo step of the editing session (the
session's `apply`): add an area, set its name, depth, passes or note, delete it, and set the
session record. Tools and sheets call these, never the scene."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

from app.domain.microneedling import (
    MicroneedlingSession,
    TreatedArea,
    Vertex,
    first_depth,
    format_depth,
)
from app.domain.mn_editing import find_area, put_area, put_session, remove_area
from app.domain.mn_merge import StrokePlacement, place_stroke
from ui.editor.session import EditorSession, Selection


class AreaEdits:
    def __init__(self, session: EditorSession) -> None:
        self.session = session
        self.last_name = ""  # a new area takes the last name used, as a point its product
        self.say: Callable[[str], None] = lambda _text: None  # the editor's message bar

    @property
    def record(self) -> MicroneedlingSession:
        return self.session.content.microneedling or MicroneedlingSession()

    def selected(self) -> tuple[str, TreatedArea] | None:
        sel = self.session.selection
        return find_area(self.session.content, sel.point_id) if sel else None

    def add_area(self, view: str, polygon: tuple[Vertex, ...]) -> TreatedArea:
        """A new area with the last name used and that area's first depth; chosen, so its
        sheet opens for the name and depth."""
        name = self.last_name
        area = TreatedArea(polygon, name, first_depth(name))
        s = self.session
        after = put_area(s.content, view, area)
        if s.content.microneedling is None:  # the first area starts the session's record
            after = put_session(after, MicroneedlingSession())
        s.apply(after, "Add area", view)
        s.select(Selection(view, area.id))
        return area

    def add_stroke(
        self, view: str, polygon: tuple[Vertex, ...], tolerance: float, min_overlap: float
    ) -> StrokePlacement:
        """A brush stroke: it grows the area it is painted over (one undo step; its id, name,
        depth, passes and note kept), or is a new area when it overlaps none, or areas of
        different depths (ADR 0029). Either way the area is chosen and its sheet opens."""
        s = self.session
        v = s.content.view(view)
        placed = place_stroke(v.areas if v else (), polygon, tolerance, min_overlap)
        grown = placed.joined
        if s.read_only:
            return placed
        if grown is None:
            self.add_area(view, polygon)
            if placed.depths_differ:
                self.say(
                    "This stroke crosses areas of different depths ("
                    + ", ".join(_named(a) for a in placed.overlapped)
                    + "): kept as a new area. Choose its name and depth."
                )
            return placed
        s.apply(put_area(s.content, view, grown), "Brush onto area", view)
        s.select(Selection(view, grown.id))
        if v is not None and grown in v.areas:  # painted inside it: no change, no undo step
            self.say(f"The stroke lies inside {_named(grown)}: nothing to add.")
            return placed
        others = [a for a in placed.overlapped if a.id != grown.id]
        text = f"Stroke added to {_named(grown)}; its passes and note kept."
        if others:
            text += " " + ", ".join(_named(a) for a in others) + " left as drawn."
        self.say(text + " Undo takes the stroke back.")
        return placed

    def _edit(
        self, area_id: str, text: str, change: Callable[[TreatedArea], TreatedArea], merge: bool
    ) -> None:
        found = find_area(self.session.content, area_id)
        if found is None:
            return
        view, area = found
        key = f"{area_id}:{text}" if merge else None
        self.session.apply(put_area(self.session.content, view, change(area)), text, view, key)

    def set_name(self, area_id: str, name: str) -> None:
        """The area's name; a depth still at the old name's first offer follows to the new
        name's (the lower end of its usual range is offered first)."""
        self.last_name = name

        def renamed(a: TreatedArea) -> TreatedArea:
            depth = first_depth(name) if a.depth_mm == first_depth(a.name) else a.depth_mm
            return replace(a, name=name, depth_mm=depth)

        self._edit(area_id, "Area name", renamed, False)

    def set_depth(self, area_id: str, depth: Decimal) -> None:
        self._edit(area_id, "Area depth", lambda a: replace(a, depth_mm=depth), False)

    def set_passes(self, area_id: str, passes: int) -> None:
        # repeated stepper taps on one area merge into one undo step
        self._edit(area_id, "Area passes", lambda a: replace(a, passes=max(1, passes)), True)

    def set_note(self, area_id: str, note: str) -> None:
        self._edit(area_id, "Area note", lambda a: replace(a, note=note), False)

    def delete(self, area_id: str) -> None:
        found = find_area(self.session.content, area_id)
        if found is not None:
            view = found[0]
            self.session.apply(
                remove_area(self.session.content, view, area_id), "Delete area", view
            )
            self.session.select(None)

    def set_record(self, record: MicroneedlingSession, merge_key: str | None = None) -> None:
        s = self.session
        s.apply(put_session(s.content, record), "Session", None, merge_key)


def _named(area: TreatedArea) -> str:
    return f"{area.name or 'the unnamed area'} ({format_depth(area.depth_mm)} mm)"
