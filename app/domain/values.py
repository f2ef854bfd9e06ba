"""Small value types of the domain: treatment types, depths, sides, units, dilutions."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

_set_clock: ContextVar[datetime | None] = ContextVar("facechart_clock", default=None)


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC: every stored time is UTC (CONTRACTS.md)."""
    fixed = _set_clock.get()
    return fixed if fixed is not None else datetime.now(UTC)


@contextmanager
def clock_at(when: datetime) -> Iterator[None]:
    """Records made inside are stamped `when` (timezone-aware). Only the demo uses it, so that
    its story set months ago reads true (a chart saved on its visit's day, not today); nothing
    a user does passes through here."""
    if when.tzinfo is None:
        raise ValueError("clock_at needs a timezone-aware time")
    token = _set_clock.set(when.astimezone(UTC))
    try:
        yield
    finally:
        _set_clock.reset(token)


class TreatmentType(enum.StrEnum):
    NEUROTOXIN = "neurotoxin"
    MICRONEEDLING = "microneedling"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"neurotoxin": "Neurotoxin", "microneedling": "Microneedling", "other": "Other"}[
            self.value
        ]


class Depth(enum.StrEnum):
    INTRAMUSCULAR = "intramuscular"
    INTRADERMAL = "intradermal"
    SUBCUTANEOUS = "subcutaneous"


class Side(enum.StrEnum):
    """The patient's own side (their left is on the viewer's right of a frontal photo)."""

    LEFT = "left"
    RIGHT = "right"
    MIDLINE = "midline"


class Source(enum.StrEnum):
    """Where a point's side or zone came from: the face found in the photo, a guess from the
    photo's frame (no face found), or the clinician's own tap."""

    FACE = "face"
    GUESS = "guess"
    HAND = "hand"


class PhotoSource(enum.StrEnum):
    CAMERA = "camera"
    IMPORT = "import"
    DEMO = "demo"


def parse_units(value: str | int | Decimal) -> Decimal:
    """Units of toxin as an exact, non-negative decimal (2.5 U is common; floats are refused)."""
    if isinstance(value, float):
        raise TypeError("units must be given as a string, int or Decimal, never a float")
    try:
        units = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError(f"not a number of units: {value!r}") from exc
    if not units.is_finite() or units < 0:
        raise ValueError(f"units must be a finite number ≥ 0, got {value!r}")
    return units


def format_units(units: Decimal) -> str:
    """'4', '2.5', '0.25': no trailing zeros, never exponent notation."""
    text = format(units.normalize(), "f")
    return text


@dataclass(frozen=True, slots=True)
class Dilution:
    """A reconstitution: units in the vial and millilitres of diluent (both exact)."""

    vial_units: Decimal
    diluent_ml: Decimal

    def __post_init__(self) -> None:
        if self.vial_units <= 0 or self.diluent_ml <= 0:
            raise ValueError("a dilution needs units > 0 and diluent > 0 mL")

    @property
    def units_per_ml(self) -> Decimal:
        return self.vial_units / self.diluent_ml

    def volume_ml(self, units: Decimal) -> Decimal:
        """The volume to draw up for `units`, rounded to 0.001 mL."""
        return (units / self.units_per_ml).quantize(Decimal("0.001"))
