"""The ghost: the earlier photo of the same view, prepared once for painting over the preview,
either as the photo itself or as its edges only (Canny), which hide less of the live face."""

from __future__ import annotations

import cv2
import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QImage

EDGE_COLOUR = QColor("#3CF2FF")  # cyan: visible on every skin tone and background
EDGE_WORK_SIDE = 800  # edges are found at this size: fine lines only, not skin texture


def qimage_to_rgb(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    w, h, bpl = image.width(), image.height(), image.bytesPerLine()
    buf = np.frombuffer(image.constBits(), np.uint8, count=bpl * h).reshape(h, bpl)
    return buf[:, : w * 3].reshape(h, w, 3).copy()


def edge_image(photo: QImage, colour: QColor = EDGE_COLOUR) -> QImage:
    """The photo's strong edges as coloured lines on a transparent image of the photo's size."""
    rgb = qimage_to_rgb(photo)
    h, w = rgb.shape[:2]
    scale = min(1.0, EDGE_WORK_SIDE / max(h, w))
    small = cv2.resize(rgb, (int(w * scale), int(h * scale)), interpolation=cv2.INTER_AREA)
    grey = cv2.GaussianBlur(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY), (0, 0), 1.6)
    # thresholds from the picture's own median: the same share of edges in dim or bright photos
    med = float(np.median(grey))
    edges = cv2.Canny(grey, int(max(10, 0.66 * med)), int(min(255, 1.33 * med) + 20))
    edges = cv2.dilate(edges, np.ones((3, 3), np.uint8))  # lines that read at arm's length
    rgba = np.zeros((*edges.shape, 4), np.uint8)
    rgba[edges > 0] = (colour.red(), colour.green(), colour.blue(), 255)
    eh, ew = edges.shape
    out = QImage(rgba.data, ew, eh, 4 * ew, QImage.Format.Format_RGBA8888).copy()
    return out.scaled(QSize(w, h), Qt.AspectRatioMode.IgnoreAspectRatio)
