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

from app.alignment.detector import detect_faces, detect_in_tiles
from app.alignment.mapping import (
    Mapping,
    MeshMapping,
    NoMapping,
    apply_affine,
    fit_similarity,
    map_or_none,
)
from app.alignment.mesh import Mesh, face_mesh
from app.alignment.models import ModelsMissing, nets
from app.imaging.decode import decode_with_info

WORK_SIDE = 1280  # detection and cropping run on an image about this big (model input: 192)
MIN_PRESENCE = 0.5  # the landmark model's own face score
SIMILAR_FACE_RATIO = 0.6  # a second face at least this big (vs the chosen) can be a rival
MAX_OUTSIDE_SHARE = 0.04  # mesh points beyond the frame: more than this → "cut off"
MAX_CANDIDATES = 4  # detections checked with the landmark model
AMBIGUITY_MARGIN = 2.0  # the best-matching face must agree this much better than any rival

# Residual (mean distance of the 468 points from their similarity fit, IOD of NEW) → 0..1,
# piecewise linear through these anchors. Measured (docs/BENCHMARKS.md, "Alignment"): a re-take
# of the same pose leaves ≤ 0.025 (true error ≤ 0.03 IOD); real pairs with another pose or
# expression leave 0.035–0.17 (true error 0.04–0.09 IOD). "good" = residual ≤ 0.04: every
# measured pair with error ≤ 0.05 IOD (≈ 3 mm) is above it, 3 of 14 with error > 0.10 (all
# synthetic warps harsher than faces bend). "check" up to 0.20; beyond, no overlay is offered.
RESIDUAL_ANCHORS = (0.02, 0.04, 0.20, 0.30)
CONFIDENCE_ANCHORS = (1.0, 0.7, 0.3, 0.0)
RESIDUAL_FLOOR = RESIDUAL_ANCHORS[0]  # landmark noise of the same photo re-taken
GOOD = 0.7  # confidence at or above: "good"
CHECK = 0.3  # at or above: "check"; below: "could not align"

ImageInput = bytes | Image.Image | np.ndarray


@dataclass(frozen=True)
class AlignmentResult:
    confidence: float  # 0..1
    mapping: Mapping
    message: str = ""  # plain-language reason, when it could not align or needs checking
    residual_iod: float | None = None
    old_points: np.ndarray | None = field(default=None, repr=False)  # meshes, original pixels
    new_points: np.ndarray | None = field(default=None, repr=False)
    # The mesh mapping that was found, even when refused for too large a residual: for the
    # benchmarks (true error vs. confidence) and for a UI that offers it as a starting point.
    candidate: MeshMapping | None = field(default=None, repr=False)

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
    return float(np.interp(residual_iod, RESIDUAL_ANCHORS, CONFIDENCE_ANCHORS))


def failed(reason: str) -> AlignmentResult:
    return AlignmentResult(0.0, NoMapping(reason), reason)


def _to_rgb(image: ImageInput, max_side: int) -> tuple[np.ndarray, tuple[int, int]]:
    """An RGB array about `max_side` big and the upright size of what was given."""
    if isinstance(image, bytes | bytearray | memoryview):
        # One strict decode, reduced for a JPEG (libjpeg's 1/8 … 7/8): coordinates stay in the
        # original's upright pixels, whose size the header gives.
        info, img = decode_with_info(bytes(image), max_side=max_side)  # raises ImageError
        return _shrunk(img, max_side), (info.width, info.height)
    if isinstance(image, Image.Image):
        img = image if image.mode == "RGB" else image.convert("RGB")
    else:
        arr = np.asarray(image)
        if arr.ndim == 2:
            arr = np.stack([arr] * 3, axis=2)
        img = Image.fromarray(np.ascontiguousarray(arr[..., :3]).astype(np.uint8), "RGB")
    return _shrunk(img, max_side), img.size


def working_image(image: ImageInput) -> tuple[np.ndarray, tuple[int, int]]:
    """What alignment works on, as `align_images` makes it: an RGB array about WORK_SIDE big,
    and the upright size of what was given (the original's, for bytes). No shared state: the
    command line decodes both of its inputs at once."""
    return _to_rgb(image, WORK_SIDE)


def _shrunk(img: Image.Image, max_side: int) -> np.ndarray:
    if max(img.size) > max_side:
        img = img.copy()
        img.thumbnail((max_side, max_side), Image.Resampling.BILINEAR, reducing_gap=2.0)
    return np.asarray(img)


def find_faces(rgb: np.ndarray) -> list[Mesh]:
    """Meshes of the faces of a photo that the landmark model confirms, largest first."""
    detector, landmarks = nets()
    faces: list[Mesh] = []
    for find in (detect_faces, detect_in_tiles):  # tiles only when the whole frame has none
        for d in find(detector, rgb)[:MAX_CANDIDATES]:
            mesh = face_mesh(landmarks, rgb, d)
            if mesh.presence >= MIN_PRESENCE:  # the detector alone sees faces in wallpaper
                faces.append(mesh)
        if faces:
            break
    faces.sort(key=lambda m: -m.iod)
    return faces


def _similar_size(a: Mesh, b: Mesh) -> bool:
    return min(a.iod, b.iod) >= SIMILAR_FACE_RATIO * max(a.iod, b.iod)


def residual_iod(old: np.ndarray, new: np.ndarray, new_iod: float) -> float:
    """Mean distance of the NEW mesh points from the similarity fit of OLD's, in NEW IOD."""
    m = fit_similarity(old, new)
    return float(np.hypot(*(apply_affine(m, old) - new).T).mean() / new_iod)


def pick_pair(old_faces: list[Mesh], new_faces: list[Mesh]) -> tuple[Mesh, Mesh] | str:
    """The pair of faces that belong together, or why none can be trusted.

    With several faces, the pair whose meshes agree best wins, but only by a clear margin over
    any pair that swaps in another face of similar size: a false face (a mesh forced onto a
    building) agrees far worse than the real one; two real people agree about equally, and
    then we do not guess. A much smaller face (someone in the background) is no rival."""
    if not old_faces:
        return "No face was found in the earlier photo."
    if not new_faces:
        return "No face was found in the new photo."
    pairs = sorted(
        (residual_iod(o.points, n.points, n.iod), i, j)
        for i, o in enumerate(old_faces)
        for j, n in enumerate(new_faces)
    )
    best, i, j = pairs[0]
    rivals = [
        r
        for r, a, b in pairs[1:]
        if (a, b) != (i, j)
        and _similar_size(old_faces[a], old_faces[i])
        and _similar_size(new_faces[b], new_faces[j])
    ]
    if rivals and rivals[0] < AMBIGUITY_MARGIN * max(best, RESIDUAL_FLOOR):
        which = "earlier" if any(a != i for _, a, _ in pairs) else "new"
        return f"The {which} photo shows more than one face; align by hand."
    return old_faces[i], new_faces[j]


def cut_off(mesh: Mesh, rgb: np.ndarray) -> bool:
    h, w = rgb.shape[:2]
    p = mesh.points
    outside = np.mean((p[:, 0] < 0) | (p[:, 1] < 0) | (p[:, 0] > w) | (p[:, 1] > h))
    return bool(outside > MAX_OUTSIDE_SHARE)


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
        old_faces, new_faces = find_faces(old_rgb), find_faces(new_rgb)
    except ModelsMissing as exc:
        return failed(str(exc))
    return align_faces(
        (old_rgb, old_faces, old_size or old_given), (new_rgb, new_faces, new_size or new_given)
    )


def align_faces(
    old: tuple[np.ndarray, list[Mesh], tuple[int, int]],
    new: tuple[np.ndarray, list[Mesh], tuple[int, int]],
) -> AlignmentResult:
    """`align_images` after the faces were found: per photo its working image, the faces
    `find_faces` found in it and the upright size its coordinates answer in. For a caller that
    finds the faces itself (the command line does both photos at once, on two threads)."""
    (old_rgb, old_faces, old_size), (new_rgb, new_faces, new_size) = old, new
    picked = pick_pair(old_faces, new_faces)
    if isinstance(picked, str):
        return failed(picked)
    old_mesh, new_mesh = picked
    for mesh, rgb, which in ((old_mesh, old_rgb, "earlier"), (new_mesh, new_rgb, "new")):
        if cut_off(mesh, rgb):
            return failed(f"The face in the {which} photo is cut off by the frame.")
    # Working pixels → original pixels (pixel edges, not centres, scale: CONTRACTS.md).
    old_scale = np.array(old_size, float) / old_rgb.shape[1::-1]
    new_scale = np.array(new_size, float) / new_rgb.shape[1::-1]
    old_pts = old_mesh.points * old_scale
    new_pts = new_mesh.points * new_scale
    mapping = MeshMapping.build(old_pts, new_pts)
    residual = residual_iod(mapping.old, mapping.new, new_mesh.iod * float(new_scale.mean()))
    confidence = confidence_from_residual(residual)
    if confidence < CHECK:
        return AlignmentResult(
            0.0,
            NoMapping("the faces differ too much (another view or expression?)"),
            "The two photos differ too much in view or expression to align; align by hand.",
            residual,
            old_pts,
            new_pts,
            mapping,
        )
    message = "" if confidence >= GOOD else "Check the alignment: the photos differ in pose."
    return AlignmentResult(confidence, mapping, message, residual, old_pts, new_pts, mapping)
