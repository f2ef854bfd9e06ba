"""Live carton scan: the camera's preview with a decode of the newest frame every ~200 ms on a
Worker, until a carton code is read (then `found` fires and the dialog closes) or Cancel."""

from __future__ import annotations

from datetime import date
from functools import partial

import numpy as np
from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout, QWidget

from app.services import carton
from app.services.carton import CartonScan
from ui.capture.base import PreviewSource
from ui.capture.sources import available_cameras
from ui.common.worker import Worker
from ui.editor.controls import touch_button

SCAN_EVERY_MS = 200  # a frame every 200 ms: quick to find, and the decode never queues up
FRAME_SIZE = QSize(1280, 960)  # frames scanned at this size: a carton code a third of it


def qimage_rgb(image: QImage) -> np.ndarray:
    """A copy of the QImage's pixels as an RGB array (plain data for the worker)."""
    img = image.convertToFormat(QImage.Format.Format_RGB888)
    w, h, stride = img.width(), img.height(), img.bytesPerLine()
    buf = np.frombuffer(img.constBits(), dtype=np.uint8, count=stride * h)
    return buf.reshape(h, stride)[:, : 3 * w].reshape(h, w, 3).copy()


class CartonCameraDialog(QDialog):
    found = Signal(object)  # the CartonScan with a label

    def __init__(
        self, today: date, parent: QWidget | None = None, source: PreviewSource | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("cartonCamera")
        self.setWindowTitle("Scan the carton")
        self.today = today
        self.worker = Worker("carton-camera", self)
        lay = QVBoxLayout(self)
        self.view = QLabel()
        self.view.setObjectName("cartonPreview")
        self.view.setMinimumSize(480, 360)
        self.view.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.view)
        self.status = QLabel("Hold the carton's square code flat, filling a third of the frame.")
        self.status.setObjectName("cartonStatus")
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        cancel = touch_button("Cancel", "cartonCameraCancel", role="ghost")
        cancel.clicked.connect(self.reject)
        lay.addWidget(cancel)
        self.frame: np.ndarray | None = None
        self.busy = False
        self.source = source
        if self.source is None:
            cams = available_cameras()
            make = cams[0].make if cams else None
            self.source = make(None) if make is not None else None
        if self.source is None:
            self.status.setText("No camera found: scan a photo of the carton instead.")
            return
        self.source.set_target_size(FRAME_SIZE)
        self.source.frame_ready.connect(self._frame)
        self.source.failed.connect(self.status.setText)
        self.timer = QTimer(self)
        self.timer.setInterval(SCAN_EVERY_MS)
        self.timer.timeout.connect(self._scan)
        self.source.start()
        self.timer.start()
        self.finished.connect(self._stop)

    def _frame(self) -> None:
        assert self.source is not None
        image = self.source.take_frame()
        if image is None:
            return
        self.frame = qimage_rgb(image)
        shown = QPixmap.fromImage(image).scaled(
            self.view.size(), Qt.AspectRatioMode.KeepAspectRatio
        )
        self.view.setPixmap(shown)

    def _scan(self) -> None:
        if self.busy or self.frame is None:
            return  # the last decode still runs: never queue frames up behind it
        frame, self.frame = self.frame, None
        self.busy = True
        self.worker.run(partial(carton.scan_frame, frame, self.today), self._read, self._error)

    def _read(self, scan: CartonScan) -> None:
        self.busy = False
        if scan.label is None:
            if scan.reason != carton.NO_CODE:
                self.status.setText(scan.reason)  # a square code, but not a carton's
            return
        self.timer.stop()
        self.found.emit(scan)
        self.accept()

    def _error(self, exc: BaseException) -> None:
        self.busy = False
        self.status.setText(f"The camera frame could not be read: {exc}")

    def _stop(self) -> None:
        self.timer.stop()
        if self.source is not None:
            self.source.stop()
        self.worker.shutdown()
