"""The cameras the capture screen lists and reads (OpenCV under the hood, no Qt): the UI's
door to `app.capture.frames`, so it depends on these names only (ADR 0001)."""

from __future__ import annotations

from pathlib import Path

from app.capture.frames import (
    CameraError,
    CameraInfo,
    OpenCVFrameSource,
    encode_still,
    list_devices,
)
from app.store.private import session_temp_dir

STILLS_PREFIX = "facechart-stills-"


def still_dir() -> Path:
    """Where the camera writes a still before it is stored (and deleted): a private folder of
    this run, 0700 and fresh, never a shared `/tmp/facechart-stills` (issue #11)."""
    return session_temp_dir(STILLS_PREFIX)


__all__ = [
    "CameraError",
    "CameraInfo",
    "OpenCVFrameSource",
    "encode_still",
    "list_devices",
    "still_dir",
]
