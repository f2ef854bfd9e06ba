"""The canvas of one view: zoom (fit … 8×, anchored under the fingers or pointer), pan, and
the routing of pen, touch and mouse input to the current tool (rules in ui/editor/input.py)."""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QEvent, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QPainter,
    QPixmap,
    QResizeEvent,
    QShowEvent,
    QTransform,
)
from PySide6.QtWidgets import QFrame, QGraphicsView, QWidget

from app.domain.chart import InjectionPoint
from app.domain.mn_editing import contains, polygon_area
from ui.editor import ahead
from ui.editor.detail import DetailLayer
from ui.editor.gestures import GestureMixin
from ui.editor.input import PenState
from ui.editor.items import PointItem
from ui.editor.label_layer import LabelPlacer, side_pill_rects
from ui.editor.scene import ViewScene
from ui.editor.session import EditorSession, Selection
from ui.editor.tools.base import Tool, ToolHost
from ui.editor.tools.eraser import EraserTool
from ui.editor.tools.pencil import PencilTool

# A treatment type's tools for one canvas, by name (ui/editor/treatment.py).
ToolFactory = Callable[[ToolHost], dict[str, Tool]]

MAX_ZOOM = 8.0  # times the fit-to-screen scale


class ChartCanvas(GestureMixin):
    def __init__(
        self,
        session: EditorSession,
        scene: ViewScene,
        pen: PenState,
        make_tools: ToolFactory,
        original_bytes: Callable[[], bytes | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(scene, parent)
        self.labels = LabelPlacer(self, scene)  # ui/editor/labels.py; first: viewportEvent
        self._session = session
        self.pen = pen
        self.vscene = scene
        self.setObjectName(f"canvas_{scene.view}")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setRenderHints(
            QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform
        )
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setBackgroundBrush(QColor("#1E252C"))
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
        # The background brush covers every pixel: a repaint (each pen event) need not paint
        # the styled editor and view stack underneath first.
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setMouseTracking(False)
        self._fitted = True
        self._gesture: str | None = None  # tool | pending | pan | pinch | ignored
        self._active_tool: Tool | None = None
        self._last = QPointF()
        self._start = QPointF()
        self._pinch: tuple[float, float, QPointF, float, float] | None = None
        self._last_two_tap = -1e12
        self._pills: dict[tuple[str, float], QPixmap] = {}
        self.detail = DetailLayer(self, original_bytes)
        self.tools = make_tools(self)

    # -- ToolHost ---------------------------------------------------------------------------

    @property
    def scene_(self) -> ViewScene:
        return self.vscene

    @property
    def view_code(self) -> str:
        return self.vscene.view

    @property
    def session(self) -> EditorSession:
        return self._session

    def tool_for(self, kind: str) -> Tool:
        """The tool a pointer of this kind uses now: the pen's eraser end always erases."""
        settings = self._session.tools
        tool = self.tools["eraser" if kind == "eraser" else settings.tool]
        if isinstance(tool, PencilTool):
            tool.color, tool.style = settings.pencil_color, settings.pencil_style
        elif isinstance(tool, EraserTool):
            tool.whole = settings.erase_whole
        return tool

    def scale_(self) -> float:
        return self.transform().m11()

    def screen_px(self) -> float:
        return 1.0 / max(self.scale_(), 1e-9)

    def point_at(self, pos: QPointF) -> InjectionPoint | None:
        """The point whose hit area (PointItem.shape) is under a photo position."""
        vp = self.mapFromScene(pos)
        for item in self.items(vp):
            if isinstance(item, PointItem) and item.isVisible():
                return item.point
        return None

    def open_point(self, point_id: str | None) -> None:
        """Choose a point, or a microneedling area, by its id (None: nothing)."""
        self._session.select(Selection(self.view_code, point_id) if point_id else None)

    def area_at(self, pos: QPointF) -> str | None:
        """The id of the treated area under a photo position; of nested areas, the smallest."""
        inside = [
            item.area
            for item in self.vscene.areas.items.values()
            if item.isVisible() and contains(item.area.polygon, pos.x(), pos.y())
        ]
        if not inside:
            return None
        return min(inside, key=lambda a: polygon_area(a.polygon)).id

    def viewportEvent(self, event: QEvent) -> bool:
        # Labels are placed once per input event, however many changes it made.
        labels = self.labels
        labels.hold()
        try:
            return super().viewportEvent(event)
        finally:
            labels.release()

    # -- zoom -------------------------------------------------------------------------------

    def fit_scale(self) -> float:
        f = self.vscene.frame
        vp = self.viewport().rect()
        if f.isEmpty() or vp.isEmpty():
            return 1.0
        return min(vp.width() / f.width(), vp.height() / f.height())

    def _pan_room(self, scale: float) -> None:
        """Let the photo move half a screen past its edges, so a zoom stays anchored under
        the fingers even near an edge of the photo."""
        vp = self.viewport().rect()
        mx, my = vp.width() / 2 / scale, vp.height() / 2 / scale
        self.setSceneRect(self.vscene.frame.adjusted(-mx, -my, mx, my))

    def fit(self) -> None:
        s = self.fit_scale()
        self.setTransform(QTransform.fromScale(s, s))
        self._pan_room(s)
        self.centerOn(self.vscene.frame.center())
        self._fitted = True
        self.declutter()
        self.detail.request()

    def declutter(self) -> None:
        """Place the labels so none covers another label or a marker (ui/editor/labels.py):
        only those near what changed move; a hidden canvas waits until it is shown."""
        self.labels.run()

    def zoom_to(self, scale: float, anchor_vp: QPointF, anchor_scene: QPointF) -> None:
        """Set the scale (clamped to fit … 8×) keeping `anchor_scene` under `anchor_vp`."""
        fit = self.fit_scale()
        scale = min(max(scale, fit), fit * MAX_ZOOM)
        self.setTransform(QTransform.fromScale(scale, scale))
        self._fitted = math.isclose(scale, fit, rel_tol=1e-3)
        self._pan_room(scale)
        if self._fitted:
            self.centerOn(self.vscene.frame.center())
        else:
            self._keep_under(anchor_vp, anchor_scene)
        self.labels.soon()  # placed once the zoom pauses
        self.detail.request()

    def _keep_under(self, anchor_vp: QPointF, anchor_scene: QPointF) -> None:
        delta = QPointF(self.mapFromScene(anchor_scene)) - anchor_vp
        self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() + round(delta.x()))
        self.verticalScrollBar().setValue(self.verticalScrollBar().value() + round(delta.y()))

    def zoom_by(self, factor: float, anchor_vp: QPointF) -> None:
        self.zoom_to(self.scale_() * factor, anchor_vp, self.mapToScene(anchor_vp.toPoint()))

    def pan_by(self, delta: QPointF) -> None:
        self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - round(delta.x()))
        self.verticalScrollBar().setValue(self.verticalScrollBar().value() - round(delta.y()))
        self.detail.request()

    def zoom_level(self) -> float:
        return self.scale_() / self.fit_scale()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fitted or self.scale_() < self.fit_scale():
            self.fit()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # Photo and items deferred while hidden (ui/editor/scene.py), the photo screen-sized
        # for this first paint; the whole display image follows behind it (photo_loader).
        ratio = self.devicePixelRatioF()
        side = round(max(self.viewport().width(), self.viewport().height(), 1) * ratio)
        ahead.remember_screen_side(side)  # the next chart read ahead decodes for it
        self.vscene.flush(side)
        if self._fitted:
            self.fit()
        elif self.labels.stale:
            self.declutter()

    # -- the patient's sides, always at the visible photo's edges ---------------------------

    def _side_pill(self, text: str) -> QPixmap:
        """The R / L marker, drawn once: a pen event repaints the view, not this text."""
        ratio = self.devicePixelRatioF()
        key = (text, ratio)
        if key not in self._pills:
            pm = QPixmap(round(44 * ratio), round(52 * ratio))
            pm.setDevicePixelRatio(ratio)
            pm.fill(Qt.GlobalColor.transparent)
            p = QPainter(pm)
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(16, 22, 28, 190))
            p.drawRoundedRect(QRectF(0, 0, 44, 52), 10, 10)
            font = QFont()
            font.setPixelSize(26)
            font.setBold(True)
            p.setFont(font)
            p.setPen(QColor("#FFFFFF"))
            p.drawText(QRectF(0, 0, 44, 52), Qt.AlignmentFlag.AlignCenter, text)
            p.end()
            self._pills[key] = pm
        return self._pills[key]

    def drawForeground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        pills = side_pill_rects(self, self.vscene.frame)  # labels keep clear of these
        if not pills:
            return
        painter.save()
        painter.resetTransform()
        # The patient's right is on the viewer's left of a frontal photo (CONTRACTS.md).
        painter.drawPixmap(pills[0].topLeft(), self._side_pill("R"))
        painter.drawPixmap(pills[1].topLeft(), self._side_pill("L"))
        painter.restore()
