"""From the shutter to the store: a press (a tap, or a foot pedal's key; after the self-timer's
countdown when it is on) asks the camera for a still of the view on screen, and a single worker
thread writes each still (camera or import) to the store at once and then checks it. The screen
says "stored" only on the committed record; nothing is kept only in memory (ADR 0008). The
thread is the app's one worker base's (ui/common/worker.py, ADR 0012)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

from app.domain.values import PhotoSource
from app.services import capture, photos, same_person
from app.services.capture import (
    FramingCheck,
    PhotoCheck,
    ProtocolWalk,
    check_photo_bytes,
    with_framing,
)
from app.services.photos import ImageError, PhotoRecord
from app.services.store import Store
from app.store.errors import StoreError
from ui.capture.base import PreviewSource
from ui.capture.preview import PreviewView
from ui.common.worker import Worker

COUNTDOWN_SECONDS = 3
SHUTTER_KEYS = (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_PageDown)


def pedal_shortcuts(widget: QWidget, press: Callable[[], None]) -> None:
    """Foot pedals send PageDown or Enter, keyboards Space. A window shortcut fires wherever
    focus is in the window (the widget's keyPressEvent catches the keys when it has focus)."""
    for key in SHUTTER_KEYS:
        sc = QShortcut(QKeySequence(key), widget)
        sc.setContext(Qt.ShortcutContext.WindowShortcut)
        sc.setAutoRepeat(False)  # a held pedal is one photo
        sc.activated.connect(press)


class Countdown(QObject):
    """The self-timer: `ticked(seconds left)` once a second, then `done`."""

    ticked = Signal(int)
    done = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.remaining = 0
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self._tick)

    def start(self, seconds: int) -> None:
        self.remaining = seconds
        self.timer.start()

    def stop(self) -> None:
        self.remaining = 0
        self.timer.stop()

    def _tick(self) -> None:
        self.remaining -= 1
        self.ticked.emit(max(self.remaining, 0))
        if self.remaining <= 0:
            self.timer.stop()
            self.done.emit()


class StillWriter(QObject):
    """Stores stills for one patient's visit on a worker thread, then checks them there; the
    results come back as signals on the UI thread: `stored` as soon as the record is
    committed, `checked` after (aligning to the ghost takes a few hundred ms)."""

    stored = Signal(object, object)  # PhotoRecord, bytes
    failed = Signal(str)
    checked = Signal(object, object)  # PhotoRecord, PhotoCheck
    face_checked = Signal(object, object)  # PhotoRecord, same_person.FaceCheck

    def __init__(
        self,
        store: Store,
        patient_id: int,
        visit_id: int,
        practitioner_id: int,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.patient_id = patient_id
        self.visit_id = visit_id
        self.practitioner_id = practitioner_id
        # A still handed over is written even when the screen closes meanwhile: it exists
        # nowhere else (ADR 0008).
        self._worker = Worker("capture-store", self, finish_queued=True)
        # The wrong-patient check is advice and takes a second or two: a thread of its own, so
        # the next still is not stored after it, and dropped when the screen closes.
        self._faces = Worker("capture-face-check", self)

    def write(self, data: bytes, view_code: str, source: PhotoSource, filename: str) -> None:
        job = partial(
            photos.add_photo_bytes,
            self.store,
            self.patient_id,
            view_code,
            data,
            visit_id=self.visit_id,
            taken_by_id=self.practitioner_id,
            source=source,
            filename=filename,
        )
        self._worker.run(job, partial(self._on_stored, data), self._on_failed)

    def _on_stored(self, data: bytes, record: PhotoRecord) -> None:
        # queued before anyone hears "stored": a next still is checked after this one
        self._worker.run(partial(self._check, record, data), self._on_checked, _ignored)
        stop = self._faces.closing.is_set  # a closing screen waits for one face at most
        job = partial(same_person.check_face, self.store, record, stop)
        self._faces.run(job, partial(self.face_checked.emit, record), _ignored)
        self.stored.emit(record, data)

    def _on_failed(self, exc: BaseException) -> None:
        if isinstance(exc, ImageError | StoreError):
            self.failed.emit(str(exc))
        else:  # the screen must say so, not swallow it
            self.failed.emit(f"The photo could not be stored: {exc}")

    def _check(self, record: PhotoRecord, data: bytes) -> tuple[PhotoRecord, PhotoCheck]:
        """On the worker: the photo's checks, with its framing against the ghost."""
        check = check_photo_bytes(data)
        return record, with_framing(check, self._framing(record))

    def _on_checked(self, result: tuple[PhotoRecord, PhotoCheck]) -> None:
        self.checked.emit(*result)

    def _framing(self, record: PhotoRecord) -> FramingCheck | None:
        """How the photo is framed against its view's ghost (worker thread); None when the view
        has no ghost. It aligns the two display images, not the 12–24 MP originals."""
        try:
            return capture.framing_against_ghost(self.store, record)
        except Exception as exc:  # alignment is advice: its failure must not hide the others
            return FramingCheck("unchecked", f"Framing can't be checked: {exc}")

    def shutdown(self) -> None:
        """Wait for the photos being written (and checked); a face check still queued is
        dropped (it only warns)."""
        self._faces.shutdown()
        self._worker.shutdown()


def _ignored(_exc: BaseException) -> None:
    """A check that fails is no reason to trouble the clinician."""


class ShutterSequence(QObject):
    """A press of the shutter, to the photo stored and checked. `busy` from the still asked of
    the camera (or an import handed over) until the store answers: presses meanwhile do nothing.
    The camera's `still` and `still_failed` go to `on_still` and `on_failed`."""

    stored = Signal(object)  # PhotoRecord, once committed
    checked = Signal(object, object)  # PhotoRecord, PhotoCheck
    face_checked = Signal(object, object)  # PhotoRecord, same_person.FaceCheck

    def __init__(
        self,
        writer: StillWriter,
        walk: ProtocolWalk,
        preview: PreviewView,
        source: Callable[[], PreviewSource | None],
        say: Callable[[str, bool], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.writer = writer
        self.walk = walk
        self.preview = preview  # shows the countdown
        self._source = source  # the running camera, if any
        self._say = say
        self.busy = False  # a still is on its way to the store
        self.pending_view: str | None = None  # the view on screen when the still was asked for
        self.countdown = Countdown(self)
        self.countdown.ticked.connect(self._show_countdown)
        self.countdown.done.connect(self.fire)
        writer.stored.connect(self._on_stored)
        writer.failed.connect(self.on_failed)
        writer.checked.connect(self.checked)
        writer.face_checked.connect(self.face_checked)

    def press(self, timer: bool) -> None:
        if self.busy or self.countdown.remaining:
            return
        if self._source() is None:
            self._say("No camera is running. Tap “Camera…” to start one, or import photos.", True)
            return
        if timer:
            self.countdown.start(COUNTDOWN_SECONDS)
            self._show_countdown(COUNTDOWN_SECONDS)
            return
        self.fire()

    def _show_countdown(self, seconds_left: int) -> None:
        self.preview.countdown = seconds_left
        self.preview.update()

    def fire(self) -> None:
        source = self._source()
        if source is None:
            return
        self.busy = True
        self.pending_view = self.walk.current.code
        self._say("Taking the photo…", False)
        source.request_still()

    def on_still(self, data: bytes) -> None:
        code = self.pending_view or self.walk.current.code
        self.write(data, code, PhotoSource.CAMERA, "")

    def write(self, data: bytes, view_code: str, source: PhotoSource, filename: str) -> None:
        self.busy = True
        self.writer.write(data, view_code, source, filename)

    def _on_stored(self, record: PhotoRecord, _data: bytes) -> None:
        self._settled()
        self.stored.emit(record)

    def on_failed(self, message: str) -> None:
        self._settled()
        self._say(f"Not stored: {message}", True)

    def _settled(self) -> None:
        self.busy = False
        source = self._source()
        if source is not None:
            source.resume()

    def cancel(self) -> None:
        """The camera is gone: no countdown, nothing on its way."""
        self.countdown.stop()
        self.preview.countdown = 0
        self.busy = False
