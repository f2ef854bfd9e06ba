"""Label doses: soft warnings when a chart goes above them, never limits (DOMAIN.md).

Source: BOTOX® Cosmetic (onabotulinumtoxinA) US Prescribing Information, Allergan/AbbVie,
section 2 "Dosage and Administration" (glabellar lines 20 U in 5 sites, lateral canthal lines
24 U in 6 sites, forehead lines 20 U in 5 sites, treated together with glabellar lines), as
summarised in shared/DOMAIN.md. Doses of other toxins are product-specific and not given here:
no warning is better than a wrong one.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

MIN_DAYS_BETWEEN_TREATMENTS = 90  # "treatments are spaced at least 90 days apart"
CUMULATIVE_MONTHS = 3  # "maximum cumulative dose is 400 U in a 3-month interval"


@dataclass(frozen=True, slots=True)
class LabelDose:
    area: str  # what the clinician calls it
    product: str  # product code the label is for
    units: Decimal  # the total on the label for the area, both sides together
    zones: tuple[str, ...]  # the muscles/zones whose points count towards the area
    source: str


_PI = "BOTOX Cosmetic US Prescribing Information, section 2"

LABEL_DOSES: tuple[LabelDose, ...] = (
    LabelDose(
        "glabellar lines",
        "botox",
        Decimal(20),
        ("procerus", "corrugator supercilii", "depressor supercilii"),
        _PI,
    ),
    LabelDose("lateral canthal lines", "botox", Decimal(24), ("orbicularis oculi (lateral)",), _PI),
    LabelDose("forehead lines", "botox", Decimal(20), ("frontalis",), _PI),
)


def doses_for(product: str) -> tuple[LabelDose, ...]:
    return tuple(d for d in LABEL_DOSES if d.product == product)


@dataclass(frozen=True, slots=True)
class CumulativeLimit:
    """The label's maximum cumulative dose of one product over CUMULATIVE_MONTHS, all areas
    and visits together."""

    product: str  # product code
    generic: str  # the name the label gives it
    units: Decimal
    source: str


# Only onabotulinumtoxinA's is given (DOMAIN.md); other products: none, never a guess.
CUMULATIVE_LIMITS: dict[str, CumulativeLimit] = {
    "botox": CumulativeLimit("botox", "onabotulinumtoxinA", Decimal(400), _PI),
}
