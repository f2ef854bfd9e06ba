"""Microneedling chart content for the tests (app and ui)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from app.domain.chart import ChartContent, ViewChart
from app.domain.microneedling import ContraindicationCheck, MicroneedlingSession, TreatedArea


def cheek_polygon(x0: float = 600.0, y0: float = 900.0) -> tuple[tuple[float, float], ...]:
    return ((x0, y0), (x0 + 180.1234, y0 + 10.0), (x0 + 200.0, y0 + 160.5), (x0 - 20.0, y0 + 150.0))


def mn_session(lot: str = "SP-2291") -> MicroneedlingSession:
    return MicroneedlingSession(
        device="SkinPen Precision",
        cartridge="SkinPen 14-needle",
        cartridge_lot=lot,
        serum="Hyaluronic acid gel",
        anaesthetic_at=datetime(2026, 3, 2, 9, 15, tzinfo=UTC),
        endpoint="Pinpoint bleeding",
        fitzpatrick=3,
        reaction="Even erythema",
        aftercare="SPF 50, no make-up 24 h",
        contraindications=ContraindicationCheck(
            (("infection", False), ("isotretinoin", False), ("keloid", False), ("pregnancy", False))
        ),
    )


def full_face(front_sha: str | None, left_sha: str | None = None) -> ChartContent:
    views = [
        ViewChart(
            "front",
            front_sha,
            areas=(
                TreatedArea(cheek_polygon(), "Cheeks", Decimal("1.5"), passes=3, id="a-cheek-r"),
                TreatedArea(
                    ((500.0, 300.0), (900.0, 300.0), (880.0, 420.0), (520.0, 420.0)),
                    "Forehead",
                    Decimal("0.5"),
                    passes=2,
                    note="light",
                    id="a-forehead",
                ),
            ),
        )
    ]
    if left_sha is not None:
        views.append(
            ViewChart(
                "left_45",
                left_sha,
                areas=(TreatedArea(cheek_polygon(700, 800), "Scar area", Decimal("2.5"), 2),),
            )
        )
    return ChartContent(views=tuple(views), microneedling=mn_session(), note="course 1")
