"""Regenerate docs/screenshots/ from the demo database: every main screen at 1366x768 (100 %)
and at 1440x960 logical with QT_SCALE_FACTOR=2 (2880x1920 pixels), as CONTRACTS.md asks.

    python docs/make_screenshots.py [OUTDIR]

Each scale runs in its own process because Qt reads QT_SCALE_FACTOR once, at start-up.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = (((1366, 768), "1"), ((1440, 960), "2"))


def render_all(outdir: Path, size: tuple[int, int]) -> list[Path]:
    """Walk the demo clinic through every screen and save each as PNG; returns the files."""
    sys.path.insert(0, str(ROOT))
    from PySide6.QtCore import QPoint, QRect
    from PySide6.QtGui import QColor, QPainter

    from app.services import charts, patients, visits
    from app.store.database import open_store, sqlite_url
    from ui.app import application, build_window, demo_sign_in
    from ui.common.context import AppContext

    app = application()
    saved: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(sqlite_url(Path(tmp) / "demo.db"))
        from app.services.demo import build_demo

        build_demo(store)
        window = build_window(AppContext.signed_in(store, demo_sign_in(store)), demo=True)
        window.resize(*size)
        window.show()
        ratio = window.devicePixelRatioF()
        tag = f"{round(size[0] * ratio)}x{round(size[1] * ratio)}"

        def shot(name: str, dialog=None) -> None:  # type: ignore[no-untyped-def]
            for _ in range(4):
                app.processEvents()
            path = outdir / f"{name}-{tag}.png"
            picture = window.grab()
            if dialog is not None:  # a dialog is its own window: show it over a dimmed screen
                painter = QPainter(picture)
                painter.fillRect(QRect(0, 0, *size), QColor(0, 0, 0, 110))
                top_left = QPoint((size[0] - dialog.width()) // 2, (size[1] - dialog.height()) // 2)
                painter.drawPixmap(top_left, dialog.grab())
                painter.end()
            picture.save(str(path), "PNG")
            saved.append(path)

        shot("01-patient-list")
        window.patient_list.search.setText("oster")
        window.patient_list.refresh()
        shot("02-patient-search")

        window.new_patient()
        form = window.current_page()
        zoe = patients.search_patients(store, "zoe martin").patients[0]
        form.given.setText("Zoe")  # an accent left out still finds the existing Zoë
        form.family.setText("martin")
        form.set_date_of_birth(zoe.date_of_birth)
        form.record.setText("")
        form.save(confirmed_new=False)
        shot("03-new-patient-duplicate")

        window.go_home()
        window.open_patient(zoe.id)
        shot("04-patient-page")
        page = window.current_page()
        page.ask_new_visit()
        shot("05-new-visit", page.dialog)
        page.dialog.reject()

        first = min(
            (e for e in visits.timeline(store, zoe.id) if e.version_count),
            key=lambda e: e.visit.visit_date,
        ).visit
        window.open_visit(first.id)
        shot("06-visit-page")
        oldest = charts.history(store, first.id)[-1]
        window.open_version(first.id, oldest.id)
        shot("07-version-read-only")
        viewer = window.current_page()
        viewer.tabs.setCurrentIndex(1)
        shot("08-version-brow-raise")

        # an unsaved chart a crash left behind, offered on the next start's first screen
        from app.domain.chart import Stroke
        from app.domain.editing import add_stroke
        from app.services import drafts

        head = charts.load_head(store, first.id)
        mark = Stroke(samples=((1.0, 1.0, 1.0, 0.0), (2.0, 2.0, 1.0, 5.0)))
        drafts.write_draft(store, first.id, head.info.id, add_stroke(head.content, "frown", mark))
        window.go_home()
        window.patient_list.search.clear()
        window.patient_list.refresh()
        shot("09-unsaved-draft")
        window.close()
        store.dispose()
    return saved


def main(argv: list[str]) -> int:
    if argv and argv[0] == "--inner":
        outdir, w, h = Path(argv[1]), int(argv[2]), int(argv[3])
        for path in render_all(outdir, (w, h)):
            print(path)
        return 0
    outdir = Path(argv[0]) if argv else ROOT / "docs" / "screenshots"
    outdir.mkdir(parents=True, exist_ok=True)
    for (w, h), scale in CONFIGS:
        env = dict(os.environ, QT_SCALE_FACTOR=scale)
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        subprocess.run(
            [sys.executable, __file__, "--inner", str(outdir), str(w), str(h)],
            env=env,
            check=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
