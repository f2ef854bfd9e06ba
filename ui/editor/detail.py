"""Sharp pixels at deep zoom: when the display image (≤ 2560 px) is enlarged on screen, decode
the original in a worker thread and lay the visible part of it, at full resolution, over the
display image. The first paint always comes from the display image; this only refines it.

The original is decoded through the one door (app.services.photos.decode_image), cropped to
the visible region plus a margin, and dropped: only the crop is kept, so memory stays small.
The decode runs on the app's one worker base (ui/common/worker.py, ADR 0012), the QImage is
made on the GUI thread, and a newer zoom or pan drops a decode still waiting.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import QObject, QRect, QRectF, QTimer
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPixmapItem

from app.services.photos import ImageError, decode_image
from ui.common.worker import Worker
from ui.editor.items import DETAIL_Z

SETTLE_MS = 300  # wait for the fingers to stop before decoding 24 megapixels
ENLARGED = 1.5  # screen pixels per display-image pixel above which the photo looks soft
MARGIN = 0.25  # decode a quarter screen around the visible part, for small pans


def _decode(data: bytes, box: tuple[int, int, int, int]) -> tuple[bytes, int, int] | None:
    """On the worker: the region (left, top, right, bottom) of the original as RGB bytes."""
    try:
        img = decode_image(data)
    except ImageError:
        return None
    crop = img.crop(box).convert("RGB")
    del img
    return crop.tobytes(), crop.width, crop.height


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
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SETTLE_MS)
        self.timer.timeout.connect(self._start)
        self.worker = Worker("editor-detail", self)

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
        box = (region.left(), region.top(), region.right() + 1, region.bottom() + 1)
        self.worker.cancel("decode")  # a decode still waiting is for an older view
        self.worker.run(
            partial(_decode, data, box), partial(self._done, self.generation, region), key="decode"
        )

    def _done(self, generation: int, region: QRect, decoded: tuple[bytes, int, int] | None) -> None:
        if decoded is None or generation != self.generation or not self.needed():
            return
        raw, w, h = decoded
        image = QImage(raw, w, h, 3 * w, QImage.Format.Format_RGB888).copy()  # owns its pixels
        self._drop()
        item = QGraphicsPixmapItem(QPixmap.fromImage(image))
        item.setPos(region.left(), region.top())
        item.setZValue(DETAIL_Z)  # over the display image, under every marking and overlay
        item.setTransformationMode(self.canvas.vscene.photo_item.transformationMode())
        item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.canvas.vscene.addItem(item)
        self.item = item

    def _drop(self) -> None:
        if self.item is not None:
            self.canvas.vscene.removeItem(self.item)
            self.item = None
