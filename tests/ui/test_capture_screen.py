"""The capture screen on the fake camera (a generated image sequence read through
cv2.VideoCapture in the source's worker thread) over a real SQLite store: no hardware."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.capture.frames import OpenCVFrameSource, write_image_sequence
from app.domain.values import PhotoSource
from app.services import patients, photos, visits
from app.services.practitioners import PractitionerRecord, default_practitioner
from app.store.database import Store
from tests.images import face_image, jpeg_bytes
from tests.ui.helpers import collections_off_the_gui_thread, cpu_load, finger, tap
from ui.app import application
from ui.capture.capture_screen import CaptureScreen
from ui.capture.sources import OpenCVSource

WAIT = 8000  # ms: generous for a loaded 2-core CI machine


def _face_frames(n: int = 3) -> list[np.ndarray]:
    out = []
    for i in range(n):
        rgb = np.asarray(face_image(480, 360, seed=i)).copy()
        rgb[:, :40] = 255  # the frame's left edge is white: shows whether a still is mirrored
        rgb[-8:, -8:] = (i * 37) % 256  # every frame its own bytes, as a real sensor's are
        out.append(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    return out


@pytest.fixture
def setup(sqlite_store: Store) -> tuple[Store, PractitionerRecord, int, int]:
    who = default_practitioner(sqlite_store)
    pid = patients.create_patient(sqlite_store, "Ada", "Lovelace", date(1985, 12, 10)).id
    vid = visits.start_visit(sqlite_store, pid, who.id, "neurotoxin").id
    return sqlite_store, who, pid, vid


@pytest.fixture
def camera(tmp_path: Path) -> Callable[..., Callable[[], OpenCVSource]]:
    def make(frames: list[np.ndarray] | None = None, loop: bool = True, name: str = "cam"):  # type: ignore[no-untyped-def]
        pattern = write_image_sequence(tmp_path / name, frames or _face_frames())
        return lambda: OpenCVSource(OpenCVFrameSource(pattern, loop=loop, fps=60))

    return make


@pytest.fixture
def screen_for(qtbot: QtBot, setup, camera) -> Iterator[Callable[..., CaptureScreen]]:  # type: ignore[no-untyped-def]
    application()
    made: list[CaptureScreen] = []

    def build(factory=None, consent: bool = True) -> CaptureScreen:  # type: ignore[no-untyped-def]
        store, who, pid, vid = setup
        if consent:
            patients.record_photography_consent(store, pid, who.id)
        screen = CaptureScreen(store, pid, vid, who.id, source_factory=factory or camera())
        qtbot.addWidget(screen)
        screen.resize(1366, 768)
        screen.show()
        qtbot.waitExposed(screen)
        made.append(screen)
        return screen

    yield build
    for s in made:
        s.shutdown()


def _live(qtbot: QtBot, screen: CaptureScreen) -> None:
    qtbot.waitUntil(lambda: screen.preview.frame is not None, timeout=WAIT)


def _shoot(qtbot: QtBot, screen: CaptureScreen, key: Qt.Key | None = None) -> photos.PhotoRecord:
    with qtbot.waitSignal(screen.photo_stored, timeout=WAIT) as sig:
        if key is None:
            tap(qtbot, screen.shutter_button)
        else:
            qtbot.keyClick(screen, key)
    return sig.args[0]


def test_consent_gate_then_one_tap_records_it(qtbot: QtBot, setup, screen_for) -> None:  # type: ignore[no-untyped-def]
    store, who, pid, vid = setup
    screen = screen_for(consent=False)
    _live(qtbot, screen)
    assert screen.consent_bar.isVisible()
    tap(qtbot, screen.shutter_button)
    assert "consent" in screen.status.text().lower()
    qtbot.wait(300)
    assert photos.photos_for_visit(store, vid) == []  # the shutter waited
    tap(qtbot, screen.consent_button)
    assert patients.get_patient(store, pid).photography_consent_at is not None
    assert not screen.consent_bar.isVisible()
    photo = _shoot(qtbot, screen, Qt.Key.Key_Space)  # a keyboard or pedal press
    assert photo.view_code == "rest" and photo.visit_id == vid
    assert photo.source == PhotoSource.CAMERA.value


def test_walks_the_protocol_and_retakes_keep_the_older_photo(
    qtbot: QtBot, setup, screen_for, camera
) -> None:  # type: ignore[no-untyped-def]
    store, who, pid, vid = setup
    # 31 distinct frames: a retake is a new still (the same bytes again would be one photo)
    screen = screen_for(camera(_face_frames(31), name="many"))
    _live(qtbot, screen)
    assert "Relax" in screen.instruction.text()
    taken = []
    for key in (None, Qt.Key.Key_PageDown, Qt.Key.Key_Return, Qt.Key.Key_Space):
        taken.append(_shoot(qtbot, screen, key))
        if not screen.walk.complete:
            assert screen.walk.current.code not in {p.view_code for p in taken}
    assert [p.view_code for p in taken] == ["rest", "frown", "brow_raise", "smile"]
    assert screen.walk.complete
    # the photo is the camera's full frame, never scaled to the preview
    assert (taken[0].width, taken[0].height) == (480, 360)
    tap(qtbot, screen.step_buttons["frown"])
    assert "Frown as if" in screen.instruction.text()
    assert screen.shutter_button.text() == "Retake"
    retake = _shoot(qtbot, screen)
    assert retake.view_code == "frown" and retake.id != taken[1].id
    kept = [p.id for p in photos.photos_for_visit(store, vid) if p.view_code == "frown"]
    assert kept == [taken[1].id, retake.id]


def test_mirrored_preview_never_mirrors_the_photo(qtbot: QtBot, setup, screen_for) -> None:  # type: ignore[no-untyped-def]
    store, *_ = setup
    screen = screen_for()
    tap(qtbot, screen.mirror_toggle)
    _live(qtbot, screen)
    qtbot.waitUntil(
        lambda: int(screen.preview.frame.pixel(screen.preview.frame.width() - 2, 10)) & 0xFF == 255,
        timeout=WAIT,
    )  # noqa: E501
    photo = _shoot(qtbot, screen)
    from app.imaging.decode import decode_upright

    img = np.asarray(decode_upright(photos.original_bytes(store, photo.sha256)))
    assert img[10, 5].min() > 240 and img[10, -5].max() < 240  # white stays on the left


def test_countdown_then_photo(qtbot: QtBot, setup, screen_for) -> None:  # type: ignore[no-untyped-def]
    screen = screen_for()
    screen._timer.setInterval(20)  # the real 1 s ticks, faster
    _live(qtbot, screen)
    tap(qtbot, screen.timer_toggle)
    with qtbot.waitSignal(screen.photo_stored, timeout=WAIT):
        tap(qtbot, screen.shutter_button)
        assert screen.preview.countdown == 3
    assert screen.preview.countdown == 0


def test_ghost_is_last_visits_photo_of_the_view(qtbot: QtBot, setup, screen_for) -> None:  # type: ignore[no-untyped-def]
    store, who, pid, vid = setup
    earlier = visits.start_visit(store, pid, who.id, "neurotoxin", date.today() - timedelta(90))
    photos.add_photo_bytes(store, pid, "frown", jpeg_bytes(), visit_id=earlier.id)
    screen = screen_for()
    assert screen.preview.ghost is None  # no earlier "rest"
    tap(qtbot, screen.step_buttons["frown"])
    assert screen.preview.ghost is not None and "Ghost: Frown" in screen.ghost_caption.text()
    tap(qtbot, screen.edges_toggle)
    _live(qtbot, screen)
    frames = screen.preview.frames_painted
    qtbot.waitUntil(lambda: screen.preview.frames_painted > frames + 2, timeout=WAIT)
    assert screen.preview._ghost_edges is not None


def test_blurred_photo_gets_a_warning_after_capture(
    qtbot: QtBot, setup, screen_for, camera
) -> None:  # type: ignore[no-untyped-def]
    store, *_ = setup
    blurred = [cv2.GaussianBlur(f, (0, 0), 9) for f in _face_frames()]
    screen = screen_for(camera(blurred, name="blur"))
    _live(qtbot, screen)
    with qtbot.waitSignal(screen.photo_checked, timeout=WAIT) as sig:
        tap(qtbot, screen.shutter_button)
    record, check = sig.args
    assert any("blurred" in w for w in check.warnings)
    assert screen.warnings.isVisible() and "blurred" in screen.warnings.text()
    assert photos.get_photo(store, record.id)  # a warning never blocks: it is stored


def test_import_files_with_one_corrupt(qtbot: QtBot, setup, screen_for, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store, who, pid, vid = setup
    screen = screen_for()
    good = tmp_path / "IMG_0001.jpg"
    good.write_bytes(jpeg_bytes())
    broken = tmp_path / "IMG_0002.jpg"
    broken.write_bytes(jpeg_bytes()[:700])  # truncated
    dialog = screen.import_files([good, broken])
    assert dialog is not None
    qtbot.waitUntil(lambda: not dialog.checking, timeout=WAIT)  # the check runs on a worker
    # whose photos these become, though the dialog covers the screen's banner
    assert dialog.patient_line.text() == "Ada Lovelace · Born 10 Dec 1985"
    assert dialog.height() > dialog.minimumHeight()  # as tall as the window allows
    assert "cannot be imported" in dialog.error.text()
    assert dialog.confirm.text() == "Import 1 photo"
    with qtbot.waitSignal(screen.photo_stored, timeout=WAIT) as sig:
        finger(dialog.confirm)
    assert sig.args[0].view_code == "rest" and sig.args[0].source == PhotoSource.IMPORT.value
    stored = photos.photos_for_visit(store, vid)
    assert [p.id for p in stored] == [sig.args[0].id]  # nothing of the broken file
    # The photo just imported shows beside its view's name; the views still to take do not.
    steps = screen.steps.buttons
    assert not steps["rest"].icon().isNull() and steps["rest"].text().startswith("✓")
    assert steps["frown"].icon().isNull()


def test_import_only_corrupt_stores_nothing(
    qtbot: QtBot, setup, screen_for, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    store, who, pid, vid = setup
    screen = screen_for()
    folder = tmp_path / "card"
    folder.mkdir()
    (folder / "a.jpg").write_bytes(b"not a photo at all")
    dialog = screen.import_files([folder])  # a folder: its image files
    assert dialog is not None
    qtbot.waitUntil(lambda: not dialog.checking, timeout=WAIT)
    assert not dialog.confirm.isEnabled()
    assert "not an image" in dialog.grid.itemAtPosition(0, 2).widget().text()
    dialog.reject()
    assert photos.photos_for_visit(store, vid) == []


def test_import_a_folder_assigns_views_in_order(
    qtbot: QtBot, setup, screen_for, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    store, who, pid, vid = setup
    screen = screen_for()
    folder = tmp_path / "card"
    folder.mkdir()
    for i in range(3):
        (folder / f"IMG_{i:04d}.jpg").write_bytes(jpeg_bytes(face_image(200, 250, seed=i)))
    dialog = screen.import_files([folder])
    qtbot.waitUntil(lambda: not dialog.checking, timeout=WAIT)
    assert [c.currentData() for c in dialog.combos] == ["rest", "frown", "brow_raise"]
    dialog.combos[2].setCurrentIndex(dialog.combos[2].findData("smile"))
    finger(dialog.confirm)
    qtbot.waitUntil(lambda: len(photos.photos_for_visit(store, vid)) == 3, timeout=WAIT)
    qtbot.waitUntil(lambda: screen.walk.done_count == 3, timeout=WAIT)
    assert {p.view_code for p in photos.photos_for_visit(store, vid)} == {"rest", "frown", "smile"}
    assert screen.walk.current.code == "brow_raise"


def test_camera_lost_mid_preview_says_so_and_screen_keeps_working(
    qtbot: QtBot, setup, screen_for, camera, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]  # noqa: E501
    store, who, pid, vid = setup
    screen = screen_for(camera(_face_frames(5), loop=False, name="dying"))
    _live(qtbot, screen)  # it worked …
    qtbot.waitUntil(lambda: "stopped sending pictures" in screen.preview.message, timeout=WAIT)
    assert screen.source is None
    assert "stopped sending pictures" in screen.status.text()
    tap(qtbot, screen.shutter_button)  # explains, does not crash
    assert "No camera is running" in screen.status.text()
    tap(qtbot, screen.step_buttons["smile"])  # the rest of the screen still works
    assert "Smile" in screen.instruction.text()
    f = tmp_path / "phone.jpg"
    f.write_bytes(jpeg_bytes())
    dialog = screen.import_files([f])
    qtbot.waitUntil(lambda: not dialog.checking, timeout=WAIT)
    with qtbot.waitSignal(screen.photo_stored, timeout=WAIT) as sig:
        tap(qtbot, dialog.confirm)
    assert sig.args[0].view_code == "smile"


def test_missing_camera_message(qtbot: QtBot, setup, screen_for, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    missing = str(tmp_path / "none" / "frame_%04d.png")
    screen = screen_for(lambda: OpenCVSource(OpenCVFrameSource(missing)))
    qtbot.waitUntil(lambda: "could not be opened" in screen.preview.message, timeout=WAIT)
    assert screen.import_button.isEnabled()


def test_touch_targets_and_patient_always_shown(qtbot: QtBot, setup, screen_for) -> None:  # type: ignore[no-untyped-def]
    screen = screen_for(consent=False)
    assert screen.banner.name.text() == "Ada Lovelace"
    assert "1985" in screen.banner.dob.text()
    for b in [screen.shutter_button, screen.consent_button, *screen.step_buttons.values()]:
        assert b.height() >= 48 and b.width() >= 48, b.text()
    for b in (screen.ghost_toggle, screen.edges_toggle, screen.camera_button, screen.timer_toggle):
        assert b.height() >= 48 and b.width() >= 48
    assert screen.opacity.height() >= 48
    assert screen.height() <= 768 and screen.minimumSizeHint().height() <= 768 - 64


def test_installed_pyside6_loses_no_references(qtbot: QtBot) -> None:
    """pyproject excludes PySide6 6.12.0, whose void calls drain None and True on Python 3.11
    (a long session aborts): whatever pip installed must not have that bug."""
    from ui.common import refcount_guard

    assert not refcount_guard.broken()


def test_refcount_guard_tops_up_none_true_and_false(qtbot: QtBot) -> None:
    """Where the bug is present, the guard's top-up is what keeps them alive."""
    import sys

    from ui.common import refcount_guard

    refcount_guard.top_up()
    assert all(sys.getrefcount(o) >= refcount_guard.FLOOR for o in (None, True, False))


def test_qt_multimedia_loads_and_lists_cameras(qtbot: QtBot) -> None:
    """PySide6-Addons ships Qt Multimedia; on Linux it also needs libpulse0 (.ci/run installs
    it). Without a camera the list is empty and the screen falls back to OpenCV's devices."""
    import importlib.util

    if importlib.util.find_spec("PySide6.QtMultimedia") is None:
        pytest.skip("PySide6-Addons is not installed")
    from ui.capture import qt_camera, sources

    application()
    assert qt_camera.HAVE_QT_MULTIMEDIA, "Qt Multimedia failed to load: is libpulse0 installed?"
    cams = qt_camera.qt_cameras()
    assert all(c.name and c.make for c in cams)
    assert all(c.resolutions == sorted(c.resolutions, key=lambda r: -r[0] * r[1]) for c in cams)
    choices = sources.available_cameras()
    assert isinstance(choices, list)


def test_drop_files_and_pick_with_the_touch_browser(
    qtbot: QtBot, setup, screen_for, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]  # noqa: E501
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    store, who, pid, vid = setup
    screen = screen_for()
    first, second = tmp_path / "a.jpg", tmp_path / "b.jpg"
    first.write_bytes(jpeg_bytes(face_image(200, 250, seed=1)))
    second.write_bytes(jpeg_bytes(face_image(200, 250, seed=2)))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(first))])
    drop = QDropEvent(
        QPointF(20, 20),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    screen.dropEvent(drop)
    dialog = screen.import_dialog
    qtbot.waitUntil(lambda: not dialog.checking, timeout=WAIT)
    assert [i.path for i in dialog.items] == [first]
    finger(dialog.choose)  # FaceChart's own touch browser, not a file dialog
    assert dialog.browsing
    browser = dialog.open_browser(tmp_path)
    qtbot.waitUntil(lambda: not browser.loading, timeout=WAIT)
    browser.tap_item(browser.items[second])
    finger(browser.add)
    qtbot.waitUntil(lambda: not dialog.checking, timeout=WAIT)
    assert [i.path for i in dialog.items] == [first, second]
    # a drop on the dialog while it shows the browser adds the file and shows the list
    dialog.open_browser()
    third = tmp_path / "c.jpg"
    third.write_bytes(jpeg_bytes(face_image(200, 250, seed=3)))
    mime.setUrls([QUrl.fromLocalFile(str(third))])
    dialog.dropEvent(drop)
    assert not dialog.browsing
    qtbot.waitUntil(lambda: not dialog.checking, timeout=WAIT)
    assert [i.path for i in dialog.items] == [first, second, third]
    finger(dialog.confirm)
    qtbot.waitUntil(lambda: len(photos.photos_for_visit(store, vid)) == 3, timeout=WAIT)


# --- framing against the ghost (real face models: a missing model fails, never skips) -------
@pytest.fixture
def astronaut_ghost(setup) -> np.ndarray:  # type: ignore[no-untyped-def]
    """The astronaut as last visit's "rest" photo; returns it (RGB)."""
    from app.alignment.models import INSTALL_COMMAND, ModelsMissing, find_models
    from tests.app.alignment.faces import astronaut, jpeg

    try:
        find_models()
    except ModelsMissing:
        pytest.fail(f"The face models are not installed: run `{INSTALL_COMMAND}`.")
    store, who, pid, _vid = setup
    face = astronaut()
    earlier = visits.start_visit(store, pid, who.id, "neurotoxin", date.today() - timedelta(90))
    photos.add_photo_bytes(
        store, pid, "rest", jpeg(face), visit_id=earlier.id, source=PhotoSource.CAMERA
    )
    return face


def test_framing_against_the_ghost_shown_after_capture(
    qtbot: QtBot, screen_for, camera, astronaut_ghost: np.ndarray
) -> None:  # type: ignore[no-untyped-def]
    from tests.app.alignment.faces import similarity, warp

    face = astronaut_ghost
    h, w = face.shape[:2]
    # today the face sits 8 % of the frame lower and 12 % bigger (about the face's centre)
    today = warp(face, similarity(1.12, 0, (0, 0.08 * h), (448.4, 247.0)))
    screen = screen_for(camera([cv2.cvtColor(today, cv2.COLOR_RGB2BGR)] * 2, name="lower"))
    assert screen.preview.ghost is not None
    _live(qtbot, screen)
    assert not screen.framing_note.isVisible()
    with qtbot.waitSignal(screen.photo_checked, timeout=WAIT * 2) as sig:
        tap(qtbot, screen.shutter_button)
    _record, check = sig.args
    assert check.framing is not None and check.framing.dy == pytest.approx(0.08, abs=0.01)
    note = screen.framing_note
    assert note.isVisible() and note.property("tone") == "off"
    assert note.text() == "Rest: Framing: 8 % lower and 12 % closer than last time."
    assert "Framing" not in screen.warnings.text()  # said once, on its own line
    # the next view has no ghost: no framing line for it
    with qtbot.waitSignal(screen.photo_checked, timeout=WAIT * 2):
        tap(qtbot, screen.shutter_button)
    assert not screen.framing_note.isVisible()


def test_framing_says_when_it_cannot_be_checked(
    qtbot: QtBot, screen_for, camera, astronaut_ghost: np.ndarray
) -> None:  # type: ignore[no-untyped-def]
    wall = np.random.default_rng(0).integers(90, 160, (360, 480, 3), dtype=np.uint8)
    screen = screen_for(camera([wall] * 2, name="wall"))  # the patient stepped out of frame
    _live(qtbot, screen)
    with qtbot.waitSignal(screen.photo_checked, timeout=WAIT * 2) as sig:
        tap(qtbot, screen.shutter_button)
    assert sig.args[1].framing_check.status == "unchecked"
    note = screen.framing_note
    assert note.isVisible() and note.property("tone") == "unknown"
    assert note.text().startswith("Rest: Framing can't be checked: no face was found")
    assert photos.get_photo(screen.store, sig.args[0].id)  # stored all the same


def test_live_framing_on_the_preview_is_judged_unmirrored(
    qtbot: QtBot, screen_for, camera, astronaut_ghost: np.ndarray
) -> None:  # type: ignore[no-untyped-def]
    from tests.app.alignment.faces import similarity, warp

    face = astronaut_ghost
    w = face.shape[1]
    today = warp(face, similarity(1.0, 0, (0.08 * w, 0), (448.4, 247.0)))  # 8 % to the right
    screen = screen_for(camera([cv2.cvtColor(today, cv2.COLOR_RGB2BGR)] * 2, name="right"))
    screen.live_framing._timer.setInterval(50)  # the real 1.5 s, faster
    tap(qtbot, screen.mirror_toggle)  # the clinician sees a mirror; the photo is not one
    _live(qtbot, screen)
    qtbot.waitUntil(lambda: screen.preview.framing_hint is not None, timeout=WAIT * 2)
    text, tone = screen.preview.framing_hint
    assert tone == "off" and text == "Framing: 8 % further right in the frame than last time."
    # painted over the live picture
    frames = screen.preview.frames_painted
    qtbot.waitUntil(lambda: screen.preview.frames_painted > frames, timeout=WAIT)
    # another view (no ghost): nothing to say, no stale hint
    tap(qtbot, screen.step_buttons["smile"])
    assert screen.preview.framing_hint is None


def test_framing_without_models_says_so_and_capture_goes_on(
    qtbot: QtBot, screen_for, camera, astronaut_ghost: np.ndarray, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from app.alignment import models

    monkeypatch.setattr(models, "search_dirs", lambda: [tmp_path])  # an install without them
    models.forget_models()
    try:
        today = cv2.cvtColor(astronaut_ghost, cv2.COLOR_RGB2BGR)
        screen = screen_for(camera([today] * 2, name="nomodels"))
        _live(qtbot, screen)
        with qtbot.waitSignal(screen.photo_checked, timeout=WAIT * 2) as sig:
            tap(qtbot, screen.shutter_button)
        note = screen.framing_note
        assert note.isVisible() and note.property("tone") == "unknown"
        assert "face models are not installed" in note.text()
        assert models.INSTALL_COMMAND in note.text()
        assert photos.get_photo(screen.store, sig.args[0].id)  # stored all the same
        assert screen.walk.current.code == "frown"  # and the walk goes on
    finally:
        monkeypatch.undo()
        models.forget_models()


def test_live_framing_worker_touches_no_qt_and_never_collects(
    qtbot: QtBot, screen_for, camera, astronaut_ghost: np.ndarray
) -> None:  # type: ignore[no-untyped-def]
    """The framing check aligns on its own thread: its answer reaches the preview on the GUI
    thread, and no garbage collection runs on the worker (one there frees Qt objects off the
    GUI thread; ui/common/gc_pause.py). The pause ends with the capture screen."""
    import threading

    from ui.common import gc_pause

    answered_on: list[threading.Thread] = []
    with cpu_load(), collections_off_the_gui_thread() as off_gui:  # as on a loaded machine
        today = cv2.cvtColor(astronaut_ghost, cv2.COLOR_RGB2BGR)
        screen = screen_for(camera([today] * 2, name="live"))
        live = screen.live_framing
        live.changed.connect(lambda _c: answered_on.append(threading.current_thread()))
        live._timer.setInterval(50)  # the real 1.5 s, faster
        _live(qtbot, screen)
        qtbot.waitUntil(lambda: live.checks_done >= 3, timeout=WAIT * 4)
        live.shutdown()
        assert gc_pause.settled()
    assert [name for name in off_gui if name.startswith("capture-")] == []  # camera: see below
    assert answered_on and all(t is threading.main_thread() for t in answered_on)


def test_storing_and_framing_a_photo_never_collects_on_the_worker(
    qtbot: QtBot, screen_for, camera, astronaut_ghost: np.ndarray
) -> None:  # type: ignore[no-untyped-def]
    """The store worker writes the photo and aligns it to the ghost: no garbage collection
    runs on it meanwhile (ui/common/gc_pause.py), and the pause ends with the job."""
    from ui.common import gc_pause

    with cpu_load(), collections_off_the_gui_thread() as off_gui:  # as on a loaded machine
        today = cv2.cvtColor(astronaut_ghost, cv2.COLOR_RGB2BGR)
        screen = screen_for(camera([today] * 2, name="store"))
        screen.live_framing.shutdown()  # only the store worker here
        _live(qtbot, screen)
        with qtbot.waitSignal(screen.photo_checked, timeout=WAIT * 2) as sig:
            tap(qtbot, screen.shutter_button)
        assert sig.args[1].framing is not None  # it did align
        qtbot.waitUntil(lambda: not gc_pause.paused(), timeout=WAIT)
        assert gc_pause.settled()
    # The camera's reader (a QThread, "Dummy-N" to Python) never stops, so no pause covers
    # it: only collecting on the GUI thread alone would (gc_pause.collect_on_gui_thread_only).
    assert [name for name in off_gui if name.startswith("capture-")] == []
