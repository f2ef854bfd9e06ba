"""Render the capture screen (ghost overlay on a live frame) for docs/capture.md, at 1366×768
(100 %) and 1440×960 logical at QT_SCALE_FACTOR=2, as CONTRACTS.md asks:

    python docs/make_capture_screenshots.py [OUTDIR]

The "camera" is the fake one of the tests: a generated image sequence opened through
cv2.VideoCapture, showing a demo face slightly off the earlier framing.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import screenshot_sizes  # noqa: E402  (docs/ is this script's folder)

ROOT = screenshot_sizes.ROOT


def _frames(folder: Path) -> str:
    import cv2
    import numpy as np

    from app.capture.frames import write_image_sequence
    from app.services.demo import demo_face

    face = cv2.imdecode(np.frombuffer(demo_face("frown", 3), np.uint8), cv2.IMREAD_COLOR)
    # today's patient sits a little right of and lower than last time: what the ghost shows
    shift = np.float32([[1, 0, 40], [0, 1, 25]])
    moved = cv2.warpAffine(face, shift, (face.shape[1], face.shape[0]), borderValue=(170, 160, 150))
    return write_image_sequence(folder / "cam", [moved] * 3, "jpg")


def _astronaut_frames(folder: Path) -> tuple[bytes, str]:
    """For the framing shots: a real face (scikit-image's public-domain astronaut) as last
    visit's photo, and today's camera showing it 8 % lower and 12 % closer."""
    import cv2

    from app.capture.frames import write_image_sequence
    from tests.app.alignment.faces import astronaut, jpeg, similarity, warp

    face = astronaut()
    today = warp(face, similarity(1.12, 0, (0, 0.08 * face.shape[0]), (448.4, 247.0)))
    bgr = cv2.cvtColor(today, cv2.COLOR_RGB2BGR)
    return jpeg(face), write_image_sequence(folder / "astronaut", [bgr] * 2, "jpg")


def render(outdir: Path, size: tuple[int, int]) -> list[Path]:
    sys.path.insert(0, str(ROOT))
    from PySide6.QtWidgets import QApplication

    from app.capture.frames import OpenCVFrameSource
    from app.domain.values import TreatmentType
    from app.services import patients, photos, visits
    from app.services.demo import build_demo
    from app.services.practitioners import default_practitioner
    from app.store.database import open_store, sqlite_url
    from ui.app import application
    from ui.capture.capture_screen import CaptureScreen
    from ui.capture.sources import OpenCVSource

    app = application()
    saved: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(sqlite_url(Path(tmp) / "demo.db"))
        build_demo(store)
        who = default_practitioner(store)
        zoe = patients.recent_patients(store)[0]
        visit = visits.start_visit(store, zoe.id, who.id, TreatmentType.NEUROTOXIN, date.today())
        camera = {"pattern": _frames(Path(tmp))}
        ghost, camera["astronaut"] = _astronaut_frames(Path(tmp))
        earlier = visits.previous_toxin_visit(store, zoe.id, date.today())
        assert earlier is not None, "the demo patient has an earlier visit"
        photos.add_photo_bytes(store, zoe.id, "smile", ghost, visit_id=earlier.id)

        def source() -> OpenCVSource:
            return OpenCVSource(OpenCVFrameSource(camera["pattern"], loop=True, fps=15))

        screen = CaptureScreen(store, zoe.id, visit.id, who.id, source_factory=source)
        screen.resize(*size)
        screen.show()
        ratio = screen.devicePixelRatioF()
        tag = f"{round(size[0] * ratio)}x{round(size[1] * ratio)}"

        def settle(seconds: float = 0.8) -> None:
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                app.processEvents()
                time.sleep(0.02)

        def shot(name: str) -> None:
            settle()
            path = outdir / f"capture-{name}-{tag}.png"
            screen.grab().save(str(path), "PNG")
            saved.append(path)

        shot("consent")
        screen.record_consent()
        screen.go_to("frown")
        shot("ghost")
        screen.edges_toggle.setChecked(True)
        shot("edges")
        screen.edges_toggle.setChecked(False)
        camera["pattern"] = camera["astronaut"]
        screen.start_camera(keep_choice=True)
        screen.live_framing._timer.setInterval(200)
        screen.go_to("smile")
        settle(0.5)
        end = time.monotonic() + 10
        while screen.preview.framing_hint is None and time.monotonic() < end:
            settle(0.1)
        shot("framing-live")
        # the next view's ghost is a drawn demo face: keep its live hint out of the next shot
        screen.live_framing._timer.stop()
        checked: list[object] = []
        screen.photo_checked.connect(lambda *a: checked.append(a))
        screen.shutter()
        end = time.monotonic() + 20
        while not checked and time.monotonic() < end:
            settle(0.1)
        screen.preview.set_framing_hint(None)
        shot("framing-photo")
        screen.shutdown()
        screen.close()
        store.dispose()
    QApplication.processEvents()
    return saved


if __name__ == "__main__":
    sys.exit(screenshot_sizes.main(__file__, render))
