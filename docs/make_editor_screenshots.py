"""Screenshots of the chart editor for docs/editor.md:

    python docs/make_editor_screenshots.py [OUTDIR]

Opens the demo clinic's charted visit in the real editor with the app's style, draws a dashed
border, selects a point so its sheet shows, and renders each panel and a 3x zoom at 1366x768
(100 %) and at 1440x960 with QT_SCALE_FACTOR=2 (2880x1920), each scale in its own process
because Qt reads QT_SCALE_FACTOR once.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = (("1366x768", "1", "1366x768"), ("1440x960", "2", "2880x1920"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, nargs="?", default=ROOT / "docs" / "screenshots")
    parser.add_argument("--size", help="render one scale in this process (internal)")
    parser.add_argument("--suffix", default="")
    args = parser.parse_args(argv)
    if args.size is None:
        for size, scale, suffix in CONFIGS:
            env = {**os.environ, "QT_SCALE_FACTOR": scale, "QT_QPA_PLATFORM": "offscreen"}
            cmd = [
                sys.executable,
                __file__,
                str(args.out),
                "--size",
                size,
                f"--suffix=-{suffix}",  # "=": a value starting with "-" is no option
            ]
            subprocess.run(cmd, env=env, check=True, cwd=ROOT)
        return 0
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QPointF
    from sqlalchemy import select

    from app.services.demo import build_demo
    from app.services.practitioners import default_practitioner
    from app.store.database import open_store, sqlite_url
    from app.store.schema import Chart
    from ui.app import application
    from ui.editor.editor_window import ChartEditor
    from ui.editor.session import Selection

    app = application()
    width, height = (int(v) for v in args.size.split("x"))
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(sqlite_url(Path(tmp) / "demo.db"))
        build_demo(store)
        with store.read() as s:
            visit_id = s.scalars(select(Chart.visit_id).order_by(Chart.id)).first()
        assert visit_id is not None
        ed = ChartEditor(store, visit_id, default_practitioner(store).id)
        ed.resize(width, height)
        ed.show()
        app.processEvents()
        args.out.mkdir(parents=True, exist_ok=True)
        shots = []
        ed.show_view("frown")
        canvas = ed.canvas()
        canvas.fit()
        app.processEvents()
        # The faces measured, as a moment after opening (sides, zones, brow distances).
        ed.session.wait_faces()
        ed.session.faces.request("frown")
        ed.session.faces.wait()
        for _ in range(3):
            app.processEvents()
        # The clinician has just drawn a red border and tapped a point: the sheet shows it.
        from app.domain.chart import Stroke
        from app.domain.editing import add_stroke

        f = canvas.vscene.frame
        w, h = f.width(), f.height()
        border = tuple(
            (w * (0.62 + 0.005 * t), h * (0.30 - 0.03 * (t / 20) ** 2), 0.8, t * 8.0)
            for t in range(21)
        )
        dashed = Stroke(border, "red", "dashed", 12)
        ed.session.apply(add_stroke(ed.session.model.content, "frown", dashed), "Stroke", "frown")
        points = ed.session.model.content.view("frown").points  # type: ignore[union-attr]
        if points:
            ed.session.select(Selection("frown", points[0].id))
        app.processEvents()
        shots.append(("sheet", ed.grab()))
        ed.show_panel("totals")
        app.processEvents()
        shots.append(("totals", ed.grab()))
        ed.show_panel("products")
        app.processEvents()
        shots.append(("products", ed.grab()))
        ed.show_panel("point")
        canvas.zoom_to(canvas.fit_scale() * 3, QPointF(canvas.viewport().rect().center()),
                       f.center() + QPointF(0, -f.height() * 0.18))  # fmt: skip
        app.processEvents()
        shots.append(("zoom", ed.grab()))
        for name, pm in shots:
            path = args.out / f"editor-{name}{args.suffix}.png"
            pm.save(str(path))
            print(path, pm.width(), pm.height())
        ed.session.journal.timer.stop()
        ed.session.journal.clear()
        store.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
