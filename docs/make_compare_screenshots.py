"""Render the compare screen for docs/overlay.md, at 1366×768 (100 %) and 1440×960 logical at
QT_SCALE_FACTOR=2 (2880×1920), as CONTRACTS.md asks:

    python docs/make_compare_screenshots.py [OUTDIR]

The photos are scikit-image's public-domain astronaut portrait and a copy moved, turned and
relit by a known similarity, stored in a throw-away database; the alignment is the app's own.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import screenshot_sizes  # noqa: E402  (docs/ is this script's folder)

ROOT = screenshot_sizes.ROOT


def render(outdir: Path, size: tuple[int, int]) -> list[Path]:
    sys.path.insert(0, str(ROOT))
    import numpy as np
    from PySide6.QtWidgets import QApplication

    from app.alignment.mapping import NoMapping
    from app.services import patients, photos
    from app.services.alignment import align_photos
    from app.store.database import open_store, sqlite_url
    from tests.app.alignment.faces import astronaut, jpeg, similarity, warp
    from ui.app import application
    from ui.common.context import AppContext
    from ui.overlay.compare_screen import CompareScreen

    app = application()
    saved: list[Path] = []
    face = astronaut(4.0)
    moved = warp(face, similarity(0.94, 4.0, (90.0, -60.0), (1024.0, 1024.0)))
    moved = np.clip(moved.astype(float) * 1.06 + 6, 0, 255).astype(np.uint8)  # other lighting
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(sqlite_url(Path(tmp) / "compare.db"))
        ada = patients.create_patient(store, "Ada", "Lovelace", date(1980, 12, 10))
        earlier = photos.add_photo_bytes(
            store, ada.id, "rest", jpeg(face), captured_at=datetime(2026, 11, 9, 10, tzinfo=UTC)
        )
        today = photos.add_photo_bytes(
            store, ada.id, "rest", jpeg(moved), captured_at=datetime(2026, 11, 23, 10, tzinfo=UTC)
        )
        result = align_photos(store, earlier, today)
        from app.services.practitioners import default_practitioner

        ctx = AppContext.for_practitioner(store, default_practitioner(store))

        def settle(seconds: float = 0.5) -> None:
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                app.processEvents()
                time.sleep(0.02)

        def open_screen(mapping, words: str) -> CompareScreen:  # type: ignore[no-untyped-def]
            screen = CompareScreen(ctx, earlier, today, mapping, confidence_text=words)
            screen.resize(*size)
            screen.show()
            end = time.monotonic() + 20
            while not screen.ready and time.monotonic() < end:  # the photos, read on a worker
                settle(0.1)
            while not screen.edit.up_to_date and time.monotonic() < end:
                settle(0.1)
            settle(2.0)  # the sharp frame follows the quick one
            return screen

        def shot(screen: CompareScreen, name: str) -> None:
            settle()
            ratio = screen.devicePixelRatioF()
            tag = f"{round(size[0] * ratio)}x{round(size[1] * ratio)}"
            path = outdir / f"compare-{name}-{tag}.png"
            screen.grab().save(str(path), "PNG")
            saved.append(path)

        screen = open_screen(result.mapping, result.words)
        face_middle = (0.45, 0.33)  # the face, as fractions of the photo
        screen.view.set(1.8, *face_middle)
        shot(screen, "side")
        screen.set_mode("wipe")
        screen.view.set(1.6, *face_middle)
        shot(screen, "wipe")
        screen.set_mode("match")
        screen.view.set(2.2, *face_middle)
        mesh = result.old_points
        pts = [mesh[[33, 133]].mean(0), mesh[[362, 263]].mean(0), mesh[1]]
        for i, p in enumerate(pts):
            screen.points.add("earlier", *p)
            if i < 2:
                screen.points.add("today", *result.mapping.map_points(np.array([p]))[0])
        screen._refresh()
        shot(screen, "match")
        screen.cancel()
        screen.close()
        screen.deleteLater()  # before the QApplication goes: exit order is not ours to pick
        settle(0.1)

        screen = open_screen(NoMapping("no face found"), "")
        screen.view.set(1.4, *face_middle)
        screen.today_pane.update()
        shot(screen, "adjust")
        screen.cancel()
        screen.close()
        screen.deleteLater()  # before the QApplication goes: exit order is not ours to pick
        settle(0.1)
        store.dispose()
    QApplication.processEvents()
    return saved


if __name__ == "__main__":
    sys.exit(screenshot_sizes.main(__file__, render))
