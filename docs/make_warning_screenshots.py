"""Screenshots of soft warnings for docs/editor.md:

    python docs/make_warning_screenshots.py [OUTDIR]

The clinic's settings screen (each warning with its source and switch, one switched off), and
the editor's totals page scrolled to "Doses across visits" for a patient treated 8 weeks
earlier with 380 U (today's 36 U take the 3 months above the 400 U label limit). Rendered at
1366x768 (100 %) and at 1440x960 with QT_SCALE_FACTOR=2 (2880x1920), each scale in its own
process because Qt reads QT_SCALE_FACTOR once.
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
            cmd = [sys.executable, __file__, str(args.out), "--size", size, f"--suffix=-{suffix}"]
            subprocess.run(cmd, env=env, check=True, cwd=ROOT)
        return 0
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from dataclasses import replace
    from datetime import date, timedelta
    from decimal import Decimal

    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QScrollArea

    from app.domain.chart import ChartContent, InjectionPoint, ViewChart
    from app.domain.editing import put_point
    from app.domain.roles import Role
    from app.domain.soft_warnings import IMPLAUSIBLE_DOSE
    from app.services import charts, patients, photos, visits, warning_settings
    from app.services.practitioners import create_practitioner
    from app.store.database import open_store, sqlite_url
    from tests.images import face_image, jpeg_bytes
    from ui.app import application, build_window
    from ui.common.context import AppContext
    from ui.editor.editor_window import ChartEditor

    app = application()
    width, height = (int(v) for v in args.size.split("x"))
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(sqlite_url(Path(tmp) / "clinic.db"))
        dr = create_practitioner(store, "Dr Amara Okafor", Role.ADMIN)  # settings: an admin's
        zoe = patients.create_patient(store, "Zoë", "Martin", date(1984, 3, 12))
        today = date.today()
        before = visits.start_visit(store, zoe.id, dr.id, "neurotoxin", today - timedelta(weeks=8))
        masseter = tuple(
            InjectionPoint(300 + 40 * i, 900, "botox", Decimal(38), zone="masseter")
            for i in range(10)
        )
        charts.save_version(
            store, before.id, ChartContent(views=(ViewChart("frown", None, points=masseter),)),
            parent_version_id=None, saved_by_id=dr.id,
        )  # fmt: skip
        visit = visits.start_visit(store, zoe.id, dr.id, "neurotoxin", today)
        photo = jpeg_bytes(face_image(1200, 1500))
        photos.add_photo_bytes(store, zoe.id, "frown", photo, visit_id=visit.id)
        # One row switched off by the clinic, so the screen shows both states.
        warning_settings.set_warning(store, IMPLAUSIBLE_DOSE, False, dr.id)

        window = build_window(AppContext.for_practitioner(store, dr))
        window.resize(width, height)
        window.show()
        window.open_settings()
        app.processEvents()
        shots = [("warnings-settings", window.grab())]
        page = window.current_page()
        area = getattr(page, "area", None)
        if isinstance(area, QScrollArea):
            area.verticalScrollBar().setValue(area.verticalScrollBar().maximum())
            app.processEvents()
            shots.append(("warnings-settings-end", window.grab()))
        window.close()

        ed = ChartEditor(store, visit.id, dr.id)
        ed.resize(width, height)
        ed.show()
        for i, (x, units) in enumerate(((520, "4"), (600, "24"), (680, "4"), (560, "4"))):
            pt = ed.session.new_point("frown", float(x), 520.0 + 10 * i)
            pt = replace(
                pt, units=Decimal(units), zone="procerus" if i else "corrugator supercilii"
            )
            ed.session.apply(put_point(ed.session.content, "frown", pt), "Add point", "frown")
        ed.canvas().fit()
        QTest.qWait(800)  # the earlier chart's page opens on its own: let it, then Totals
        ed.show_panel("totals")
        app.processEvents()
        shots.append(("editor-totals-warnings", ed.grab()))
        totals_area = ed.treatment.totals.parentWidget()
        while totals_area is not None and not isinstance(totals_area, QScrollArea):
            totals_area = totals_area.parentWidget()
        if totals_area is not None:
            bar = totals_area.verticalScrollBar()
            bar.setValue(bar.maximum())
            app.processEvents()
            shots.append(("editor-totals-across-visits", ed.grab()))
        for name, pm in shots:
            path = args.out / f"{name}{args.suffix}.png"
            pm.save(str(path))
            print(path, pm.width(), pm.height())
        ed.session.journal.timer.stop()
        ed.session.journal.clear()
        store.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
