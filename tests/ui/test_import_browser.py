"""The import dialog's touch folder browser (issue #9, "File import"): thumbnails made off the
GUI thread, photos chosen by finger taps and stored byte for byte in the real SQLite file, the
folders used last remembered across a restart, Up, and a damaged file named with its reason
while the others stay choosable."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QListWidgetItem, QWidget
from pytestqt.qtbot import QtBot

from app.capture.frames import OpenCVFrameSource
from app.services import patients, photos, visits
from app.services.practitioners import default_practitioner
from app.store.database import Store
from tests.images import face_image, jpeg_bytes
from tests.ui.editor_helpers import finger_tap
from ui.app import application
from ui.capture import folder_browser
from ui.capture.browse_data import RecentFolders
from ui.capture.capture_screen import CaptureScreen
from ui.capture.folder_browser import FolderBrowser
from ui.capture.import_dialog import ImportDialog
from ui.capture.sources import OpenCVSource

ROOT = Path(__file__).resolve().parents[2]
WAIT = 30000  # ms: a loaded 2-core machine


def _no_camera() -> OpenCVSource:
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


def _photos(folder: Path, n: int, size: tuple[int, int] = (1200, 1500)) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        path = folder / f"IMG_{i + 1:04d}.jpg"
        path.write_bytes(jpeg_bytes(face_image(*size, seed=i)))
        out.append(path)
    return out


def _open(qtbot: QtBot, cap: CaptureScreen) -> ImportDialog:
    """The Import button's dialog, on the 800-px test screen: a touch beyond it reaches nothing
    (tests/ui/test_touch_keyboard.py)."""
    dialog = cap.import_files([])
    assert dialog is not None
    assert dialog.browsing  # no files given: straight to the browser
    dialog.resize(780, 600)
    dialog.move(0, 0)
    qtbot.waitExposed(dialog)
    return dialog


def _finger(widget: QWidget) -> None:
    finger_tap(widget, widget.rect().center())
    QTest.qWait(40)


def _tap_tile(browser: FolderBrowser, item: QListWidgetItem) -> None:
    browser.tiles.scrollToItem(item)
    finger_tap(browser.tiles, browser.tiles.visualItemRect(item).center())
    QTest.qWait(40)


def _loaded(qtbot: QtBot, browser: FolderBrowser) -> None:
    qtbot.waitUntil(lambda: not browser.loading, timeout=WAIT)


def test_six_photos_tapped_three_added_and_stored_byte_for_byte(
    qtbot: QtBot,
    screen: tuple[CaptureScreen, Store, int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    own_recent_folders: Path,
) -> None:
    cap, store, vid = screen
    folder = tmp_path / "card"
    files = _photos(folder, 6, (2400, 3000))
    made_on: list[str] = []
    make = folder_browser.make_thumb

    def recording(path: Path, side: int) -> folder_browser.Thumb:
        made_on.append(threading.current_thread().name)
        return make(path, side)

    monkeypatch.setattr(folder_browser, "make_thumb", recording)
    dialog = _open(qtbot, cap)
    browser = dialog.browser
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    started = time.monotonic()
    browser.open_folder(folder)
    returned = time.monotonic() - started
    _loaded(qtbot, browser)
    finished = time.monotonic()
    timer.stop()

    assert returned < 0.3, f"opening the folder took {returned:.2f} s on the GUI thread"
    assert len(made_on) == 6 and all(n.startswith("import-browse") for n in made_on)
    during = [t for t in ticks if started <= t <= finished]
    gaps = [b - a for a, b in zip([started, *during], [*during, finished], strict=True)]
    assert max(gaps) < 1.0, f"the GUI stalled {max(gaps):.2f} s"
    assert list(browser.items) == files  # only photos, in the camera's order
    assert set(browser.bases) == set(files)  # a thumbnail for each
    size = browser.tiles.visualItemRect(browser.items[files[0]]).size()
    assert size.width() >= 96 and size.height() >= 96
    assert not browser.add.isEnabled()

    for path in (files[0], files[2], files[5]):
        _tap_tile(browser, browser.items[path])
    assert browser.selected() == [files[0], files[2], files[5]]
    assert browser.add.text() == "Add 3 photos"
    _tap_tile(browser, browser.items[files[2]])  # a second tap unselects
    assert browser.add.text() == "Add 2 photos"
    _tap_tile(browser, browser.items[files[2]])
    _finger(browser.add)

    assert not dialog.browsing
    qtbot.waitUntil(lambda: not dialog.checking, timeout=WAIT)
    assert [item.path for item in dialog.items] == [files[0], files[2], files[5]]
    assert dialog.confirm.text() == "Import 3 photos"
    _finger(dialog.confirm)
    qtbot.waitUntil(lambda: len(photos.photos_for_visit(store, vid)) == 3, timeout=WAIT)
    stored = photos.photos_for_visit(store, vid)
    assert sorted(photos.original_bytes(store, p.sha256) for p in stored) == sorted(
        f.read_bytes() for f in (files[0], files[2], files[5])
    )
    # the folder is remembered in the user's file
    assert json.loads(own_recent_folders.read_text())["folders"] == [str(folder)]


def test_select_all_clear_and_the_folder_used_last_after_a_restart(
    qtbot: QtBot, screen: tuple[CaptureScreen, Store, int], tmp_path: Path, own_recent_folders: Path
) -> None:
    cap, store, vid = screen
    first, second = tmp_path / "first", tmp_path / "second"
    _photos(first, 2)
    files = _photos(second, 3)
    dialog = _open(qtbot, cap)
    browser = dialog.browser
    for folder in (first, second):  # photos added from two folders, one after the other
        browser.open_folder(folder)
        _loaded(qtbot, browser)
        _finger(browser.select_all)
        _finger(browser.add)
        qtbot.waitUntil(lambda: not dialog.checking, timeout=WAIT)
        dialog.open_browser()
    assert len(dialog.items) == 5
    _finger(browser.select_all)
    assert browser.selected() == files
    _finger(browser.clear)
    assert browser.selected() == [] and not browser.add.isEnabled()
    dialog.reject()

    # a new process (the app restarted) reads the same list, newest first
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from pathlib import Path; "
         "from ui.capture.browse_data import RecentFolders; "
         "print([str(p) for p in RecentFolders(Path(sys.argv[1])).folders()])",
         str(own_recent_folders)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == repr([str(second), str(first)])

    # a new dialog opens on the folder used last and offers both as big buttons
    QApplication.processEvents()
    again = _open(qtbot, cap)
    _loaded(qtbot, again.browser)
    assert again.browser.folder == second
    recent = again.browser.place_buttons[first]
    assert recent.objectName() == "recentFolder" and recent.text() == "first"
    assert recent.height() >= 48
    _finger(recent)
    assert again.browser.folder == first
    again.reject()


def test_only_the_last_five_folders_are_kept(tmp_path: Path) -> None:
    recent = RecentFolders(tmp_path / "data" / "recent.json")
    folders = [tmp_path / f"f{i}" for i in range(7)]
    for f in folders:
        f.mkdir()
        recent.remember(f)
    recent.remember(folders[3])  # used again: to the front, not twice
    assert recent.folders() == [folders[3], folders[6], folders[5], folders[4], folders[2]]
    folders[6].rmdir()  # a card taken out is not offered
    assert folders[6] not in RecentFolders(tmp_path / "data" / "recent.json").folders()
    (tmp_path / "data" / "recent.json").write_text("{not json")
    assert RecentFolders(tmp_path / "data" / "recent.json").folders() == []


def test_folder_tiles_open_and_up_goes_back(
    qtbot: QtBot, screen: tuple[CaptureScreen, Store, int], tmp_path: Path
) -> None:
    cap, _store, _vid = screen
    top = tmp_path / "camera"
    _photos(top, 1)
    inner = _photos(top / "2026-11-30", 2)
    (top / "notes.txt").write_text("not a photo")  # only photos and folders are shown
    dialog = _open(qtbot, cap)
    browser = dialog.browser
    browser.open_folder(top)
    _loaded(qtbot, browser)
    names = [browser.tiles.item(i).text() for i in range(browser.tiles.count())]
    assert names == ["2026-11-30", "IMG_0001.jpg"]  # the sub-folder first, as a tile
    _tap_tile(browser, browser.tiles.item(0))
    _loaded(qtbot, browser)
    assert browser.folder == top / "2026-11-30"
    assert list(browser.items) == inner
    _finger(browser.up)
    _loaded(qtbot, browser)
    assert browser.folder == top
    assert browser.up.height() >= 48
    dialog.reject()


def test_a_damaged_file_shows_its_reason_and_the_others_stay_choosable(
    qtbot: QtBot, screen: tuple[CaptureScreen, Store, int], tmp_path: Path
) -> None:
    cap, store, vid = screen
    folder = tmp_path / "card"
    good = _photos(folder, 2)
    cut = folder / "IMG_0003.jpg"
    cut.write_bytes(jpeg_bytes()[:700])  # truncated
    junk = folder / "IMG_0004.jpg"
    junk.write_bytes(b"not a photo at all")
    dialog = _open(qtbot, cap)
    browser = dialog.browser
    browser.open_folder(folder)
    _loaded(qtbot, browser)
    assert list(browser.items) == [*good, cut, junk]  # shown, not hidden
    assert set(browser.reasons) == {cut, junk}
    assert browser.reasons[cut] == "The photo file is damaged or incomplete (it ends early)."
    text = browser.status.text()
    assert "IMG_0003.jpg cannot be imported: The photo file is damaged" in text
    assert "IMG_0004.jpg cannot be imported:" in text and "not an image" in text
    _tap_tile(browser, browser.items[cut])  # a damaged file cannot be selected
    assert browser.selected() == []
    _finger(browser.select_all)
    assert browser.selected() == good
    _finger(browser.add)
    qtbot.waitUntil(lambda: not dialog.checking, timeout=WAIT)
    _finger(dialog.confirm)
    qtbot.waitUntil(lambda: len(photos.photos_for_visit(store, vid)) == 2, timeout=WAIT)


def test_many_damaged_files_are_counted_not_listed_one_by_one(
    qtbot: QtBot, screen: tuple[CaptureScreen, Store, int], tmp_path: Path
) -> None:
    cap, _store, _vid = screen
    folder = tmp_path / "card"
    folder.mkdir()
    for i in range(6):
        (folder / f"BAD_{i}.jpg").write_bytes(b"not a photo")
    dialog = _open(qtbot, cap)
    browser = dialog.browser
    browser.open_folder(folder)
    _loaded(qtbot, browser)
    lines = browser.status.text().splitlines()
    assert sum("cannot be imported:" in line for line in lines) == 3
    assert lines[-1] == "… and 3 more files cannot be imported."
    assert not browser.select_all.isEnabled() and not browser.add.isEnabled()
    dialog.reject()


def test_cancel_on_an_empty_dialog_closes_it(
    qtbot: QtBot, screen: tuple[CaptureScreen, Store, int], tmp_path: Path
) -> None:
    cap, _store, _vid = screen
    dialog = _open(qtbot, cap)
    with qtbot.waitSignal(dialog.rejected, timeout=WAIT):
        _finger(dialog.browser.cancel)  # nothing chosen: back to the capture screen
