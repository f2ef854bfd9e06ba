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
)
from app.domain.mn_editing import find_area, put_area, put_session, remove_area
from ui.editor.session import EditorSession, Selection


class AreaEdits:
    def __init__(self, session: EditorSession) -> None:
        self.session = session
        self.last_name = ""  # a new area takes the last name used, as a point its product

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
