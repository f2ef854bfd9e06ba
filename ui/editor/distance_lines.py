"""The point sheet's millimetre lines: the point's distance to the nearest brow, and the
glabellar safety warning when a frown-view point sits inside the label's band.

Read from the view's measured face (ui/editor/face_facts.py) with the pure checks of
app/domain/safety.py; "measuring…" until the worker answers, "distance unknown" without a
scale, never a silent pass.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.domain.chart import InjectionPoint
from app.domain.safety import Outcome, brow_distance, glabellar_check
from ui.editor.face_facts import FaceFacts


class DistanceLines(QWidget):
    def __init__(
        self,
        faces: FaceFacts,
        band_on: Callable[[], bool] = lambda: True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.faces = faces
        self.band_on = band_on  # the clinic's switch of the glabellar row (soft_warnings.py)
        self.view = ""
        self.point: InjectionPoint | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        self.distance = QLabel("")
        self.distance.setObjectName("browDistance")
        self.distance.setWordWrap(True)
        lay.addWidget(self.distance)
        self.warning = QLabel("")
        self.warning.setObjectName("warning")
        self.warning.setProperty("kind", "glabellar_distance")
        self.warning.setWordWrap(True)
        self.warning.hide()
        lay.addWidget(self.warning)
        faces.measured.connect(self._measured)

    def show_for(self, view: str, point: InjectionPoint) -> None:
        self.view, self.point = view, point
        self._refresh()

    def _measured(self, view: str) -> None:
        if view == self.view and self.point is not None:
            self._refresh()

    def _refresh(self) -> None:
        point = self.point
        if point is None:
            return
        face = self.faces.get(self.view)
        if face is None:
            self.distance.setText("Distance to the brow: measuring the photo…")
            self.warning.hide()
            return
        xy = (point.x, point.y)
        if face.geometry is None:
            self.distance.setText(f"Distance to the brow unknown: {face.message}")
        else:
            d = brow_distance(xy, face.geometry)
            words = d.words[0].upper() + d.words[1:]
            if d.mm is not None and face.scale is not None and face.scale.confidence < 0.5:
                words += " (rough scale)"
            self.distance.setText(words)
        check = glabellar_check(xy, face.geometry, self.view) if self.band_on() else None
        if check is None or check.outcome is Outcome.CLEAR:
            self.warning.hide()
            return
        if check.outcome is Outcome.WARN:
            self.warning.setText(f"⚠ {check.message}")
        else:  # unknown: said plainly, so an unchecked point never looks like a pass
            self.warning.setText(f"Glabellar safety band: {check.message}")
        self.warning.setProperty("outcome", check.outcome.value)
        self.warning.show()
