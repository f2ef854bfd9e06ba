"""The capture screen: one view of the visit's protocol at a time, the line to read to the
patient, a live preview with the earlier photo as a ghost, and a big shutter.

Entry point for the shell: `CaptureScreen(store, patient_id, visit_id, practitioner_id)`;
listen to `photo_stored(PhotoRecord)` and `finished()`. Every photo is in the store before the
screen says it is taken (written on a worker thread, committed at once, never only in memory).

This module lays the parts out and wires them: the consent step (consent_bar.py), the protocol
steps (protocol_steps.py), the line to read, the preview and what it says (view_pane.py), the
side controls (capture_controls.py), the camera (camera_control.py), the ghost and framing on
the preview (ghost_display.py), the shutter, pedal keys and store worker (shutter.py) and
import (photo_import.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDropEvent,
    QHideEvent,
    QKeyEvent,
    QShowEvent,
)
from PySide6.QtWidgets import QWidget

from app.domain.values import PhotoSource
from app.services import capture, patients, same_person, visits
from app.services.capture import PhotoCheck, ProtocolWalk
from app.services.photos import PhotoRecord
from app.services.store import Store
from ui.capture.base import PreviewSource
from ui.capture.browse_data import RecentFolders
from ui.capture.camera_control import CameraControl
from ui.capture.capture_controls import CaptureControls
from ui.capture.capture_style import STYLE
from ui.capture.consent_bar import REFUSED_SHUTTER, WAITING, ConsentBar, record_consent
from ui.capture.ghost_display import GhostDisplay
from ui.capture.import_dialog import ImportDialog, ImportItem
from ui.capture.photo_import import open_import
from ui.capture.protocol_steps import ProtocolSteps
from ui.capture.shutter import SHUTTER_KEYS, ShutterSequence, StillWriter, pedal_shortcuts
from ui.capture.view_pane import ViewPane
from ui.capture.wrong_patient import WrongPatientDialog
from ui.common import images
from ui.common.refcount_guard import RefcountGuard
from ui.common.widgets import Page, PatientBanner, button, hbox, set_state, vbox


class CaptureScreen(Page):
    """A page of the main window's stack (a plain QWidget otherwise)."""

    title = "Take photos"
    photo_stored = Signal(object)  # PhotoRecord, once committed
    photo_checked = Signal(object, object)  # PhotoRecord, PhotoCheck
    face_checked = Signal(object, object)  # PhotoRecord, same_person.FaceCheck
    finished = Signal()

    def __init__(
        self,
        store: Store,
        patient_id: int,
        visit_id: int,
        practitioner_id: int,
        source_factory: Callable[[], PreviewSource] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("captureScreen")
        self.setStyleSheet(STYLE)
        self.setAcceptDrops(True)
        self.store = store
        self.patient = patients.get_patient(store, patient_id)
        self.visit = visits.get_visit(store, visit_id)
        self.practitioner_id = practitioner_id
        self.walk: ProtocolWalk = capture.protocol_walk(store, visit_id)
        self.source_factory = source_factory
        self.last_check: PhotoCheck | None = None
        self.wrong_patient: WrongPatientDialog | None = None  # the last warning shown
        self.writer = StillWriter(store, patient_id, visit_id, practitioner_id, self)
        self._guard = RefcountGuard(self)  # a PySide6 6.12 bug: see refcount_guard.py
        self._build()
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the pedal's keys, see keyPressEvent
        pedal_shortcuts(self, self.shutter)
        self._show_view()
        self._update_consent()
        QTimer.singleShot(0, self.start_camera)

    # --- layout and wiring ------------------------------------------------------------------
    def _build(self) -> None:
        root = vbox(self, spacing=0)
        self.banner = PatientBanner(self.patient)
        self.import_button = button("Import photos…", "secondary")
        self.recent_folders: RecentFolders | None = None  # None: the user's own list
        self.import_button.setObjectName("importButton")
        self.done_button = button("Done", "primary")
        self.done_button.setObjectName("doneButton")
        for b in (self.import_button, self.done_button):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.banner.add_button(b)
        root.addWidget(self.banner)
        self.consent_bar = ConsentBar()
        self.consent_button = self.consent_bar.button
        root.addWidget(self.consent_bar)

        body = hbox(margins=12, spacing=12)
        root.addLayout(body, 1)
        self.steps = ProtocolSteps(
            f"{self.visit.treatment_type.label} photos",
            self.walk,
            thumbnail=lambda sha: images.thumbnail(self.store, sha),
        )
        self.step_buttons, self.progress = self.steps.buttons, self.steps.progress
        body.addWidget(self.steps)
        pane = self.pane = ViewPane()
        self.instruction, self.preview, self.status = pane.instruction, pane.preview, pane.status
        self.ghost_caption, self.framing_note = pane.ghost_caption, pane.framing_note
        self.warnings = pane.warnings
        body.addWidget(pane, 1)
        c = self.controls = CaptureControls()
        self.shutter_button, self.camera_button = c.shutter_button, c.camera_button
        self.ghost_toggle, self.edges_toggle = c.ghost_toggle, c.edges_toggle
        self.guides_toggle, self.mirror_toggle = c.guides_toggle, c.mirror_toggle
        self.timer_toggle, self.opacity = c.timer_toggle, c.opacity
        body.addWidget(c)

        seq = ShutterSequence(
            self.writer, self.walk, self.preview, lambda: self.source, pane.say, self
        )
        self.shutter_sequence = seq
        self._timer = seq.countdown.timer  # the self-timer's 1 s ticks (tests run them faster)
        seq.stored.connect(self._on_stored)
        seq.checked.connect(self._on_checked)
        seq.face_checked.connect(self._on_face_checked)
        self.camera = CameraControl(pane, self.source_factory, c, seq, self)
        self.camera_panel = self.camera.panel
        self.ghost_display = GhostDisplay(
            self.store, self.patient.id, self.visit.id, pane, c, self.camera, self
        )
        self.live_framing = self.ghost_display.live_framing

        self.shutter_button.clicked.connect(self.shutter)
        self.steps.step_chosen.connect(self.go_to)
        self.consent_button.clicked.connect(self.record_consent)
        self.import_button.clicked.connect(lambda: self.import_files([]))
        self.done_button.clicked.connect(self.finish)

    # --- consent (consent_bar.py) -----------------------------------------------------------
    @property
    def has_consent(self) -> bool:
        return self.patient.photography_consent_at is not None

    def record_consent(self) -> None:
        self.patient, message, error = record_consent(
            self.store, self.patient, self.practitioner_id
        )
        if not error:
            self._update_consent()
        self._say(message, error=error)

    def _update_consent(self) -> None:
        self.consent_bar.setVisible(not self.has_consent)
        set_state(self.shutter_button, "waiting", not self.has_consent)
        self.import_button.setEnabled(self.has_consent)
        if not self.has_consent:
            self._say(WAITING)

    # --- the protocol walk ------------------------------------------------------------------
    def go_to(self, code: str) -> None:
        self.walk.go_to(code)
        self._show_view()

    def _show_view(self) -> None:
        view = self.walk.current
        self.pane.show_view(view)
        self.steps.show_walk(self.walk)
        self.shutter_button.setText("Retake" if self.walk.is_done(view.code) else "Take photo")
        self.ghost_display.load(view.code)

    # --- camera (camera_control.py) ---------------------------------------------------------
    @property
    def source(self) -> PreviewSource | None:
        return self.camera.source

    def start_camera(self, keep_choice: bool = False) -> None:
        self.camera.start(keep_choice)

    def stop_camera(self) -> None:
        self.camera.stop()

    # --- shutter and storing (shutter.py) ---------------------------------------------------
    @property
    def busy(self) -> bool:
        """A still is on its way to the store."""
        return self.shutter_sequence.busy

    def shutter(self) -> None:
        if not self.has_consent:
            self._say(REFUSED_SHUTTER, error=True)
            return
        self.shutter_sequence.press(timer=self.timer_toggle.isChecked())

    def _on_stored(self, record: PhotoRecord) -> None:
        self.walk.record(record)
        self.pane.clear_check()
        self._say(f"{record.view_name} stored.")
        self._show_view()
        self.photo_stored.emit(record)
        if self.walk.complete:
            self._say("All views taken. Retake any view, or tap Done.")

    def _on_checked(self, record: PhotoRecord, check: PhotoCheck) -> None:
        self.last_check = check
        self.pane.show_check(record, check)
        self.photo_checked.emit(record, check)

    # --- the wrong-patient check (wrong_patient.py, app/services/same_person.py) -----------
    def _on_face_checked(self, record: PhotoRecord, check: same_person.FaceCheck) -> None:
        self.pane.show_face_check(record, check)
        if check.warn:
            self.wrong_patient = WrongPatientDialog(
                self, self.store, self.patient, record, check, self._keep, self._remove
            )
            self.wrong_patient.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.wrong_patient.show()
        self.face_checked.emit(record, check)

    def _keep(self, record: PhotoRecord) -> None:
        self.pane.face_note.hide()
        self._say(f"{record.view_name} kept.")

    def _remove(self, record: PhotoRecord) -> None:
        """Marked entered in error; its view shows the photo it had before, or is open again."""
        same_person.remove_photo(self.store, record.id, self.practitioner_id)
        self.walk.taken = capture.protocol_walk(self.store, self.visit.id).taken
        self.pane.face_note.hide()
        self.go_to(record.view_code)
        self._say(f"{record.view_name} removed (kept in the record as entered in error).")

    # --- import (photo_import.py) and keys --------------------------------------------------
    def import_files(self, paths: list[Path]) -> ImportDialog | None:
        if not self.has_consent:
            self.shutter()  # the same explanation as the shutter gives
            return None
        self.import_dialog = open_import(
            self, self.walk, self.patient, paths, self._import_chosen, self.recent_folders
        )
        return self.import_dialog

    def _import_chosen(self, chosen: list[tuple[ImportItem, str]]) -> None:
        for item, code in chosen:
            assert item.data is not None
            self.shutter_sequence.write(item.data, code, PhotoSource.IMPORT, item.path.name)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in SHUTTER_KEYS:
            if not event.isAutoRepeat():
                self.shutter()
            event.accept()
            return
        super().keyPressEvent(event)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            self.import_files(paths)
        event.acceptProposedAction()

    # --- leaving ----------------------------------------------------------------------------
    def _say(self, text: str, error: bool = False) -> None:
        self.pane.say(text, error)

    def shutdown(self) -> None:
        """Stop the camera and wait for a photo being written: nothing is left half done."""
        self._timer.stop()
        self.live_framing.shutdown()
        self.stop_camera()
        self.writer.shutdown()

    def finish(self) -> None:
        self.shutdown()
        self.finished.emit()

    def activated(self) -> None:
        """Back to the front: the camera again if it was running when the page was left."""
        if self.source is None:
            self.camera.resume()

    def hideEvent(self, event: QHideEvent) -> None:
        self.camera.pause()
        super().hideEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.camera.resume()
