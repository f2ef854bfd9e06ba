"""The capture screen: one view of the visit's protocol at a time, the line to read to the
patient, a live preview with the earlier photo as a ghost, and a big shutter.

Entry point for the shell: `CaptureScreen(store, patient_id, visit_id, practitioner_id)`;
listen to `photo_stored(PhotoRecord)` and `finished()`. Every photo is in the store before the
screen says it is taken (written on a worker thread, committed at once, never only in memory).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PySide6.QtCore import QByteArray, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDropEvent,
    QHideEvent,
    QImage,
    QKeyEvent,
    QKeySequence,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFrame,
    QGridLayout,
    QPushButton,
    QSlider,
    QWidget,
)

from app.capture.walk import ProtocolWalk
from app.domain.values import PhotoSource
from app.imaging.decode import ImageError
from app.imaging.framing import FramingCheck
from app.imaging.quality import PhotoCheck, check_photo_bytes, with_framing
from app.services import capture, patients, photos, visits
from app.services.photos import PhotoRecord
from app.store.database import Store
from app.store.errors import StoreError
from ui.capture.base import CameraChoice, PreviewSource
from ui.capture.framing_note import TONES, FramingNote
from ui.capture.import_dialog import ImportDialog, ImportItem
from ui.capture.live_framing import LiveFraming
from ui.capture.preview import PreviewView
from ui.capture.refcount_guard import RefcountGuard
from ui.capture.sources import available_cameras
from ui.common import format as fmt
from ui.common.widgets import TOUCH, Page, PatientBanner, button, hbox, label, set_state, vbox

COUNTDOWN_SECONDS = 3
SHUTTER_KEYS = (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_PageDown)

_STYLE = """
#consentBar { background: #FFF0C2; border-bottom: 2px solid #E0B84A; }
#consentBar QLabel { color: #3D2E00; font-weight: 600; }
QPushButton#shutter {
    min-height: 120px; font-size: 22pt; font-weight: 700; border-radius: 60px;
    background: #B3261E; border: 4px solid #FFFFFF; color: #FFFFFF;
}
QPushButton#shutter:pressed { background: #7E1A15; }
QPushButton#shutter[waiting="true"] { background: #8C97A1; border-color: #C9D1D8; }
QPushButton[role="step"] { text-align: left; padding-left: 16px; }
QPushButton[role="step"]:checked { background: #0B6B74; border-color: #0B6B74; color: #FFFFFF; }
QPushButton[role="step"][done="true"] { border-color: #2E7D4F; }
QLabel#instruction { font-size: 24pt; font-weight: 700; color: #0B4F57; }
QLabel#captureWarnings {
    background: #FFF0C2; color: #3D2E00; border: 2px solid #E0B84A; border-radius: 10px;
    padding: 8px 14px; font-weight: 600;
}
QLabel#captureStatus[tone="error"] { color: #A1221A; font-weight: 700; }
QSlider::groove:horizontal { height: 10px; background: #C5D1DA; border-radius: 5px; }
QSlider::handle:horizontal {
    width: 44px; height: 44px; margin: -17px 0; border-radius: 22px; background: #0B6B74;
}
QSlider { min-height: 48px; }
QPushButton[role="toggle"], QPushButton#cameraButton { padding: 0 8px; }
"""


class CameraPanel(QDialog):
    """Which camera, at which still size (largest first, the default)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("cameraPanel")
        self.setWindowTitle("Camera")
        self.setMinimumWidth(560)
        lay = vbox(self, margins=24, spacing=14)
        lay.addWidget(label("Camera", "heading"))
        self.camera_combo = QComboBox()
        self.camera_combo.setObjectName("cameraChoice")
        self.resolution_combo = QComboBox()
        self.resolution_combo.setObjectName("resolutionChoice")
        for text, combo in (("Camera", self.camera_combo), ("Photo size", self.resolution_combo)):
            lay.addWidget(label(text, "field"))
            combo.setMinimumHeight(TOUCH)
            lay.addWidget(combo)
        row = hbox(spacing=12)
        row.addStretch(1)
        cancel = button("Cancel", "secondary")
        self.use_button = button("Use this camera", "primary")
        row.addWidget(cancel)
        row.addWidget(self.use_button)
        lay.addLayout(row)
        cancel.clicked.connect(self.reject)


def _toggle(text: str, checked: bool) -> QPushButton:
    b = button(text, "toggle")
    b.setCheckable(True)
    b.setChecked(checked)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Space and Enter belong to the shutter
    return b


class CaptureScreen(Page):
    """A page of the main window's stack (a plain QWidget otherwise)."""

    title = "Take photos"
    photo_stored = Signal(object)  # PhotoRecord, once committed
    photo_checked = Signal(object, object)  # PhotoRecord, PhotoCheck
    finished = Signal()
    # internal: results of the store thread, delivered on the UI thread (queued)
    _stored = Signal(object, object)  # PhotoRecord, bytes
    _store_failed = Signal(str)
    _checked = Signal(object, object)

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
        self.setStyleSheet(_STYLE)
        self.setAcceptDrops(True)
        self.store = store
        self.patient = patients.get_patient(store, patient_id)
        self.visit = visits.get_visit(store, visit_id)
        self.practitioner_id = practitioner_id
        self.walk: ProtocolWalk = capture.protocol_walk(store, visit_id)
        self.source_factory = source_factory
        self.source: PreviewSource | None = None
        self.cameras: list[CameraChoice] = []
        self.busy = False  # a still is on its way to the store
        self.last_check: PhotoCheck | None = None
        self._countdown = 0
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="capture-store")
        self._guard = RefcountGuard(self)  # a PySide6 6.12 bug: see refcount_guard.py
        self._build()
        self.live_framing = LiveFraming(store, self._live_frame, self._may_check_live, self)
        self.live_framing.changed.connect(self._on_live_framing)
        self._stored.connect(self._on_stored)
        self._store_failed.connect(self._on_store_failed)
        self._checked.connect(self._on_checked)
        # Foot pedals send PageDown or Enter, keyboards Space. A window shortcut fires wherever
        # focus is in the window; keyPressEvent catches the keys when the screen itself has it.
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        for key in SHUTTER_KEYS:
            sc = QShortcut(QKeySequence(key), self)
            sc.setContext(Qt.ShortcutContext.WindowShortcut)
            sc.setAutoRepeat(False)  # a held pedal is one photo
            sc.activated.connect(self.shutter)
        self._show_view()
        self._update_consent()
        QTimer.singleShot(0, self.start_camera)

    # --- layout -----------------------------------------------------------------------------
    def _build(self) -> None:
        root = vbox(self, spacing=0)
        self.banner = PatientBanner(self.patient)
        self.import_button = button("Import photos…", "secondary")
        self.import_button.setObjectName("importButton")
        self.done_button = button("Done", "primary")
        self.done_button.setObjectName("doneButton")
        for b in (self.import_button, self.done_button):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.banner.add_button(b)
        root.addWidget(self.banner)

        self.consent_bar = QFrame()
        self.consent_bar.setObjectName("consentBar")
        row = hbox(self.consent_bar, margins=12, spacing=16)
        text = label(
            "Photography consent is not recorded. Ask the patient; if they agree, record it "
            "(your name and the time are kept).",
            "body",
        )
        text.setWordWrap(True)
        self.consent_button = button("Patient consents to photos", "primary")
        self.consent_button.setObjectName("consentButton")
        self.consent_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        row.addWidget(text, 1)
        row.addWidget(self.consent_button)
        root.addWidget(self.consent_bar)

        body = hbox(margins=12, spacing=12)
        root.addLayout(body, 1)

        steps = vbox(spacing=8)
        steps.addWidget(label(f"{self.visit.treatment_type.label} photos", "section"))
        self.step_buttons: dict[str, QPushButton] = {}
        for i, v in enumerate(self.walk.views, 1):
            b = button(f"{i}  {v.name}", "step")
            b.setCheckable(True)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.setMinimumWidth(180)
            b.clicked.connect(lambda _=False, code=v.code: self.go_to(code))
            steps.addWidget(b)
            self.step_buttons[v.code] = b
        self.progress = label("", "muted")
        self.progress.setWordWrap(True)
        steps.addWidget(self.progress)
        steps.addStretch(1)
        body.addLayout(steps)

        centre = vbox(spacing=8)
        self.instruction = label("", "title")
        self.instruction.setObjectName("instruction")
        self.instruction.setWordWrap(True)
        centre.addWidget(self.instruction)
        self.preview = PreviewView()
        centre.addWidget(self.preview, 1)
        self.ghost_caption = label("", "small")
        self.ghost_caption.setObjectName("ghostCaption")
        self.framing_note = FramingNote()  # how the last photo is framed against the ghost
        caption_row = hbox(spacing=12)
        caption_row.addWidget(self.ghost_caption)
        caption_row.addWidget(self.framing_note, 1)
        centre.addLayout(caption_row)
        self.status = label("", "body")
        self.status.setObjectName("captureStatus")
        self.status.setWordWrap(True)
        centre.addWidget(self.status)
        self.warnings = label("", "body")
        self.warnings.setObjectName("captureWarnings")
        self.warnings.setWordWrap(True)
        self.warnings.hide()
        centre.addWidget(self.warnings)
        body.addLayout(centre, 1)

        side = vbox(spacing=10)
        self.shutter_button = QPushButton("Take photo")
        self.shutter_button.setObjectName("shutter")
        self.shutter_button.setMinimumSize(240, 120)
        self.shutter_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.shutter_button.clicked.connect(self.shutter)
        side.addWidget(self.shutter_button)
        grid = QGridLayout()
        grid.setSpacing(8)
        self.timer_toggle = _toggle(f"Timer {COUNTDOWN_SECONDS} s", False)
        self.mirror_toggle = _toggle("Mirror", False)
        self.ghost_toggle = _toggle("Ghost", True)
        self.edges_toggle = _toggle("Edges", False)
        self.guides_toggle = _toggle("Guides", True)
        self.camera_button = button("Camera…", "secondary")
        self.camera_button.setObjectName("cameraButton")
        self.camera_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for i, b in enumerate(
            (
                self.ghost_toggle,
                self.edges_toggle,
                self.guides_toggle,
                self.mirror_toggle,
                self.timer_toggle,
                self.camera_button,
            )
        ):
            grid.addWidget(b, i // 2, i % 2)
        side.addLayout(grid)
        side.addWidget(label("Ghost opacity", "small"))
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setObjectName("ghostOpacity")
        self.opacity.setRange(0, 100)
        self.opacity.setValue(40)
        self.opacity.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        side.addWidget(self.opacity)
        side.addStretch(1)
        side_host = QWidget()
        side_host.setLayout(side)
        side_host.setFixedWidth(290)
        body.addWidget(side_host)
        # camera and size are chosen rarely: in a small panel, not on the crowded side column
        self.camera_panel = CameraPanel(self)
        self.camera_combo = self.camera_panel.camera_combo
        self.resolution_combo = self.camera_panel.resolution_combo

        self.consent_button.clicked.connect(self.record_consent)
        self.import_button.clicked.connect(lambda: self.import_files([]))
        self.done_button.clicked.connect(self.finish)
        self.camera_button.clicked.connect(self.camera_panel.open)
        self.camera_panel.use_button.clicked.connect(self._use_chosen_camera)
        self.ghost_toggle.toggled.connect(self._apply_overlay)
        self.edges_toggle.toggled.connect(self._apply_overlay)
        self.guides_toggle.toggled.connect(self._apply_overlay)
        self.mirror_toggle.toggled.connect(self._apply_overlay)
        self.opacity.valueChanged.connect(self._apply_overlay)
        self.preview.resized.connect(self._preview_resized)
        self.camera_combo.activated.connect(lambda _i: self._fill_resolutions())

    # --- consent ----------------------------------------------------------------------------
    @property
    def has_consent(self) -> bool:
        return self.patient.photography_consent_at is not None

    def record_consent(self) -> None:
        try:
            patients.record_photography_consent(self.store, self.patient.id, self.practitioner_id)
            self.patient = patients.get_patient(self.store, self.patient.id)
        except StoreError as exc:
            self._say(f"Consent could not be recorded: {exc}", error=True)
            return
        self._update_consent()
        at = self.patient.photography_consent_at
        self._say(f"Consent recorded {fmt.local_time(at)}." if at else "Consent recorded.")

    def _update_consent(self) -> None:
        self.consent_bar.setVisible(not self.has_consent)
        set_state(self.shutter_button, "waiting", not self.has_consent)
        self.import_button.setEnabled(self.has_consent)
        if not self.has_consent:
            self._say("Waiting for consent: record the patient's consent above to take photos.")

    # --- the protocol walk ------------------------------------------------------------------
    def go_to(self, code: str) -> None:
        self.walk.go_to(code)
        self._show_view()

    def _show_view(self) -> None:
        view = self.walk.current
        line = view.instruction or view.name
        self.instruction.setText(f"{view.name}: “{line}”")
        for code, b in self.step_buttons.items():
            b.setChecked(code == view.code)
            done = self.walk.is_done(code)
            set_state(b, "done", done)
            name = next(v.name for v in self.walk.views if v.code == code)
            n = self.walk.codes.index(code) + 1
            b.setText(f"{'✓' if done else n}  {name}")
        retake = self.walk.is_done(view.code)
        self.shutter_button.setText("Retake" if retake else "Take photo")
        self.progress.setText(
            f"{self.walk.done_count} of {len(self.walk.views)} taken."
            + (" Retake adds a new photo; the earlier one stays in the record." if retake else "")
        )
        self._load_ghost(view.code)

    def _load_ghost(self, code: str) -> None:
        try:
            ghost = capture.ghost_photo(self.store, self.patient.id, self.visit.id, code)
            image = None
            if ghost is not None:
                data = photos.display_jpeg(self.store, ghost.sha256)
                image = QImage.fromData(QByteArray(data), "JPEG")
                when = visits.get_visit(self.store, ghost.visit_id).visit_date  # type: ignore[arg-type]
                self.ghost_caption.setText(f"Ghost: {ghost.view_name}, visit of {fmt.day(when)}")
            else:
                self.ghost_caption.setText("No earlier photo of this view: no ghost.")
        except StoreError as exc:
            image = ghost = None
            self.ghost_caption.setText(f"The earlier photo could not be loaded: {exc}")
        self.preview.set_ghost(image)
        self.live_framing.set_ghost(ghost)

    # --- live framing against the ghost (worker thread; see live_framing.py) -----------------
    def _live_frame(self) -> tuple[QImage, bool] | None:
        frame = self.preview.frame
        return None if frame is None else (frame, self.preview.mirror)

    def _may_check_live(self) -> bool:
        return self.source is not None and not self.busy and self.isVisible()

    def _on_live_framing(self, check: FramingCheck | None) -> None:
        hint = None if check is None else (check.message, TONES.get(check.status, "unknown"))
        self.preview.set_framing_hint(hint)

    def _apply_overlay(self) -> None:
        p = self.preview
        p.ghost_on = self.ghost_toggle.isChecked()
        p.ghost_edges_only = self.edges_toggle.isChecked()
        p.guides_on = self.guides_toggle.isChecked()
        p.ghost_opacity = self.opacity.value() / 100
        p.mirror = self.mirror_toggle.isChecked()
        if self.source is not None:
            self.source.mirror = p.mirror  # the preview only: stills are never mirrored
        p._ghost_key = None
        p.update()

    # --- camera -----------------------------------------------------------------------------
    def _fill_cameras(self) -> None:
        self.cameras = [] if self.source_factory else available_cameras()
        self.camera_combo.clear()
        if self.source_factory:
            self.camera_combo.addItem("Test camera")
        for c in self.cameras:
            self.camera_combo.addItem(c.name)
        if self.camera_combo.count() == 0:
            self.camera_combo.addItem("No camera found")
        self._fill_resolutions()

    def _fill_resolutions(self) -> None:
        self.resolution_combo.clear()
        i = self.camera_combo.currentIndex()
        if self.cameras and 0 <= i < len(self.cameras):
            for w, h in self.cameras[i].resolutions:  # largest first: the default
                self.resolution_combo.addItem(f"{w} × {h} ({w * h / 1e6:.1f} MP)", (w, h))
        if self.resolution_combo.count() == 0:
            self.resolution_combo.addItem("Camera's own size", None)

    def _use_chosen_camera(self) -> None:
        self.camera_panel.accept()
        self.start_camera(keep_choice=True)

    def start_camera(self, keep_choice: bool = False) -> None:
        self.stop_camera()
        if not keep_choice:
            self._fill_cameras()
        source: PreviewSource | None = None
        if self.source_factory is not None:
            source = self.source_factory()
        else:
            i = self.camera_combo.currentIndex()
            if self.cameras and 0 <= i < len(self.cameras) and self.cameras[i].make:
                source = self.cameras[i].make(self.resolution_combo.currentData())
        if source is None:
            self.preview.set_message(
                "No camera found. Plug one in and tap “Camera again”, or import photos from files."
            )
            return
        self.source = source
        source.mirror = self.mirror_toggle.isChecked()
        source.set_target_size(self.preview.device_size())
        source.frame_ready.connect(self._on_frame)
        source.still.connect(self._on_still)
        source.failed.connect(self._on_camera_failed)
        source.still_failed.connect(self._on_store_failed)
        self.preview.set_message(f"Starting {source.name}…")
        source.start()

    def stop_camera(self) -> None:
        if self.source is not None:
            src, self.source = self.source, None
            for sig in (src.frame_ready, src.still, src.failed, src.still_failed):
                try:
                    sig.disconnect()
                except (RuntimeError, TypeError):
                    pass
            src.stop()

    def _preview_resized(self, size: QSize) -> None:
        if self.source is not None:
            self.source.set_target_size(size)

    def _on_frame(self) -> None:
        if self.source is None:
            return
        image = self.source.take_frame()
        if image is not None:
            self.preview.set_frame(image)  # type: ignore[arg-type]

    def _on_camera_failed(self, message: str) -> None:
        self.stop_camera()
        self._countdown = 0
        self._timer.stop()
        self.preview.countdown = 0
        self.busy = False
        self.preview.set_message(message)
        self._say(message, error=True)

    # --- shutter ----------------------------------------------------------------------------
    def shutter(self) -> None:
        if not self.has_consent:
            self._say(
                "Waiting for consent: the patient's consent to clinical photography must be "
                "recorded before the first photo. Tap “Patient consents to photos”.",
                error=True,
            )
            return
        if self.busy or self._countdown:
            return
        if self.source is None:
            self._say(
                "No camera is running. Tap “Camera…” to start one, or import photos.", error=True
            )
            return
        if self.timer_toggle.isChecked():
            self._countdown = COUNTDOWN_SECONDS
            self.preview.countdown = self._countdown
            self.preview.update()
            self._timer.start()
            return
        self._fire()

    def _tick(self) -> None:
        self._countdown -= 1
        self.preview.countdown = max(self._countdown, 0)
        self.preview.update()
        if self._countdown <= 0:
            self._timer.stop()
            self._fire()

    def _fire(self) -> None:
        if self.source is None:
            return
        self.busy = True
        self._pending_view = self.walk.current.code
        self._say("Taking the photo…")
        self.source.request_still()

    def _on_still(self, data: bytes) -> None:
        code = getattr(self, "_pending_view", self.walk.current.code)
        self._write(data, code, PhotoSource.CAMERA, "")

    # --- storing (worker thread) --------------------------------------------------------------
    def _write(self, data: bytes, view_code: str, source: PhotoSource, filename: str) -> None:
        self.busy = True

        def job() -> None:
            try:
                record = photos.add_photo_bytes(
                    self.store,
                    self.patient.id,
                    view_code,
                    data,
                    visit_id=self.visit.id,
                    taken_by_id=self.practitioner_id,
                    source=source,
                    filename=filename,
                )
            except (ImageError, StoreError) as exc:
                self._store_failed.emit(str(exc))
                return
            except Exception as exc:  # the screen must say so, not swallow it
                self._store_failed.emit(f"The photo could not be stored: {exc}")
                return
            self._stored.emit(record, data)
            try:
                check = check_photo_bytes(data)
            except Exception:  # a check that fails is no reason to trouble the clinician
                return
            self._checked.emit(record, with_framing(check, self._framing(record)))

        self._writer.submit(job)

    def _framing(self, record: PhotoRecord) -> FramingCheck | None:
        """How the photo is framed against its view's ghost (worker thread); None when the view
        has no ghost. It aligns the two display images, not the 12–24 MP originals."""
        try:
            return capture.framing_against_ghost(self.store, record)
        except Exception as exc:  # alignment is advice: its failure must not hide the others
            return FramingCheck("unchecked", f"Framing can't be checked: {exc}")

    def _on_stored(self, record: PhotoRecord, _data: bytes) -> None:
        self.busy = False
        if self.source is not None:
            self.source.resume()
        self.walk.record(record)
        self.warnings.hide()
        self.framing_note.clear_note()
        self._say(f"{record.view_name} stored.")
        self._show_view()
        self.photo_stored.emit(record)
        if self.walk.complete:
            self._say("All views taken. Retake any view, or tap Done.")

    def _on_store_failed(self, message: str) -> None:
        self.busy = False
        if self.source is not None:
            self.source.resume()
        self._say(f"Not stored: {message}", error=True)

    def _on_checked(self, record: PhotoRecord, check: PhotoCheck) -> None:
        self.last_check = check
        # the framing has its own line (it also says "matches" or "can't be checked")
        framing = check.framing.warnings if check.framing is not None else []
        others = [w for w in check.warnings if w not in framing]
        if others:
            self.warnings.setText(f"{record.view_name}: " + " ".join(others) + " Retake if needed.")
            self.warnings.show()
        self.framing_note.show_check(record.view_name, check.framing_check)
        self.photo_checked.emit(record, check)

    # --- import -----------------------------------------------------------------------------
    def import_files(self, paths: list[Path]) -> ImportDialog | None:
        if not self.has_consent:
            self.shutter()  # the same explanation as the shutter gives
            return None
        # the view on screen first, then the others still missing in protocol order
        n, here = len(self.walk.views), self.walk.index
        ordered = [self.walk.views[(here + k) % n].code for k in range(n)]
        open_codes = [c for c in ordered if not self.walk.is_done(c)]
        who = f"{self.patient.display_name} · {fmt.born(self.patient.date_of_birth)}"
        dialog = ImportDialog(self, self.walk.views, open_codes, self._import_chosen, who)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # as tall as the window allows: a card of photos needs more than two rows in view
        dialog.resize(dialog.width(), max(dialog.minimumHeight(), min(720, self.height() - 48)))
        dialog.add_paths(paths)
        dialog.open()
        self.import_dialog = dialog
        return dialog

    def _import_chosen(self, chosen: list[tuple[ImportItem, str]]) -> None:
        for item, code in chosen:
            assert item.data is not None
            self._write(item.data, code, PhotoSource.IMPORT, item.path.name)

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
        self.status.setText(text)
        set_state(self.status, "tone", "error" if error else "")

    def shutdown(self) -> None:
        """Stop the camera and wait for a photo being written: nothing is left half done."""
        self._timer.stop()
        self.live_framing.shutdown()
        self.stop_camera()
        self._writer.shutdown(wait=True)

    def finish(self) -> None:
        self.shutdown()
        self.finished.emit()

    def activated(self) -> None:
        """Back to the front: the camera again if it was running when the page was left."""
        if self.source is None and getattr(self, "_resume", False):
            self._resume = False
            self.start_camera(keep_choice=True)

    def hideEvent(self, event: QHideEvent) -> None:
        # a hidden screen must not keep the camera (its light stays on, other apps cannot use it)
        self._resume = self.source is not None
        self.stop_camera()
        super().hideEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if getattr(self, "_resume", False):
            self._resume = False
            self.start_camera(keep_choice=True)
