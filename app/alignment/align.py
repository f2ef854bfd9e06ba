"""Align an earlier (OLD) photo to today's (NEW): the one function the app, `main.py align`
and the benchmarks call.

Both photos get a 468-point mesh; the mapping is piecewise affine through the mesh
(`MeshMapping`). Confidence comes from what is computable without any reference: the leftover
error of the 468-point similarity fit, in inter-ocular distances of NEW. It tracks the true
error (pose and expression differences raise both). Every fault we can see ends in "could not
align" (confidence 0, method "none") rather than a confident wrong overlay: no face, two faces
of similar size, a face cut off by the frame, a mesh the model itself doubts, a residual too
large (another view or expression), missing model files. Thresholds: docs/BENCHMARKS.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image

from app.alignment.detector import Detection, detect_faces
from app.alignment.mapping import (
    Mapping,
    MeshMapping,
    NoMapping,
    apply_affine,
    map_or_none,
)
from app.alignment.mesh import Mesh, face_mesh
from app.alignment.models import ModelsMissing, nets
from app.imaging.decode import decode_upright

WORK_SIDE = 1280  # detection and cropping run on an image about this big (model input: 192)
MIN_PRESENCE = 0.5  # the landmark model's own face score
SIMILAR_FACE_RATIO = 0.6  # a second face at least this big (vs the largest) is ambiguous
MAX_OUTSIDE_SHARE = 0.04  # mesh points beyond the frame: more than this → "cut off"
MAX_CANDIDATES = 4  # detections checked with the landmark model

# Residual (mean distance of the 468 points from their similarity fit, IOD of NEW) → 0..1.
# RESIDUAL_FLOOR is the landmark noise of the same photo re-taken; beyond RESIDUAL_CEILING the
# faces differ too much (another view or expression) for any overlay. Measured: BENCHMARKS.md.
RESIDUAL_FLOOR = 0.02
RESIDUAL_CEILING = 0.25
GOOD = 0.6  # confidence at or above: "good"
CHECK = 0.3  # at or above: "check"; below: "could not align"

ImageInput = bytes | Image.Image | np.ndarray


@dataclass(frozen=True, slots=True)
class FaceFound:
    mesh: Mesh | None
    problem: str = ""  # why there is no usable mesh, for the clinician


@dataclass(frozen=True)
class AlignmentResult:
    confidence: float  # 0..1
    mapping: Mapping
    message: str = ""  # plain-language reason, when it could not align or needs checking
    residual_iod: float | None = None
    old_points: np.ndarray | None = field(default=None, repr=False)  # meshes, original pixels
    new_points: np.ndarray | None = field(default=None, repr=False)

    @property
    def method(self) -> str:
        return self.mapping.method

    @property
    def words(self) -> str:
        return confidence_words(self.confidence)

    def map_points(self, points: Sequence[Sequence[float]]) -> list[list[float] | None]:
        return map_or_none(self.mapping, points)

    def to_json(self, points: Sequence[Sequence[float]] | None = None) -> dict[str, Any]:
        """The `main.py align` object (CONTRACTS.md)."""
        out: dict[str, Any] = {
            "confidence": round(float(self.confidence), 4),
            "method": self.method,
            "map": self.mapping.to_dict(),
        }
        if points is not None:
            out["points"] = self.map_points(points)
        return out


def confidence_words(confidence: float) -> str:
    if confidence >= GOOD:
        return "good"
    if confidence >= CHECK:
        return "check"
    return "could not align"


def confidence_from_residual(residual_iod: float) -> float:
    span = RESIDUAL_CEILING - RESIDUAL_FLOOR
    return float(np.clip((RESIDUAL_CEILING - residual_iod) / span, 0.0, 1.0))


def failed(reason: str) -> AlignmentResult:
    return AlignmentResult(0.0, NoMapping(reason), reason)


def _to_rgb(image: ImageInput, max_side: int) -> tuple[np.ndarray, tuple[int, int]]:
    """An RGB array about `max_side` big and the upright size of what was given."""
    if isinstance(image, bytes | bytearray | memoryview):
        img = decode_upright(bytes(image), max_side=max_side)  # raises ImageError
    elif isinstance(image, Image.Image):
        img = image if image.mode == "RGB" else image.convert("RGB")
    else:
        arr = np.asarray(image)
        if arr.ndim == 2:
            arr = np.stack([arr] * 3, axis=2)
        img = Image.fromarray(np.ascontiguousarray(arr[..., :3]).astype(np.uint8), "RGB")
    size = img.size
    if max(size) > max_side:
        img = img.copy()
        img.thumbnail((max_side, max_side), Image.Resampling.BILINEAR, reducing_gap=2.0)
    return np.asarray(img), size


def find_face(rgb: np.ndarray, which: str) -> FaceFound:
    """The one face of a photo, or the reason there is none we can trust."""
    detector, landmarks = nets()
    candidates: list[Detection] = detect_faces(detector, rgb)[:MAX_CANDIDATES]
    faces = []
    for d in candidates:  # the detector alone sees faces in wallpaper: the mesh model checks
        mesh = face_mesh(landmarks, rgb, d)
        if mesh.presence >= MIN_PRESENCE:
            faces.append(mesh)
    if not faces:
        return FaceFound(None, f"No face was found in the {which} photo.")
    faces.sort(key=lambda m: -m.iod)
    if len(faces) > 1 and faces[1].iod >= SIMILAR_FACE_RATIO * faces[0].iod:
        return FaceFound(None, f"The {which} photo shows more than one face.")
    mesh = faces[0]
    h, w = rgb.shape[:2]
    p = mesh.points
    outside = float(np.mean((p[:, 0] < 0) | (p[:, 1] < 0) | (p[:, 0] > w) | (p[:, 1] > h)))
    if outside > MAX_OUTSIDE_SHARE:
        return FaceFound(None, f"The face in the {which} photo is cut off by the frame.")
    return FaceFound(mesh)


def align_images(
    old: ImageInput,
    new: ImageInput,
    points: Sequence[Sequence[float]] | None = None,
    *,
    old_size: tuple[int, int] | None = None,
    new_size: tuple[int, int] | None = None,
) -> AlignmentResult:
    """Map OLD photo pixels to NEW photo pixels (upright originals, CONTRACTS.md).

    `old`/`new` are stored bytes (decoded through the one decode door) or upright images. When
    a reduced copy is given (the stored display image), `old_size`/`new_size` are the
    original's upright size, and every coordinate in and out is in the original's pixels.
    Raises ImageError for bytes that are not an image; every other fault is a result.
    `points` is accepted for symmetry with the CLI; map them with `result.map_points`."""
    del points  # the mapping does not depend on them
    old_rgb, old_given = _to_rgb(old, WORK_SIDE)
    new_rgb, new_given = _to_rgb(new, WORK_SIDE)
    try:
        old_face = find_face(old_rgb, "earlier")
        new_face = find_face(new_rgb, "new")
    except ModelsMissing as exc:
        return failed(str(exc))
    for found in (old_face, new_face):
        if found.mesh is None:
            return failed(found.problem)
    assert old_face.mesh is not None and new_face.mesh is not None
    # Working pixels → original pixels (pixel edges, not centres, scale: CONTRACTS.md).
    old_scale = np.array(old_size or old_given, float) / old_rgb.shape[1::-1]
    new_scale = np.array(new_size or new_given, float) / new_rgb.shape[1::-1]
    old_pts = old_face.mesh.points * old_scale
    new_pts = new_face.mesh.points * new_scale
    mapping = MeshMapping.build(old_pts, new_pts)
    iod = new_face.mesh.iod * float(new_scale.mean())
    residual = float(
        np.hypot(*(apply_affine(mapping.similarity, mapping.old) - mapping.new).T).mean() / iod
    )
    confidence = confidence_from_residual(residual)
    if confidence < CHECK:
        return AlignmentResult(
            0.0,
            NoMapping("the faces differ too much (another view or expression?)"),
            "The two photos differ too much in view or expression to align; align by hand.",
            residual,
            old_pts,
            new_pts,
        )
    message = "" if confidence >= GOOD else "Check the alignment: the photos differ in pose."
    return AlignmentResult(confidence, mapping, message, residual, old_pts, new_pts)
