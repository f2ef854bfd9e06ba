"""The iris scale on real photos (../shared/faces, skipped when absent) and on a face-less
image, where there is no scale and nothing pretends otherwise."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from app.alignment import models as m
from app.alignment.iris import IRIS_MM
from app.alignment.models import ModelPaths
from app.alignment.photo_face import measure_face
from tests.app.alignment.faces import astronaut

FACES = Path(__file__).resolve().parents[4] / "shared" / "faces"
needs_faces = pytest.mark.skipif(not FACES.is_dir(), reason="../shared/faces is absent")


def reference(name: str) -> np.ndarray:
    data = json.loads((FACES / "landmarks68.json").read_text())
    return np.asarray(data[name]["landmarks68"], float)


@needs_faces
@pytest.mark.parametrize("name", ["obama.jpg", "train_alex_lacamoire_img1.jpg"])
def test_real_faces_get_an_adult_scale(name: str, models: ModelPaths, iris_model: Path) -> None:
    face = measure_face((FACES / name).read_bytes())
    assert face.scale is not None and face.geometry is not None, face.message
    ref = reference(name)
    right, left = ref[36:42].mean(0), ref[42:48].mean(0)
    iod_mm = float(np.hypot(*(left - right))) * face.scale.mm_per_px
    assert 55 <= iod_mm <= 72  # adults (issue #10)
    # The irises sit on the reference eyes (their centres: less than 0.08 IOD away) …
    iod_px = float(np.hypot(*(left - right)))
    for iris, eye in ((face.scale.right, right), (face.scale.left, left)):
        assert iris is not None
        assert math.dist(iris.centre, eye) < 0.08 * iod_px
        # … and the scale is the iris: 11.7 mm over its width.
        assert iris.width_px * face.scale.mm_per_px == pytest.approx(IRIS_MM, rel=0.15)
    assert 0.5 <= face.scale.confidence <= 1.0


@needs_faces
def test_a_reduced_copy_answers_in_the_original_pixels(models: ModelPaths) -> None:
    from PIL import Image

    data = (FACES / "obama.jpg").read_bytes()
    full = measure_face(data)
    img = Image.open(FACES / "obama.jpg").convert("RGB")
    half = img.resize((img.width // 2, img.height // 2))
    small = measure_face(half, size=img.size)
    assert full.mm_per_px and small.mm_per_px
    assert small.mm_per_px == pytest.approx(full.mm_per_px, rel=0.08)


def test_no_face_no_scale(models: ModelPaths, iris_model: Path) -> None:
    rng = np.random.default_rng(3)
    wall = (rng.random((600, 800, 3)) * 40 + 100).astype(np.uint8)
    face = measure_face(wall)
    assert face.geometry is None and face.scale is None and face.mm_per_px is None
    assert "No face" in face.message


def test_missing_iris_model_costs_the_scale_only(
    tmp_path: Path, models: ModelPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(m, "search_dirs", lambda: [models.detector.parent.parent / "nowhere",
                                                    tmp_path])  # fmt: skip
    for name in (m.DETECTOR, m.LANDMARKS):
        (tmp_path / name).symlink_to(models.detector.parent / name)
    m.forget_models()
    try:
        face = measure_face(astronaut(2.0))
        assert face.geometry is not None  # the face and its brows are still there
        assert face.scale is None and face.geometry.mm_per_px is None
        assert "iris model is not installed" in face.message
    finally:
        monkeypatch.undo()
        m.forget_models()


def test_the_public_domain_astronaut_gets_a_scale(models: ModelPaths, iris_model: Path) -> None:
    """Without ../shared/faces too: both irises read, eye to eye an adult's distance."""
    face = measure_face(astronaut(2.0))
    assert face.scale is not None and face.scale.eye_centres is not None, face.message
    (rx, ry), (lx, ly) = face.scale.eye_centres
    assert 55 <= math.hypot(lx - rx, ly - ry) * face.scale.mm_per_px <= 72
    assert face.scale.confidence > 0.5
