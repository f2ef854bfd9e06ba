"""Lot recall (issue #14, ADR 0030): every patient whose chart used a lot.

Read from the lot index (`lot_use`, written with each version), never from chart content.
A chart counts by its newest version: the lot, points and units it names now. Earlier
versions that named the lot when the newest no longer does (a lot corrected by an amendment)
are listed apart, so nobody is missed because a chart was changed. Visits entered in error
are left out, as everywhere a visit is counted.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased

from app.domain.lots import lot_key
from app.domain.values import format_units
from app.store.database import Store
from app.store.schema import Chart, ChartVersion, LotUse, Patient, Practitioner, Visit


@dataclass(frozen=True, slots=True)
class LotHit:
    patient_id: int
    patient: str
    date_of_birth: date
    visit_id: int
    visit_date: date
    practitioner: str
    product: str
    lot: str  # as the chart wrote it
    kind: str  # "vial", "cartridge"
    units: Decimal | None
    points: int
    version_no: int
    newest: bool  # False: an earlier version named it; the chart's newest does not


@dataclass(frozen=True, slots=True)
class RecallResult:
    lot: str  # as asked
    uses: list[LotHit] = field(default_factory=list)  # newest versions of charts
    earlier: list[LotHit] = field(default_factory=list)  # only earlier versions named it

    @property
    def patient_count(self) -> int:
        return len({h.patient_id for h in self.uses})


def recall(store: Store, lot: str) -> RecallResult:
    """Every use of the lot, oldest visit first; an empty lot finds nothing."""
    key = lot_key(lot)
    if not key:
        return RecallResult(lot)
    newer = aliased(ChartVersion)
    is_newest = ~exists().where(
        newer.chart_id == ChartVersion.chart_id, newer.version_no > ChartVersion.version_no
    )
    # columns, not ORM objects: a recalled lot can name thousands of charts
    q = (
        select(
            Patient.id,
            Patient.given_name,
            Patient.family_name,
            Patient.date_of_birth,
            Visit.id,
            Visit.visit_date,
            Practitioner.name,
            LotUse.product,
            LotUse.lot,
            LotUse.kind,
            LotUse.units,
            LotUse.point_count,
            ChartVersion.version_no,
            is_newest,
        )
        .join(ChartVersion, ChartVersion.id == LotUse.version_id)
        .join(Chart, Chart.id == LotUse.chart_id)
        .join(Visit, Visit.id == Chart.visit_id)
        .join(Patient, Patient.id == Visit.patient_id)
        .join(Practitioner, Practitioner.id == Visit.practitioner_id)
        .where(LotUse.lot_key == key, Visit.error_at.is_(None))
    )
    with store.read() as s:
        rows = s.execute(q).all()
    hits = [
        LotHit(
            pid,
            f"{given} {family}".strip(),  # Patient.display_name
            born,
            vid,
            day,
            name,
            product,
            written,
            kind,
            None if units is None else Decimal(units),
            points,
            version_no,
            bool(newest),
        )
        for (pid, given, family, born, vid, day, name, product, written, kind, units, points,
             version_no, newest) in rows
    ]  # fmt: skip
    current = {(h.visit_id, h.product) for h in hits if h.newest}
    # an earlier version matters only where the newest no longer names the lot for that product
    earlier: dict[tuple[int, str], LotHit] = {}
    for h in sorted(hits, key=_order):  # per chart and product, its latest version naming it
        if not h.newest and (h.visit_id, h.product) not in current:
            earlier.setdefault((h.visit_id, h.product), h)
    return RecallResult(
        lot, sorted((h for h in hits if h.newest), key=_order), list(earlier.values())
    )


def most_used_lot(store: Store) -> str | None:
    """The lot the most charts name (for the demo's recall screen)."""
    with store.read() as s:
        return s.scalar(
            select(LotUse.lot)
            .group_by(LotUse.lot_key, LotUse.lot)
            .order_by(func.count().desc(), LotUse.lot)
            .limit(1)
        )


def _order(h: LotHit) -> tuple[date, str, int, str, int]:
    return (h.visit_date, h.patient, h.visit_id, h.product, -h.version_no)


def as_json(result: RecallResult) -> list[dict[str, object]]:
    """The command line's list (CONTRACTS.md `recall LOT --json`): the newest versions' uses.
    Units are JSON numbers written from the exact decimal (2.5, never 2.4999…)."""
    return [
        {
            "patient": h.patient,
            "patient_id": h.patient_id,
            "visit": h.visit_id,
            "date": h.visit_date.isoformat(),
            "product": h.product,
            "lot": h.lot,
            "units": _number(h.units),
            "points": h.points,
            "practitioner": h.practitioner,
            "version": h.version_no,
        }
        for h in result.uses
    ]


def _number(units: Decimal | None) -> int | float | None:
    if units is None:
        return None
    return int(units) if units == units.to_integral_value() else float(units)


CSV_COLUMNS = (
    "lot",
    "patient",
    "date_of_birth",
    "visit_id",
    "visit_date",
    "practitioner",
    "product",
    "units",
    "points",
    "chart_version",
    "version_status",
)


def recall_csv(result: RecallResult) -> str:
    """Newest versions' uses, then the earlier versions' ("earlier version"), as CSV text."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    for h in [*result.uses, *result.earlier]:
        w.writerow(
            [
                h.lot,
                h.patient,
                h.date_of_birth.isoformat(),
                h.visit_id,
                h.visit_date.isoformat(),
                h.practitioner,
                h.product,
                "" if h.units is None else format_units(h.units),
                h.points,
                h.version_no,
                "newest" if h.newest else "earlier version",
            ]
        )
    return out.getvalue()
