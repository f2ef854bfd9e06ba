"""Reports (issue #12): one visit of four 24 MP views to PDF, built the way the app and the
`report` command build it (services.reports.write_visit_report on a real database), on a
full-face chart: 60 labelled points and 40 strokes per view."""

from __future__ import annotations

from datetime import date

from app.services import charts, patients, photos, practitioners, reports, visits
from bench._face_chart import chart
from bench._store_data import VIEWS, photo_jpegs
from bench.registry import Benchmark, Context, Goal, Report, median, repeat_ms
from bench.store import scratch_store


def bench_report(ctx: Context) -> Report:
    report = Report()
    w, h = (6000, 4000) if not ctx.quick else (600, 400)
    reps, warmup = ctx.size(7, 1), 1
    with scratch_store(ctx, "report") as store:
        who = practitioners.default_practitioner(store)
        patient = patients.create_patient(store, "Zoë", "Martin", date(1984, 3, 12))
        visit = visits.start_visit(store, patient.id, who.id, "neurotoxin")
        shas = []
        for view, jpeg in zip(VIEWS, photo_jpegs(w, h, len(VIEWS)), strict=True):
            rec = photos.add_photo_bytes(store, patient.id, view, jpeg, visit_id=visit.id)
            shas.append((view, rec.sha256, (rec.width, rec.height)))
        content = chart(shas, points=ctx.size(60, 6), strokes=ctx.size(40, 4))
        charts.save_version(store, visit.id, content, parent_version_id=None, saved_by_id=who.id)
        out = ctx.tmp / "visit.pdf"
        times = repeat_ms(
            lambda: reports.write_visit_report(store, visit.id, out, actor_id=who.id),
            reps,
            warmup,
        )
        report.put("report_ms_4views", median(times), reps)
        report.put("report_kb_4views", out.stat().st_size / 1024, 1)
        report.details = {"photo": f"{w}x{h}", "points_per_view": ctx.size(60, 6)}
    return report


BENCHMARKS = (
    Benchmark(
        "report",
        ("report_ms_4views", "report_kb_4views"),
        bench_report,
        {"report_ms_4views": Goal(2000), "report_kb_4views": Goal(6000)},
        "one visit of four 24 MP views, 60 points and 40 strokes each, to PDF",
    ),
)
