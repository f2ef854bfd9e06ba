"""Eight treatment rooms on one PostgreSQL server (issue #13): `--pg URL` only.

Each room is its own process with its own connections, as a room's laptop is: it saves its own
chart (60 points, 24 strokes, 4 views) once a second, a small edit each time, as the editor
does (`charts.save_version` from the version it has open); one room also imports a 12 MP photo
every 10th save and charts on it, as a retake does. The same work is run first by one room
alone, then by eight at once, in one run, so the ratio of their median saves is what the other
seven rooms cost a room. Any exception, or a conflict (each room saves only its own chart from
its own newest version: a conflict would be a false one), counts as an error.
"""

from __future__ import annotations

import math
import multiprocessing as mp
import os
import queue
import random
import time
import traceback
from dataclasses import dataclass, field
from datetime import date
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event

from app.domain.chart import ChartContent, ViewChart
from app.services import charts, patients, photos, visits
from app.services.practitioners import default_practitioner
from app.store.database import open_store
from bench import _store_data as data
from bench.registry import Benchmark, Context, Goal, Report, median
from bench.store import scratch_store

ROOMS = 8
POINTS, STROKES, SAMPLES = 60, 24, 120
CHART_PHOTO = (1224, 816)  # the photos the charts start on (their size does not enter a save)
PHOTO_ROOM = 0  # the room that imports a 12 MP photo every PHOTO_EVERY-th save


@dataclass(frozen=True, slots=True)
class RoomPlan:
    """What one room process does: everything it needs, picklable (spawned, not forked)."""

    url: str
    room: int
    visit_id: int
    patient_id: int
    clinician_id: int
    head_id: int
    content: ChartContent
    saves: int
    interval_s: float
    photo_every: int  # 0: no imports
    photo_size: tuple[int, int]


@dataclass
class RoomResult:
    room: int
    save_ms: list[float] = field(default_factory=list)
    save_cpu_ms: list[float] = field(default_factory=list)  # this process's CPU in the save
    late: int = 0  # saves that began more than one interval after their time (rooms behind)
    import_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _room(plan: RoomPlan, ready: Queue[int], go: Event, results: Queue[RoomResult]) -> None:
    """One room: connect and warm up, wait for the start, then save on its clock."""
    out = RoomResult(plan.room)
    try:
        store = open_store(plan.url, migrate=False)
        w, h = plan.photo_size
        n_photos = plan.saves // plan.photo_every if plan.photo_every else 0
        # every import a different photo (the same bytes would be the same photo record)
        jpegs = data.photo_jpegs(w, h, n_photos, seed=1000 + plan.room) if n_photos else []
        with store.read() as s:  # a connection in the pool, as a room that has been open
            s.connection()
    except Exception:
        ready.put(plan.room)
        out.errors.append("set-up: " + traceback.format_exc(limit=3))
        results.put(out)
        return
    ready.put(plan.room)
    go.wait()
    content, head = plan.content, plan.head_id
    phase = random.Random(plan.room).uniform(0.0, plan.interval_s)  # rooms are not in step
    start = time.monotonic() + phase
    try:
        for i in range(plan.saves):
            delay = start + i * plan.interval_s - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            elif -delay > plan.interval_s:
                out.late += 1
            if plan.photo_every and i % plan.photo_every == plan.photo_every - 1 and jpegs:
                t0 = time.perf_counter()
                try:
                    photo = photos.add_photo_bytes(
                        store, plan.patient_id, "rest", jpegs.pop(0), visit_id=plan.visit_id
                    )
                    rest = content.view("rest")
                    assert rest is not None
                    content = content.with_view(
                        ViewChart("rest", photo.sha256, rest.strokes, rest.points)
                    )
                except Exception as exc:  # noqa: BLE001 - every failure is counted
                    out.errors.append(f"import {i}: {type(exc).__name__}: {exc}")
                out.import_ms.append((time.perf_counter() - t0) * 1000.0)
            content = data.edited(content, i, *CHART_PHOTO, SAMPLES)
            t0, cpu0 = time.perf_counter(), time.process_time()
            try:
                saved = charts.save_version(
                    store,
                    plan.visit_id,
                    content,
                    parent_version_id=head,
                    saved_by_id=plan.clinician_id,
                )
                head = saved.id
            except Exception as exc:  # noqa: BLE001 - a conflict here is a false one
                out.errors.append(f"save {i}: {type(exc).__name__}: {exc}")
            out.save_ms.append((time.perf_counter() - t0) * 1000.0)
            out.save_cpu_ms.append((time.process_time() - cpu0) * 1000.0)
    finally:
        store.dispose()
        results.put(out)


def _charts(store_url: str, rooms: int, label: str) -> list[tuple[int, int, int, ChartContent]]:
    """`rooms` patients, each with a visit and a first version of a chart over 4 photos:
    (patient, visit, first version, its content)."""
    store = open_store(store_url, migrate=False)
    try:
        clinician = default_practitioner(store)
        out = []
        for r in range(rooms):
            patient = patients.create_patient(store, f"Room{r}", label, date(1980, 1, 1 + r))
            visit = visits.start_visit(store, patient.id, clinician.id, "neurotoxin")
            jpegs = data.photo_jpegs(*CHART_PHOTO, len(data.VIEWS), seed=len(label) * 100 + r)
            shas = {
                v: photos.add_photo_bytes(store, patient.id, v, j, visit_id=visit.id).sha256
                for v, j in zip(data.VIEWS, jpegs, strict=True)
            }
            content = data.chart(shas, *CHART_PHOTO, POINTS, STROKES, SAMPLES, seed=r)
            first = charts.save_version(
                store, visit.id, content, parent_version_id=None, saved_by_id=clinician.id
            )
            out.append((patient.id, visit.id, first.id, content))
        return out
    finally:
        store.dispose()


def _run_rooms(plans: list[RoomPlan], timeout_s: float) -> list[RoomResult]:
    """Start one process per plan, wait until all are connected, start them together."""
    ctx = mp.get_context("spawn")  # each room its own interpreter and connections, as laptops
    ready: Queue[int] = ctx.Queue()
    results: Queue[RoomResult] = ctx.Queue()
    go = ctx.Event()
    procs = [ctx.Process(target=_room, args=(p, ready, go, results)) for p in plans]
    for p in procs:
        p.start()
    out: list[RoomResult] = []
    try:
        for _ in plans:
            ready.get(timeout=300)
        go.set()
        for _ in plans:
            out.append(results.get(timeout=timeout_s))
    except queue.Empty:
        raise RuntimeError(f"{len(plans) - len(out)} room process(es) did not finish") from None
    finally:
        for p in procs:
            p.join(10)
            if p.is_alive():
                p.terminate()
    return out


def _p99(values: list[float]) -> float:
    """Nearest-rank 99th percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.99 * len(ordered)) - 1)]


def bench_rooms(ctx: Context) -> Report:
    report = Report()
    keys = ("rooms8_save_p99_ms", "rooms8_vs_1room_p50_ratio", "rooms8_errors")
    if not ctx.pg_url:
        for key in keys:
            report.skip(key, "needs a PostgreSQL server: run with --pg URL")
        return report
    saves = ctx.size(100, 6)
    interval = 1.0 if not ctx.quick else 0.3
    photo_every = ctx.size(10, 3)
    photo_size = (4000, 3000) if not ctx.quick else (1200, 900)
    with scratch_store(ctx, "rooms") as store:
        url = store.url.render_as_string(hide_password=False)
        clinician = default_practitioner(store).id
        store.dispose()  # the rooms open their own
        alone = _charts(url, 1, "Alone")
        eight = _charts(url, ROOMS, "Eight")

        def plans(made: list[tuple[int, int, int, ChartContent]]) -> list[RoomPlan]:
            return [
                RoomPlan(
                    url, r, visit, patient, clinician, head, content, saves, interval,
                    photo_every if r == PHOTO_ROOM else 0, photo_size,
                )
                for r, (patient, visit, head, content) in enumerate(made)
            ]  # fmt: skip

        timeout = saves * interval * 4 + 300
        load_before = os.getloadavg()[0]
        one = _run_rooms(plans(alone), timeout)
        many = _run_rooms(plans(eight), timeout)
        load_after = os.getloadavg()[0]
    one_ms = [t for r in one for t in r.save_ms]
    many_ms = [t for r in many for t in r.save_ms]
    errors = [e for r in one + many for e in r.errors]
    report.put("rooms8_save_p99_ms", _p99(many_ms), len(many_ms))
    report.put("rooms8_vs_1room_p50_ratio", median(many_ms) / median(one_ms), len(many_ms))
    report.put("rooms8_errors", float(len(errors)), len(many_ms) + len(one_ms))
    imports = [t for r in many for t in r.import_ms]
    report.notes += [
        ("save, 8 rooms", f"median {median(many_ms):.1f} ms, p99 {_p99(many_ms):.1f} ms"),
        ("save, 1 room", f"median {median(one_ms):.1f} ms, p99 {_p99(one_ms):.1f} ms"),
        ("12 MP import, 8 rooms", f"median {median(imports):.0f} ms" if imports else "none"),
        ("load (1 min)", f"{load_before:.2f} before, {load_after:.2f} after"),
    ]
    report.details = {
        "rooms": ROOMS,
        "saves_per_room": saves,
        "interval_s": interval,
        "points": POINTS,
        "strokes": STROKES,
        "photo_import_every": photo_every,
        "photo_import_size": f"{photo_size[0]}x{photo_size[1]}",
        "save_median_8_ms": round(median(many_ms), 2),
        "save_median_1_ms": round(median(one_ms), 2),
        "save_p99_1_ms": round(_p99(one_ms), 2),
        "save_max_8_ms": round(max(many_ms), 2),
        # a save's own CPU in its room's process: what is left of the wall time is waiting, for
        # the server or (on a shared test machine) for a core
        "save_cpu_median_8_ms": round(median(t for r in many for t in r.save_cpu_ms), 2),
        "save_cpu_median_1_ms": round(median(t for r in one for t in r.save_cpu_ms), 2),
        "late_saves_8": sum(r.late for r in many),
        "per_room_median_ms": [round(median(r.save_ms), 2) for r in many if r.save_ms],
        "import_ms": [round(t) for t in imports],
        "errors": errors[:10],
        "loadavg_before": load_before,
        "loadavg_after": load_after,
    }
    return report


BENCHMARKS = (
    Benchmark(
        "rooms8",
        ("rooms8_save_p99_ms", "rooms8_vs_1room_p50_ratio", "rooms8_errors"),
        bench_rooms,
        {
            "rooms8_save_p99_ms": Goal(300),
            "rooms8_vs_1room_p50_ratio": Goal(2),
            "rooms8_errors": Goal(0),
        },
        "8 room processes each saving its own chart once a second on one PostgreSQL server",
    ),
)
