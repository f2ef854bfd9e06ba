"""Camera sources for the capture screen, all with one shape (`PreviewSource`):

- `OpenCVSource`: `cv2.VideoCapture` read in a worker thread (the fallback camera, and the fake
  camera of tests and benchmarks when opened on a generated video or image sequence).
- `QtCameraSource`: Qt Multimedia's `QCamera` with a `QVideoSink` for the preview and a
  `QImageCapture` for stills at the camera's full resolution.

Frames reach the UI thread as ready-to-paint `QImage`s, already scaled to the preview's size in
the worker, and only the newest one: a slow paint drops frames instead of queueing them, so the
UI thread never falls behind the camera. Stills arrive as JPEG bytes (`still`), failures as a
sentence for the clinician (`failed`).
"""

from __future__ import annotations

import functools
import threading
import time
from pathlib import Path

import cv2
import numpy as np
from PySide6.QtCore import QSize, QThread
from PySide6.QtGui import QImage

from app.services.camera import (
    CameraError,
    OpenCVFrameSource,
    encode_still,
    list_devices,
    still_dir,
)
from ui.capture.base import CameraChoice, PreviewSource
from ui.capture.qt_camera import qt_cameras


def bgr_to_qimage(frame: np.ndarray, target: QSize, mirror: bool = False) -> QImage:
    """A BGR frame as an RGB QImage fitted into `target` (aspect kept)."""
    h, w = frame.shape[:2]
    scale = min(target.width() / w, target.height() / h, 1.0)
    if scale < 1.0:
        frame = cv2.resize(
            frame, (max(1, int(w * scale)), max(1, int(h * scale))), interpolation=cv2.INTER_AREA
        )
    if mirror:
        frame = cv2.flip(frame, 1)
    rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
    hh, ww = rgb.shape[:2]
    # .copy(): the QImage must own its pixels once the numpy buffer goes away
    return QImage(rgb.data, ww, hh, 3 * ww, QImage.Format.Format_RGB888).copy()


class _Reader(QThread):
    """The one thread in ui/ not on the worker base (ui/common/worker.py, ADR 0012): a stream
    for the camera's life, not jobs, and it hands screen-sized QImages to the paint path at
    once. The app's GUI-thread-only collection keeps it from collecting."""

    def __init__(self, owner: OpenCVSource) -> None:
        super().__init__()
        self.owner = owner

    def run(self) -> None:
        self.owner._run()


class OpenCVSource(PreviewSource):
    """An OpenCV frame source read in its own thread, paced to its frame rate."""

    def __init__(self, frames: OpenCVFrameSource, pace: bool = True) -> None:
        super().__init__()
        self.frames = frames
        self.name = frames.name
        self.pace = pace
        self._stop = threading.Event()
        self._want_still = threading.Event()
        self._wake = threading.Event()  # cuts the wait between frames short: a still, a stop
        self._hold = threading.Event()
        self._thread: _Reader | None = None
        self.resolution: tuple[int, int] | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = _Reader(self)
        self._thread.start()

    def _run(self) -> None:
        try:
            self.frames.open()
        except CameraError as exc:
            self._emit_failed(str(exc))
            return
        self.started.emit()
        period = 1.0 / self.frames.fps if self.pace and self.frames.fps else 0.0
        next_due = time.perf_counter()
        frame = None
        try:
            while not self._stop.is_set():
                if self._hold.is_set():
                    # The taken frame stays on screen until it is stored: a review for the
                    # clinician, and on two cores the store gets the CPU a 12 MP stream would
                    # take (BENCHMARKS.md, "Capture").
                    self._stop.wait(0.005)
                    next_due = time.perf_counter()
                    continue
                if self._want_still.is_set() and frame is not None:
                    self._want_still.clear()
                    # The still is the frame on screen when the shutter was pressed, at full
                    # resolution and never mirrored; not the next one (up to a frame later).
                    try:
                        data = encode_still(frame)
                    except CameraError as exc:  # this photo failed; the preview goes on
                        self.still_failed.emit(str(exc))
                    else:
                        self._hold.set()
                        self.still.emit(data)
                        continue
                frame = self.frames.read()
                self.resolution = (frame.shape[1], frame.shape[0])
                self._offer(bgr_to_qimage(frame, self.target_size(), self.mirror))
                if period:
                    next_due += period
                    delay = next_due - time.perf_counter()
                    if delay > 0:
                        self._wake.wait(delay)
                        self._wake.clear()
                    else:
                        next_due = time.perf_counter()
        except CameraError as exc:
            if not self._stop.is_set():
                self._emit_failed(str(exc))
        except RuntimeError:  # the screen (and this source's C++ side) is gone: just stop
            pass
        except Exception as exc:  # a driver fault must not take the app down
            if not self._stop.is_set():
                self._emit_failed(f"The camera failed: {exc}")
        finally:
            self.frames.close()

    def _emit_failed(self, message: str) -> None:
        try:
            self.failed.emit(message)
        except RuntimeError:  # nobody left to tell
            pass

    def request_still(self) -> None:
        self._want_still.set()
        self._wake.set()

    def resume(self) -> None:
        self._hold.clear()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.wait(3000)
            self._thread = None


def _open_opencv(key: str, _resolution: tuple[int, int] | None) -> PreviewSource:
    """An OpenCV device opens at its own size: the chosen resolution is not used."""
    return OpenCVSource(OpenCVFrameSource(key))


def available_cameras() -> list[CameraChoice]:
    """Qt Multimedia's cameras by name; OpenCV's devices when Qt Multimedia has none (or is
    not installed)."""
    choices = qt_cameras()
    if choices:
        return choices
    out = []
    for dev in list_devices():
        out.append(
            CameraChoice(
                f"{dev.name} (OpenCV)",
                [],
                functools.partial(_open_opencv, dev.key),
                "opencv",
            )
        )
    return out


def temp_still_dir() -> Path:
    """The camera's private stills folder of this run (app.services.camera.still_dir)."""
    return still_dir()
