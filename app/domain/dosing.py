"""The dose a new point starts with, and a single point's dose that looks like a slip.

A new point takes the chart's usual dose of its product: the most recent dose placed at least
twice in this chart (a clinician working a row of 4 U points), else the product's default —
never an outlier such as a 30.5 U point left by tapping + sixty times. A single point above
the whole label dose of its area is said to be implausible (a soft warning, never a limit).
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from app.domain.chart import ChartContent, InjectionPoint
from app.domain.doses import doses_for
from app.domain.values import format_units

DEFAULT_UNITS = Decimal(4)  # the label's usual site dose (DOMAIN.md)


def usual_dose(content: ChartContent, product: str, default: Decimal = DEFAULT_UNITS) -> Decimal:
    points = [p for _view, p in content.all_points() if p.product == product]
    counts = Counter(p.units for p in points)
    for p in reversed(points):  # the newest first
        if counts[p.units] >= 2:
            return p.units
    return default


def implausible_point(point: InjectionPoint, max_per_point: Decimal | None = None) -> str | None:
    """Why one point's dose looks like a slip, or None: above the whole label dose of the area
    its muscle belongs to, else (no area dose for it) above the clinic's largest single dose
    per point of its product, where the clinic set one (the catalogue's)."""
    area_dose = False
    for dose in doses_for(point.product):
        if point.zone in dose.zones:
            area_dose = True
            if point.units > dose.units:
                return (
                    f"One point of {format_units(point.units)} U is more than the whole label "
                    f"dose for {dose.area} ({format_units(dose.units)} U). Check the units."
                )
    if not area_dose and max_per_point is not None and point.units > max_per_point:
        return (
            f"One point of {format_units(point.units)} U is above this clinic's largest single "
            f"dose of this product ({format_units(max_per_point)} U per point). Check the units."
        )
    return None
