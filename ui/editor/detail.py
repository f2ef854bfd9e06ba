"""Sharp pixels at deep zoom: when the display image (≤ 2560 px) is enlarged on screen, decode
the original in a worker thread and lay the visible part of it, at full resolution, over the
display image. The first paint always comes from the display image; this only refines it.

The original is decoded through the one door (app.imaging.decode.decode_upright), cropped to
the visible region plus a margin, and dropped: only the crop is kept, so memory stays small.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRect, QRectF, QRunnable, QThreadPool, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPixmapItem

from app.imaging.decode import ImageError, decode_upright

SETTLE_MS = 300  # wait for the fingers to stop before decoding 24 megapixels
ENLARGED = 1.5  # screen pixels per display-image pixel above which the photo looks soft
MARGIN = 0.25  # decode a quarter screen around the visible part, for small pans


class _Signals(QObject):
    done = Signal(int, object, object)  # generation, QImage, QRect in photo pixels


class _Decode(QRunnable):
    def __init__(self, data: bytes, region: QRect, generation: int, signals: _Signals) -> None:
        super().__init__()
        self.data, self.region, self.generation, self.signals = data, region, generation, signals

    def run(self) -> None:
        try:
            img = decode_upright(self.data)
        except ImageError:
            return
        r = self.region
        crop = img.crop((r.left(), r.top(), r.right() + 1, r.bottom() + 1)).convert("RGB")
        del img
        raw = crop.tobytes()
        image = QImage(raw, crop.width, crop.height, 3 * crop.width, QImage.Format.Format_RGB888)
        self.signals.done.emit(self.generation, image.copy(), r)  # copy: owns its pixels


class DetailLayer(QObject):
    """One per canvas. `request()` after every zoom or pan; the work happens once it settles."""

    # canvas: the ChartCanvas that owns this layer, Any because naming it would import the
    # module that imports this one (an import cycle)
    def __init__(self, canvas: Any, load_original: Callable[[], bytes | None]) -> None:
        super().__init__(canvas)
        self.canvas = canvas
        self.load_original = load_original  # read on the GUI thread
        self.item: QGraphicsPixmapItem | None = None
        self.generation = 0
        self.signals = _Signals()
        self.signals.done.connect(self._done)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SETTLE_MS)
        self.timer.timeout.connect(self._start)
        self.pool = QThreadPool.globalInstance()

    def needed(self) -> bool:
        photo = self.canvas.vscene.photo_item
        if photo is None:
            return False
        return self.canvas.scale_() * photo.scale() > ENLARGED

    def request(self) -> None:
        self.generation += 1  # whatever is decoding now is out of date
        if not self.needed():
            self._drop()
            return
        if self.item is not None and self._covers(self.item):
            return
        self.timer.start()

    def _visible(self) -> QRectF:
        vp = self.canvas.viewport().rect()
        seen = self.canvas.mapToScene(vp).boundingRect()
        m = MARGIN * max(seen.width(), seen.height())
        return seen.adjusted(-m, -m, m, m).intersected(self.canvas.vscene.frame)

    def _covers(self, item: QGraphicsPixmapItem) -> bool:
        seen = self.canvas.mapToScene(self.canvas.viewport().rect()).boundingRect()
        have = item.sceneBoundingRect()
        return have.contains(seen.intersected(self.canvas.vscene.frame))

    def _start(self) -> None:
        data = self.load_original()
        region = (
            self._visible().toAlignedRect().intersected(self.canvas.vscene.frame.toAlignedRect())
        )
        if not data or region.isEmpty():
            return
        self.pool.start(_Decode(data, region, self.generation, self.signals))

    def _done(self, generation: int, image: QImage, region: QRect) -> None:
        if generation != self.generation or not self.needed():
            return
        self._drop()
        item = QGraphicsPixmapItem(QPixmap.fromImage(image))
        item.setPos(region.left(), region.top())
        item.setZValue(0.5)  # over the display image, under every marking
        item.setTransformationMode(self.canvas.vscene.photo_item.transformationMode())
        item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.canvas.vscene.addItem(item)
        self.item = item

    def _drop(self) -> None:
        if self.item is not None:
            self.canvas.vscene.removeItem(self.item)
            self.item = None
