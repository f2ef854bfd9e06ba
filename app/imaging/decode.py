"""The one door from stored bytes to an upright image (CONTRACTS.md, "Coordinates and images").

Pillow ignores EXIF orientation unless asked, OpenCV applies it, Qt only with setAutoTransform:
every consumer (canvas, thumbnails, alignment, export, CLI) decodes through `decode_upright` so
that all of them agree on which way is up and on the pixel grid coordinates refer to.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from datetime import datetime

from PIL import Image, ImageOps, UnidentifiedImageError

try:  # HEIC from phones and tablets: pi-heif decodes only (BSD-3; its wheels bundle the LGPL
    # libheif and libde265), where pillow-heif's wheels also bundle the GPL x265 encoder
    import pi_heif

    pi_heif.register_heif_opener()
    HEIF_AVAILABLE = True
except ImportError:  # pragma: no cover - pi-heif is a dependency; kept optional for safety
    HEIF_AVAILABLE = False

try:  # libjpeg-turbo with its warnings: finds JPEGs damaged in the middle (_refuse_if_damaged)
    import simplejpeg
except ImportError:  # pragma: no cover - a dependency; without it damage goes unnoticed
    simplejpeg = None

MAX_PIXELS = 100_000_000  # above this an image is refused (decompression bomb or absurd size)

# Pillow's own guard fires at 2x its limit; we check the header ourselves, before decoding.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

# Phones and cameras that add a depth map or a preview write MPO: a JPEG with more JPEGs after
# it, which Pillow names "MPO". It is a JPEG to every check and shortcut here.
JPEG_FORMATS = ("JPEG", "MPO")

EXIF_ORIENTATION = 0x0112
EXIF_DATETIME_ORIGINAL = 0x9003
EXIF_DATETIME = 0x0132


class ImageError(ValueError):
    """A file that cannot become a photo; the message is meant for the clinician."""


# What a decoder says ("Truncated File Read", "image file is truncated (8 bytes not processed)",
# "Corrupt JPEG data: premature end of data segment") means nothing to a clinician: it is mapped
# to a sentence here, and kept on the exception's __cause__ (and so in the error log).
ENDS_EARLY = "The photo file is damaged or incomplete (it ends early)."
DAMAGED = "The photo file is damaged: part of the picture cannot be read."
UNSAFE = "The photo file is damaged or unsafe to open (it holds parts no camera writes)."
HEIC_UNREADABLE = (
    "This HEIC photo cannot be read (it may be damaged, or use a HEIC variant FaceChart does "
    "not support): export it as JPEG from the phone or the Photos app and import that."
)
HEIC_NOT_SUPPORTED = (
    "HEIC photos are not supported on this computer: export it as JPEG from the phone or the "
    "Photos app and import that."
)
_ENDS_EARLY_WORDS = ("truncated", "premature end", "not processed", "broken data stream", "eof")
# ISO-BMFF brands of HEIC/HEIF stills (an "ftyp" box at byte 4 names one of them)
_HEIF_BRANDS = (
    *(b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1"),
)


def looks_like_heif(data: bytes) -> bool:
    """The file is a HEIC/HEIF container, whatever its name (damage usually spares the header)."""
    return data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS


def plain_damage(exc: BaseException, data: bytes = b"") -> ImageError:
    """The clinician's sentence for a decoder's complaint `exc` about `data` (raise it from
    `exc`, so the decoder's words stay in the error log)."""
    if looks_like_heif(data):
        text = HEIC_UNREADABLE if HEIF_AVAILABLE else HEIC_NOT_SUPPORTED
    elif any(w in str(exc).lower() for w in _ENDS_EARLY_WORDS):
        text = ENDS_EARLY
    else:
        text = DAMAGED
    return ImageError(text)


@dataclass(frozen=True, slots=True)
class ImageInfo:
    format: str  # Pillow's format name: JPEG, PNG, HEIF, TIFF, ...
    mime: str
    width: int  # after EXIF orientation
    height: int
    orientation: int  # EXIF orientation tag, 1 when absent
    taken_at_local: datetime | None  # EXIF capture time, naive (camera local time)


def _open(data: bytes) -> Image.Image:
    if not data:
        raise ImageError("The file is empty (0 bytes).")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageError(
            f"The image is too large to open safely (over {MAX_PIXELS // 1_000_000} megapixels)."
        ) from exc
    except UnidentifiedImageError as exc:
        if looks_like_heif(data):
            raise plain_damage(exc, data) from exc
        raise ImageError(
            "The file is not an image FaceChart can read (JPEG, PNG, HEIC, TIFF)."
        ) from exc
    except OSError as exc:
        raise plain_damage(exc, data) from exc
    except ValueError as exc:
        # Pillow refuses some malformed or hostile parts while reading the header with a plain
        # ValueError, e.g. a PNG text chunk that inflates past MAX_TEXT_CHUNK (a zip bomb in
        # the metadata); it must reach the clinician as an ImageError like any damaged file.
        raise ImageError(UNSAFE) from exc
    if img.width * img.height > MAX_PIXELS:
        raise ImageError(
            f"The image is {img.width}×{img.height} pixels, over the "
            f"{MAX_PIXELS // 1_000_000}-megapixel limit."
        )
    return img


def _orientation(img: Image.Image) -> int:
    try:
        value = int(img.getexif().get(EXIF_ORIENTATION, 1))
    except Exception:  # a broken EXIF block is not a broken photo
        return 1
    return value if 1 <= value <= 8 else 1


def _taken_at(img: Image.Image) -> datetime | None:
    try:
        exif = img.getexif()
        raw = exif.get_ifd(0x8769).get(EXIF_DATETIME_ORIGINAL) or exif.get(EXIF_DATETIME)
        return datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S") if raw else None
    except Exception:
        return None


# libjpeg's warnings that do not mean damaged pixels: bytes padded before the end marker by
# some cameras and editors (every pixel was decoded by then), a broken colour profile.
_HARMLESS_JPEG_WARNINGS = ("extraneous bytes before marker 0xd9", "bad icc marker")

# libjpeg-turbo's colour spaces → what to ask it for (YCCK converts to CMYK, as in Pillow)
_JPEG_OUT = {"Gray": "GRAY", "CMYK": "CMYK", "YCCK": "CMYK"}


def _refuse_if_damaged(exc: ValueError) -> None:
    """Raise ImageError when libjpeg-turbo's strict complaint means damaged compressed data.

    JPEG has no checksum, and libjpeg meets damage in the middle of a file with a warning
    ("Corrupt JPEG data: premature end of data segment") and decodes on, giving grey or garbled
    pixels below the damage; Pillow silences those warnings. Only the corrupt-data warnings
    refuse a file: anything else libjpeg reports (an unusual but valid layout) is left to
    Pillow, the decoder of record."""
    text = str(exc)
    lowered = text.lower()
    if any(w in lowered for w in _HARMLESS_JPEG_WARNINGS):
        return
    if "premature end" in lowered:
        raise ImageError(ENDS_EARLY) from exc
    if lowered.startswith("corrupt jpeg data"):
        raise ImageError(DAMAGED) from exc


def _draft_factor(size: tuple[int, int], max_side: int) -> int:
    """The power-of-two reduction Pillow's draft chose for this request (1, 2, 4 or 8)."""
    k = int(max(size) / max_side)
    if k < 2:
        return 1
    w, h = size
    fits = min(w // max(1, w // k), h // max(1, h // k))
    return next(f for f in (8, 4, 2, 1) if fits >= f)


def decode_jpeg_strict(
    data: bytes, size: tuple[int, int], max_side: int | None
) -> Image.Image | None:
    """The one decode of a JPEG's pixels (CONTRACTS.md): libjpeg-turbo in strict mode, so the
    decode is also the damage check, at a reduced scale when `max_side` allows (it reads every
    byte of compressed data at any scale). As stored: EXIF orientation not applied.

    Colour JPEGs asked for at 1 < size / max_side < 2 take the smallest of libjpeg's M/8
    scales that keeps the longer side ≥ max_side (Pillow's draft only halves); otherwise the
    scale is the power of two Pillow's draft gave, so sizes are those of before. Raises
    ImageError for damaged data; None when libjpeg-turbo reports anything else (Pillow then
    decodes it)."""
    if simplejpeg is None:  # pragma: no cover
        return None
    try:
        colorspace = simplejpeg.decode_jpeg_header(data)[2]
    except ValueError as exc:
        _refuse_if_damaged(exc)
        return None
    w, h = size
    factor = _draft_factor(size, max_side) if max_side else 1
    if max_side and colorspace == "YCbCr" and max_side < max(size) < 2 * max_side:
        wide = w >= h
        scale = {"min_width": max_side if wide else 0, "min_height": 0 if wide else max_side}
    elif factor > 1:  # libjpeg picks the largest reduction that keeps these: exactly 1/factor
        scale = {"min_width": -(-w // factor), "min_height": -(-h // factor)}
    else:
        scale = {}
    out = _JPEG_OUT.get(colorspace, "RGB")
    try:
        pixels = simplejpeg.decode_jpeg(data, out, strict=True, **scale)
    except ValueError as exc:
        _refuse_if_damaged(exc)
        return None
    if out == "CMYK":  # Adobe's inverted CMYK, which Pillow assumes for every CMYK JPEG
        ph, pw = pixels.shape[:2]
        return Image.frombuffer("CMYK", (pw, ph), pixels, "raw", "CMYK;I", 0, 1)
    return Image.fromarray(pixels[..., 0] if out == "GRAY" else pixels)


def inspect_image(data: bytes) -> ImageInfo:
    """Read the header and prove the whole image decodes; raise ImageError with a clear message.

    Decoding fully is the only way to find a truncated file: Pillow reads headers lazily. A JPEG
    is decoded once, strictly, at 1/8 scale (every byte of compressed data is still read)."""
    img = _open(data)
    orientation = _orientation(img)
    fmt = img.format or "UNKNOWN"
    mime = Image.MIME.get(fmt, "application/octet-stream")
    taken = _taken_at(img)
    if fmt not in JPEG_FORMATS or decode_jpeg_strict(data, img.size, 1) is None:
        _load(img, data)
    w, h = img.size
    if orientation in (5, 6, 7, 8):
        w, h = h, w
    return ImageInfo(fmt, mime, w, h, orientation, taken)


def to_rgb8(img: Image.Image) -> Image.Image:
    """Any mode (16-bit, CMYK, palette, alpha, greyscale) as 8-bit RGB."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        # 16-bit greyscale: scale to 8 bits rather than clip everything above 255 to white.
        # The mode, not the pixels, says the range: a dark 16-bit photo (every value < 256)
        # is near black, and guessing "8-bit range" from its content would show it bright.
        # Only 32-bit "I" carries no depth of its own; there the content has to decide.
        import numpy as np

        arr = np.asarray(img, dtype=np.int64).clip(0, 65535)
        peak = 255 if img.mode == "I" and arr.max(initial=0) <= 255 else 65535
        img = Image.fromarray(((arr * 255 + peak // 2) // peak).astype("uint8"), "L")
    elif img.mode == "RGBA" or img.mode == "LA" or (img.mode == "P" and "transparency" in img.info):
        img = img.convert("RGBA")
        background = Image.new("RGB", img.size, (255, 255, 255))
        background.paste(img, mask=img.getchannel("A"))
        return background
    if img.mode != "RGB":
        img = img.convert("RGB")
    return img


def _info(img: Image.Image) -> ImageInfo:
    orientation = _orientation(img)
    w, h = img.size
    if orientation in (5, 6, 7, 8):
        w, h = h, w
    fmt = img.format or "UNKNOWN"
    return ImageInfo(
        fmt, Image.MIME.get(fmt, "application/octet-stream"), w, h, orientation, _taken_at(img)
    )


def read_info(data: bytes) -> ImageInfo:
    """The header only (format, upright size, orientation, capture time); no pixel decode
    (except a PNG's: Pillow decodes it to look for EXIF after the pixels)."""
    return _info(_open(data))


def decode_upright(
    data: bytes, rotation_quarter_turns: int = 0, max_side: int | None = None
) -> Image.Image:
    """Stored bytes → upright 8-bit RGB image, EXIF orientation applied, then the user's
    non-destructive rotation (quarter turns clockwise) kept on the photo record.

    `max_side` asks only for an image about that big (a JPEG decodes at 1/8 … 7/8 scale, much
    faster); the result may be larger than `max_side` but never smaller. A JPEG is decoded once,
    strictly, so a damaged or truncated file is still refused (`decode_jpeg_strict`)."""
    return _turn(decode_with_info(data, max_side)[1], rotation_quarter_turns)


def decode_with_info(data: bytes, max_side: int | None = None) -> tuple[ImageInfo, Image.Image]:
    """`read_info` and `decode_upright` (no user rotation) from one opening of the file: the
    import and the alignment input need both, and a second opening of a PNG decodes it again."""
    img = _open(data)
    if img.format in JPEG_FORMATS:
        info = _info(img)
        pixels = decode_jpeg_strict(data, img.size, max_side)
        if pixels is not None:
            return info, to_rgb8(_orient(pixels, info.orientation))
        if max_side:  # libjpeg-turbo had something to say short of damage: Pillow decodes
            factor = _draft_factor(img.size, max_side)
            if factor > 1:
                img.draft("RGB", (img.width // factor, img.height // factor))
        _load(img, data)
    else:
        # Pixels first: a PNG's EXIF lookup decodes it too, and would swallow its damage.
        _load(img, data)
        info = _info(img)
    try:
        img = ImageOps.exif_transpose(img) or img
    except Exception as exc:
        raise plain_damage(exc, data) from exc
    return info, to_rgb8(img)


def _load(img: Image.Image, data: bytes) -> None:
    try:
        img.load()
    except Exception as exc:
        raise plain_damage(exc, data) from exc


_ORIENT = {  # EXIF orientation → the transpose that makes the picture upright (ImageOps')
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _orient(img: Image.Image, orientation: int) -> Image.Image:
    method = _ORIENT.get(orientation)
    return img.transpose(method) if method is not None else img


def _turn(img: Image.Image, rotation_quarter_turns: int) -> Image.Image:
    """The user's non-destructive rotation, quarter turns clockwise."""
    turns = rotation_quarter_turns % 4
    if not turns:
        return img
    return img.transpose(
        {
            1: Image.Transpose.ROTATE_270,
            2: Image.Transpose.ROTATE_180,
            3: Image.Transpose.ROTATE_90,
        }[turns]
    )


def reduced(img: Image.Image, longest_side: int) -> Image.Image:
    """A copy no larger than `longest_side` on its longer edge (never enlarged)."""
    copy = img.copy()
    copy.thumbnail((longest_side, longest_side), Image.Resampling.LANCZOS)
    return copy


def encode_jpeg(img: Image.Image, quality: int = 88) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=quality, optimize=False)
    return buf.getvalue()
