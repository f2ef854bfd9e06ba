"""The decode door's reduced JPEG decode (libjpeg-turbo's eighths, for 1 < size / max_side < 2,
where Pillow's draft cannot help): the same upright picture as a full decode, at least
`max_side` big, every EXIF orientation, and damage still refused."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from app.imaging import decode
from app.imaging.decode import ImageError, decode_upright
from app.services import patients, photos
from app.store.database import Store
from tests.app.test_image_import import SILENT_JPEG_DAMAGE, STORED_FROM_UPRIGHT
from tests.images import face_image, jpeg_bytes

MAX_SIDE = 800
UPRIGHT = (1000, 1400)  # portrait: 1400 / 800 = 1.75, so libjpeg's 5/8 gives 875 px


def _upright() -> Image.Image:
    img = face_image(*UPRIGHT)
    img.paste((0, 0, 255), (UPRIGHT[0] - 120, 0, UPRIGHT[0], 120))  # blue top-right
    return img


def _reference(data: bytes, size: tuple[int, int]) -> np.ndarray:
    """The full decode through the door, scaled down by Pillow: what the scaled one replaces."""
    full = decode_upright(data)
    return np.asarray(full.resize(size, Image.Resampling.LANCZOS), dtype=np.int16)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_scaled_decode_is_the_upright_picture(orientation: int) -> None:
    upright = _upright()
    stored = Image.fromarray(
        np.ascontiguousarray(STORED_FROM_UPRIGHT[orientation](np.asarray(upright)))
    )
    exif = Image.Exif()
    exif[decode.EXIF_ORIENTATION] = orientation
    data = jpeg_bytes(stored, quality=95, exif=exif.tobytes())

    img = decode_upright(data, max_side=MAX_SIDE)
    assert img.mode == "RGB" and img.size == (625, 875)  # 5/8 of 1000×1400: reduced, ≥ 800
    got = np.asarray(img, dtype=np.int16)
    assert np.abs(got[20, 20] - (255, 0, 0)).max() < 40, "red is not top-left"
    assert np.abs(got[20, -20] - (0, 0, 255)).max() < 40, "blue is not top-right"
    assert np.abs(got - _reference(data, img.size)).mean() < 1.5


def test_user_rotation_follows_the_scaled_decode() -> None:
    data = jpeg_bytes(_upright(), quality=95)
    img = decode_upright(data, rotation_quarter_turns=1, max_side=MAX_SIDE)
    assert img.size == (875, 625)
    assert np.abs(np.asarray(img, dtype=np.int16)[20, -20] - (255, 0, 0)).max() < 40


def test_grey_and_small_jpegs_keep_pillows_path() -> None:
    grey = jpeg_bytes(_upright().convert("L"))
    assert decode_upright(grey, max_side=MAX_SIDE).size == UPRIGHT  # Pillow: full size, RGB
    assert decode_upright(grey, max_side=MAX_SIDE).mode == "RGB"
    small = jpeg_bytes(face_image(400, 500))
    assert decode_upright(small, max_side=MAX_SIDE).size == (400, 500)


@pytest.mark.parametrize("damage", list(SILENT_JPEG_DAMAGE))
def test_damage_is_still_refused(damage: str) -> None:
    data = SILENT_JPEG_DAMAGE[damage](jpeg_bytes(_upright(), quality=95))
    Image.open(io.BytesIO(data)).load()  # Pillow alone takes it
    with pytest.raises(ImageError, match="damaged"):
        decode_upright(data, max_side=MAX_SIDE)
    with pytest.raises(ImageError):
        decode_upright(data[: len(data) // 2], max_side=MAX_SIDE)  # truncated


def test_stored_photo_keeps_its_bytes_and_gets_a_full_size_display_image(store: Store) -> None:
    """A 12 MP-like photo (3000 / 2560 < 2): display image 2560 px, thumbnail, original exact."""
    from datetime import date

    patient_id = patients.create_patient(store, "Ada", "Lovelace", date(1985, 12, 10)).id
    big = face_image(3000, 2250)
    data = jpeg_bytes(big, quality=92)
    record = photos.add_photo_bytes(store, patient_id, "rest", data)
    assert photos.original_bytes(store, record.sha256) == data
    display = Image.open(io.BytesIO(photos.display_jpeg(store, record.sha256)))
    assert display.size == (photos.DISPLAY_SIDE, 1920)
    ref = np.asarray(big.resize(display.size, Image.Resampling.LANCZOS), dtype=np.int16)
    assert np.abs(np.asarray(display, dtype=np.int16) - ref).mean() < 2
    thumb = Image.open(io.BytesIO(photos.thumbnail_jpeg(store, record.sha256)))
    assert max(thumb.size) == photos.THUMB_SIDE
