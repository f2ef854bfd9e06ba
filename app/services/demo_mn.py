"""The demo's microneedling course (issue #14): Lars Østergaard's first session a month ago,
charted (areas on the front and 45° photos, the session record, the contraindication check,
a course of 3 planned), and today's second session with its photos and the earlier areas
carried forward, the cheeks a quarter millimetre deeper."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

from app.domain.chart import ChartContent, ViewChart
from app.domain.microneedling import (
    CONTRAINDICATION_KEYS,
    AreaOrigin,
    ContraindicationCheck,
    MicroneedlingSession,
    TreatedArea,
    Vertex,
)
from app.domain.values import PhotoSource, TreatmentType, clock_at
from app.services import charts, photos, signoff, visits
from app.services.credentials import KeySigner
from app.store.database import Store

W, H = 1200, 1500  # the demo faces' size (app/services/demo.py)
VIEWS = ("front", "left_45", "right_45")


def _ellipse(cx: float, cy: float, rx: float, ry: float, n: int = 14) -> tuple[Vertex, ...]:
    return tuple(
        (round(cx + rx * math.cos(2 * math.pi * k / n), 1),
         round(cy + ry * math.sin(2 * math.pi * k / n), 1))
        for k in range(n)
    )  # fmt: skip


def _areas(cheek: Decimal) -> dict[str, tuple[TreatedArea, ...]]:
    cx, cy = W / 2, H / 2
    return {
        "front": (
            TreatedArea(
                (
                    (cx - 230, cy - 330),
                    (cx + 230, cy - 330),
                    (cx + 210, cy - 235),
                    (cx - 210, cy - 235),
                ),
                "Forehead",
                Decimal("0.5"),
                2,
                id="demo-mn-forehead",
            ),  # fmt: skip
            # the patient's right cheek is on the viewer's left of a frontal photo
            TreatedArea(
                _ellipse(cx - 190, cy + 80, 95, 105),
                "Cheeks",
                cheek,
                3,
                note="right cheek",
                id="demo-mn-cheek-r",
            ),  # fmt: skip
            TreatedArea(
                _ellipse(cx + 190, cy + 80, 95, 105),
                "Cheeks",
                cheek,
                3,
                note="left cheek",
                id="demo-mn-cheek-l",
            ),  # fmt: skip
            TreatedArea(
                (
                    (cx - 150, cy + 140),
                    (cx + 150, cy + 140),
                    (cx + 165, cy + 300),
                    (cx, cy + 330),
                    (cx - 165, cy + 300),
                ),
                "Perioral",
                Decimal("1.0"),
                2,
                id="demo-mn-perioral",
            ),  # fmt: skip
        ),
        "left_45": (
            TreatedArea(
                _ellipse(cx + 120, cy + 80, 110, 130),
                "Scar area",
                Decimal("2.0"),
                2,
                note="rolling acne scars",
                id="demo-mn-scars-l",
            ),  # fmt: skip
        ),
        "right_45": (
            TreatedArea(
                _ellipse(cx - 120, cy + 70, 100, 120), "Cheeks", cheek, 3, id="demo-mn-cheek-r45"
            ),  # fmt: skip
        ),
    }


def _record(day: date, lot: str, first: bool) -> MicroneedlingSession:
    return MicroneedlingSession(
        device="SkinPen Precision",
        cartridge="SkinPen 14-needle cartridge",
        cartridge_lot=lot,
        serum="Hyaluronic acid gel (Skinfuse Lift HA)",
        anaesthetic_at=datetime(day.year, day.month, day.day, 14, 10, tzinfo=UTC),
        endpoint="Pinpoint bleeding" if not first else "Uniform erythema",
        fitzpatrick=2,
        reaction="Even erythema, settled within the hour",
        aftercare="Skinfuse Calm; SPF 50; no make-up 24 h; no retinoids 5 days",
        contraindications=(
            ContraindicationCheck(tuple((k, False) for k in sorted(CONTRAINDICATION_KEYS)))
            if first
            else None
        ),
        course_sessions=3 if first else None,
    )


def build_microneedling_demo(
    store: Store,
    clinician_id: int,
    patient_id: int,
    first_visit_id: int,
    first_day: date,
    today: date,
    demo_face: Callable[[str, int, int], bytes],
    on: Callable[[date, int, int], datetime],
    signer: KeySigner,
    injector_id: int,
) -> None:
    """Chart the first session (its photos already taken; signed by the clinician) and add
    today's second session by the injector, saved now (today's records are not back-dated)
    and not signed yet: the clinician's list to sign stays as the sign-off story tells it
    (app/services/demo_signoff.py)."""
    shas = {p.view_code: p.sha256 for p in photos.photos_for_visit(store, first_visit_id)}
    areas = _areas(Decimal("1.5"))
    first = ChartContent(
        views=tuple(ViewChart(v, shas.get(v), areas=areas[v]) for v in VIEWS),
        microneedling=_record(first_day, "SP24-0917", True),
        note="Session 1 of 3: acne scarring, left cheek worst.",
    )
    with clock_at(on(first_day, 15, 40)):
        v1 = charts.save_version(
            store, first_visit_id, first, parent_version_id=None, saved_by_id=clinician_id
        )
    with clock_at(on(first_day, 15, 45)):
        signoff.sign_version(store, v1.id, clinician_id, signer)
    second = visits.start_visit(
        store,
        patient_id,
        injector_id,
        TreatmentType.MICRONEEDLING,
        today,
        notes="Session 2: cheeks 1.75 mm",
    )
    today_shas = {}
    for n, view in enumerate(VIEWS):
        rec = photos.add_photo_bytes(
            store,
            patient_id,
            view,
            demo_face("rest", 20 + n, 2),
            visit_id=second.id,
            taken_by_id=injector_id,
            source=PhotoSource.DEMO,
        )
        today_shas[view] = rec.sha256
    deeper = _areas(Decimal("1.75"))
    carried = {
        v: tuple(
            replace(a, origin=AreaOrigin(a.id, v1.content_hash), id=f"{a.id}-2") for a in deeper[v]
        )
        for v in VIEWS
    }
    plan = ChartContent(
        views=tuple(ViewChart(v, today_shas[v], areas=carried[v]) for v in VIEWS),
        microneedling=_record(today, "SP24-1102", False),
        note="Session 2 of 3: carried forward, cheeks deeper.",
    )
    charts.save_version(store, second.id, plan, parent_version_id=None, saved_by_id=injector_id)
