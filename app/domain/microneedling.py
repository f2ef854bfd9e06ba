"""Microneedling chart content: treated areas drawn as polygons on the front and 45° photos,
each with its needle depth and passes, and what the clinic records once per session
(DOMAIN.md, Microneedling). Plain frozen dataclasses, no Qt, no database.

Positions are photo pixels after EXIF orientation (CONTRACTS.md): a brush stroke is stored as
the outline polygon of the region it painted, so every area is one polygon whatever drew it.
Depths are exact decimals in millimetres (0.25–2.5 in 0.25 steps), never floats.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from app.domain.values import TreatmentType

# The views a microneedling chart is drawn on (app/domain/catalogue.py BUILTIN_PROTOCOLS).
MICRONEEDLING_VIEWS: tuple[str, ...] = ("front", "left_45", "right_45")

DEPTH_STEP = Decimal("0.25")
DEPTH_MIN = Decimal("0.25")
DEPTH_MAX = Decimal("2.5")
DEPTHS: tuple[Decimal, ...] = tuple(DEPTH_STEP * n for n in range(1, 11))  # 0.25 … 2.50

Vertex = tuple[float, float]

# The depth shading the editor and the report share, shallow to deep: pale yellow through
# orange and red to deep violet, told apart on any skin (one colour per depth in DEPTHS).
DEPTH_COLOURS: tuple[str, ...] = (
    "#FFF176", "#FFD54F", "#FFB74D", "#FF8A65", "#F4511E",
    "#E53935", "#C2185B", "#8E24AA", "#5E35B1", "#283593",
)  # fmt: skip


def new_id() -> str:
    return str(uuid.uuid4())


def parse_depth(value: str | int | Decimal) -> Decimal:
    """A needle depth in mm: exact, 0.25–2.5 in 0.25 steps (floats refused, as units are)."""
    if isinstance(value, float):
        raise TypeError("a depth must be given as a string, int or Decimal, never a float")
    depth = Decimal(str(value).strip())
    if not depth.is_finite() or depth < DEPTH_MIN or depth > DEPTH_MAX:
        raise ValueError(f"needle depth must be {DEPTH_MIN}–{DEPTH_MAX} mm, got {value!r}")
    if depth % DEPTH_STEP != 0:
        raise ValueError(f"needle depth must be a multiple of {DEPTH_STEP} mm, got {value!r}")
    return depth


def depth_colour(depth: Decimal) -> str:
    """The shading of a depth (the nearest step's colour)."""
    i = min(range(len(DEPTHS)), key=lambda k: abs(DEPTHS[k] - depth))
    return DEPTH_COLOURS[i]


def format_depth(depth: Decimal) -> str:
    """'0.25', '1', '1.5': as a clinician writes it (and as the canonical form stores it)."""
    return format(depth.normalize(), "f")


@dataclass(frozen=True, slots=True)
class AreaKind:
    """A named area and its usual depth range (the lower end is offered first)."""

    code: str
    name: str
    usual_low: Decimal
    usual_high: Decimal
    source: str


_D = "DOMAIN.md, Microneedling"
_EYES = f"{_D}: around the eyes"
_SCARS = f"{_D}: up to 2.5 mm for acne scars"
_C = "clinic default between DOMAIN.md's thin-skin and cheek ranges"

# The one table of usual depths. Forehead, periorbital, cheeks and scars are DOMAIN.md's
# figures; the others sit between its thin-skin and cheek ranges and are defaults, not rules.
AREA_KINDS: tuple[AreaKind, ...] = (
    AreaKind("forehead", "Forehead", Decimal("0.25"), Decimal("0.5"), f"{_D}: thin skin"),
    AreaKind("periorbital", "Periorbital", Decimal("0.25"), Decimal("0.5"), _EYES),
    AreaKind("cheeks", "Cheeks", Decimal("1.0"), Decimal("2.0"), f"{_D}: cheeks"),
    AreaKind("nose", "Nose", Decimal("0.5"), Decimal("1.0"), _C),
    AreaKind("perioral", "Perioral", Decimal("0.5"), Decimal("1.0"), _C),
    AreaKind("chin", "Chin", Decimal("1.0"), Decimal("1.5"), _C),
    AreaKind("jaw", "Jaw", Decimal("1.0"), Decimal("1.5"), _C),
    AreaKind("neck", "Neck", Decimal("0.25"), Decimal("0.5"), f"{_C}; the neck's skin is thin"),
    AreaKind("scars", "Scar area", Decimal("1.5"), Decimal("2.5"), _SCARS),
)  # fmt: skip
AREA_BY_NAME: dict[str, AreaKind] = {k.name.lower(): k for k in AREA_KINDS} | {
    k.code: k for k in AREA_KINDS
}


def area_kind(name: str) -> AreaKind | None:
    """The built-in area a name stands for; None for a clinic-defined name (no usual range)."""
    return AREA_BY_NAME.get(name.strip().lower())


def first_depth(name: str) -> Decimal:
    """The depth offered first for an area: the lower end of its usual range."""
    kind = area_kind(name)
    return kind.usual_low if kind else DEPTH_MIN


@dataclass(frozen=True, slots=True)
class AreaOrigin:
    """Where a carried-forward area came from: its id and the version (content hash)."""

    area_id: str
    version_hash: str


@dataclass(frozen=True, slots=True)
class TreatedArea:
    """One treated region of one view's photo: a closed polygon (≥ 3 vertices)."""

    polygon: tuple[Vertex, ...]
    name: str
    depth_mm: Decimal
    passes: int = 1
    note: str = ""
    origin: AreaOrigin | None = None
    id: str = field(default_factory=new_id)

    def __post_init__(self) -> None:
        if not isinstance(self.depth_mm, Decimal):
            raise TypeError("depth_mm must be a Decimal")
        if len(self.polygon) < 3:
            raise ValueError("an area needs at least 3 vertices")
        if self.passes < 1:
            raise ValueError("an area has at least one pass")


CONTRAINDICATIONS: tuple[tuple[str, str], ...] = (
    ("isotretinoin", "Isotretinoin (e.g. Roaccutane) in the last 6 months"),
    ("infection", "Active skin infection or herpes (cold sore) in the area"),
    ("keloid", "Keloid scarring"),
    ("pregnancy", "Pregnancy"),
)
CONTRAINDICATION_KEYS = tuple(k for k, _q in CONTRAINDICATIONS)


@dataclass(frozen=True, slots=True)
class ContraindicationCheck:
    """The questions asked before the first session, each answered yes (True) or no (False);
    a question not yet answered is absent. The clinician decides: FaceChart only records."""

    answers: tuple[tuple[str, bool], ...] = ()

    def answer(self, key: str) -> bool | None:
        return dict(self.answers).get(key)

    def with_answer(self, key: str, value: bool) -> ContraindicationCheck:
        if key not in CONTRAINDICATION_KEYS:
            raise KeyError(key)
        kept = {k: v for k, v in self.answers if k != key} | {key: value}
        return ContraindicationCheck(tuple(sorted(kept.items())))

    @property
    def complete(self) -> bool:
        return all(self.answer(k) is not None for k in CONTRAINDICATION_KEYS)

    @property
    def positives(self) -> list[str]:
        return [k for k in CONTRAINDICATION_KEYS if self.answer(k)]


ENDPOINTS: tuple[str, ...] = (
    "Mild erythema",
    "Uniform erythema",
    "Pinpoint bleeding",
    "Erythema and bleeding",
)
FITZPATRICK: tuple[str, ...] = ("I", "II", "III", "IV", "V", "VI")
DEFAULT_COURSE_SESSIONS = 3  # DOMAIN.md: courses are 3–6 sessions about 4 weeks apart
SESSION_INTERVAL_DAYS = 28


@dataclass(frozen=True, slots=True)
class MicroneedlingSession:
    """What one session records beside its areas. `anaesthetic_at` is UTC (CONTRACTS.md)."""

    device: str = ""
    cartridge: str = ""
    cartridge_lot: str = ""  # indexed by lot recall, as toxin lots are
    serum: str = ""
    anaesthetic_at: datetime | None = None
    endpoint: str = ""
    fitzpatrick: int | None = None  # 1–6 (I–VI)
    reaction: str = ""
    aftercare: str = ""
    contraindications: ContraindicationCheck | None = None  # asked before the first session
    # A course (ADR 0029): its first session says how many are planned; a later session may
    # close it by hand. Later sessions join the patient's open course (app/services/mn_course).
    course_sessions: int | None = None
    course_closed: bool = False

    def __post_init__(self) -> None:
        if self.course_sessions is not None and not 1 <= self.course_sessions <= 12:
            raise ValueError("a course plans 1–12 sessions")
        if self.fitzpatrick is not None and not 1 <= self.fitzpatrick <= 6:
            raise ValueError("Fitzpatrick skin type is I–VI (1–6)")
        if self.anaesthetic_at is not None and self.anaesthetic_at.tzinfo is None:
            raise ValueError("anaesthetic_at must be timezone-aware (UTC)")


def is_microneedling(treatment: TreatmentType | str) -> bool:
    return TreatmentType(treatment) is TreatmentType.MICRONEEDLING
