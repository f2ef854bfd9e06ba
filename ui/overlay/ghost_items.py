"""An earlier chart drawn over today's photo: its strokes, points and units, in a ghost colour.

One `GhostLayer` per overlay source and view, built from the earlier view chart already mapped
into today's photo pixels. Every item here is reference only: `shape()` is empty and no mouse
button is accepted, so the canvas's hit tests (`ChartCanvas.point_at`) and the pen tools never
see it — a tap on an earlier point places today's point right there. Markers and labels keep
their on-screen size at any zoom, like the editor's own (ui/editor/items.py).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QStyleOptionGraphicsItem, QWidget

from app.domain import strokes as geo
from app.domain.chart import InjectionPoint, Stroke, ViewChart
from app.domain.microneedling import TreatedArea, format_depth
from app.domain.mn_editing import centroid
from app.domain.values import format_units
from ui.editor.items import POINT_RADIUS, LayerItem

# Not the pencil colours (white, black, red, blue) nor the product fills of today's points:
# an earlier mark must never be mistaken for one drawn today.
GHOST_COLOURS = ("#FF5CE1", "#C8F53D", "#3DF2DC", "#FFB13D")
GHOST_Z = 0.5  # above the photo and its detail (DETAIL_Z), under today's markings (1): items.py
LAYERS = ("markings", "points", "labels")
HALO = QColor(16, 22, 28, 170)  # a dark edge under the ghost colour: readable on any skin


def ghost_colour(index: int) -> QColor:
    return QColor(GHOST_COLOURS[index % len(GHOST_COLOURS)])


def _inert(item: QGraphicsItem) -> None:
    item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
    item.setAcceptHoverEvents(False)
    item.setAcceptTouchEvents(False)
    item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, False)
    item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsFocusable, False)


def centreline(stroke: Stroke) -> QPainterPath:
    path = QPainterPath()
    curve = geo.smooth(stroke.samples)
    if curve:
        path.moveTo(curve[0][0], curve[0][1])
        for x, y, _p in curve[1:]:
            path.lineTo(x, y)
        if len(curve) == 1:
            path.addEllipse(QPointF(curve[0][0], curve[0][1]), 2.0, 2.0)
    return path


class GhostStroke(QGraphicsPathItem):
    """An earlier stroke as a dashed line of constant screen width (a cosmetic pen), whatever
    its pressure: an outline of where it was, not a second pencil mark."""

    def __init__(self, stroke: Stroke, fill: QColor, parent: QGraphicsItem) -> None:
        super().__init__(centreline(stroke), parent)
        _inert(self)
        self.stroke = stroke
        self.halo = QPen(HALO, 5.5)
        self.halo.setCosmetic(True)
        self.halo.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen = QPen(fill, 3.0)
        pen.setCosmetic(True)
        pen.setStyle(Qt.PenStyle.DashLine)
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        self.setPen(pen)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def shape(self) -> QPainterPath:
        return QPainterPath()

    def boundingRect(self) -> QRectF:
        return self.path().boundingRect().adjusted(-40, -40, 40, 40)  # cosmetic widths

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(self.halo)
        painter.drawPath(self.path())
        painter.setPen(self.pen())
        painter.drawPath(self.path())


class GhostPoint(QGraphicsItem):
    """An earlier injection point: a dashed ring with a cross on the exact spot, no fill."""

    def __init__(self, point: InjectionPoint, fill: QColor, parent: QGraphicsItem) -> None:
        super().__init__(parent)
        _inert(self)
        self.point = point
        self.fill = fill
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setPos(QPointF(point.x, point.y))

    def shape(self) -> QPainterPath:
        return QPainterPath()

    def boundingRect(self) -> QRectF:
        r = POINT_RADIUS + 5
        return QRectF(-r, -r, 2 * r, 2 * r)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        r = POINT_RADIUS + 1
        painter.setPen(QPen(HALO, 6))
        painter.drawEllipse(QPointF(0, 0), r, r)
        ring = QPen(self.fill, 3)
        ring.setStyle(Qt.PenStyle.DashLine)
        ring.setDashPattern([2.0, 1.5])
        painter.setPen(ring)
        painter.drawEllipse(QPointF(0, 0), r, r)
        painter.setPen(QPen(self.fill, 2))
        painter.drawLine(QPointF(-4, 0), QPointF(4, 0))
        painter.drawLine(QPointF(0, -4), QPointF(0, 4))


class GhostLabel(QGraphicsItem):
    """The earlier dose, small ('4 U'), below-left of its ring so today's label (to the right)
    keeps its place."""

    FONT_PT = 9.5

    def __init__(self, text: str, anchor: QPointF, fill: QColor, parent: QGraphicsItem) -> None:
        super().__init__(parent)
        _inert(self)
        self.text = text
        self.fill = fill
        self.font = QFont()
        self.font.setPointSizeF(self.FONT_PT)
        self.font.setBold(True)
        m = QFontMetricsF(self.font)
        w, h = m.horizontalAdvance(text) + 10, m.height() + 2
        gap = POINT_RADIUS + 3
        self._rect = QRectF(-w - gap + 6, gap - 4, w, h)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setPos(anchor)

    def shape(self) -> QPainterPath:
        return QPainterPath()

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(self.fill, 1.5))
        painter.setBrush(QColor(16, 22, 28, 200))
        painter.drawRoundedRect(self._rect, 5, 5)
        painter.setFont(self.font)
        painter.drawText(self._rect, Qt.AlignmentFlag.AlignCenter, self.text)


class GhostArea(QGraphicsPathItem):
    """An earlier microneedling area: its outline dashed in the ghost colour (no fill: today's
    areas are the filled ones), with its name and depth, so today's depth is chosen beside
    last session's."""

    def __init__(self, area: TreatedArea, fill: QColor, parent: QGraphicsItem) -> None:
        path = QPainterPath()
        path.addPolygon(QPolygonF([QPointF(x, y) for x, y in area.polygon]))
        path.closeSubpath()
        super().__init__(path, parent)
        _inert(self)
        self.area = area
        pen = QPen(fill, 3.0)
        pen.setCosmetic(True)
        pen.setStyle(Qt.PenStyle.DashLine)
        self.setPen(pen)
        self.setBrush(Qt.BrushStyle.NoBrush)

    def shape(self) -> QPainterPath:
        return QPainterPath()


class GhostLayer(LayerItem):
    """One earlier chart on one view: three sub-layers that the overlay toggles show or hide,
    and one opacity for the whole."""

    def __init__(self, mapped: ViewChart, colour_index: int) -> None:
        super().__init__(GHOST_Z + colour_index * 0.01)
        _inert(self)
        self.fill = ghost_colour(colour_index)
        self.parts = {name: LayerItem(z) for name, z in zip(LAYERS, (0, 2, 1), strict=True)}
        for part in self.parts.values():
            part.setParentItem(self)
            _inert(part)
        self.strokes = [GhostStroke(s, self.fill, self.parts["markings"]) for s in mapped.strokes]
        self.points = [GhostPoint(p, self.fill, self.parts["points"]) for p in mapped.points]
        self.labels = [
            GhostLabel(
                f"{format_units(p.units)} U", QPointF(p.x, p.y), self.fill, self.parts["labels"]
            )
            for p in mapped.points
        ]
        # a microneedling chart's areas: outlines, and "Cheeks 1.5 mm" where they were
        self.areas = [GhostArea(a, self.fill, self.parts["points"]) for a in mapped.areas]
        self.labels += [
            GhostLabel(
                f"{a.name} {format_depth(a.depth_mm)} mm",
                QPointF(*centroid(a.polygon)),
                self.fill,
                self.parts["labels"],
            )
            for a in mapped.areas
        ]

    def shape(self) -> QPainterPath:
        return QPainterPath()

    def show_parts(self, shown: dict[str, bool]) -> None:
        for name, part in self.parts.items():
            part.setVisible(shown.get(name, True))
