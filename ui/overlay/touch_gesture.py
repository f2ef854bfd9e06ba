"""One drag / pinch / turn of one or two fingers (or the mouse), as one similarity.

A gesture is summed up as the 2×3 similarity (in widget pixels) that takes where the fingers
started to where they are now: one finger moves, two fingers also scale and turn about their
midpoint. A finger added or lifted mid-gesture starts a new segment from the current
positions, so the photo never jumps. Qt's QPinchGesture is not used: it needs its own
recogniser timing and gives no exact two-point answer to test against.
"""

from __future__ import annotations

import math
from typing import TypedDict

import numpy as np
from PySide6.QtCore import QPointF

from app.services.alignment import gesture_matrix

IDENTITY = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])


def compose(after: np.ndarray, before: np.ndarray) -> np.ndarray:
    """after ∘ before for 2×3 affines."""
    out = np.empty((2, 3))
    out[:, :2] = after[:, :2] @ before[:, :2]
    out[:, 2] = after[:, :2] @ before[:, 2] + after[:, 2]
    return out


def invert(m: np.ndarray) -> np.ndarray:
    a = np.linalg.inv(m[:, :2])
    return np.hstack([a, (-a @ m[:, 2])[:, None]])


def two_point_similarity(a0: QPointF, b0: QPointF, a: QPointF, b: QPointF) -> np.ndarray:
    """The similarity taking a0→a and b0→b exactly (about the fingers' first midpoint)."""
    v0, v = b0 - a0, b - a
    d0 = max(math.hypot(v0.x(), v0.y()), 1.0)
    scale = max(math.hypot(v.x(), v.y()), 1.0) / d0
    turn = math.degrees(math.atan2(v.y(), v.x()) - math.atan2(v0.y(), v0.x()))
    c0, c = (a0 + b0) / 2, (a + b) / 2
    return gesture_matrix(c.x() - c0.x(), c.y() - c0.y(), scale, turn, (c0.x(), c0.y()))


class AdjustParts(TypedDict):
    """The keyword arguments of app.alignment.manual.adjust."""

    dx: float
    dy: float
    scale: float
    rotation_deg: float
    centre: tuple[float, float]


def similarity_parts(m: np.ndarray, centre: tuple[float, float]) -> AdjustParts:
    """`m` as the arguments of app.alignment.manual.adjust about `centre`: scale and rotation
    about the centre, then the shift that the centre itself travels."""
    scale = math.hypot(m[0, 0], m[1, 0])
    turn = math.degrees(math.atan2(m[1, 0], m[0, 0]))
    moved = m[:, :2] @ np.asarray(centre, float) + m[:, 2]
    return {
        "dx": float(moved[0] - centre[0]),
        "dy": float(moved[1] - centre[1]),
        "scale": float(scale),
        "rotation_deg": float(turn),
        "centre": (float(centre[0]), float(centre[1])),
    }


class TwoPointGesture:
    """Finger positions in, the gesture's similarity so far out (widget pixels)."""

    def __init__(self, points: dict[int, QPointF]) -> None:
        self.start = _centre(points)
        self.committed = IDENTITY.copy()
        self.fingers = len(points)  # most fingers seen at once: two is never a tap
        self.travel = 0.0  # furthest the fingers went from where they began
        self._from = dict(points)
        self._now = dict(points)

    def update(self, points: dict[int, QPointF]) -> np.ndarray:
        if set(points) != set(self._from):
            # A finger came or went: fold what happened so far and restart from here.
            self.committed = self.total()
            self._from = dict(points)
        self._now = dict(points)
        self.fingers = max(self.fingers, len(points))
        d = _centre(points) - self.start
        self.travel = max(self.travel, math.hypot(d.x(), d.y()))
        if len(points) >= 2:
            a, b = sorted(points)[:2]
            spread0 = self._from[b] - self._from[a]
            spread = points[b] - points[a]
            self.travel = max(
                self.travel,
                abs(math.hypot(spread.x(), spread.y()) - math.hypot(spread0.x(), spread0.y())),
            )
        return self.total()

    def total(self) -> np.ndarray:
        ids = sorted(self._from)
        if len(ids) >= 2:
            a, b = ids[:2]
            seg = two_point_similarity(self._from[a], self._from[b], self._now[a], self._now[b])
        elif ids:
            d = self._now[ids[0]] - self._from[ids[0]]
            seg = gesture_matrix(d.x(), d.y())
        else:
            seg = IDENTITY
        return compose(seg, self.committed)

    def is_tap(self, slop: float) -> bool:
        return self.fingers == 1 and self.travel <= slop


def _centre(points: dict[int, QPointF]) -> QPointF:
    if not points:
        return QPointF()
    ids = sorted(points)[:2]
    total = QPointF()
    for i in ids:
        total += points[i]
    return total / len(ids)
