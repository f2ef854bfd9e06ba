"""What a finger, mouse or wheel does on the compare screen, by mode (a mixin of
CompareScreen).

- Adjust, on today's photo: drag moves the earlier photo, pinch scales and turns it about the
  fingers' centre, the wheel scales it (Shift+wheel turns it); each gesture end is one step.
- Wipe: a drag that starts on the divider moves it; a tap puts it there.
- Match points: a tap places the next numbered point.
- Otherwise, and on the earlier photo: drag pans, pinch and wheel zoom, both photos together.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QWidget

from app.services.alignment import gesture_matrix
from ui.overlay.mapping_edit import MappingEdit
from ui.overlay.match_points import MatchPoints
from ui.overlay.photo_pane import HANDLE, PhotoPane, ViewState
from ui.overlay.touch_gesture import compose

WHEEL_SCALE = 1.02  # per wheel notch in adjust mode
WHEEL_TURN = 1.0  # degrees per Shift+wheel notch
WHEEL_ZOOM = 1.25  # per wheel notch when looking around


class GestureRoutes(QWidget):
    """The gesture half of the compare screen; the screen supplies what is declared here."""

    mode: str
    today_pane: PhotoPane
    earlier_pane: PhotoPane
    edit: MappingEdit
    view: ViewState
    points: MatchPoints
    _gesture: tuple[PhotoPane, str, tuple[float, float, float], QPointF] | None
    _divider0: float

    def _refresh(self) -> None:
        raise NotImplementedError

    def _connect_pane(self, pane: PhotoPane) -> None:
        pane.gesture_started.connect(lambda pos: self._started(pane, pos))
        pane.gesture_moved.connect(lambda m: self._moved(pane, m))
        pane.gesture_ended.connect(lambda m, tap, pos: self._ended(pane, m, tap, pos))
        pane.wheeled.connect(lambda pos, n, shift: self._wheel(pane, pos, n, shift))

    def _started(self, pane: PhotoPane, pos: QPointF) -> None:
        kind = "view"
        if self.mode == "adjust" and pane is self.today_pane:
            kind = "overlay"
        elif self.mode == "wipe" and abs(pos.x() - pane.divider_x()) <= HANDLE * 0.75:
            kind, self._divider0 = "divider", pane.divider
        self._gesture = (pane, kind, (self.view.zoom, self.view.u, self.view.v), pos)

    def _moved(self, pane: PhotoPane, m: np.ndarray) -> None:
        if self._gesture is None or self._gesture[0] is not pane:
            return
        _, kind, start, anchor = self._gesture
        if kind == "overlay":
            pane.overlay_extra = compose(pane.photo_matrix(m), self.edit.pending_total())
            pane.update()
        elif kind == "divider":
            pane.divider = min(max(self._divider0 + m[0, 2] / max(pane.width(), 1), 0.0), 1.0)
            pane.update()
        else:
            pane.move_view(m, start, anchor)

    def _ended(self, pane: PhotoPane, m: np.ndarray, tap: bool, pos: QPointF) -> None:
        if self._gesture is None or self._gesture[0] is not pane:
            return
        _, kind, start, anchor = self._gesture
        self._gesture = None
        if kind == "overlay":
            centre = pane.to_photo(anchor)
            if tap or not self.edit.apply_gesture(pane.photo_matrix(m), (centre.x(), centre.y())):
                self._refresh()  # a tap's wobble moves nothing: back to where it was
        elif tap and kind == "view":
            self.view.set(*start)  # nor is it a pan
            if self.mode == "match":
                self._tap_point(pane, pos)
            elif self.mode == "wipe":
                pane.divider = min(max(pos.x() / max(pane.width(), 1), 0.0), 1.0)
                pane.update()

    def _wheel(self, pane: PhotoPane, pos: QPointF, steps: float, shift: bool) -> None:
        if self.mode != "adjust" or pane is not self.today_pane:
            pane.zoom_about(pos, WHEEL_ZOOM**steps)
            return
        c = pane.to_photo(pos)
        scale, turn = (1.0, WHEEL_TURN * steps) if shift else (WHEEL_SCALE**steps, 0.0)
        self.edit.apply_gesture(gesture_matrix(0, 0, scale, turn, (c.x(), c.y())), (c.x(), c.y()))

    def _tap_point(self, pane: PhotoPane, pos: QPointF) -> None:
        at = pane.to_photo(pos)
        side = "earlier" if pane is self.earlier_pane else "today"
        inside = 0 <= at.x() <= pane.photo.width and 0 <= at.y() <= pane.photo.height
        if inside and self.points.add(side, at.x(), at.y()):
            self._refresh()
