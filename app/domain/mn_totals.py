"""A microneedling chart's totals and its one soft warning: what matters for this treatment
is the areas treated, the depth of each and the passes (nothing of units or label doses)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.domain.chart import ChartContent
from app.domain.microneedling import TreatedArea, area_kind, format_depth
from app.domain.soft_warnings import NEEDLE_DEPTH, Warning


@dataclass(frozen=True, slots=True)
class AreaLine:
    view: str
    area_id: str
    name: str
    depth_mm: Decimal
    passes: int
    above_usual: bool
    note: str = ""


@dataclass(frozen=True, slots=True)
class MicroneedlingTotals:
    lines: tuple[AreaLine, ...]

    @property
    def areas(self) -> int:
        return len(self.lines)

    @property
    def passes(self) -> int:
        return sum(line.passes for line in self.lines)

    @property
    def deepest(self) -> Decimal | None:
        return max((line.depth_mm for line in self.lines), default=None)

    def by_name(self) -> dict[str, list[AreaLine]]:
        """Areas of the same name (e.g. a cheek drawn on the front and the 45° view) together."""
        out: dict[str, list[AreaLine]] = {}
        for line in self.lines:
            out.setdefault(line.name, []).append(line)
        return out


def above_usual(area: TreatedArea) -> bool:
    kind = area_kind(area.name)
    return kind is not None and area.depth_mm > kind.usual_high


def mn_totals(content: ChartContent, view_order: tuple[str, ...] = ()) -> MicroneedlingTotals:
    rank = {v: i for i, v in enumerate(view_order)}
    lines = [
        AreaLine(view, a.id, a.name, a.depth_mm, a.passes, above_usual(a), a.note)
        for view, a in content.all_areas()
    ]
    lines.sort(key=lambda ln: (rank.get(ln.view, len(rank)), ln.name.lower(), ln.area_id))
    return MicroneedlingTotals(tuple(lines))


def depth_warning(area: TreatedArea) -> Warning | None:
    """Soft: deeper than the area's usual range says so; never a limit (DOMAIN.md)."""
    kind = area_kind(area.name)
    if kind is None or area.depth_mm <= kind.usual_high:
        return None
    return Warning(
        NEEDLE_DEPTH,
        f"{area.name}: {format_depth(area.depth_mm)} mm is deeper than the usual "
        f"{format_depth(kind.usual_low)}–{format_depth(kind.usual_high)} mm.",
        area=area.name,
    )


def depth_warnings(content: ChartContent) -> list[Warning]:
    return [w for _v, a in content.all_areas() if (w := depth_warning(a)) is not None]
