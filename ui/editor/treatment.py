"""What a treatment type brings to the editor: its tools, its side-panel pages (the sheet of
what is selected, the totals, the products), and how those follow the chart.

The editor window knows only this interface. Neurotoxin is the first plug-in; microneedling
(areas with needle depths, ui/editor/mn_treatment.py) is the second; a type without a plug-in
("other") charts with the toxin plug-in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.domain.chart import ChartContent, InjectionPoint
from app.domain.values import TreatmentType
from ui.editor.carton_scan import CartonScanner
from ui.editor.model import ContentChange
from ui.editor.point_sheet import PointSheet
from ui.editor.products_panel import ProductsPanel
from ui.editor.session import EditorSession, Selection
from ui.editor.tool_rail import TOXIN_TOOLS
from ui.editor.tools.base import Tool, ToolHost
from ui.editor.tools.eraser import EraserTool
from ui.editor.tools.measure import MeasureTool
from ui.editor.tools.pencil import PencilTool
from ui.editor.tools.point import PointTool
from ui.editor.totals_panel import TotalsPanel

CourseLines = Callable[[ChartContent], list[str]]


class Treatment(Protocol):
    name: str
    # (key, button title, widget) in the order the side panel offers them; `selection_page`
    # is the key shown when something on the chart is chosen, `summary_page` the default.
    pages: list[tuple[str, str, QWidget]]
    selection_page: str
    summary_page: str
    # The rail's tool buttons (name, title), two a row; "pencil", "eraser" and "measure" are
    # every treatment's. The glabellar safety band is a toxin chart's alone.
    rail_tools: tuple[tuple[str, str], ...]
    safety_band: bool
    layer_titles: dict[str, str]

    # Set by the window: show one of the pages (a tool that needs its page says so).
    show_page: Callable[[str], None]
    # Set by the window: say something in the editor's message bar (an info, gone by itself).
    say: Callable[[str], None]

    def first_tool(self, read_only: bool) -> str:
        """The tool chosen when the editor opens."""

    def make_tools(self, host: ToolHost) -> dict[str, Tool]: ...

    def follow(self, change: ContentChange | None) -> None:
        """Refresh the pages after an edit (None: everything, e.g. at opening)."""

    def follow_selection(self, selection: Selection | None, again: bool = False) -> None: ...

    def hold_summary(self) -> None:
        """While the chart opens: the summary page waits for `prepare` (the first view
        paints first)."""

    def prepare(self) -> None:
        """Behind the first paint: build what opening did not need to show the chart."""

    def set_course(self, lines: CourseLines) -> None:
        """Lines for the course (the original treatment and its touch-ups) beside today's."""

    def before_save(self) -> None:
        """Finish what is being typed: it is part of what is saved."""


def _has_camera() -> bool:
    # Qt Multimedia loads when the Products panel is first shown, not when the editor opens
    from ui.capture.sources import available_cameras

    return bool(available_cameras())


class ToxinTreatment:
    """Injection points with product, units, depth, muscle and side; live totals per product."""

    name = "neurotoxin"
    selection_page = "point"
    summary_page = "totals"
    rail_tools = TOXIN_TOOLS
    safety_band = True
    layer_titles: dict[str, str] = {}  # noqa: RUF012  # read only

    def first_tool(self, read_only: bool) -> str:
        return "point" if read_only else "pencil"

    def __init__(self, session: EditorSession) -> None:
        self.session = session
        self.show_page: Callable[[str], None] = lambda _key: None
        self.say: Callable[[str], None] = lambda _text: None
        product_names = {p.code: p.name for p in session.products}
        names = session.view_names
        # The point sheet (some fifty styled controls, ~20 ms to build and polish) is made
        # behind the first paint (`prepare`), or when first needed, inside this page.
        self._sheet: PointSheet | None = None
        self._sheet_page = QWidget()
        QVBoxLayout(self._sheet_page).setContentsMargins(0, 0, 0, 0)
        self.totals = TotalsPanel(lambda c: product_names.get(c, c), lambda v: names.get(v, v))
        self.totals.warnings_of = session.safety.for_chart
        # a frown photo's face measured: the glabellar band's warnings can now be said
        session.faces.measured.connect(lambda _view: self.follow(None))
        self.totals.across = lambda c: session.safety.across_lines(
            c, lambda code: product_names.get(code, code)
        )
        self.products_panel = ProductsPanel(
            lambda c: product_names.get(c, c), session.safety.lot_expired
        )
        self.products_panel.earlier = session.earlier_uses
        self.products_panel.before_shown = self._fill_products
        self.products_panel.changed.connect(session.set_product_use)
        self.products_panel.setEnabled(not session.read_only)
        self.scanner: CartonScanner | None = None  # a saved version's viewer scans nothing
        if not session.read_only:
            self.scanner = CartonScanner(
                session.store,
                session.practitioner_id,
                session.today,
                list(session.products),
                self.products_panel.current_use,
                has_camera=_has_camera,
            )
            self.scanner.scanned.connect(session.set_product_use)
            self.products_panel.set_scanner(self.scanner)
        self._shown: InjectionPoint | None = None  # the point the sheet shows, as shown
        self._opening = False  # held until behind the first paint (`hold_summary`)
        self.pages: list[tuple[str, str, QWidget]] = [
            ("point", "Point", self._sheet_page),
            ("totals", "Totals", self.totals),
            ("products", "Products", self.products_panel),
        ]

    @property
    def sheet(self) -> PointSheet:
        if self._sheet is None:
            self._sheet = PointSheet(self.session, self.session.products)
            self._sheet.show_empty()
            layout = self._sheet_page.layout()
            assert layout is not None  # made in __init__
            layout.addWidget(self._sheet)
        return self._sheet

    def hold_summary(self) -> None:
        self.totals.hold()
        self._opening = True  # the hidden products page is filled behind the first paint

    def prepare(self) -> None:
        """Behind the first paint: the totals (held meanwhile), the products page and the
        sheet, which opening does not show."""
        self.totals.release()
        self._fill_products()
        sheet = self.sheet  # made now, empty
        if sheet.point is None and self.session.selection is not None:
            self.follow_selection(self.session.selection, again=True)

    def _fill_products(self) -> None:
        """The products page's cards, left by the opening (behind its first paint, or when
        the page is shown before that)."""
        if self._opening:
            self._opening = False
            self.products_panel.refresh(self.session.content, self.session.today)

    def make_tools(self, host: ToolHost) -> dict[str, Tool]:
        return {
            "pencil": PencilTool(host),
            "eraser": EraserTool(host),
            "point": PointTool(host),
            "measure": MeasureTool(host),
        }

    def follow(self, change: ContentChange | None) -> None:
        s = self.session
        # A stroke changes no total: the panels stay as they are while the pen draws.
        if change is None or change.points or change.products:
            self.totals.refresh(s.content)
        if (change is None or change.points or change.products) and not self._opening:
            # a point may bring a product the panel does not list yet (its cards stay when not)
            self.products_panel.refresh(s.content, s.today)
        if change is None or change.products:
            self.follow_selection(s.selection, again=True)  # volumes follow the dilution
        elif change.points:
            self.follow_selection(s.selection)

    def follow_selection(self, selection: Selection | None, again: bool = False) -> None:
        found = self.session.selected_point()
        if selection is None or found is None:
            self._shown = None
            if self._sheet is not None:  # one made later starts empty
                self._sheet.show_empty()
            return
        if found[1] is self._shown and not again:
            return  # the same point, unchanged (an edit elsewhere, a tap placing another)
        self._shown = found[1]
        self.sheet.setEnabled(not self.session.read_only)
        view, point = found
        name = self.session.view_names.get(view, view)
        self.sheet.show_point(view, name, point, self.session.content)

    def set_course(self, lines: CourseLines) -> None:
        self.totals.course = lines
        self.totals.refresh(self.session.content)

    def before_save(self) -> None:
        if self._sheet is not None:
            self._sheet.note.clearFocus()  # a note being typed ends its edit


def _microneedling(session: EditorSession) -> Treatment:
    from ui.editor.mn_treatment import MicroneedlingTreatment  # loaded for its visits only

    return MicroneedlingTreatment(session)


TREATMENTS: dict[TreatmentType, Callable[[EditorSession], Treatment]] = {
    TreatmentType.NEUROTOXIN: ToxinTreatment,
    TreatmentType.MICRONEEDLING: _microneedling,
}


def treatment_for(session: EditorSession) -> Treatment:
    # A type without a plug-in of its own charts with points, as before.
    return TREATMENTS.get(session.visit.treatment_type, ToxinTreatment)(session)
