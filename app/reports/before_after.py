"""A before/after image (issue #12): one view of two visits side by side, the earlier photo
redrawn in the later one's frame by the face-mesh alignment (as the compare screen does), each
half captioned with its visit's date, above them the patient, date of birth and view, and
optionally each visit's markings (strokes and points) drawn as the editor shows them.

Drawn with Pillow and OpenCV, like the rest of app/reports without a display (the PDF uses
reportlab): the `before-after` command needs no QApplication. When the photos could not be
aligned, the earlier one is shown as taken and the image says "NOT ALIGNED" in red: never an
overlay that only looks right.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from app.alignment.manual import adjust
from app.alignment.mapping import Mapping, face_region
from app.alignment.warp import old_in_new_frame
from app.domain import strokes as geo
from app.domain.chart import InjectionPoint, Stroke
from app.domain.values import format_units

MAX_HALF_HEIGHT = 2000  # px: each photo at most this tall (a print of ~17 cm at 300 dpi)
MIN_HALF_HEIGHT = 400
TILE = 256  # px: the mesh warp's point lookup holds (points × triangles): bounded per tile
BACKGROUND = (255, 255, 255)
INK = (16, 22, 28)
MUTED = (85, 96, 107)
ALERT = (200, 30, 30)
PENCILS = {"white": "#FFFFFF", "black": "#111111", "red": "#E5322D", "blue": "#1E6FE8"}
# Outside the face the mesh only extrapolates (hair, ears, background smear): drawn faded
# towards the background there, as the compare screen fades it, so the guess shows.
OUTSIDE_FACE_FADE = 0.55
FACE_MARGIN = 0.08  # of the face's size, counted as face beyond the mesh's hull
FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}


class BeforeAfterError(ValueError):
    """The image cannot be made (visits of two patients, no photo of the view): bad input."""


@dataclass(frozen=True, slots=True)
class Side:
    """One visit's photo of the view and its chart of that view, in the photo's pixels."""

    visit_date: date
    image: np.ndarray  # RGB, upright display image (any size; scaled to `frame`)
    frame: tuple[int, int]  # the original's upright size: the chart's coordinates
    # the chart's markings in the pixels of the frame this half is drawn in: the earlier
    # visit's are mapped into the later photo's frame when the two were aligned
    strokes: tuple[Stroke, ...] = ()
    points: tuple[InjectionPoint, ...] = ()
    unit_labels: dict[str, str] = field(default_factory=dict)  # product code → "U"


@dataclass(frozen=True, slots=True)
class BeforeAfter:
    patient_name: str
    date_of_birth: date
    view_name: str
    before: Side  # the earlier visit
    after: Side
    mapping: Mapping | None  # before's original pixels → after's; None: not aligned
    alignment_note: str = ""  # "could not align: …" or "automatic alignment: check it"
    product_colours: dict[str, str] = field(default_factory=dict)

    @property
    def aligned(self) -> bool:
        return self.mapping is not None


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """DejaVu Sans (resources/fonts): accented and non-Latin names draw as written."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    data = resources.files("resources").joinpath("fonts").joinpath(name).read_bytes()
    return ImageFont.truetype(io.BytesIO(data), size)


def _fit_height(frame: tuple[int, int], height: int) -> tuple[int, int]:
    w, h = frame
    return max(1, round(w * height / h)), height


def _resized(rgb: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    if (rgb.shape[1], rgb.shape[0]) == size:
        return rgb
    shrink = size[0] < rgb.shape[1]
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)


def warped_before(ba: BeforeAfter, size: tuple[int, int]) -> np.ndarray:
    """The earlier photo redrawn in the later one's frame at `size` (w, h)."""
    assert ba.mapping is not None
    return warp_into(ba.before.image, ba.before.frame, ba.mapping, ba.after.frame, size)


def warp_into(
    image: np.ndarray,
    frame: tuple[int, int],
    mapping: Mapping,
    new_frame: tuple[int, int],
    size: tuple[int, int],
) -> np.ndarray:
    """`image` (RGB, the earlier photo, whose original is `frame`) redrawn in the later
    photo's frame (`new_frame`, its original's upright size) at `size` (w, h), tile by tile
    (a whole 2000-px frame's mesh lookup would need gigabytes); background where it has no
    pixels and faded outside the face, where the mapping only extrapolates. The before/after
    image and the glance's photo row (issue #14) both draw through here."""
    w, h = size
    fx, fy = new_frame[0] / w, new_frame[1] / h
    old = np.dstack([image, np.full(image.shape[:2], 255, np.uint8)])
    out = np.zeros((h, w, 4), np.uint8)
    for oy in range(0, h, TILE):
        for ox in range(0, w, TILE):
            tw, th = min(TILE, w - ox), min(TILE, h - oy)
            part = old_in_new_frame(
                old,
                adjust(mapping, -ox * fx, -oy * fy),  # the tile's corner as the origin
                (tw, th),
                old_original=frame,
                new_original=(tw * fx, th * fy),
            )
            if part is None:
                raise BeforeAfterError("The alignment cannot be reversed.")
            out[oy : oy + th, ox : ox + tw] = part
    alpha = out[..., 3:4].astype(np.float32) / 255
    hull = face_region(mapping)
    if hull is not None:
        face = np.zeros((h, w), np.uint8)
        polygon = hull / np.array([fx, fy])
        cv2.fillConvexPoly(face, np.round(polygon).astype(np.int32), 255)
        margin = round(FACE_MARGIN * float(max(np.ptp(polygon[:, 0]), np.ptp(polygon[:, 1]))))
        if margin >= 1:
            disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * margin + 1, 2 * margin + 1))
            face = np.asarray(cv2.dilate(face, disc))
        alpha[face == 0] *= 1 - OUTSIDE_FACE_FADE
    bg = np.array(BACKGROUND, np.float32)
    rgb = out[..., :3].astype(np.float32) * alpha + bg * (1 - alpha)
    return np.asarray(rgb.round().astype(np.uint8))


def _dashes(
    curve: Sequence[tuple[float, float]], on: float, off: float
) -> list[list[tuple[float, float]]]:
    """The polyline cut into dashes `on` long with gaps `off` long."""
    out: list[list[tuple[float, float]]] = []
    drawing, left = True, on
    current: list[tuple[float, float]] = [curve[0]]
    for (x0, y0), (x1, y1) in zip(curve, curve[1:], strict=False):
        seg = float(np.hypot(x1 - x0, y1 - y0))
        t = 0.0
        while seg - t > left:
            t += left
            p = (x0 + (x1 - x0) * t / seg, y0 + (y1 - y0) * t / seg)
            if drawing:
                current.append(p)
                out.append(current)
            current = [p]
            drawing, left = not drawing, off if drawing else on
        left -= seg - t
        if drawing:
            current.append((x1, y1))
    if drawing and len(current) > 1:
        out.append(current)
    return out


def _colour(name: str) -> str:
    return PENCILS.get(name, name)


def draw_markings(
    img: Image.Image,
    strokes: Sequence[Stroke],
    points: Sequence[InjectionPoint],
    scale: float,
    offset: tuple[int, int],
    colours: dict[str, str],
    unit_labels: dict[str, str],
) -> None:
    """Strokes and points (in photo pixels) drawn onto `img` at `scale`, shifted by `offset`:
    the editor's pencil outline, its ring in the product's colour and the units beside it."""
    d = ImageDraw.Draw(img)
    ox, oy = offset

    def xy(x: float, y: float) -> tuple[float, float]:
        return ox + x * scale, oy + y * scale

    for stroke in strokes:
        curve = geo.smooth(stroke.samples)
        if not curve:
            continue
        colour = _colour(stroke.color)
        if stroke.style == "dashed":
            width = max(2, round(stroke.width * 0.6 * scale))
            line = [xy(x, y) for x, y, _ in curve]
            for dash in _dashes(line, 6 * width, 4 * width) if len(line) > 1 else []:
                d.line(dash, fill=colour, width=width, joint="curve")
            continue
        left, right = geo.outline(curve, stroke.width)
        ring = [xy(x, y) for x, y in left + right[::-1]]
        if len(ring) >= 3:
            d.polygon(ring, fill=colour)
        for x, y, pressure in (curve[0], curve[-1]):  # round ends, like a pencil tip
            r = max(geo.width_at(stroke.width, pressure) / 2 * scale, 0.75)
            cx, cy = xy(x, y)
            d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=colour)
    radius = max(6.0, img.height / 110)
    font = _font(max(11, round(radius * 1.5)), bold=True)
    for p in points:
        cx, cy = xy(p.x, p.y)
        fill = colours.get(p.product, "#F2C14E")
        edge = max(2, round(radius / 4))
        d.ellipse([cx - radius, cy - radius, cx + radius, cy + radius], fill=fill, outline=INK,
                  width=edge)  # fmt: skip
        dot = radius / 3
        d.ellipse([cx - dot, cy - dot, cx + dot, cy + dot], fill=INK)
        text = f"{format_units(p.units)} {unit_labels.get(p.product, 'U')}"
        box = d.textbbox((0, 0), text, font=font)
        tw, th = box[2] - box[0], box[3] - box[1]
        lx, ly = cx + radius * 1.6, cy - th / 2 - box[1]
        pad = radius / 3
        d.rounded_rectangle(
            [lx - pad, cy - th / 2 - pad, lx + tw + pad, cy + th / 2 + pad],
            radius=pad * 2,
            fill=(255, 255, 255),
            outline=INK,
        )
        d.text((lx - box[0], ly), text, font=font, fill=INK)


def _centred(d: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, cx: float,
             top: float, fill: tuple[int, int, int]) -> None:  # fmt: skip
    box = d.textbbox((0, 0), text, font=font)
    d.text((cx - (box[2] - box[0]) / 2 - box[0], top - box[1]), text, font=font, fill=fill)


def half_height(ba: BeforeAfter) -> int:
    """The photos' height in the image: the later display image's, within the limits."""
    return max(MIN_HALF_HEIGHT, min(MAX_HALF_HEIGHT, int(ba.after.image.shape[0])))


def layout(ba: BeforeAfter) -> dict[str, tuple[int, int, int, int]]:
    """Where each part sits (left, top, right, bottom): the title band, the two photos and
    their caption bands below them. Tests read the captions' pixels by these boxes."""
    h = half_height(ba)
    aw, _ = _fit_height(ba.after.frame, h)
    bw = aw if ba.aligned else _fit_height(ba.before.frame, h)[0]
    gap, title, caption = max(8, h // 100), max(60, h // 14), max(52, h // 16)
    top = title
    return {
        "title": (0, 0, bw + gap + aw, title),
        "before": (0, top, bw, top + h),
        "after": (bw + gap, top, bw + gap + aw, top + h),
        "before_caption": (0, top + h, bw, top + h + caption),
        "after_caption": (bw + gap, top + h, bw + gap + aw, top + h + caption),
        "canvas": (0, 0, bw + gap + aw, top + h + caption),
    }


def day(d: date) -> str:
    return f"{d.day} {d:%b %Y}"


def render(ba: BeforeAfter, *, markings: bool = False) -> Image.Image:
    """The whole image, RGB."""
    boxes = layout(ba)
    h = half_height(ba)
    img = Image.new("RGB", boxes["canvas"][2:], BACKGROUND)
    bx0, by0, bx1, _ = boxes["before"]
    ax0, ay0, ax1, _ = boxes["after"]
    after_scale = h / ba.after.frame[1]
    img.paste(Image.fromarray(_resized(ba.after.image, (ax1 - ax0, h))), (ax0, ay0))
    if ba.mapping is not None:
        before = warped_before(ba, (bx1 - bx0, h))
        before_scale = after_scale
    else:
        before = _resized(ba.before.image, (bx1 - bx0, h))
        before_scale = h / ba.before.frame[1]
    img.paste(Image.fromarray(before), (bx0, by0))
    if markings:
        draw_markings(img, ba.before.strokes, ba.before.points, before_scale, (bx0, by0),
                      ba.product_colours, ba.before.unit_labels)  # fmt: skip
        draw_markings(img, ba.after.strokes, ba.after.points, after_scale, (ax0, ay0),
                      ba.product_colours, ba.after.unit_labels)  # fmt: skip
    _captions(img, ba, boxes)
    return img


def _captions(
    img: Image.Image, ba: BeforeAfter, boxes: dict[str, tuple[int, int, int, int]]
) -> None:
    d = ImageDraw.Draw(img)
    tx0, ty0, tx1, ty1 = boxes["title"]
    band = ty1 - ty0
    title = f"{ba.patient_name} · born {day(ba.date_of_birth)} · {ba.view_name}"
    _centred(d, title, _font(round(band * 0.42), bold=True), (tx0 + tx1) / 2, band * 0.25, INK)
    for key, side, word in (("before", ba.before, "Before"), ("after", ba.after, "After")):
        x0, y0, x1, y1 = boxes[f"{key}_caption"]
        size = round((y1 - y0) * 0.46)
        _centred(d, f"{word} · {day(side.visit_date)}", _font(size, bold=True), (x0 + x1) / 2,
                 y0 + (y1 - y0) * 0.22, INK)  # fmt: skip
    if ba.alignment_note or not ba.aligned:
        x0, y0, x1, _ = boxes["before"]
        note = "NOT ALIGNED" if not ba.aligned else ba.alignment_note
        font = _font(max(14, round((x1 - x0) / 22)), bold=True)
        box = d.textbbox((0, 0), note, font=font)
        pad = (box[3] - box[1]) // 2
        d.rectangle([x0, y0, x1, y0 + box[3] - box[1] + 2 * pad],
                    fill=ALERT if not ba.aligned else (255, 255, 255))  # fmt: skip
        _centred(d, note, font, (x0 + x1) / 2, y0 + pad,
                 (255, 255, 255) if not ba.aligned else MUTED)  # fmt: skip
        if not ba.aligned and ba.alignment_note:
            small = _font(max(11, round((x1 - x0) / 45)))
            _centred(d, ba.alignment_note, small, (x0 + x1) / 2,
                     y0 + box[3] - box[1] + 3 * pad, ALERT)  # fmt: skip


def write_image(ba: BeforeAfter, out: Path, *, markings: bool = False) -> None:
    """PNG or JPEG by `out`'s suffix (BeforeAfterError for any other)."""
    fmt = FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise BeforeAfterError("The image's name must end in .png, .jpg or .jpeg.")
    img = render(ba, markings=markings)
    with open(out, "wb") as f:
        if fmt == "JPEG":
            img.save(f, "JPEG", quality=90, subsampling=0)  # no colour bleed on the captions
        else:
            img.save(f, "PNG", compress_level=6)
