"""Reading the GS1 DataMatrix on a vial's carton (issue #9) from a photo or a camera frame.

zxing-cpp does the decoding (a kept decoder, not a hand-written one); this module only feeds it
grey pixels in the ways that work on real photos — as taken, then with a global threshold, then
sharpened (a slightly out-of-focus phone photo) — and turns what it read into `Gs1Label`s or
one plain sentence for the clinician.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import cv2
import numpy as np
import zxingcpp
from numpy.typing import NDArray
from PIL import Image

from app.domain.gs1 import Gs1Error, Gs1Label, parse_gs1
from app.imaging.decode import decode_upright

NO_CODE = "No carton code found: hold the carton's square code flat, filling a third of the frame."
NOT_GS1 = "This square code is not a medicine carton's GS1 code (it has no product number)."
DATAMATRIX = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.DataMatrix)
# A carton code fills a third of the frame at most; a larger picture only slows zxing down.
WORK_SIDE = 1600


@dataclass(frozen=True, slots=True)
class CartonRead:
    labels: tuple[Gs1Label, ...]  # every distinct carton code read, in reading order
    reason: str = ""  # why nothing usable was read ("" when labels were)

    @property
    def found(self) -> bool:
        return bool(self.labels)


def _grey(rgb: NDArray[np.uint8], work_side: int | None = WORK_SIDE) -> NDArray[np.uint8]:
    grey = rgb if rgb.ndim == 2 else cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    side = max(grey.shape[:2])
    if work_side is not None and side > work_side:
        f = work_side / side
        grey = cv2.resize(grey, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(grey, dtype=np.uint8)


def _sharpened(grey: NDArray[np.uint8]) -> NDArray[np.uint8]:
    soft = cv2.GaussianBlur(grey, (0, 0), 2.0)
    return np.asarray(cv2.addWeighted(grey, 2.0, soft, -1.0, 0), dtype=np.uint8)  # unsharp mask


def _attempts(grey: NDArray[np.uint8]) -> list[tuple[NDArray[np.uint8], zxingcpp.Binarizer]]:
    sharp = _sharpened(grey)
    return [
        (grey, zxingcpp.Binarizer.LocalAverage),
        (grey, zxingcpp.Binarizer.GlobalHistogram),
        (sharp, zxingcpp.Binarizer.LocalAverage),
        (sharp, zxingcpp.Binarizer.GlobalHistogram),
    ]


def read_codes(
    pixels: NDArray[np.uint8],
    today: date,
    quick: bool = False,
    work_side: int | None = WORK_SIDE,
) -> CartonRead:
    """Carton codes in an RGB (or grey) array, such as a camera frame. `quick` makes one
    attempt only: a live preview tries again on the next frame anyway. `work_side` None reads
    the pixels at their own size."""
    grey = _grey(pixels, work_side)
    texts: list[str] = []
    attempts = _attempts(grey)[:1] if quick else _attempts(grey)
    for img, binarizer in attempts:
        found = zxingcpp.read_barcodes(
            img,
            formats=DATAMATRIX,
            try_rotate=True,
            try_downscale=True,
            binarizer=binarizer,
        )
        texts = [b.text for b in found if b.text]
        if texts:
            break
    if not texts:
        return CartonRead((), NO_CODE)
    labels: list[Gs1Label] = []
    problem = ""
    for text in texts:
        try:
            label = parse_gs1(text, today)
        except Gs1Error as exc:
            problem = problem or (NOT_GS1 if "no product number" in str(exc) else str(exc))
            continue
        if label not in labels:
            labels.append(label)
    return CartonRead(tuple(labels), "" if labels else problem)


def read_codes_in_image(img: Image.Image, today: date) -> CartonRead:
    return read_codes(np.asarray(img.convert("RGB")), today)


def read_codes_in_photo(data: bytes, today: date) -> CartonRead:
    """Carton codes in a photo file's bytes, decoded upright through the app's one door
    (ImageError, a sentence for the clinician, when the file is not a readable photo).

    First at WORK_SIDE (fast, and enough when the code fills a good part of the photo); when
    that finds nothing in a larger photo, once more at full size: a carton photographed on the
    table from arm's length leaves the code a few percent of a 12-megapixel frame."""
    small = decode_upright(data, max_side=WORK_SIDE)
    read = read_codes_in_image(small, today)
    if read.found or read.reason != NO_CODE:
        return read
    if max(small.size) <= WORK_SIDE:
        return read  # decoded whole (never smaller than asked): nothing more to see
    full = decode_upright(data)
    return read_codes(np.asarray(full.convert("RGB")), today, work_side=None)
