"""Runs every row of the soft-warning table (app/domain/soft_warnings.py) over one visit's
chart, with the clinic's switches applied: what the totals page and the point sheet show.

A check that needs more than the chart (the glabellar distance needs the photo's landmarks
and millimetre scale) is registered on the visit's `SafetyChecks` by whoever has that data:

    checks.register_point_check(GLABELLAR_DISTANCE, check)

where `check(view, point)` returns the warning's text, or None when the point is fine. A
registered point check runs on the point sheet for its point and in the totals for every
point; a switched-off row's check is not even run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from app.domain.across_visits import (
    DoseHistory,
    across_lines,
    cumulative_warnings,
    label_dose_warnings,
    point_relevant,
)
from app.domain.chart import ChartContent, InjectionPoint, ProductUse
from app.domain.dosing import implausible_point
from app.domain.soft_warnings import (
    ALL_ON,
    CUMULATIVE_3_MONTHS,
    EXPIRED_LOT,
    IMPLAUSIBLE_DOSE,
    INTERVAL,
    LABEL_DOSE,
    RULE_BY_KEY,
    Switches,
    Warning,
)
from app.domain.totals import expiry_warnings, interval_warning, totals

PointCheck = Callable[[str, InjectionPoint], str | None]  # (view, point) → why, or None


@dataclass
class SafetyChecks:
    """The soft warnings of one visit. `previous_treatment` is the date of the patient's
    previous toxin visit (None for a touch-up, which comes ~2 weeks after by design)."""

    visit_date: date
    today: date
    previous_treatment: date | None = None
    history: DoseHistory | None = None
    switches: Switches = ALL_ON
    point_checks: dict[str, PointCheck] = field(default_factory=dict)
    # the clinic's largest single dose per point, by product code (catalogue; may be empty)
    max_per_point: dict[str, Decimal] = field(default_factory=dict)
    # The dose rows of the last content, by identity: the totals page and the point sheet ask
    # for them after every edit; they depend only on the content, the history and switches.
    _last_doses: tuple[ChartContent, DoseHistory | None, Switches, list[Warning]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def register_point_check(self, key: str, check: PointCheck) -> None:
        if key not in RULE_BY_KEY:
            raise KeyError(f"No soft warning {key!r}: add its row to RULES first.")
        self.point_checks[key] = check

    def on(self, key: str) -> bool:
        return self.switches.is_on(key)

    # -- what is shown ----------------------------------------------------------------------

    def for_chart(self, content: ChartContent) -> list[Warning]:
        """Every switched-on warning of the chart, the visit's own first, then each point's."""
        found = self._visit_level(content)
        for view, point in content.all_points():
            found += [w for w in self._point_level(view, point) if w not in found]
        return found

    def for_point(self, view: str, point: InjectionPoint, content: ChartContent) -> list[Warning]:
        """The point's own warnings, then the chart's dose warnings it adds to."""
        return self._point_level(view, point) + point_relevant(self._doses(content), point)

    def lot_expired(self, use: ProductUse) -> bool:
        return self.on(EXPIRED_LOT) and use.expiry is not None and use.expiry < self.today

    def across_lines(self, content: ChartContent, name: Callable[[str], str]) -> list[str]:
        """The 3-month and course lines of the totals page (none without history)."""
        return across_lines(self.history, content, name) if self.history else []

    # -- the rows ---------------------------------------------------------------------------

    def _visit_level(self, content: ChartContent) -> list[Warning]:
        found: list[Warning] = []
        if self.on(INTERVAL):
            w = interval_warning(self.visit_date, self.previous_treatment)
            found += [w] if w else []
        if self.on(EXPIRED_LOT):
            found += expiry_warnings(content, self.today)
        return found + self._doses(content)

    def _doses(self, content: ChartContent) -> list[Warning]:
        """The label-dose and 3-month rows (a new list: callers may add to it)."""
        last = self._last_doses
        if (
            last is not None
            and last[0] is content
            and last[1] is self.history
            and last[2] is self.switches
        ):
            return list(last[3])
        today = totals(content)  # added once for both rows
        found: list[Warning] = []
        if self.on(LABEL_DOSE):
            found += label_dose_warnings(self.history, today)
        if self.on(CUMULATIVE_3_MONTHS) and self.history is not None:
            found += cumulative_warnings(self.history, today)
        self._last_doses = (content, self.history, self.switches, found)
        return list(found)

    def _point_level(self, view: str, point: InjectionPoint) -> list[Warning]:
        found = []
        cap = self.max_per_point.get(point.product)
        if self.on(IMPLAUSIBLE_DOSE) and (why := implausible_point(point, cap)):
            found.append(Warning(IMPLAUSIBLE_DOSE, why, product=point.product))
        for key, check in self.point_checks.items():
            if self.on(key) and (why := check(view, point)):
                found.append(Warning(key, why, product=point.product))
        return found
