"""What the measure tool and the safety band draw on a view: not chart content, never saved.

The measured line is in photo pixels (glued to the skin) with a cosmetic pen; its end dots and
its label keep their on-screen size at any zoom. The band is drawn faintly under the markings.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsLineItem,
    QGraphicsPathItem,
    QStyleOptionGraphicsItem,
    QWidget,
)

MEASURE_Z = 12  # over points and labels: it is what the user is looking at
BAND_Z = 0.75  # over the photo and earlier charts, under today's markings
MEASURE_COLOUR = "#FFD54F"
DOT_RADIUS = 7.0  # screen pixels


class Dot(QGraphicsItem):
    """An end of the measured line: a ring of fixed screen size."""

    def __init__(self, pos: QPointF) -> None:
        super().__init__()
        self.setPos(pos)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setZValue(MEASURE_Z)

    def boundingRect(self) -> QRectF:
        r = DOT_RADIUS + 2
        return QRectF(-r, -r, 2 * r, 2 * r)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor("#111111"), 4))
        painter.drawEllipse(QPointF(), DOT_RADIUS, DOT_RADIUS)
        painter.setPen(QPen(QColor(MEASURE_COLOUR), 2))
        painter.drawEllipse(QPointF(), DOT_RADIUS, DOT_RADIUS)


class MeasureLabel(QGraphicsItem):
    """The measured length ("23.4 mm", or why there is none) in a dark pill, screen-sized."""

    def __init__(self, pos: QPointF, text: str) -> None:
        super().__init__()
        self.setPos(pos)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setZValue(MEASURE_Z + 1)
        self.font = QFont()
        self.font.setPixelSize(18)
        self.font.setBold(True)
        self._text = text

    @property
    def text(self) -> str:
        return self._text

    def set_text(self, text: str) -> None:
        self.prepareGeometryChange()
        self._text = text
        self.update()

    def boundingRect(self) -> QRectF:
        r = QFontMetricsF(self.font).boundingRect(self._text)
        w, h = r.width() + 20, r.height() + 12
        return QRectF(-w / 2, 14, w, h)  # below the line's middle: points sit above eyes

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        box = self.boundingRect()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(16, 22, 28, 215))
        painter.drawRoundedRect(box, 8, 8)
        painter.setFont(self.font)
        painter.setPen(QColor(MEASURE_COLOUR))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, self._text)


class Measurement:
    """One measurement on a scene: its first dot, then the line, the second dot and label."""

    def __init__(self, scene_add: Callable[[QGraphicsItem], None], start: QPointF) -> None:
        self._add = scene_add
        self.start = QPointF(start)
        self.end: QPointF | None = None
        self.items: list[QGraphicsItem] = [Dot(start)]
        self.label: MeasureLabel | None = None
        self._add(self.items[0])

    def finish(self, end: QPointF, text: str) -> None:
        self.end = QPointF(end)
        line = QGraphicsLineItem(QLineF(self.start, end))
        pen = QPen(QColor(MEASURE_COLOUR), 3)
        pen.setCosmetic(True)  # 3 screen pixels at any zoom
        line.setPen(pen)
        line.setZValue(MEASURE_Z - 0.5)
        self.label = MeasureLabel((self.start + end) / 2, text)
        for item in (line, Dot(end), self.label):
            self.items.append(item)
            self._add(item)

    @property
    def length_px(self) -> float | None:
        return None if self.end is None else QLineF(self.start, self.end).length()

    def remove(self) -> None:
        for item in self.items:
            scene = item.scene()
            if scene is not None:
                scene.removeItem(item)
        self.items.clear()


def band_item(shapes: list[list[tuple[float, float]]]) -> QGraphicsPathItem:
    """The glabellar safety band (app.domain.safety.band_outlines), faint amber."""
    path = QPainterPath()
    for shape in shapes:
        if len(shape) >= 3:
            path.moveTo(*shape[0])
            for x, y in shape[1:]:
                path.lineTo(x, y)
            path.closeSubpath()
    item = QGraphicsPathItem(path)
    item.setBrush(QBrush(QColor(255, 179, 0, 46)))
    pen = QPen(QColor(255, 179, 0, 150), 1.5, Qt.PenStyle.DashLine)
    pen.setCosmetic(True)
    item.setPen(pen)
    item.setZValue(BAND_Z)
    return item
