"""Mappings from OLD photo pixels to NEW photo pixels, and their saved form (ADR 0007).

The kinds share one interface (`map_points`, `to_dict`, `mapping_from_dict`):
- `MeshMapping`: piecewise affine through a Delaunay triangulation of the 468 mesh points of
  OLD (each triangle goes to the same three points in NEW); outside the mesh, the least-squares
  similarity of all 468 points, blended into the mesh's own displacement near its edge so the
  mapping has no seam at the hull.
- `SimilarityMapping`: one scale + rotation + shift (method "similarity" or "manual").
- `NoMapping`: "could not align"; every point maps to None.
- `CorrectedMapping`: any of them followed by a hand correction (`manual.adjust` makes it).
A mapping is rebuilt from its dict alone and maps identically: the live mapping is itself
built from the rounded numbers that are saved.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import cv2
import numpy as np

FORMAT = 1
DECIMALS = 2  # 0.01 px: far below what a marking needs, keeps the saved JSON small
MATRIX_DECIMALS = 9  # a matrix's scale and rotation need more than pixel rounding
BLEND_IOD = 0.25  # outside the mesh its displacement fades out over this many IOD
GRID = 32  # cells per side of the grid that narrows point location to a few triangles


class Mapping(Protocol):
    @property
    def method(self) -> str: ...  # read-only: the mappings are frozen dataclasses

    def map_points(self, points: np.ndarray) -> np.ndarray: ...

    def to_dict(self) -> dict[str, Any]: ...


def fit_similarity(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Least-squares similarity (Umeyama, no reflection) taking src onto dst, as a 2×3 matrix."""
    src, dst = np.asarray(src, float), np.asarray(dst, float)
    ms, md = src.mean(0), dst.mean(0)
    a, b = src - ms, dst - md
    var = (a**2).sum()
    if var <= 1e-12:
        raise ValueError("the points to fit coincide")
    # Complex-number form: dst ≈ z * src with z = s·e^{iθ}, z = Σ conj(a)·b / Σ |a|².
    za = a[:, 0] + 1j * a[:, 1]
    zb = b[:, 0] + 1j * b[:, 1]
    z = (np.conj(za) * zb).sum() / var
    c, s = z.real, z.imag
    m = np.array([[c, -s, 0.0], [s, c, 0.0]])
    m[:, 2] = md - m[:, :2] @ ms
    return m


def apply_affine(m: np.ndarray, points: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.asarray(points, float) @ m[:, :2].T + m[:, 2]
    return out


def similarity_params(m: np.ndarray) -> dict[str, float]:
    """Scale, rotation (degrees, clockwise on screen since y points down) and shift of m."""
    return {
        "scale": float(math.hypot(m[0, 0], m[1, 0])),
        "rotation_deg": float(math.degrees(math.atan2(m[1, 0], m[0, 0]))),
        "dx": float(m[0, 2]),
        "dy": float(m[1, 2]),
    }


def _round(a: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.round(np.asarray(a, float), DECIMALS)
    return out


def delaunay(points: np.ndarray) -> np.ndarray:
    """(T, 3) indices of a Delaunay triangulation of `points`, without degenerate slivers."""
    pts = np.asarray(points, float)
    lo = np.floor(pts.min(0)) - 10
    size = np.ceil(pts.max(0) - lo) + 10
    sub = cv2.Subdiv2D((int(lo[0]), int(lo[1]), int(size[0]), int(size[1])))
    # Subdiv2D returns corner coordinates (float32), not ids: look the ids up by coordinate.
    index: dict[tuple[float, float], int] = {}
    for i, (x, y) in enumerate(pts.astype(np.float32)):
        sub.insert((float(x), float(y)))
        index.setdefault((float(x), float(y)), i)
    tris = []
    for row in np.asarray(sub.getTriangleList(), np.float32):  # stubs: a Sequence of Vec6f
        idx = [index.get((float(row[k]), float(row[k + 1]))) for k in (0, 2, 4)]
        if None not in idx and len(set(idx)) == 3:
            tris.append(idx)
    tri = np.asarray(tris, int).reshape(-1, 3)
    a, b, c = pts[tri[:, 0]], pts[tri[:, 1]], pts[tri[:, 2]]
    u, v = b - a, c - a
    area = np.abs(u[:, 0] * v[:, 1] - u[:, 1] * v[:, 0]) / 2
    span = float(np.ptp(pts, axis=0).prod()) or 1.0
    kept: np.ndarray = tri[area > span * 1e-7]
    return kept


def _hull_nearest(hull: np.ndarray, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each point, the nearest point on the closed polygon `hull` and its distance."""
    a = hull
    b = np.roll(hull, -1, axis=0)
    ab = b - a
    ap = points[:, None, :] - a[None, :, :]
    t = np.clip((ap * ab).sum(-1) / np.maximum((ab**2).sum(-1), 1e-12), 0, 1)
    proj = a[None] + t[..., None] * ab[None]
    d = np.hypot(*(points[:, None, :] - proj).transpose(2, 0, 1))
    k = d.argmin(1)
    rows = np.arange(len(points))
    return proj[rows, k], d[rows, k]


def _triangle_grid(corners: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A GRID × GRID grid over the triangles' bounding box: per cell, the ascending indices of
    the triangles whose (slightly enlarged) bounding box touches it, padded with -1. Locating a
    point then tests a handful of triangles instead of all ~900: a chart of 20,000 stroke
    samples maps in tens of milliseconds, not seconds, with the same answer."""
    lo, hi = corners.reshape(-1, 2).min(0), corners.reshape(-1, 2).max(0)
    size = np.maximum((hi - lo) / GRID, 1e-6)
    margin = size * 0.01  # covers the 1e-9 barycentric tolerance with room to spare
    first = np.floor((corners.min(1) - margin - lo) / size).astype(int).clip(0, GRID - 1)
    last = np.floor((corners.max(1) + margin - lo) / size).astype(int).clip(0, GRID - 1)
    cells: list[list[int]] = [[] for _ in range(GRID * GRID)]
    for t, ((x0, y0), (x1, y1)) in enumerate(zip(first, last, strict=True)):
        for gy in range(y0, y1 + 1):
            for gx in range(x0, x1 + 1):
                cells[gy * GRID + gx].append(t)
    table = np.full((GRID * GRID, max(1, *(len(c) for c in cells))), -1)
    for i, c in enumerate(cells):
        table[i, : len(c)] = c
    return lo, size, table


@dataclass(frozen=True, slots=True)
class SimilarityMapping:
    matrix: np.ndarray  # 2×3, rounded as saved, so a reloaded mapping maps identically
    method: str = "similarity"

    def __post_init__(self) -> None:
        m = np.round(np.asarray(self.matrix, float).reshape(2, 3), MATRIX_DECIMALS)
        object.__setattr__(self, "matrix", m)

    @classmethod
    def identity(cls, method: str = "manual") -> SimilarityMapping:
        return cls(np.array([[1.0, 0, 0], [0, 1.0, 0]]), method)

    def map_points(self, points: np.ndarray) -> np.ndarray:
        return apply_affine(self.matrix, np.asarray(points, float).reshape(-1, 2))

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "method": self.method,
            "similarity": self.matrix.tolist(),
            **{k: round(v, 6) for k, v in similarity_params(self.matrix).items()},
        }


@dataclass(frozen=True, slots=True)
class NoMapping:
    reason: str = ""
    method: str = "none"

    def map_points(self, points: np.ndarray) -> np.ndarray:
        return np.full((len(np.asarray(points).reshape(-1, 2)), 2), np.nan)

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, "method": "none", "reason": self.reason}


@dataclass(frozen=True)
class MeshMapping:
    old: np.ndarray  # (468, 2) OLD pixels, rounded
    new: np.ndarray  # (468, 2) NEW pixels, rounded
    triangles: np.ndarray  # (T, 3) indices into old/new
    similarity: np.ndarray = field(init=False)
    method: str = "mesh"
    # Derived in __post_init__, for point location and mapping:
    _affines: np.ndarray = field(init=False, repr=False, compare=False)  # (T, 2, 3)
    _bary: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] = field(
        init=False, repr=False, compare=False
    )  # each triangle's first corner, its two edge vectors, their determinant
    _grid: tuple[np.ndarray, np.ndarray, np.ndarray] = field(
        init=False, repr=False, compare=False
    )  # _triangle_grid's (lo, size, table)
    _hull: np.ndarray = field(init=False, repr=False, compare=False)  # OLD mesh's convex hull
    _blend_px: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "similarity", fit_similarity(self.old, self.new))
        # Per triangle, the affine that takes its OLD corners to its NEW corners.
        a = self.old[self.triangles]  # (T, 3, 2)
        b = self.new[self.triangles]
        src = np.concatenate([a, np.ones((*a.shape[:2], 1))], axis=2)  # (T, 3, 3)
        object.__setattr__(self, "_affines", np.linalg.solve(src, b).transpose(0, 2, 1))
        # Barycentric setup for point location in OLD.
        v0, v1 = a[:, 1] - a[:, 0], a[:, 2] - a[:, 0]
        det = v0[:, 0] * v1[:, 1] - v0[:, 1] * v1[:, 0]
        object.__setattr__(self, "_bary", (a[:, 0], v0, v1, det))
        object.__setattr__(self, "_grid", _triangle_grid(a))
        hull = cv2.convexHull(self.old.astype(np.float32)).reshape(-1, 2).astype(float)
        object.__setattr__(self, "_hull", hull)
        r, left = self.new[[33, 263]]
        object.__setattr__(self, "_blend_px", BLEND_IOD * float(np.hypot(*(left - r))) * 1.3)

    @classmethod
    def build(cls, old: np.ndarray, new: np.ndarray) -> MeshMapping:
        old, new = _round(old), _round(new)
        return cls(old, new, delaunay(old))

    def _locate(self, pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Index of a triangle containing each point (-1 outside), plus an inside mask."""
        o, v0, v1, det = self._bary
        lo, size, table = self._grid
        # Only the triangles listed for the point's cell (a point beyond the grid is tested
        # against its border cell's, and is found in none). Ascending indices, so the first
        # hit is the lowest-numbered triangle that contains the point, as a full search gives.
        g = np.floor((pts - lo) / size).astype(int).clip(0, GRID - 1)
        cand = table[g[:, 1] * GRID + g[:, 0]]  # (N, K)
        t = np.maximum(cand, 0)
        d = pts[:, None, :] - o[t]
        u = (d[..., 0] * v1[t, 1] - d[..., 1] * v1[t, 0]) / det[t]
        v = (v0[t, 0] * d[..., 1] - v0[t, 1] * d[..., 0]) / det[t]
        eps = 1e-9
        inside = (cand >= 0) & (u >= -eps) & (v >= -eps) & (u + v <= 1 + eps)
        found = inside.any(1)
        first = cand[np.arange(len(pts)), inside.argmax(1)] if len(pts) else cand[:, 0]
        return np.where(found, first, -1), found

    def _piecewise(self, pts: np.ndarray, tri: np.ndarray) -> np.ndarray:
        m = self._affines[tri]
        out: np.ndarray = np.einsum("nij,nj->ni", m[:, :, :2], pts) + m[:, :, 2]
        return out

    def map_points(self, points: np.ndarray) -> np.ndarray:
        pts = np.asarray(points, float).reshape(-1, 2)
        out = apply_affine(self.similarity, pts)
        if not len(pts):
            return out
        tri, found = self._locate(pts)
        if found.any():
            out[found] = self._piecewise(pts[found], tri[found])
        outside = ~found
        if outside.any():
            # Continuous at the hull: the mesh's displacement at the nearest edge point fades.
            near, dist = _hull_nearest(self._hull, pts[outside])
            ntri, nfound = self._locate(near)
            ntri[~nfound] = self._locate_nearest_tri(near[~nfound])
            delta = self._piecewise(near, ntri) - apply_affine(self.similarity, near)
            w = np.exp(-dist / max(self._blend_px, 1e-6))
            out[outside] += w[:, None] * delta
        return out

    def _locate_nearest_tri(self, pts: np.ndarray) -> np.ndarray:
        centroids = self.old[self.triangles].mean(1)
        d = np.hypot(*(pts[:, None] - centroids[None]).transpose(2, 0, 1))
        nearest: np.ndarray = d.argmin(1)
        return nearest

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "method": self.method,
            "similarity": np.round(self.similarity, MATRIX_DECIMALS).tolist(),  # informative
            "old": self.old.tolist(),
            "new": self.new.tolist(),
            "triangles": self.triangles.tolist(),
        }


@dataclass(frozen=True)
class CorrectedMapping:
    """An automatic mapping followed by a hand correction (a similarity in NEW pixels); made by
    `manual.adjust`, kept here beside the other saved kinds that `mapping_from_dict` rebuilds."""

    base: Mapping
    correction: np.ndarray
    method: str = "corrected"

    def __post_init__(self) -> None:
        m = np.round(np.asarray(self.correction, float).reshape(2, 3), MATRIX_DECIMALS)
        object.__setattr__(self, "correction", m)

    def map_points(self, points: np.ndarray) -> np.ndarray:
        return apply_affine(self.correction, self.base.map_points(points))

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "method": self.method,
            "base": self.base.to_dict(),
            "correction": self.correction.tolist(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CorrectedMapping:
        return cls(mapping_from_dict(data["base"]), np.asarray(data["correction"], float))


def face_region(mapping: Mapping) -> np.ndarray | None:
    """Where in NEW pixels a mapping follows the face itself: the convex hull (K, 2) of the
    face mesh's points carried by the whole mapping, hand correction included. Outside it a
    mesh mapping only extrapolates (ears, hair and background smear). None when the mapping
    is the same everywhere (a similarity) or there is none."""
    mesh = mapping.base if isinstance(mapping, CorrectedMapping) else mapping
    if not isinstance(mesh, MeshMapping):
        return None
    carried = mapping.map_points(np.asarray(mesh.old, float))
    hull: np.ndarray = cv2.convexHull(carried.astype(np.float32)).reshape(-1, 2).astype(float)
    return hull


def mapping_from_dict(data: dict[str, Any]) -> Mapping:
    """The mapping a saved dict describes, mapping exactly as it did when it was saved."""
    method = data.get("method")
    if data.get("format", FORMAT) != FORMAT:
        raise ValueError(f"unknown alignment format {data.get('format')!r}")
    if method == "none":
        return NoMapping(str(data.get("reason", "")))
    if method == "mesh":
        return MeshMapping(
            np.asarray(data["old"], float),
            np.asarray(data["new"], float),
            np.asarray(data["triangles"], int).reshape(-1, 3),
        )
    if method in ("similarity", "manual"):
        return SimilarityMapping(np.asarray(data["similarity"], float).reshape(2, 3), method)
    if method == "corrected":
        return CorrectedMapping.from_dict(data)
    raise ValueError(f"unknown alignment method {method!r}")


def map_or_none(mapping: Mapping, points: Sequence[Sequence[float]]) -> list[list[float] | None]:
    """Points as JSON-ready lists: [x, y] rounded to 0.001 px, or None where unmapped."""
    if not len(points):
        return []
    out = mapping.map_points(np.asarray(points, float).reshape(-1, 2))
    return [
        None if not np.all(np.isfinite(p)) else [round(float(p[0]), 3), round(float(p[1]), 3)]
        for p in out
    ]
