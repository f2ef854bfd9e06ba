"""A photo's millimetre scale from the irises (MediaPipe's `iris_landmark.tflite`).

The horizontal visible iris diameter of adults is about 11.7 mm and varies little between
people (DOMAIN.md), so the iris alone gives mm per pixel; eye corners or a population
inter-ocular distance are never used instead. No usable iris → no scale (None).

MediaPipe's conventions (iris_landmark_left_and_right_cpu graph), checked on real photos: per
eye, a square crop centred on the two eye corners of the face mesh (33/133 for the patient's
right eye, 362/263 for the left), rotated so the corner line is horizontal, 2.3× the corners'
distance wide, edge pixels replicated; sampled to 64×64 RGB in [0, 1]. The model is trained
on the eye seen on the image's left (the patient's right): the other eye's crop is mirrored
and its output mirrored back. Outputs, in crop pixels: 71 eye-contour and brow points (x, y,
z) and 5 iris points (x, y, z): centre, then four on the iris circle, 1 and 3 across
(horizontal), 2 and 4 up and down.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np

from app.alignment.mesh import LEFT_EYE_INNER, LEFT_EYE_OUTER, RIGHT_EYE_INNER, RIGHT_EYE_OUTER

INPUT = 64
CROP_SCALE = 2.3
IRIS_MM = 11.7  # horizontal visible iris diameter of adults (DOMAIN.md)
MIN_IRIS_PX = 8.0  # narrower than this, the model's answer is guesswork: not usable
# An iris is a circle: the model's vertical/horizontal diameters outside this band mean it
# did not find one (a closed eye, a reflection, hair).
ROUNDNESS = (0.75, 1.33)
# Confidence factors, each 1 at its first anchor and falling linearly to its floor.
SIZE_ANCHORS = ((10.0, 25.0), (0.5, 1.0))  # iris width in original pixels
AGREEMENT_ANCHORS = ((0.06, 0.30), (1.0, 0.0))  # 1 − min/max of the two eyes' widths
YAW_ANCHORS = ((0.10, 0.45), (1.0, 0.0))  # |ln(eye width ratio)|, turned head
ONE_EYE = 0.5  # one usable iris gives a scale, with half the confidence


@dataclass(frozen=True, slots=True)
class Iris:
    """One eye's iris in image pixels: centre, horizontal and vertical diameters."""

    centre: tuple[float, float]
    width_px: float  # across, along the eye-corner line
    height_px: float
    contour: np.ndarray = field(repr=False)  # (71, 2) eye contour and brow points

    @property
    def usable(self) -> bool:
        ratio = self.height_px / self.width_px if self.width_px > 0 else 0.0
        return self.width_px >= MIN_IRIS_PX and ROUNDNESS[0] <= ratio <= ROUNDNESS[1]


@dataclass(frozen=True, slots=True)
class IrisScale:
    """mm per pixel of the photo (upright original pixels), how far to trust it, and why."""

    mm_per_px: float
    confidence: float  # 0..1
    right: Iris | None  # the patient's own
    left: Iris | None
    note: str = ""

    @property
    def eye_centres(self) -> tuple[tuple[float, float], tuple[float, float]] | None:
        if self.right is None or self.left is None:
            return None
        return self.right.centre, self.left.centre


def _crop_affine(a: np.ndarray, b: np.ndarray, mirror: bool) -> np.ndarray:
    """2×3 affine: crop pixel-edge coordinates (0..INPUT) → image pixel-edge coordinates."""
    centre = (a + b) / 2
    dx, dy = b - a
    angle = math.atan2(dy, dx)
    side = CROP_SCALE * max(abs(dx), abs(dy))  # MediaPipe: box of the two points, square_long
    k = side / INPUT
    c, s = math.cos(angle) * k, math.sin(angle) * k
    sx = -1.0 if mirror else 1.0
    h = INPUT / 2
    # u' = sx·(u − h): mirrored about the crop's centre line
    return np.array(
        [
            [c * sx, -s, centre[0] - c * sx * h + s * h],
            [s * sx, c, centre[1] - s * sx * h - c * h],
        ]
    )


def _run_eye(net: cv2.dnn.Net, rgb: np.ndarray, a: np.ndarray, b: np.ndarray, mirror: bool) -> Iris:
    m = _crop_affine(a, b, mirror)
    # Sampled at about one source pixel per pixel, then area-averaged down (no aliasing);
    # OpenCV puts a pixel's centre at its integer coordinate, CONTRACTS.md at i + ½.
    over = max(1, min(8, int(math.hypot(m[0, 0], m[1, 0]))))
    cv_m = m.copy()
    cv_m[:, :2] /= over
    cv_m[:, 2] += 0.5 * cv_m[:, :2].sum(1) - 0.5
    big = cv2.warpAffine(
        rgb,
        cv_m,
        (INPUT * over, INPUT * over),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )
    patch = big if over == 1 else cv2.resize(big, (INPUT, INPUT), interpolation=cv2.INTER_AREA)
    blob = cv2.dnn.blobFromImage(patch, 1 / 255.0)
    # This OpenCV's new engine answers one named output per forward (as in mesh.py).
    net.setInput(blob)
    iris_raw = net.forward("output_iris")
    net.setInput(blob)
    contour_raw = net.forward("output_eyes_contours_and_brows")
    iris = np.asarray(iris_raw, np.float64).reshape(5, 3)[:, :2]
    contour = np.asarray(contour_raw, np.float64).reshape(71, 3)[:, :2]
    k = math.hypot(m[0, 0], m[1, 0])  # image pixels per crop pixel
    width = float(np.hypot(*(iris[1] - iris[3]))) * k
    height = float(np.hypot(*(iris[2] - iris[4]))) * k
    centre = iris[0] @ m[:, :2].T + m[:, 2]
    contour_image = contour @ m[:, :2].T + m[:, 2]
    return Iris((float(centre[0]), float(centre[1])), width, height, contour_image)


def find_irises(net: cv2.dnn.Net, rgb: np.ndarray, mesh_points: np.ndarray) -> tuple[Iris, Iris]:
    """(patient's right, patient's left) iris of the face whose 468-point mesh is given, both
    in `rgb`'s pixels."""
    p = mesh_points
    right = _run_eye(net, rgb, p[RIGHT_EYE_OUTER], p[RIGHT_EYE_INNER], mirror=False)
    left = _run_eye(net, rgb, p[LEFT_EYE_INNER], p[LEFT_EYE_OUTER], mirror=True)
    return right, left


def _ramp(x: float, anchors: tuple[tuple[float, float], tuple[float, float]]) -> float:
    return float(np.interp(x, anchors[0], anchors[1]))


def scale_from_irises(
    right: Iris, left: Iris, mesh_points: np.ndarray, presence: float = 1.0
) -> IrisScale | None:
    """mm per pixel from the usable irises, or None when neither is usable.

    Confidence multiplies: the irises' pixel width (small ones are coarse), the two eyes'
    agreement, the head's yaw (a turned head foreshortens one eye: the ratio of the eyes'
    corner-to-corner widths) and the mesh's own face score."""
    usable = [i for i in (right, left) if i.usable]
    if not usable:
        return None
    width = float(np.mean([i.width_px for i in usable]))
    p = mesh_points
    eye_r = float(np.hypot(*(p[RIGHT_EYE_OUTER] - p[RIGHT_EYE_INNER])))
    eye_l = float(np.hypot(*(p[LEFT_EYE_OUTER] - p[LEFT_EYE_INNER])))
    yaw = abs(math.log(max(eye_r, 1e-6) / max(eye_l, 1e-6)))
    confidence = _ramp(width, SIZE_ANCHORS) * _ramp(yaw, YAW_ANCHORS) * presence
    notes = []
    if len(usable) == 2:
        spread = 1 - min(right.width_px, left.width_px) / max(right.width_px, left.width_px)
        confidence *= _ramp(spread, AGREEMENT_ANCHORS)
        if spread > AGREEMENT_ANCHORS[0][0]:
            notes.append(f"the two irises differ by {spread:.0%}")
    else:
        confidence *= ONE_EYE
        notes.append("one iris only")
    if width < SIZE_ANCHORS[0][1]:
        notes.append(f"irises {width:.0f} px wide as analysed")
    if yaw > YAW_ANCHORS[0][0]:
        notes.append("head turned")
    return IrisScale(
        IRIS_MM / width,
        round(confidence, 3),
        right if right.usable else None,
        left if left.usable else None,
        ", ".join(notes),
    )


def scaled(scale: IrisScale, factor: float) -> IrisScale:
    """The same scale for coordinates `factor` times larger (working → original pixels)."""

    def grow(i: Iris | None) -> Iris | None:
        if i is None:
            return None
        return Iris(
            (i.centre[0] * factor, i.centre[1] * factor),
            i.width_px * factor,
            i.height_px * factor,
            i.contour * factor,
        )

    return IrisScale(
        scale.mm_per_px / factor,
        scale.confidence,
        grow(scale.right),
        grow(scale.left),
        scale.note,
    )
