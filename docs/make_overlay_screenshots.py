"""Screenshots of the earlier-chart overlay in the chart editor for docs/overlay.md:

    python docs/make_overlay_screenshots.py [OUTDIR]

The patient of the overlay tests (tests/ui/overlay_helpers.py): scikit-image's public-domain
astronaut charted on 1 Oct, a touch-up on 15 Oct on a moved copy of the face, then a repeat
treatment on 20 Jan with both earlier charts. Aligned by the real face models, in the real
editor with the app's style, at 1366x768 (100 %) and 1440x960 with QT_SCALE_FACTOR=2
(2880x1920), each scale in its own process because Qt reads QT_SCALE_FACTOR once.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = (("1366x768", "1", "1366x768"), ("1440x960", "2", "2880x1920"))


def settle(app, ed) -> None:  # type: ignore[no-untyped-def]
    """Let the background alignments finish, as a clinician would wait a moment."""
    end = time.monotonic() + 60
    c = ed.overlay.ctrl
    while time.monotonic() < end and not (c.started and not c.aligner.busy and not c.queue):
        app.processEvents()
        time.sleep(0.01)
    for _ in range(5):
        app.processEvents()


def zoom_on_face(app, ed, warp, factor: float = 4.5) -> None:  # type: ignore[no-untyped-def]
    """Zoom on the brows of today's photo (`warp`: earlier photo → today's)."""
    from PySide6.QtCore import QPointF

    canvas = ed.canvas()
    canvas.fit()
    x, y = warp[:, :2] @ (452.0, 215.0) + warp[:, 2]
    canvas.zoom_to(canvas.fit_scale() * factor, QPointF(canvas.viewport().rect().center()),
                   QPointF(x, y))  # fmt: skip
    app.processEvents()


def with_dialog(editor, dialog):  # type: ignore[no-untyped-def]
    """The editor with a dialog over it, as the screen shows them (a dialog is a window of its
    own, which the editor's grab leaves out)."""
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QColor, QPainter

    shot = editor.grab()
    at = editor.mapFromGlobal(dialog.mapToGlobal(QPoint(0, 0)))
    if not editor.rect().contains(at):
        at = editor.rect().center() - dialog.rect().center()
    painter = QPainter(shot)
    painter.fillRect(editor.rect(), QColor(16, 22, 28, 110))
    painter.drawPixmap(at, dialog.grab())
    painter.end()
    return shot


def render(out: Path, size: str, suffix: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from datetime import date
    from decimal import Decimal

    from app.domain.chart import InjectionPoint
    from app.domain.editing import put_point
    from app.services import photos, visits
    from app.services.practitioners import default_practitioner
    from app.store.database import open_store, sqlite_url
    from tests.app.alignment.faces import astronaut, jpeg, similarity, warp
    from tests.ui import overlay_helpers as oh
    from ui.app import application
    from ui.editor.editor_window import ChartEditor

    app = application()
    width, height = (int(v) for v in size.split("x"))
    out.mkdir(parents=True, exist_ok=True)
    shots = []
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(sqlite_url(Path(tmp) / "overlay.db"))
        who = default_practitioner(store).id
        course = oh.course(store, who, touch_up=True)

        def editor(visit_id: int) -> ChartEditor:
            ed = ChartEditor(store, visit_id, who)
            ed.resize(width, height)
            ed.show()
            app.processEvents()
            settle(app, ed)
            return ed

        # The touch-up: the 1 Oct chart over today's photo; two top-up points placed today.
        ed = editor(course.today_visit_id)
        zoom_on_face(app, ed, oh.WARP)
        for x, y in ((430.0, 170.0), (485.0, 172.0)):
            wx, wy = oh.warped(x, y)
            point = InjectionPoint(wx, wy, "botox", Decimal(2), zone="corrugator")
            ed.session.apply(put_point(ed.session.model.content, "frown", point), "Point", "frown")
        app.processEvents()
        shots.append(("touchup", ed.grab()))
        ed.show_panel("totals")
        app.processEvents()
        shots.append(("course-total", ed.grab()))
        ed.show_view("smile")
        ed.show_panel("earlier")
        ed.canvas().fit()
        app.processEvents()
        shots.append(("could-not-align", ed.grab()))
        ed.show_view("frown")
        ed.save()  # version 1 of the touch-up, then one more point: version 2
        ed.session.wait()
        wx, wy = oh.warped(455.0, 140.0)
        point = InjectionPoint(wx, wy, "botox", Decimal(2), zone="frontalis")
        ed.session.apply(put_point(ed.session.model.content, "frown", point), "Point", "frown")
        ed.save()
        ed.session.wait()
        ed.close()

        # The repeat treatment three months on: both earlier charts, the picker, carry forward.
        later = visits.start_visit(store, course.patient_id, who, "neurotoxin", date(2027, 1, 20))
        january = similarity(1.08, -4.0, (-30.0, 10.0), (512.0, 512.0))
        moved = warp(astronaut(2.0), january)
        photos.add_photo_bytes(store, course.patient_id, "frown", jpeg(moved), visit_id=later.id)
        ed = editor(later.id)
        ed.overlay.ctrl.set_chosen(ed.overlay.ctrl.available[:2])
        settle(app, ed)
        zoom_on_face(app, ed, january)
        picker = ed.overlay.open_picker()
        app.processEvents()
        shots.append(("picker", with_dialog(ed, picker)))
        picker.reject()
        app.processEvents()
        shots.append(("two-charts", ed.grab()))
        ed.overlay.panel.set_active(ed.overlay.ctrl.available[1].version_hash)  # the 1 Oct plan
        ed.overlay.carry(all_views=False)
        ed.overlay.panel.opacity.setValue(60)
        app.processEvents()
        shots.append(("carried-forward", ed.grab()))
        ed.session.journal.timer.stop()
        ed.session.journal.clear()
        ed.close()
        store.dispose()
    for name, pm in shots:
        path = out / f"overlay-{name}{suffix}.png"
        pm.save(str(path))
        print(path, pm.width(), pm.height())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, nargs="?", default=ROOT / "docs" / "screenshots")
    parser.add_argument("--size", help="render one scale in this process (internal)")
    parser.add_argument("--suffix", default="")
    args = parser.parse_args(argv)
    if args.size is not None:
        render(args.out, args.size, args.suffix)
        return 0
    for size, scale, suffix in CONFIGS:
        env = {**os.environ, "QT_SCALE_FACTOR": scale, "QT_QPA_PLATFORM": "offscreen"}
        cmd = [sys.executable, __file__, str(args.out), "--size", size, f"--suffix=-{suffix}"]
        subprocess.run(cmd, env=env, check=True, cwd=ROOT)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
