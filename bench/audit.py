"""Audit-trail figures (issue #11): what the hash-chained audit log adds on disk per saved
version, in a clinic database of 2,000 charts whose log already holds every earlier action.

Per saved version a practitioner opens the patient, opens the visit and saves: three events
(open_patient, open_visit, save), each one row of `audit_event` and its index entries. The
figure is the growth of that table and its indexes (SQLite's dbstat, PostgreSQL's
pg_total_relation_size), divided by the versions saved; the chart content itself is
`save_growth_kb`'s business (bench/store.py).
"""

from __future__ import annotations

import random
from datetime import date
from functools import partial

from sqlalchemy import text

from app.domain.chart import ChartContent
from app.services import audit, charts, patients, visits
from app.services.practitioners import default_practitioner
from app.store import audit_log
from app.store.database import Store
from bench import _store_data as data
from bench.registry import Benchmark, Context, Goal, Report, median, timed_ms
from bench.store import db_bytes, scratch_store


def audit_bytes(store: Store) -> int:
    """Bytes of the audit_event table with its indexes."""
    if store.is_sqlite:
        db_bytes(store)  # moves the WAL into the file first
        with store.engine.connect() as conn:
            return int(
                conn.execute(
                    text(
                        "SELECT coalesce(sum(d.pgsize), 0) FROM dbstat d WHERE d.name IN "
                        "(SELECT name FROM sqlite_schema WHERE tbl_name = 'audit_event')"
                    )
                ).scalar_one()
            )
    with store.engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_total_relation_size('audit_event')")).scalar_one())


def _opened(store: Store, who: int, patient_id: int, visit_id: int) -> None:
    """What the screens record on the way to a chart (ui/shell/main_window.py)."""
    audit.record(store, "open_patient", who, patient_id=patient_id, subject=f"patient:{patient_id}")
    audit.record(
        store,
        "open_visit",
        who,
        patient_id=patient_id,
        visit_id=visit_id,
        subject=f"visit:{visit_id}",
        detail=f"neurotoxin visit of {date.today().isoformat()}",
    )


def bench_audit_growth(ctx: Context) -> Report:
    n_charts = ctx.size(2000, 20)
    n_saves = ctx.size(300, 6)
    width, height, samples = 1200, 1500, 60
    rng = random.Random(11)
    report = Report()
    with scratch_store(ctx, "audit") as store:
        who = default_practitioner(store).id
        ids = patients.create_patients(
            store, data.new_patients(data.people(n_charts)), actor_id=who
        )
        base = data.chart({v: None for v in data.VIEWS}, width, height, 50, 12, samples)
        # visit → (patient, head version, content)
        heads: dict[int, tuple[int, int, ChartContent]] = {}
        for i, pid in enumerate(ids):
            visit = visits.start_visit(store, pid, who, "neurotoxin")
            _opened(store, who, pid, visit.id)
            content = data.edited(base, i, width, height, samples)
            head = charts.save_version(
                store, visit.id, content, parent_version_id=None, saved_by_id=who
            )
            heads[visit.id] = (pid, head.id, content)
        with store.read() as s:
            events_before = audit_log.head(s)[0]
        before = audit_bytes(store)
        save_ms: list[float] = []
        for i in range(n_saves):
            visit_id = rng.choice(list(heads))
            pid, head_id, content = heads[visit_id]
            _opened(store, who, pid, visit_id)
            content = data.edited(content, 1000 + i, width, height, samples)
            ms, info = timed_ms(
                partial(
                    charts.save_version,
                    store,
                    visit_id,
                    content,
                    parent_version_id=head_id,
                    saved_by_id=who,
                )
            )
            save_ms.append(ms)
            heads[visit_id] = (pid, info.id, content)
        grown = audit_bytes(store) - before
        with store.read() as s:
            events_after = audit_log.head(s)[0]
    per_version = grown / n_saves / 1024
    per_event = grown / max(1, events_after - events_before)
    report.put("audit_growth_kb_per_version", per_version, n_saves)
    report.notes += [
        ("database", f"{n_charts} charts, {events_before} audit events before"),
        ("per event", f"{per_event:.0f} bytes (row and its index entries)"),
        ("save, with its event", f"{median(save_ms):.1f} ms median"),
    ]
    report.details = {
        "charts": n_charts,
        "versions_saved": n_saves,
        "events_before": events_before,
        "events_added": events_after - events_before,
        "bytes_per_event": round(per_event, 1),
        "save_median_ms": round(median(save_ms), 2),
    }
    return report


BENCHMARKS = (
    Benchmark(
        "audit",
        ("audit_growth_kb_per_version",),
        bench_audit_growth,
        {"audit_growth_kb_per_version": Goal(2)},
        "the audit log's growth per saved version (open patient, open visit, save) "
        "in a database of 2,000 charts",
    ),
)
