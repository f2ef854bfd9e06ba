"""Live totals of a chart and its soft warnings. Units of different products are never added:
every total below is inside one product (DOMAIN.md)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from app.domain.chart import ChartContent
from app.domain.doses import MIN_DAYS_BETWEEN_TREATMENTS, LabelDose, doses_for
from app.domain.soft_warnings import EXPIRED_LOT, INTERVAL, LABEL_DOSE, Warning
from app.domain.values import Side, Source, format_units

__all__ = [
    "ProductTotal",
    "Warning",
    "ZoneTotal",
    "area_units",
    "combined",
    "dose_warnings",
    "expiry_warnings",
    "guessed_side_warning",
    "interval_warning",
    "totals",
    "units_per_product",
    "version_summary",
]

ZERO = Decimal(0)


@dataclass(slots=True)
class ZoneTotal:
    zone: str
    left: Decimal = ZERO
    right: Decimal = ZERO
    midline: Decimal = ZERO  # also points whose side is unknown
    guessed: int = 0  # points whose side was guessed (no face found in their photo)

    @property
    def total(self) -> Decimal:
        return self.left + self.right + self.midline


@dataclass(slots=True)
class ProductTotal:
    product: str
    total: Decimal = ZERO
    points: int = 0
    left: Decimal = ZERO
    right: Decimal = ZERO
    zones: dict[str, ZoneTotal] = field(default_factory=dict)
    views: dict[str, Decimal] = field(default_factory=dict)


# The last few contents summed, by identity. A content never changes, and one edit's sums are
# read by the totals page, the soft warnings and the point sheet (seven sums per tap before):
# each content is now summed once. Held here, a content cannot be freed and its id reused.
_KEPT = 4
_summed: tuple[tuple[ChartContent, dict[str, ProductTotal]], ...] = ()


def totals(content: ChartContent) -> Mapping[str, ProductTotal]:
    """Per product: the visit's total, per side, per muscle/zone (with L/R) and per view.
    Read it, never change it: the same mapping answers every caller for this content (typed
    read-only, so the type checker refuses a caller that would change it)."""
    global _summed
    for seen, out in _summed:
        if seen is content:
            return out
    out = _sum(content)
    _summed = ((content, out), *_summed[: _KEPT - 1])  # one assignment: safe on workers too
    return out


def _sum(content: ChartContent) -> dict[str, ProductTotal]:
    out: dict[str, ProductTotal] = {}
    for view, p in content.all_points():
        t = out.setdefault(p.product, ProductTotal(p.product))
        t.total += p.units
        t.points += 1
        t.views[view] = t.views.get(view, ZERO) + p.units
        z = t.zones.setdefault(p.zone or "", ZoneTotal(p.zone or ""))
        if p.side_source is Source.GUESS:
            z.guessed += 1
        if p.side is Side.LEFT:
            z.left += p.units
            t.left += p.units
        elif p.side is Side.RIGHT:
            z.right += p.units
            t.right += p.units
        else:
            z.midline += p.units
    return out


def units_per_product(content: ChartContent) -> dict[str, Decimal]:
    """Total units per product code: the totals panel, the course total and the version
    summary all read this one sum. Units of different products are never added together."""
    return {code: t.total for code, t in totals(content).items()}


def version_summary(content: ChartContent) -> tuple[int, int, str]:
    """A version's stored summary for the history list: points, strokes and units per product
    as the JSON text `{"botox": "20"}`. Saving writes it; `check` recomputes it (issue #11)."""
    points = sum(len(v.points) for v in content.views)
    strokes = sum(len(v.strokes) for v in content.views)
    units = units_per_product(content)
    text = json.dumps({k: format_units(u) for k, u in sorted(units.items())})
    return points, strokes, text


def combined(parts: Iterable[Mapping[str, ProductTotal]]) -> dict[str, ProductTotal]:
    """Several visits' totals added up, product by product (a course, the last 3 months):
    the one place units are summed across visits. Products are never added together."""
    out: dict[str, ProductTotal] = {}
    for part in parts:
        for code, t in part.items():
            o = out.setdefault(code, ProductTotal(code))
            o.total += t.total
            o.points += t.points
            o.left += t.left
            o.right += t.right
            for view, units in t.views.items():
                o.views[view] = o.views.get(view, ZERO) + units
            for name, z in t.zones.items():
                oz = o.zones.setdefault(name, ZoneTotal(name))
                oz.left += z.left
                oz.right += z.right
                oz.midline += z.midline
    return out


def area_units(t: ProductTotal, dose: LabelDose) -> Decimal:
    """The units of one product in the muscles/zones of a label area."""
    return sum((t.zones[z].total for z in dose.zones if z in t.zones), ZERO)


def dose_warnings(per_product: Mapping[str, ProductTotal]) -> list[Warning]:
    """A total above the label dose for its area: said, never enforced."""
    found = []
    for code, t in sorted(per_product.items()):
        for dose in doses_for(code):
            units = area_units(t, dose)
            if units > dose.units:
                found.append(
                    Warning(
                        LABEL_DOSE,
                        f"{dose.area.capitalize()}: {format_units(units)} U, above the label "
                        f"dose of {format_units(dose.units)} U.",
                        product=code,
                        area=dose.area,
                    )
                )
    return found


def guessed_side_warning(content: ChartContent) -> Warning | None:
    """Points whose side no face confirmed: their totals per side may be wrong."""
    n = sum(1 for _v, p in content.all_points() if p.side_source is Source.GUESS)
    if not n:
        return None
    return Warning(
        "side_guessed",
        f"Side guessed for {n} point{'s' if n != 1 else ''}: no face found in the photo. "
        "Check the side on each point's sheet.",
    )


def interval_warning(visit_date: date, previous: date | None) -> Warning | None:
    """A toxin treatment less than 90 days after the previous one."""
    if previous is None:
        return None
    days = (visit_date - previous).days
    if days >= MIN_DAYS_BETWEEN_TREATMENTS:
        return None
    return Warning(
        INTERVAL,
        f"Only {days} days since the previous toxin treatment ({previous.isoformat()}); "
        f"treatments are usually at least {MIN_DAYS_BETWEEN_TREATMENTS} days apart.",
    )


def expiry_warnings(content: ChartContent, today: date) -> list[Warning]:
    return [
        Warning(EXPIRED_LOT, f"Lot {u.lot or '(no lot)'} of {u.product} expired {u.expiry}.")
        for u in content.products
        if u.expiry is not None and u.expiry < today
    ]
