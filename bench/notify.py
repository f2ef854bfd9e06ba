"""Rooms see each other (issue #13): from another room's save to this room's banner.

A second process (bench/_other_room.py) saves the chart open here through app.services, one
save at a time; this process runs the real chart editor offscreen with its event loop going
and the window's watcher (ui/common/room_watch.py) feeding it. A figure is the wall-clock time
from the other process's commit (its clock, read right after `save_version` returned) to the
banner naming that version being shown here (`EditorRooms.news_shown`). SQLite by default
(polling `PRAGMA data_version`); PostgreSQL (LISTEN/NOTIFY) with `--pg URL`.
"""

from __future__ import annotations

import json
import math
import os
import queue
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import IO

from bench import _editor_busy as busy
from bench import _store_data as data
from bench.registry import Benchmark, Context, Goal, Report, median
from bench.store import scratch_store

REPO = Path(__file__).resolve().parent.parent
SCREEN = (1366, 768)


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def bench_notify(ctx: Context) -> Report:
    report = Report()
    app = busy.app()
    from datetime import date

    from app.domain.chart import ChartContent, InjectionPoint, ViewChart
    from app.domain.values import Side
    from app.services import charts, patients, photos, visits
    from app.services.practitioners import default_practitioner
    from ui.common.room_watch import RoomWatch
    from ui.editor.editor_window import ChartEditor

    saves = ctx.size(24, 3)
    with scratch_store(ctx, "rooms") as store:
        who = default_practitioner(store).id
        p = patients.create_patient(store, "Bench", "Rooms", date(1980, 1, 1))
        v = visits.start_visit(store, p.id, who, "neurotoxin", date(2026, 11, 20))
        shas = {}
        for view, jpeg in zip(data.VIEWS, data.photo_jpegs(1200, 1500, 4), strict=False):
            shas[view] = photos.add_photo_bytes(store, p.id, view, jpeg, visit_id=v.id).sha256
        point = InjectionPoint(380.0, 170.0, "botox", Decimal(4), zone="Corrugator", side=Side.LEFT)
        content = ChartContent(views=(ViewChart("frown", shas["frown"], points=(point,)),))
        charts.save_version(store, v.id, content, parent_version_id=None, saved_by_id=who)

        ed = ChartEditor(store, v.id, who)
        ed.resize(*SCREEN)
        ed.show()
        watch = RoomWatch(store)
        watch.news.connect(ed.room_news)
        shown: dict[int, float] = {}  # version number → wall clock of its banner
        ed.rooms.news_shown.connect(lambda n: shown.setdefault(n.version_no or 0, time.time()))

        def spin(until: float, done: object) -> bool:
            while time.monotonic() < until:
                app.processEvents()
                if callable(done) and done():
                    return True
                time.sleep(0.002)
            return False

        spin(time.monotonic() + 10, lambda: watch.watching)
        url = store.url.render_as_string(hide_password=False)
        proc = subprocess.Popen(
            [sys.executable, "-m", "bench._other_room", url, str(v.id), "saves", str(saves), "5"],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdin is not None and proc.stdout is not None
        lines, pump = _reader(proc.stdout)
        latencies: list[float] = []
        missed = 0
        try:
            for _ in range(saves):
                line = ""
                while not line:  # the other room's commit, its JSON line; the loop runs on
                    spin(time.monotonic() + 0.01, None)
                    line = _next_line(lines)
                    if proc.poll() is not None and not line:
                        pump.join(timeout=5)  # at its end of file: all it printed is queued
                        line = _next_line(lines)
                        if not line:
                            raise RuntimeError("the other room stopped")
                saved = json.loads(line)
                no = saved["version_no"]
                if spin(time.monotonic() + 10, lambda no=no: no in shown):
                    latencies.append((shown[no] - saved["at"]) * 1000.0)
                else:
                    missed += 1
                proc.stdin.write("\n")
                proc.stdin.flush()
        finally:
            proc.stdin.close()
            proc.wait(timeout=30)
            pump.join(timeout=5)
            watch.close()
            ed.session.journal.timer.stop()
            ed.close()
            ed.deleteLater()
            app.processEvents()
    backend = "postgresql" if ctx.pg_url else "sqlite"
    if latencies:
        report.put("notify_ms_p95", _p95(latencies), len(latencies))
    else:
        report.skip("notify_ms_p95", "no banner was shown")
    report.notes.append(
        (
            f"{backend}",
            f"median {median(latencies) if latencies else 0:.0f} ms, max "
            f"{max(latencies, default=0):.0f} ms, {len(latencies)} saves, {missed} missed, "
            f"load {os.getloadavg()[0]:.2f}",
        )
    )
    report.details = {"backend": backend, "latencies_ms": [round(x, 1) for x in latencies]}
    return report


def _reader(stream: IO[str]) -> tuple[queue.Queue[str], threading.Thread]:
    """The other room's stdout, line by line, read on a thread of its own into a queue, so the
    event loop never waits on the pipe. Polling the pipe instead (select) works on Linux and
    macOS only: Windows' select takes sockets, not pipes. The thread is safe beside Qt here:
    `busy.app()` sets collection up as the app does, on the GUI thread only (gc_pause.py)."""
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in iter(stream.readline, ""):  # "" at end of file: the other room ended
            lines.put(line)

    thread = threading.Thread(target=pump, name="other-room-stdout", daemon=True)
    thread.start()
    return lines, thread


def _next_line(lines: queue.Queue[str]) -> str:
    """A line the other room printed, or "" when none has come yet (never waits)."""
    try:
        return lines.get_nowait()
    except queue.Empty:
        return ""


BENCHMARKS = (
    Benchmark(
        "notify",
        ("notify_ms_p95",),
        bench_notify,
        {"notify_ms_p95": Goal(2000)},
        "another process's save of the open chart to this room's banner, p95 (≥ 20 saves)",
    ),
)
