"""The chart editor: a visit's chart, one photo per view, pen and fingers.

Entry point for the shell:

    editor = ChartEditor(store, visit_id, practitioner_id, version_id=None)
    editor.saved.connect(...)   # VersionInfo of each new version
    editor.closed.connect(...)  # the user is done (the draft stays journalled if unsaved)

`version_id=None` opens the newest version (or a new chart) for editing; an older version
opens read-only. The model (ui/editor/model.py) is the truth; scenes and panels follow it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QUndoStack
from PySide6.QtWidgets import QApplication, QWidget

from app.domain.chart import ChartContent, InjectionPoint, ViewChart
from app.domain.editing import (
    find_point,
    put_point,
    put_product_use,
    remove_point,
    side_of,
    suggest_zone,
)
from app.domain.totals import expiry_warnings, interval_warning
from app.domain.values import Depth, TreatmentType
from app.services import catalogue, charts, drafts, patients, photos, visits
from app.services.charts import VersionInfo
from app.store.errors import ConflictError, StoreError
from ui.editor import layout, photo_loader
from ui.editor.canvas import ChartCanvas
from ui.editor.commands import ContentCommand
from ui.editor.input import PenState
from ui.editor.journal import DraftJournal
from ui.editor.model import ChartModel
from ui.editor.scene import ViewScene
from ui.editor.style import editor_qss
from ui.editor.tools.base import Tool
from ui.editor.tools.eraser import EraserTool
from ui.editor.tools.pencil import PencilTool
from ui.editor.tools.point import PointTool
from ui.overlay import attach as overlay

DEFAULT_UNITS = Decimal(4)  # the label's usual site dose (DOMAIN.md)


class ChartEditor(QWidget):
    saved = Signal(object)  # VersionInfo
    closed = Signal()

    def __init__(
        self,
        store,  # type: ignore[no-untyped-def]
        visit_id: int,
        practitioner_id: int | None,
        version_id: int | None = None,
        parent: QWidget | None = None,
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("chartEditor")
        self.setStyleSheet(editor_qss())
        self.store = store
        self.visit_id = visit_id
        self.practitioner_id = practitioner_id
        self.today = today or date.today()
        self.visit = visits.get_visit(store, visit_id)
        self.patient = patients.get_patient(store, self.visit.patient_id)
        loaded = (
            charts.load_version(store, version_id)
            if version_id is not None
            else charts.load_head(store, visit_id)
        )
        self.read_only = loaded is not None and not loaded.is_head
        self.version = loaded.info if loaded else None
        self.parent_version_id: int | None = loaded.info.id if loaded else None
        self.products = catalogue.list_products(store)
        self.view_names = {v.code: v.name for v in catalogue.list_views(store)}
        order = {code: i for i, code in enumerate(self.view_names)}
        content = loaded.content if loaded else ChartContent()
        if not self.read_only:
            content = self._with_visit_photos(content)
        self.view_codes = sorted((v.view for v in content.views), key=lambda c: order.get(c, 99))
        self.model = ChartModel(content, self)
        self.undo_stack = QUndoStack(self)
        self.pen = PenState(self)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.pen)  # proximity events go to the application
        self.tool_name = "pencil"
        self.pencil_color = "white"
        self.pencil_style = "solid"
        self.erase_whole = False
        self.layer_states = {"markings": "shown", "points": "shown", "labels": "shown"}
        last = list(content.all_points())
        codes = [p.code for p in self.products]
        self.last_product = (
            last[-1][1].product if last else ("botox" if "botox" in codes else codes[0])
        )
        self.last_units = last[-1][1].units if last else DEFAULT_UNITS
        self.selected: tuple[str, str] | None = None
        self.scenes: dict[str, ViewScene] = {}
        self.canvases: dict[str, ChartCanvas] = {}
        self.tools: dict[str, dict[str, Tool]] = {}
        for code in self.view_codes:
            self._add_view(code, content.view(code))
        self.previous_toxin = (
            visits.previous_toxin_visit(store, self.patient.id, self.visit.visit_date)
            if self.visit.treatment_type == TreatmentType.NEUROTOXIN
            else None
        )
        layout.build(self)
        if self.view_codes:  # the first view paints first; the others decode behind it
            first, *rest = self.view_codes
            behind = [self.scenes[c] for c in rest]
            photo_loader.BehindFirstPaint(self.canvases[first].viewport(), behind, self)
        self.overlay = overlay.attach(self)  # earlier charts over today's photos (ui/overlay)
        self.journal = DraftJournal(
            store, visit_id, lambda: self.parent_version_id, lambda: self.model.content, self
        )
        self.model.changed.connect(self._on_changed)
        self.model.dirty_changed.connect(lambda _d: self._update_status())
        self.pen.finger_drawing_changed.connect(self.rail.finger.setChecked)
        QShortcut(QKeySequence.StandardKey.Undo, self, self.undo_stack.undo)
        QShortcut(QKeySequence.StandardKey.Redo, self, self.undo_stack.redo)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save)
        self._journal_live = False  # until a kept draft has been offered, never delete it
        self._on_changed()
        self._update_status()
        self._offer_draft()
        self._journal_live = True

    # -- building -------------------------------------------------------------------------

    def _with_visit_photos(self, content: ChartContent) -> ChartContent:
        """A view for every photo of the visit that the chart does not cover yet. Views that
        are charted keep their photo: a retake makes a new version, never moves old marks."""
        for photo in photos.photos_for_visit(self.store, self.visit_id):
            if content.view(photo.view_code) is None:
                content = content.with_view(ViewChart(photo.view_code, photo.sha256))
        return content

    def _add_view(self, code: str, chart: ViewChart | None) -> None:
        sha = chart.photo_sha256 if chart else None
        size = None
        if sha:
            try:
                size = photos.photo_size(self.store, sha)
            except StoreError:
                size = None
        scene = ViewScene(code, size, None)
        if sha and size:  # decoded when first shown, or behind the first view's first paint
            scene.photo_source = photo_loader.display_source(self.store, sha)
        canvas = ChartCanvas(self, scene)
        self.scenes[code] = scene
        self.canvases[code] = canvas
        self.tools[code] = {
            "pencil": PencilTool(canvas),
            "eraser": EraserTool(canvas),
            "point": PointTool(canvas),
        }

    # -- what tools and canvases ask ------------------------------------------------------

    def original_bytes(self, view: str) -> bytes | None:
        """The original photo of a view, for sharp pixels at deep zoom (ui/editor/detail.py)."""
        chart = self.model.content.view(view)
        if chart is None or not chart.photo_sha256:
            return None
        try:
            return photos.original_bytes(self.store, chart.photo_sha256)
        except StoreError:
            return None

    @property
    def current_view(self) -> str:
        return self.view_codes[self.view_stack.currentIndex()] if self.view_codes else ""

    def canvas(self, view: str | None = None) -> ChartCanvas:
        return self.canvases[view or self.current_view]

    def tool_for(self, kind: str, view: str | None = None) -> Tool:
        tools = self.tools[view or self.current_view]
        name = "eraser" if kind == "eraser" else self.tool_name
        tool = tools[name]
        if isinstance(tool, PencilTool):
            tool.color, tool.style = self.pencil_color, self.pencil_style
        elif isinstance(tool, EraserTool):
            tool.whole = self.erase_whole
        return tool

    def push(self, after: ChartContent, text: str, view: str, merge_key: str | None = None) -> None:
        if self.read_only or after == self.model.content:
            return
        self.undo_stack.push(
            ContentCommand(
                self.model, self.model.content, after, text, view, merge_key, self._show_view
            )
        )

    def _show_view(self, view: str | None) -> None:
        """Undo and redo span views: show the one the step happened on."""
        if view and view in self.view_codes and view != self.current_view:
            self.show_view(view)

    def new_point(self, view: str, pos: QPointF) -> InjectionPoint:
        side = side_of(pos.x(), self.scenes[view].frame.width())
        return InjectionPoint(
            x=pos.x(),
            y=pos.y(),
            product=self.last_product,
            units=self.last_units,
            depth=Depth.INTRAMUSCULAR,
            zone=suggest_zone(view, side),
            side=side,
        )

    def open_point(self, view: str, point_id: str | None) -> None:
        for code, scene in self.scenes.items():
            scene.select(point_id if code == view else None)
            self.canvases[code].declutter()
        self.selected = (view, point_id) if point_id else None
        self._refresh_sheet()
        if point_id:
            self.show_panel("point")

    # -- edits from the panels --------------------------------------------------------------

    def edit_point(self, point_id: str, field: str, value: object) -> None:
        found = find_point(self.model.content, point_id)
        if found is None:
            return
        view, point = found
        changed = replace(point, **{field: value})
        if field == "product":
            self.last_product = str(value)
        elif field == "units":
            self.last_units = value  # type: ignore[assignment]
        merge = f"{point_id}:{field}" if field == "units" else None
        self.push(put_point(self.model.content, view, changed), f"Point {field}", view, merge)

    def delete_point(self, point_id: str) -> None:
        found = find_point(self.model.content, point_id)
        if found is not None:
            self.push(
                remove_point(self.model.content, found[0], point_id), "Delete point", found[0]
            )
            self.open_point(found[0], None)
            self.show_panel("totals")

    def edit_product(self, use) -> None:  # type: ignore[no-untyped-def]
        self.push(put_product_use(self.model.content, use), "Product", self.current_view)

    # -- following the model ----------------------------------------------------------------

    def _on_changed(self) -> None:
        content = self.model.content
        for scene in self.scenes.values():
            scene.sync(content)
        for canvas in self.canvases.values():
            canvas.declutter()
        warn = [w for w in [interval_warning(self.visit.visit_date, self._previous_date())] if w]
        self.totals.extra_warnings = warn + expiry_warnings(content, self.today)
        self.totals.refresh(content)
        self.products_panel.refresh(content, self.today)
        if self.selected and find_point(content, self.selected[1]) is None:
            self.selected = None
        self._refresh_sheet()
        if self.model.dirty and not self.read_only:
            self.journal.touch()
        elif self._journal_live and not self.read_only:
            self.journal.clear()  # undone back to the saved chart: nothing left to recover

    def _previous_date(self) -> date | None:
        if self.visit.touch_up_of_id is not None:
            return None  # a touch-up comes ~2 weeks after by design: no interval warning
        return self.previous_toxin.visit_date if self.previous_toxin else None

    def _refresh_sheet(self) -> None:
        found = find_point(self.model.content, self.selected[1]) if self.selected else None
        if found is None:
            self.sheet.show_empty()
            return
        self.sheet.setEnabled(not self.read_only)
        view, point = found
        self.sheet.show_point(view, self.view_names.get(view, view), point, self.model.content)

    def _update_status(self) -> None:
        layout.update_status(self)

    # -- saving and drafts ----------------------------------------------------------------

    def save(self) -> VersionInfo | None:
        if self.read_only:
            return None
        self.sheet.note.clearFocus()  # a note being typed is part of what is saved
        content = self.overlay.content_for_save(self.model.content)  # the mappings used
        try:
            info = charts.save_version(
                self.store,
                self.visit_id,
                content,
                parent_version_id=self.parent_version_id,
                saved_by_id=self.practitioner_id,
            )
        except ConflictError as exc:
            self.journal.flush()  # the work stays on screen and on disk
            layout.message(self, str(exc), "error")
            return None
        except StoreError as exc:
            self.journal.flush()
            layout.message(self, f"Not saved: {exc}", "error")
            return None
        self.version = info
        self.parent_version_id = info.id
        self.model.mark_saved(content)
        self.journal.clear()
        layout.message(self, f"Saved as version {info.version_no}.", "info", timeout_ms=4000)
        self._update_status()
        self.saved.emit(info)
        return info

    def _offer_draft(self) -> None:
        if self.read_only:
            return
        draft = drafts.load_draft(self.store, self.visit_id)
        if draft is None or draft.content == self.model.content:
            return
        when = draft.written_at.astimezone().strftime("%d %b %H:%M")
        layout.message(
            self,
            f"Unsaved changes to this chart from {when} were kept. Restore them?",
            "warning",
            actions=[("Restore", self.restore_draft), ("Discard", self.discard_draft)],
        )
        self.pending_draft = draft

    def restore_draft(self) -> None:
        draft = getattr(self, "pending_draft", None)
        if draft is None:
            return
        self.parent_version_id = draft.parent_version_id
        self.push(draft.content, "Restore draft", self.current_view)
        self.pending_draft = None
        layout.clear_message(self)

    def discard_draft(self) -> None:
        self.pending_draft = None
        drafts.clear_draft(self.store, self.visit_id)
        layout.clear_message(self)

    def close_editor(self) -> None:
        if self.model.dirty and not self.read_only:
            self.journal.flush()
        self.closed.emit()

    # -- tools, layers, views -------------------------------------------------------------

    def set_tool(self, name: str) -> None:
        self.tool_name = name
        self.rail.tool_buttons[name].setChecked(True)

    def set_colour(self, name: str) -> None:
        self.pencil_color = name
        self.rail.colour_buttons[name].setChecked(True)
        self.set_tool("pencil")

    def show_view(self, view: str) -> None:
        self.view_stack.setCurrentIndex(self.view_codes.index(view))
        self.view_buttons[view].setChecked(True)

    def show_panel(self, name: str) -> None:
        layout.show_panel(self, name)

    def set_layer(self, name: str, state: str) -> None:
        self.layer_states[name] = state
        for scene in self.scenes.values():
            scene.set_layer(name, state)
        layout.update_layer_buttons(self)

    def fit(self) -> None:
        if self.view_codes:
            self.canvas().fit()

    def closeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.pen)
        self.overlay.shutdown()  # an alignment in flight reads the store
        super().closeEvent(event)


__all__ = ["ChartEditor", "Qt"]
