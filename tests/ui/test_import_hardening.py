"""The import dialog checks files off the GUI thread with the import's limits (issue 11, "Import
hardening"): a 250 MB file, a large non-photo, a FIFO named .jpg, a truncated JPEG and a damaged
HEIC each get a plain reason while the GUI keeps ticking, and the good photos of the same batch
are stored in the real SQLite file."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.capture.frames import OpenCVFrameSource
from app.services import patients, photos, visits
from app.services.practitioners import default_practitioner
from app.store.database import Store
from tests.images import face_image, heic_bytes, jpeg_bytes
from tests.ui.helpers import tap
from ui.app import application
from ui.capture import import_dialog
from ui.capture.capture_screen import CaptureScreen
from ui.capture.sources import OpenCVSource

WAIT = 30000  # ms: a loaded 2-core machine reads 120 MB and stores two photos in this


def _no_camera() -> OpenCVSource:
    """A camera that cannot be opened: these photos arrive by import."""
    return OpenCVSource(OpenCVFrameSource("/nonexistent-facechart-camera/frame_%04d.png"))


@pytest.fixture
def screen(qtbot: QtBot, sqlite_store: Store) -> Iterator[tuple[CaptureScreen, Store, int]]:
    application()
    who = default_practitioner(sqlite_store)
    pid = patients.create_patient(sqlite_store, "Ada", "Lovelace", date(1985, 12, 10)).id
    patients.record_photography_consent(sqlite_store, pid, who.id)
    vid = visits.start_visit(sqlite_store, pid, who.id, "neurotoxin").id
    s = CaptureScreen(sqlite_store, pid, vid, who.id, source_factory=_no_camera)
    qtbot.addWidget(s)
    s.resize(1366, 768)
    s.show()
    qtbot.waitExposed(s)
    yield s, sqlite_store, vid
    s.shutdown()


def _sparse(path: Path, size: int) -> Path:
    with path.open("wb") as f:
        f.truncate(size)  # no disk space, and zeros when read
    return path


def _damaged_heic() -> bytes:
    return heic_bytes()[:400]


def test_a_batch_with_a_huge_file_a_fifo_and_damage_is_checked_without_freezing(
    qtbot: QtBot,
    screen: tuple[CaptureScreen, Store, int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cap, store, vid = screen
    good = [tmp_path / "IMG_0001.jpg", tmp_path / "IMG_0009.jpg"]
    for i, path in enumerate(good):
        path.write_bytes(jpeg_bytes(face_image(200, 250, seed=i)))
    big = _sparse(tmp_path / "IMG_0002.jpg", 250 * 1024**2)
    zeros = _sparse(tmp_path / "IMG_0003.jpg", 120 * 1024**2)  # under the limit: read, refused
    cut = tmp_path / "IMG_0004.jpg"
    cut.write_bytes(jpeg_bytes()[:700])
    heic = tmp_path / "IMG_0005.HEIC"
    heic.write_bytes(_damaged_heic())
    batch = [good[0], big, zeros, cut, heic]
    fifo = None
    if hasattr(os, "mkfifo"):  # POSIX: a FIFO named .jpg hung the import
        fifo = tmp_path / "IMG_0006.jpg"
        os.mkfifo(fifo)
        batch.append(fifo)
    batch.append(good[1])

    checked_on: list[str] = []
    load = import_dialog.load_item

    def recording_load(path: Path) -> photos.CheckedFile:
        checked_on.append(threading.current_thread().name)
        return load(path)

    monkeypatch.setattr(import_dialog, "load_item", recording_load)

    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    started = time.monotonic()
    dialog = cap.import_files(batch)
    returned = time.monotonic() - started
    assert dialog is not None
    assert dialog.items == [] and dialog.checking  # nothing was read on the GUI thread
    assert not dialog.confirm.isEnabled()  # Import waits for the check
    assert dialog.progress.isVisible() and "Checking" in dialog.progress.text()
    qtbot.waitUntil(lambda: not dialog.checking, timeout=WAIT)
    finished = time.monotonic()
    timer.stop()

    assert returned < 0.5, f"import_files took {returned:.2f} s on the GUI thread"
    assert threading.main_thread().name not in checked_on
    assert len(checked_on) == len(batch) and all(n.startswith("import-check") for n in checked_on)
    # the GUI kept ticking while the worker read 120 MB and refused the rest
    during = [t for t in ticks if started <= t <= finished]
    gaps = [b - a for a, b in zip([started, *during], [*during, finished], strict=True)]
    assert max(gaps) < 1.0, f"the GUI stalled {max(gaps):.2f} s"

    reasons = {item.path: item.error for item in dialog.items}
    assert [item.path for item in dialog.items] == batch  # in the order given
    assert reasons[good[0]] == reasons[good[1]] == ""
    assert "250 MB, over the 200 MB limit" in reasons[big]
    assert "not an image" in reasons[zeros]
    assert reasons[cut] == "The photo file is damaged or incomplete (it ends early)."
    assert "HEIC" in reasons[heic] and "export it as JPEG" in reasons[heic]
    if fifo is not None:
        assert "not an ordinary file" in reasons[fifo]
    shown = []
    for r, item in enumerate(dialog.items):
        cell = dialog.grid.itemAtPosition(r, 2)
        widget = cell.widget() if cell is not None else None
        if item.error and isinstance(widget, QLabel):
            shown.append(widget.text())
    assert shown == [f"Not imported: {item.error}" for item in dialog.items if item.error]
    assert dialog.error.isVisible() and "cannot be imported" in dialog.error.text()
    assert not dialog.progress.isVisible()
    assert dialog.confirm.isEnabled() and dialog.confirm.text() == "Import 2 photos"

    tap(qtbot, dialog.confirm)
    qtbot.waitUntil(lambda: len(photos.photos_for_visit(store, vid)) == 2, timeout=WAIT)
    stored = photos.photos_for_visit(store, vid)
    assert sorted(photos.original_bytes(store, p.sha256) for p in stored) == sorted(
        g.read_bytes() for g in good
    )
    assert {p.view_code for p in stored} == {"rest", "frown"}


def test_a_folder_that_cannot_be_listed_is_named(
    qtbot: QtBot, screen: tuple[CaptureScreen, Store, int], tmp_path: Path
) -> None:
    cap, _store, _vid = screen
    missing = tmp_path / "card-removed"
    dialog = cap.import_files([missing])
    assert dialog is not None
    qtbot.waitUntil(lambda: not dialog.checking, timeout=WAIT)
    assert [item.path for item in dialog.items] == [missing]
    assert "does not exist any more" in dialog.items[0].error
    assert not dialog.confirm.isEnabled()
