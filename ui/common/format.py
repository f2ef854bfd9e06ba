"""How dates, times and units read on screen. One place, so every screen says it the same way."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal

from app.domain.values import format_units
from ui.common.context import AppContext

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day(d: date) -> str:
    """'12 Mar 1984': unambiguous whatever the reader's habit of day/month order."""
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def born(d: date) -> str:
    return f"Born {day(d)}"


def local_time(t: datetime) -> str:
    """A stored UTC time in this computer's local time zone."""
    local = t.astimezone()
    return f"{day(local.date())}, {local:%H:%M}"


def units_lines(ctx: AppContext, units: Mapping[str, Decimal]) -> list[str]:
    """One line per product ('Botox Cosmetic 25 U'): units of different products are never
    added together (DOMAIN.md), so there is no grand total."""
    return [
        f"{ctx.product_name(code)} {format_units(u)} {ctx.unit_label(code)}"
        for code, u in sorted(units.items(), key=lambda kv: ctx.product_name(kv[0]))
    ]


def units_text(ctx: AppContext, units: Mapping[str, Decimal], empty: str = "No units") -> str:
    lines = units_lines(ctx, units)
    return " · ".join(lines) if lines else empty


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


DEPTH_WORDS = {
    "intramuscular": "Intramuscular",
    "intradermal": "Intradermal",
    "subcutaneous": "Subcutaneous",
}
