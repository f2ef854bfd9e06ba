"""Tamper-evidence figures (issue #11): does `check` catch and name each of the 12 kinds of
tampering on a clinic-sized database, and what do the signed checkpoints cost on disk?

One clinic of ≥ 2,000 charts is built through the real services (patients, visits, a photo
per visit, charts of 60 points and 24 strokes over four views, two or three versions each),
then a checkpoint is signed as the app's close does. Then:

- `tamper_detected_share`: each kind is applied by raw SQL to records chosen at random
  (seeded) on a copy of that database; a kind counts when `check` fails *and* names the
  records it changed (bench/_tamper_kinds.py says which texts name them).
- `checkpoint_growth_kb_per_version`: further saves, each followed by a checkpoint (as a
  sign-off per chart would be): the bytes the checkpoint tables grew, per saved version.
- `check_2000_charts_ms`: one `check` of the untouched clinic (photos are small here: with
  24 MP originals hashing the photo bytes adds about their size at ~1 GB/s).
"""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.domain.chart import ChartContent
from app.integrity.signing import INTEGRITY_DIR_ENV
from app.services import charts, photos, visits
from app.services.integrity import check_store, write_checkpoint
from app.services.patients import create_patients
from app.services.practitioners import default_practitioner
from app.store.database import Store, open_store, sqlite_url
from bench import _store_data as data
from bench._tamper_kinds import KINDS, Target, named
from bench.registry import Benchmark, Context, Goal, Report, median, timed_ms
from bench.store import scratch_store

CHECKPOINT_TABLES = ("checkpoint", "checkpoint_entry", "installation_key")
W, H = 1200, 1600  # the chart's coordinate frame (the photos stored are small: see above)


@dataclass
class Clinic:
    store: Store
    targets: list[Target]  # one per chart with three versions
    heads: dict[int, tuple[int, ChartContent]]  # visit → (head version id, its content)
    charts: int
    versions: int


def _build(store: Store, n_charts: int, seed: int) -> Clinic:
    rng = random.Random(seed)
    who = default_practitioner(store)
    n_patients = max(2, n_charts // 3)
    persons = data.people(n_patients, seed=seed)
    patient_ids = create_patients(store, data.new_patients(persons))
    jpegs = data.photo_jpegs(240, 320, 64, seed=seed)
    heads: dict[int, tuple[int, ChartContent]] = {}
    by_patient: dict[int, list[tuple[int, int, str]]] = {}  # patient → (visit, photo, sha)
    versions = 0
    three: list[tuple[int, int, tuple[int, ...], int, str]] = []
    for i in range(n_charts):
        patient = patient_ids[i % n_patients]
        visit = visits.start_visit(
            store, patient, who.id, "neurotoxin", date(2026, 1, 1) + timedelta(days=i % 300)
        )
        # a different photo per visit: the first 64 differ by pixels, the rest by a byte
        jpeg = jpegs[i % len(jpegs)] + i.to_bytes(4, "big") if i >= len(jpegs) else jpegs[i]
        photo = photos.add_photo_bytes(
            store, patient, "frown", jpeg, visit_id=visit.id, captured_at=None
        )
        by_patient.setdefault(patient, []).append((visit.id, photo.id, photo.sha256))
        shas: dict[str, str | None] = {v: None for v in data.VIEWS}
        shas["frown"] = photo.sha256
        content = data.chart(shas, W, H, 60, 24, 40, seed=i)
        ids: list[int] = []
        parent = None
        for k in range(3 if i % 3 == 0 else 2):
            if k:
                content = data.edited(content, k + i, W, H, 40, add_stroke=k == 1)
            parent = charts.save_version(
                store, visit.id, content, parent_version_id=parent, saved_by_id=who.id
            ).id
            ids.append(parent)
            versions += 1
        heads[visit.id] = (parent or 0, content)
        if len(ids) == 3:
            three.append((patient, visit.id, tuple(ids), photo.id, photo.sha256))
    targets = []
    with store.engine.connect() as conn:
        rows = [(int(a), int(b)) for a, b in conn.execute(text("SELECT visit_id, id FROM chart"))]
    chart_of: dict[int, int] = dict(rows)
    for patient, visit_id, version_ids, photo_id, sha in three:
        other = rng.choice([p for p in patient_ids if p != patient])
        other_visit = by_patient[other][0][0]
        targets.append(
            Target(
                patient,
                chart_of[visit_id],
                visit_id,
                version_ids,
                photo_id,
                sha,
                other,
                other_visit,
            )
        )
    return Clinic(store, targets, heads, n_charts, versions)


def table_bytes(store: Store, tables: tuple[str, ...]) -> int:
    """Bytes the tables (with their indexes) occupy: SQLite's dbstat, PostgreSQL's sizes."""
    with store.engine.connect() as conn:
        if store.is_sqlite:
            names = ",".join(f"'{t}'" for t in tables)
            query = (
                "SELECT coalesce(sum(d.pgsize), 0) FROM dbstat d JOIN sqlite_master m "
                f"ON m.name = d.name WHERE m.tbl_name IN ({names})"
            )
            return int(conn.execute(text(query)).scalar_one())
        return int(
            sum(
                conn.execute(text("SELECT pg_total_relation_size(:t)"), {"t": t}).scalar_one()
                for t in tables
            )
        )


@contextmanager
def _copy(ctx: Context, base: Store, label: str) -> Iterator[Store]:
    """A copy of the clinic's database to tamper with."""
    if base.is_sqlite:
        source = base.url.database
        assert source
        base.dispose()  # the last connection folds the WAL into the file
        target = ctx.tmp / f"{label}.db"
        shutil.copyfile(source, target)
        store = open_store(sqlite_url(target), migrate=False)
        try:
            yield store
        finally:
            store.dispose()
            target.unlink(missing_ok=True)
        return
    assert ctx.pg_url
    base.dispose()
    name = f"{base.url.database}_{label}"
    admin = create_engine(ctx.pg_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{base.url.database}"')
        url = make_url(ctx.pg_url).set(database=name).render_as_string(hide_password=False)
        store = open_store(url, migrate=False)
        try:
            yield store
        finally:
            store.dispose()
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
    finally:
        admin.dispose()


def _growth(clinic: Clinic, saves: int, seed: int) -> tuple[float, list[float]]:
    """Saves each followed by a checkpoint: (bytes the checkpoint tables grew per saved
    version, checkpoint times in ms)."""
    rng = random.Random(seed)
    store = clinic.store
    who = default_practitioner(store)
    before = table_bytes(store, CHECKPOINT_TABLES)
    times = []
    for i in range(saves):
        visit_id = rng.choice(sorted(clinic.heads))
        head, content = clinic.heads[visit_id]
        content = data.edited(content, 100 + i, W, H, 40)
        info = charts.save_version(
            store, visit_id, content, parent_version_id=head, saved_by_id=who.id
        )
        clinic.heads[visit_id] = (info.id, content)
        times.append(timed_ms(lambda: write_checkpoint(store, "sign-off"))[0])
    grown = table_bytes(store, CHECKPOINT_TABLES) - before
    return grown / saves, times


@contextmanager
def _own_integrity_dir(ctx: Context) -> Iterator[None]:
    """The run's own installation key and checkpoints files, never the user's."""
    before = os.environ.get(INTEGRITY_DIR_ENV)
    os.environ[INTEGRITY_DIR_ENV] = str(ctx.tmp / "integrity")
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(INTEGRITY_DIR_ENV, None)
        else:
            os.environ[INTEGRITY_DIR_ENV] = before


def bench_tamper(ctx: Context) -> Report:
    with _own_integrity_dir(ctx):
        return _bench_tamper(ctx)


def _bench_tamper(ctx: Context) -> Report:
    n_charts = ctx.size(2000, 24)
    saves = ctx.size(60, 4)
    report = Report()
    with scratch_store(ctx, "tamper") as store:
        build_ms, clinic = timed_ms(lambda: _build(store, n_charts, seed=11))
        first_ms, first = timed_ms(lambda: write_checkpoint(store, "sign-out"))
        # Tampering first, on copies of the clinic as the checkpoint left it: the saves below
        # would move the chosen charts' newest versions.
        rng = random.Random(13)
        outcome: dict[str, bool] = {}
        lines_of: dict[str, list[str]] = {}
        for kind, tamper in KINDS.items():
            target = rng.choice(clinic.targets)
            with _copy(ctx, store, kind) as copy:
                expected = tamper(copy, target)
                found = check_store(copy)
            lines = [str(a) for a in found.alterations]
            outcome[kind] = (not found.intact) and named(expected, lines)
            lines_of[kind] = lines[:4]
        per_version, cp_times = _growth(clinic, saves, seed=12)
        check_times = []
        for _ in range(ctx.size(3, 1)):
            ms, result = timed_ms(lambda: check_store(store))
            if not result.intact:
                raise AssertionError(
                    f"the untouched clinic is not intact: {result.alterations[:3]}"
                )
            check_times.append(ms)
    report.put("tamper_detected_share", sum(outcome.values()) / len(outcome), len(outcome))
    report.put("checkpoint_growth_kb_per_version", per_version / 1024, saves)
    report.put("check_2000_charts_ms", median(check_times), len(check_times))
    report.notes += [
        ("clinic", f"{clinic.charts} charts, {clinic.versions} versions, built in "
                   f"{build_ms / 1000:.0f} s"),
        ("first checkpoint", f"{first.entries} records in {first_ms:.0f} ms"),
        ("checkpoint after a save", f"{median(cp_times):.0f} ms (median)"),
        ("missed", ", ".join(k for k, ok in outcome.items() if not ok) or "none"),
    ]  # fmt: skip
    report.details = {
        "charts": clinic.charts,
        "versions": clinic.versions,
        "records_in_map": first.entries,
        "kinds": outcome,
        "first_lines": lines_of,
        "checkpoint_ms_median": round(median(cp_times), 1),
        "first_checkpoint_ms": round(first_ms, 1),
        "check_ms_all": [round(t) for t in check_times],
        "saves_with_checkpoint": saves,
    }
    return report


BENCHMARKS = (
    Benchmark(
        "tamper",
        ("tamper_detected_share", "checkpoint_growth_kb_per_version", "check_2000_charts_ms"),
        bench_tamper,
        {
            "tamper_detected_share": Goal(1.0, at_least=True),
            "checkpoint_growth_kb_per_version": Goal(2),
        },
        "12 kinds of tampering on a 2,000-chart clinic; what signed checkpoints cost per save",
    ),
)
