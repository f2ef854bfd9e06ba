"""One view's scene: the photo in photo-pixel coordinates, and items kept in step with the
model by id (a stroke or point that did not change keeps its item)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QBuffer, QByteArray, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QImageReader, QPixmap
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPixmapItem, QGraphicsScene

from app.domain.chart import ChartContent, ProductUse, ViewChart
from ui.editor import ahead
from ui.editor.ahead import FirstView
from ui.editor.items import (
    PRODUCT_COLOURS,
    LabelItem,
    LayerItem,
    PointItem,
    StrokeItem,
    point_label,
)
from ui.editor.mn_items import AreaLayer

LAYERS = ("markings", "points", "labels")


class ViewScene(QGraphicsScene):
    def __init__(self, view: str, photo_size: tuple[int, int] | None, jpeg: bytes | None) -> None:
        super().__init__()
        self.view = view
        self.setBackgroundBrush(QColor("#1E252C"))
        # A view's few hundred items are cheaper to walk than a BSP index that is built for
        # the first paint and updated whenever a label moves.
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        width, height = photo_size or (1000, 1250)
        # The frame of the coordinates: the original's upright pixels, whatever image is shown.
        self.frame = QRectF(0, 0, width, height)
        self.photo_item: QGraphicsPixmapItem | None = None
        # The display image can come later (set_photo, or photo_source when first needed):
        # the editor decodes the first view's before its first paint, the others behind it.
        self.photo_source: Callable[[], bytes | None] | None = None
        self._pending: ChartContent | None = None
        self._sharper: bytes | None = None  # the display JPEG, while a reduced decode shows
        # the first view's pixels and stroke shapes, worked out before the editor was built
        # (ui/editor/ahead.py); dropped once its first build used them
        self.ahead: FirstView | None = None
        # Items drawn straight for the first paint, cached behind it (`hold_caches`).
        self._uncached: list[QGraphicsItem] | None = None
        if jpeg:
            self.set_photo(jpeg)
        self.setSceneRect(self.frame)
        # Labels under the points: a label never hides a neighbouring marker.
        self.layers = {name: LayerItem(z) for name, z in zip(LAYERS, (1, 3, 2), strict=True)}
        for layer in self.layers.values():
            self.addItem(layer)
        self.stroke_items: dict[str, StrokeItem] = {}
        self.point_items: dict[str, PointItem] = {}
        self.label_items: dict[str, LabelItem] = {}
        # A microneedling chart's treated areas, in the points layer ("Areas" on its button).
        self.areas = AreaLayer(self.layers["points"])
        self.selected_id: str | None = None
        self._product_colours: dict[str, str] = {}
        self._products: tuple[ProductUse, ...] | None = None  # of the last sync

    def set_photo(self, jpeg: bytes | None, screen_side: int | None = None) -> bool:
        """Show the display image (JPEG bytes, upright) scaled onto the original's frame.
        With `screen_side` (the viewport's longest side in device pixels) a first paint needs
        no more pixels than the screen has: the JPEG decodes at 1/2, 1/4 or 1/8 scale, still
        at least that big, and `sharpen()` brings the whole display image right after."""
        self.photo_source = None
        if not jpeg or self.photo_item is not None:
            return False
        image, whole = _decode(jpeg, screen_side, self.ahead)
        if image.isNull():
            return False
        if image.width() < whole.width():
            self._sharper = jpeg
        item = QGraphicsPixmapItem(image)
        item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        item.setScale(self.frame.width() / image.width())
        # Cached at screen resolution: a pen event repaints a blit, not a rescale of the
        # photo, so its cost does not grow with the photo's megapixels.
        item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.uncached(item)
        self.addItem(item)
        self.photo_item = item
        return True

    def ensure_photo(self, screen_side: int | None = None) -> None:
        if self.photo_source is not None:
            self.set_photo(self.photo_source(), screen_side)

    def sharpen(self) -> None:
        """The whole display image in place of a screen-sized first decode (for zoom)."""
        jpeg, self._sharper = self._sharper, None
        if jpeg is None or self.photo_item is None:
            return
        image, _whole = _decode(jpeg, None)
        if not image.isNull():
            self.photo_item.setPixmap(image)
            self.photo_item.setScale(self.frame.width() / image.width())

    def hold_caches(self) -> None:
        """The first paint draws the items straight: each item's screen-resolution cache
        (which keeps a pen event's repaint a blit) made at the first paint cost more than
        drawing them once, some 6 ms of a busy view's opening. `release_caches`, behind the
        first paint, turns them on and repaints once, so the first pen event finds them."""
        self._uncached = []

    def uncached(self, item: QGraphicsItem) -> None:
        """An item made while the caches are held: drawn straight until they are released."""
        if self._uncached is not None:
            item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
            self._uncached.append(item)

    def release_caches(self) -> None:
        held, self._uncached = self._uncached, None
        for item in held or ():
            item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        if held:
            self.update()

    def shown(self) -> bool:
        return any(view.isVisible() for view in self.views())

    def flush(self, screen_side: int | None = None) -> None:
        """Decode the photo and build the items a sync deferred while no view showed this
        scene (ChartCanvas.showEvent, screen-sized, and ui/editor/photo_loader.py behind the
        first paint, whole)."""
        self.ensure_photo(screen_side)
        if screen_side is None:
            self.sharpen()
        pending, self._pending = self._pending, None
        if pending is not None:
            self.sync(pending, now=True)
        self.ahead = None  # used, or not this view's any more

    def product_colour(self, product: str) -> str:
        if product not in self._product_colours:
            self._product_colours[product] = PRODUCT_COLOURS[
                len(self._product_colours) % len(PRODUCT_COLOURS)
            ]
        return self._product_colours[product]

    def sync(self, content: ChartContent, now: bool = False) -> None:
        """Make the items match the model: add, drop or rebuild only what changed. Content is
        immutable and an edit keeps the objects it did not touch, so `is` finds the unchanged
        strokes and points without comparing them, and a label's text is only rebuilt for a
        point that changed or when the products (their dilutions) did."""
        if not now and not self.shown():
            self._pending = content  # built when shown (flush): opening paints one view
            return
        self._pending = None
        chart = content.view(self.view) or ViewChart(self.view)
        strokes = {s.id: s for s in chart.strokes}
        for sid in list(self.stroke_items):
            kept = strokes.get(sid)
            drawn = self.stroke_items[sid]
            if kept is None or (drawn.stroke is not kept and drawn.stroke != kept):
                self.removeItem(self.stroke_items.pop(sid))
        for sid, s in strokes.items():
            if sid not in self.stroke_items:
                made = self.ahead.shape_for(s) if self.ahead is not None else None
                self.stroke_items[sid] = StrokeItem(s, self.layers["markings"], made)
                self.uncached(self.stroke_items[sid])
        products_changed = content.products is not self._products
        self._products = content.products
        points = {p.id: p for p in chart.points}
        for pid in list(self.point_items):
            item = self.point_items[pid]
            p = points.get(pid)
            if p is not None and item.point is p and not products_changed:
                continue
            if (
                p is None
                or item.point != p
                or point_label(content, p) != self.label_items[pid].text
            ):
                self.removeItem(self.point_items.pop(pid))
                self.removeItem(self.label_items.pop(pid))
        for pid, p in points.items():
            shown = self.point_items.get(pid)
            if shown is not None:
                # A cancelled drag may have left it elsewhere.
                pos = shown.pos()
                if pos.x() != p.x or pos.y() != p.y:
                    for moved in (shown, self.label_items[pid]):
                        moved.setPos(QPointF(p.x, p.y))
                continue
            item = PointItem(p, self.product_colour(p.product), self.layers["points"])
            item.selected = pid == self.selected_id
            self.point_items[pid] = item
            self.label_items[pid] = LabelItem(
                point_label(content, p), QPointF(p.x, p.y), self.layers["labels"]
            )
            self.uncached(item)
            self.uncached(self.label_items[pid])
        if chart.areas or self.areas.items:
            self.areas.sync(chart.areas)
        if self.selected_id not in points and self.selected_id not in self.areas.items:
            self.selected_id = None

    def select(self, point_id: str | None) -> None:
        for pid, item in self.point_items.items():
            want = pid == point_id
            if item.selected != want:
                item.selected = want
                item.update()
        self.areas.select(point_id)  # a selection names a point or an area by its id
        self.selected_id = point_id

    def set_layer(self, name: str, state: str) -> None:
        """'shown', 'faded' or 'hidden'."""
        layer = self.layers[name]
        layer.setVisible(state != "hidden")
        layer.setOpacity(0.35 if state == "faded" else 1.0)


def _decode(
    jpeg: bytes, screen_side: int | None, ready: FirstView | None = None
) -> tuple[QPixmap, QSize]:
    """A display JPEG as a pixmap, decoded whole, or by libjpeg's DCT scaling at the smallest
    of 1/2, 1/4, 1/8 that still has `screen_side` pixels on its longest side (a 2560-px
    display image decodes in about half the time at 1/2); with the image's whole size. Pixels
    decoded ahead (`ready`, ui/editor/ahead.py) are used when they are that JPEG's, big enough.

    libjpeg-turbo through simplejpeg (already the app's strict decoder, app/imaging/decode.py)
    writes Qt's RGB32 layout directly and, on this machine, decodes a display image about
    three times faster than Qt's JPEG plug-in (18 ms against 55 ms whole); anything it does
    not take (not a colour JPEG, a warning) goes through Qt's reader as before."""
    pixels = ready.pixels_for(jpeg, screen_side) if ready is not None else None
    whole = ready.whole if pixels is not None and ready is not None else (0, 0)
    if pixels is None:
        pixels, whole = ahead.decode_pixels(jpeg, screen_side)
    if pixels is not None:
        h, w = pixels.shape[:2]
        image = QImage(pixels.data, w, h, w * 4, QImage.Format.Format_RGB32)
        return QPixmap.fromImage(image), QSize(*whole)  # a copy: pixels may go
    buffer = QBuffer()
    buffer.setData(QByteArray(jpeg))
    reader = QImageReader(buffer)
    size = reader.size()
    if size.isValid():
        factor = ahead.scale_factor(max(size.width(), size.height()), screen_side)
        if factor > 1:
            reader.setScaledSize(QSize(size.width() // factor, size.height() // factor))
    image = reader.read()
    return (QPixmap() if image.isNull() else QPixmap.fromImage(image)), size
