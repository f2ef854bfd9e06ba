"""The large clinic of the lists' benchmark (bench/_clinic_data.py) is stored by bulk INSERTs;
built both ways on a small plan, the bulk rows must equal, column for column, what the
services write (ids in the same order; UUIDs are random either way), and the brute-force
counts must equal the services' answers."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from app.domain.follow_up import Reason
from app.services import follow_up, patients, recall
from app.services.practitioners import create_practitioner
from app.services.signoff import set_sign_off_since
from app.store.database import Store, open_store, sqlite_url
from app.store.schema import Chart, ChartPart, ChartVersion, LotUse, Visit
from bench import _clinic_data as clinic

TABLES = (Visit, Chart, ChartVersion, ChartPart, LotUse)
RANDOM = {"uuid"}


def _build(path: Path, bulk: bool, plan: clinic.Plan) -> tuple[Store, list[int]]:
    store = open_store(sqlite_url(path))
    people = [patients.NewPatient(f"P{i}", "Clinic", clinic.TODAY.replace(year=1980))
              for i in range(plan.patients)]  # fmt: skip
    patient_ids = patients.create_patients(store, people)
    who = [create_practitioner(store, f"Dr {i}").id for i in range(plan.practitioners)]
    if bulk:
        clinic.write_bulk(store, plan, patient_ids, who, batch=7)
    else:
        clinic.write_with_services(store, plan, patient_ids, who)
    set_sign_off_since(store, clinic.sign_off_since())
    return store, who


def _rows(store: Store) -> dict[str, list[tuple[object, ...]]]:
    out = {}
    with store.read() as s:
        for model in TABLES:
            cols = [c for c in model.__table__.columns if c.name not in RANDOM]
            key = model.__table__.primary_key.columns
            out[model.__tablename__] = [tuple(r) for r in s.execute(select(*cols).order_by(*key))]
    return out


def test_bulk_rows_equal_the_services_rows_and_counts_equal_brute_force(tmp_path: Path) -> None:
    plan = clinic.plan(64, practitioners=3, seed=14)  # a seed that reaches every rule
    assert any(v.in_error for v in plan.visits) and any(len(v.versions) > 1 for v in plan.visits)
    by_services, who = _build(tmp_path / "services.db", False, plan)
    by_bulk, _ = _build(tmp_path / "bulk.db", True, plan)
    try:
        a, b = _rows(by_services), _rows(by_bulk)
        for table in a:
            assert a[table] == b[table], table
        assert len(a["lot_use"]) >= len(plan.visits)
        for store in (by_services, by_bulk):
            found = follow_up.count_due(follow_up.due_list(store, clinic.TODAY))
            assert found == clinic.expected_due(plan)
            mine = follow_up.count_due(follow_up.due_list(store, clinic.TODAY, who[1]))
            assert mine == clinic.expected_due(plan, practitioner=1)
        # the plan reaches every rule, so the comparison above compares something
        assert all(clinic.expected_due(plan)[r] for r in (Reason.TOUCH_UP, Reason.REPEAT))  # noqa: E501
        assert clinic.expected_due(plan)[Reason.NOT_SIGNED]
        corrected = [v.versions[0] for v in plan.visits if len(v.versions) > 1]
        lots = sorted({lot for lots in corrected for lot in lots.values()})
        assert any(clinic.expected_recall(plan, lot)[1] for lot in lots)
        for lot in lots:
            hit = recall.recall(by_bulk, lot)
            assert (len(hit.uses), len(hit.earlier)) == clinic.expected_recall(plan, lot)
    finally:
        by_services.dispose()
        by_bulk.dispose()


def test_the_lists_benchmark_runs_and_checks_its_counts() -> None:
    """`bench/run.py lists` (quick: 800 patients): both figures, after its brute-force checks
    passed (a count that differs fails the run instead of giving a figure)."""
    import json
    import os
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "bench/run.py", "--json", "lists"],
        cwd=repo,
        env={**os.environ, "FACECHART_BENCH_QUICK": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    for key in ("due_list_ms_100k", "recall_ms_100k"):
        assert isinstance(out[key], float | int) and out[key] > 0, out.get(f"{key}_skipped")
    assert out["details"]["lists"]["due_counts"]["repeat"] > 0
