"""Where the face is, for the photo checks: the face detector of `app.alignment` when its model
files are installed, else None (the checks then use the centre of the frame)."""

from __future__ import annotations

import numpy as np

Box = tuple[float, float, float, float]


def detect_face_box(rgb: np.ndarray) -> Box | None:
    """The largest face's box (x0, y0, x1, y1) in the pixels of `rgb`, or None."""
    try:
        from app.alignment.detector import detect_faces
        from app.alignment.models import nets
    except ImportError:  # a build without alignment
        return None
    try:
        detector, _ = nets()
        faces = detect_faces(detector, np.ascontiguousarray(rgb[:, :, :3]))
    except Exception:  # models missing or unreadable: a check falls back, it never fails
        return None
    if not faces:
        return None
    x0, y0, x1, y1 = faces[0].box
    return (float(x0), float(y0), float(x1), float(y1))
