"""One strict, scaled decode per import and per alignment input (issue 8).

Every pixel decode goes through libjpeg-turbo (`simplejpeg.decode_jpeg`, strict: the damage
check) or Pillow (`ImageFile.load` of an image with data still to read). Both are wrapped with
a counter; the database and the decoders themselves are real. Before, a JPEG import decoded
twice: Pillow's (draft) decode, then a separate 1/8-scale strict pass to find damage.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import pytest
from PIL import Image, ImageFile

from app.alignment.align import WORK_SIDE, align_images
from app.imaging import decode
from app.services import alignment, patients, photos
from app.store.database import Store
from tests.images import face_image, jpeg_bytes, png_bytes


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the pixel decodes run while the test runs, in order."""
    seen: list[str] = []
    assert decode.simplejpeg is not None
    libjpeg = decode.simplejpeg.decode_jpeg

    def counted_libjpeg(*args: object, **kwargs: object) -> np.ndarray:
        seen.append("libjpeg-turbo")
        return libjpeg(*args, **kwargs)  # type: ignore[arg-type]  # passed through as given

    pillow_load = ImageFile.ImageFile.load

    def counted_load(self: ImageFile.ImageFile) -> object:
        if self.tile:  # pixels still to decode (a loaded image has none left)
            seen.append(f"Pillow {self.format}")
        return pillow_load(self)

    monkeypatch.setattr(decode.simplejpeg, "decode_jpeg", counted_libjpeg)
    monkeypatch.setattr(ImageFile.ImageFile, "load", counted_load)
    return seen


def _rotated() -> bytes:
    exif = Image.Exif()
    exif[decode.EXIF_ORIENTATION] = 6
    return jpeg_bytes(face_image(900, 600), exif=exif.tobytes())


# (photo, its upright size): every path through the decode door an import can take
IMPORTS: dict[str, tuple[Callable[[], bytes], tuple[int, int]]] = {
    "small JPEG (full size)": (lambda: jpeg_bytes(face_image(640, 800)), (640, 800)),
    "12 MP-like JPEG (libjpeg's 5/8)": (lambda: jpeg_bytes(face_image(4000, 900)), (4000, 900)),
    "24 MP-like JPEG (1/2)": (lambda: jpeg_bytes(face_image(6000, 800)), (6000, 800)),
    "EXIF-rotated JPEG": (_rotated, (600, 900)),
    "greyscale JPEG (1/2)": (lambda: jpeg_bytes(face_image(5200, 600).convert("L")), (5200, 600)),
    "CMYK JPEG": (lambda: jpeg_bytes(face_image(300, 400).convert("CMYK")), (300, 400)),
    "PNG": (lambda: png_bytes(face_image(300, 400)), (300, 400)),
}


@pytest.mark.parametrize("name", list(IMPORTS))
def test_an_import_decodes_its_photo_once(store: Store, decodes: list[str], name: str) -> None:
    make, size = IMPORTS[name]
    data = make()
    pid = patients.create_patient(store, "Ada", "Lovelace", date(1985, 12, 10)).id
    decodes.clear()
    record = photos.add_photo_bytes(store, pid, "rest", data)
    assert len(decodes) == 1, decodes
    assert (record.width, record.height) == size
    if name.endswith("JPEG") or "JPEG (" in name:
        assert decodes == ["libjpeg-turbo"]  # the strict decoder: it is the damage check too


def test_each_alignment_input_is_decoded_once(store: Store, decodes: list[str]) -> None:
    """From stored photos (their display images) as the app aligns, and from original bytes as
    `main.py align` does: one decode each, at about the models' working size."""
    pid = patients.create_patient(store, "Ada", "Lovelace", date(1985, 12, 10)).id
    old, new = (
        photos.add_photo_bytes(store, pid, "rest", jpeg_bytes(face_image(3200, 4000, seed=s)))
        for s in (1, 2)
    )
    decodes.clear()
    alignment.align_photos(store, old, new)
    assert decodes == ["libjpeg-turbo", "libjpeg-turbo"]

    decodes.clear()
    scaled = decode.decode_upright(photos.display_jpeg(store, old.sha256), max_side=WORK_SIDE)
    assert decodes == ["libjpeg-turbo"] and max(scaled.size) == 1280  # 2560 / 2: reduced

    originals = [jpeg_bytes(face_image(3000, 4000, seed=s)) for s in (3, 4)]
    decodes.clear()
    align_images(originals[0], originals[1])
    assert decodes == ["libjpeg-turbo", "libjpeg-turbo"]
