"""Automatic alignment with the real models: a known warp is recovered; faults refuse."""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.alignment import align_images, mapping_from_dict
from app.alignment.align import CHECK, confidence_words
from app.alignment.mapping import MeshMapping, NoMapping
from app.alignment.models import ModelPaths
from tests.app.alignment.faces import astronaut, jpeg, similarity, warp

pytestmark = pytest.mark.usefixtures("models")

# Mesh points spread over the face: pupils' rings, brows, nose, mouth corners, chin, forehead.
PROBES = [33, 133, 362, 263, 70, 300, 1, 4, 61, 291, 152, 10, 151, 9]


@pytest.fixture(scope="module")
def face() -> np.ndarray:
    return astronaut()


@pytest.fixture(scope="module")
def self_aligned(face: np.ndarray):  # type: ignore[no-untyped-def]
    return align_images(face, face)


def iod_of(points: np.ndarray) -> float:
    return float(np.hypot(*(points[263] - points[33])))


def test_same_photo_is_identity(self_aligned) -> None:  # type: ignore[no-untyped-def]
    assert self_aligned.method == "mesh"
    assert self_aligned.words == "good"
    pts = self_aligned.old_points[PROBES]
    got = np.asarray(self_aligned.map_points(pts.tolist()))
    assert np.abs(got - pts).max() < 0.01


@pytest.mark.parametrize(
    ("scale", "rotation", "shift"),
    [(0.85, 8.0, (60.0, -40.0)), (1.2, -9.0, (-50.0, 30.0)), (1.0, 3.0, (100.0, 80.0))],
)
def test_known_warp_is_recovered(face: np.ndarray, self_aligned, scale, rotation, shift) -> None:  # type: ignore[no-untyped-def]
    centre = tuple(self_aligned.old_points.mean(0))
    m = similarity(scale, rotation, shift, centre)
    moved = warp(face, m)
    # Through the bytes door too, as the CLI and the app give it.
    result = align_images(jpeg(face), jpeg(moved))
    assert result.method == "mesh", result.message
    assert result.words == "good"
    pts = self_aligned.old_points[PROBES]
    truth = pts @ m[:, :2].T + m[:, 2]
    err = np.hypot(*(np.asarray(result.map_points(pts.tolist())) - truth).T) / (
        iod_of(self_aligned.old_points) * scale
    )
    assert np.median(err) < 0.03, err
    assert err.max() < 0.08, err


def test_reduced_copy_reports_original_pixels(face: np.ndarray, self_aligned) -> None:  # type: ignore[no-untyped-def]
    """Given a half-size display copy plus the original's size, coordinates are original."""
    import cv2

    half = cv2.resize(face, (face.shape[1] // 2, face.shape[0] // 2), interpolation=cv2.INTER_AREA)
    size = (face.shape[1], face.shape[0])
    result = align_images(half, half, old_size=size, new_size=size)
    assert result.method == "mesh"
    # Its mesh, in original pixels, lies where the full-size mesh lies (within a pixel or two).
    diff = np.hypot(*(result.old_points - self_aligned.old_points).T)
    assert np.median(diff) < 0.02 * iod_of(self_aligned.old_points)


def test_saved_mapping_reapplies_identically(face: np.ndarray, self_aligned) -> None:  # type: ignore[no-untyped-def]
    m = similarity(0.9, 5, (30, 20), tuple(self_aligned.old_points.mean(0)))
    result = align_images(face, warp(face, m))
    saved = json.loads(json.dumps(result.to_json()["map"]))
    again = mapping_from_dict(saved)
    assert isinstance(again, MeshMapping)
    probes = np.random.default_rng(1).uniform(0, face.shape[0], (300, 2))
    assert np.array_equal(again.map_points(probes), result.mapping.map_points(probes))


def test_no_face_cannot_align(face: np.ndarray) -> None:
    blank = np.full((600, 800, 3), (120, 140, 160), np.uint8)
    result = align_images(blank, face)
    assert result.method == "none"
    assert result.confidence == 0
    assert result.words == "could not align"
    assert "No face" in result.message
    assert result.to_json([[10, 10], [20, 30]])["points"] == [None, None]


def test_two_similar_faces_cannot_align(face: np.ndarray) -> None:
    twins = np.concatenate([face, face], axis=1)
    for old, new in ((twins, face), (face, twins)):
        result = align_images(old, new)
        assert result.method == "none", "two equal faces must not be guessed"
        assert "more than one face" in result.message


def test_a_much_smaller_second_face_is_no_rival(face: np.ndarray) -> None:
    import cv2

    with_small = face.copy()
    small = cv2.resize(face, (face.shape[1] // 4, face.shape[0] // 4), interpolation=cv2.INTER_AREA)
    with_small[-small.shape[0] :, -small.shape[1] :] = small
    assert align_images(with_small, face).method == "mesh"


def test_cut_off_face_cannot_align(face: np.ndarray, self_aligned) -> None:  # type: ignore[no-untyped-def]
    cx = float(self_aligned.old_points[:, 0].mean())
    # Move the face so that the frame's left edge runs through its middle.
    cut = warp(face, similarity(1.0, 0.0, (-cx, 0.0), (0.0, 0.0)))
    result = align_images(face, cut)
    assert result.method == "none" or result.confidence < CHECK
    assert result.words == "could not align"


def test_different_shape_is_refused_or_low(face: np.ndarray, self_aligned) -> None:  # type: ignore[no-untyped-def]
    """A face squashed to half its height (another view, in effect): no confident overlay."""
    import cv2

    h, w = face.shape[:2]
    squashed = cv2.resize(face, (w, int(h * 0.5)), interpolation=cv2.INTER_AREA)
    result = align_images(face, squashed)
    assert result.words != "good"
    assert result.residual_iod is not None and result.residual_iod > 0.1


def test_missing_models_cannot_align(
    face: np.ndarray, tmp_path, monkeypatch, models: ModelPaths
) -> None:  # type: ignore[no-untyped-def]
    from app.alignment import models as m

    monkeypatch.setattr(m, "search_dirs", lambda: [tmp_path])
    m.forget_models()
    try:
        result = align_images(face, face)
    finally:
        monkeypatch.undo()
        m.forget_models()
    assert isinstance(result.mapping, NoMapping)
    assert result.confidence == 0
    assert m.INSTALL_COMMAND in result.message


def test_words_follow_the_thresholds() -> None:
    assert confidence_words(1.0) == "good"
    assert confidence_words(0.45) == "check"
    assert confidence_words(0.0) == "could not align"


def test_exif_rotated_photo_aligns_in_upright_pixels(face: np.ndarray, self_aligned) -> None:  # type: ignore[no-untyped-def]
    """A phone photo stored sideways with EXIF orientation 6: coordinates are the upright ones."""
    import io

    from PIL import Image

    upright = Image.fromarray(face)
    stored = upright.rotate(90, expand=True)  # the sensor's pixels; orientation 6 turns them back
    exif = Image.Exif()
    exif[0x0112] = 6
    buf = io.BytesIO()
    stored.save(buf, "JPEG", quality=92, exif=exif)
    result = align_images(jpeg(face), buf.getvalue())
    assert result.method == "mesh"
    pts = self_aligned.old_points[PROBES]
    got = np.asarray(result.map_points(pts.tolist()))
    assert np.median(np.hypot(*(got - pts).T)) < 0.02 * iod_of(self_aligned.old_points)
