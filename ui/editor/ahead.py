"""What the first view of a chart needs, worked out before the editor is built (issue #8).

The visit page reads the chart ahead (ui/shell/chart_prefetch.py); on the same worker, while
the clinician has not tapped Chart yet, this decodes the first view's display image at the
size its canvas had last time and works out its strokes' shapes, plain numbers only (a job
makes no Qt object, ADR 0012). The editor then wraps them (ui/editor/scene.py): of the wait
for a busy chart, these were the decode (~11 ms) and the stroke outlines (~8 ms).

Each part is used only if it is what the editor would have made itself: the same display
JPEG, decoded with at least the screen's pixels; the same stroke object. Anything else is
made at opening, as without a read ahead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from app.domain.chart import ChartContent, Stroke
from app.services.chart_opening import ChartOpening
from ui.editor import stroke_geometry
from ui.editor.items import LABEL_SIZES, point_label
from ui.editor.labels import LabelLayout, Rect

try:  # libjpeg-turbo, the app's strict decoder (app/imaging/decode.py); Qt's reader without
    import simplejpeg
except ImportError:  # pragma: no cover - a dependency of the app
    simplejpeg = None

_screen_side: int | None = None  # the last first-paint canvas's longest side, device pixels


@dataclass(frozen=True, slots=True)
class Canvas:
    """What a canvas's label placement read (ui/editor/label_layer.py): the photo's frame,
    the view's transform (scale, scroll) and size, the side markers' rectangles, and the
    layout's radii (marker, selected marker, gap)."""

    frame_w: float
    frame_h: float
    sx: float
    sy: float
    tx: float
    ty: float
    w: float
    h: float
    obstacles: tuple[Rect, ...]
    radii: tuple[float, float, float]


_canvas: Canvas | None = None  # the last placement's canvas


def remember_canvas(canvas: Canvas) -> None:
    global _canvas
    _canvas = canvas


def forget() -> None:
    """As before any chart was opened (tests; a benchmark's first chart of a session)."""
    global _canvas, _screen_side
    _canvas, _screen_side = None, None


def remember_screen_side(side: int) -> None:
    """A canvas painted first at this size (ChartCanvas.showEvent): the next read ahead
    decodes for it."""
    global _screen_side
    _screen_side = side


def screen_side() -> int | None:
    return _screen_side


@dataclass(frozen=True, slots=True)
class FirstView:
    view: str
    jpeg: bytes | None  # the display JPEG the pixels were decoded from
    pixels: np.ndarray | None  # BGRX rows (Qt's RGB32), or None: decoded at opening
    whole: tuple[int, int] = (0, 0)  # the display image's own size, (width, height)
    shapes: dict[str, tuple[Stroke, stroke_geometry.Shape]] = field(default_factory=dict)

    def pixels_for(self, jpeg: bytes, side: int | None) -> np.ndarray | None:
        """The decoded pixels if they are this JPEG's with at least `side` pixels on the
        longest side (None: a whole decode is wanted, or the canvas grew)."""
        if self.pixels is None or side is None or self.jpeg is not jpeg:
            return None
        return self.pixels if max(self.pixels.shape[:2]) >= side else None

    def shape_for(self, stroke: Stroke) -> stroke_geometry.Shape | None:
        made = self.shapes.get(stroke.id)
        return made[1] if made is not None and made[0] is stroke else None


def work_out(opening: ChartOpening, side: int | None) -> FirstView | None:
    """On a worker: the first view's pixels (for a canvas `side` pixels long) and shapes."""
    if not opening.view_codes:
        return None
    view = opening.view_codes[0]
    jpeg = opening.photos[view].display_jpeg if view in opening.photos else None
    pixels, whole = (None, (0, 0))
    if jpeg is not None and side is not None:
        pixels, whole = decode_pixels(jpeg, side)
    chart = opening.content.view(view)
    shapes = {}
    for stroke in chart.strokes if chart is not None else ():
        dashed = stroke.style == "dashed"
        shapes[stroke.id] = (stroke, stroke_geometry.shape(stroke.samples, stroke.width, dashed))
    place_labels(
        opening.content, view, opening.photos[view].size if view in opening.photos else None
    )
    return FirstView(view, jpeg, pixels, whole, shapes)


def place_labels(content: ChartContent, view: str, frame: tuple[int, int] | None) -> bool:
    """Place the view's labels as its canvas will at opening, if it will be the canvas the
    last chart had (the same frame, so the same transform) and every label's size is known:
    the placement is remembered (ui/editor/labels.py) and the opening's finds it. True if
    placed."""
    canvas, chart = _canvas, content.view(view)
    if canvas is None or chart is None or not chart.points or frame is None:
        return False
    if (float(frame[0]), float(frame[1])) != (canvas.frame_w, canvas.frame_h):
        return False
    sizes = {}
    for p in chart.points:
        size = LABEL_SIZES.get(point_label(content, p))
        if size is None:
            return False  # a text never drawn yet: its size needs the font
        sizes[p.id] = size
    markers = {p.id: (p.x * canvas.sx, p.y * canvas.sy) for p in chart.points}
    c = canvas
    LabelLayout(*c.radii).place(
        markers,
        sizes,
        None,
        (-c.tx, -c.ty, c.w - c.tx, c.h - c.ty),
        (c.sx, c.sy, c.w, c.h),
        c.obstacles,
    )
    return True


def decode_pixels(jpeg: bytes, side: int | None) -> tuple[np.ndarray | None, tuple[int, int]]:
    """A colour display JPEG by libjpeg's DCT scaling at the smallest of 1/2, 1/4, 1/8 that
    still has `side` pixels on its longest side (whole without `side`), as BGRX rows, with
    the image's whole size; (None, (0, 0)) for what simplejpeg does not take (Qt decides)."""
    if simplejpeg is None:
        return None, (0, 0)
    try:
        height, width, colorspace, _sub = simplejpeg.decode_jpeg_header(jpeg)
        if colorspace not in ("YCbCr", "RGB") or width <= 0 or height <= 0:
            return None, (0, 0)
        factor = scale_factor(max(width, height), side)
        pixels = simplejpeg.decode_jpeg(
            jpeg,
            "BGRX",  # little-endian 0xffRRGGBB: QImage.Format_RGB32
            strict=True,
            min_width=-(-width // factor),
            min_height=-(-height // factor),
        )
    except ValueError:
        return None, (0, 0)
    return pixels, (width, height)


def scale_factor(longest: int, side: int | None) -> int:
    factor = 1
    while side and factor < 8 and longest / (factor * 2) >= side:
        factor *= 2
    return factor
