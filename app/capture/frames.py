"""Camera frames through OpenCV's `cv2.VideoCapture`: the fallback camera of the app and, opened
on a video file or an image sequence, the fake camera of the tests and benchmarks.

Frames are BGR `uint8` arrays (OpenCV's own order); nothing here knows about Qt. A source is
read from one worker thread at a time; the capture screen never calls `read` on the UI thread.
"""

from __future__ import annotations

import glob
import sys
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

JPEG_QUALITY = 95  # a camera still is the original record: high quality, still a JPEG
LOST_AFTER = 5  # consecutive failed reads before a live camera counts as unplugged


class CameraError(RuntimeError):
    """A camera problem; the message is meant for the clinician."""


class CameraUnavailable(CameraError):
    """Missing, or busy in another program (OpenCV cannot tell the two apart)."""


class CameraLost(CameraError):
    """It worked, then stopped giving frames: unplugged, or taken by another program."""


@dataclass(frozen=True, slots=True)
class CameraInfo:
    key: str  # what `OpenCVFrameSource` opens: a device index as text, or a file path
    name: str


def list_devices() -> list[CameraInfo]:
    """Video devices OpenCV can try, without opening them (opening one can take seconds)."""
    if sys.platform.startswith("linux"):
        found = sorted(glob.glob("/dev/video[0-9]*"), key=lambda p: int(p[len("/dev/video") :]))
        return [CameraInfo(p[len("/dev/video") :], f"Camera {p}") for p in found]
    return [CameraInfo("0", "Default camera")]


class OpenCVFrameSource:
    """A camera (device index) or a recorded file/sequence (path) as a stream of frames.

    `loop` rewinds a file at its end, so a short clip stands in for a live camera; without it
    the end of the file behaves like a camera being unplugged."""

    def __init__(self, key: str | int | Path, *, loop: bool = False, fps: float = 30.0) -> None:
        self.key = str(key)
        self.loop = loop
        self.fps = fps
        self.is_file = not self.key.isdigit()
        self.name = Path(self.key).name if self.is_file else f"Camera {self.key}"
        self._cap: cv2.VideoCapture | None = None
        self._last: np.ndarray | None = None
        self._misses = 0

    def open(self) -> None:
        if self.is_file:
            # printf-style patterns ("frame_%04d.png") are image sequences
            api = cv2.CAP_IMAGES if "%" in self.key else cv2.CAP_ANY
            cap = cv2.VideoCapture(self.key, api)
        else:
            cap = cv2.VideoCapture(int(self.key))
            # Ask for far more than any camera gives: drivers answer with their largest size.
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, 8192)
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, 6144)
        if not cap.isOpened():
            cap.release()
            raise CameraUnavailable(
                f"{self.name} could not be opened. Check that it is plugged in and that no other "
                "program (a video call, another FaceChart) is using it."
            )
        self._cap = cap
        self._misses = 0

    @property
    def is_open(self) -> bool:
        return self._cap is not None

    def read(self) -> np.ndarray:
        """The next frame; raises CameraLost when the camera stops giving them."""
        if self._cap is None:
            raise CameraLost(f"{self.name} is not open.")
        while True:
            if self.is_file and self.loop and self._at_end():
                self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)  # rewind before OpenCV warns of the end
            ok, frame = self._cap.read()
            if ok and frame is not None and frame.size:
                self._misses = 0
                self._last = frame
                return frame
            if self.is_file and self.loop and self._rewind():
                continue
            self._misses += 1
            if self.is_file or self._misses >= LOST_AFTER:
                raise CameraLost(
                    f"{self.name} stopped sending pictures (unplugged, or taken by another "
                    "program). Plug it back in and choose it again, or import photos from files."
                )

    def _at_end(self) -> bool:
        assert self._cap is not None
        count = self._cap.get(cv2.CAP_PROP_FRAME_COUNT)
        return count > 0 and self._cap.get(cv2.CAP_PROP_POS_FRAMES) >= count

    def _rewind(self) -> bool:
        assert self._cap is not None
        if not self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0):
            return False
        ok, frame = self._cap.read()
        if ok and frame is not None:
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            return True
        return False

    def still_jpeg(self, frame: np.ndarray | None = None) -> bytes:
        """A still at the stream's full resolution: the given frame, else the newest one."""
        frame = frame if frame is not None else self._last
        if frame is None:
            frame = self.read()
        return encode_still(frame)

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
        self._cap = None


def encode_still(frame_bgr: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(".jpg", frame_bgr, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise CameraError("The picture could not be encoded as JPEG.")
    return buf.tobytes()


def write_image_sequence(folder: Path, frames: list[np.ndarray], ext: str = "png") -> str:
    """Write frames as an image sequence; returns the pattern `OpenCVFrameSource` opens.
    This is the fake camera: tests and benchmarks generate their frames, no hardware."""
    folder.mkdir(parents=True, exist_ok=True)
    for i, frame in enumerate(frames):
        if not cv2.imwrite(str(folder / f"frame_{i:04d}.{ext}"), frame):
            raise OSError(f"could not write frame {i} to {folder}")
    return str(folder / f"frame_%04d.{ext}")


def write_video(path: Path, frames: list[np.ndarray], fps: float = 30.0) -> str:
    """Write frames as a Motion-JPEG AVI (encodable by every OpenCV build); returns its path."""
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, (w, h))
    if not writer.isOpened():
        raise OSError(f"OpenCV cannot write {path}")
    for frame in frames:
        writer.write(frame)
    writer.release()
    return str(path)
