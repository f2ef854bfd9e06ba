"""Inputs of the alignment benchmarks: the real face photos with their reference points, and
synthetic pairs made from them by known transforms (levels written down here and in
docs/BENCHMARKS.md). Seeded, so two runs measure the same pairs; nothing is written to disk.
"""

from __future__ import annotations

import io
import json
import math
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

LANDMARKS_FILE = "landmarks68.json"
BENCH_SIDE = 1280  # synthetic trials run on copies this big (alignment works at this size)


@dataclass(frozen=True, slots=True)
class Levels:
    """Random ranges of one synthetic trial (uniform draws)."""

    scale: tuple[float, float] = (0.8, 1.25)
    rotation_deg: float = 10.0  # ±
    shift: float = 0.15  # ± share of the image width / height
    nonrigid_iod: float = 0.03  # amplitude of a smooth sinusoidal warp, up to this many IOD
    nonrigid_wavelength_iod: float = 3.0
    gain: tuple[float, float] = (0.75, 1.25)
    gamma: tuple[float, float] = (0.8, 1.25)
    gradient: float = 0.2  # ± brightness change from one side of the frame to the other
    blur_sigma: float = 1.5  # Gaussian blur up to this sigma (pixels)
    noise_sigma: float = 6.0  # Gaussian noise up to this (grey levels of 255)
    jpeg_quality: tuple[int, int] = (70, 95)


SYNTH = Levels()
STRESS = Levels(
    scale=(0.5, 1.6),
    rotation_deg=35.0,
    shift=0.2,
    nonrigid_iod=0.15,
    nonrigid_wavelength_iod=2.0,
    gain=(0.4, 1.6),
    gamma=(0.6, 1.6),
    gradient=0.6,
    blur_sigma=5.0,
    noise_sigma=25.0,
    jpeg_quality=(20, 90),
)


@dataclass(frozen=True, slots=True)
class Face:
    name: str
    person: str
    data: bytes  # the file as stored
    ref: np.ndarray  # (68, 2) reference points, pixels of the file as stored


def load_faces(folder: Path) -> list[Face]:
    """The photos of `folder` that have reference points; [] when the folder is missing."""
    table = folder / LANDMARKS_FILE
    if not table.is_file():
        return []
    refs = json.loads(table.read_text(encoding="utf-8"))
    faces = []
    for name in sorted(refs):
        path = folder / name
        if path.is_file():
            person = "obama" if "obama" in name else "alex" if "alex" in name else name
            faces.append(
                Face(name, person, path.read_bytes(), np.asarray(refs[name]["landmarks68"], float))
            )
        # (a photo listed without its file is simply not used)
    return faces


def iod(points68: np.ndarray) -> float:
    return float(np.hypot(*(points68[42:48].mean(0) - points68[36:42].mean(0))))


def pair_error(result_map: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Per-point error in IOD of the truth (NEW)."""
    return np.hypot(*(result_map - truth).T) / iod(truth)


# ---- synthetic pairs -------------------------------------------------------------------------


def rgb_small(face: Face) -> tuple[np.ndarray, np.ndarray]:
    """The photo (no EXIF rotation in this set) at ≤ BENCH_SIDE, and its reference points."""
    full = Image.open(io.BytesIO(face.data)).convert("RGB")
    k = min(1.0, BENCH_SIDE / max(full.size))
    img = full.resize((round(full.width * k), round(full.height * k)), Image.Resampling.LANCZOS)
    scale = np.array([img.width / full.width, img.height / full.height])
    return np.asarray(img), face.ref * scale


def warp_trial(
    rgb: np.ndarray, ref: np.ndarray, rng: np.random.Generator, lv: Levels
) -> tuple[np.ndarray, np.ndarray]:
    """A degraded copy of `rgb` and where the points `ref` (pixel-edge coordinates) are in it.

    Forward transform T(p) = S(p + d(p)): d a smooth warp in OLD, S the similarity, which
    scales and turns about the face's centre and then shifts by a share of the frame. Draws
    that would push any reference point out of the frame are drawn again: a retake shows the
    whole face (cut-off faces are a fault case of their own, tested apart)."""
    h, w = rgb.shape[:2]
    unit = iod(ref)
    c = ref.mean(0)
    for _ in range(50):
        s = rng.uniform(*lv.scale)
        a = math.radians(rng.uniform(-lv.rotation_deg, lv.rotation_deg))
        shift = rng.uniform(-lv.shift, lv.shift, 2) * (w, h)
        rot = s * np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
        moved = (ref - c) @ rot.T + c + shift
        margin = 0.05 * unit
        if (moved > margin).all() and (moved < np.array([w, h]) - margin).all():
            break
    amp = rng.uniform(0, lv.nonrigid_iod) * unit
    lam = lv.nonrigid_wavelength_iod * unit
    dirs = rng.normal(size=(2, 2))
    dirs /= np.linalg.norm(dirs, axis=1, keepdims=True)
    phase = rng.uniform(0, 2 * math.pi, 2)

    def d(p: np.ndarray) -> np.ndarray:
        arg = 2 * math.pi * (p @ dirs.T) / lam + phase
        return amp * np.sin(arg)

    def forward(p: np.ndarray) -> np.ndarray:
        q = p + d(p)
        return (q - c) @ rot.T + c + shift

    # Backward map for every output pixel centre: solve p + d(p) = S⁻¹(q) by fixed point.
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64)
    q = np.stack([xs + 0.5, ys + 0.5], axis=-1).reshape(-1, 2)
    u = (q - c - shift) @ np.linalg.inv(rot).T + c
    p = u.copy()
    for _ in range(6):
        p = u - d(p)
    maps = (p - 0.5).reshape(h, w, 2).astype(np.float32)  # OpenCV: pixel centres at integers
    out = cv2.remap(
        rgb, maps[..., 0], maps[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    # lighting: gain, gamma, a side-to-side gradient, a slight colour cast
    f: np.ndarray = out.astype(np.float32) / 255.0
    f = f ** rng.uniform(*lv.gamma) * rng.uniform(*lv.gain)
    grad = 1 + rng.uniform(-lv.gradient, lv.gradient) * (np.linspace(-0.5, 0.5, w)[None, :, None])
    f = f * grad * rng.uniform(0.95, 1.05, 3)
    f = f * 255.0
    sigma = rng.uniform(0, lv.blur_sigma)
    if sigma > 0.05:
        f = cv2.GaussianBlur(f, (0, 0), sigma)
    f = f + rng.normal(0, rng.uniform(0, lv.noise_sigma), f.shape)
    out = np.clip(f, 0, 255).astype(np.uint8)
    ok, enc = cv2.imencode(
        ".jpg", out[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(*lv.jpeg_quality))]
    )
    decoded = cv2.imdecode(enc, cv2.IMREAD_COLOR)
    if not ok or decoded is None:
        raise RuntimeError("OpenCV could not round-trip the synthetic photo through JPEG")
    return np.ascontiguousarray(decoded[..., ::-1]), forward(ref)


def camera_jpeg(face: bytes, size: tuple[int, int], seed: int, quality: int = 92) -> bytes:
    """A camera-like JPEG of `size` (24 MP: 4000×6000, portrait as clinics shoot faces): the
    photo scaled up to fill the frame, then sensor grain (σ 3 grey levels) so that it
    compresses like a camera's file (~3 MB), not like a smooth upscale (a few hundred kB):
    decoding is entropy-bound and its cost is what a real file costs."""
    w, h = size
    img = Image.open(io.BytesIO(face)).convert("RGB")
    s = max(w / img.width, h / img.height)
    img = img.resize((round(img.width * s), round(img.height * s)), Image.Resampling.BICUBIC)
    left, top = (img.width - w) // 2, (img.height - h) // 2
    arr = np.asarray(img.crop((left, top, left + w, top + h)), np.float32)
    arr += np.random.default_rng(seed).normal(0.0, 3.0, arr.shape).astype(np.float32)
    buf = io.BytesIO()
    Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)).save(buf, "JPEG", quality=quality)
    return buf.getvalue()
