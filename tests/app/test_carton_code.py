"""Reading a carton's GS1 DataMatrix from photos a phone would take: turned, blurred, seen at an
angle, JPEG-compressed — not only clean generated codes (issue #9)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import pytest
from numpy.typing import NDArray

from app.imaging.carton_code import NO_CODE, NOT_GS1, read_codes, read_codes_in_photo
from tests.carton_images import angled, blurred, carton, jpeg, rotated

TODAY = date(2026, 11, 30)
Spoil = Callable[[NDArray[np.uint8]], NDArray[np.uint8]]

PHOTOS: dict[str, Spoil] = {
    "clean": lambda c: c,
    "turned 30°": lambda c: rotated(c, 30),
    "turned 90°": lambda c: rotated(c, 90),
    "turned 200°": lambda c: rotated(c, 200),
    "blurred σ2.5": lambda c: blurred(c, 2.5),
    "angled": lambda c: angled(c, 0.18),
    "steeply angled": lambda c: angled(c, 0.3),
    "turned, angled and blurred": lambda c: blurred(angled(rotated(c, 30)), 2.0),
}


@pytest.mark.parametrize("spoil", PHOTOS.values(), ids=PHOTOS.keys())
def test_carton_photo_gives_gtin_lot_and_expiry(spoil: Spoil) -> None:
    photo = jpeg(spoil(carton()), quality=55)
    read = read_codes_in_photo(photo, TODAY)
    assert read.reason == ""
    [label] = read.labels
    assert label.gtin == "05391526930052"
    assert label.lot == "C1234A"
    assert label.expiry == date(2027, 9, 30)  # day 00: the end of September


def test_camera_frame_as_rgb_array() -> None:
    frame = rotated(carton("(01)05391526930052(17)281031(10)LOT7(21)S1"), 90)
    [label] = read_codes(frame, TODAY).labels
    assert (label.lot, label.expiry, label.serial) == ("LOT7", date(2028, 10, 31), "S1")


def test_too_blurred_or_no_code_gives_the_plain_reason() -> None:
    empty = np.full((600, 800, 3), 220, dtype=np.uint8)
    assert read_codes_in_photo(jpeg(empty), TODAY).reason == NO_CODE
    assert not read_codes_in_photo(jpeg(blurred(carton(), 6.0)), TODAY).found


def test_a_square_code_without_a_gtin_is_not_taken_for_a_carton() -> None:
    read = read_codes(carton("(10)C1234A(17)270900"), TODAY)
    assert (read.labels, read.reason) == ((), NOT_GS1)


def test_a_small_code_in_a_12_megapixel_photo_is_read_at_full_size() -> None:
    """A carton photographed from arm's length: the code is 60 px of a 4032-px-wide photo,
    too small once the photo is reduced to the fast working size."""
    photo = jpeg(blurred(rotated(carton(size=(3024, 4032), scale=3), 20), 1.2), quality=85)
    [label] = read_codes_in_photo(photo, TODAY).labels
    assert (label.gtin, label.lot) == ("05391526930052", "C1234A")
