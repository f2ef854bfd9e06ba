"""Doses across visits: per product, the units of the last 3 months (touch-ups and today's
unsaved chart included) beside the label's cumulative limit; per area, the course (the
treatment and its touch-ups) against the area's label dose. Said, never enforced.

Sums go through app/domain/totals.py (`totals`, `combined`, `area_units`): no other place
adds units. Units of different products are never added together.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from app.domain.chart import ChartContent, InjectionPoint
from app.domain.doses import CUMULATIVE_LIMITS, CUMULATIVE_MONTHS, doses_for
from app.domain.soft_warnings import CUMULATIVE_3_MONTHS, LABEL_DOSE, Warning
from app.domain.totals import ProductTotal, area_units, combined, dose_warnings, totals
from app.domain.values import format_units


@dataclass(frozen=True, slots=True)
class EarlierVisit:
    """Another visit of the patient, as its newest saved version holds it."""

    visit_id: int
    visit_date: date
    in_course: bool  # the treatment this visit belongs to, or another touch-up of it
    totals: Mapping[str, ProductTotal]


@dataclass(frozen=True, slots=True)
class DoseHistory:
    """What the patient's other visits add to this one's (visits entered in error count
    nothing and are not here)."""

    visit_date: date
    others: tuple[EarlierVisit, ...] = ()
    # The other visits' sums, added once: each tap then adds only today's chart to them.
    window_before: dict[str, ProductTotal] = field(init=False, repr=False, compare=False)
    course_before: dict[str, ProductTotal] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "window_before", combined(v.totals for v in self.window))
        object.__setattr__(self, "course_before", combined(v.totals for v in self.course))

    @property
    def window_start(self) -> date:
        return months_before(self.visit_date, CUMULATIVE_MONTHS)

    def in_window(self, day: date) -> bool:
        """Within the 3 months up to this visit, both ends included: a visit exactly 3 months
        before still counts (the cautious reading of "a 3-month interval")."""
        return self.window_start <= day <= self.visit_date

    @property
    def window(self) -> tuple[EarlierVisit, ...]:
        return tuple(v for v in self.others if self.in_window(v.visit_date))

    @property
    def course(self) -> tuple[EarlierVisit, ...]:
        return tuple(v for v in self.others if v.in_course)


def months_before(day: date, months: int) -> date:
    """The same day of the month `months` earlier, the month's last day when it is shorter
    (31 May → 28 or 29 February)."""
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    m += 1
    return date(y, m, min(day.day, calendar.monthrange(y, m)[1]))


Today = ChartContent | Mapping[str, ProductTotal]  # the chart, or its `totals` already added


def _totals(today: Today) -> Mapping[str, ProductTotal]:
    return totals(today) if isinstance(today, ChartContent) else today


def window_totals(history: DoseHistory, today: Today) -> dict[str, ProductTotal]:
    """Per product, the last 3 months with today's chart."""
    return combined([history.window_before, _totals(today)])


def course_totals(history: DoseHistory, today: Today) -> dict[str, ProductTotal]:
    """Per product, the course: the treatment, its touch-ups and today's chart."""
    return combined([history.course_before, _totals(today)])


def cumulative_warnings(history: DoseHistory, today: Today) -> list[Warning]:
    found = []
    for code, t in sorted(window_totals(history, today).items()):
        limit = CUMULATIVE_LIMITS.get(code)
        if limit is not None and t.total > limit.units:
            found.append(
                Warning(
                    CUMULATIVE_3_MONTHS,
                    f"{format_units(t.total)} U of {limit.generic} since "
                    f"{history.window_start.isoformat()} (all visits, today included), "
                    f"above the label's cumulative {format_units(limit.units)} U in "
                    f"{CUMULATIVE_MONTHS} months.",
                    product=code,
                )
            )
    return found


def label_dose_warnings(history: DoseHistory | None, today: Today) -> list[Warning]:
    """Each area against its label dose: today's units, or the course's when this visit is
    part of one (today over the label dose means the course is too: one warning per area)."""
    now_totals = _totals(today)
    if history is None or not history.course:
        return dose_warnings(now_totals)
    found = []
    for code, t in sorted(course_totals(history, now_totals).items()):
        for dose in doses_for(code):
            units = area_units(t, dose)
            if units > dose.units:
                now = area_units(now_totals[code], dose) if code in now_totals else Decimal(0)
                found.append(
                    Warning(
                        LABEL_DOSE,
                        f"{dose.area.capitalize()}: {format_units(units)} U over the course "
                        f"(treatment and touch-ups; {format_units(now)} U today), above the "
                        f"label dose of {format_units(dose.units)} U.",
                        product=code,
                        area=dose.area,
                    )
                )
    return found


def point_relevant(warnings: list[Warning], point: InjectionPoint) -> list[Warning]:
    """Of the chart's cross-visit warnings, those the point adds to: its product's 3-month
    total, its area's course total."""
    areas = {d.area for d in doses_for(point.product) if point.zone in d.zones}
    return [
        w
        for w in warnings
        if w.product == point.product
        and (w.kind == CUMULATIVE_3_MONTHS or (w.kind == LABEL_DOSE and w.area in areas))
    ]


def across_lines(
    history: DoseHistory, today: Today, product_name: Callable[[str], str]
) -> list[str]:
    """The totals page's lines (sub-headings end in ':', entries are indented by two)."""
    today = _totals(today)
    lines = [f"Last {CUMULATIVE_MONTHS} months (since {history.window_start.isoformat()}):"]
    for code, t in sorted(window_totals(history, today).items(), key=lambda kv: kv[0]):
        limit = CUMULATIVE_LIMITS.get(code)
        beside = f" of the label's {format_units(limit.units)} U limit" if limit else ""
        lines.append(f"  {product_name(code)}: {format_units(t.total)} U{beside}")
    if history.course:
        lines.append("Course by area (treatment and touch-ups):")
        for code, t in sorted(course_totals(history, today).items()):
            for dose in doses_for(code):
                units = area_units(t, dose)
                if units:
                    lines.append(
                        f"  {dose.area.capitalize()} ({product_name(code)}): "
                        f"{format_units(units)} U of the label's {format_units(dose.units)} U"
                    )
    return lines
