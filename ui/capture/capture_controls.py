"""The side column: the big shutter, the display toggles (ghost, edges, guides, mirror, timer),
the camera button and the ghost's opacity. None takes keyboard focus: Space and Enter belong to
the shutter (foot pedals send them)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QPushButton, QSlider, QWidget

from ui.capture.shutter import COUNTDOWN_SECONDS
from ui.common.widgets import button, label, vbox


def _toggle(text: str, checked: bool) -> QPushButton:
    b = button(text, "toggle")
    b.setCheckable(True)
    b.setChecked(checked)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Space and Enter belong to the shutter
    return b


class CaptureControls(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        side = vbox(spacing=10)
        self.shutter_button = QPushButton("Take photo")
        self.shutter_button.setObjectName("shutter")
        self.shutter_button.setMinimumSize(240, 120)
        self.shutter_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
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
        self.setLayout(side)
        self.setFixedWidth(290)
