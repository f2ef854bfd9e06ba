"""Stored JPEG bytes to pixmaps. The display image and thumbnail are already upright
(app.services.photos made them through the one decode door), so nothing here rotates or
decodes an original."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImageReader, QPainter, QPixmap

from app.services import photos
from app.store.errors import StoreError

if TYPE_CHECKING:  # ui/ uses the store only through app.services
    from app.services.store import Store


def pixmap_from_jpeg(data: bytes, fit: QSize | None = None) -> QPixmap:
    """Decode JPEG bytes; with `fit` (device pixels) the decoder itself scales down, which is
    much cheaper than decoding a 2560-px display image in full to show it as a tile."""
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer, b"JPEG")
    if fit is not None:
        full = reader.size()
        if full.isValid() and (full.width() > fit.width() or full.height() > fit.height()):
            reader.setScaledSize(full.scaled(fit, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    return QPixmap.fromImage(image)


def placeholder(size: QSize, text: str = "No photo") -> QPixmap:
    pm = QPixmap(size)
    pm.fill(QColor("#E3E8ED"))
    painter = QPainter(pm)
    painter.setPen(QColor("#5B6B7A"))
    painter.drawText(pm.rect(), Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return pm


def thumbnail(store: Store, sha256: str) -> QPixmap:
    try:
        return pixmap_from_jpeg(photos.thumbnail_jpeg(store, sha256))
    except StoreError:
        return QPixmap()


def display_image(store: Store, sha256: str, fit: QSize | None = None) -> QPixmap:
    try:
        return pixmap_from_jpeg(photos.display_jpeg(store, sha256), fit)
    except StoreError:
        return QPixmap()


def screen_ratio() -> float:
    app = QGuiApplication.instance()
    screen = QGuiApplication.primaryScreen() if app else None
    return screen.devicePixelRatio() if screen else 1.0


def fitted(pm: QPixmap, box: QSize) -> QPixmap:
    """Scaled to fit a box on screen, sharp on high-DPI screens (device pixels, not logical)."""
    if pm.isNull():
        return placeholder(box)
    # The caller's widget ratio is not known here; the app-wide ratio is right for one screen.
    ratio = screen_ratio()
    scaled = pm.scaled(
        box * ratio,
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )
    scaled.setDevicePixelRatio(ratio)
    return scaled
