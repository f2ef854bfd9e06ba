"""The earlier photo redrawn in today's frame, for the compare view (wipe, blink, side by side).

Every mapping sends OLD pixels to NEW pixels; drawing OLD in NEW's frame needs the reverse,
for every NEW pixel. A mesh mapping reverses exactly triangle by triangle (the same triangles,
NEW corners onto OLD corners); a similarity by its inverse. The reverse is evaluated on a
coarse grid and interpolated, which is smooth at that scale, then OpenCV resamples once.
"""

from __future__ import annotations

import numpy as np

from app.alignment.mapping import (
    CorrectedMapping,
    Mapping,
    MeshMapping,
    NoMapping,
    SimilarityMapping,
)

GRID = 8  # pixels between evaluated points of the reverse mapping


def _invert_affine(m: np.ndarray) -> np.ndarray:
    a = np.linalg.inv(m[:, :2])
    return np.hstack([a, (-a @ m[:, 2])[:, None]])


def reverse(mapping: Mapping) -> Mapping | None:
    """A mapping from NEW pixels to OLD pixels, or None when there is nothing to reverse."""
    if isinstance(mapping, NoMapping):
        return None
    if isinstance(mapping, SimilarityMapping):
        return SimilarityMapping(_invert_affine(mapping.matrix), mapping.method)
    if isinstance(mapping, MeshMapping):
        return MeshMapping(mapping.new, mapping.old, mapping.triangles)
    if isinstance(mapping, CorrectedMapping):
        base = reverse(mapping.base)
        if base is None:
            return None
        return _Chain(SimilarityMapping(_invert_affine(mapping.correction)), base)
    raise TypeError(f"cannot reverse {type(mapping).__name__}")


class _Chain:
    method = "reverse"

    def __init__(self, first: Mapping, then: Mapping) -> None:
        self.first, self.then = first, then

    def map_points(self, points: np.ndarray) -> np.ndarray:
        return self.then.map_points(self.first.map_points(points))

    def to_dict(self) -> dict[str, object]:  # a reverse is derived, never saved
        raise NotImplementedError


def old_in_new_frame(
    old_rgb: np.ndarray,
    mapping: Mapping,
    out_size: tuple[int, int],
    *,
    old_original: tuple[int, int] | None = None,
    new_original: tuple[float, float] | None = None,  # a tile's share may be fractional
) -> np.ndarray | None:
    """`old_rgb` redrawn on an image of `out_size` (w, h) showing today's photo; None for
    "could not align".

    The mapping is in original pixels. `old_rgb` may be a reduced copy of OLD (then
    `old_original` is OLD's original size) and the output a reduced frame of NEW (then
    `new_original` is NEW's original size): the compare view works on display images."""
    import cv2

    back = reverse(mapping)
    if back is None:
        return None
    w, h = out_size
    out_scale = np.asarray(new_original or out_size, float) / (w, h)
    old_scale = np.array([old_rgb.shape[1], old_rgb.shape[0]]) / np.asarray(
        old_original or (old_rgb.shape[1], old_rgb.shape[0]), float
    )
    xs = np.arange(0, w + GRID, GRID, dtype=float)
    ys = np.arange(0, h + GRID, GRID, dtype=float)
    gx, gy = np.meshgrid(xs, ys)
    # Output pixel centres (edge coordinates, CONTRACTS.md) → NEW original → OLD original.
    pts = np.stack([gx.ravel() + 0.5, gy.ravel() + 0.5], axis=1) * out_scale
    src = back.map_points(pts).reshape(len(ys), len(xs), 2) * old_scale - 0.5  # OpenCV centres
    map_x = _sample_grid(src[..., 0], w, h)
    map_y = _sample_grid(src[..., 1], w, h)
    return cv2.remap(old_rgb, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)


def _sample_grid(values: np.ndarray, w: int, h: int) -> np.ndarray:
    """Bilinear interpolation of a field sampled every GRID pixels, at every pixel."""
    x = np.arange(w, dtype=np.float32) / GRID
    y = np.arange(h, dtype=np.float32) / GRID
    x0 = np.minimum(x.astype(int), values.shape[1] - 2)
    y0 = np.minimum(y.astype(int), values.shape[0] - 2)
    fx = (x - x0)[None, :]
    fy = (y - y0)[:, None]
    v00 = values[y0][:, x0]
    v01 = values[y0][:, x0 + 1]
    v10 = values[y0 + 1][:, x0]
    v11 = values[y0 + 1][:, x0 + 1]
    top = v00 * (1 - fx) + v01 * fx
    bottom = v10 * (1 - fx) + v11 * fx
    out: np.ndarray = (top * (1 - fy) + bottom * fy).astype(np.float32)
    return out
