"""Chart content: what one saved version holds, in photo pixel coordinates (CONTRACTS.md).

Plain frozen dataclasses, no Qt and no database. Positions are floats in the pixels of the photo
after EXIF orientation (origin at the top-left corner of the top-left pixel, y down).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from app.domain.microneedling import MicroneedlingSession, TreatedArea
from app.domain.values import Depth, Dilution, Side, Source

# (x, y, pressure 0..1, t milliseconds since the stroke began)
Sample = tuple[float, float, float, float]


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True, slots=True)
class Stroke:
    """One pencil stroke. A partial erase replaces a stroke by its pieces; eraser strokes are
    never stored."""

    samples: tuple[Sample, ...]
    color: str = "white"
    style: str = "solid"  # "solid" | "dashed" (muscle borders)
    width: float = 6.0  # nominal width in photo pixels at pressure 1
    id: str = field(default_factory=new_id)


@dataclass(frozen=True, slots=True)
class PointOrigin:
    """Where a carried-forward point came from: its id and the version (content hash) it was in."""

    point_id: str
    version_hash: str


@dataclass(frozen=True, slots=True)
class InjectionPoint:
    x: float
    y: float
    product: str  # product code from the catalogue
    units: Decimal
    depth: Depth = Depth.INTRAMUSCULAR
    zone: str = ""  # muscle or zone
    side: Side | None = None  # the patient's own side
    note: str = ""
    origin: PointOrigin | None = None
    id: str = field(default_factory=new_id)
    # Where side and zone came from; None on points saved before this was recorded.
    side_source: Source | None = None
    zone_source: Source | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.units, Decimal):
            raise TypeError("units must be a Decimal")


@dataclass(frozen=True, slots=True)
class ProductUse:
    """A product used in the visit: which lot, its expiry and how it was reconstituted."""

    product: str
    lot: str = ""
    expiry: date | None = None
    dilution: Dilution | None = None


@dataclass(frozen=True, slots=True)
class OverlayUse:
    """An earlier chart version shown over this view at a touch-up or repeat visit: which version,
    the earlier photo its coordinates refer to, and the alignment mapping that took them onto
    this view's photo (app.alignment `to_dict()` form, ADR 0009), so the chart reopens
    identically. The mapping is part of the hash-covered content (ADR 0003)."""

    version_hash: str
    photo_sha256: str | None
    # A JSON-ready dict; kept out of __hash__ (dicts are unhashable), compared by value.
    mapping: Mapping[str, Any] = field(hash=False)


@dataclass(frozen=True, slots=True)
class ViewChart:
    """The markings and points on one view's photo. `photo_sha256` names the exact photo the
    coordinates refer to; `overlays` the earlier charts shown over it, in legend order;
    `areas` a microneedling chart's treated regions (app/domain/microneedling.py)."""

    view: str
    photo_sha256: str | None = None
    strokes: tuple[Stroke, ...] = ()
    points: tuple[InjectionPoint, ...] = ()
    overlays: tuple[OverlayUse, ...] = ()
    areas: tuple[TreatedArea, ...] = ()


@dataclass(frozen=True, slots=True)
class ChartContent:
    views: tuple[ViewChart, ...] = ()
    products: tuple[ProductUse, ...] = ()
    note: str = ""
    # A microneedling visit's session record (device, cartridge and lot, ...); None on a toxin
    # chart, whose canonical form then has no such key (ADR 0003, ADR 0029).
    microneedling: MicroneedlingSession | None = None

    def view(self, code: str) -> ViewChart | None:
        return next((v for v in self.views if v.view == code), None)

    def with_view(self, view_chart: ViewChart) -> ChartContent:
        others = [v for v in self.views if v.view != view_chart.view]
        return replace(self, views=tuple([*others, view_chart]))

    def all_points(self) -> Iterable[tuple[str, InjectionPoint]]:
        for v in self.views:
            for p in v.points:
                yield v.view, p

    def all_areas(self) -> Iterable[tuple[str, TreatedArea]]:
        for v in self.views:
            for a in v.areas:
                yield v.view, a
