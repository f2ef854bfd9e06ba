"""The camera the screen runs: the panel to choose it and its still size, starting and stopping
its source, and its frames to the preview (already screen-sized off the UI thread, ADR 0008)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QSize
from PySide6.QtWidgets import QComboBox, QDialog, QWidget

from ui.capture.base import CameraChoice, PreviewSource
from ui.capture.capture_controls import CaptureControls
from ui.capture.shutter import ShutterSequence
from ui.capture.sources import available_cameras
from ui.capture.view_pane import ViewPane
from ui.common.widgets import TOUCH, button, hbox, label, vbox

NO_CAMERA = "No camera found. Plug one in and tap “Camera…”, or import photos from files."


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


class CameraControl(QObject):
    """Owns the running source. Its stills and failed stills go to the shutter sequence,
    connected straight to the source (Qt queues them to the UI thread); losing the camera stops
    it, cancels the shutter and says so."""

    def __init__(
        self,
        pane: ViewPane,
        source_factory: Callable[[], PreviewSource] | None,
        controls: CaptureControls,
        shutter: ShutterSequence,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.pane = pane
        self.preview = pane.preview
        self.shutter = shutter
        self.source_factory = source_factory
        self.source: PreviewSource | None = None
        self.cameras: list[CameraChoice] = []
        self._mirrored = controls.mirror_toggle.isChecked
        self._resume = False  # it ran when the screen was hidden
        # camera and size are chosen rarely: in a small panel, not on the crowded side column
        self.panel = CameraPanel(parent)
        self.camera_combo = self.panel.camera_combo
        self.resolution_combo = self.panel.resolution_combo
        controls.camera_button.clicked.connect(self.panel.open)
        self.panel.use_button.clicked.connect(self._use_chosen_camera)
        self.camera_combo.activated.connect(lambda _i: self._fill_resolutions())
        self.preview.resized.connect(self._preview_resized)

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
        self.panel.accept()
        self.start(keep_choice=True)

    def start(self, keep_choice: bool = False) -> None:
        self.stop()
        if not keep_choice:
            self._fill_cameras()
        source: PreviewSource | None = None
        if self.source_factory is not None:
            source = self.source_factory()
        else:
            i = self.camera_combo.currentIndex()
            make = self.cameras[i].make if self.cameras and 0 <= i < len(self.cameras) else None
            if make:
                source = make(self.resolution_combo.currentData())
        if source is None:
            self.preview.set_message(NO_CAMERA)
            return
        self.source = source
        source.mirror = self._mirrored()
        source.set_target_size(self.preview.device_size())
        source.frame_ready.connect(self._on_frame)
        source.still.connect(self.shutter.on_still)
        source.failed.connect(self._on_lost)
        source.still_failed.connect(self.shutter.on_failed)
        self.preview.set_message(f"Starting {source.name}…")
        source.start()

    def stop(self) -> None:
        if self.source is not None:
            src, self.source = self.source, None
            for sig in (src.frame_ready, src.still, src.failed, src.still_failed):
                try:
                    sig.disconnect()
                except (RuntimeError, TypeError):
                    pass
            src.stop()

    @property
    def idle(self) -> bool:
        """A camera runs and no photo is on its way to the store."""
        return self.source is not None and not self.shutter.busy

    def _on_lost(self, message: str) -> None:
        self.stop()
        self.shutter.cancel()
        self.preview.set_message(message)
        self.pane.say(message, True)

    def pause(self) -> None:
        # a hidden screen must not keep the camera (its light stays on, other apps cannot use it)
        self._resume = self.source is not None
        self.stop()

    def resume(self) -> None:
        """The camera again if it was running when the screen was hidden."""
        if self._resume:
            self._resume = False
            self.start(keep_choice=True)

    def _preview_resized(self, size: QSize) -> None:
        if self.source is not None:
            self.source.set_target_size(size)

    def _on_frame(self) -> None:
        if self.source is None:
            return
        image = self.source.take_frame()
        if image is not None:
            self.preview.set_frame(image)
