"""The one shape every camera source has, and a camera the clinician can choose."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, QSize, Signal
from PySide6.QtGui import QImage


class PreviewSource(QObject):
    """What the capture screen talks to. Subclasses emit from any thread; Qt queues the
    signals to the screen's thread."""

    frame_ready = Signal()  # a new preview frame waits in `take_frame()`
    still = Signal(bytes)  # JPEG bytes of a still at full resolution
    failed = Signal(str)  # a message for the clinician; the source has stopped
    still_failed = Signal(str)  # this photo could not be taken; the preview goes on
    started = Signal()

    name = "camera"

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._latest: QImage | None = None
        self._target = QSize(1280, 720)
        self.mirror = False

    def set_target_size(self, size: QSize) -> None:
        """The preview's size in device pixels: frames are scaled to it off the UI thread."""
        with self._lock:
            self._target = QSize(max(16, size.width()), max(16, size.height()))

    def target_size(self) -> QSize:
        with self._lock:
            return QSize(self._target)

    def _offer(self, image: QImage) -> None:
        """Keep only the newest frame; signal only when the screen has taken the previous one."""
        with self._lock:
            waiting = self._latest is not None
            self._latest = image
        if not waiting:
            self.frame_ready.emit()

    def take_frame(self) -> QImage | None:
        with self._lock:
            image, self._latest = self._latest, None
        return image

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def request_still(self) -> None:
        raise NotImplementedError

    def resume(self) -> None:
        """The photo just taken is stored: the preview may move again (see OpenCVSource)."""


@dataclass
class CameraChoice:
    """One camera the clinician can pick: its name, the still sizes it offers (largest first)
    and how to open it at one of them."""

    name: str
    resolutions: list[tuple[int, int]] = field(default_factory=list)
    make: Callable[[tuple[int, int] | None], PreviewSource] | None = None
    backend: str = "qt"
