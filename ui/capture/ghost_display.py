"""The ghost on the preview: the view's earlier photo loaded and named in the caption, the
side column's display toggles (ghost, edges, guides, opacity, mirror) applied to the preview,
and the live framing against the ghost shown as a chip on it (checked on a worker thread:
live_framing.py)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QObject
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget

from app.services import capture, photos, visits
from app.services.capture import FramingCheck
from app.services.store import Store
from app.store.errors import StoreError
from ui.capture.camera_control import CameraControl
from ui.capture.capture_controls import CaptureControls
from ui.capture.framing_note import TONES
from ui.capture.live_framing import LiveFraming
from ui.capture.view_pane import ViewPane
from ui.common import format as fmt


class GhostDisplay(QObject):
    def __init__(
        self,
        store: Store,
        patient_id: int,
        visit_id: int,
        pane: ViewPane,
        controls: CaptureControls,
        camera: CameraControl,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.patient_id = patient_id
        self.visit_id = visit_id
        self.pane = pane
        self.preview = pane.preview
        self.caption = pane.ghost_caption
        self.controls = controls
        self.camera = camera
        self.live_framing = LiveFraming(store, self._live_frame, self._may_check_live, parent)
        self.live_framing.changed.connect(self._on_live_framing)
        c = controls
        for toggle in (c.ghost_toggle, c.edges_toggle, c.guides_toggle, c.mirror_toggle):
            toggle.toggled.connect(self.apply_toggles)
        c.opacity.valueChanged.connect(self.apply_toggles)

    def load(self, code: str) -> None:
        """The ghost of this view (ADR 0008: the newest photo of the latest earlier visit)."""
        try:
            ghost = capture.ghost_photo(self.store, self.patient_id, self.visit_id, code)
            image = None
            if ghost is not None:
                data = photos.display_jpeg(self.store, ghost.sha256)
                image = QImage.fromData(QByteArray(data))  # Qt reads the format from the data
                assert ghost.visit_id is not None  # a ghost is found through its visit
                when = visits.get_visit(self.store, ghost.visit_id).visit_date
                self.caption.setText(f"Ghost: {ghost.view_name}, visit of {fmt.day(when)}")
            else:
                self.caption.setText("No earlier photo of this view: no ghost.")
        except StoreError as exc:
            image = ghost = None
            self.caption.setText(f"The earlier photo could not be loaded: {exc}")
        self.preview.set_ghost(image)
        self.live_framing.set_ghost(ghost)

    def apply_toggles(self) -> None:
        c, p = self.controls, self.preview
        p.ghost_on = c.ghost_toggle.isChecked()
        p.ghost_edges_only = c.edges_toggle.isChecked()
        p.guides_on = c.guides_toggle.isChecked()
        p.ghost_opacity = c.opacity.value() / 100
        p.mirror = c.mirror_toggle.isChecked()
        source = self.camera.source
        if source is not None:
            source.mirror = p.mirror  # the preview only: stills are never mirrored
        p._ghost_key = None
        p.update()

    # --- live framing against the ghost (worker thread; see live_framing.py) ----------------
    def _may_check_live(self) -> bool:
        return self.camera.idle and self.pane.isVisible()

    def _live_frame(self) -> tuple[QImage, bool] | None:
        frame = self.preview.frame
        return None if frame is None else (frame, self.preview.mirror)

    def _on_live_framing(self, check: FramingCheck | None) -> None:
        hint = None if check is None else (check.message, TONES.get(check.status, "unknown"))
        self.preview.set_framing_hint(hint)
