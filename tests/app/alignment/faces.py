"""Test faces: scikit-image's public-domain astronaut photo, warped by known transforms.

No patient photo is committed; everything is made from `skimage.data.astronaut()`.
"""

from __future__ import annotations

import io
import math

import cv2
import numpy as np
from PIL import Image


def astronaut(scale: float = 2.0) -> np.ndarray:
    """The astronaut portrait (512×512), enlarged so the face has clinic-photo pixels."""
    from skimage.data import astronaut as load

    img = load()
    if scale != 1.0:
        size = (round(img.shape[1] * scale), round(img.shape[0] * scale))
        img = cv2.resize(img, size, interpolation=cv2.INTER_CUBIC)
    return np.ascontiguousarray(img)


def similarity(scale: float, rotation_deg: float, shift: tuple[float, float],
               centre: tuple[float, float]) -> np.ndarray:  # fmt: skip
    """2×3 in pixel-edge coordinates: scale and turn about `centre`, then shift."""
    a = math.radians(rotation_deg)
    c, s = scale * math.cos(a), scale * math.sin(a)
    cx, cy = centre
    return np.array(
        [[c, -s, cx - c * cx + s * cy + shift[0]], [s, c, cy - s * cx - c * cy + shift[1]]]
    )


def warp(rgb: np.ndarray, m: np.ndarray, size: tuple[int, int] | None = None) -> np.ndarray:
    """The image moved by `m` (pixel-edge coordinates, as the app uses them)."""
    h, w = rgb.shape[:2]
    # OpenCV puts pixel centres at integers: conjugate by the half-pixel shift.
    cv = m.copy()
    cv[:, 2] = m[:, 2] + m[:, :2] @ np.array([0.5, 0.5]) - 0.5
    return cv2.warpAffine(rgb, cv, size or (w, h), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REPLICATE)  # fmt: skip


def png(rgb: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "PNG")
    return buf.getvalue()


def jpeg(rgb: np.ndarray, quality: int = 92) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=quality)
    return buf.getvalue()
