"""Aligning two stored photos the app's way: display images in, original pixels out."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from app.alignment import align_images
from app.services import patients, photos
from app.services.alignment import align_photos
from app.store.database import Store
from tests.app.alignment.faces import astronaut, jpeg, similarity, warp

pytestmark = pytest.mark.usefixtures("models")


def test_stored_photos_align_in_original_pixels(sqlite_store: Store) -> None:
    # 3072 px: larger than the 2560-px display image, so display and original differ in scale.
    face = astronaut(6.0)
    m = similarity(0.92, 5.0, (120.0, -90.0), (1345.0, 740.0))
    moved = warp(face, m)
    patient = patients.create_patient(sqlite_store, "Ada", "Lovelace", date(1980, 1, 2))
    old = photos.add_photo_bytes(sqlite_store, patient.id, "rest", jpeg(face))
    new = photos.add_photo_bytes(sqlite_store, patient.id, "rest", jpeg(moved))
    assert (old.width, old.height) == (3072, 3072)

    result = align_photos(sqlite_store, old, new)
    assert result.method == "mesh", result.message
    assert result.words == "good"
    direct = align_images(face, face)  # the mesh on the original itself, as reference spots
    probes = direct.old_points[[33, 263, 1, 61, 291, 10]]
    truth = probes @ m[:, :2].T + m[:, 2]
    got = np.asarray(result.map_points(probes.tolist()))
    iod = float(np.hypot(*(direct.old_points[263] - direct.old_points[33]))) * 0.92
    assert np.median(np.hypot(*(got - truth).T)) / iod < 0.03
