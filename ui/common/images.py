"""Stored JPEG bytes to pixmaps. The display image and thumbnail are already upright
(app.services.photos made them through the one decode door), so nothing here rotates or
decodes an original."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter, QPixmap

from app.services import photos
from app.store.database import Store
from app.store.errors import StoreError


def pixmap_from_jpeg(data: bytes) -> QPixmap:
    image = QImage.fromData(QByteArray(data), "JPEG")
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


def display_image(store: Store, sha256: str) -> QPixmap:
    try:
        return pixmap_from_jpeg(photos.display_jpeg(store, sha256))
    except StoreError:
        return QPixmap()


def fitted(pm: QPixmap, box: QSize) -> QPixmap:
    """Scaled to fit a box on screen, sharp on high-DPI screens (device pixels, not logical)."""
    if pm.isNull():
        return placeholder(box)
    # The caller's widget ratio is not known here; the app-wide ratio is right for one screen.
    ratio = QGuiApplication.primaryScreen().devicePixelRatio() if QGuiApplication.instance() else 1
    scaled = pm.scaled(
        box * ratio,
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )
    scaled.setDevicePixelRatio(ratio)
    return scaled
