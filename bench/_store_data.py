"""Generated inputs of the store benchmarks: photos, charts and patient names.

Everything is deterministic (seeded) so two runs measure the same work. Nothing generated here
is written into the repository: photos exist only as bytes in memory and in temp databases.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import cv2
import numpy as np

from app.domain.chart import ChartContent, InjectionPoint, Stroke, ViewChart
from app.domain.values import Depth, Side
from app.services.patients import NewPatient

VIEWS = ("rest", "frown", "brow_raise", "smile")  # the neurotoxin protocol of the catalogue


def photo_jpegs(width: int, height: int, count: int, seed: int = 0) -> list[bytes]:
    """`count` different JPEGs: smooth gradients plus per-pixel noise, so they compress like a
    camera's photo (a 6000×4000 one is about 6–7 MB) instead of like a flat fill."""
    rng = np.random.default_rng(seed)
    yy = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
    xx = np.linspace(0.0, 1.0, width, dtype=np.float32)[None, :]
    base = np.empty((height, width, 3), np.uint8)
    base[..., 0] = (90 + 100 * xx * yy + 30 * np.sin(xx * 7)).astype(np.uint8)
    base[..., 1] = (120 + 80 * yy + 20 * np.cos(yy * 9 + xx * 3)).astype(np.uint8)
    base[..., 2] = (150 + 60 * xx + 0 * yy).astype(np.uint8)
    noise = rng.integers(0, 24, size=(height, width, 3), dtype=np.uint8)
    out = []
    for k in range(count):
        # shifting one noise field is far cheaper than drawing a new one per photo
        img = cv2.add(base, np.roll(noise, 997 * k + 13, axis=1))
        ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 92])
        if not ok:
            raise RuntimeError("OpenCV could not encode the benchmark photo")
        out.append(buf.tobytes())
    return out


def _uuid(rng: random.Random) -> str:
    """A seeded UUID, so two runs save byte-identical charts."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def stroke(rng: random.Random, width: int, height: int, samples: int) -> Stroke:
    """A pencil stroke: a wandering line of (x, y, pressure, t) samples about 8 ms apart."""
    x, y = rng.uniform(0.2, 0.8) * width, rng.uniform(0.2, 0.8) * height
    step = max(width, height) / 2000
    pts = []
    t = 0.0
    for _ in range(samples):
        x = min(max(x + rng.gauss(0, step), 0.0), float(width))
        y = min(max(y + rng.gauss(0, step), 0.0), float(height))
        t += rng.uniform(6.0, 10.0)
        pts.append((x, y, rng.uniform(0.2, 1.0), t))
    return Stroke(tuple(pts), color=rng.choice(("white", "yellow", "red")), id=_uuid(rng))


def point(rng: random.Random, width: int, height: int) -> InjectionPoint:
    return InjectionPoint(
        x=rng.uniform(0.2, 0.8) * width,
        y=rng.uniform(0.1, 0.6) * height,
        product="botox",
        units=Decimal(rng.choice(("2", "2.5", "4", "5"))),
        depth=Depth.INTRAMUSCULAR,
        zone=rng.choice(("procerus", "corrugator supercilii", "frontalis", "orbicularis oculi")),
        side=rng.choice((Side.LEFT, Side.RIGHT, Side.MIDLINE)),
        id=_uuid(rng),
    )


def chart(
    photo_shas: Mapping[str, str | None],
    width: int,
    height: int,
    points: int,
    strokes: int,
    samples: int,
    seed: int = 0,
) -> ChartContent:
    """A chart over the given views' photos, points and strokes spread evenly across views."""
    rng = random.Random(seed)
    views = sorted(photo_shas)
    n = len(views)
    return ChartContent(
        views=tuple(
            ViewChart(
                view=code,
                photo_sha256=photo_shas[code],
                strokes=tuple(
                    stroke(rng, width, height, samples)
                    for _ in range(strokes // n + (i < strokes % n))
                ),
                points=tuple(
                    point(rng, width, height) for _ in range(points // n + (i < points % n))
                ),
            )
            for i, code in enumerate(views)
        )
    )


def edited(
    content: ChartContent, i: int, width: int, height: int, samples: int, add_stroke: bool = True
) -> ChartContent:
    """The i-th small edit: one point's units change and one stroke is added (a typical save)."""
    rng = random.Random(10_000 + i)
    frown = content.view("frown") or content.views[0]
    pts = list(frown.points)
    j = i % len(pts)
    pts[j] = _with_units(pts[j], pts[j].units + Decimal("0.5"))
    content = content.with_view(
        ViewChart(frown.view, frown.photo_sha256, frown.strokes, tuple(pts))
    )
    if not add_stroke:
        return content
    target = content.views[i % len(content.views)]
    return content.with_view(
        ViewChart(
            target.view,
            target.photo_sha256,
            (*target.strokes, stroke(rng, width, height, samples)),
            target.points,
        )
    )


def _with_units(p: InjectionPoint, units: Decimal) -> InjectionPoint:
    return InjectionPoint(
        p.x, p.y, p.product, units, p.depth, p.zone, p.side, p.note, p.origin, p.id
    )


# Names with the letters that break naive search: accents, Ø, ß, Ł, Æ, Þ, apostrophes, hyphens.
GIVEN = (
    "Zoë", "Zoe", "José", "Łukasz", "Anna", "Maria", "Jonas", "Sofia", "Émile", "Chloé",
    "Søren", "Björn", "Ingrid", "Mateo", "Noah", "Lea", "Lukas", "Julia", "Oliver", "Élodie",
    "Renée", "François", "Małgorzata", "Jürgen", "Agnès", "Hélène", "Joan", "Mustafa", "Ægir",
    "Siobhán", "Dorothée", "Luís", "Anne-Marie", "Çağla", "Đorđe", "Þóra",
)  # fmt: skip
FAMILY = (
    "Østergaard", "Østerberg", "Oster", "Weiß", "Weiss", "Müller", "Mueller", "Muñoz", "Nowak",
    "Kowalski", "Dubois", "García", "Jensen", "Johansson", "Jørgensen", "Schröder",
    "Wiśniewski", "O'Brien", "Van der Berg", "Fernández", "Dvořák", "Lefèvre", "Smith",
    "Nguyễn", "Öztürk", "Łęcka", "Brontë", "Straße", "Andersen", "Kuznetsova",
)  # fmt: skip

# Each query word with the exact names it must find: written out by hand, not derived from the
# app's folding, so a folding bug shows as a wrong count. No other name has a word starting so.
WORDS: dict[str, frozenset[str]] = {
    "zoe": frozenset({"Zoë", "Zoe"}),
    "oster": frozenset({"Østergaard", "Østerberg", "Oster"}),
    "ostergaard": frozenset({"Østergaard"}),
    "weiss": frozenset({"Weiß", "Weiss"}),
    "mu": frozenset({"Müller", "Mueller", "Muñoz", "Mustafa"}),
    "jo": frozenset({"José", "Jonas", "Joan", "Johansson", "Jørgensen"}),
    "jose": frozenset({"José"}),
    "lu": frozenset({"Łukasz", "Lukas", "Luís"}),
    "lukasz": frozenset({"Łukasz"}),
    "bro": frozenset({"Brontë"}),
    "strasse": frozenset({"Straße"}),
    "aegir": frozenset({"Ægir"}),
    "thora": frozenset({"Þóra"}),
    "m": frozenset(
        {"Maria", "Mateo", "Małgorzata", "Mustafa", "Anne-Marie", "Müller", "Mueller", "Muñoz"}
    ),
}
QUERIES = (
    "zoe",
    "oster",
    "weiss",
    "mu",
    "jo",
    "lu",
    "bro",
    "strasse",
    "aegir",
    "thora",
    "zoe weiss",
    "jose mu",
    "lukasz ostergaard",
)
# Timed and reported, but outside the median: the first letter typed, the widest search.
EXTRA_QUERIES = ("m",)
# The p95 figure's queries: all of them, one-letter ("m") and two-letter ("jo", "mu") included.
TAIL_QUERIES = QUERIES + EXTRA_QUERIES


@dataclass(frozen=True, slots=True)
class Person:
    given: str
    family: str


def people(count: int, seed: int = 7) -> list[Person]:
    rng = random.Random(seed)
    return [Person(rng.choice(GIVEN), rng.choice(FAMILY)) for _ in range(count)]


def new_patients(persons: list[Person]) -> Iterator[NewPatient]:
    for i, p in enumerate(persons):
        yield NewPatient(
            p.given,
            p.family,
            date(1940 + i % 60, 1 + i % 12, 1 + i % 28),
            record_number=f"FC{i:06d}",
        )


def expected_hits(persons: list[Person], query: str) -> int:
    """How many of `persons` the query must find: every query word matches one of the names."""
    sets = [WORDS[w] for w in query.split()]
    return sum(all(p.given in s or p.family in s for s in sets) for p in persons)
