"""Photo checks at capture: blur and clipped exposure. They warn, they never block.

Blur is measured on the face region scaled to a fixed size (ANALYSIS_SIDE), so the same face
scores the same whether it came from a 2 MP webcam or a 24 MP camera, and a sharp background
cannot hide a blurred face. The measure is contrast-free: the share of gradient energy that
a small extra blur removes (a sharp face loses much, an already blurred one little; the idea of
Crété-Roffet et al.'s re-blur metric, on Sobel energy). A dim or a bright photo of the same face
scores the same, so one threshold serves every lighting. Calibrated on real face photos and
blurred copies of them: `bench/capture.py` (blur_calibration) and docs/BENCHMARKS.md.

The face region comes from `face_box` when a caller has one (`check_photo_bytes` asks the face
detector of app.alignment); otherwise the centre of the frame, where guided capture puts the
face.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from app.imaging.framing import FramingCheck, FramingOffset

ANALYSIS_SIDE = 160  # px: the face region is scaled to this square before measuring blur
REBLUR_SIGMA = 1.0  # px at ANALYSIS_SIDE
# Below this share the face counts as blurred. Calibrated on ../shared/faces with the face
# detector's box (BENCHMARKS.md, "Capture"): sharp photos and their JPEG, light and noise
# variants scored 0.23–0.49, copies blurred by σ ≥ 1.5 px (at 160 px) 0.04–0.19.
BLUR_THRESHOLD = 0.21
CLIP_HIGH, CLIP_LOW = 250, 5  # 8-bit luma at or beyond which a pixel carries no detail
MAX_CLIPPED_HIGH = 0.03  # share of the face region: a little shine on a forehead is normal
MAX_CLIPPED_LOW = 0.05
# The centre region used when no face box is given: x 30–70 %, y 20–75 % of the frame.
CENTRE = (0.30, 0.20, 0.70, 0.75)

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels of the upright image


@dataclass(frozen=True, slots=True)
class PhotoCheck:
    sharpness: float  # 0..1, higher is sharper; blurred below BLUR_THRESHOLD
    clipped_high: float  # share of the face region's pixels at pure white
    clipped_low: float  # … at pure black
    face_box: Box
    warnings: list[str] = field(default_factory=list)
    framing: FramingOffset | None = None  # offset from the ghost, when it could be measured
    framing_check: FramingCheck | None = None  # … in words, also when it could not (no ghost: None)

    @property
    def ok(self) -> bool:
        return not self.warnings


def centre_box(width: int, height: int) -> Box:
    x0, y0, x1, y1 = CENTRE
    return (x0 * width, y0 * height, x1 * width, y1 * height)


def _grey(image: np.ndarray) -> np.ndarray:
    """Luma of an RGB (PIL order) or greyscale uint8 array; channel order barely matters for
    blur and clipping, so BGR frames work too."""
    if image.ndim == 2:
        return image
    return cv2.cvtColor(np.ascontiguousarray(image[:, :, :3]), cv2.COLOR_RGB2GRAY)


def face_crop(grey: np.ndarray, box: Box, side: int = ANALYSIS_SIDE) -> np.ndarray:
    """The face region as a side×side float image (area-averaged, so downscaling adds no
    aliasing that would read as sharpness)."""
    h, w = grey.shape[:2]
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    x0, y0 = max(0, min(x0, w - 1)), max(0, min(y0, h - 1))
    x1, y1 = max(x0 + 1, min(x1, w)), max(y0 + 1, min(y1, h))
    crop = grey[y0:y1, x0:x1]
    interp = cv2.INTER_AREA if min(crop.shape[:2]) >= side else cv2.INTER_CUBIC
    return cv2.resize(crop, (side, side), interpolation=interp).astype(np.float32)


def _energy(g: np.ndarray) -> float:
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0)
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1)
    return float((gx * gx + gy * gy).mean())


def sharpness(crop: np.ndarray) -> float:
    """Share of gradient energy a σ=REBLUR_SIGMA blur removes: ~0.4–0.5 sharp, → 0 blurred."""
    e = _energy(crop)
    if e < 1e-6:  # a flat picture (lens cap, black frame) has no detail at all
        return 0.0
    return max(0.0, 1.0 - _energy(cv2.GaussianBlur(crop, (0, 0), REBLUR_SIGMA)) / e)


def _as_box(values: Sequence[float]) -> Box:
    x0, y0, x1, y1 = values  # a face box is four numbers; anything else is a caller's bug
    return (x0, y0, x1, y1)


def check_photo(image: np.ndarray, face_box: Sequence[float] | None = None) -> PhotoCheck:
    """Checks of an upright image (uint8, RGB or grey). Warnings are for the clinician."""
    grey = _grey(image)
    h, w = grey.shape[:2]
    box = centre_box(w, h) if face_box is None else _as_box(face_box)
    score = sharpness(face_crop(grey, box))
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    region = grey[max(0, y0) : max(y0 + 1, y1), max(0, x0) : max(x0 + 1, x1)]
    high = float((region >= CLIP_HIGH).mean())
    low = float((region <= CLIP_LOW).mean())
    warnings = []
    if score < BLUR_THRESHOLD:
        warnings.append("The face looks blurred: hold the camera still and check the focus.")
    if high > MAX_CLIPPED_HIGH:
        warnings.append(
            f"Over-exposed: {high:.0%} of the face is pure white. Reduce the light or exposure."
        )
    if low > MAX_CLIPPED_LOW:
        warnings.append(f"Under-exposed: {low:.0%} of the face is pure black. Add light.")
    return PhotoCheck(score, high, low, box, warnings)


def with_framing(check: PhotoCheck, framing: FramingCheck | FramingOffset | None) -> PhotoCheck:
    """The checks with the framing against the ghost added: its warning (when off) joins the
    others; "matches" and "can't be checked" are notes, not warnings."""
    if framing is None:
        return check
    if isinstance(framing, FramingCheck):
        offset, said = framing.offset, framing
    else:
        offset, said = framing, None
    extra = offset.warnings if offset is not None else []
    return replace(check, warnings=[*check.warnings, *extra], framing=offset, framing_check=said)


def check_photo_bytes(
    data: bytes, face_box: Sequence[float] | None = None, detect: bool = True
) -> PhotoCheck:
    """Checks of stored photo bytes, decoded upright through the one decode door at about
    display size (the checks need no more, and a 24 MP decode would keep the clinician waiting).
    `face_box` is in the pixels of the full upright photo; without one, the face detector finds
    it (`detect`), else the centre of the frame stands in."""
    from app.imaging.decode import decode_upright

    img = decode_upright(data, max_side=1600)
    arr = np.asarray(img)
    if face_box is not None:
        from app.imaging.decode import read_info

        info = read_info(data)
        s = arr.shape[1] / info.width
        face_box = [v * s for v in face_box]
    elif detect:
        from app.imaging.face_region import detect_face_box

        face_box = detect_face_box(arr)
    return check_photo(arr, face_box)
