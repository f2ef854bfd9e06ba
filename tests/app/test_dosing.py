"""The dose a new point starts with, and a single point's implausible dose."""

from __future__ import annotations

from decimal import Decimal

from app.domain.chart import ChartContent, InjectionPoint, ViewChart
from app.domain.dosing import implausible_point, usual_dose


def pt(units: str, product: str = "botox", zone: str = "procerus") -> InjectionPoint:
    return InjectionPoint(0, 0, product, Decimal(units), zone=zone)


def chart(*points: InjectionPoint) -> ChartContent:
    return ChartContent(views=(ViewChart("frown", None, (), points),))


def test_the_newest_dose_placed_twice_is_the_usual_one_never_an_outlier() -> None:
    assert usual_dose(chart(), "botox") == Decimal(4)  # nothing placed: the default
    assert usual_dose(chart(pt("5"), pt("5"), pt("30.5")), "botox") == Decimal(5)
    assert usual_dose(chart(pt("5"), pt("5"), pt("2.5"), pt("2.5")), "botox") == Decimal("2.5")
    assert usual_dose(chart(pt("30.5")), "botox") == Decimal(4)  # one odd point is no habit
    # Another product's doses say nothing about this one.
    assert usual_dose(chart(pt("10", "dysport"), pt("10", "dysport")), "botox") == Decimal(4)


def test_a_point_above_its_areas_whole_label_dose_is_implausible() -> None:
    why = implausible_point(pt("30.5"))
    assert why is not None and "30.5 U" in why and "glabellar lines (20 U)" in why
    assert implausible_point(pt("4")) is None
    assert implausible_point(pt("30.5", "dysport")) is None  # no label dose known: no guess
