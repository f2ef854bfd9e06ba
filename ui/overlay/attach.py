"""Fitting the earlier-chart overlay into a chart editor: the controller, the "Earlier charts"
button on the tool rail, the picker, the legend on the canvas, the side-panel page, the course
total beside today's totals, and the Compare / adjust screen over the whole editor.

The editor calls `attach_overlay(host)` once its layout is built, through the declared
interface of ui/editor/extension.py; everything else happens here, so the editor itself only
knows that an extension exists (its hook on saving, and shutdown on closing).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget
from shiboken6 import isValid

from app.domain.chart import ChartContent
from app.domain.totals import units_per_product
from app.domain.values import format_units
from app.services import practitioners
from app.services.alignment import Mapping, NoMapping
from app.services.earlier_charts import EarlierCharts
from app.services.touchup import OverlaySource
from app.store.errors import StoreError
from ui.common import format as fmt
from ui.common.context import AppContext
from ui.common.widgets import vbox
from ui.editor.extension import EditorHost, as_widget
from ui.overlay import actions
from ui.overlay.controller import OverlayController
from ui.overlay.legend import OverlayLegend
from ui.overlay.panel import OverlayPanel
from ui.overlay.picker import OverlayPicker

if TYPE_CHECKING:
    from ui.overlay.compare_screen import CompareScreen


class OverlayAttachment:
    """The overlay as the editor holds it: the controller, and the widgets it adds once the
    visit turns out to have earlier charts (a first visit's editor stays as it was)."""

    def __init__(self, host: EditorHost) -> None:
        self.host = host
        self.ctrl = OverlayController(host)
        self.panel: OverlayPanel | None = None
        self.legend: OverlayLegend | None = None
        self.picker: OverlayPicker | None = None
        self.cover: Cover | None = None
        self._compare: CompareScreen | None = None  # the last compare screen opened
        self.course = CourseTotal(host)
        host.widgets.rail.earlier.clicked.connect(lambda: self.open_picker())
        host.session.prepare_save = self.ctrl.content_for_save  # the mappings drawn with
        self.ctrl.started_signal.connect(self._started)

    def _started(self) -> None:
        host, ctrl = self.host, self.ctrl
        if ctrl.available or ctrl.chosen:
            self._build_widgets()
            host.widgets.rail.show_earlier(not host.session.read_only)
            if ctrl.chosen:
                host.show_panel("earlier")
        if ctrl.found is not None and self.course.load(ctrl.found):
            host.treatment.set_course(self.course.lines)

    def _build_widgets(self) -> None:
        host, ctrl = self.host, self.ctrl
        self.panel = panel = OverlayPanel(ctrl)
        host.widgets.add_panel("earlier", panel)
        self.legend = OverlayLegend(ctrl, host.widgets.view_stack)
        panel.choose.connect(lambda: self.open_picker())
        panel.compare.connect(lambda: self.open_compare())
        panel.carry.connect(self.carry)
        panel.notice_action.clicked.connect(lambda: self.compare_refused())

    def shutdown(self) -> None:
        self.ctrl.shutdown()
        screen, self._compare = self._compare, None
        if screen is not None and isValid(screen):
            screen.leave()  # a read in flight is dropped, never built into a closed editor

    def open_picker(self) -> OverlayPicker:
        ed = as_widget(self.host)
        picker = OverlayPicker(self.ctrl, ed)
        picker.picked.connect(self.ctrl.set_chosen)
        picker.picked.connect(lambda _s, _l: self.host.show_panel("earlier"))
        picker.resize(min(640, ed.width() - 40), min(620, ed.height() - 40))
        centre = ed.mapToGlobal(ed.rect().center())
        picker.move(centre - picker.rect().center())
        picker.open()
        self.picker = picker
        return picker

    def carry(self, all_views: bool) -> None:
        source = self.panel.active_source() if self.panel else None
        if source is None or self.panel is None:
            return
        session = self.host.session
        views = list(session.view_codes) if all_views else [self.host.current_view]
        touch_up = session.visit.touch_up_of_id is not None
        doses = not touch_up or self.panel.carry_doses.isChecked()
        text, refused = actions.carry_forward(self.ctrl, source, views, doses)
        view = refused[0] if refused else None
        name = session.view_names.get(view, view) if view else ""
        self.panel.set_notice(text, bool(refused), view, name)

    def compare_refused(self) -> None:
        """The view a carry forward refused, on screen and in the compare screen."""
        view = self.panel.notice_view if self.panel else None
        if self.panel and view and view in self.host.session.view_codes:
            self.host.show_view(view)
            self.open_compare(self.panel.active_source(), view)

    def open_compare(
        self, source: OverlaySource | None = None, view: str | None = None
    ) -> Cover | None:
        try:
            from ui.overlay.compare_screen import CompareScreen
        except ImportError:
            return None
        host, ctrl = self.host, self.ctrl
        source = source or (self.panel.active_source() if self.panel else None)
        view = view or host.current_view
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
        session = host.session
        if session.practitioner_id is None:
            return None
        # The signed-in practitioner the editor works as, never a default one: read with the
        # chart's opening; only if that read failed, here.
        who = session.practitioner
        if who is None:
            try:
                who = practitioners.get_practitioner(session.store, session.practitioner_id)
            except StoreError:
                return None
        ctx = AppContext(session.store, who, {p.code: p for p in session.products})
        mapping = state.mapping or NoMapping(state.message)
        screen = CompareScreen(
            ctx, state.earlier.photo, today, mapping, parent=None, confidence_text=state.words
        )
        cover = Cover(as_widget(host), screen)

        def accepted(new_mapping: Mapping) -> None:
            actions.apply_hand_mapping(ctrl, source, view, new_mapping)
            cover.leave()

        screen.mapping_accepted.connect(accepted)
        screen.closed.connect(cover.leave)
        self.cover = cover
        self._compare = screen
        return cover


def attach_overlay(host: EditorHost) -> OverlayAttachment:
    """Earlier charts over today's photos, plugged into an editor."""
    return OverlayAttachment(host)


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
        host = self.parentWidget()
        if watched is host and host is not None and event.type() == QEvent.Type.Resize:
            self.setGeometry(host.rect())
        return False

    def leave(self) -> None:
        if not self.isVisible():
            return  # Accept ends with `closed` too
        if (host := self.parent()) is not None:
            host.removeEventFilter(self)
        self.hide()
        self.deleteLater()


class CourseTotal:
    """'Course total' beside today's totals: the original treatment and its touch-ups, per
    product. The earlier visits are read once, with the earlier charts (`EarlierCharts`);
    today's units follow the chart live."""

    def __init__(self, host: EditorHost) -> None:
        self.session = host.session
        self.earlier: list[tuple[str, dict[str, Decimal]]] = []
        self.active = False

    def load(self, found: EarlierCharts) -> bool:
        course = found.course
        if course is None or len(course.per_visit) < 2:
            return False  # no touch-up in this course: today's totals say it all
        for visit_id, units in course.per_visit.items():
            if visit_id != self.session.visit_id:
                self.earlier.append((fmt.day(found.visit_days[visit_id]), units))
        self.active = True
        return True

    def lines(self, content: ChartContent) -> list[str]:
        if not self.active:
            return []
        today = units_per_product(content)
        names = {p.code: p.name for p in self.session.products}

        def name(code: str) -> str:
            return names.get(code, code)

        total: dict[str, Decimal] = dict(today)
        for _when, units in self.earlier:
            for product, u in units.items():
                total[product] = total.get(product, Decimal(0)) + u
        # An earlier visit reopened is not "today" (the demo's August chart said "Today: 45 U").
        visit_day = self.session.visit.visit_date
        this_visit = "Today" if visit_day == self.session.today else fmt.day(visit_day)
        out = []
        for product in sorted(total, key=name):
            out.append(f"{name(product)}: {format_units(total[product])} U")
            for when, units in self.earlier:
                if product in units:
                    out.append(f"  {when}: {format_units(units[product])} U")
            out.append(f"  {this_visit}: {format_units(today.get(product, Decimal(0)))} U")
        return out
