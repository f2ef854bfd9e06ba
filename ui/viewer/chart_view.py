"""A read-only chart on its photo: QGraphicsView + QGraphicsScene in PHOTO PIXEL coordinates.

The scene's units are pixels of the original upright photo (CONTRACTS.md), so strokes and
points are placed exactly as stored. The display JPEG is smaller than the original, so its
pixmap item is scaled up by original_width / display_width to cover the same frame.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QWidget,
)

from app.domain.chart import InjectionPoint, Stroke, ViewChart
from app.domain.values import format_units
from app.services import photos
from app.store.errors import StoreError
from ui.common import images
from ui.editor.mn_items import AreaLayer
from ui.viewer.zoom import ZoomableView

if TYPE_CHECKING:  # ui/ uses the store only through app.services
    from app.services.store import Store

POINT_RADIUS = 9.0  # on-screen pixels, whatever the zoom
POINT_HIT_PX = 26.0  # a fingertip's reach around a dot: a 52-px target
STROKE_COLOURS = {"white": "#FFFFFF", "blue": "#2F7DE1", "red": "#E0403A", "green": "#2EA86B"}


def stroke_path(stroke: Stroke) -> QPainterPath:
    path = QPainterPath()
    if not stroke.samples:
        return path
    x0, y0, _p, _t = stroke.samples[0]
    path.moveTo(x0, y0)
    for x, y, _p, _t in stroke.samples[1:]:
        path.lineTo(x, y)
    return path


def stroke_item(stroke: Stroke) -> QGraphicsPathItem:
    item = QGraphicsPathItem(stroke_path(stroke))
    pen = QPen(QColor(STROKE_COLOURS.get(stroke.color, stroke.color)))
    pen.setWidthF(stroke.width)  # photo pixels: a line keeps its place on the skin when zoomed
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    if stroke.style == "dashed":
        pen.setStyle(Qt.PenStyle.DashLine)
    item.setPen(pen)
    item.setData(0, stroke.id)
    return item


def tag(text: str, point_size: float, parent: QGraphicsItem | None = None) -> QGraphicsRectItem:
    """Dark text on a light rounded plate: readable on pale skin and dark hair alike."""
    plate = QGraphicsRectItem(parent)
    plate.setPen(QPen(Qt.PenStyle.NoPen))
    plate.setBrush(QBrush(QColor(255, 255, 255, 225)))
    label = QGraphicsSimpleTextItem(text, plate)
    font = QFont()
    font.setPointSizeF(point_size)
    font.setBold(True)
    label.setFont(font)
    label.setBrush(QBrush(QColor("#17212B")))
    box = label.boundingRect()
    pad = 3.0
    plate.setRect(0, 0, box.width() + 2 * pad, box.height())
    label.setPos(pad, 0)
    return plate


class PointItem(QGraphicsEllipseItem):
    """An injection point: a dot with its units above it, the same size on screen at any zoom
    (ItemIgnoresTransformations), centred exactly on the stored position."""

    def __init__(self, point: InjectionPoint) -> None:
        r = POINT_RADIUS
        super().__init__(-r, -r, 2 * r, 2 * r)
        self.point = point
        self.setPos(QPointF(point.x, point.y))
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setBrush(QBrush(QColor("#F2C14E")))
        self.setPen(QPen(QColor("#1B2530"), 2))
        self.setZValue(10)
        self.setToolTip(f"{point.zone} · {format_units(point.units)} U · {point.depth.value}")
        # Above the dot, centred: neighbouring points are often only a finger's width apart.
        self.units_tag = tag(format_units(point.units), 11, self)
        box = self.units_tag.rect()
        self.units_tag.setPos(-box.width() / 2, -r - box.height() - 1)


def side_marker(text: str) -> QGraphicsRectItem:
    item = tag(text, 18)
    item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
    item.setZValue(20)
    return item


class ChartView(ZoomableView):
    """One view's photo with its strokes and points, fitted to the widget, read-only; pinch,
    wheel or drag to look closer (ZoomableView); a tap on a point names it (`point_tapped`)."""

    point_tapped = Signal(object)  # InjectionPoint, or None for a tap beside every point

    def __init__(self, store: Store, chart: ViewChart, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chartView")
        self.chart = chart
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(
            QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform
        )
        self.setBackgroundBrush(QColor("#2A323B"))
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.photo_item: QGraphicsPixmapItem | None = None
        self.stroke_items: list[QGraphicsPathItem] = []
        self.point_items: list[PointItem] = []
        self.frame = self._add_photo(store)
        for s in chart.strokes:
            line = stroke_item(s)
            self.scene().addItem(line)
            self.stroke_items.append(line)
        for p in chart.points:
            item = PointItem(p)
            self.scene().addItem(item)
            self.point_items.append(item)
        if chart.areas:  # a microneedling chart's areas, shaded by depth as the editor shows
            holder = QGraphicsRectItem()
            holder.setPen(Qt.PenStyle.NoPen)
            self.scene().addItem(holder)
            self.areas = AreaLayer(holder)
            self.areas.sync(chart.areas)
        self._add_side_markers()
        self.scene().setSceneRect(self.frame)

    def tapped(self, at: QPointF) -> None:
        """The point nearest the tap within a fingertip's reach (the dots are small)."""
        best, best_d = None, POINT_HIT_PX
        for item in self.point_items:
            spot = QPointF(self.mapFromScene(item.pos()))
            d = math.hypot(spot.x() - at.x(), spot.y() - at.y())
            if d <= best_d:
                best, best_d = item, d
        for item in self.point_items:
            chosen = item is best
            item.setPen(QPen(QColor("#FFFFFF" if chosen else "#1B2530"), 4 if chosen else 2))
        self.point_tapped.emit(best.point if best else None)

    def _add_photo(self, store: Store) -> QRectF:
        """Place the display image over the original's pixel frame; returns that frame."""
        sha = self.chart.photo_sha256
        if sha:
            try:
                width, height = photos.photo_size(store, sha)
            except StoreError:
                width = height = 0
            pm = images.display_image(store, sha)
            if width and not pm.isNull():
                item = QGraphicsPixmapItem(pm)
                item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
                item.setScale(width / pm.width())
                item.setZValue(0)
                self.scene().addItem(item)
                self.photo_item = item
                return QRectF(0, 0, width, height)
        # No photo: keep the marks' own extent so they still show, on a plain background.
        box = QRectF()
        for p in self.chart.points:
            box = box.united(QRectF(p.x - 50, p.y - 50, 100, 100))
        for s in self.chart.strokes:
            box = box.united(stroke_path(s).boundingRect().adjusted(-50, -50, 50, 50))
        return box if not box.isEmpty() else QRectF(0, 0, 1000, 1250)

    def _add_side_markers(self) -> None:
        """The patient's own sides: on a frontal photo their right is on the viewer's left."""
        f = self.frame
        self.right_marker = side_marker("R")
        self.left_marker = side_marker("L")
        for m in (self.right_marker, self.left_marker):
            self.scene().addItem(m)
        self.right_marker.setPos(f.left() + f.width() * 0.015, f.center().y())
        self.left_marker.setPos(f.right() - f.width() * 0.015, f.center().y())
        # These ignore the view's zoom, so their own transform is in screen pixels: centre
        # them vertically and make the L end at the photo's right edge.
        for m, dx in ((self.right_marker, 0.0), (self.left_marker, 1.0)):
            r = m.rect()
            m.setTransform(m.transform().translate(-r.width() * dx, -r.height() / 2))
