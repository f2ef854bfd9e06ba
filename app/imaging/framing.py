"""Framing offset from the ghost: how far today's face sits from where it sat in the earlier
photo of the same view (shift, size, tilt), in plain words, so a clinician can retake before
the patient leaves. A warning only: it never blocks a photo.

The faces are matched by `app.alignment.align_images` (the touch-up overlay's engine, ADR 0009)
through one seam, `Aligner`. Every outcome is a `FramingCheck` with a sentence: the framing
matches, it is off (by how much), or it cannot be checked (no face, another pose, models not
installed). Positions are shares of each photo's own frame, so a 12 MP photo compares with a
2 MP one, and with the preview frame scaled to the screen.

Thresholds (docs/capture.md, "Framing"): what a clinician would retake for, not what alignment
can resolve (its own error on the astronaut is < 0.5 % of the frame and < 1 % in size).
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

MATCHES, OFF, UNCHECKED = "matches", "off", "unchecked"

Aligner = Callable[..., Any]  # align_images(old, new, old_size=…, new_size=…) → AlignmentResult
Size = tuple[int, int]


@dataclass(frozen=True, slots=True)
class FramingOffset:
    dx: float  # face centre, new minus old, as a share of the frame width (+ = to the right)
    dy: float  # … of the frame height (+ = lower)
    size_ratio: float  # face size in the frame, new / old (> 1: closer or zoomed in)
    roll_deg: float  # head tilt, new relative to old, degrees clockwise on screen
    confidence: float  # the alignment's own confidence, 0..1
    shift_iod: float = 0.0  # the same shift in eye distances of today's face
    warnings: list[str] = field(default_factory=list)

    @property
    def matches(self) -> bool:
        return not self.warnings


@dataclass(frozen=True, slots=True)
class FramingCheck:
    status: str  # MATCHES, OFF or UNCHECKED
    message: str  # one sentence for the clinician
    offset: FramingOffset | None = None


def _eye_distance(points: np.ndarray) -> float:
    from app.alignment.mesh import LEFT_EYE_RING, RIGHT_EYE_RING

    if len(points) <= max(LEFT_EYE_RING):
        return 0.0
    right = points[list(RIGHT_EYE_RING)].mean(0)
    left = points[list(LEFT_EYE_RING)].mean(0)
    return float(np.hypot(*(left - right)))


def offset_words(dx: float, dy: float, ratio: float, roll: float) -> list[str]:
    """The framing warning as one sentence, or none when it matches. Up and down, left and
    right are as the photo shows them (where to move the camera), not the patient's sides."""
    parts = []
    if abs(dy) > MAX_SHIFT:
        parts.append(f"{abs(dy) * 100:.0f} % {'lower' if dy > 0 else 'higher'}")
    if abs(dx) > MAX_SHIFT:
        side = "right" if dx > 0 else "left"
        parts.append(f"{abs(dx) * 100:.0f} % further {side} in the frame")
    if abs(ratio - 1) > MAX_SIZE_CHANGE:
        parts.append(f"{abs(ratio - 1) * 100:.0f} % {'closer' if ratio > 1 else 'further away'}")
    tilt = ""
    if abs(roll) > MAX_ROLL_DEG:
        turn = "clockwise" if roll > 0 else "anticlockwise"
        tilt = f"the head tilted {abs(roll):.0f}° {turn}"
    if not parts and not tilt:
        return []
    if not parts:
        return [f"Framing: {tilt} compared with last time."]
    said = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return [f"Framing: {said} than last time" + (f", {tilt}." if tilt else ".")]


def offset_from_points(
    old_pts: np.ndarray,
    old_size: Size,
    new_pts: np.ndarray,
    new_size: Size,
    confidence: float = 1.0,
) -> FramingOffset:
    """The offset of NEW's face from OLD's, from matching face points in each photo's pixels
    and each photo's upright size (width, height)."""
    old_pts, new_pts = np.asarray(old_pts, float), np.asarray(new_pts, float)
    (ow, oh), (nw, nh) = old_size, new_size
    dx, dy = (new_pts.mean(0) / (nw, nh) - old_pts.mean(0) / (ow, oh)).tolist()
    # Size and tilt: the similarity between the two meshes (Procrustes on centred points), with
    # each photo measured in its own frame heights, so a different camera or zoom level cancels.
    a = (old_pts - old_pts.mean(0)) / oh
    b = (new_pts - new_pts.mean(0)) / nh
    dot = float((a * b).sum())
    cross = float((a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]).sum())
    norm = float((a * a).sum())
    ratio = math.hypot(dot, cross) / norm if norm else 1.0
    roll = math.degrees(math.atan2(cross, dot))
    iod = _eye_distance(new_pts)
    shift_px = math.hypot(dx * nw, dy * nh)
    shift_iod = shift_px / iod if iod else 0.0
    return FramingOffset(
        dx, dy, ratio, roll, float(confidence), shift_iod, offset_words(dx, dy, ratio, roll)
    )


def check_from_result(result: Any, old_size: Size, new_size: Size) -> FramingCheck:
    """A FramingCheck from an alignment result (anything with `confidence`, `old_points`,
    `new_points` and `message`), the points in the pixels of photos of these sizes."""
    old_pts = getattr(result, "old_points", None)
    new_pts = getattr(result, "new_points", None)
    if not result.confidence or old_pts is None or new_pts is None:
        why = getattr(result, "message", "") or "the faces could not be matched."
        return FramingCheck(UNCHECKED, f"Framing can't be checked: {_lower_first(why)}")
    offset = offset_from_points(old_pts, old_size, new_pts, new_size, result.confidence)
    if offset.matches:
        return FramingCheck(MATCHES, "Framing matches the last visit.", offset)
    return FramingCheck(OFF, offset.warnings[0], offset)


def _lower_first(text: str) -> str:
    """An alignment message as the end of our sentence: "align by hand" is advice for the
    overlay, not for the capture screen."""
    text = text.strip().split("; align by hand")[0].rstrip(".") + "."
    return text[:1].lower() + text[1:] if text[1:2] != text[1:2].upper() else text


def models_missing() -> str | None:
    """The sentence to show when the face models are not installed (checked in this thread,
    which also loads them for it), else None."""
    try:
        from app.alignment.models import INSTALL_COMMAND, ModelsMissing, nets
    except ImportError:
        return "Framing can't be checked: face alignment is not installed."
    try:
        nets()
    except ModelsMissing:
        return (
            "Framing can't be checked: the face models are not installed "
            f"(run `{INSTALL_COMMAND}` once). The photo is stored as usual."
        )
    return None


def _default_aligner() -> Aligner | None:
    try:
        from app.alignment.align import align_images
    except ImportError:  # alignment not installed in this build
        return None
    return align_images


def framing_check(
    old: Any, new: Any, old_size: Size, new_size: Size, aligner: Aligner | None = None
) -> FramingCheck:
    """How NEW is framed against OLD. `old`/`new` are images or stored bytes, possibly reduced
    copies (display images, preview frames); `*_size` are the upright sizes the returned
    offsets refer to. Never raises for a face it cannot find: it says so."""
    if aligner is None:
        missing = models_missing()
        if missing:
            return FramingCheck(UNCHECKED, missing)
        aligner = _default_aligner()
        assert aligner is not None
    return check_from_result(
        aligner(old, new, old_size=old_size, new_size=new_size), old_size, new_size
    )


def framing_offset(old: bytes, new: bytes, aligner: Aligner | None = None) -> FramingOffset | None:
    """The offset of NEW's framing from OLD's (stored bytes), or None when it cannot be
    measured."""
    from app.imaging.decode import read_info

    sizes = []
    for data in (old, new):
        info = read_info(data)
        sizes.append((info.width, info.height))
    return framing_check(old, new, sizes[0], sizes[1], aligner).offset
