"""The face in a view's photo, for the editor: found once per photo (cached by the photo's
SHA-256), then asked where each new or moved point sits (side and zone, ADR 0015).

`find` is slow (a decode and the face models, ~0.1 s): the editor runs it on a worker and
keeps the GUI thread for `locate`, which is arithmetic.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from app.alignment.face_geometry import FaceGeometry
from app.alignment.locate import Located, analyse_face, locate
from app.alignment.photo_face import PhotoFace
from app.imaging.decode import ImageError

__all__ = ["FaceFacts", "Located", "NO_FACE", "PhotoFace", "cached", "find", "locate_point"]

CACHE_SIZE = 32  # photos; a geometry is a few hundred bytes


@dataclass(frozen=True, slots=True)
class FaceFacts:
    """What the face of one photo tells about points on it, from one decode and one mesh:
    `geometry` (side and zone; None: no face found, or no readable photo, so sides are
    guessed and say so) and `measured` (brows, lids and the iris's millimetre scale)."""

    geometry: FaceGeometry | None
    measured: PhotoFace = PhotoFace(None, None, "No face was found in this photo.")

    @property
    def found(self) -> bool:
        return self.geometry is not None


NO_FACE = FaceFacts(None)

_cache: OrderedDict[str, FaceFacts] = OrderedDict()
_lock = threading.Lock()  # `find` runs on a worker, `cached` on the GUI thread


def cached(photo_sha256: str | None) -> FaceFacts | None:
    if photo_sha256 is None:
        return None
    with _lock:
        facts = _cache.get(photo_sha256)
        if facts is not None:
            _cache.move_to_end(photo_sha256)
        return facts


def find(image: bytes, size: tuple[int, int], photo_sha256: str | None = None) -> FaceFacts:
    """The face of a photo given as its display JPEG (or the original) and the original's
    upright size; coordinates of the answer are the original's. Plain data: safe on a worker."""
    try:
        facts = FaceFacts(*analyse_face(image, size))
    except ImageError as exc:
        facts = FaceFacts(None, PhotoFace(None, None, f"The photo could not be read: {exc}"))
    if photo_sha256 is not None:
        with _lock:
            _cache[photo_sha256] = facts
            _cache.move_to_end(photo_sha256)
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    return facts


def locate_point(facts: FaceFacts, view: str, x: float, y: float, width: float) -> Located:
    """Side, zone and where they came from, for a point at (x, y) on a `width`-wide photo."""
    return locate(facts.geometry, view, x, y, width)
