"""The "Safety band" toggle: the label's glabellar band (1 cm above each central eyebrow, and
the levator strip over each mid-pupil line) drawn faintly on the frown photo while placing.

Computed from the view's measured face (ui/editor/face_facts.py, on a worker); without a
millimetre scale nothing is drawn and the message bar says why, so no band is ever guessed.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QGraphicsPathItem, QPushButton

from app.domain.safety import SAFETY_VIEW, band_outlines
from ui.editor.face_facts import FaceFacts
from ui.editor.measure_items import band_item
from ui.editor.scene import ViewScene


class SafetyBand(QObject):
    def __init__(
        self,
        button: QPushButton,
        faces: FaceFacts,
        scenes: dict[str, ViewScene],
        message: Callable[[str], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.button, self.faces, self.scenes, self._message = button, faces, scenes, message
        self.item: QGraphicsPathItem | None = None
        button.toggled.connect(self._toggled)
        faces.measured.connect(self._measured)

    @property
    def shown(self) -> bool:
        return self.item is not None and self.item.scene() is not None

    def _toggled(self, on: bool) -> None:
        if not on:
            self._remove()
            return
        if SAFETY_VIEW not in self.scenes:
            self._message("The safety band is drawn on the frown photo; this chart has none.")
            self.button.setChecked(False)
            return
        if self.faces.get(SAFETY_VIEW) is not None:
            self._draw()
        # else: drawn when the worker has measured the photo (`_measured`)

    def _measured(self, view: str) -> None:
        if view == SAFETY_VIEW and self.button.isChecked() and not self.shown:
            self._draw()

    def _draw(self) -> None:
        face = self.faces.get(SAFETY_VIEW)
        if face is None:
            return
        if face.geometry is None or face.geometry.mm_per_px is None:
            why = face.message or "no usable iris"
            self._message(f"No millimetre scale on the frown photo, so no safety band: {why}")
            self.button.setChecked(False)
            return
        self._remove()
        self.item = band_item(band_outlines(face.geometry))
        self.scenes[SAFETY_VIEW].addItem(self.item)

    def _remove(self) -> None:
        if self.item is not None and self.item.scene() is not None:
            self.item.scene().removeItem(self.item)
        self.item = None
