"""The microneedling plug-in of the chart editor (ui/editor/treatment.py): treated areas drawn
as polygons (Area: tap the corners; Brush: paint the region), each with its needle depth,
passes and note; the areas shaded by depth with a legend; the session record and the course;
the contraindication check before a course's first session. No product buttons, units or
IM/ID/SC depths: those are the toxin chart's."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from app.domain.microneedling import MicroneedlingSession
from app.domain.mn_editing import find_area
from app.domain.soft_warnings import NEEDLE_DEPTH
from app.services.mn_course import CourseState
from ui.editor.mn_edits import AreaEdits
from ui.editor.mn_pages import AreasPanel, SessionPanel
from ui.editor.mn_sheet import AreaSheet
from ui.editor.model import ContentChange
from ui.editor.session import EditorSession, Selection
from ui.editor.tools.area import AreaTool, BrushTool
from ui.editor.tools.base import Tool, ToolHost
from ui.editor.tools.eraser import EraserTool
from ui.editor.tools.measure import MeasureTool
from ui.editor.tools.pencil import PencilTool

MN_TOOLS: tuple[tuple[str, str], ...] = (
    ("area", "Area"),
    ("brush", "Brush"),
    ("pencil", "Pencil"),
    ("eraser", "Eraser"),
    ("measure", "Ruler"),
)


class MicroneedlingTreatment:
    name = "microneedling"
    selection_page = "area"
    rail_tools = MN_TOOLS
    safety_band = False  # the glabellar band is a toxin chart's

    def __init__(self, session: EditorSession) -> None:
        self.session = session
        # areas in the points layer, their labels with them: no layer of point labels
        self.layer_titles = {"points": "Areas", "labels": ""}
        self.show_page: Callable[[str], None] = lambda _key: None
        self.say: Callable[[str], None] = lambda _text: None
        self.edits = AreaEdits(session)
        self.edits.say = lambda text: self.say(text)  # what a brush stroke joined
        names = session.view_names
        self.sheet = AreaSheet(self.edits, session.clinic_area_names)  # read with the opening
        self.sheet.show_empty()
        self.sheet.setEnabled(not session.read_only)
        self.areas = AreasPanel(lambda v: names.get(v, v))
        self.areas.view_order = tuple(session.view_codes)
        self.areas.warnings_on = lambda: session.safety.on(NEEDLE_DEPTH)
        self.session_page = SessionPanel(self.edits, session.visit.visit_date)
        self.session_page.setEnabled(not session.read_only)
        self.course: CourseState | None = session.course_at_opening
        first = self.course.first_of_course if self.course else True
        self.session_page.first_of_course = first
        record = session.content.microneedling
        check = record.contraindications if record else None
        # A course's first session opens on the contraindication check until it is answered.
        needs_check = first and not session.read_only and (check is None or not check.complete)
        self.summary_page = "session" if needs_check else "areas"
        self._drafting_tool: AreaTool | None = None
        self.pages: list[tuple[str, str, QWidget]] = [
            ("area", "Area", self.sheet),
            ("areas", "Areas", self.areas),
            ("session", "Session", self.session_page),
        ]

    def first_tool(self, read_only: bool) -> str:
        return "area"

    def make_tools(self, host: ToolHost) -> dict[str, Tool]:
        return {
            "area": AreaTool(host, self.edits, self._drafting),
            "brush": BrushTool(host, self.edits),
            "pencil": PencilTool(host),
            "eraser": EraserTool(host),
            "measure": MeasureTool(host),
        }

    def _drafting(self, tool: AreaTool) -> None:
        """An outline's corners changed: the Area page offers Finish and Cancel for it."""
        self._drafting_tool = tool if tool.corners else None
        self.sheet.finish_drawing = tool.finish
        self.sheet.cancel_drawing = tool.abandon
        self.sheet.show_drawing(len(tool.corners))
        if tool.corners:
            self.show_page("area")

    def course_text(self) -> str:
        c = self.course
        if c is None:
            return ""
        record = self.session.content.microneedling
        planned = (record.course_sessions if record and c.first_of_course else None) or c.planned
        text = f"Session {c.number} of {planned}"
        if c.previous_date is not None:
            text += f" · last session {c.previous_date.strftime('%d %b %Y')}"
        if c.number < planned and not (record and record.course_closed):
            text += f" · next due about {c.next_due.strftime('%d %b %Y')}"
        return text

    def follow(self, change: ContentChange | None) -> None:
        s = self.session
        if change is None or change.areas or change.session:
            self.areas.refresh(s.content)
            self.areas.set_course(self.course_text())
        if change is None or change.session:
            self.session_page.show_record(
                s.content.microneedling or MicroneedlingSession(), self.course_text()
            )
        if change is None or change.areas:
            self.follow_selection(s.selection)

    def follow_selection(self, selection: Selection | None, again: bool = False) -> None:
        found = find_area(self.session.content, selection.point_id) if selection else None
        if found is None:
            if self._drafting_tool is None:
                self.sheet.show_empty()
            return
        view, area = found
        self.sheet.show_area(self.session.view_names.get(view, view), area)

    def hold_summary(self) -> None:
        pass  # its summary is a few lines: shown with the first paint

    def prepare(self) -> None:
        pass  # every page is built at opening: a few dozen widgets

    def set_course(self, lines: Callable[..., list[str]]) -> None:
        pass  # the toxin course's units per product: nothing of it on this chart

    def before_save(self) -> None:
        for w in (self.sheet.note, self.sheet.other):
            w.clearFocus()  # a field being typed ends its edit: part of what is saved
        self.session_page.finish_typing()
