"""Fitting the earlier-chart overlay into a chart editor: the controller, the "Earlier charts"
button on the tool rail, the picker, the legend on the canvas, the side-panel page, the course
total beside today's totals, and the Compare / adjust screen over the whole editor.

The editor calls `attach(editor)` once its layout is built; everything else happens here, so
the editor itself only knows that an overlay exists (save, close).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget

from app.alignment.mapping import NoMapping
from app.domain.chart import ChartContent, units_per_product
from app.domain.values import format_units
from app.services import practitioners, visits
from app.services.course import course_totals
from app.services.touchup import OverlaySource
from app.store.errors import StoreError
from ui.common import format as fmt
from ui.common.context import AppContext
from ui.common.widgets import vbox
from ui.editor import layout
from ui.overlay import actions
from ui.overlay.controller import OverlayController
from ui.overlay.legend import OverlayLegend
from ui.overlay.panel import OverlayPanel
from ui.overlay.picker import OverlayPicker

if TYPE_CHECKING:
    from ui.editor.editor_window import ChartEditor


def attach(ed: ChartEditor) -> OverlayController:
    ctrl = OverlayController(ed)
    ed.rail.earlier.clicked.connect(lambda: open_picker(ed, ctrl))
    course = CourseTotal(ed)
    ed.totals.course = course.lines

    def started() -> None:
        # Widgets only for a visit with earlier charts: a first visit's editor stays as it was.
        if ctrl.available or ctrl.chosen:
            build_widgets(ed, ctrl)
            ed.rail.show_earlier(not ed.read_only)
            ed.panel_choice.buttons["earlier"].setVisible(True)
            if ctrl.chosen:
                layout.show_panel(ed, "earlier")
        if course.load():
            ed.totals.refresh(ed.model.content)

    ctrl.started_signal.connect(started)
    return ctrl


def build_widgets(ed: ChartEditor, ctrl: OverlayController) -> None:
    ed.overlay_panel = OverlayPanel(ctrl)
    ed.panels["earlier"] = ed.overlay_panel
    ed.panel_stack.addWidget(layout.scroll(ed.overlay_panel))
    ed.overlay_legend = OverlayLegend(ctrl, ed.view_stack)
    ed.overlay_panel.choose.connect(lambda: open_picker(ed, ctrl))
    ed.overlay_panel.compare.connect(lambda: open_compare(ed, ctrl))
    ed.overlay_panel.carry.connect(lambda all_views: carry(ed, ctrl, all_views))
    ed.overlay_panel.notice_action.clicked.connect(lambda: compare_refused(ed, ctrl))


def open_picker(ed: ChartEditor, ctrl: OverlayController) -> OverlayPicker:
    picker = OverlayPicker(ctrl, ed)
    picker.picked.connect(ctrl.set_chosen)
    picker.picked.connect(lambda _s: layout.show_panel(ed, "earlier"))
    picker.resize(min(640, ed.width() - 40), min(620, ed.height() - 40))
    centre = ed.mapToGlobal(ed.rect().center())
    picker.move(centre - picker.rect().center())
    picker.open()
    ed.overlay_picker = picker
    return picker


def carry(ed: ChartEditor, ctrl: OverlayController, all_views: bool) -> None:
    source = ed.overlay_panel.active_source()
    if source is None:
        return
    views = list(ed.view_codes) if all_views else [ed.current_view]
    text, refused = actions.carry_forward(ctrl, source, views)
    view = refused[0] if refused else None
    name = ed.view_names.get(view, view) if view else ""
    ed.overlay_panel.set_notice(text, bool(refused), view, name)


def compare_refused(ed: ChartEditor, ctrl: OverlayController) -> None:
    """The view a carry forward refused, on screen and in the compare screen."""
    view = ed.overlay_panel.notice_view
    if view and view in ed.view_codes:
        ed.show_view(view)
        open_compare(ed, ctrl, ed.overlay_panel.active_source(), view)


class Cover(QWidget):
    """A screen over the whole editor, as a full-window page: it follows the editor's size."""

    def __init__(self, ed: QWidget, screen: QWidget) -> None:
        super().__init__(ed)
        self.setObjectName("overlayCover")
        self.setAutoFillBackground(True)
        vbox(self).addWidget(screen)
        self.screen_widget = screen
        ed.installEventFilter(self)
        self.setGeometry(ed.rect())
        self.show()
        self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parent() and event.type() == QEvent.Type.Resize:
            self.setGeometry(self.parentWidget().rect())
        return False

    def leave(self) -> None:
        if not self.isVisible():
            return  # Accept ends with `closed` too
        if self.parent() is not None:
            self.parent().removeEventFilter(self)
        self.hide()
        self.deleteLater()


def open_compare(
    ed: ChartEditor,
    ctrl: OverlayController,
    source: OverlaySource | None = None,
    view: str | None = None,
) -> Cover | None:
    try:
        from ui.overlay.compare_screen import CompareScreen
    except ImportError:
        return None
    source = source or ed.overlay_panel.active_source()
    view = view or ed.current_view
    state = ctrl.state(source, view) if source else None
    today = ctrl.today_photo(view)
    if (
        source is None
        or state is None
        or state.earlier is None
        or not state.earlier.photo
        or not today
    ):
        return None
    try:
        who = practitioners.default_practitioner(ed.store)
    except StoreError:
        return None
    ctx = AppContext(ed.store, who, {p.code: p for p in ed.products})
    mapping = state.mapping or NoMapping(state.message)
    screen = CompareScreen(
        ctx, state.earlier.photo, today, mapping, parent=None, confidence_text=state.words
    )
    cover = Cover(ed, screen)

    def accepted(new_mapping) -> None:  # type: ignore[no-untyped-def]
        actions.apply_hand_mapping(ctrl, source, view, new_mapping)
        cover.leave()

    screen.mapping_accepted.connect(accepted)
    screen.closed.connect(cover.leave)
    ed.overlay_cover = cover
    return cover


class CourseTotal:
    """'Course total' beside today's totals: the original treatment and its touch-ups, per
    product. The earlier visits are read once; today's units follow the chart live."""

    def __init__(self, ed: ChartEditor) -> None:
        self.ed = ed
        self.earlier: list[tuple[str, dict[str, Decimal]]] = []
        self.active = False

    def load(self) -> bool:
        ed = self.ed
        try:
            course = course_totals(ed.store, ed.visit_id, ChartContent())
        except StoreError:
            return False
        if len(course.per_visit) < 2:
            return False  # no touch-up in this course: today's totals say it all
        for visit_id, units in course.per_visit.items():
            if visit_id != ed.visit_id:
                when = fmt.day(visits.get_visit(ed.store, visit_id).visit_date)
                self.earlier.append((when, units))
        self.active = True
        return True

    def lines(self, content: ChartContent) -> list[str]:
        if not self.active:
            return []
        today = units_per_product(content)
        name = self.ed.totals.product_name
        total: dict[str, Decimal] = dict(today)
        for _when, units in self.earlier:
            for product, u in units.items():
                total[product] = total.get(product, Decimal(0)) + u
        out = []
        for product in sorted(total, key=name):
            out.append(f"{name(product)}: {format_units(total[product])} U")
            for when, units in self.earlier:
                if product in units:
                    out.append(f"  {when}: {format_units(units[product])} U")
            out.append(f"  Today: {format_units(today.get(product, Decimal(0)))} U")
        return out
