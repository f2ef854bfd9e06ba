"""The mapping being corrected by hand: its steps (for Undo), the automatic one (for Reset),
and the earlier photo redrawn through it.

A redraw takes a second or so (ui/overlay/compare_photos.py), gestures come faster: each
gesture since the last redraw is kept as a similarity in today's original pixels, and the
pane draws the last redraw moved by them (`pending_total`) — exact, because `adjust` applies a
gesture after the mapping — until the redraw that includes them arrives.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from app.services.alignment import Mapping, adjust
from ui.overlay.compare_photos import Warper
from ui.overlay.touch_gesture import IDENTITY, compose, similarity_parts


class MappingEdit(QObject):
    changed = Signal()  # the mapping, or what the overlay shows, changed
    redrawn = Signal(QImage)  # the earlier photo in today's frame, for `shown`

    def __init__(self, automatic: Mapping, warper: Warper, parent: QObject | None = None):
        super().__init__(parent)
        self.automatic = automatic
        self.mapping = automatic
        self.history: list[Mapping] = []
        self.generation = 0  # of the mapping
        self.shown = -1  # generation of the last redraw
        self._pending: list[tuple[int, np.ndarray]] = []
        self.warper = warper
        # Owned here, so it and its collecting timer are deleted on the UI thread with the
        # screen; a redraw still running only queues numpy frames nobody collects.
        warper.setParent(self)
        warper.ready.connect(self._warped)
        warper.request(self.generation, self.mapping)

    @property
    def up_to_date(self) -> bool:
        return self.shown == self.generation

    def apply_gesture(self, photo_m: np.ndarray, centre: tuple[float, float]) -> bool:
        """One drag / pinch / wheel step, a similarity in today's original pixels about
        `centre`; False when it moved nothing."""
        if np.allclose(photo_m, IDENTITY, atol=1e-9):
            return False
        self._set(adjust(self.mapping, **similarity_parts(photo_m, centre)), photo_m)
        return True

    def replace(self, mapping: Mapping) -> None:
        """A mapping from elsewhere (tapped points, Reset), one Undo step."""
        self._set(mapping)

    def undo(self) -> None:
        if self.history:
            self._set(self.history.pop(), record=False)

    def reset(self) -> None:
        if self.mapping is not self.automatic:
            self._set(self.automatic)

    def pending_total(self) -> np.ndarray:
        total = IDENTITY
        for _gen, m in self._pending:
            total = compose(m, total)
        return total

    def _set(
        self, mapping: Mapping, gesture: np.ndarray | None = None, record: bool = True
    ) -> None:
        if record:
            self.history.append(self.mapping)
        self.mapping = mapping
        self.generation += 1
        if gesture is None:
            self._pending.clear()  # the last redraw is stale until the new one arrives
        else:
            self._pending.append((self.generation, gesture))
        self.warper.request(self.generation, mapping)
        self.changed.emit()

    def _warped(self, generation: int, image: QImage) -> None:
        if generation < self.shown:
            return
        self.shown = generation
        self._pending = [(g, m) for g, m in self._pending if g > generation]
        self.redrawn.emit(image)
        self.changed.emit()

    def shutdown(self) -> None:
        self.warper.shutdown()
