"""Store figures (issue #2): what a save costs on disk and in time, name search, history.

Each benchmark builds its own database in the run's temp folder (or a scratch database on the
PostgreSQL server given with `--pg`) through the real services, then times the service call a
screen makes.
"""

from __future__ import annotations

import math
import os
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date
from functools import partial

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.domain.canonical import normalise
from app.domain.chart import ChartContent
from app.services import charts, patients, photos, visits
from app.services.practitioners import default_practitioner
from app.store.database import Store, open_store, sqlite_url
from bench import _store_data as data
from bench.registry import Benchmark, Context, Goal, Report, median, repeat_ms, timed_ms


@contextmanager
def scratch_store(ctx: Context, label: str) -> Iterator[Store]:
    """A new, migrated, empty database that is gone afterwards."""
    if not ctx.pg_url:
        store = open_store(sqlite_url(ctx.tmp / f"{label}.db"))
        try:
            yield store
        finally:
            store.dispose()
        return
    # A database of our own on the server: never touches the schema of a real one.
    name = f"facechart_bench_{label}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(ctx.pg_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        url = make_url(ctx.pg_url).set(database=name).render_as_string(hide_password=False)
        store = open_store(url)
        try:
            yield store
        finally:
            store.dispose()
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
    finally:
        admin.dispose()


def db_bytes(store: Store) -> int:
    """Bytes the database occupies. SQLite: the main file after moving the WAL into it
    (page_count × page_size); PostgreSQL: all tables with their indexes and TOAST."""
    if store.is_sqlite:
        raw = store.engine.raw_connection()
        try:
            cur = raw.cursor()
            busy = cur.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            if busy:
                raise RuntimeError("the WAL checkpoint was blocked by another connection")
            pages = cur.execute("PRAGMA page_count").fetchone()[0]
            page_size = cur.execute("PRAGMA page_size").fetchone()[0]
            cur.close()
        finally:
            raw.close()
        return int(pages * page_size)
    with store.engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = current_schema() AND c.relkind = 'r'"
                )
            ).scalar_one()
        )


# --- save: growth on disk and the cost of photo size ---------------------------------------


@dataclass
class _SaveCase:
    store: Store
    visit_id: int
    clinician_id: int
    width: int
    height: int
    content: ChartContent
    head_id: int
    photo_mb: float


@contextmanager
def _save_case(
    ctx: Context, label: str, size: tuple[int, int], n_points: int, n_strokes: int, samples: int
) -> Iterator[_SaveCase]:
    with scratch_store(ctx, label) as store:
        clinician = default_practitioner(store)
        patient = patients.create_patient(store, "Zoë", "Østergaard", date(1981, 4, 2))
        visit = visits.start_visit(store, patient.id, clinician.id, "neurotoxin")
        width, height = size
        jpegs = data.photo_jpegs(width, height, len(data.VIEWS), seed=width)
        shas = {
            view: photos.add_photo_bytes(store, patient.id, view, jpeg, visit_id=visit.id).sha256
            for view, jpeg in zip(data.VIEWS, jpegs, strict=True)
        }
        content = data.chart(shas, width, height, n_points, n_strokes, samples)
        first = charts.save_version(
            store, visit.id, content, parent_version_id=None, saved_by_id=clinician.id
        )
        yield _SaveCase(
            store,
            visit.id,
            clinician.id,
            width,
            height,
            normalise(content),
            first.id,
            sum(len(j) for j in jpegs) / len(jpegs) / 1e6,
        )


def _save_next(case: _SaveCase, i: int, samples: int) -> tuple[float, int]:
    """Save the i-th edit as a new version; (milliseconds, bytes the database grew)."""
    content = data.edited(case.content, i, case.width, case.height, samples)
    before = db_bytes(case.store)
    ms, info = timed_ms(
        lambda: charts.save_version(
            case.store,
            case.visit_id,
            content,
            parent_version_id=case.head_id,
            saved_by_id=case.clinician_id,
        )
    )
    grown = db_bytes(case.store) - before
    case.content, case.head_id = content, info.id
    return ms, grown


def bench_save(ctx: Context) -> Report:
    big = (1200, 800) if ctx.quick else (6000, 4000)
    small = (300, 200) if ctx.quick else (1224, 816)
    n_points, n_strokes, samples = ctx.size(200, 20), ctx.size(100, 10), 160
    warmup, reps = ctx.size(3, 1), ctx.size(15, 3)
    with ExitStack() as stack:
        a = stack.enter_context(_save_case(ctx, "save_big", big, n_points, n_strokes, samples))
        b = stack.enter_context(_save_case(ctx, "save_small", small, n_points, n_strokes, samples))
        times: dict[str, list[float]] = {"big": [], "small": []}
        growth: dict[str, list[int]] = {"big": [], "small": []}
        for i in range(warmup + reps):
            # interleaved, alternating which goes first, so drift on a shared machine hits both
            order = (("big", a), ("small", b)) if i % 2 == 0 else (("small", b), ("big", a))
            for name, case in order:
                ms, grown = _save_next(case, i, samples)
                if i >= warmup:
                    times[name].append(ms)
                    growth[name].append(grown)
    report = Report()
    report.put("save_growth_kb", median(growth["big"]) / 1024, reps)
    report.put("save_ratio_24mp_vs_1mp", median(times["big"]) / median(times["small"]), reps)
    mp = f"{big[0]}×{big[1]}"
    report.notes += [
        ("save, big photos", f"{median(times['big']):.1f} ms"),
        ("save, small photos", f"{median(times['small']):.1f} ms"),
        ("growth, small photos", f"{median(growth['small']) / 1024:.1f} KB"),
        ("chart", f"4 × {mp} JPEG ({a.photo_mb:.1f} MB each), {n_points} points, "
                  f"{n_strokes}+ strokes × {samples} samples"),
    ]  # fmt: skip
    report.details = {
        "big_photo": f"{big[0]}x{big[1]}",
        "small_photo": f"{small[0]}x{small[1]}",
        "big_photo_mb": round(a.photo_mb, 2),
        "small_photo_mb": round(b.photo_mb, 3),
        "points": n_points,
        "strokes": n_strokes,
        "samples_per_stroke": samples,
        "save_big_median_ms": round(median(times["big"]), 2),
        "save_small_median_ms": round(median(times["small"]), 2),
        "growth_small_median_kb": round(median(growth["small"]) / 1024, 2),
        "growth_big_kb_all": [round(g / 1024, 1) for g in growth["big"]],
    }
    return report


# --- search among many patients ---------------------------------------------------------------


def _p95(values: list[float]) -> float:
    """Nearest-rank 95th percentile (as the editor figures take it)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def bench_search(ctx: Context) -> Report:
    n = ctx.size(100_000, 1000)
    warmup, reps = ctx.size(3, 1), ctx.size(15, 3)
    persons = data.people(n)
    report = Report()
    with scratch_store(ctx, "search") as store:
        create_ms, ids = timed_ms(
            lambda: patients.create_patients(store, data.new_patients(persons))
        )
        assert len(ids) == n
        if not store.is_sqlite:
            # A server that has been running has planner statistics (autovacuum analyses);
            # a table bulk-loaded a second ago has none yet. SQLite uses none either way.
            with store.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
        queries = data.QUERIES + data.EXTRA_QUERIES
        for q in queries:  # a fast answer only counts if it is the right one
            result = patients.search_patients(store, q)
            want = data.expected_hits(persons, q)
            # the count stops at COUNT_CAP ("1,000+"), and says so
            counted = (min(want, patients.COUNT_CAP), want > patients.COUNT_CAP)
            if (result.total, result.capped) != counted:
                raise AssertionError(f"search {q!r} found {result.total}, expected {want}")
            if len(result.patients) != min(want, 50):
                raise AssertionError(f"search {q!r} listed {len(result.patients)} patients")
            # SQLite compares names by code point, as Python does; a server has its collation
            order = [(p.family_name, p.given_name, p.id) for p in result.patients]
            if store.is_sqlite and order != sorted(order):
                raise AssertionError(f"search {q!r} listed patients out of name order")
        for _ in range(warmup):
            for q in queries:
                patients.search_patients(store, q)
        per_query: dict[str, list[float]] = {q: [] for q in queries}
        for _ in range(reps):  # round-robin, so no query gets a quieter moment than another
            for q in queries:
                per_query[q].append(timed_ms(partial(patients.search_patients, store, q))[0])
    everything = [t for q in data.QUERIES for t in per_query[q]]
    report.put("search_100k_median_ms", median(everything), reps)
    # The tail a clinician feels while typing: every query, the first letter ("m") included.
    typed = [t for q in data.TAIL_QUERIES for t in per_query[q]]
    report.put("search_100k_p95_ms", _p95(typed), reps)
    medians = {q: round(median(ts), 2) for q, ts in per_query.items()}
    hits = {q: data.expected_hits(persons, q) for q in queries}
    report.notes += [
        (
            f"“{q}” ({hits[q]} hits)",
            f"{m:.1f} ms" + (" (p95 only)" if q in data.EXTRA_QUERIES else ""),
        )
        for q, m in medians.items()
    ]
    report.notes.append(("bulk create", f"{n} patients in {create_ms / 1000:.1f} s"))
    report.details = {
        "patients": n,
        "queries": len(data.QUERIES),
        "per_query_median_ms": medians,
        "hits": hits,
        "worst_query_median_ms": max(medians[q] for q in data.QUERIES),
        "not_in_median": list(data.EXTRA_QUERIES),
        "per_query_p95_ms": {q: round(_p95(ts), 2) for q, ts in per_query.items()},
        "bulk_create_s": round(create_ms / 1000, 2),
    }
    return report


# --- history of a long-edited chart ---------------------------------------------------------


def bench_history(ctx: Context) -> Report:
    n = ctx.size(500, 20)
    warmup, reps = ctx.size(3, 1), ctx.size(15, 3)
    width, height, samples = 6000, 4000, 150
    report = Report()
    with scratch_store(ctx, "history") as store:
        clinician = default_practitioner(store)
        patient = patients.create_patient(store, "José", "Weiß", date(1975, 9, 30))
        visit = visits.start_visit(store, patient.id, clinician.id, "neurotoxin")
        content = data.chart({v: None for v in data.VIEWS}, width, height, 40, 12, samples)
        parent: int | None = None
        for i in range(n):
            # mostly dose tweaks, now and then a stroke: keeps building 500 versions quick
            content = data.edited(content, i, width, height, samples, add_stroke=i % 25 == 0)
            parent = charts.save_version(
                store, visit.id, content, parent_version_id=parent, saved_by_id=clinician.id
            ).id
        listed = charts.history(store, visit.id)
        if len(listed) != n or listed[0].version_no != n:
            raise AssertionError(f"history listed {len(listed)} versions, expected {n}")
        times = repeat_ms(lambda: charts.history(store, visit.id), reps, warmup)
    report.put("history_500_ms", median(times), reps)
    report.details = {"versions": n}
    return report


BENCHMARKS = (
    Benchmark(
        "save",
        ("save_growth_kb", "save_ratio_24mp_vs_1mp"),
        bench_save,
        {"save_growth_kb": Goal(64), "save_ratio_24mp_vs_1mp": Goal(1.5)},
        "one more version of a 4-photo, 200-point, 100-stroke chart",
    ),
    Benchmark(
        "search",
        ("search_100k_median_ms", "search_100k_p95_ms"),
        bench_search,
        {"search_100k_median_ms": Goal(20), "search_100k_p95_ms": Goal(20)},
        "name search among 100,000 patients",
    ),
    Benchmark(
        "history",
        ("history_500_ms",),
        bench_history,
        {"history_500_ms": Goal(100)},
        "listing the history of a chart with 500 versions",
    ),
)
