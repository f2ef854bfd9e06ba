"""Embed a face and compare it with earlier ones: "same", "different" or "could not compare".

Faces are found by the app's MediaPipe detector and 468-point mesh (app/alignment), not by
dlib's HOG detector: on the real photos (docs/BENCHMARKS.md) both find every face and give the
same answer on every pair, but the MediaPipe search takes 30–80 ms on a 1280-px photo where
HOG takes 600–900 ms, and it is the search the framing check and the overlay already trust (a
face the landmark model doubts is refused). The mesh's bounding box is handed to dlib's 5-point
predictor, which places the face for the ResNet; the ResNet gives 128 numbers per face.

Two faces are the same person when the Euclidean distance of their embeddings is at most 0.6,
dlib's published threshold (99.38 % on LFW). Outwards the figure is a similarity,
`score = 1 − distance` (never below 0), and same means `score ≥ 0.4`: the one threshold seen
from the other side. A new photo is compared with each earlier one until one matches; the best
(smallest) distance decides, so one earlier photo in another pose or light does not raise a
false warning. Embeddings live in local variables only: never stored, logged or returned.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from app.alignment.align import ImageInput, find_faces, working_image
from app.alignment.models import ModelsMissing
from app.identity.models import RecognitionUnavailable, recognition_models

MAX_DISTANCE = 0.6  # dlib's published threshold for dlib_face_recognition_resnet_model_v1
THRESHOLD = round(1.0 - MAX_DISTANCE, 4)  # the same threshold as a similarity score: 0.4
NO_FACE = "No face was found in {which}."


class Outcome(StrEnum):
    SAME = "same"
    DIFFERENT = "different"
    UNKNOWN = "could not compare"


@dataclass(frozen=True, slots=True)
class Comparison:
    """What a comparison may tell: no embedding, only the score and which earlier photo (by
    its index in what was given) came closest."""

    outcome: Outcome
    score: float | None = None  # 1 − best distance, ≥ 0; None when it could not compare
    closest: int | None = None  # index of the best-matching earlier photo
    reason: str = ""  # why it could not compare

    @property
    def same(self) -> bool:
        return self.outcome is Outcome.SAME


def score_of(distance: float) -> float:
    return max(0.0, round(1.0 - distance, 4))


def is_same(score: float) -> bool:
    return score >= THRESHOLD


class NoFace(ValueError):
    """The photo shows no face the models can use."""


def embed(image: ImageInput) -> np.ndarray:
    """The 128-number embedding of the largest face of a photo (stored bytes through the one
    decode door, or an upright image). Raises NoFace, RecognitionUnavailable, ModelsMissing
    (MediaPipe's), or ImageError for bytes that are not an image."""
    rgb, _size = working_image(image)
    predictor, recogniser = recognition_models()
    faces = find_faces(rgb)  # largest first; a face the landmark model doubts is not there
    if not faces:
        raise NoFace(NO_FACE.format(which="the photo"))
    import dlib

    h, w = rgb.shape[:2]
    x0, y0 = np.clip(faces[0].points.min(0), 0, [w - 1, h - 1])
    x1, y1 = np.clip(faces[0].points.max(0), 0, [w - 1, h - 1])
    box = dlib.rectangle(int(x0), int(y0), int(round(x1)), int(round(y1)))
    shape = predictor(np.ascontiguousarray(rgb), box)
    return np.asarray(recogniser.compute_face_descriptor(np.ascontiguousarray(rgb), shape))


def compare(
    new: ImageInput,
    earlier: Iterable[Callable[[], ImageInput]],
    *,
    new_name: str = "the new photo",
    earlier_name: str = "the earlier photos",
    stop: Callable[[], bool] | None = None,
) -> Comparison:
    """Compare a new photo's face with earlier photos, each given as a loader (so they are
    decoded one at a time and no further once one matches); `stop` is asked before each.
    Earlier photos without a usable face are passed over; when none has one, or the new photo
    has none, it could not compare.
    ImageError (the new photo is not an image) is raised; every other fault is an outcome."""
    try:
        mine = embed(new)
    except NoFace:
        return Comparison(Outcome.UNKNOWN, reason=NO_FACE.format(which=new_name))
    except (RecognitionUnavailable, ModelsMissing) as exc:
        return Comparison(Outcome.UNKNOWN, reason=str(exc))
    best: tuple[float, int] | None = None
    for i, load in enumerate(earlier):
        if stop is not None and stop():  # the screen is closing: nobody waits for the answer
            return Comparison(Outcome.UNKNOWN, reason="The check was stopped.")
        try:
            distance = float(np.linalg.norm(embed(load()) - mine))
        except ValueError:  # NoFace, or an earlier photo that no longer decodes (ImageError)
            continue
        if best is None or distance < best[0]:
            best = (distance, i)
        if distance <= MAX_DISTANCE:
            break  # one match is enough: the rest need not be decoded
    del mine
    if best is None:
        return Comparison(Outcome.UNKNOWN, reason=NO_FACE.format(which=earlier_name))
    score = score_of(best[0])
    return Comparison(Outcome.SAME if is_same(score) else Outcome.DIFFERENT, score, best[1])


def compare_two(a: ImageInput, b: ImageInput) -> Comparison:
    """Two photos (the `same-person` command)."""
    return compare(a, [lambda: b], new_name="the first photo", earlier_name="the second photo")


def distances(images: Sequence[ImageInput]) -> list[list[float | None]]:
    """The matrix of embedding distances between photos (None where a photo has no face), for
    the benchmark: the embeddings stay inside this call."""
    vectors: list[np.ndarray | None] = []
    for image in images:
        try:
            vectors.append(embed(image))
        except NoFace:
            vectors.append(None)
    return [
        [None if a is None or b is None else float(np.linalg.norm(a - b)) for b in vectors]
        for a in vectors
    ]
