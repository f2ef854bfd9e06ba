"""Scene items of a microneedling chart: each treated area a translucent polygon shaded by its
needle depth (the legend on the Areas page reads the same colours), its name and depth on a
pill at its centre, and the outline being drawn. Built from the model, never the truth."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsRectItem,
    QStyleOptionGraphicsItem,
    QWidget,
)

from app.domain.microneedling import TreatedArea, Vertex, format_depth
from app.domain.microneedling import depth_colour as shade
from app.domain.mn_editing import centroid

FILL_ALPHA = 105  # the skin shows through: the area's texture and its scars stay visible


def depth_colour(depth: Decimal) -> QColor:
    return QColor(shade(depth))


def area_text(area: TreatedArea) -> str:
    """Two short lines, so neighbouring areas' labels (the two cheeks) do not collide."""
    name = area.name or "Unnamed area"
    return f"{name}\n{format_depth(area.depth_mm)} mm · {area.passes}×"


def polygon_path(polygon: Sequence[Vertex], closed: bool = True) -> QPainterPath:
    path = QPainterPath()
    if not polygon:
        return path
    path.moveTo(QPointF(*polygon[0]))
    for x, y in polygon[1:]:
        path.lineTo(QPointF(x, y))
    if closed:
        path.closeSubpath()
    return path


class AreaItem(QGraphicsPathItem):
    """A treated area in photo pixels: it stays glued to the skin at any zoom."""

    def __init__(self, area: TreatedArea, parent: QGraphicsItem | None = None) -> None:
        super().__init__(polygon_path(area.polygon), parent)
        self.area = area
        fill = depth_colour(area.depth_mm)
        self.fill = fill
        fill_a = QColor(fill)
        fill_a.setAlpha(FILL_ALPHA)
        self.setBrush(QBrush(fill_a))
        self.selected = False
        self._apply_pen()

    def _apply_pen(self) -> None:
        pen = QPen(QColor("#FFFFFF") if self.selected else self.fill, 4 if self.selected else 2.5)
        pen.setCosmetic(True)  # a line of constant screen width
        if self.selected:
            pen.setStyle(Qt.PenStyle.DashLine)
        self.setPen(pen)

    def set_selected(self, on: bool) -> None:
        if on != self.selected:
            self.selected = on
            self._apply_pen()


class AreaLabel(QGraphicsRectItem):
    """'Cheeks / 1.5 mm · 3×' on a dark pill at the area's centre, constant size on screen."""

    FONT_PT = 11.0

    def __init__(self, area: TreatedArea, parent: QGraphicsItem | None = None) -> None:
        super().__init__(parent)
        self.setPen(Qt.PenStyle.NoPen)
        self.text = area_text(area)
        self.font = QFont()
        self.font.setPointSizeF(self.FONT_PT)
        self.font.setBold(True)
        m = QFontMetricsF(self.font)
        lines = self.text.split("\n")
        w = max(m.horizontalAdvance(t) for t in lines) + 14
        h = m.height() * len(lines) + 6
        self.setRect(QRectF(-w / 2, -h / 2, w, h))
        self.swatch = depth_colour(area.depth_mm)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setPos(QPointF(*centroid(area.polygon)))
        self.setZValue(100)  # above the other areas (siblings of its own area)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemStacksBehindParent, False)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        r = self.rect()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(self.swatch, 2))
        painter.setBrush(QColor(16, 22, 28, 210))
        painter.drawRoundedRect(r, 6, 6)
        painter.setPen(QColor("#FFFFFF"))
        painter.setFont(self.font)
        painter.drawText(r, Qt.AlignmentFlag.AlignCenter, self.text)


class DraftOutline(QGraphicsPathItem):
    """The polygon being tapped out: its edges, and a ring on the first vertex to tap to
    close it (drawn at constant screen size by a cosmetic pen)."""

    def __init__(self) -> None:
        super().__init__()
        pen = QPen(QColor("#FFFFFF"), 2.5)
        pen.setCosmetic(True)
        self.setPen(pen)
        self.setBrush(QColor(255, 255, 255, 40))
        self.setZValue(20)
        self.vertices: list[Vertex] = []

    def set_vertices(self, vertices: Sequence[Vertex], ring: float, live: Vertex | None) -> None:
        self.vertices = list(vertices)
        path = polygon_path([*self.vertices, *([live] if live else [])], closed=False)
        for x, y in self.vertices[:1]:
            path.addEllipse(QPointF(x, y), ring, ring)  # where to tap to close
        for x, y in self.vertices[1:]:
            path.addEllipse(QPointF(x, y), ring / 3, ring / 3)
        self.setPath(path)


class AreaLayer:
    """A view's area items, kept in step with the model by id (an unchanged area keeps its
    item: content is immutable, so `is` finds it)."""

    def __init__(self, parent: QGraphicsItem) -> None:
        self.parent = parent
        self.items: dict[str, AreaItem] = {}
        self.labels: dict[str, AreaLabel] = {}
        self.selected_id: str | None = None

    def sync(self, areas: Sequence[TreatedArea]) -> None:
        by_id = {a.id: a for a in areas}
        scene = self.parent.scene()
        for aid in list(self.items):
            kept = by_id.get(aid)
            if kept is None or (self.items[aid].area is not kept and self.items[aid].area != kept):
                self.labels.pop(aid)
                gone = self.items.pop(aid)
                if scene is not None:
                    scene.removeItem(gone)  # its label with it
        for aid, a in by_id.items():
            if aid not in self.items:
                item = AreaItem(a, self.parent)
                item.set_selected(aid == self.selected_id)
                self.items[aid] = item
                # a child of its area: above every area's fill, hidden with the Areas layer
                self.labels[aid] = AreaLabel(a, item)
            else:
                self.items[aid].area = a  # equal: the newer object, for identity next time

    def select(self, area_id: str | None) -> None:
        for aid, item in self.items.items():
            item.set_selected(aid == area_id)
        self.selected_id = area_id
