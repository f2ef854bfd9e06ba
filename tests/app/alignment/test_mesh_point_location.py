"""The mesh mapping's point location through its triangle grid gives exactly the answer of a
search through every triangle (the lowest-numbered triangle containing the point), on the
vertices, on the edges, inside, at the hull and far outside — so a saved mapping maps as it
did — and a chart-sized batch of points maps quickly."""

from __future__ import annotations

import numpy as np

from app.alignment.mapping import MeshMapping


def _full_search(m: MeshMapping, pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    o, v0, v1, det = m._bary  # type: ignore[attr-defined]
    d = pts[:, None, :] - o[None]
    u = (d[..., 0] * v1[:, 1] - d[..., 1] * v1[:, 0]) / det
    v = (v0[:, 0] * d[..., 1] - v0[:, 1] * d[..., 0]) / det
    inside = (u >= -1e-9) & (v >= -1e-9) & (u + v <= 1 + 1e-9)
    found = inside.any(1)
    return np.where(found, inside.argmax(1), -1), found


def _mesh(seed: int) -> MeshMapping:
    rng = np.random.default_rng(seed)
    # A face-like cloud: 468 points in an ellipse, denser in the middle, as a real mesh is.
    r = np.sqrt(rng.uniform(0, 1, 468)) * rng.uniform(0.6, 1.0, 468)
    a = rng.uniform(0, 2 * np.pi, 468)
    old = np.c_[400 + 90 * r * np.cos(a), 300 + 120 * r * np.sin(a)]
    new = old * 0.9 + rng.normal(0, 1.5, old.shape) + (30, -12)
    return MeshMapping.build(old, new)


def test_grid_location_equals_the_full_search() -> None:
    for seed in range(3):
        m = _mesh(seed)
        corners = m.old[m.triangles]  # (T, 3, 2)
        rng = np.random.default_rng(seed + 10)
        w = rng.dirichlet((1, 1, 1), size=len(corners))
        probes = np.concatenate(
            [
                m.old,  # every vertex: shared by several triangles
                (corners[:, 0] + corners[:, 1]) / 2,  # every edge's midpoint: shared by two
                np.einsum("tk,tkd->td", w, corners),  # inside each triangle
                m._hull,  # type: ignore[attr-defined]
                rng.uniform((250, 120), (550, 480), (5000, 2)),  # around and outside the face
                rng.uniform(-5000, 5000, (200, 2)),  # far beyond the grid
            ]
        )
        got_tri, got_found = m._locate(probes)
        want_tri, want_found = _full_search(m, probes)
        assert np.array_equal(got_found, want_found)
        assert np.array_equal(got_tri, want_tri)
        assert got_found.sum() > len(m.old) + len(corners)  # the probes did hit triangles
    assert m._locate(np.zeros((0, 2)))[0].shape == (0,)


def test_a_chart_sized_batch_maps_without_testing_every_triangle() -> None:
    """A search through all ~900 triangles per point took ~2.8 s and 600 MB for 20,000
    points. Each point is now tested against its grid cell's few triangles only: asserted on
    that bound, which a loaded machine does not change (the time is bench/alignment.py's)."""
    m = _mesh(0)
    _lo, _size, table = m._grid
    assert table.shape[1] * 10 <= len(m.triangles)  # at most a tenth of them per point
    pts = np.random.default_rng(1).uniform((250, 120), (550, 480), (20_000, 2))
    tri, found = m._locate(pts)
    assert found.any() and (tri[found] >= 0).all()
