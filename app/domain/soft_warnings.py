"""The one table of soft warnings: every warning FaceChart gives about a chart is a row here,
with what it checks and the text it comes from, so a clinic can see why it is said and switch
it off. A warning is never a limit: nothing is ever blocked (DOMAIN.md).

The checks themselves live beside the numbers they read (app/domain/totals.py, dosing.py,
across_visits.py) and are run, switches applied, by app/domain/checks.py. Every warning they
return carries its row's key as its `kind`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

LABEL_DOSE = "label_dose"
INTERVAL = "interval"
EXPIRED_LOT = "expired"
IMPLAUSIBLE_DOSE = "implausible_dose"
GLABELLAR_DISTANCE = "glabellar_distance"
CUMULATIVE_3_MONTHS = "cumulative_3_months"
NEEDLE_DEPTH = "needle_depth"

_PI = "BOTOX Cosmetic (onabotulinumtoxinA) US Prescribing Information"


@dataclass(frozen=True, slots=True)
class SoftWarningRule:
    key: str  # stable: stored in the clinic's settings and as a warning's `kind`
    title: str
    checks: str  # what is compared with what, in the clinician's words
    source: str  # the label or DOMAIN.md text the rule comes from
    default_on: bool = True


RULES: tuple[SoftWarningRule, ...] = (
    SoftWarningRule(
        LABEL_DOSE,
        "Label dose per area",
        "The units in an area (glabellar, lateral canthal, forehead lines) of one product, "
        "today and over the course (the treatment and its touch-ups), against the area's "
        "label dose.",
        f"{_PI}, section 2: glabellar lines 20 U in 5 sites; lateral canthal lines 24 U in "
        "6 sites; forehead lines 20 U in 5 sites, treated with glabellar lines.",
    ),
    SoftWarningRule(
        INTERVAL,
        "90 days since the last treatment",
        "A toxin visit less than 90 days after the patient's previous one (a touch-up of a "
        "treatment is part of it and is not counted).",
        f"{_PI}: treatments are spaced at least 90 days apart (DOMAIN.md, label doses).",
    ),
    SoftWarningRule(
        EXPIRED_LOT,
        "Expired lot",
        "A product used today whose lot's expiry date has passed.",
        "Each vial has a lot number and an expiry (DOMAIN.md, neurotoxin products).",
    ),
    SoftWarningRule(
        IMPLAUSIBLE_DOSE,
        "Implausible single dose",
        "One point holding more units than the whole label dose of its area, or, where no area "
        "dose applies, more than the clinic's largest single dose per point of its product "
        "(set below; the label gives none): most likely a slip of the units.",
        f"{_PI}, section 2: the label dose of each area (e.g. glabellar lines 20 U, usual "
        "sites of 4 U); the largest dose per point is the clinic's own.",
    ),
    SoftWarningRule(
        GLABELLAR_DISTANCE,
        "Glabellar distance from the brow",
        "In the frown view, a point closer than 1 cm above the central eyebrow; without a "
        "millimetre scale the distance is said to be unknown.",
        f"{_PI}: avoid the levator palpebrae superioris and do not inject closer than 1 cm "
        "above the central eyebrow (risk of a drooping eyelid).",
    ),
    SoftWarningRule(
        CUMULATIVE_3_MONTHS,
        "Cumulative dose over 3 months",
        "All units of onabotulinumtoxinA over the last 3 months, every area and visit "
        "(touch-ups and today's chart included), against the 400 U limit.",
        f"{_PI}: the maximum cumulative dose is 400 U in a 3-month interval.",
    ),
    SoftWarningRule(
        NEEDLE_DEPTH,
        "Needle depth above the area's usual range",
        "A microneedling area whose needle depth is deeper than the top of its area's usual "
        "range (app/domain/microneedling.py, AREA_KINDS); clinic-defined areas have none.",
        "DOMAIN.md, Microneedling: typically 0.25–0.5 mm on thin skin such as the forehead "
        "and around the eyes, 1.0–2.0 mm on the cheeks, up to 2.5 mm for acne scars.",
    ),
)

RULE_BY_KEY: dict[str, SoftWarningRule] = {r.key: r for r in RULES}


@dataclass(frozen=True, slots=True)
class Warning:
    kind: str  # the key of its row in RULES
    text: str
    product: str | None = None  # what it is about, so the point sheet can pick its own
    area: str | None = None


@dataclass(frozen=True, slots=True)
class Switches:
    """Which rows are on: each row's default unless the clinic switched it."""

    off: frozenset[str] = frozenset()

    @classmethod
    def from_settings(cls, stored: Mapping[str, bool]) -> Switches:
        on = {r.key: stored.get(r.key, r.default_on) for r in RULES}
        return cls(frozenset(k for k, v in on.items() if not v))

    def is_on(self, key: str) -> bool:
        if key not in RULE_BY_KEY:
            raise KeyError(f"No soft warning {key!r}: add it to RULES first.")
        return key not in self.off

    def shown(self, warnings: Iterable[Warning]) -> list[Warning]:
        return [w for w in warnings if self.is_on(w.kind)]


ALL_ON = Switches()
