"""The 468-point face mesh (MediaPipe's `face_landmark.tflite`) for one detected face.

MediaPipe's conventions, checked against independent reference points on real photos: the
model sees a 192×192 RGB crop in [0, 1], square, 1.5× the face box, rotated so that the eye
line is horizontal; it returns 468 (x, y, z) in crop pixels and a face-presence logit. A
second pass re-crops from the first pass's own landmarks (box of the mesh, eye line from
points 33 and 263), as MediaPipe's tracking does: the detector's box is coarse.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from app.alignment.detector import LEFT_EYE, RIGHT_EYE, Detection

INPUT = 192
CROP_SCALE = 1.5
PASSES = 2
# Mesh indices (patient's own sides): outer and inner eye corners, and the eye rings.
RIGHT_EYE_OUTER, RIGHT_EYE_INNER, LEFT_EYE_INNER, LEFT_EYE_OUTER = 33, 133, 362, 263
RIGHT_EYE_RING = (33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246)
LEFT_EYE_RING = (263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466)


@dataclass(frozen=True, slots=True)
class Crop:
    """A rotated square of the image: centre, side (pixels) and angle of its x axis."""

    cx: float
    cy: float
    side: float
    angle: float  # radians, image x towards image y

    def to_image(self) -> np.ndarray:
        """2×3 affine: crop pixel (0..INPUT) → image pixel."""
        k = self.side / INPUT
        c, s = math.cos(self.angle) * k, math.sin(self.angle) * k
        h = INPUT / 2
        return np.array([[c, -s, self.cx - c * h + s * h], [s, c, self.cy - s * h - c * h]])


@dataclass(frozen=True, slots=True)
class Mesh:
    points: np.ndarray  # (468, 2) image pixels
    presence: float  # 0..1, the model's own "this is a face" score
    crop: Crop

    @property
    def eye_centres(self) -> tuple[np.ndarray, np.ndarray]:
        """(patient's right, patient's left) eye centres: mean of each eye ring."""
        return (
            self.points[list(RIGHT_EYE_RING)].mean(0),
            self.points[list(LEFT_EYE_RING)].mean(0),
        )

    @property
    def iod(self) -> float:
        r, left = self.eye_centres
        return float(np.hypot(*(left - r)))


def _square_around(x0: float, y0: float, x1: float, y1: float, angle: float) -> Crop:
    side = max(x1 - x0, y1 - y0) * CROP_SCALE
    return Crop((x0 + x1) / 2, (y0 + y1) / 2, side, angle)


def crop_from_detection(d: Detection) -> Crop:
    dx, dy = d.keypoints[LEFT_EYE] - d.keypoints[RIGHT_EYE]
    return _square_around(*d.box, math.atan2(dy, dx))


def crop_from_mesh(points: np.ndarray) -> Crop:
    """MediaPipe's landmarks-to-ROI: the mesh box in the eye-line frame, 1.5×, square."""
    dx, dy = points[LEFT_EYE_OUTER] - points[RIGHT_EYE_OUTER]
    angle = math.atan2(dy, dx)
    c, s = math.cos(angle), math.sin(angle)
    centre = points.mean(0)
    # Box of the mesh in the rotated frame, so a tilted head does not inflate the crop.
    rel = (points - centre) @ np.array([[c, -s], [s, c]])
    lo, hi = rel.min(0), rel.max(0)
    mid = centre + np.array([[c, -s], [s, c]]) @ ((lo + hi) / 2)
    side = float((hi - lo).max()) * CROP_SCALE
    return Crop(float(mid[0]), float(mid[1]), side, angle)


def _sample(rgb: np.ndarray, crop: Crop) -> tuple[np.ndarray, np.ndarray]:
    """The crop as a 192×192 image, and the affine taking its pixel-edge coordinates to the
    image's (CONTRACTS.md: a pixel's centre is at i + 0.5; OpenCV puts it at i).

    Sampled at about one source pixel per pixel, then area-averaged down, so that a large
    face does not alias."""
    k = max(1, min(8, int(crop.side / INPUT)))
    m = crop.to_image()
    m[:, :2] /= k
    big = cv2.warpAffine(
        rgb,
        m,
        (INPUT * k, INPUT * k),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_CONSTANT,
    )
    patch = big if k == 1 else cv2.resize(big, (INPUT, INPUT), interpolation=cv2.INTER_AREA)
    # crop edge c → big edge k·c → big OpenCV k·c − ½ → image OpenCV m(·) → image edge + ½
    edge = np.empty((2, 3))
    edge[:, :2] = m[:, :2] * k
    edge[:, 2] = m[:, 2] - 0.5 * m[:, :2].sum(1) + 0.5
    return patch, edge


def _run(net: cv2.dnn.Net, rgb: np.ndarray, crop: Crop) -> tuple[np.ndarray, float]:
    patch, m = _sample(rgb, crop)
    blob = cv2.dnn.blobFromImage(patch, 1 / 255.0)
    net.setInput(blob)
    raw = np.asarray(net.forward("conv2d_21"), np.float64).reshape(468, 3)
    net.setInput(blob)
    logit = float(np.asarray(net.forward("conv2d_31")).reshape(-1)[0])
    pts = raw[:, :2] @ m[:, :2].T + m[:, 2]
    return pts, 1.0 / (1.0 + math.exp(-max(-80.0, min(80.0, logit))))


def face_mesh(
    net: cv2.dnn.Net, rgb: np.ndarray, detection: Detection, passes: int = PASSES
) -> Mesh:
    """468 points of the face found by `detection`, in `rgb`'s pixels."""
    crop = crop_from_detection(detection)
    pts, presence = _run(net, rgb, crop)
    for _ in range(passes - 1):
        crop = crop_from_mesh(pts)
        pts, presence = _run(net, rgb, crop)
    return Mesh(pts, presence, crop)
