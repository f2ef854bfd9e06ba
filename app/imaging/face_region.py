"""Where the face is, for the photo checks: the face of `app.alignment` (its detector, each
candidate confirmed by the landmark model, as alignment does) when the model files are
installed, else None (the checks then use the centre of the frame).

The region is the detector's box, not the mesh's: the blur threshold was calibrated on the
detector's box (BENCHMARKS.md, "Capture"). The landmark model only says which box is a face —
the detector alone finds faces in wallpaper, and a blur score measured on a false face would
judge the wrong pixels.
"""

from __future__ import annotations

import numpy as np

Box = tuple[float, float, float, float]


def detect_face_box(rgb: np.ndarray) -> Box | None:
    """The largest confirmed face's box (x0, y0, x1, y1) in the pixels of `rgb`, or None."""
    try:
        from app.alignment.align import MAX_CANDIDATES, MIN_PRESENCE
        from app.alignment.detector import detect_faces
        from app.alignment.mesh import face_mesh
        from app.alignment.models import nets
    except ImportError:  # a build without alignment
        return None
    try:
        detector, landmarks = nets()
        rgb = np.ascontiguousarray(rgb[:, :, :3])
        for face in detect_faces(detector, rgb)[:MAX_CANDIDATES]:  # largest first
            if face_mesh(landmarks, rgb, face, passes=1).presence >= MIN_PRESENCE:
                x0, y0, x1, y1 = face.box
                return (float(x0), float(y0), float(x1), float(y1))
    except Exception:  # models missing or unreadable: a check falls back, it never fails
        return None
    return None
