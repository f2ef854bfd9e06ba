"""Alignment by hand, with the same interface as the automatic one (ADR 0007).

Two ways a clinician aligns by touch, both ending in a similarity (scale, rotation, shift):
- tapping 2–3 matching points (pupils, nose tip, mouth corners) on OLD and on NEW:
  `from_point_pairs`;
- dragging, pinching and rotating the overlay: `adjust` composes the gesture, expressed in NEW
  pixels around the gesture's centre, after whatever mapping is shown. On a similarity (or
  nothing) the result is again a similarity ("manual"); on a mesh mapping it is a
  `CorrectedMapping` that keeps the mesh and applies the correction after it, so a small nudge
  does not throw away the face's shape.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from app.alignment.mapping import (
    CorrectedMapping,
    Mapping,
    NoMapping,
    SimilarityMapping,
    fit_similarity,
)


def from_point_pairs(
    old_points: Sequence[Sequence[float]], new_points: Sequence[Sequence[float]]
) -> SimilarityMapping:
    """The similarity that best takes the tapped OLD points onto the tapped NEW points: exact
    for two pairs, least squares for three. ValueError for fewer, unequal or coincident taps."""
    old = np.asarray(old_points, float).reshape(-1, 2)
    new = np.asarray(new_points, float).reshape(-1, 2)
    if len(old) != len(new):
        raise ValueError("Tap the same number of points on both photos.")
    if len(old) < 2:
        raise ValueError("Tap at least two matching points on each photo.")
    if min(np.ptp(old, axis=0).max(), np.ptp(new, axis=0).max()) < 1.0:
        raise ValueError("The tapped points are on top of each other; tap points further apart.")
    return SimilarityMapping(fit_similarity(old, new), "manual")


def gesture_matrix(
    dx: float = 0.0,
    dy: float = 0.0,
    scale: float = 1.0,
    rotation_deg: float = 0.0,
    centre: tuple[float, float] = (0.0, 0.0),
) -> np.ndarray:
    """2×3 similarity in NEW pixels: scale and rotate about `centre` (the pinch's midpoint),
    then move by (dx, dy). Positive rotation turns clockwise on screen (y points down)."""
    if not (scale > 0 and math.isfinite(scale)):
        raise ValueError("scale must be a positive number")
    a = math.radians(rotation_deg)
    c, s = scale * math.cos(a), scale * math.sin(a)
    cx, cy = centre
    return np.array(
        [[c, -s, cx - c * cx + s * cy + dx], [s, c, cy - s * cx - c * cy + dy]], dtype=float
    )


def _compose(after: np.ndarray, before: np.ndarray) -> np.ndarray:
    """after ∘ before for 2×3 affines."""
    out = np.empty((2, 3))
    out[:, :2] = after[:, :2] @ before[:, :2]
    out[:, 2] = after[:, :2] @ before[:, 2] + after[:, 2]
    return out


def adjust(
    mapping: Mapping | None,
    dx: float = 0.0,
    dy: float = 0.0,
    scale: float = 1.0,
    rotation_deg: float = 0.0,
    centre: tuple[float, float] = (0.0, 0.0),
) -> Mapping:
    """The mapping after a drag / pinch / rotate of the overlay (see `gesture_matrix`).

    With no usable mapping (None or "could not align") the gesture starts from the identity:
    the earlier chart drawn at its own pixel positions on today's photo."""
    g = gesture_matrix(dx, dy, scale, rotation_deg, centre)
    if mapping is None or isinstance(mapping, NoMapping):
        return SimilarityMapping(g, "manual")
    if isinstance(mapping, SimilarityMapping):
        return SimilarityMapping(_compose(g, mapping.matrix), "manual")
    if isinstance(mapping, CorrectedMapping):
        return CorrectedMapping(mapping.base, _compose(g, mapping.correction))
    return CorrectedMapping(mapping, g)
