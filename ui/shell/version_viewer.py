"""A saved chart version, read-only: one tab per charted view, the photo it was drawn on with
its strokes and points, and what was used (units per product, lot, dilution)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QTabWidget

from app.domain.chart import InjectionPoint
from app.domain.microneedling import format_depth
from app.domain.mn_totals import mn_totals
from app.domain.values import format_units
from app.services import catalogue, charts, patients, signoff, visits
from ui.common import format as fmt
from ui.common.context import AppContext
from ui.common.format import DEPTH_WORDS
from ui.common.sign_off import status_lines
from ui.common.widgets import Page, PatientBanner, button, hbox, label, vbox
from ui.overlay.ghost_items import GHOST_COLOURS
from ui.overlay.saved_layers import saved_layers
from ui.overlay.view_state import short_label
from ui.viewer.chart_view import ChartView


class VersionViewerPage(Page):
    report_requested = Signal()  # the report of this version

    def __init__(self, ctx: AppContext, visit_id: int, version_id: int) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("versionViewerPage")
        self.loaded = charts.load_version(ctx.store, version_id)
        visit = visits.get_visit(ctx.store, visit_id)
        self.visit_id = visit_id
        patient = patients.get_patient(ctx.store, visit.patient_id)
        self.patient_id = patient.id
        history = charts.history(ctx.store, visit_id)
        info = self.loaded.info
        newest = max((h.version_no for h in history), default=info.version_no)
        self.title = f"Chart · {fmt.day(visit.visit_date)} · version {info.version_no}"

        lay = vbox(self, spacing=0)
        self.patient_banner = PatientBanner(patient)
        lay.addWidget(self.patient_banner)
        self.banner = label("", "readonly")
        self.banner.setObjectName("readOnlyBanner")
        if self.loaded.is_head:
            self.banner.setText(f"Version {info.version_no} of {newest} · the latest · view only")
            self.banner.setProperty("older", False)
        else:
            self.banner.setText(
                f"Read-only: version {info.version_no} of {newest}. A newer version exists."
            )
            self.banner.setProperty("older", True)
        lay.addWidget(self.banner)

        body = hbox(margins=16, spacing=16)
        lay.addLayout(body, 1)
        catalogue_views = catalogue.list_views(ctx.store)
        names = {v.code: v.name for v in catalogue_views}
        order = {v.code: n for n, v in enumerate(catalogue_views)}
        self.tabs = QTabWidget()
        self.tabs.setObjectName("viewTabs")
        self.tabs.setDocumentMode(True)
        self.views: list[ChartView] = []
        self.earlier: dict[str, tuple[int, str]] = {}  # hash → (ghost colour, label)
        ordered = sorted(self.loaded.content.views, key=lambda v: order.get(v.view, 99))
        for view_chart in ordered:
            view = ChartView(ctx.store, view_chart)
            view.point_tapped.connect(lambda p, v=view_chart.view: self.show_point(v, p))
            # The earlier charts this version was drawn over, through their saved mappings.
            for i, (source, layer) in enumerate(saved_layers(ctx.store, visit_id, view_chart)):
                view.scene().addItem(layer)
                self.earlier.setdefault(source.version_hash, (i, short_label(source)))
            self.views.append(view)
            self.tabs.addTab(view, names.get(view_chart.view, view_chart.view))
        if not self.views:
            self.tabs.addTab(label("This version has no marked views.", "muted"), "No views")
        # Open on what was charted: the first view with points, else with markings.
        charted = [i for i, v in enumerate(ordered) if v.points or v.areas] or [
            i for i, v in enumerate(ordered) if v.strokes
        ]
        if charted:
            self.tabs.setCurrentIndex(charted[0])
        self.view_names = names
        body.addWidget(self.tabs, 3)
        body.addWidget(self._details(info), 1)

    def show_point(self, view: str, point: InjectionPoint | None) -> None:
        """A tapped point's details, read-only, at the top of the details panel."""
        if point is None:
            self.point_details.hide()
            return
        where = {"left": "patient's left", "right": "patient's right", "midline": "midline"}
        side = where.get(point.side.value, "") if point.side else ""
        lines = [
            f"{self.ctx.product_name(point.product)} · {format_units(point.units)} U",
            f"{DEPTH_WORDS[point.depth.value]}",
            " · ".join(x for x in (point.zone, side) if x) or "No muscle / zone recorded",
            f"On {self.view_names.get(view, view)}",
        ]
        if point.note:
            lines.append(f"“{point.note}”")
        self.point_details.setText("\n".join(lines))
        self.point_details.show()

    def _details(self, info: charts.VersionInfo) -> QFrame:
        panel = QFrame()
        panel.setObjectName("detailsPanel")
        panel.setMinimumWidth(300)
        panel.setMaximumWidth(420)
        col = vbox(panel, margins=16, spacing=6)
        self.point_details = label("", "strong")
        self.point_details.setObjectName("pointDetails")
        self.point_details.setWordWrap(True)
        self.point_details.hide()
        col.addWidget(self.point_details)
        col.addWidget(label("Saved", "section"))
        who = f"\nby {info.saved_by}" if info.saved_by else ""
        col.addWidget(label(f"{fmt.local_time(info.saved_at)}{who}", "body"))
        if info.comment:
            comment = label(f"“{info.comment}”", "body")
            comment.setWordWrap(True)
            col.addWidget(comment)
        # signed, co-signed, amended (who, when, why), or why it carries no signature
        sign_off = signoff.history(self.ctx.store, self.visit_id).get(info.id)
        for line in status_lines(sign_off) if sign_off else []:
            state = label(line, "muted")
            state.setObjectName("signOffLine")
            state.setWordWrap(True)
            col.addWidget(state)
        col.addSpacing(8)
        if self.loaded.content.microneedling is not None or any(
            v.areas for v in self.loaded.content.views
        ):
            # a microneedling chart: areas, depths and passes (ADR 0029), no units
            t = mn_totals(self.loaded.content)
            col.addWidget(label("Areas", "section"))
            for ln in t.lines:
                text = f"{ln.name or 'Unnamed area'}: {format_depth(ln.depth_mm)} mm, "
                col.addWidget(label(text + fmt.plural(ln.passes, "pass", "passes"), "strong"))
            col.addWidget(label(fmt.plural(t.areas, "area") + " treated", "muted"))
        else:
            col.addWidget(label("Units", "section"))
            for line in fmt.units_lines(self.ctx, info.units) or ["No injection points"]:
                col.addWidget(label(line, "strong"))
            col.addWidget(label(fmt.plural(info.point_count, "injection point"), "muted"))
        if self.earlier:
            col.addSpacing(8)
            col.addWidget(label("Earlier charts shown", "section"))
        for colour, text in self.earlier.values():
            row = label(f'<span style="color:{GHOST_COLOURS[colour]}">●</span> {text}', "body")
            row.setObjectName("earlierChart")
            col.addWidget(row)
        for use in self.loaded.content.products:
            col.addSpacing(8)
            col.addWidget(label(self.ctx.product_name(use.product), "section"))
            facts = []
            if use.lot:
                facts.append(f"Lot {use.lot}")
            if use.expiry:
                facts.append(f"expires {fmt.day(use.expiry)}")
            if use.dilution:
                d = use.dilution
                facts.append(f"{format_units(d.vial_units)} U in {format_units(d.diluent_ml)} mL")
            note = label(" · ".join(facts) or "No lot recorded", "muted")
            note.setWordWrap(True)
            col.addWidget(note)
        col.addStretch(1)
        self.report_button = button("Report", "secondary")
        self.report_button.setObjectName("versionReport")
        self.report_button.setAccessibleName("The report of this version")
        self.report_button.clicked.connect(self.report_requested)
        col.addWidget(self.report_button)
        return panel
