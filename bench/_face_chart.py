"""A full-face chart for the editor benchmarks: points where a clinician puts them (a dense
glabellar cluster, rows over the forehead, crow's-feet fans, lower face), each labelled like
"4 U · 0.1 mL", and muscle-border strokes over the face."""

from __future__ import annotations

import math
import random
from decimal import Decimal

from app.domain.chart import ChartContent, InjectionPoint, ProductUse, Stroke, ViewChart
from app.domain.values import Depth, Dilution, Side

# (u, v, zone) in the face box: u 0 → 1 from the viewer's left, v 0 → 1 hairline to chin.
_GLABELLA = [
    (0.50, 0.345, "procerus"),
    (0.445, 0.330, "corrugator supercilii"),
    (0.555, 0.330, "corrugator supercilii"),
    (0.395, 0.310, "corrugator supercilii"),
    (0.605, 0.310, "corrugator supercilii"),
]
_FOREHEAD_1 = [(0.20 + 0.10 * i, 0.20, "frontalis") for i in range(7)]
_CROWS_1 = [(u, v, "orbicularis oculi") for u in (0.08, 0.92) for v in (0.40, 0.45, 0.50)]
_FOREHEAD_2 = [(0.25 + 0.10 * i, 0.12, "frontalis") for i in range(6)]
_LOWER = [
    (0.42, 0.50, "nasalis"),
    (0.58, 0.50, "nasalis"),
    (0.44, 0.72, "orbicularis oris"),
    (0.48, 0.715, "orbicularis oris"),
    (0.52, 0.715, "orbicularis oris"),
    (0.56, 0.72, "orbicularis oris"),
    (0.33, 0.84, "depressor anguli oris"),
    (0.67, 0.84, "depressor anguli oris"),
    (0.46, 0.92, "mentalis"),
    (0.54, 0.92, "mentalis"),
]
_MASSETER = [(u, v, "masseter") for u in (0.10, 0.14, 0.90, 0.86) for v in (0.70, 0.78)]
_BROW = [(0.24, 0.29, "orbicularis oculi"), (0.76, 0.29, "orbicularis oculi")]
_CROWS_2 = [(u, v, "orbicularis oculi") for u in (0.03, 0.97) for v in (0.38, 0.44, 0.50, 0.56)]
_FOREHEAD_3 = [(0.20 + 0.10 * i, 0.27, "frontalis") for i in range(7)]
_NECK = [(u, v, "platysma") for u in (0.30, 0.70) for v in (1.02, 1.07, 1.12)]
TEMPLATE = [
    *_GLABELLA, *_FOREHEAD_1, *_CROWS_1, *_FOREHEAD_2, *_LOWER, *_MASSETER, *_BROW,
    *_CROWS_2, *_FOREHEAD_3, *_NECK,
]  # fmt: skip
UNITS = ("4", "4", "2", "2.5", "5", "4", "2", "4")
BOTOX_USE = ProductUse("botox", lot="C1234", dilution=Dilution(Decimal(100), Decimal("2.5")))


def face_box(width: float, height: float) -> tuple[float, float, float, float]:
    """(left, top, w, h) of the face in a photo: 80 % of the height, centred."""
    h = 0.80 * height
    w = min(0.68 * h, 0.9 * width)
    return (width - w) / 2, 0.06 * height, w, h


def face_points(
    width: float, height: float, n: int, seed: int = 11, tag: int = 0
) -> list[InjectionPoint]:
    """`n` points over the face; past the template's ~75, more rows and fans (jittered)."""
    rng = random.Random(seed)
    left, top, w, h = face_box(width, height)
    spots = list(TEMPLATE)
    k = 0
    while len(spots) < n:
        u, v, zone = TEMPLATE[k % len(TEMPLATE)]
        spots.append((u + rng.uniform(-0.04, 0.04), v + rng.uniform(-0.03, 0.03), zone))
        k += 1
    out = []
    for i, (u, v, zone) in enumerate(spots[:n]):
        side = Side.MIDLINE if abs(u - 0.5) < 0.03 else (Side.RIGHT if u < 0.5 else Side.LEFT)
        out.append(
            InjectionPoint(
                x=left + u * w,
                y=top + v * h,
                product="botox",
                units=Decimal(UNITS[i % len(UNITS)]),
                depth=Depth.INTRAMUSCULAR,
                zone=zone,
                side=side,
                id=f"00000000-0000-4000-8{tag:03d}-{i:012d}",
            )
        )
    return out


def face_strokes(width: float, height: float, n: int, seed: int = 12, tag: int = 0) -> list[Stroke]:
    """Muscle borders and marked lines: short arcs of 60 samples over the face."""
    rng = random.Random(seed)
    left, top, w, h = face_box(width, height)
    out = []
    for i in range(n):
        cx, cy = left + rng.uniform(0.1, 0.9) * w, top + rng.uniform(0.1, 0.9) * h
        r = rng.uniform(0.05, 0.15) * w
        a0 = rng.uniform(0, 2 * math.pi)
        samples = tuple(
            (
                cx + r * math.cos(a0 + 1.6 * j / 59),
                cy + r * math.sin(a0 + 1.6 * j / 59),
                0.4 + 0.5 * abs(math.sin(j / 9)),
                8.0 * j,
            )
            for j in range(60)
        )
        out.append(
            Stroke(
                samples,
                color=("white", "red", "blue")[i % 3],
                style="dashed" if i % 5 == 0 else "solid",
                width=max(width, height) / 600,
                id=f"00000000-0000-4000-9{tag:03d}-{i:012d}",
            )
        )
    return out


def chart(views: list[tuple[str, str, tuple[int, int]]], points: int, strokes: int) -> ChartContent:
    """A chart with `points` and `strokes` on each (view, photo sha256, (w, h))."""
    return ChartContent(
        views=tuple(
            ViewChart(
                view,
                sha,
                tuple(face_strokes(w, h, strokes, tag=k)),
                tuple(face_points(w, h, points, tag=k)),
            )
            for k, (view, sha, (w, h)) in enumerate(views)
        ),
        products=(BOTOX_USE,),
    )
