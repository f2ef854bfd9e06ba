"""Test pictures made on the fly: no patient photo is ever committed to the repository."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw


def face_image(width: int = 640, height: int = 800, seed: int = 0) -> Image.Image:
    """A simple, asymmetric drawn face: its top-left is marked red, so orientation shows."""
    img = Image.new("RGB", (width, height), (90 + seed % 40, 120, 150))
    d = ImageDraw.Draw(img)
    cx, cy = width / 2, height / 2
    d.ellipse(
        [cx - width * 0.32, cy - height * 0.36, cx + width * 0.32, cy + height * 0.38],
        fill=(224, 180, 150),
    )
    for sx in (-1, 1):
        ex = cx + sx * width * 0.12
        d.ellipse([ex - 22, cy - 70, ex + 22, cy - 48], fill=(255, 255, 255))
        d.ellipse([ex - 8, cy - 67, ex + 8, cy - 51], fill=(60, 40, 30))
        d.line([ex - 30, cy - 95, ex + 30, cy - 100], fill=(80, 50, 30), width=7)
    d.polygon([(cx, cy - 40), (cx - 18, cy + 30), (cx + 18, cy + 30)], fill=(205, 160, 130))
    d.arc([cx - 60, cy + 40, cx + 60, cy + 110], 20, 160, fill=(160, 60, 60), width=6)
    d.rectangle([0, 0, width // 8, height // 8], fill=(255, 0, 0))  # marks the upright top-left
    return img


def jpeg_bytes(img: Image.Image | None = None, quality: int = 90, **save_kw: object) -> bytes:
    buf = io.BytesIO()
    (img or face_image()).save(buf, format="JPEG", quality=quality, **save_kw)
    return buf.getvalue()


def png_bytes(img: Image.Image | None = None) -> bytes:
    buf = io.BytesIO()
    (img or face_image()).save(buf, format="PNG")
    return buf.getvalue()


HEIC_FIXTURE = Path(__file__).resolve().parent / "data" / "face-160x200.heic"


def heic_bytes() -> bytes:
    """A real HEIC photo (face_image(160, 200) at quality 95), kept as a file: the app decodes
    HEIC with pi-heif, which cannot encode, and pillow-heif (which can) bundles the GPL x265
    encoder, so it is not a dependency. Made once with pillow-heif 1.8.1."""
    return HEIC_FIXTURE.read_bytes()
