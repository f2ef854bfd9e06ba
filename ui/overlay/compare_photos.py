"""The two photos of the compare screen, and the earlier one redrawn in today's frame.

Both are shown from their stored display images (≤ 2560 px, decoded through the one door,
app.imaging.decode) while every coordinate stays in the original upright photo's pixels
(CONTRACTS.md). Redrawing the earlier photo through a mapping takes 0.5–1.3 s for a 2560-px
frame on this machine's 2 cores, so it runs on a worker thread, on a frame of at most
WARP_SIDE px, and only the newest request is drawn. It runs on the app's one worker base
(ui/common/worker.py, ADR 0012): the job draws numpy frames, the GUI thread turns them into
images, and no cyclic collection runs while the thread lives.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import cv2
import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from app.services.alignment import (
    Mapping,
    NoMapping,
    SimilarityMapping,
    adjust,
    face_region,
    old_in_new_frame,
    upright_size,
)
from app.services.photos import PhotoRecord, display_image
from app.services.store import Store
from ui.common.worker import Worker

WARP_SIDE = 1280  # px: the sharp frame; a full-height pane at 2880×1920 is ~1500 px
PREVIEW_SIDE = 400  # px: the quick frame shown first (~0.3 s for a mesh mapping)
TILE = 256  # px: bounds the mesh lookup's memory (points × triangles) to ~70 MB
FACE_MARGIN = 0.08  # of the face's size: the region counted as face beyond the mesh's hull
OUTSIDE_ALPHA = 90  # of 255: the earlier photo where the warp only extrapolates


@dataclass(frozen=True)
class ShownPhoto:
    record: PhotoRecord
    image: QImage  # the display image, upright
    rgb: np.ndarray  # the same pixels, for the warp
    original: tuple[int, int]  # upright size of the original: the coordinate frame

    @property
    def width(self) -> int:
        return self.original[0]

    @property
    def height(self) -> int:
        return self.original[1]


def qimage(rgb: np.ndarray) -> QImage:
    """RGB or RGBA pixels as a QImage that owns its own copy."""
    rgb = np.ascontiguousarray(rgb)
    h, w, n = rgb.shape
    fmt = QImage.Format.Format_RGBA8888 if n == 4 else QImage.Format.Format_RGB888
    return QImage(rgb.data, w, h, n * w, fmt).copy()


def display_rgb(store: Store, photo: PhotoRecord) -> np.ndarray:
    """The stored display image's pixels, upright: a database read and a JPEG decode, so the
    compare screen runs it on a worker (ui/overlay/compare_loading.py). No Qt."""
    return np.asarray(display_image(store, photo))


def shown_photo(photo: PhotoRecord, rgb: np.ndarray) -> ShownPhoto:
    """On the GUI thread: the pixels read by `display_rgb`, as the screen shows them."""
    return ShownPhoto(photo, qimage(rgb), rgb, upright_size(photo))


def fitted_similarity(earlier: ShownPhoto, today: ShownPhoto) -> SimilarityMapping:
    """Where to start when nothing aligned: the earlier photo scaled to fit today's frame and
    centred on it (the same framing, roughly, is what the capture ghost asks for)."""
    (ow, oh), (nw, nh) = earlier.original, today.original
    s = min(nw / ow, nh / oh)
    m = np.array([[s, 0.0, nw / 2 - s * ow / 2], [0.0, s, nh / 2 - s * oh / 2]])
    return SimilarityMapping(m, "manual")


def usable(mapping: Mapping | None) -> bool:
    return mapping is not None and not isinstance(mapping, NoMapping)


def _shrunk(rgb: np.ndarray, side: int) -> np.ndarray:
    h, w = rgb.shape[:2]
    f = side / max(w, h)
    if f >= 1:
        return rgb
    return cv2.resize(rgb, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA)


class Warper(QObject):
    """Redraws the earlier photo in today's frame off the UI thread; `ready(generation,
    image)` is emitted on the UI thread, first a quick coarse frame, then the sharp one.

    The sharp frame is drawn in tiles: the mesh mapping's point location holds a (points ×
    triangles) array, ~0.6 GB for a whole 1600-px frame at once, and between tiles a newer
    request (the next gesture) stops work that nobody will see."""

    ready = Signal(int, QImage)

    def __init__(self, earlier: ShownPhoto, today: ShownPhoto, parent: QObject | None = None):
        super().__init__(parent)
        small = _shrunk(earlier.rgb, WARP_SIDE)
        # An opaque alpha channel: where the earlier photo has no pixels the redraw is
        # transparent (remap's border), not black, so today's photo shows through there.
        self._old = np.dstack([small, np.full(small.shape[:2], 255, np.uint8)])
        self._old_original = earlier.original
        self._new_original = today.original
        self.frame = _fit(today.original, WARP_SIDE)
        self._preview = _fit(today.original, PREVIEW_SIDE)
        self._worker = Worker("compare-warp", self)
        self._stop = self._worker.closing  # a shut-down worker stops its redraw at the next tile
        self._latest = 0

    @property
    def busy(self) -> bool:
        """A redraw is queued, running, or not yet handed on."""
        return self._worker.busy

    def request(self, generation: int, mapping: Mapping) -> None:
        """A quick frame, then the sharp one; an older request's frames are dropped (a running
        one stops at its next tile: it reads `_latest`)."""
        self._latest = generation
        self._worker.cancel("redraw")
        for frame in (self._preview, self.frame):
            self._worker.run(
                partial(self._draw, mapping, frame, TILE, generation),
                partial(self._drawn, generation),
                key="redraw",
            )

    def _draw(
        self, mapping: Mapping, frame: tuple[int, int], tile: int, generation: int
    ) -> np.ndarray | None:
        w, h = frame
        fx, fy = self._new_original[0] / w, self._new_original[1] / h
        out = np.zeros((h, w, 4), np.uint8)
        for oy in range(0, h, tile):
            for ox in range(0, w, tile):
                if generation != self._latest or self._stop.is_set():
                    return None  # superseded or shut down: nobody will see it
                tw, th = min(tile, w - ox), min(tile, h - oy)
                # The tile as a frame of its own: today's photo shifted so the tile's corner
                # is its origin (a shift after the mapping, exact for every mapping kind).
                shifted = adjust(mapping, -ox * fx, -oy * fy)
                part = old_in_new_frame(
                    self._old,
                    shifted,
                    (tw, th),
                    old_original=self._old_original,
                    new_original=(tw * fx, th * fy),
                )
                if part is None:
                    return None
                out[oy : oy + th, ox : ox + tw] = part
        return _fade_outside_face(out, mapping, (fx, fy))

    def _drawn(self, generation: int, rgb: np.ndarray | None) -> None:
        """On the GUI thread: hand on the newest request's frame."""
        if rgb is not None and generation == self._latest:
            self.ready.emit(generation, qimage(rgb))

    def shutdown(self) -> None:
        """A job in flight stops at its next tile (tens of ms): the worker waits for it."""
        self._latest = -1
        self._worker.shutdown()


def _fade_outside_face(
    rgba: np.ndarray, mapping: Mapping, new_px_per_frame_px: tuple[float, float]
) -> np.ndarray:
    """Outside the face a mesh mapping only extrapolates, smearing ears, hair and background:
    there the earlier photo is drawn faint (today's shows through), so what is compared is
    the face, and where the warp is a guess shows at a glance."""
    hull = face_region(mapping)
    if hull is None:
        return rgba
    h, w = rgba.shape[:2]
    polygon = hull / np.asarray(new_px_per_frame_px, float)
    margin = FACE_MARGIN * max(float(np.ptp(polygon[:, 0])), float(np.ptp(polygon[:, 1])))
    mask = np.zeros((h, w), np.uint8)
    cv2.fillConvexPoly(mask, np.round(polygon).astype(np.int32), 255)
    if margin >= 1:  # the mesh stops at the hairline and jaw: a little beyond is still face
        size = 2 * round(margin) + 1
        mask = np.asarray(
            cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size)))
        )
    faded = rgba.copy()
    outside = mask == 0
    faded[outside, 3] = (faded[outside, 3].astype(np.uint16) * OUTSIDE_ALPHA // 255).astype(
        np.uint8
    )
    return faded


def _fit(size: tuple[int, int], side: int) -> tuple[int, int]:
    f = min(1.0, side / max(size))
    return max(1, round(size[0] * f)), max(1, round(size[1] * f))
