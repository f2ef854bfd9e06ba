"""Align two stored photos as the app does: from their display images, in original pixels.

The display image (longest side 2560 px, upright, ADR 0004) already holds every pixel the
models can use (they see a 192-px crop), and decoding it is ~20× cheaper than a 24 MP
original; coordinates still come out in the original upright photo's pixels (CONTRACTS.md).

The mapping kinds, aligning by hand and redrawing the earlier photo in today's frame live in
`app.alignment`; the overlay UI names them through this module (ADR 0001), see `__all__`.
"""

from __future__ import annotations

from app.alignment.align import WORK_SIDE, AlignmentResult, align_images
from app.alignment.manual import adjust, from_point_pairs, gesture_matrix
from app.alignment.mapping import (
    Mapping,
    NoMapping,
    SimilarityMapping,
    face_region,
    mapping_from_dict,
)
from app.alignment.warp import old_in_new_frame
from app.imaging.decode import decode_upright
from app.services.photos import PhotoRecord, display_jpeg
from app.store.database import Store

__all__ = [
    "AlignmentResult",
    "Mapping",
    "NoMapping",
    "SimilarityMapping",
    "adjust",
    "face_region",
    "align_photos",
    "from_point_pairs",
    "gesture_matrix",
    "mapping_from_dict",
    "old_in_new_frame",
    "upright_size",
]


def upright_size(photo: PhotoRecord) -> tuple[int, int]:
    """The original's size as shown: the user's quarter turns swap width and height."""
    return (photo.height, photo.width) if photo.rotation % 2 else (photo.width, photo.height)


def align_photos(store: Store, old: PhotoRecord, new: PhotoRecord) -> AlignmentResult:
    """Map pixels of the earlier photo `old` to pixels of today's photo `new`."""
    images = [
        decode_upright(display_jpeg(store, p.sha256), p.rotation, max_side=WORK_SIDE)
        for p in (old, new)
    ]
    return align_images(
        images[0], images[1], old_size=upright_size(old), new_size=upright_size(new)
    )
