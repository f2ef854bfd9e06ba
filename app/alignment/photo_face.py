"""One photo's face in millimetres: the mesh's brows and lids plus the iris scale.

`measure_face` is what the editor (on a worker), `locate` and the benchmarks call. It answers
in the upright original's pixels (CONTRACTS.md) and says plainly why there is no face or no
scale; the iris model missing costs the scale only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.alignment.align import ImageInput, find_faces, working_image
from app.alignment.iris import IrisScale, find_irises, scale_from_irises, scaled
from app.alignment.mesh import LEFT_EYE_RING, RIGHT_EYE_RING, Mesh
from app.alignment.models import IrisMissing, ModelsMissing, iris_net
from app.domain.safety import FaceGeometry, Point, Polyline

# Mesh indices of the brows, lateral → medial (patient's own sides; checked against the
# iBUG brow points 17–26 on the real photos): upper and lower edge rows.
RIGHT_BROW = ((70, 63, 105, 66, 107), (46, 53, 52, 65, 55))
LEFT_BROW = ((300, 293, 334, 296, 336), (276, 283, 282, 295, 285))
RIGHT_UPPER_LID, LEFT_UPPER_LID = 159, 386


@dataclass(frozen=True, slots=True)
class PhotoFace:
    """The face of a photo for distances: None parts come with the reason in `message`."""

    geometry: FaceGeometry | None
    scale: IrisScale | None
    message: str = ""

    @property
    def mm_per_px(self) -> float | None:
        return self.scale.mm_per_px if self.scale is not None else None


def _xy(p: np.ndarray) -> Point:
    return float(p[0]), float(p[1])


def _brow(points: np.ndarray, rows: tuple[tuple[int, ...], tuple[int, ...]]) -> Polyline:
    mid = (points[list(rows[0])] + points[list(rows[1])]) / 2
    return tuple(_xy(q) for q in mid)


def geometry(mesh_points: np.ndarray, scale: IrisScale | None) -> FaceGeometry:
    """FaceGeometry of a mesh (in the pixels the scale answers in)."""
    p = mesh_points
    if scale is not None and scale.eye_centres is not None:
        pupils = scale.eye_centres
    else:  # the eye rings' centres: positions only, never a scale
        pupils = _xy(p[list(RIGHT_EYE_RING)].mean(0)), _xy(p[list(LEFT_EYE_RING)].mean(0))
    return FaceGeometry(
        brows=(_brow(p, RIGHT_BROW), _brow(p, LEFT_BROW)),
        pupils=pupils,
        upper_lids=(_xy(p[RIGHT_UPPER_LID]), _xy(p[LEFT_UPPER_LID])),
        mm_per_px=scale.mm_per_px if scale is not None else None,
        scale_confidence=scale.confidence if scale is not None else 0.0,
    )


def measure_face(image: ImageInput, size: tuple[int, int] | None = None) -> PhotoFace:
    """The largest face of `image` (stored bytes or an upright image; `size` = the original's
    upright size when a reduced copy is given). Raises ImageError for bytes that are not an
    image; every other fault is a PhotoFace with its reason."""
    rgb, given = working_image(image)
    try:
        faces = find_faces(rgb)
    except ModelsMissing as exc:
        return PhotoFace(None, None, str(exc))
    if not faces:
        return PhotoFace(None, None, "No face was found in this photo.")
    mesh = faces[0]
    factor = float(np.mean(np.array(size or given, float) / rgb.shape[1::-1]))
    scale, message = iris_scale(rgb, mesh, factor)
    return PhotoFace(geometry(mesh.points * factor, scale), scale, message)


def iris_scale(rgb: np.ndarray, mesh: Mesh, factor: float = 1.0) -> tuple[IrisScale | None, str]:
    """The iris scale of a face already found (`mesh` in `rgb`'s pixels), for coordinates
    `factor` times larger than `rgb`'s (the original's), and why there is none. For callers
    that find the mesh themselves (`locate`): one decode and one mesh per photo."""
    try:
        right, left = find_irises(iris_net(), rgb, mesh.points)
    except IrisMissing as exc:
        return None, str(exc)
    scale = scale_from_irises(right, left, mesh.points, mesh.presence)
    if scale is None:
        return None, "No usable iris in this photo: no millimetre scale."
    return scaled(scale, factor), ""
