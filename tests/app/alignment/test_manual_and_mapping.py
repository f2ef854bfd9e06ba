"""Hand alignment and the saved form of every mapping (no models needed)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.alignment.manual import CorrectedMapping, adjust, from_point_pairs, gesture_matrix
from app.alignment.mapping import (
    MeshMapping,
    NoMapping,
    SimilarityMapping,
    fit_similarity,
    map_or_none,
    mapping_from_dict,
)


def roundtrip(mapping):  # type: ignore[no-untyped-def]
    return mapping_from_dict(json.loads(json.dumps(mapping.to_dict())))


def grid_mesh(n: int = 12) -> np.ndarray:
    """A jittered grid standing in for a mesh (468 points are not needed for the mechanics)."""
    rng = np.random.default_rng(3)
    g = np.stack(np.meshgrid(np.linspace(100, 300, n), np.linspace(100, 340, n)), -1)
    return g.reshape(-1, 2) + rng.normal(0, 3, (n * n, 2))


def fake_mesh_points() -> np.ndarray:
    """468 points with indices 33 and 263 where the eyes would be (used for the blend width)."""
    pts = grid_mesh(22)[:468]
    return pts


def test_two_tapped_pairs_give_the_exact_similarity() -> None:
    m = from_point_pairs([[100, 100], [200, 100]], [[50, 60], [50, 260]])
    got = m.map_points(np.array([[100, 100], [200, 100], [150, 100]]))
    assert np.allclose(got, [[50, 60], [50, 260], [50, 160]])
    assert m.method == "manual"


def test_three_tapped_pairs_least_squares() -> None:
    truth = np.array([[1.1, -0.2, 5.0], [0.2, 1.1, -7.0]])
    old = np.array([[10.0, 10.0], [200.0, 30.0], [90.0, 220.0]])
    new = old @ truth[:, :2].T + truth[:, 2]
    assert np.allclose(from_point_pairs(old, new).matrix, truth, atol=1e-6)


@pytest.mark.parametrize(
    ("old", "new"),
    [([[1, 1]], [[2, 2]]), ([[1, 1], [5, 5]], [[1, 1]]), ([[1, 1], [1, 1]], [[0, 0], [9, 9]])],
)
def test_bad_taps_are_refused(old, new) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        from_point_pairs(old, new)


def test_gesture_scales_and_turns_about_its_centre() -> None:
    g = gesture_matrix(dx=5, dy=-3, scale=2, rotation_deg=90, centre=(10, 10))
    m = SimilarityMapping(g, "manual")
    assert np.allclose(m.map_points(np.array([[10, 10], [11, 10]])), [[15, 7], [15, 9]])


def test_adjust_from_nothing_and_on_a_similarity() -> None:
    first = adjust(None, dx=10)
    assert isinstance(first, SimilarityMapping) and first.method == "manual"
    assert np.allclose(first.map_points(np.array([[0, 0]])), [[10, 0]])
    second = adjust(first, scale=2, centre=(10, 0))
    assert np.allclose(second.map_points(np.array([[1, 0]])), [[12, 0]])
    assert isinstance(adjust(NoMapping("x"), dy=1), SimilarityMapping)


def test_adjusting_a_mesh_keeps_the_mesh() -> None:
    old = fake_mesh_points()
    mesh = MeshMapping.build(old, old * 1.1 + 4)
    corrected = adjust(mesh, dx=3)
    assert isinstance(corrected, CorrectedMapping)
    p = old[[50, 100]]
    assert np.allclose(corrected.map_points(p), mesh.map_points(p) + [3, 0])
    again = adjust(corrected, dy=2)
    assert isinstance(again, CorrectedMapping) and again.base is mesh
    back = roundtrip(again)
    probes = np.random.default_rng(0).uniform(0, 500, (200, 2))
    assert np.array_equal(back.map_points(probes), again.map_points(probes))


def test_every_mapping_survives_json_identically() -> None:
    old = fake_mesh_points()
    rng = np.random.default_rng(7)
    new = old @ np.array([[0.9, 0.1], [-0.1, 0.9]]).T + 30 + rng.normal(0, 2, old.shape)
    probes = rng.uniform(0, 500, (500, 2))
    for mapping in (
        MeshMapping.build(old, new),
        SimilarityMapping(fit_similarity(old, new)),
        from_point_pairs([[0, 0], [10, 0]], [[3, 3], [3, 13.3333333333]]),
    ):
        back = roundtrip(mapping)
        assert back.method == mapping.method
        assert np.array_equal(back.map_points(probes), mapping.map_points(probes))
    none = roundtrip(NoMapping("No face"))
    assert isinstance(none, NoMapping)
    assert map_or_none(none, [[1, 2]]) == [None]


def test_mesh_is_exact_at_its_points_and_has_no_seam_at_its_edge() -> None:
    old = fake_mesh_points()
    rng = np.random.default_rng(2)
    new = old + rng.normal(0, 4, old.shape)
    mesh = MeshMapping.build(old, new)
    assert np.allclose(mesh.map_points(mesh.old), mesh.new, atol=1e-6)
    # Crossing the hull's edge: the mapped point moves continuously.
    edge = np.array([old[:, 0].min(), np.median(old[:, 1])])
    inside, outside = edge + [0.01, 0], edge - [0.01, 0]
    a, b = mesh.map_points(np.array([inside, outside]))
    assert np.hypot(*(a - b)) < 0.5
    # Far away the similarity fit takes over.
    far = np.array([[-5000.0, -5000.0]])
    assert np.allclose(mesh.map_points(far), far @ mesh.similarity[:, :2].T + mesh.similarity[:, 2])


def test_unknown_saved_forms_are_refused() -> None:
    with pytest.raises(ValueError):
        mapping_from_dict({"format": 1, "method": "magic"})
    with pytest.raises(ValueError):
        mapping_from_dict({"format": 99, "method": "none"})


def test_the_face_region_is_where_the_mesh_lands_and_follows_a_hand_correction() -> None:
    from app.alignment.mapping import delaunay, face_region

    old = fake_mesh_points()
    new = old * 1.1 + (20.0, -5.0)
    mesh = MeshMapping(old, new, delaunay(old))
    hull = face_region(mesh)
    assert hull is not None
    lo, hi = hull.min(0), hull.max(0)
    assert np.allclose(lo, new.min(0), atol=1.0) and np.allclose(hi, new.max(0), atol=1.0)
    moved = face_region(adjust(mesh, dx=30.0, dy=10.0))  # the hand's nudge moves the face too
    assert moved is not None and np.allclose(moved.min(0), lo + (30.0, 10.0), atol=1.0)
    assert face_region(SimilarityMapping(np.eye(2, 3), "manual")) is None  # no extrapolation
    assert face_region(NoMapping("no face")) is None
