"""The cameras the capture screen lists and reads (OpenCV under the hood, no Qt): the UI's
door to `app.capture.frames`, so it depends on these names only (ADR 0001)."""

from __future__ import annotations

from app.capture.frames import (
    CameraError,
    CameraInfo,
    OpenCVFrameSource,
    encode_still,
    list_devices,
)

__all__ = ["CameraError", "CameraInfo", "OpenCVFrameSource", "encode_still", "list_devices"]
