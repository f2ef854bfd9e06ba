"""One view's scene: the photo in photo-pixel coordinates, and items kept in step with the
model by id (a stroke or point that did not change keeps its item)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPixmap
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPixmapItem, QGraphicsScene

from app.domain.chart import ChartContent, InjectionPoint, ViewChart
from app.domain.editing import product_use
from app.domain.values import format_units
from ui.editor.items import PRODUCT_COLOURS, LabelItem, LayerItem, PointItem, StrokeItem

LAYERS = ("markings", "points", "labels")


def point_label(content: ChartContent, point: InjectionPoint) -> str:
    """Units, and the volume to draw up when the product's dilution is known."""
    text = f"{format_units(point.units)} U"
    use = product_use(content, point.product)
    if use and use.dilution:
        text += f" · {format_units(use.dilution.volume_ml(point.units).normalize())} mL"
    return text


class ViewScene(QGraphicsScene):
    def __init__(self, view: str, photo_size: tuple[int, int] | None, jpeg: bytes | None) -> None:
        super().__init__()
        self.view = view
        self.setBackgroundBrush(QColor("#1E252C"))
        width, height = photo_size or (1000, 1250)
        # The frame of the coordinates: the original's upright pixels, whatever image is shown.
        self.frame = QRectF(0, 0, width, height)
        self.photo_item: QGraphicsPixmapItem | None = None
        if jpeg:
            image = QImage.fromData(QByteArray(jpeg))  # Qt reads the format from the data
            if not image.isNull():
                item = QGraphicsPixmapItem(QPixmap.fromImage(image))
                item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
                item.setScale(width / image.width())
                # Cached at screen resolution: a pen event repaints a blit, not a rescale of
                # the photo, so its cost does not grow with the photo's megapixels.
                item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
                self.addItem(item)
                self.photo_item = item
        self.setSceneRect(self.frame)
        # Labels under the points: a label never hides a neighbouring marker.
        self.layers = {name: LayerItem(z) for name, z in zip(LAYERS, (1, 3, 2), strict=True)}
        for layer in self.layers.values():
            self.addItem(layer)
        self.stroke_items: dict[str, StrokeItem] = {}
        self.point_items: dict[str, PointItem] = {}
        self.label_items: dict[str, LabelItem] = {}
        self.selected_id: str | None = None
        self._product_colours: dict[str, str] = {}

    def product_colour(self, product: str) -> str:
        if product not in self._product_colours:
            self._product_colours[product] = PRODUCT_COLOURS[
                len(self._product_colours) % len(PRODUCT_COLOURS)
            ]
        return self._product_colours[product]

    def sync(self, content: ChartContent) -> None:
        """Make the items match the model: add, drop or rebuild only what changed."""
        chart = content.view(self.view) or ViewChart(self.view)
        strokes = {s.id: s for s in chart.strokes}
        for sid in list(self.stroke_items):
            if sid not in strokes or self.stroke_items[sid].stroke != strokes[sid]:
                self.removeItem(self.stroke_items.pop(sid))
        for sid, s in strokes.items():
            if sid not in self.stroke_items:
                self.stroke_items[sid] = StrokeItem(s, self.layers["markings"])
        points = {p.id: p for p in chart.points}
        for pid in list(self.point_items):
            item = self.point_items[pid]
            label = point_label(content, points[pid]) if pid in points else None
            if (
                pid not in points
                or item.point != points[pid]
                or label != self.label_items[pid].text
            ):
                self.removeItem(self.point_items.pop(pid))
                self.removeItem(self.label_items.pop(pid))
        for pid, p in points.items():
            if pid in self.point_items:  # a cancelled drag may have left it elsewhere
                for shown in (self.point_items[pid], self.label_items[pid]):
                    if shown.pos() != QPointF(p.x, p.y):
                        shown.setPos(QPointF(p.x, p.y))
                continue
            if pid not in self.point_items:
                item = PointItem(p, self.product_colour(p.product), self.layers["points"])
                item.selected = pid == self.selected_id
                self.point_items[pid] = item
                self.label_items[pid] = LabelItem(
                    point_label(content, p), QPointF(p.x, p.y), self.layers["labels"]
                )
        if self.selected_id not in points:
            self.selected_id = None

    def select(self, point_id: str | None) -> None:
        for pid, item in self.point_items.items():
            want = pid == point_id
            if item.selected != want:
                item.selected = want
                item.update()
        self.selected_id = point_id

    def set_layer(self, name: str, state: str) -> None:
        """'shown', 'faded' or 'hidden'."""
        layer = self.layers[name]
        layer.setVisible(state != "hidden")
        layer.setOpacity(0.35 if state == "faded" else 1.0)
