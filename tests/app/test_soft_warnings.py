"""The soft-warning table, row by row: what each row says, that a switched-off row says nothing,
and the sums across visits it reads (3-month window, course per area). No display, no store."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.domain.across_visits import (
    DoseHistory,
    EarlierVisit,
    across_lines,
    months_before,
    window_totals,
)
from app.domain.chart import ChartContent, InjectionPoint, ProductUse, ViewChart
from app.domain.checks import SafetyChecks
from app.domain.soft_warnings import (
    ALL_ON,
    CUMULATIVE_3_MONTHS,
    EXPIRED_LOT,
    GLABELLAR_DISTANCE,
    IMPLAUSIBLE_DOSE,
    INTERVAL,
    LABEL_DOSE,
    NEEDLE_DEPTH,
    RULES,
    Switches,
)
from app.domain.totals import combined, totals
from tests.app.chart_factory import point

TODAY = date(2026, 6, 15)


def chart(*points: InjectionPoint, products: tuple[ProductUse, ...] = ()) -> ChartContent:
    return ChartContent(views=(ViewChart("frown", None, points=points),), products=products)


def glabellar(units: str, n: int = 1, product: str = "botox") -> list[InjectionPoint]:
    return [point(10 * i, 10, units, product, zone="procerus") for i in range(n)]


def earlier(
    day: date, content: ChartContent, in_course: bool = False, vid: int = 1
) -> EarlierVisit:
    return EarlierVisit(vid, day, in_course, totals(content))


def kinds(checks: SafetyChecks, content: ChartContent) -> list[str]:
    return [w.kind for w in checks.for_chart(content)]


def checks(**kw: object) -> SafetyChecks:
    return SafetyChecks(TODAY, TODAY, **kw)  # type: ignore[arg-type]  # the tests' few fields


# --- the table ---------------------------------------------------------------------------------


def test_the_table_has_every_row_once_with_its_source_and_on_by_default() -> None:
    keys = [r.key for r in RULES]
    assert keys == [
        LABEL_DOSE,
        INTERVAL,
        EXPIRED_LOT,
        IMPLAUSIBLE_DOSE,
        GLABELLAR_DISTANCE,
        CUMULATIVE_3_MONTHS,
        NEEDLE_DEPTH,  # microneedling (ADR 0029)
    ]
    assert all(r.title and r.checks and r.source and r.default_on for r in RULES)
    assert "400 U" in next(r.source for r in RULES if r.key == CUMULATIVE_3_MONTHS)
    assert "1 cm above the central eyebrow" in next(
        r.source for r in RULES if r.key == GLABELLAR_DISTANCE
    )


def test_switches_default_on_and_refuse_an_unknown_row() -> None:
    s = Switches.from_settings({INTERVAL: False, LABEL_DOSE: True})
    assert not s.is_on(INTERVAL) and s.is_on(LABEL_DOSE) and s.is_on(EXPIRED_LOT)
    with pytest.raises(KeyError):
        s.is_on("made_up")
    with pytest.raises(KeyError):
        checks().register_point_check("made_up", lambda v, p: None)


# --- each row: said when it applies, silent when switched off ---------------------------------


def test_label_dose_per_area_today() -> None:
    c = chart(*glabellar("5", 5))  # 25 U glabellar
    (w,) = checks().for_chart(c)
    assert w.kind == LABEL_DOSE and "25 U" in w.text and "20 U" in w.text
    assert w.area == "glabellar lines" and w.product == "botox"
    assert checks(switches=Switches(frozenset({LABEL_DOSE}))).for_chart(c) == []
    assert checks().for_chart(chart(*glabellar("4", 5))) == []  # 20 U is the label dose


def test_label_dose_over_the_course_counts_the_treatment_and_its_touch_ups() -> None:
    history = DoseHistory(TODAY, (earlier(date(2026, 6, 1), chart(*glabellar("4", 5)), True),))
    c = chart(*glabellar("2", 2))  # 4 U today: 24 U over the course
    (w,) = checks(history=history).for_chart(c)
    assert w.kind == LABEL_DOSE and "24 U over the course" in w.text and "4 U today" in w.text
    # a visit that is not of the course (in the window only) is not part of the area's dose
    other = DoseHistory(TODAY, (earlier(date(2026, 6, 1), chart(*glabellar("4", 5))),))
    assert checks(history=other).for_chart(c) == []
    # the sheet of a glabellar point says it; a frontalis point's sheet does not
    p = c.views[0].points[0]
    assert [w.kind for w in checks(history=history).for_point("frown", p, c)] == [LABEL_DOSE]
    forehead = point(5, 5, "2", zone="frontalis")
    assert checks(history=history).for_point("frown", forehead, c) == []


def test_interval_of_90_days() -> None:
    c = chart()
    assert kinds(checks(previous_treatment=date(2026, 4, 1)), c) == [INTERVAL]  # 75 days
    assert kinds(checks(previous_treatment=date(2026, 3, 17)), c) == []  # 90 days
    assert kinds(checks(previous_treatment=None), c) == []  # a touch-up, or the first
    off = Switches(frozenset({INTERVAL}))
    assert kinds(checks(previous_treatment=date(2026, 4, 1), switches=off), c) == []


def test_expired_lot() -> None:
    old = ProductUse("botox", lot="C1234", expiry=date(2026, 6, 14))
    fine = ProductUse("dysport", lot="D1", expiry=TODAY)
    c = chart(products=(old, fine))
    (w,) = checks().for_chart(c)
    assert w.kind == EXPIRED_LOT and "C1234" in w.text
    assert checks().lot_expired(old) and not checks().lot_expired(fine)
    off = checks(switches=Switches(frozenset({EXPIRED_LOT})))
    assert off.for_chart(c) == [] and not off.lot_expired(old)


def test_implausible_single_dose_on_the_sheet_and_in_the_totals() -> None:
    slip = point(10, 10, "30.5", zone="procerus")
    c = chart(slip)
    sheet = checks().for_point("frown", slip, c)
    assert [w.kind for w in sheet] == [IMPLAUSIBLE_DOSE, LABEL_DOSE]
    assert IMPLAUSIBLE_DOSE in kinds(checks(), c)
    off = checks(switches=Switches(frozenset({IMPLAUSIBLE_DOSE})))
    assert [w.kind for w in off.for_point("frown", slip, c)] == [LABEL_DOSE]


def test_the_dose_rows_of_one_content_are_worked_out_once_and_follow_the_switches() -> None:
    slip = point(10, 10, "30.5", zone="procerus")
    c = chart(slip)
    on = checks()
    sheet = on.for_point("frown", slip, c)
    sheet.append(sheet[0])  # a caller adding to its list changes nobody else's
    assert [w.kind for w in on.for_point("frown", slip, c)] == [IMPLAUSIBLE_DOSE, LABEL_DOSE]
    on.switches = Switches(frozenset({LABEL_DOSE}))  # switched off: asked again, not kept
    assert [w.kind for w in on.for_point("frown", slip, c)] == [IMPLAUSIBLE_DOSE]
    fine = chart(point(10, 10, "4", zone="procerus"))
    on.switches = ALL_ON
    assert LABEL_DOSE not in kinds(on, fine)  # another content: its own rows


def test_glabellar_distance_check_registers_and_switches_off() -> None:
    seen: list[str] = []

    def too_close(view: str, p: InjectionPoint) -> str | None:
        seen.append(view)
        return "7 mm above the central eyebrow: closer than 1 cm." if p.y > 50 else None

    near, far = point(10, 60, zone="procerus"), point(10, 20, zone="procerus")
    c = chart(near, far)
    on = checks()
    on.register_point_check(GLABELLAR_DISTANCE, too_close)
    assert [w.kind for w in on.for_point("frown", near, c)] == [GLABELLAR_DISTANCE]
    assert on.for_point("frown", far, c) == []
    assert kinds(on, c) == [GLABELLAR_DISTANCE]
    off = checks(switches=Switches(frozenset({GLABELLAR_DISTANCE})))
    off.register_point_check(GLABELLAR_DISTANCE, too_close)
    seen.clear()
    assert off.for_chart(c) == [] and seen == []  # a switched-off check is not even run


def test_cumulative_3_months_counts_every_visit_in_the_window_and_today() -> None:
    big = chart(*[point(i, i, "50", zone="masseter") for i in range(7)])  # 350 U
    history = DoseHistory(TODAY, (earlier(date(2026, 4, 1), big, vid=1),))
    c = chart(*[point(i, i, "10", zone="masseter") for i in range(5)])  # 50 U: 400 U
    assert checks(history=history).for_chart(c) == []  # at the limit, not above
    c2 = chart(*[point(i, i, "10", zone="masseter") for i in range(6)])  # 410 U
    (w,) = checks(history=history).for_chart(c2)
    assert w.kind == CUMULATIVE_3_MONTHS
    assert "410 U of onabotulinumtoxinA since 2026-03-15" in w.text
    masseter = c2.views[0].points[0]
    assert [x.kind for x in checks(history=history).for_point("frown", masseter, c2)] == [
        CUMULATIVE_3_MONTHS
    ]
    other = point(1, 1, "10", "dysport", zone="masseter")  # another product adds nothing
    assert checks(history=history).for_point("frown", other, c2) == []
    off = Switches(frozenset({CUMULATIVE_3_MONTHS}))
    assert checks(history=history, switches=off).for_chart(c2) == []


def test_no_limit_is_invented_for_other_products() -> None:
    lots = chart(*[point(i, i, "100", "dysport", zone="masseter") for i in range(6)])
    assert checks(history=DoseHistory(TODAY)).for_chart(lots) == []


# --- the 3-month window and the sums -----------------------------------------------------------


def test_the_window_is_3_calendar_months_both_ends_included() -> None:
    assert months_before(date(2026, 6, 15), 3) == date(2026, 3, 15)
    assert months_before(date(2026, 5, 31), 3) == date(2026, 2, 28)
    assert months_before(date(2028, 5, 31), 3) == date(2028, 2, 29)
    assert months_before(date(2026, 2, 10), 3) == date(2025, 11, 10)
    h = DoseHistory(TODAY)
    assert h.in_window(date(2026, 3, 15)) and not h.in_window(date(2026, 3, 14))
    assert h.in_window(TODAY) and not h.in_window(date(2026, 6, 16))


def test_window_totals_add_only_visits_in_the_window_and_never_across_products() -> None:
    c = chart(point(1, 1, "10"), point(2, 2, "20", "dysport"))
    history = DoseHistory(
        TODAY,
        (
            earlier(date(2026, 3, 14), chart(point(1, 1, "100")), vid=1),  # a day too early
            earlier(date(2026, 3, 15), chart(point(1, 1, "30")), vid=2),
            earlier(date(2026, 5, 1), chart(point(1, 1, "8", "dysport")), vid=3),
        ),
    )
    got = {code: t.total for code, t in window_totals(history, c).items()}
    assert got == {"botox": Decimal(40), "dysport": Decimal(28)}
    names = {"botox": "Botox Cosmetic", "dysport": "Dysport"}
    lines = across_lines(history, c, names.__getitem__)
    assert lines == [
        "Last 3 months (since 2026-03-15):",
        "  Botox Cosmetic: 40 U of the label's 400 U limit",
        "  Dysport: 28 U",
    ]


def test_combined_adds_zones_sides_and_views_per_product() -> None:
    a = totals(chart(point(1, 1, "4", zone="procerus")))
    b = totals(chart(point(1, 1, "2.5", zone="procerus"), point(2, 2, "3", "dysport")))
    out = combined([a, b])
    assert out["botox"].total == Decimal("6.5") and out["botox"].points == 2
    assert out["botox"].zones["procerus"].total == Decimal("6.5")
    assert out["dysport"].total == Decimal(3)
    assert a["botox"].total == Decimal(4)  # the parts are left as they were
