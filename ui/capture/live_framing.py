"""Framing against the ghost while the clinician frames the shot: every INTERVAL_MS the newest
preview frame is aligned to the ghost on a worker thread of its own, and the answer is drawn on
the preview. Never on the UI thread (which only copies the already screen-sized frame, ~1 ms),
never more than one at a time, and paused while a photo is being stored, so neither the preview
nor the shutter waits for it (aligning a preview frame to the ghost costs ~30–50 ms here).
It runs on the app's one worker base (ui/common/worker.py, ADR 0012): the job touches nothing
of Qt, the answer comes back on the GUI thread, and no cyclic collection runs meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QImage

from app.services import capture
from app.services.capture import UNCHECKED, FramingCheck, framing_check, models_missing
from app.services.photos import PhotoRecord
from app.services.store import Store
from ui.common.worker import Worker

INTERVAL_MS = 1500  # framing changes at the pace a patient shifts, not at the camera's
# The thread waits this long for the next check before it ends: over one interval, so it keeps
# its face nets (~20 ms to load) from check to check while framing runs.
LINGER_S = 2 * INTERVAL_MS / 1000


def rgb_array(image: QImage, unmirror: bool) -> np.ndarray:
    """A preview frame as an RGB array (a copy), flipped back when the preview is mirrored:
    the framing is judged on the photo as it will be taken."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    w, h, stride = rgb.width(), rgb.height(), rgb.bytesPerLine()
    arr: np.ndarray = np.frombuffer(rgb.constBits(), np.uint8, count=stride * h).reshape(h, stride)
    arr = arr[:, : w * 3].reshape(h, w, 3)
    return np.ascontiguousarray(arr[:, ::-1] if unmirror else arr)


class LiveFraming(QObject):
    changed = Signal(object)  # FramingCheck | None (None: nothing to say for this view)

    def __init__(
        self,
        store: Store,
        frame: Callable[[], tuple[QImage, bool] | None],
        may_run: Callable[[], bool],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self._frame = frame  # the newest painted frame and whether it is mirrored
        self._may_run = may_run  # e.g. not while a photo is being stored
        self._ghost: PhotoRecord | None = None
        # the ghost decoded for alignment: (sha256, image, upright size); worker thread only
        self._ghost_image: tuple[str, object, tuple[int, int]] | None = None
        self._generation = 0  # a new ghost (another view) makes older answers stale
        self._stopped = False
        self.checks_done = 0
        self._worker = Worker("capture-framing", self, linger_s=LINGER_S)
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self.tick)
        self._timer.start()

    def set_ghost(self, ghost: PhotoRecord | None) -> None:
        self._generation += 1
        self._ghost = ghost
        self.changed.emit(None)

    def tick(self) -> None:
        """Start one check if nothing is running and there is a ghost and a frame."""
        if self._stopped or self._worker.busy or self._ghost is None or not self._may_run():
            return
        got = self._frame()
        if got is None:
            return
        image, mirrored = got
        frame = rgb_array(image, mirrored)
        self._worker.run(partial(self._check, self._ghost, frame, self._generation), self._on_done)

    def _check(
        self, ghost: PhotoRecord, frame: np.ndarray, generation: int
    ) -> tuple[FramingCheck, int]:
        """On the worker: no Qt."""
        try:
            missing = models_missing()
            if missing:
                result = FramingCheck(UNCHECKED, missing)
            else:
                if self._ghost_image is None or self._ghost_image[0] != ghost.sha256:
                    self._ghost_image = (ghost.sha256, *capture.work_image(self.store, ghost))
                _sha, old, old_size = self._ghost_image
                new_size = (frame.shape[1], frame.shape[0])
                result = framing_check(old, frame, old_size, new_size)
                # a preview frame is not yet a photo
                result = FramingCheck(
                    result.status,
                    result.message.replace("the new photo", "the camera's picture"),
                    result.offset,
                )
        except Exception as exc:  # advice only: say it, never break the preview
            result = FramingCheck(UNCHECKED, f"Framing can't be checked: {exc}")
        return result, generation

    def _on_done(self, answer: tuple[FramingCheck, int]) -> None:
        result, generation = answer
        self.checks_done += 1
        if generation != self._generation or self._stopped:
            return
        if result.offset is None and "models are not installed" in result.message:
            self._timer.stop()  # it will not change while the app runs: say it once
        self.changed.emit(result)

    def shutdown(self) -> None:
        self._stopped = True
        self._timer.stop()
        self._worker.shutdown()
