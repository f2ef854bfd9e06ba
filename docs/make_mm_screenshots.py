"""Screenshots of millimetres in the chart editor for docs/editor.md (issue #10):

    python docs/make_mm_screenshots.py [OUTDIR]

A visit whose frown photo is scikit-image's public-domain astronaut portrait (no patient photo
is committed; scikit-image is a test dependency): the Safety band on, a measurement from pupil
to pupil, and a point placed inside the band with its sheet showing the distance and the
warning. Rendered at 1366x768 (100 %), 1280x720 with QT_SCALE_FACTOR=1.5 (1920x1080) and
1440x960 with QT_SCALE_FACTOR=2 (2880x1920), each scale in its own process.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = (
    ("1366x768", "1", "1366x768"),
    ("1280x720", "1.5", "1920x1080"),
    ("1440x960", "2", "2880x1920"),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, nargs="?", default=ROOT / "docs" / "screenshots")
    parser.add_argument("--size", help="render one scale in this process (internal)")
    parser.add_argument("--suffix", default="")
    args = parser.parse_args(argv)
    if args.size is None:
        for size, scale, suffix in CONFIGS:
            env = {**os.environ, "QT_SCALE_FACTOR": scale, "QT_QPA_PLATFORM": "offscreen"}
            cmd = [sys.executable, __file__, str(args.out), "--size", size,
                   f"--suffix=-{suffix}"]  # fmt: skip
            subprocess.run(cmd, env=env, check=True, cwd=ROOT)
        return 0
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from datetime import date

    import numpy as np
    from PIL import Image
    from PySide6.QtCore import QPointF

    from app.services import patients, photos, visits
    from app.services.practitioners import default_practitioner
    from app.store.database import open_store, sqlite_url
    from tests.app.alignment.faces import astronaut
    from tests.images import jpeg_bytes
    from ui.app import application
    from ui.editor.editor_window import ChartEditor
    from ui.editor.session import Selection

    app = application()
    width, height = (int(v) for v in args.size.split("x"))
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(sqlite_url(Path(tmp) / "mm.db"))
        who = default_practitioner(store).id
        p = patients.create_patient(store, "Zoë", "Martin", date(1984, 3, 9))
        v = visits.start_visit(store, p.id, who, "neurotoxin", date(2026, 11, 30))
        face = jpeg_bytes(Image.fromarray(astronaut(2.0)), quality=95)
        photos.add_photo_bytes(store, p.id, "frown", face, visit_id=v.id)
        ed = ChartEditor(store, v.id, who)
        ed.resize(width, height)
        ed.show()
        ed.show_view("frown")
        canvas = ed.canvas()
        canvas.fit()
        app.processEvents()
        faces = ed.session.faces
        faces.request("frown")
        faces.wait()
        measured = faces.get("frown")
        assert measured is not None and measured.scale is not None and measured.geometry
        g = measured.geometry
        ed.widgets.rail.band.setChecked(True)
        # A point 6 mm above the middle of the patient's right brow: inside the band.
        xs, ys = zip(*sorted(g.brows[0]), strict=True)
        bx = (xs[0] + xs[-1]) / 2
        by = float(np.interp(bx, xs, ys)) - 6 / measured.scale.mm_per_px
        point = ed.session.add_point("frown", bx, by)
        ed.session.select(Selection("frown", point.id))
        # Pupil to pupil with the measure tool.
        ed.session.set_tool("measure")
        tool = canvas.tools["measure"]
        for iris in (measured.scale.right, measured.scale.left):
            assert iris is not None
            tool.tap(QPointF(*iris.centre))
        app.processEvents()
        ed.grab()  # lays the window out at its final size before zooming
        canvas.zoom_to(canvas.fit_scale() * 2.6, QPointF(canvas.viewport().rect().center()),
                       QPointF(450, 260))  # fmt: skip
        canvas.declutter()
        app.processEvents()
        args.out.mkdir(parents=True, exist_ok=True)
        path = args.out / f"editor-millimetres{args.suffix}.png"
        pm = ed.grab()
        pm.save(str(path))
        print(path, pm.width(), pm.height())
        ed.session.journal.timer.stop()
        ed.session.journal.clear()
        ed.close()
        store.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
