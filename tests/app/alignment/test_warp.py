"""The earlier photo redrawn in today's frame (compare view)."""

from __future__ import annotations

import numpy as np
import pytest

from app.alignment import align_images
from app.alignment.manual import adjust
from app.alignment.mapping import NoMapping, SimilarityMapping
from app.alignment.warp import old_in_new_frame, reverse
from tests.app.alignment.faces import astronaut, similarity, warp


def test_similarity_warp_matches_the_moved_photo() -> None:
    face = astronaut(1.0)
    m = similarity(0.9, 8.0, (20.0, -15.0), (256.0, 256.0))
    moved = warp(face, m)
    out = old_in_new_frame(face, SimilarityMapping(m), (512, 512))
    assert out is not None
    inner = (slice(100, 400), slice(100, 400))
    assert np.abs(out[inner].astype(int) - moved[inner].astype(int)).mean() < 2.0


def test_reduced_images_in_and_out() -> None:
    """OLD given at half size, output at half of NEW's size: the same picture, half as big."""
    import cv2

    face = astronaut(1.0)
    m = similarity(1.1, -5.0, (10.0, 5.0), (256.0, 256.0))
    moved = warp(face, m)
    half_old = cv2.resize(face, (256, 256), interpolation=cv2.INTER_AREA)
    out = old_in_new_frame(
        half_old, SimilarityMapping(m), (256, 256), old_original=(512, 512), new_original=(512, 512)
    )
    want = cv2.resize(moved, (256, 256), interpolation=cv2.INTER_AREA)
    assert out is not None
    inner = (slice(50, 200), slice(50, 200))
    assert np.abs(out[inner].astype(int) - want[inner].astype(int)).mean() < 6.0


@pytest.mark.usefixtures("models")
def test_mesh_warp_lines_up_with_today() -> None:
    face = astronaut()
    m = similarity(0.9, 6.0, (40.0, 25.0), (450.0, 250.0))
    moved = warp(face, m)
    result = align_images(face, moved)
    back = reverse(result.mapping)
    assert back is not None
    assert np.allclose(back.map_points(result.mapping.new), result.mapping.old, atol=1e-6)
    out = old_in_new_frame(face, result.mapping, (moved.shape[1], moved.shape[0]))
    assert out is not None
    # Around the face (the mesh box in NEW) the redrawn photo matches today's.
    x0, y0 = result.mapping.new.min(0).astype(int)
    x1, y1 = result.mapping.new.max(0).astype(int)
    region = (slice(y0, y1), slice(x0, x1))
    aligned = np.abs(out[region].astype(int) - moved[region].astype(int)).mean()
    unaligned = np.abs(face[region].astype(int) - moved[region].astype(int)).mean()
    assert aligned < 0.25 * unaligned
    nudged = old_in_new_frame(face, adjust(result.mapping, dx=5), (moved.shape[1], moved.shape[0]))
    assert nudged is not None and not np.array_equal(nudged, out)


def test_nothing_to_draw_when_it_could_not_align() -> None:
    assert old_in_new_frame(astronaut(1.0), NoMapping("no face"), (100, 100)) is None
