"""A large clinic for the follow-up list and lot recall figures (issue #14): patients with a
toxin history over three years, every visit charted with 1-3 products of ~200 lots, some
charts corrected by a second version, some visits entered in error.

`plan` draws the clinic (seeded, so two runs build the same one). `write_bulk` stores it with
batched INSERTs of exactly the rows the services would write for it — visit, chart,
chart_version (hash, manifest, summary), chart_part and lot_use, built by the same functions
`charts.save_version` calls — and `write_with_services` stores it through the services one
call at a time. tests/bench/test_clinic_bulk.py builds a small clinic both ways and compares
every row of those tables. Not written by the bulk path: the audit events of each visit, save
and error mark (no list reads them); nothing the figures read depends on them.

`expected_due` and `expected_recall` count the answers again by brute force from the plan, in
plain Python, for the benchmark to check the services' counts against.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert

from app.domain.canonical import content_to_json, dumps
from app.domain.catalogue import BUILTIN_TOXINS
from app.domain.chart import ChartContent, InjectionPoint, ProductUse, ViewChart
from app.domain.follow_up import REPEAT, TOUCH_UP, Reason
from app.domain.lots import lot_key
from app.domain.totals import version_summary
from app.domain.values import Depth, Side, clock_at
from app.services import charts, visits
from app.store import chart_parts, lot_index
from app.store.database import Store
from app.store.hash_chain import hash_canonical
from app.store.schema import Chart, ChartPart, ChartVersion, LotUse, Visit, new_uuid

TODAY = date(2026, 6, 15)  # the day the lists are asked for
YEARS_BACK = 3
# new patients keep arriving, regulars have long histories: 4 visits a patient on average
VISIT_COUNTS = (1, 2, 3, 4, 4, 5, 6, 7)
LOTS = 200
CORRECTED_SHARE = 0.05  # charts given a second version that changes one product's lot
IN_ERROR_SHARE = 0.01
SIGN_OFF_DAYS = 7  # sign-off began a week before TODAY: later charts are "not signed"
PRODUCTS = tuple(p.code for p in BUILTIN_TOXINS)
ZONES = ("procerus", "corrugator supercilii", "frontalis", "orbicularis oculi")


def lot_names() -> list[tuple[str, str]]:
    """~200 (product, lot) pairs: each product's lots, named as cartons print them."""
    return [(PRODUCTS[i % len(PRODUCTS)], f"{chr(65 + i % 26)}{i:03d}-{i * 7919 % 10000:04d}")
            for i in range(LOTS)]  # fmt: skip


@dataclass
class PlannedVisit:
    patient: int  # index into the patients, 0-based
    day: date
    practitioner: int  # index into the practitioners
    touch_up_of: int | None  # index of the visit it follows, into the plan's visits
    versions: list[dict[str, str]] = field(default_factory=list)  # product → lot, per version
    units: dict[str, list[str]] = field(default_factory=dict)  # product → units per point
    in_error: bool = False


@dataclass
class Plan:
    patients: int
    practitioners: int
    visits: list[PlannedVisit]
    seed: int


def plan(patients: int, practitioners: int = 8, seed: int = 14) -> Plan:
    rng = random.Random(seed)
    lots = lot_names()
    by_product: dict[str, list[str]] = {}
    for product, lot in lots:
        by_product.setdefault(product, []).append(lot)
    span = 365 * YEARS_BACK
    out: list[PlannedVisit] = []
    for p in range(patients):
        offsets: list[tuple[int, bool]] = [(0, False)]  # (day offset, touch-up of last original)
        last_original = 0
        for _ in range(VISIT_COUNTS[p % len(VISIT_COUNTS)] - 1):
            if rng.random() < (0.6 if last_original == 0 else 0.2) and offsets[-1][1] is False:
                offsets.append((last_original + rng.randint(10, 24), True))
            else:
                last_original = offsets[-1][0] + rng.randint(85, 200)
                offsets.append((last_original, False))
        end = offsets[-1][0]
        start = TODAY - timedelta(days=end + rng.randint(0, max(span - end, 0)))
        who = rng.randrange(practitioners)
        original = -1
        for offset, touch in offsets:
            chosen = rng.sample(PRODUCTS, rng.choice((1, 1, 2, 3)))
            v = PlannedVisit(
                p,
                start + timedelta(days=offset),
                who if rng.random() < 0.8 else rng.randrange(practitioners),
                original if touch else None,
            )
            v.versions.append({c: rng.choice(by_product[c]) for c in sorted(chosen)})
            v.units = {c: [rng.choice(("2", "2.5", "4", "5")) for _ in range(rng.randint(3, 8))]
                       for c in sorted(chosen)}  # fmt: skip
            if rng.random() < CORRECTED_SHARE:
                fixed = dict(v.versions[0])
                c = rng.choice(sorted(fixed))
                fixed[c] = rng.choice(by_product[c])
                v.versions.append(fixed)
            v.in_error = rng.random() < IN_ERROR_SHARE
            if not touch:
                original = len(out)
            out.append(v)
    return Plan(patients, practitioners, out, seed)


def content(v: PlannedVisit, version: int, index: int) -> ChartContent:
    """The chart of a planned visit's version: points on the frown view, ids from the seed."""
    rng = random.Random(index * 2 + version)
    points: list[InjectionPoint] = []
    for product, units in v.units.items():
        for u in units:
            points.append(
                InjectionPoint(
                    round(rng.uniform(100, 500), 1),
                    round(rng.uniform(100, 400), 1),
                    product,
                    Decimal(u),
                    Depth.INTRAMUSCULAR,
                    rng.choice(ZONES),
                    rng.choice((Side.LEFT, Side.RIGHT, Side.MIDLINE)),
                    id=f"00000000-0000-4000-8000-{index:08d}{len(points):04d}",
                )
            )
    lots = v.versions[version]
    return ChartContent(
        views=(ViewChart("frown", None, points=tuple(points)),),
        products=tuple(ProductUse(c, lot) for c, lot in sorted(lots.items())),
    )


def saved_at(v: PlannedVisit, version: int) -> datetime:
    return datetime.combine(v.day, time(12 + version), UTC)


def error_at(v: PlannedVisit) -> datetime:
    return datetime.combine(v.day, time(18), UTC)


def sign_off_since() -> datetime:
    return datetime.combine(TODAY - timedelta(days=SIGN_OFF_DAYS), time(0), UTC)


ERROR_REASON = "entered on the wrong patient"


# ---- writing it ------------------------------------------------------------------------------


def write_with_services(
    store: Store, plan_: Plan, patient_ids: list[int], practitioner_ids: list[int]
) -> None:
    """The plan through the services, one visit, save and error mark at a time."""
    visit_ids: list[int] = []
    for i, v in enumerate(plan_.visits):
        with clock_at(saved_at(v, 0) - timedelta(hours=1)):
            record = visits.start_visit(
                store,
                patient_ids[v.patient],
                practitioner_ids[v.practitioner],
                "neurotoxin",
                v.day,
                visit_ids[v.touch_up_of] if v.touch_up_of is not None else None,
            )
        visit_ids.append(record.id)
        parent: int | None = None
        for n in range(len(v.versions)):
            with clock_at(saved_at(v, n)):
                parent = charts.save_version(
                    store,
                    record.id,
                    content(v, n, i),
                    parent_version_id=parent,
                    saved_by_id=practitioner_ids[v.practitioner],
                ).id
    for i, v in enumerate(plan_.visits):
        if v.in_error:
            with clock_at(error_at(v)):
                visits.mark_visit_in_error(
                    store, visit_ids[i], practitioner_ids[v.practitioner], ERROR_REASON
                )


def write_bulk(
    store: Store,
    plan_: Plan,
    patient_ids: list[int],
    practitioner_ids: list[int],
    batch: int = 20_000,
) -> None:
    """The same rows as `write_with_services`, in batches of INSERTs (into an empty clinic's
    visit, chart, chart_version, chart_part and lot_use tables: ids are given in order)."""
    with store.write() as s:
        for chunk in _chunks(range(len(plan_.visits)), batch):
            s.execute(insert(Visit), [_visit_row(plan_, i, patient_ids, practitioner_ids)
                                      for i in chunk])  # fmt: skip
        stored: set[str] = set()
        version_id = 0
        for chunk in _chunks(range(len(plan_.visits)), batch):
            charts_rows, versions, parts, lots = [], [], [], []
            for i in chunk:
                v = plan_.visits[i]
                charts_rows.append({"id": i + 1, "uuid": new_uuid(), "visit_id": i + 1,
                                    "created_at": saved_at(v, 0)})  # fmt: skip
                parent_id, parent_hash = None, ""
                for n in range(len(v.versions)):
                    version_id += 1
                    c = content(v, n, i)
                    content_json = content_to_json(c)
                    manifest, new_parts = chart_parts.split_json(content_json)
                    points, strokes, units = version_summary(c)
                    digest = hash_canonical(dumps(content_json), parent_hash)
                    versions.append(
                        {
                            "id": version_id,
                            "uuid": new_uuid(),
                            "chart_id": i + 1,
                            "version_no": n + 1,
                            "parent_id": parent_id,
                            "parent_hash": parent_hash,
                            "content_hash": digest,
                            "manifest": chart_parts.encode_manifest(manifest),
                            "saved_at": saved_at(v, n),
                            "saved_by_id": practitioner_ids[v.practitioner],
                            "comment": "",
                            "point_count": points,
                            "stroke_count": strokes,
                            "units_summary": units,
                            "amend_reason": None,
                        }
                    )
                    for sha, (kind, raw) in new_parts.items():
                        if sha not in stored:
                            stored.add(sha)
                            parts.append({"sha256": sha, "kind": kind,
                                          "data": zlib.compress(raw, 6)})  # fmt: skip
                    lots += lot_index.index_rows(version_id, i + 1, c)
                    parent_id, parent_hash = version_id, digest
            s.execute(insert(Chart), charts_rows)
            if parts:
                s.execute(insert(ChartPart), parts)
            s.execute(insert(ChartVersion), versions)
            if lots:
                s.execute(insert(LotUse), lots)


def _visit_row(
    plan_: Plan, i: int, patient_ids: list[int], practitioner_ids: list[int]
) -> dict[str, Any]:
    v = plan_.visits[i]
    who = practitioner_ids[v.practitioner]
    return {
        "id": i + 1,
        "uuid": new_uuid(),
        "patient_id": patient_ids[v.patient],
        "visit_date": v.day,
        "practitioner_id": who,
        "treatment_type": "neurotoxin",
        "touch_up_of_id": None if v.touch_up_of is None else v.touch_up_of + 1,
        "notes": "",
        "created_at": saved_at(v, 0) - timedelta(hours=1),
        "error_at": error_at(v) if v.in_error else None,
        "error_by_id": who if v.in_error else None,
        "error_reason": ERROR_REASON if v.in_error else None,
    }


def _chunks(items: range, size: int) -> Iterator[range]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# ---- the answers, by brute force -----------------------------------------------------------


def expected_due(plan_: Plan, practitioner: int | None = None) -> dict[Reason, int]:
    """How many items each reason must list on TODAY, counted visit by visit from the plan."""
    live = [(i, v) for i, v in enumerate(plan_.visits) if not v.in_error]
    per_patient: dict[int, list[tuple[int, PlannedVisit]]] = {}
    for i, v in live:
        per_patient.setdefault(v.patient, []).append((i, v))
    counts = dict.fromkeys(Reason, 0)
    since = TODAY - timedelta(days=SIGN_OFF_DAYS)
    for own in per_patient.values():
        originals = [(i, v) for i, v in own if v.touch_up_of is None]
        for i, v in own:
            mine = practitioner is None or v.practitioner == practitioner
            if not mine:
                continue
            age = (TODAY - v.day).days
            if v.day >= since:
                counts[Reason.NOT_SIGNED] += 1
            if v.touch_up_of is not None:
                continue
            first = min(originals, key=lambda o: (o[1].day, o[0]))[0] == i
            came_back = any(j != i and (w.touch_up_of == i or w.day > v.day) for j, w in own)
            if first and not came_back and TOUCH_UP.first <= age <= TOUCH_UP.last:
                counts[Reason.TOUCH_UP] += 1
            last = max(originals, key=lambda o: (o[1].day, o[0]))[0] == i
            if last and REPEAT.first <= age <= REPEAT.last:
                counts[Reason.REPEAT] += 1
    return counts


def expected_recall(plan_: Plan, lot: str) -> tuple[int, int]:
    """(uses in newest versions, charts only an earlier version of which named the lot)."""
    key = lot_key(lot)
    newest = earlier = 0
    for v in plan_.visits:
        if v.in_error:
            continue
        for product in v.versions[0]:
            named = [lot_key(ver.get(product, "")) == key for ver in v.versions]
            if named[-1]:
                newest += 1
            elif any(named):
                earlier += 1
    return newest, earlier
