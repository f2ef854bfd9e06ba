"""Chart content for the store's tests."""

from __future__ import annotations

from decimal import Decimal

from app.domain.chart import ChartContent, InjectionPoint, ProductUse, Stroke, ViewChart
from app.domain.values import Depth, Dilution, Side


def stroke(n: int = 20, x0: float = 100.0, y0: float = 200.0, color: str = "white") -> Stroke:
    return Stroke(
        tuple((x0 + i * 3.3333, y0 + i * 1.25, 0.4 + (i % 5) / 10, i * 8.0) for i in range(n)),
        color=color,
    )


def point(x: float, y: float, units: str = "4", product: str = "botox", **kw) -> InjectionPoint:  # type: ignore[no-untyped-def]
    return InjectionPoint(x, y, product, Decimal(units), **kw)


def glabella(photo_sha: str | None) -> ChartContent:
    return ChartContent(
        views=(
            ViewChart(
                "frown",
                photo_sha,
                strokes=(stroke(), stroke(30, 300, 220, "blue")),
                points=(
                    point(320, 180, zone="procerus", side=Side.MIDLINE),
                    point(260, 170, zone="corrugator supercilii", side=Side.RIGHT),
                    point(380, 170, zone="corrugator supercilii", side=Side.LEFT),
                    point(330, 175, "2.5", "dysport", depth=Depth.INTRADERMAL),
                ),
            ),
        ),
        products=(ProductUse("botox", "C1234", None, Dilution(Decimal(100), Decimal("2.5"))),),
        note="plan",
    )
