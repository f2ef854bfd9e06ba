"""Photos of a medicine carton with a GS1 DataMatrix, made the way a phone would make them:
the code printed on a box among other print, then turned, blurred, seen at an angle and saved
as JPEG. The code is zxing-cpp's own rendering, so what it must read is known exactly."""

from __future__ import annotations

import io

import cv2
import numpy as np
import zxingcpp
from numpy.typing import NDArray
from PIL import Image

CARTON_HRI = "(01)05391526930052(17)270900(10)C1234A"


def code_image(hri: str = CARTON_HRI, scale: int = 6) -> NDArray[np.uint8]:
    code = zxingcpp.create_barcode(hri, zxingcpp.BarcodeFormat.DataMatrix, gs1=True)
    return np.asarray(zxingcpp.write_barcode_to_image(code, scale=scale), dtype=np.uint8)


def carton(
    hri: str = CARTON_HRI, size: tuple[int, int] = (900, 1200), scale: int = 6
) -> NDArray[np.uint8]:
    """An RGB carton side: pale card, a coloured band, lines of 'print', and the code."""
    h, w = size
    img = np.full((h, w, 3), (236, 232, 222), dtype=np.uint8)
    cv2.rectangle(img, (0, 0), (w, h // 6), (40, 90, 160), -1)
    for i in range(6):
        y = h // 3 + i * 45
        cv2.putText(
            img,
            "Botulinum toxin type A 100 U",
            (60, y),
            cv2.FONT_HERSHEY_SIMPLEX,
            1.0,
            (30, 30, 30),
            2,
        )
    code = code_image(hri, scale)
    ch, cw = code.shape
    y0, x0 = h - ch - 120, w - cw - 160
    img[y0 : y0 + ch, x0 : x0 + cw] = np.repeat(code[:, :, None], 3, axis=2)
    return img


def rotated(img: NDArray[np.uint8], degrees: float) -> NDArray[np.uint8]:
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    cos, sin = abs(m[0, 0]), abs(m[0, 1])
    nw, nh = int(h * sin + w * cos), int(h * cos + w * sin)
    m[0, 2] += nw / 2 - w / 2
    m[1, 2] += nh / 2 - h / 2
    out = cv2.warpAffine(img, m, (nw, nh), borderValue=(90, 80, 70))  # a table under the box
    return np.asarray(out, dtype=np.uint8)


def blurred(img: NDArray[np.uint8], sigma: float) -> NDArray[np.uint8]:
    return np.asarray(cv2.GaussianBlur(img, (0, 0), sigma), dtype=np.uint8)


def angled(img: NDArray[np.uint8], tilt: float = 0.18) -> NDArray[np.uint8]:
    """The carton seen from below and to one side: a perspective warp, far edge shrunk."""
    h, w = img.shape[:2]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32(
        [
            [w * tilt, h * tilt * 0.5],
            [w * (1 - tilt * 0.4), 0],
            [w, h],
            [w * tilt * 0.2, h * (1 - tilt)],
        ]
    )
    m = cv2.getPerspectiveTransform(src, dst)
    out = cv2.warpPerspective(img, m, (w, h), borderValue=(90, 80, 70))
    return np.asarray(out, dtype=np.uint8)


def jpeg(img: NDArray[np.uint8], quality: int = 60) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, "JPEG", quality=quality)
    return buf.getvalue()
