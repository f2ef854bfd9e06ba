"""The wrong-patient warning on the capture screen (issue 10), over a real SQLite store and
the real models: one patient's photo imported for another warns, with both photos side by side;
a second photo of the same person does not; "Remove" marks it entered in error."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.capture.frames import OpenCVFrameSource
from app.domain.values import PhotoSource
from app.services import patients, photos, visits
from app.services.practitioners import PractitionerRecord, default_practitioner
from app.services.same_person import Outcome
from app.store.database import Store
from tests.app.alignment.faces import astronaut, jpeg, similarity, warp
from tests.app.identity.conftest import real_face
from tests.ui.helpers import tap
from ui.app import application
from ui.capture.capture_screen import CaptureScreen
from ui.capture.sources import OpenCVSource
from ui.common.widgets import TOUCH

WAIT = 30000  # ms: the check embeds up to two faces on a loaded 2-core machine

pytestmark = pytest.mark.usefixtures("models")


@pytest.fixture
def models() -> None:
    """The real models: missing ones fail the test, never skip it."""
    from app.alignment.models import INSTALL_COMMAND, ModelsMissing, find_models
    from app.identity.models import RecognitionUnavailable
    from app.identity.models import find_models as find_recognition

    try:
        find_models()
        find_recognition()
    except (ModelsMissing, RecognitionUnavailable) as exc:
        pytest.fail(f"Run `{INSTALL_COMMAND}`: {exc}", pytrace=False)


@pytest.fixture
def zoe(sqlite_store: Store) -> tuple[Store, PractitionerRecord, int, int]:
    """Zoë Martin, photographed at a visit 90 days ago (photo set by each test), and today's
    visit; returns (store, practitioner, patient, old visit)."""
    who = default_practitioner(sqlite_store)
    pid = patients.create_patient(sqlite_store, "Zoë", "Martin", date(1985, 3, 3)).id
    patients.record_photography_consent(sqlite_store, pid, who.id)
    old = visits.start_visit(sqlite_store, pid, who.id, "neurotoxin", date.today() - timedelta(90))
    return sqlite_store, who, pid, old.id


@pytest.fixture
def screen_for(qtbot: QtBot, zoe) -> Iterator[Callable[[bytes], CaptureScreen]]:  # type: ignore[no-untyped-def]
    application()
    made: list[CaptureScreen] = []

    def build(earlier: bytes) -> CaptureScreen:
        store, who, pid, old = zoe
        photos.add_photo_bytes(store, pid, "rest", earlier, visit_id=old)
        vid = visits.start_visit(store, pid, who.id, "neurotoxin").id
        screen = CaptureScreen(store, pid, vid, who.id, source_factory=_no_camera)
        qtbot.addWidget(screen)
        screen.resize(1366, 768)
        screen.show()
        qtbot.waitExposed(screen)
        made.append(screen)
        return screen

    yield build
    for s in made:
        s.shutdown()


def _no_camera() -> OpenCVSource:
    """A camera that cannot be opened: these photos arrive by import."""
    return OpenCVSource(OpenCVFrameSource("/nonexistent-facechart-camera/frame_%04d.png"))


def _import(qtbot: QtBot, screen: CaptureScreen, path: Path):  # type: ignore[no-untyped-def]
    """Import one file through the dialog; returns (record, FaceCheck) once checked."""
    dialog = screen.import_files([path])
    assert dialog is not None
    qtbot.waitUntil(lambda: not dialog.checking, timeout=WAIT)  # checked on the dialog's worker
    with qtbot.waitSignal(screen.face_checked, timeout=WAIT) as sig:
        tap(qtbot, dialog.confirm)
    return sig.args


def test_another_patients_photo_warns_and_a_second_of_the_same_person_does_not(
    qtbot: QtBot, screen_for
) -> None:  # type: ignore[no-untyped-def]
    screen = screen_for(real_face("obama.jpg").read_bytes())
    record, check = _import(qtbot, screen, real_face("train_alex_lacamoire_img1.jpg"))
    assert check.outcome is Outcome.DIFFERENT
    warning = screen.wrong_patient
    assert warning is not None and warning.isVisible() and not warning.isModal()
    assert warning.message.text() == "This face does not look like Zoë Martin's earlier photos."
    shown = [
        w
        for w in warning.findChildren(type(warning.message))
        if w.objectName() == "wrongPatientPhoto"
    ]
    assert len(shown) == 2 and all(not w.pixmap().isNull() for w in shown)  # side by side
    assert shown[0].geometry().right() < shown[1].geometry().left()
    captions = [w for w in warning.findChildren(QLabel) if w.objectName() == "wrongPatientCaption"]
    assert captions[0].text().startswith("Earlier: Rest, ") and captions[1].text() == "New: Rest"
    for pic, caption in zip(shown, captions, strict=True):  # laid out, not drawn over each other
        assert caption.geometry().top() > pic.geometry().bottom()
    assert warning.message.geometry().bottom() < shown[0].geometry().top()
    for b in (warning.keep, warning.remove):
        assert b.height() >= 48 and b.width() >= 48 and b.minimumHeight() >= TOUCH
    assert photos.get_photo(screen.store, record.id)  # stored already: a warning, not a block
    assert screen.import_button.isEnabled()
    tap(qtbot, warning.keep)
    assert not photos.get_photo(screen.store, record.id).in_error
    # a second photo of Zoë (the same person as her earlier photo): no warning
    screen.wrong_patient = None
    record, check = _import(qtbot, screen, real_face("obama2.jpg"))
    assert check.outcome is Outcome.SAME and screen.wrong_patient is None
    assert not screen.pane.face_note.isVisible()


def test_remove_marks_the_photo_entered_in_error_and_reopens_its_view(
    qtbot: QtBot, screen_for
) -> None:  # type: ignore[no-untyped-def]
    screen = screen_for(real_face("obama.jpg").read_bytes())
    record, _check = _import(qtbot, screen, real_face("alex-lacamoire.png"))
    assert screen.walk.is_done(record.view_code)
    tap(qtbot, screen.wrong_patient.remove)
    stored = photos.get_photo(screen.store, record.id)
    assert stored.in_error and stored.source == PhotoSource.IMPORT.value  # kept, hidden
    assert not screen.walk.is_done(record.view_code) and screen.walk.current.code == "rest"
    assert "removed" in screen.status.text()


def test_same_face_moved_does_not_warn_and_no_face_could_not_compare(
    qtbot: QtBot, screen_for, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Without the real photos: the public-domain astronaut, earlier and today (moved)."""
    face = astronaut()
    screen = screen_for(jpeg(face))
    today = tmp_path / "today.jpg"
    today.write_bytes(jpeg(warp(face, similarity(0.9, 4.0, (25.0, 10.0), (450, 250)))))
    _record, check = _import(qtbot, screen, today)
    assert check.outcome is Outcome.SAME and screen.wrong_patient is None
    wall = tmp_path / "wall.jpg"
    wall.write_bytes(jpeg(np.random.default_rng(0).integers(90, 160, (600, 800, 3), np.uint8)))
    record, check = _import(qtbot, screen, wall)
    assert check.outcome is Outcome.UNKNOWN and screen.wrong_patient is None
    note = screen.pane.face_note
    assert note.isVisible() and "could not compare" in note.text()
    assert "No face" in note.text()
