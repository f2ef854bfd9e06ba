"""Qt Multimedia cameras: listing by name with their still sizes, preview through a QVideoSink,
stills through QImageCapture at the camera's full resolution.

Qt Multimedia ships in PySide6-Addons and on Linux loads system libraries (libpulse0); when it
cannot be imported the capture screen falls back to OpenCV, so a missing library costs the
camera list, not the app.
"""

from __future__ import annotations

import contextlib
import functools
import uuid
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage

from app.services.camera import still_dir
from ui.capture.base import CameraChoice, PreviewSource

try:
    from PySide6.QtMultimedia import (
        QCamera,
        QCameraDevice,
        QImageCapture,
        QMediaCaptureSession,
        QMediaDevices,
        QVideoFrame,
        QVideoSink,
    )

    HAVE_QT_MULTIMEDIA = True
except ImportError:  # PySide6-Addons or a system library (libpulse0) missing
    HAVE_QT_MULTIMEDIA = False

PREVIEW_MAX_WIDTH = 1920  # preview stream: enough for a full-screen view, cheap to convert


def _area(size: QSize) -> int:
    return size.width() * size.height()


def qt_cameras() -> list[CameraChoice]:
    if not HAVE_QT_MULTIMEDIA:
        return []
    out = []
    for dev in QMediaDevices.videoInputs():
        sizes = {(s.width(), s.height()) for s in dev.photoResolutions()}
        sizes |= {(f.resolution().width(), f.resolution().height()) for f in dev.videoFormats()}
        ordered = sorted(sizes, key=lambda wh: wh[0] * wh[1], reverse=True)
        out.append(
            CameraChoice(
                dev.description(),
                ordered,
                functools.partial(QtCameraSource, dev),
                "qt",
            )
        )
    return out


class QtCameraSource(PreviewSource):
    def __init__(self, device: QCameraDevice, still_size: tuple[int, int] | None) -> None:
        super().__init__()
        self.device = device
        self.name = device.description()
        self.still_size = still_size
        self.camera: QCamera | None = None
        self._devices = QMediaDevices()

    def start(self) -> None:
        if self.camera is not None:
            return
        self.camera = QCamera(self.device)
        formats = [
            f for f in self.device.videoFormats() if f.resolution().width() <= PREVIEW_MAX_WIDTH
        ]
        if formats:  # the largest preview that stays cheap, at its best frame rate
            best = max(formats, key=lambda f: (_area(f.resolution()), f.maxFrameRate()))
            self.camera.setCameraFormat(best)
        self.session = QMediaCaptureSession()
        self.sink = QVideoSink()
        self.capture = QImageCapture()
        self.capture.setFileFormat(QImageCapture.FileFormat.JPEG)
        self.capture.setQuality(QImageCapture.Quality.VeryHighQuality)
        if self.still_size:
            self.capture.setResolution(QSize(*self.still_size))
        self.session.setCamera(self.camera)
        self.session.setVideoSink(self.sink)
        self.session.setImageCapture(self.capture)
        # Direct: the frame is converted and scaled in the thread that delivers it.
        self.sink.videoFrameChanged.connect(self._on_frame, Qt.ConnectionType.DirectConnection)
        self.camera.errorOccurred.connect(self._on_camera_error)
        self.camera.activeChanged.connect(self._on_active)
        self.capture.imageSaved.connect(self._on_saved)
        self.capture.errorOccurred.connect(self._on_capture_error)
        self._devices.videoInputsChanged.connect(self._on_inputs_changed)
        self.camera.start()

    def _on_active(self, on: bool) -> None:
        if on:
            self.started.emit()

    def _on_frame(self, frame: QVideoFrame) -> None:
        image = frame.toImage()
        if image.isNull():
            return
        target = self.target_size()
        if image.width() > target.width() or image.height() > target.height():
            image = image.scaled(
                target, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation
            )
        if self.mirror:
            image = image.flipped(Qt.Orientation.Horizontal)
        self._offer(image.convertToFormat(QImage.Format.Format_RGB32))

    def _on_camera_error(self, _error: object, text: str) -> None:
        self.failed.emit(
            f"{self.name} cannot be used: {text or 'unknown error'}. It may be in use by another "
            "program; close that program and choose the camera again."
        )

    def _on_inputs_changed(self) -> None:
        ids = {d.id().data() for d in QMediaDevices.videoInputs()}
        if self.device.id().data() not in ids:
            self.failed.emit(
                f"{self.name} was unplugged. Plug it back in and choose it again, or import "
                "photos from files."
            )
            self.stop()

    def request_still(self) -> None:
        if self.camera is None or not self.capture.isReadyForCapture():
            self.still_failed.emit(f"{self.name} is not ready to take a photo yet. Try again.")
            return
        # a private folder of this run (0700), not a shared name in /tmp; the still is deleted
        # as soon as its bytes are read back (_on_saved)
        self.capture.captureToFile(str(still_dir() / f"still-{uuid.uuid4().hex}.jpg"))

    def _on_saved(self, _id: int, filename: str) -> None:
        path = Path(filename)
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.still_failed.emit(f"The photo could not be read back from the camera: {exc}")
            return
        finally:
            with contextlib.suppress(OSError):
                path.unlink()
        self.still.emit(data)  # the camera's own JPEG: the original, byte for byte

    def _on_capture_error(self, _id: int, _error: object, text: str) -> None:
        self.still_failed.emit(f"The photo could not be taken: {text}")

    def stop(self) -> None:
        if self.camera is not None:
            with contextlib.suppress(RuntimeError, TypeError):
                self._devices.videoInputsChanged.disconnect(self._on_inputs_changed)
            self.camera.stop()
            self.camera = None
