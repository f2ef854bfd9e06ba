"""Scene items that draw the chart: strokes, injection points, their labels, and layers.

Items are built from the domain model and rebuilt when it changes (ui/editor/scene.py); they
hold no state of their own worth saving. Points and labels ignore the view's zoom so they keep
their on-screen size, while strokes are in photo pixels and stay glued to the skin.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsRectItem,
    QStyleOptionGraphicsItem,
    QWidget,
)

from app.domain import strokes as geo
from app.domain.chart import ChartContent, InjectionPoint, Stroke
from app.domain.editing import product_use
from app.domain.values import format_units
from ui.editor import stroke_geometry

# Colours that read on any skin tone (issue #3), as the clinician's make-up pencils.
COLOURS: dict[str, str] = {
    "white": "#FFFFFF",
    "black": "#111111",
    "red": "#E5322D",
    "blue": "#1E6FE8",
}
PRODUCT_COLOURS = ("#F2C14E", "#4FC3F7", "#B388FF", "#81C784", "#FF8A65", "#F06292")

# The stacking order of a view's scene: the display image (0), the original's sharp pixels at
# deep zoom (DETAIL_Z, ui/editor/detail.py), earlier charts (ui/overlay, 0.5), then today's
# markings (1), labels (2) and points (3). Equal z values stack by insertion order, so a
# detail laid down after the overlay hid it at deep zoom until an undo rebuilt it.
DETAIL_Z = 0.25

POINT_RADIUS = 11.0  # drawn dot, screen pixels at any zoom
POINT_HIT_RADIUS = 26.0  # what a fingertip can hit: a 52-px target


class LayerItem(QGraphicsItem):
    """An invisible parent: hiding or fading it hides or fades a whole layer."""

    def __init__(self, z: float) -> None:
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents)
        self.setZValue(z)

    def boundingRect(self) -> QRectF:
        return QRectF()

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        pass


def colour(name: str) -> QColor:
    return QColor(COLOURS.get(name, name))


def _polygon_path(curve: list[tuple[float, float, float]], width: float) -> QPainterPath:
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.WindingFill)
    if not curve:
        return path
    if len(curve) == 1:
        x, y, p = curve[0]
        r = geo.width_at(width, p) / 2
        path.addEllipse(QPointF(x, y), r, r)
        return path
    left, right = geo.outline(curve, width)
    poly = QPolygonF([QPointF(x, y) for x, y in left] + [QPointF(x, y) for x, y in right[::-1]])
    path.addPolygon(poly)
    path.closeSubpath()
    for x, y, p in (curve[0], curve[-1]):  # round ends, like a pencil tip
        r = geo.width_at(width, p) / 2
        path.addEllipse(QPointF(x, y), r, r)
    return path


def stroke_shape(stroke: Stroke) -> stroke_geometry.Shape:
    """A pressure outline to fill, or a centreline to draw dashed, as plain numbers (numpy,
    ui/editor/stroke_geometry.py: the same curve as the domain's, a tenth of the time)."""
    dashed = stroke.style == "dashed"
    return stroke_geometry.shape(stroke.samples, stroke.width, dashed=dashed)


class StrokeItem(QGraphicsPathItem):
    def __init__(
        self,
        stroke: Stroke,
        parent: QGraphicsItem | None = None,
        shape: stroke_geometry.Shape | None = None,  # worked out ahead (ui/editor/ahead.py)
    ) -> None:
        super().__init__(parent)
        self.stroke = stroke
        drawn = shape or stroke_shape(stroke)
        path, filled = stroke_geometry.path(drawn), drawn.filled
        self.setPath(path)
        # A finished stroke never changes: draw it once per zoom, then blit it on every
        # repaint while the pen moves (a chart has dozens of them).
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        c = colour(stroke.color)
        if filled:
            self.setPen(Qt.PenStyle.NoPen)
            self.setBrush(QBrush(c))
        else:
            # A muscle border: dashes in photo pixels, so they scale with the anatomy.
            pen = QPen(c, stroke.width * 0.6)
            pen.setStyle(Qt.PenStyle.DashLine)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            self.setPen(pen)
            self.setBrush(Qt.BrushStyle.NoBrush)


class LiveStrokeItem(QGraphicsPathItem):
    """The stroke under the pen. Only the newest segment is smoothed and added per event, and
    every CHUNK segments the finished part is frozen into a child item cached as a pixmap at
    screen resolution: a repaint blits those and fills at most CHUNK segments, so an event
    costs the same on the 500th sample as on the 5th."""

    CHUNK = 16

    def __init__(self, color: str, style: str, width: float) -> None:
        super().__init__()
        self.samples: list[tuple[float, float, float, float]] = []
        self.width = width
        self.dashed = style == "dashed"
        self._done = QPainterPath()
        self._done.setFillRule(Qt.FillRule.WindingFill)
        self._finished = 0  # samples whose following segment is already in _done
        self._in_chunk = 0
        self.chunks: list[QGraphicsPathItem] = []
        c = colour(color)
        if self.dashed:
            pen = QPen(c, width * 0.6)
            pen.setStyle(Qt.PenStyle.DashLine)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            self.setPen(pen)
        else:
            self.setPen(Qt.PenStyle.NoPen)
            self.setBrush(QBrush(c))
        self.setZValue(5)

    def add(self, sample: tuple[float, float, float, float]) -> None:
        if self.samples and (sample[0], sample[1]) == self.samples[-1][:2]:
            return
        self.samples.append(sample)
        n = len(self.samples)
        # A Catmull-Rom segment i→i+1 is final once sample i+2 exists.
        while self._finished + 2 < n:
            i = self._finished
            window = self.samples[max(i - 1, 0) : i + 3]
            curve = geo.smooth(window)
            k = (1 if i > 0 else 0) * geo.SUBDIVISIONS
            seg = curve[k : k + geo.SUBDIVISIONS + 1]
            self._done.addPath(self._segment(seg))
            self._finished += 1
            self._in_chunk += 1
            if self._in_chunk >= self.CHUNK:
                self._freeze()
        tail = QPainterPath(self._done)
        rest = self.samples[max(self._finished - 1, 0) :]
        curve = geo.smooth(rest)
        if self._finished > 0:
            curve = curve[geo.SUBDIVISIONS :]
        tail.addPath(self._segment(curve))
        self.setPath(tail)

    def _freeze(self) -> None:
        chunk = QGraphicsPathItem(self._done, self)
        chunk.setPen(self.pen())
        chunk.setBrush(self.brush())
        chunk.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.chunks.append(chunk)
        self._done = QPainterPath()
        self._done.setFillRule(Qt.FillRule.WindingFill)
        self._in_chunk = 0

    def _segment(self, curve: list[tuple[float, float, float]]) -> QPainterPath:
        if self.dashed:
            path = QPainterPath()
            if len(curve) >= 2:
                path.moveTo(curve[0][0], curve[0][1])
                for x, y, _p in curve[1:]:
                    path.lineTo(x, y)
            return path
        return _polygon_path(curve, self.width)


class PointItem(QGraphicsRectItem):
    """An injection point: a ring with a centre dot exactly on the stored position, a constant
    size on screen, and a round hit area a fingertip can find (shape()).

    A rectangle item only for its bounds: Qt asks every transformation-ignoring item for its
    bounding rectangle several times per repaint, and from C++ that costs nothing, where a
    Python `boundingRect` was some 400 calls into Python per repaint of a 100-point view.
    The rectangle itself is not drawn (no pen, no brush); `paint` draws the marker."""

    def __init__(self, point: InjectionPoint, fill: str, parent: QGraphicsItem | None = None):
        r = POINT_HIT_RADIUS + 2
        super().__init__(QRectF(-r, -r, 2 * r, 2 * r), parent)
        self.setPen(Qt.PenStyle.NoPen)
        self.point = point
        self.fill = QColor(fill)
        self.selected = False
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        # A pixmap at screen resolution, kept across zoom and pan (the item ignores them):
        # repainting around a pen stroke blits it instead of calling paint() in Python.
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setPos(QPointF(point.x, point.y))
        self.setZValue(10)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addEllipse(QPointF(0, 0), POINT_HIT_RADIUS, POINT_HIT_RADIUS)
        return path

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self.selected:
            painter.setPen(QPen(QColor("#FFFFFF"), 3))
            painter.setBrush(QColor(30, 111, 232, 90))
            painter.drawEllipse(QPointF(0, 0), POINT_RADIUS + 9, POINT_RADIUS + 9)
        painter.setPen(QPen(QColor("#10161C"), 2.5))
        painter.setBrush(self.fill)
        painter.drawEllipse(QPointF(0, 0), POINT_RADIUS, POINT_RADIUS)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#10161C"))
        painter.drawEllipse(QPointF(0, 0), 2.5, 2.5)


def point_label(content: ChartContent, point: InjectionPoint) -> str:
    """A point's label: units, and the volume to draw up when the product's dilution is
    known."""
    text = f"{format_units(point.units)} U"
    use = product_use(content, point.product)
    if use and use.dilution:
        text += f" · {format_units(use.dilution.volume_ml(point.units).normalize())} mL"
    return text


# Each label text's size as drawn (GUI thread): a chart read ahead places its first view's
# labels without fonts (ui/editor/ahead.py). A few hundred texts at most ("4 U · 0.1 mL").
LABEL_SIZES: dict[str, tuple[float, float]] = {}


class LabelItem(QGraphicsRectItem):
    """'4 U · 0.1 mL' beside a point: white on a dark pill, readable on any skin, constant
    size on screen. Where it sits is decided by ui/editor/labels.py; a label pushed out of a
    dense cluster draws a thin leader line back to its point. A rectangle item for its
    bounds (the pill), as PointItem: no Python call when a repaint asks for them."""

    FONT_PT = 12.0
    LEADER_FROM = POINT_RADIUS + 2  # the leader starts at the marker's edge, not its centre

    def __init__(self, text: str, anchor: QPointF, parent: QGraphicsItem | None = None) -> None:
        super().__init__(parent)
        self.setPen(Qt.PenStyle.NoPen)
        self.text = text
        self.font = QFont()
        self.font.setPointSizeF(self.FONT_PT)
        self.font.setBold(True)
        m = QFontMetricsF(self.font)
        self._rect = QRectF(0, 0, m.horizontalAdvance(text) + 14, m.height() + 6)
        if len(LABEL_SIZES) > 4096:  # texts beyond any chart's: start again
            LABEL_SIZES.clear()
        LABEL_SIZES[text] = (self._rect.width(), self._rect.height())
        self._pill = self._rect.translated(POINT_RADIUS + 6, -self._rect.height() / 2)
        self.setRect(self._pill)
        self._leader: QLineF | None = None
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        # Drawn once into a screen-resolution pixmap; a repaint blits it (no Python paint),
        # and ignoring transformations keeps that pixmap valid across zoom and pan.
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setPos(anchor)
        self.setZValue(11)

    def size(self) -> tuple[float, float]:
        return self._rect.width(), self._rect.height()

    def pill(self) -> QRectF:
        """The pill, in item (= viewport) pixels around the point."""
        return self._pill

    def set_spot(self, dx: float, dy: float, leader: bool) -> None:
        pill = self._rect.translated(dx, dy)
        line = None
        if leader:
            c = pill.center()
            d = math.hypot(c.x(), c.y()) or 1.0
            start = QPointF(c.x() / d * self.LEADER_FROM, c.y() / d * self.LEADER_FROM)
            end = QPointF(
                min(max(0.0, pill.left()), pill.right()), min(max(0.0, pill.top()), pill.bottom())
            )
            line = QLineF(start, end)
        self._leader = line
        if pill != self._pill:
            self._pill = pill
            self.setRect(pill)  # prepares the geometry change

    def leader(self) -> QLineF | None:
        """The leader from the marker's edge to the pill, item (= viewport) pixels, if any.
        ui/editor/label_layer.py draws all of a view's leaders as one path: as children of
        each label they were 120 more transformation-ignoring items for every repaint to
        map, and tripled the cost of a pen event on a busy view."""
        return self._leader

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        r = self._pill
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(16, 22, 28, 205))
        painter.drawRoundedRect(r, 6, 6)
        painter.setPen(QColor("#FFFFFF"))
        painter.setFont(self.font)
        painter.drawText(r, Qt.AlignmentFlag.AlignCenter, self.text)
