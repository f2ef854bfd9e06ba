"""The dose a new point starts with, and a single point's implausible dose."""

from __future__ import annotations

from decimal import Decimal

from app.domain.chart import ChartContent, InjectionPoint, ViewChart
from app.domain.dosing import implausible_point, usual_dose
from tests.app.chart_factory import point


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


def test_a_clinics_largest_dose_per_point_applies_only_where_no_area_dose_does() -> None:
    masseter = point(1, 1, "30", zone="masseter")
    assert implausible_point(masseter) is None  # nothing set: nothing invented
    assert "25 U per point" in (implausible_point(masseter, Decimal(25)) or "")
    assert implausible_point(masseter, Decimal(30)) is None  # at the figure: fine
    glabella = point(1, 1, "12", zone="procerus")  # the label's glabellar area: 20 U
    assert implausible_point(glabella, Decimal(10)) is None


def test_the_largest_dose_per_point_is_stored_per_product(sqlite_store) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from app.services import catalogue
    from app.services.practitioners import default_practitioner

    admin = default_practitioner(sqlite_store).id  # a clinic setting: an admin's
    assert all(p.max_units_per_point is None for p in catalogue.list_products(sqlite_store))
    catalogue.set_max_units_per_point(sqlite_store, "dysport", Decimal("60.5"), admin)
    got = {p.code: p.max_units_per_point for p in catalogue.list_products(sqlite_store)}
    assert got["dysport"] == Decimal("60.5") and got["botox"] is None
    catalogue.set_max_units_per_point(sqlite_store, "dysport", None, admin)
    assert all(p.max_units_per_point is None for p in catalogue.list_products(sqlite_store))
    with pytest.raises(ValueError):
        catalogue.set_max_units_per_point(sqlite_store, "botox", Decimal(0), admin)
