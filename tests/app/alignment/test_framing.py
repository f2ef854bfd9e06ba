"""The capture screen's framing check with the real face models: copies of the astronaut moved,
scaled and turned by known amounts give the right words and numbers; faults say the framing
cannot be checked."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from app.alignment import align_images
from app.alignment.models import INSTALL_COMMAND
from app.domain.values import PhotoSource
from app.imaging.framing import MATCHES, OFF, UNCHECKED, framing_check, framing_offset
from app.services import capture, patients, photos, visits
from app.services.practitioners import default_practitioner
from app.store.database import Store
from tests.app.alignment.faces import astronaut, jpeg, similarity, warp

pytestmark = pytest.mark.usefixtures("models")


@pytest.fixture(scope="module")
def face() -> np.ndarray:
    return astronaut()


@pytest.fixture(scope="module")
def centre(face: np.ndarray) -> tuple[float, float]:
    """The face's own centre (mean of its mesh): scaling about it leaves the face in place."""
    cx, cy = align_images(face, face).old_points.mean(0)
    return float(cx), float(cy)


def _moved(face: np.ndarray, centre, scale=1.0, turn=0.0, dx=0.0, dy=0.0) -> np.ndarray:  # type: ignore[no-untyped-def]
    h, w = face.shape[:2]
    return warp(face, similarity(scale, turn, (dx * w, dy * h), centre))


def _size(img: np.ndarray) -> tuple[int, int]:
    return img.shape[1], img.shape[0]


def test_same_framing_matches(face: np.ndarray) -> None:
    check = framing_check(face, face, _size(face), _size(face))
    assert check.status == MATCHES and check.message == "Framing matches the last visit."
    o = check.offset
    assert o is not None and abs(o.dx) < 0.002 and abs(o.dy) < 0.002
    assert o.size_ratio == pytest.approx(1.0, abs=0.005) and abs(o.roll_deg) < 0.3


def test_lower_and_closer_in_words_and_numbers(face: np.ndarray, centre) -> None:  # type: ignore[no-untyped-def]
    today = _moved(face, centre, scale=1.12, dy=0.08)
    check = framing_check(face, today, _size(face), _size(today))
    assert check.status == OFF
    assert check.message == "Framing: 8 % lower and 12 % closer than last time."
    o = check.offset
    assert o is not None
    assert o.dy == pytest.approx(0.08, abs=0.005) and abs(o.dx) < 0.005
    assert o.size_ratio == pytest.approx(1.12, abs=0.01)
    assert abs(o.roll_deg) < 0.5
    # 8 % of a 1024-px frame is ~0.8 of today's eye distance (~100 px) on this portrait
    assert 0.6 < o.shift_iod < 1.0


def test_left_further_and_tilted(face: np.ndarray, centre) -> None:  # type: ignore[no-untyped-def]
    today = _moved(face, centre, scale=0.88, turn=7, dx=-0.07)
    check = framing_check(face, today, _size(face), _size(today))
    assert check.status == OFF
    assert check.message == (
        "Framing: 7 % further left in the frame and 12 % further away than last time, "
        "the head tilted 7° clockwise."
    )
    o = check.offset
    assert o is not None and o.roll_deg == pytest.approx(7, abs=0.5)


def test_small_differences_still_match(face: np.ndarray, centre) -> None:  # type: ignore[no-untyped-def]
    today = _moved(face, centre, scale=1.05, turn=-3, dx=0.03, dy=-0.03)
    check = framing_check(face, today, _size(face), _size(today))
    assert check.status == MATCHES
    o = check.offset
    assert o is not None and o.roll_deg == pytest.approx(-3, abs=0.5)
    assert o.dx == pytest.approx(0.03, abs=0.005) and o.dy == pytest.approx(-0.03, abs=0.005)


def test_another_camera_size_compares_by_share_of_the_frame(face: np.ndarray) -> None:
    """Today's camera gives twice the pixels: the same framing still matches."""
    import cv2

    big = cv2.resize(face, (2048, 2048), interpolation=cv2.INTER_CUBIC)
    check = framing_offset(jpeg(face), jpeg(big))
    assert check is not None and check.matches
    assert check.size_ratio == pytest.approx(1.0, abs=0.02)


def test_no_face_today_cannot_be_checked(face: np.ndarray) -> None:
    blank = np.full_like(face, 128)
    check = framing_check(face, blank, _size(face), _size(blank))
    assert check.status == UNCHECKED and check.offset is None
    assert check.message == "Framing can't be checked: no face was found in the new photo."


def test_missing_models_say_so(face: np.ndarray, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from app.alignment import models as m

    monkeypatch.setattr(m, "search_dirs", lambda: [tmp_path])
    m.forget_models()
    try:
        check = framing_check(face, face, _size(face), _size(face))
    finally:
        monkeypatch.undo()
        m.forget_models()
    assert check.status == UNCHECKED and INSTALL_COMMAND in check.message
    assert check.message.startswith("Framing can't be checked: the face models are not installed")


def test_stored_photo_against_its_ghost(sqlite_store: Store, face: np.ndarray, centre) -> None:  # type: ignore[no-untyped-def]
    """The app's path: both photos from the store, aligned from their display images."""
    store = sqlite_store
    who = default_practitioner(store)
    pid = patients.create_patient(store, "Ada", "Lovelace", date(1985, 12, 10)).id
    earlier = visits.start_visit(store, pid, who.id, "neurotoxin", date.today() - timedelta(90))
    today = visits.start_visit(store, pid, who.id, "neurotoxin")

    def add(img: np.ndarray, visit_id: int, view: str = "rest") -> photos.PhotoRecord:
        return photos.add_photo_bytes(
            store, pid, view, jpeg(img), visit_id=visit_id, source=PhotoSource.CAMERA
        )

    add(face, earlier.id)
    moved = add(_moved(face, centre, scale=1.15, dy=-0.09), today.id)
    check = capture.framing_against_ghost(store, moved)
    assert check is not None and check.status == OFF
    o = check.offset
    assert o is not None and o.dy == pytest.approx(-0.09, abs=0.005)
    assert o.size_ratio == pytest.approx(1.15, abs=0.015)  # display images, JPEG twice
    assert check.message.startswith("Framing: 9 % higher and 1")
    assert check.message.endswith("% closer than last time.")
    first_frown = add(face, today.id, "frown")
    assert capture.framing_against_ghost(store, first_frown) is None  # no earlier frown


def test_photo_checks_find_the_face_through_alignment(face: np.ndarray, centre) -> None:  # type: ignore[no-untyped-def]
    """The blur and exposure checks measure the face the landmark model confirms."""
    from app.imaging.face_region import detect_face_box

    box = detect_face_box(face)
    assert box is not None
    x0, y0, x1, y1 = box
    assert x0 < centre[0] < x1 and y0 < centre[1] < y1
    wall = np.random.default_rng(0).integers(0, 255, face.shape, dtype=np.uint8)
    assert detect_face_box(wall) is None  # no face: the checks use the frame's centre
