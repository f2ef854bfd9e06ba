"""Editor figures (issue #3): a pen event's cost on a 24 MP photo, opening a 4-view chart, and
the memory of that chart open and edited.

An event's cost runs from sending the QTabletEvent to the end of the viewport's synchronous
repaint; an open ends at a paint of the canvas that contains the photo's pixels (sampled).
The editor is the real one, over a real SQLite database, offscreen.
"""

from __future__ import annotations

import io
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from bench import _editor_busy as busy
from bench import _store_data as data
from bench.registry import Benchmark, Context, Goal, Report, median

if TYPE_CHECKING:  # Qt and the editor load only when an editor benchmark runs
    from PySide6.QtCore import QRectF
    from PySide6.QtWidgets import QApplication

    from app.store.database import Store
    from ui.editor.editor_window import ChartEditor

REPO = Path(__file__).resolve().parent.parent
SCREEN = (1366, 768)
VIEWS = data.VIEWS


def _qt_app() -> QApplication:
    """The app's QApplication set-up (style sheet, font, GUI-thread garbage collection)."""
    return busy.app()


def _visit(db: Path, jpegs: list[bytes]) -> tuple[str, int, int]:
    """A database with one patient, one toxin visit and a photo per view: (url, visit, who)."""
    from datetime import date

    from app.services import patients, photos, visits
    from app.services.practitioners import default_practitioner
    from app.store.database import open_store, sqlite_url

    url = sqlite_url(db)
    store = open_store(url)
    try:
        who = default_practitioner(store).id
        p = patients.create_patient(store, "Bench", "Patient", date(1980, 1, 1))
        v = visits.start_visit(store, p.id, who, "neurotoxin", date(2026, 11, 20))
        for view, jpeg in zip(VIEWS, jpegs, strict=False):
            photos.add_photo_bytes(store, p.id, view, jpeg, visit_id=v.id)
        return url, v.id, who
    finally:
        store.dispose()


def _open_editor(url: str, visit_id: int, who: int) -> tuple[Store, ChartEditor]:
    from app.store.database import open_store
    from ui.editor.editor_window import ChartEditor

    store = open_store(url)
    ed = ChartEditor(store, visit_id, who)
    ed.resize(*SCREEN)
    ed.show()
    return store, ed


def _stroke_path(frame: QRectF, n: int) -> list[tuple[float, float, float]]:
    """A 500-sample wavy line across the middle of the photo, pressure rising and falling."""
    w, h = frame.width(), frame.height()
    return [
        (
            w * (0.2 + 0.6 * i / (n - 1)),
            h * (0.5 + 0.08 * math.sin(i / 25)),
            0.3 + 0.6 * abs(math.sin(i / 60)),
        )
        for i in range(n)
    ]


def _stroke_times(ed: ChartEditor, n: int) -> list[float]:
    """Milliseconds per pen-move event of one stroke, each ended by a synchronous repaint."""
    from PySide6.QtCore import QEvent, QPointF, Qt
    from PySide6.QtGui import QInputDevice, QPointingDevice, QTabletEvent
    from PySide6.QtWidgets import QApplication

    canvas = ed.canvas()
    vp = canvas.viewport()
    caps = QInputDevice.Capability.Position | QInputDevice.Capability.Pressure
    pen = QPointingDevice(
        "bench pen", 9001, QInputDevice.DeviceType.Stylus, QPointingDevice.PointerType.Pen,
        caps, 1, 3,
    )  # fmt: skip
    to_vp = canvas.viewportTransform()

    def event(kind: QEvent.Type, x: float, y: float, p: float) -> QTabletEvent:
        pos = to_vp.map(QPointF(x, y))
        return QTabletEvent(
            kind, pen, pos, pos, p, 0, 0, 0, 0, 0, Qt.KeyboardModifier.NoModifier,
            Qt.MouseButton.LeftButton, Qt.MouseButton.LeftButton,
        )  # fmt: skip

    path = _stroke_path(canvas.vscene.frame, n)
    QApplication.sendEvent(vp, event(QEvent.Type.TabletPress, *path[0]))
    times = []
    for x, y, p in path[1:]:
        ev = event(QEvent.Type.TabletMove, x, y, p)
        t0 = time.perf_counter()
        QApplication.sendEvent(vp, ev)
        vp.repaint()
        times.append((time.perf_counter() - t0) * 1000.0)
    QApplication.sendEvent(vp, event(QEvent.Type.TabletRelease, *path[-1]))
    ed.session.undo_stack.undo()  # every stroke starts from the same chart
    return times


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def bench_stroke(ctx: Context) -> Report:
    app = _qt_app()
    report = Report()
    big = (6000, 4000) if not ctx.quick else (1200, 800)
    small = (1224, 816) if not ctx.quick else (600, 400)
    n = ctx.size(500, 60)
    reps = ctx.size(7, 2)
    editors = {}
    for label, (w, h) in (("24mp", big), ("1mp", small)):
        jpeg = data.photo_jpegs(w, h, 1, seed=3)
        url, visit, who = _visit(ctx.tmp / f"stroke_{label}.db", jpeg)
        store, ed = _open_editor(url, visit, who)
        ed.show_view(ed.session.view_codes[0])
        ed.canvas().fit()
        app.processEvents()
        editors[label] = (store, ed)
    p95s: dict[str, list[float]] = {"24mp": [], "1mp": []}
    ratios = []
    for rep in range(reps + 1):  # the first round warms caches and is not counted
        order = list(editors) if rep % 2 == 0 else list(editors)[::-1]  # alternate who is first
        round_p95 = {label: _p95(_stroke_times(editors[label][1], n)) for label in order}
        if rep:
            for label, value in round_p95.items():
                p95s[label].append(value)
            ratios.append(round_p95["24mp"] / round_p95["1mp"])
    for store, ed in editors.values():
        ed.session.journal.timer.stop()
        ed.close()
        ed.deleteLater()
        store.dispose()
    app.processEvents()
    report.put("stroke_event_p95_ms_24mp", median(p95s["24mp"]), reps)
    report.put("stroke_event_ratio_24mp_vs_1mp", median(ratios), reps)
    report.notes.append(
        (
            "24mp / 1mp p95 per rep",
            ", ".join(f"{a:.2f}/{b:.2f}" for a, b in zip(p95s["24mp"], p95s["1mp"], strict=True)),
        )  # fmt: skip
    )
    report.details = {"samples_per_stroke": n, "p95_24mp": p95s["24mp"], "p95_1mp": p95s["1mp"]}
    return report


def _photo_painted(ed: ChartEditor) -> bool:
    """Paint the current canvas and sample it: the photo's pixels, not the empty backdrop."""
    from PySide6.QtGui import QColor

    canvas = ed.canvas()
    image = canvas.viewport().grab().toImage()
    centre = canvas.mapFromScene(canvas.vscene.frame.center())
    backdrop = canvas.backgroundBrush().color()
    return QColor(image.pixel(centre)).rgb() != backdrop.rgb()


def bench_open(ctx: Context) -> Report:
    from PIL import Image

    app = _qt_app()
    report = Report()
    w, h = (6000, 4000) if not ctx.quick else (1200, 800)
    jpegs = data.photo_jpegs(w, h, 4, seed=5)
    url, visit, who = _visit(ctx.tmp / "open.db", jpegs)
    reps = ctx.size(5, 1)

    def decode_all() -> float:
        t0 = time.perf_counter()
        for jpeg in jpegs:
            Image.open(io.BytesIO(jpeg)).load()
        return (time.perf_counter() - t0) * 1000.0

    def open_once() -> float:
        t0 = time.perf_counter()
        store, ed = _open_editor(url, visit, who)
        ok = _photo_painted(ed)
        elapsed = (time.perf_counter() - t0) * 1000.0
        if not ok:
            raise RuntimeError("the first paint did not show the photo")
        ed.session.journal.timer.stop()
        ed.close()
        ed.deleteLater()
        app.processEvents()
        store.dispose()
        return elapsed

    decode_all()
    open_once()  # warm-up: imports, fonts, the style sheet
    opens, decodes, ratios = [], [], []
    for rep in range(reps):
        if rep % 2:  # alternate which goes first
            d, o = decode_all(), open_once()
        else:
            o, d = open_once(), decode_all()
        opens.append(o)
        decodes.append(d)
        ratios.append(o / d)
    report.put("open_chart_ratio_vs_decode", median(ratios), reps)
    report.notes.append(
        ("open / decode medians", f"{median(opens):.0f} ms / {median(decodes):.0f} ms")
    )
    report.details = {"open_ms": opens, "decode_4_ms": decodes, "photo": [w, h]}

    # Memory in a fresh process that only opens, paints and edits the chart, as the app would.
    out = subprocess.run(
        [sys.executable, "-c", f"from bench.editor import rss_child; rss_child({url!r}, {visit})"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")},
    )
    if out.returncode != 0:
        report.skip("rss_mb_4x24mp", f"child failed: {out.stderr.strip()[-300:]}")
    else:
        mem = json.loads(out.stdout.strip().splitlines()[-1])
        report.put("rss_mb_4x24mp", mem["rss_mb"], 1)
        report.details["rss"] = mem
    return report


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


def rss_child(url: str, visit_id: int) -> None:
    """Open the 4-view chart, show every view, draw and place on each; print RSS as JSON."""

    from app.domain.editing import add_stroke, put_point
    from app.services.practitioners import default_practitioner
    from app.store.database import open_store

    app = _qt_app()
    store = open_store(url)
    who = default_practitioner(store).id
    store.dispose()
    store, ed = _open_editor(url, visit_id, who)
    from app.domain.chart import Stroke

    for view in ed.session.view_codes:
        ed.show_view(view)
        app.processEvents()
        ed.canvas().viewport().repaint()
        frame = ed.canvas().vscene.frame
        for k in range(10):
            path = _stroke_path(frame, 150)
            samples = tuple((x, y + k * 40, p, i * 8.0) for i, (x, y, p) in enumerate(path))
            ed.session.apply(
                add_stroke(ed.session.model.content, view, Stroke(samples, width=20)), "s", view
            )
        for k in range(5):
            pt = ed.session.new_point(view, frame.width() * (0.3 + 0.1 * k), frame.height() * 0.4)
            ed.session.apply(put_point(ed.session.model.content, view, pt), "p", view)
        ed.canvas().viewport().repaint()
    ed.session.journal.flush()
    print(json.dumps({"rss_mb": round(_status_mb("VmRSS"), 1), "peak_mb": _status_mb("VmHWM")}))
    ed.session.journal.clear()


BENCHMARKS: tuple[Benchmark, ...] = (
    Benchmark(
        "editor_stroke",
        ("stroke_event_p95_ms_24mp", "stroke_event_ratio_24mp_vs_1mp"),
        bench_stroke,
        {"stroke_event_p95_ms_24mp": Goal(8), "stroke_event_ratio_24mp_vs_1mp": Goal(1.3)},
        "pen-move event to synchronous repaint, 500-sample stroke, fit-to-screen",
    ),
    Benchmark(
        "editor_open",
        ("open_chart_ratio_vs_decode", "rss_mb_4x24mp"),
        bench_open,
        {"open_chart_ratio_vs_decode": Goal(1.0), "rss_mb_4x24mp": Goal(600)},
        "opening a 4-view chart of 24 MP photos; memory with it open and edited",
    ),
    Benchmark(
        "editor_busy",
        ("stroke_event_p95_ms_24mp_busy", "pen_up_ms_busy", "label_overlaps_busy"),
        busy.bench_busy,
        {
            "stroke_event_p95_ms_24mp_busy": Goal(8),
            "pen_up_ms_busy": Goal(16),
            "label_overlaps_busy": Goal(0),
        },
        "a view of 60 labelled points and 40 strokes on a 24 MP photo: pen-move, pen-up, labels",
    ),
    Benchmark(
        "editor_tap",
        ("point_tap_ms_100", "point_tap_ratio_100_vs_10"),
        busy.bench_tap,
        {"point_tap_ms_100": Goal(16), "point_tap_ratio_100_vs_10": Goal(1.5)},
        "pen tap placing a point until repainted, 100 vs 10 labelled points in the view",
    ),
    Benchmark(
        "editor_open_first",
        ("open_chart_ratio_vs_display_decode",),
        busy.bench_open_first,
        {"open_chart_ratio_vs_display_decode": Goal(0.5)},
        "4-view 24 MP busy chart to the first view's first paint, over 4 display decodes",
    ),
)
