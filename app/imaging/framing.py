"""Framing offset from the ghost: how far today's face sits from where it sat in the earlier
photo of the same view (shift, size, tilt), so a clinician can retake before the patient leaves.

Uses face alignment (`app.alignment.align.align_images`, the touch-up overlay's engine) through
one seam, `Aligner`: when alignment is missing or cannot find both faces, there is simply no
framing warning. Positions are shares of each photo's own frame, so a 12 MP photo compares with
a 2 MP one.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

MAX_SHIFT = 0.05  # of the frame's width or height
MAX_SIZE_CHANGE = 0.10  # of the face's size in the frame
MAX_ROLL_DEG = 5.0

Aligner = Callable[[bytes, bytes], Any]  # (old bytes, new bytes) → an AlignmentResult


@dataclass(frozen=True, slots=True)
class FramingOffset:
    dx: float  # face centre, new minus old, as a share of the frame width (+ = to the right)
    dy: float  # … of the frame height (+ = lower)
    size_ratio: float  # face size in the frame, new / old (> 1: closer or zoomed in)
    roll_deg: float  # head tilt, new relative to old, degrees clockwise on screen
    confidence: float  # the alignment's own confidence, 0..1
    warnings: list[str] = field(default_factory=list)


def _default_aligner() -> Aligner | None:
    try:
        from app.alignment.align import align_images
    except ImportError:  # alignment not installed in this build: no framing check
        return None
    return align_images


def _size(data: bytes) -> tuple[int, int]:
    from app.imaging.decode import read_info

    info = read_info(data)
    return info.width, info.height


def framing_offset(old: bytes, new: bytes, aligner: Aligner | None = None) -> FramingOffset | None:
    """The offset of NEW's framing from OLD's, or None when it cannot be measured."""
    aligner = aligner or _default_aligner()
    if aligner is None:
        return None
    result = aligner(old, new)
    old_pts = getattr(result, "old_points", None)
    new_pts = getattr(result, "new_points", None)
    if not result.confidence or old_pts is None or new_pts is None:
        return None
    (ow, oh), (nw, nh) = _size(old), _size(new)
    o = np.asarray(old_pts, float) / (ow, oh)
    n = np.asarray(new_pts, float) / (nw, nh)
    dx, dy = (n.mean(axis=0) - o.mean(axis=0)).tolist()
    # face size: spread of the mesh relative to the frame width (aspect-safe, scale-free)
    spread_o = float(np.sqrt(((old_pts - old_pts.mean(0)) ** 2).sum(1).mean())) / ow
    spread_n = float(np.sqrt(((new_pts - new_pts.mean(0)) ** 2).sum(1).mean())) / nw
    ratio = spread_n / spread_o if spread_o else 1.0
    # roll: the best rotation between the two meshes (Procrustes angle on centred points)
    a = old_pts - old_pts.mean(0)
    b = new_pts - new_pts.mean(0)
    roll = math.degrees(
        math.atan2(float((a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]).sum()), float((a * b).sum()))
    )
    warnings = []
    if abs(dx) > MAX_SHIFT or abs(dy) > MAX_SHIFT:
        parts = []
        if abs(dx) > MAX_SHIFT:
            parts.append(f"{abs(dx):.0%} {'right' if dx > 0 else 'left'}")
        if abs(dy) > MAX_SHIFT:
            parts.append(f"{abs(dy):.0%} {'lower' if dy > 0 else 'higher'}")
        warnings.append(f"Framing: the face sits {' and '.join(parts)} than in the earlier photo.")
    if abs(ratio - 1) > MAX_SIZE_CHANGE:
        closer = "larger (closer)" if ratio > 1 else "smaller (further away)"
        warnings.append(f"Framing: the face is {abs(ratio - 1):.0%} {closer} than before.")
    if abs(roll) > MAX_ROLL_DEG:
        warnings.append(f"Framing: the head is tilted {abs(roll):.0f}° compared with before.")
    return FramingOffset(dx, dy, ratio, roll, float(result.confidence), warnings)
