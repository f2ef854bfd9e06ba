"""Stored bytes of a large JPEG decode reduced (Pillow's draft, libjpeg-turbo's eighths), yet
`align_images` answers in the original photo's upright pixels (CONTRACTS.md), as `main.py
align` promises."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from app.alignment import align_images
from tests.app.alignment.faces import astronaut, jpeg

pytestmark = pytest.mark.usefixtures("models")


@pytest.mark.parametrize("side", [1800, 3000])  # 1800 / 1280: eighths; 3000: draft ½
def test_large_jpeg_bytes_align_in_original_pixels(side: int) -> None:
    face = astronaut()
    small = align_images(face, face)
    big = cv2.resize(face, (side, side), interpolation=cv2.INTER_CUBIC)
    result = align_images(jpeg(big), jpeg(big))
    assert result.method == "mesh" and result.new_points is not None
    scale = side / face.shape[1]
    eyes = [33, 263, 1, 152]  # eye corners, nose tip, chin
    got = result.new_points[eyes]
    want = small.new_points[eyes] * scale
    iod = float(np.hypot(*(want[1] - want[0])))
    assert np.hypot(*(got - want).T).max() < 0.05 * iod
