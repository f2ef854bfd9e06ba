"""Follow-up list and lot recall figures (issue #14): `due_list_ms_100k` and `recall_ms_100k` on
a clinic of 100,000 patients and 400,000 visits, each visit's chart using 1-3 of ~200 lots
(bench/_clinic_data.py), each answer's counts checked against a brute-force count.

The clinic is built once (patients by the bulk service `create_patients`, visits and charts by
bulk INSERTs of the rows the services write) in the cache folder (bench/backup.py's: set
FACECHART_BENCH_CACHE, or delete the file to rebuild). The figures run on a copy of nothing:
the lists only read.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app.services import follow_up, patients, recall
from app.services.practitioners import create_practitioner, list_practitioners
from app.services.signoff import set_sign_off_since
from app.store.database import open_store, sqlite_url
from bench import _clinic_data as clinic
from bench.backup import cache_dir
from bench.registry import Benchmark, Context, Goal, Report, median, repeat_ms, timed_ms

PATIENTS = 100_000
FORMAT = 1  # bump when the cached clinic must be rebuilt
RECALL_LOTS = 15  # lots looked up, one timing each after a warm-up


def _build(path: Path, plan: clinic.Plan) -> float:
    """Store the plan in a new database at `path`; returns seconds taken."""
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    store = open_store(sqlite_url(path))
    try:
        ms, _ = timed_ms(lambda: _fill(store, plan))
    finally:
        store.dispose()
    return ms / 1000


def _fill(store: object, plan: clinic.Plan) -> None:
    from app.store.database import Store

    assert isinstance(store, Store)
    born = clinic.TODAY.replace(year=1975)
    people = (
        patients.NewPatient(f"Given{i % 997}", f"Family{i // 997}", born, f"L{i:06d}")
        for i in range(plan.patients)
    )
    patient_ids = patients.create_patients(store, people)
    who = [create_practitioner(store, f"Dr Bench {i}").id for i in range(plan.practitioners)]
    clinic.write_bulk(store, plan, patient_ids, who)
    set_sign_off_since(store, clinic.sign_off_since())


def _index_sql(path: Path) -> dict[str, str]:
    con = sqlite3.connect(path)
    try:
        rows = con.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        ).fetchall()
    finally:
        con.close()
    return dict(rows)


def _sync_indexes(cached: Path, scratch: Path) -> list[str]:
    """Give the cached clinic the indexes of the current schema (a fresh database migrated
    here), rebuilding those that differ: indexes are derived from the rows, so this is the
    database the migrations would make, without storing 400,000 visits again."""
    store = open_store(sqlite_url(scratch))
    store.dispose()
    want, have = _index_sql(scratch), _index_sql(cached)
    changed = sorted({n for n in want if have.get(n) != want[n]} | (set(have) - set(want)))
    if changed:
        con = sqlite3.connect(cached)
        try:
            for name in changed:
                con.execute(f'DROP INDEX IF EXISTS "{name}"')
                if name in want:
                    con.execute(want[name])
            con.commit()
        finally:
            con.close()
    return changed


def _database(ctx: Context, plan: clinic.Plan) -> tuple[Path, float | None]:
    if ctx.quick:
        path = ctx.tmp / "lists-quick.db"
        return path, _build(path, plan)
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"lists-{PATIENTS}-v{FORMAT}.db"
    done = path.with_name(path.name + ".complete")
    if done.exists():
        return path, None
    seconds = _build(path, plan)
    done.write_text("built\n")
    return path, seconds


def bench_lists(ctx: Context) -> Report:
    report = Report()
    keys = ("due_list_ms_100k", "recall_ms_100k")
    if ctx.pg_url:
        for key in keys:
            report.skip(key, "the 100,000-patient clinic is built on SQLite only")
        return report
    plan = clinic.plan(ctx.size(PATIENTS, 800))
    path, built = _database(ctx, plan)
    rebuilt = _sync_indexes(path, ctx.tmp / "schema.db")
    store = open_store(sqlite_url(path), migrate=False)
    try:
        # the counts first: a fast wrong answer is no figure
        expected = clinic.expected_due(plan)
        found = follow_up.count_due(follow_up.due_list(store, clinic.TODAY))
        if found != expected:
            raise AssertionError(f"due list counts {found} != brute force {expected}")
        doctor = 1  # the plan's second practitioner, "Dr Bench 1"
        doctor_id = next(p.id for p in list_practitioners(store) if p.name == "Dr Bench 1")
        mine = follow_up.count_due(follow_up.due_list(store, clinic.TODAY, doctor_id))
        if mine != clinic.expected_due(plan, practitioner=doctor):
            raise AssertionError("due list counts for one practitioner differ from brute force")
        lots = [lot for _p, lot in clinic.lot_names()[:: max(1, clinic.LOTS // RECALL_LOTS)]]
        uses = []
        for lot in lots:
            result = recall.recall(store, lot)
            got = (len(result.uses), len(result.earlier))
            if got != clinic.expected_recall(plan, lot):
                raise AssertionError(
                    f"recall of {lot}: {got} != {clinic.expected_recall(plan, lot)}"
                )
            uses.append(got[0])
        reps = ctx.size(9, 2)
        due_times = repeat_ms(lambda: follow_up.due_list(store, clinic.TODAY), reps, 1)
        mine_times = repeat_ms(lambda: follow_up.due_list(store, clinic.TODAY, doctor_id), reps, 1)
        recall.recall(store, lots[0])  # warm-up
        recall_times = []
        for lot in lots:

            def look_up(lot: str = lot) -> object:
                return recall.recall(store, lot)

            recall_times.append(timed_ms(look_up)[0])
    finally:
        store.dispose()
    report.put("due_list_ms_100k", median(due_times), reps)
    report.put("recall_ms_100k", median(recall_times), len(recall_times))
    if ctx.quick:
        report.notes.append(("size", f"quick: {plan.patients} patients; figures mean nothing"))
    report.notes.append(
        (
            "clinic",
            f"{plan.patients:,} patients, {len(plan.visits):,} visits, {clinic.LOTS} lots, "
            f"due on {clinic.TODAY}: {', '.join(f'{r.value} {n}' for r, n in expected.items())}",
        )
    )
    report.notes.append(("due list, one practitioner", f"{median(mine_times):.1f} ms median"))
    report.notes.append(
        ("recall", f"{len(lots)} lots, {min(uses)}-{max(uses)} uses each (newest versions)")
    )
    if built is not None:
        report.notes.append(("clinic built", f"{built:.0f} s (cached for later runs)"))
    if rebuilt:
        report.notes.append(("indexes rebuilt to the current schema", ", ".join(rebuilt)))
    report.details.update(
        {
            "patients": plan.patients,
            "visits": len(plan.visits),
            "due_counts": {r.value: n for r, n in expected.items()},
            "due_list_ms": due_times,
            "due_list_one_practitioner_ms": mine_times,
            "recall_ms": recall_times,
            "recall_uses": uses,
            "build_s": built,
        }
    )
    return report


BENCHMARKS = (
    Benchmark(
        "lists",
        ("due_list_ms_100k", "recall_ms_100k"),
        bench_lists,
        {"due_list_ms_100k": Goal(200), "recall_ms_100k": Goal(100)},
        "follow-up list and lot recall on 100,000 patients, 400,000 visits, ~200 lots",
    ),
)
