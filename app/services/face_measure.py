"""A photo's face in millimetres for the editor (the iris scale, brows, lids): measured from
the stored display image, answering in the original photo's upright pixels (CONTRACTS.md).

The display image (longest side 2560 px, ADR 0004) holds every pixel the models use (they see
a 192-px face crop and 64-px eye crops). The UI calls `measure_photo` on a worker (ADR 0012)
and the pure checks of `app.domain.safety` on the result.
"""

from __future__ import annotations

from app.alignment.iris import IRIS_MM
from app.alignment.photo_face import PhotoFace, measure_face
from app.imaging.decode import ImageError

__all__ = ["IRIS_MM", "PhotoFace", "measure_photo"]


def measure_photo(display_jpeg: bytes, size: tuple[int, int]) -> PhotoFace:
    """The face of a view's photo; never raises for a photo it cannot read (the reason is in
    the answer's `message`, and there is no scale)."""
    try:
        return measure_face(display_jpeg, size=size)
    except ImageError as exc:
        return PhotoFace(None, None, f"The photo could not be read: {exc}")
