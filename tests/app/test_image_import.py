"""Importing photos (issue #2): bad files are refused with a clear message and leave the
database exactly as it was; every format and orientation a clinic meets comes out upright,
and the original bytes are kept byte for byte. Real stores, pictures made on the fly."""

from __future__ import annotations

import hashlib
import io
import random
import struct
import time
import tracemalloc
import zlib
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import cv2
import numpy as np
import pytest
import simplejpeg
from PIL import Image

from app.imaging import decode
from app.imaging.decode import ImageError, decode_upright, read_info
from app.services import patients, photos
from app.store.database import Store
from app.store.schema import PhotoBlob
from tests.app.fault_helpers import row_counts
from tests.images import face_image, heic_bytes, jpeg_bytes, png_bytes

RED = np.array([255, 0, 0])


@pytest.fixture
def patient_id(store: Store) -> int:
    return patients.create_patient(store, "Ines", "Duarte", date(1979, 3, 4)).id


def _png(img: Image.Image, **kw: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG", **kw)
    return buf.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _bomb_png(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of width x height black pixels: a few KB on disk. Built by hand (one
    row compressed, repeated by zlib's stream) so the test never holds the pixels."""
    row = b"\0" * (1 + (width + 7) // 8)  # filter byte + packed bits
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
    )


def _bomb_jpeg(width: int, height: int) -> bytes:
    """A small real JPEG whose frame header (SOF0) is rewritten to claim width x height."""
    data = bytearray(jpeg_bytes(face_image(64, 64)))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def _garbage_in_middle(data: bytes) -> bytes:
    """2 KB in the middle replaced by bytes no encoder would write there."""
    middle = len(data) // 2
    junk = bytes(range(256)) * 8
    return data[:middle] + junk + data[middle + len(junk) :]


def _png_with_text_bomb() -> bytes:
    """A real PNG with a compressed comment that inflates to 50 MB: a zip bomb in metadata."""
    data = png_bytes(face_image(64, 80))
    text = b"Comment\0\0" + zlib.compress(b"A" * 50_000_000, 9)
    return data[:33] + _chunk(b"zTXt", text) + data[33:]  # right after IHDR


def _mpo(first: Image.Image) -> bytes:
    """A JPEG with a second picture after it (depth map, preview): Pillow calls it MPO."""
    buf = io.BytesIO()
    first.save(buf, "MPO", save_all=True, append_images=[face_image(16, 16, seed=2)])
    data = buf.getvalue()
    assert Image.open(io.BytesIO(data)).format == "MPO"
    return data


BAD_FILES: dict[str, tuple[Callable[[], bytes], str]] = {
    "PNG with a text-chunk bomb": (_png_with_text_bomb, "unsafe"),
    "truncated JPEG": (lambda: jpeg_bytes()[: len(jpeg_bytes()) // 2], "damaged or incomplete"),
    "truncated PNG": (lambda: png_bytes()[: len(png_bytes()) // 2], "damaged or incomplete"),
    "corrupt JPEG": (lambda: _garbage_in_middle(jpeg_bytes()), "damaged"),
    "corrupt PNG": (lambda: _garbage_in_middle(png_bytes()), "damaged"),
    "PDF": (
        lambda: b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n",
        "not an image",
    ),
    "text file": (lambda: b"Patient notes: frown 20 U\n", "not an image"),
    "empty file": (lambda: b"", "empty"),
    "20000x20000 PNG": (lambda: _bomb_png(20_000, 20_000), "too large|megapixel"),
    "10001x10000 PNG": (lambda: _bomb_png(10_001, 10_000), "too large|megapixel"),
    "20000x20000 JPEG": (lambda: _bomb_jpeg(20_000, 20_000), "too large|megapixel"),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_bad_file_is_refused_clearly_and_changes_nothing(
    store: Store, patient_id: int, tmp_path: Path, name: str
):
    make, message = BAD_FILES[name]
    data = make()
    # The sample really is what it claims to be: bombs stay small on disk.
    assert len(data) < 200_000
    photos.add_photo_bytes(store, patient_id, "rest", jpeg_bytes(face_image(80, 100)))
    before = row_counts(store)

    with pytest.raises(ImageError, match=message) as info:
        decode_upright(data)
    text = str(info.value)
    assert text[0].isupper() and "Traceback" not in text  # a sentence for the clinician

    with pytest.raises(ImageError, match=message):
        photos.add_photo_bytes(store, patient_id, "rest", data)
    path = tmp_path / "import.jpg"
    path.write_bytes(data)
    with pytest.raises(ImageError, match=message):
        photos.add_photo_file(store, patient_id, "rest", path)

    assert row_counts(store) == before


def _overwrite_middle(data: bytes, junk: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + junk + data[middle + len(junk) :]


# Damage Pillow decodes straight through (JPEG has no checksum; libjpeg only warns, and Pillow
# silences the warning): zeros from a bad sector or a half-copied file, random noise.
SILENT_JPEG_DAMAGE: dict[str, Callable[[bytes], bytes]] = {
    "4 KB of zeros": lambda d: _overwrite_middle(d, bytes(4096)),
    "512 random bytes": lambda d: _overwrite_middle(d, random.Random(1).randbytes(512)),
    "64 bytes of 0x55": lambda d: _overwrite_middle(d, b"\x55" * 64),
}


JPEG_KINDS: dict[str, Callable[[], bytes]] = {
    "baseline": lambda: jpeg_bytes(face_image()),
    "progressive": lambda: jpeg_bytes(face_image(), progressive=True),
    "MPO": lambda: _mpo(face_image()),  # the damage lands in its first, main picture
}


@pytest.mark.parametrize("damage", list(SILENT_JPEG_DAMAGE))
@pytest.mark.parametrize("kind", list(JPEG_KINDS))
def test_jpeg_damaged_in_the_middle_is_refused(
    store: Store, patient_id: int, damage: str, kind: str
):
    data = SILENT_JPEG_DAMAGE[damage](JPEG_KINDS[kind]())
    Image.open(io.BytesIO(data)).load()  # Pillow alone takes it: the damage is silent
    before = row_counts(store)
    with pytest.raises(ImageError, match="damaged"):
        decode_upright(data)
    with pytest.raises(ImageError, match="damaged"):
        decode.inspect_image(data)
    with pytest.raises(ImageError, match="damaged"):
        photos.add_photo_bytes(store, patient_id, "rest", data)
    assert row_counts(store) == before


def test_bomb_is_refused_from_the_header_without_decoding(monkeypatch: pytest.MonkeyPatch):
    """The 100-MP limit is checked before a single pixel is decoded."""
    data = _bomb_png(20_000, 20_000)

    def no_decode(self: Image.Image) -> None:
        raise AssertionError("pixels decoded before the size was checked")

    monkeypatch.setattr(Image.Image, "load", no_decode)
    with pytest.raises(ImageError, match="too large|megapixel"):
        read_info(data)
    with pytest.raises(ImageError, match="too large|megapixel"):
        decode_upright(data)


def test_unreadable_path_is_an_image_error(store: Store, patient_id: int, tmp_path: Path):
    before = row_counts(store)
    with pytest.raises(ImageError, match="could not be read"):
        photos.add_photo_file(store, patient_id, "rest", tmp_path / "missing.jpg")
    with pytest.raises(ImageError, match="could not be read"):
        photos.add_photo_file(store, patient_id, "rest", tmp_path)  # a folder
    assert row_counts(store) == before


# --- EXIF orientation -------------------------------------------------------------------------

# What the camera stored for each EXIF orientation, given the upright picture `a` (rows, cols),
# written from the EXIF definition of where row 0 and column 0 lie, independently of Pillow.
STORED_FROM_UPRIGHT: dict[int, Callable[[np.ndarray], np.ndarray]] = {
    1: lambda a: a,  # row 0 top, column 0 left
    2: lambda a: a[:, ::-1],  # row 0 top, column 0 right
    3: lambda a: a[::-1, ::-1],  # row 0 bottom, column 0 right
    4: lambda a: a[::-1, :],  # row 0 bottom, column 0 left
    5: lambda a: a.transpose(1, 0, 2),  # row 0 left, column 0 top
    6: lambda a: np.rot90(a, 1),  # row 0 right, column 0 top (camera turned clockwise)
    7: lambda a: np.rot90(a, 1)[:, ::-1],  # row 0 right, column 0 bottom
    8: lambda a: np.rot90(a, -1),  # row 0 left, column 0 bottom
}


def _upright_picture() -> Image.Image:
    """Portrait, so a missed quarter turn shows in the size; red top-left, blue top-right."""
    img = face_image(160, 224)
    img.paste((0, 0, 255), (136, 0, 160, 28))
    return img


def _assert_upright(img: Image.Image, upright: Image.Image) -> None:
    assert img.size == upright.size
    got = np.asarray(img.convert("RGB"), dtype=np.int16)
    assert np.abs(got[6, 6] - RED).max() < 40, "the red marker is not top-left"
    assert np.abs(got[6, -6] - np.array([0, 0, 255])).max() < 40, "blue is not top-right"
    diff = np.abs(got - np.asarray(upright, dtype=np.int16)).mean()
    assert diff < 6, f"pixels differ from the upright picture (mean {diff:.1f})"


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_imports_upright(store: Store, patient_id: int, orientation: int):
    upright = _upright_picture()
    stored = Image.fromarray(
        np.ascontiguousarray(STORED_FROM_UPRIGHT[orientation](np.asarray(upright)))
    )
    exif = Image.Exif()
    exif[decode.EXIF_ORIENTATION] = orientation
    data = jpeg_bytes(stored, quality=95, exif=exif.tobytes())
    assert Image.open(io.BytesIO(data)).size == stored.size  # the file really is stored turned

    info = read_info(data)
    assert info.orientation == orientation
    assert (info.width, info.height) == upright.size
    _assert_upright(decode_upright(data), upright)

    record = photos.add_photo_bytes(store, patient_id, "frown", data)
    assert (record.width, record.height) == upright.size
    assert photos.photo_size(store, record.sha256) == upright.size
    assert photos.get_photo(store, record.id).width == upright.width
    # The display image screens show is upright as stored: no orientation left to apply.
    display = Image.open(io.BytesIO(photos.display_jpeg(store, record.sha256)))
    assert int(display.getexif().get(decode.EXIF_ORIENTATION, 1)) == 1
    _assert_upright(display, upright)
    thumb = Image.open(io.BytesIO(photos.thumbnail_jpeg(store, record.sha256)))
    assert thumb.width < thumb.height  # portrait, like the upright picture
    # ...and the original keeps its tag and its turned pixels, byte for byte.
    assert photos.original_bytes(store, record.sha256) == data


def test_user_rotation_is_applied_after_exif_orientation():
    upright = _upright_picture()
    exif = Image.Exif()
    exif[decode.EXIF_ORIENTATION] = 6
    data = jpeg_bytes(
        Image.fromarray(np.ascontiguousarray(np.rot90(np.asarray(upright), 1))),
        quality=95,
        exif=exif.tobytes(),
    )
    turned = decode_upright(data, rotation_quarter_turns=1)  # a quarter turn clockwise more
    expected = upright.transpose(Image.Transpose.ROTATE_270)  # Pillow's 270 is clockwise
    assert turned.size == expected.size
    assert np.abs(np.asarray(turned, np.int16) - np.asarray(expected, np.int16)).mean() < 6


# --- formats ---------------------------------------------------------------------------------


def _grey16(values: np.ndarray) -> bytes:
    img = Image.fromarray(values.astype(np.uint16))
    assert img.mode == "I;16"
    data = _png(img)
    assert Image.open(io.BytesIO(data)).mode.startswith("I;16")  # really a 16-bit PNG
    return data


def test_16_bit_greyscale_keeps_its_tonal_range(store: Store, patient_id: int):
    ramp = np.tile(np.linspace(0, 65535, 256), (32, 1))
    data = _grey16(ramp)
    img = np.asarray(decode_upright(data))
    assert img.shape == (32, 256, 3)
    row = img[0, :, 0].astype(int)
    assert row[0] <= 1 and row[-1] >= 254 and abs(row[128] - 128) <= 2
    assert np.all(np.diff(row) >= 0)  # a ramp stays a ramp: not clipped to white

    record = photos.add_photo_bytes(store, patient_id, "rest", data)
    display = np.asarray(Image.open(io.BytesIO(photos.display_jpeg(store, record.sha256))))
    assert display[:, :8].mean() < 20 and display[:, -8:].mean() > 235
    assert photos.original_bytes(store, record.sha256) == data


def test_dark_16_bit_greyscale_stays_dark():
    """Values below 256 of 65535 are near black; they must not be read as 8-bit values."""
    data = _grey16(np.tile(np.linspace(0, 200, 64), (16, 1)))
    assert np.asarray(decode_upright(data)).max() <= 1


def _cmyk_jpeg() -> bytes:
    return jpeg_bytes(face_image(160, 200).convert("CMYK"), quality=95)


def _palette_png() -> bytes:
    img = face_image(160, 200).convert("P", palette=Image.Palette.ADAPTIVE, colors=64)
    return _png(img)


def _palette_png_transparent() -> bytes:
    """A palette PNG whose background colour (index of pixel 80,4) is transparent."""
    img = face_image(160, 200).convert("P", palette=Image.Palette.ADAPTIVE, colors=64)
    return _png(img, transparency=img.getpixel((80, 4)))


def _rgba_png() -> bytes:
    rgba = face_image(160, 200).convert("RGBA")
    arr = np.asarray(rgba).copy()
    arr[:, 80:, :3] = 0  # hidden colour under the transparent right half...
    arr[:, 80:, 3] = 0  # ...which must come out white, not black
    return _png(Image.fromarray(arr, "RGBA"))


def _heic() -> bytes:
    data = heic_bytes()
    assert data[4:12] == b"ftypheic"  # a real HEIC container, not a fallback format
    return data


def _jpeg_padded_before_end() -> bytes:
    """Some cameras pad a byte before the end marker; libjpeg warns, every pixel is there."""
    data = jpeg_bytes(face_image(160, 200))
    assert data.endswith(b"\xff\xd9")
    padded = data[:-2] + b"\x00" * 8 + b"\xff\xd9"
    with pytest.raises(ValueError, match="extraneous bytes before marker 0xd9"):
        simplejpeg.decode_jpeg(padded, strict=True)  # libjpeg does warn about it
    return padded


def _jpeg_with_restart_markers() -> bytes:
    rgb = np.asarray(face_image(160, 200))[:, :, ::-1]
    ok, buf = cv2.imencode(".jpg", rgb, [cv2.IMWRITE_JPEG_RST_INTERVAL, 2])
    assert ok and b"\xff\xdd" in buf.tobytes()  # a DRI segment: restart markers in the scan
    return buf.tobytes()


FORMATS: dict[str, tuple[Callable[[], bytes], str]] = {
    "progressive JPEG": (lambda: jpeg_bytes(face_image(160, 200), progressive=True), "JPEG"),
    "JPEG with restart markers": (_jpeg_with_restart_markers, "JPEG"),
    "JPEG padded before its end": (_jpeg_padded_before_end, "JPEG"),
    "MPO (JPEG with a depth map)": (lambda: _mpo(face_image(160, 200)), "MPO"),
    "CMYK JPEG": (_cmyk_jpeg, "JPEG"),
    "palette PNG": (_palette_png, "PNG"),
    "palette PNG with transparency": (_palette_png_transparent, "PNG"),
    "RGBA PNG": (_rgba_png, "PNG"),
    "HEIC": (_heic, "HEIF"),
    "greyscale JPEG": (lambda: jpeg_bytes(face_image(160, 200).convert("L")), "JPEG"),
}


@pytest.mark.parametrize("name", list(FORMATS))
def test_formats_import_as_the_same_picture(store: Store, patient_id: int, name: str):
    make, fmt = FORMATS[name]
    data = make()
    reference = np.asarray(face_image(160, 200), dtype=np.int16)

    img = decode_upright(data)
    assert img.mode == "RGB" and img.size == (160, 200)
    got = np.asarray(img, dtype=np.int16)
    if name == "greyscale JPEG":
        reference = np.asarray(face_image(160, 200).convert("L").convert("RGB"), dtype=np.int16)
    else:
        assert np.abs(got[6, 6] - RED).max() < 40, "the red marker lost its colour"
    if name == "RGBA PNG":
        assert got[:, 90:].min() >= 250, "transparent pixels must be white"
        got, reference = got[:, :76], reference[:, :76]
    if name == "palette PNG with transparency":
        assert np.abs(got[4, 80] - 255).max() <= 2, "the transparent background must be white"
        assert np.abs(got[100, 80] - reference[100, 80]).max() < 30  # the face is opaque
    else:
        assert np.abs(got - reference).mean() < 12

    record = photos.add_photo_bytes(store, patient_id, "rest", data, filename=f"{name}.img")
    assert (record.width, record.height) == (160, 200)
    with store.read() as s:
        blob = s.get(PhotoBlob, record.sha256)
        assert blob is not None and blob.format == fmt
    assert photos.original_bytes(store, record.sha256) == data
    display = Image.open(io.BytesIO(photos.display_jpeg(store, record.sha256)))
    assert display.size == (160, 200)


# --- originals -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["JPEG", "PNG", "HEIC", "CMYK JPEG"])
def test_original_kept_byte_for_byte(store: Store, patient_id: int, tmp_path: Path, name: str):
    data = {
        "JPEG": lambda: jpeg_bytes(face_image(120, 150, seed=3)),
        "PNG": lambda: png_bytes(face_image(120, 150, seed=5)),
        "HEIC": _heic,
        "CMYK JPEG": _cmyk_jpeg,
    }[name]()
    path = tmp_path / f"IMG_0001.{name.split()[-1].lower()}"
    path.write_bytes(data)
    record = photos.add_photo_file(store, patient_id, "rest", path)
    assert record.sha256 == hashlib.sha256(data).hexdigest()
    kept = photos.original_bytes(store, record.sha256)
    assert kept == data and hashlib.sha256(kept).hexdigest() == record.sha256


def test_same_file_twice_is_stored_once(store: Store, patient_id: int):
    data = jpeg_bytes(face_image(120, 150, seed=9))
    before = row_counts(store)
    first = photos.add_photo_bytes(store, patient_id, "rest", data)
    second = photos.add_photo_bytes(store, patient_id, "frown", data)
    after = row_counts(store)
    assert first.id != second.id and first.sha256 == second.sha256
    assert after["photo"] == before["photo"] + 2
    assert after["photo_blob"] == before["photo_blob"] + 1
    assert (second.width, second.height) == (first.width, first.height)


# --- capture time ----------------------------------------------------------------------------


@pytest.fixture
def paris_time(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """This machine's local time is Paris (UTC+1, +2 in summer) for the test."""
    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset is POSIX only")
    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _with_exif_time(when: str, seed: int) -> bytes:
    exif = Image.Exif()
    exif[decode.EXIF_DATETIME] = when
    return jpeg_bytes(face_image(40, 50, seed=seed), exif=exif.tobytes())


def test_exif_time_is_local_time_converted_to_utc(store: Store, patient_id: int, paris_time):
    record = photos.add_photo_bytes(
        store, patient_id, "rest", _with_exif_time("2024:05:06 07:08:09", 1)
    )
    assert record.captured_at == datetime(2024, 5, 6, 5, 8, 9, tzinfo=UTC)  # CEST is UTC+2


@pytest.mark.parametrize("when", ["0001:01:01 00:00:00", "9999:12:31 23:59:59"])
def test_unset_camera_clock_is_no_capture_time(
    store: Store, patient_id: int, paris_time, when: str
):
    """Times at the calendar's edge leave it when moved to UTC: the import time stands in."""
    before = datetime.now(UTC)
    record = photos.add_photo_bytes(store, patient_id, "rest", _with_exif_time(when, 2))
    assert before - timedelta(seconds=1) <= record.captured_at <= datetime.now(UTC)


def test_huge_file_is_refused_before_it_is_read(store: Store, patient_id: int, tmp_path: Path):
    """A video picked by mistake: refused from its size, never read into memory. (300 MB, so a
    regression that reads it costs a moment, not the machine's memory.)"""
    path = tmp_path / "clinic-tour.mov"
    with path.open("wb") as f:
        f.truncate(300 * 1024**2)  # sparse: costs no disk space
    before = row_counts(store)
    tracemalloc.start()
    try:
        with pytest.raises(ImageError, match="300 MB, over the 200 MB limit"):
            photos.add_photo_file(store, patient_id, "rest", path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 * 1024**2
    assert row_counts(store) == before
