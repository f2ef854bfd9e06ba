"""Render the wrong-patient warning over the capture screen for docs/capture.md, at 1366×768
(100 %) and 1440×960 logical at QT_SCALE_FACTOR=2:

    python docs/make_wrong_patient_screenshots.py [OUTDIR]

The check really runs (the face models must be installed). Last visit's photo is scikit-image's
public-domain astronaut; the photo imported today is the demo's drawn face, which the check
finds is not her. `FACECHART_SHOT_FACES=DIR` uses DIR/obama.jpg and DIR/alex-lacamoire.png
instead, for a look at real faces; those shots must not be committed (faces/README.md).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import screenshot_sizes  # noqa: E402  (docs/ is this script's folder)

ROOT = screenshot_sizes.ROOT


def _photos() -> tuple[bytes, bytes]:
    """(last visit's photo, today's photo of someone else)."""
    faces = os.environ.get("FACECHART_SHOT_FACES")
    if faces:
        return (
            Path(faces, "obama.jpg").read_bytes(),
            Path(faces, "alex-lacamoire.png").read_bytes(),
        )
    from app.services.demo import demo_face
    from tests.app.alignment.faces import astronaut, jpeg

    return jpeg(astronaut()), demo_face("rest", 1)


def render(outdir: Path, size: tuple[int, int]) -> list[Path]:
    sys.path.insert(0, str(ROOT))
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QPainter
    from PySide6.QtWidgets import QApplication

    from app.capture.frames import OpenCVFrameSource
    from app.services import patients, photos, visits
    from app.services.practitioners import default_practitioner
    from app.store.database import open_store, sqlite_url
    from ui.app import application
    from ui.capture.capture_screen import CaptureScreen
    from ui.capture.sources import OpenCVSource

    app = application()
    saved: list[Path] = []
    earlier_photo, today_photo = _photos()
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(sqlite_url(Path(tmp) / "shots.db"))
        who = default_practitioner(store)
        zoe = patients.create_patient(store, "Zoë", "Martin", date(1984, 5, 17))
        patients.record_photography_consent(store, zoe.id, who.id)
        old = visits.start_visit(store, zoe.id, who.id, "neurotoxin", date.today() - timedelta(92))
        taken = datetime.combine(old.visit_date, datetime.min.time().replace(hour=10), UTC)
        photos.add_photo_bytes(
            store, zoe.id, "rest", earlier_photo, visit_id=old.id, captured_at=taken
        )
        visit = visits.start_visit(store, zoe.id, who.id, "neurotoxin")
        (Path(tmp) / "IMG_2041.jpg").write_bytes(today_photo)

        def no_camera() -> OpenCVSource:  # the photo arrives by import
            return OpenCVSource(OpenCVFrameSource(str(Path(tmp) / "none" / "f_%04d.png")))

        screen = CaptureScreen(store, zoe.id, visit.id, who.id, source_factory=no_camera)
        screen.resize(*size)
        screen.show()
        ratio = screen.devicePixelRatioF()
        tag = f"{round(size[0] * ratio)}x{round(size[1] * ratio)}"

        def settle(seconds: float = 0.8) -> None:
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                app.processEvents()
                time.sleep(0.02)

        checked: list[object] = []
        screen.face_checked.connect(lambda *a: checked.append(a))
        dialog = screen.import_files([Path(tmp) / "IMG_2041.jpg"])
        assert dialog is not None
        while dialog.checking:  # the files are checked on the dialog's worker
            settle(0.05)
        dialog.confirm.click()
        end = time.monotonic() + 60
        while not checked and time.monotonic() < end:
            settle(0.1)
        warning = screen.wrong_patient
        assert warning is not None, f"the check did not warn: {checked}"
        warning.adjustSize()
        warning.move(screen.mapToGlobal(screen.rect().center()) - warning.rect().center())
        settle()
        # the screen with the warning window where it opens, over its centre
        image = screen.grab().toImage()
        painter = QPainter(image)
        at = screen.rect().center() - warning.rect().center()
        painter.drawPixmap(QPoint(at.x(), at.y()), warning.grab())
        painter.end()
        path = outdir / f"capture-wrong-patient-{tag}.png"
        image.save(str(path), "PNG")
        saved.append(path)
        warning.close()
        screen.shutdown()
        screen.close()
        store.dispose()
    QApplication.processEvents()
    return saved


if __name__ == "__main__":
    sys.exit(screenshot_sizes.main(__file__, render))
