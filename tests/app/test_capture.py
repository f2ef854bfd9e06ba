"""Capture logic without a display: the protocol walk, ghost selection, retakes, the fake
camera (a generated image sequence and video read through cv2.VideoCapture) and photo checks."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.capture.frames import (
    CameraLost,
    CameraUnavailable,
    OpenCVFrameSource,
    write_image_sequence,
    write_video,
)
from app.capture.walk import ProtocolWalk
from app.domain.values import PhotoSource, TreatmentType
from app.imaging.quality import BLUR_THRESHOLD, check_photo, check_photo_bytes
from app.services import charts, patients, photos, visits
from app.services.capture import ghost_photo, protocol_walk
from app.services.practitioners import PractitionerRecord
from app.store.database import Store
from tests.app.chart_factory import glabella
from tests.images import face_image, jpeg_bytes

TODAY = date(2026, 11, 20)


def _patient(store: Store) -> int:
    return patients.create_patient(store, "Ada", "Lovelace", date(1985, 12, 10)).id


def _visit(store: Store, pid: int, who: int, days_ago: int, kind: str = "neurotoxin") -> int:
    return visits.start_visit(store, pid, who, kind, TODAY - timedelta(days=days_ago)).id


def _photo(store: Store, pid: int, vid: int, view: str, seed: int, who: int) -> photos.PhotoRecord:
    data = jpeg_bytes(face_image(320 + seed, 400, seed=seed))  # distinct bytes per seed
    return photos.add_photo_bytes(
        store, pid, view, data, visit_id=vid, taken_by_id=who, source=PhotoSource.CAMERA
    )


# --- protocol walk ------------------------------------------------------------------------------
def test_walk_follows_the_protocol_and_skips_done_views(
    store: Store, clinician: PractitionerRecord
) -> None:
    pid = _patient(store)
    vid = _visit(store, pid, clinician.id, 0)
    walk = protocol_walk(store, vid)
    assert walk.codes == ["rest", "frown", "brow_raise", "smile"]
    assert walk.current.code == "rest"
    assert walk.current.instruction  # the line read to the patient
    walk.record(_photo(store, pid, vid, "rest", 1, clinician.id))
    assert walk.current.code == "frown"
    walk.go_to("smile")
    walk.record(_photo(store, pid, vid, "smile", 2, clinician.id))
    assert walk.current.code == "frown"  # wraps round to the first view still missing
    # a walk reopened later knows what the visit already has
    again = protocol_walk(store, vid)
    assert again.is_done("rest") and again.is_done("smile") and again.current.code == "frown"
    for code, seed in (("frown", 3), ("brow_raise", 4)):
        again.record(_photo(store, pid, vid, code, seed, clinician.id))
    assert again.complete and again.current.code == "brow_raise"  # stays on the last one


def test_microneedling_walk_has_its_own_views(store: Store, clinician: PractitionerRecord) -> None:
    pid = _patient(store)
    vid = _visit(store, pid, clinician.id, 0, TreatmentType.MICRONEEDLING)
    assert protocol_walk(store, vid).codes == ["front", "left_45", "right_45"]


def test_walk_needs_views() -> None:
    with pytest.raises(ValueError):
        ProtocolWalk([])


# --- ghost ----------------------------------------------------------------------------------------
def test_ghost_is_the_most_recent_earlier_visit_that_has_the_view(
    store: Store, clinician: PractitionerRecord
) -> None:
    who = clinician.id
    pid = _patient(store)
    old = _visit(store, pid, who, 200)
    mid = _visit(store, pid, who, 100)
    recent = _visit(store, pid, who, 14)  # a touch-up without a smile photo
    now = _visit(store, pid, who, 0)
    later = _visit(store, pid, who, -30)  # a later visit never serves as a ghost
    old_smile = _photo(store, pid, old, "smile", 1, who)
    mid_smile = _photo(store, pid, mid, "smile", 2, who)
    mid_smile_retake = _photo(store, pid, mid, "smile", 3, who)
    recent_frown = _photo(store, pid, recent, "frown", 4, who)
    _photo(store, pid, later, "smile", 5, who)
    _photo(store, pid, now, "smile", 6, who)  # the visit's own photo is no ghost either

    assert ghost_photo(store, pid, now, "frown") == recent_frown
    # the touch-up has no smile: the visit before it does, and its retake wins
    ghost = ghost_photo(store, pid, now, "smile")
    assert ghost is not None and ghost.id == mid_smile_retake.id != mid_smile.id
    assert ghost_photo(store, pid, now, "rest") is None
    assert ghost_photo(store, pid, mid, "smile") == old_smile
    assert ghost_photo(store, pid, old, "smile") is None

    # a photo entered in error is skipped, then a visit entered in error
    photos.mark_photo_in_error(store, mid_smile_retake.id, who, "wrong patient")
    assert ghost_photo(store, pid, now, "smile") == mid_smile
    visits.mark_visit_in_error(store, mid, who, "wrong patient")
    assert ghost_photo(store, pid, now, "smile") == old_smile


def test_ghost_of_two_visits_on_one_day_is_the_earlier_one(
    store: Store, clinician: PractitionerRecord
) -> None:
    pid = _patient(store)
    first = _visit(store, pid, clinician.id, 0)
    second = _visit(store, pid, clinician.id, 0)
    p = _photo(store, pid, first, "frown", 1, clinician.id)
    assert ghost_photo(store, pid, second, "frown") == p
    assert ghost_photo(store, pid, first, "frown") is None


def test_ghost_refuses_another_patients_visit(store: Store, clinician: PractitionerRecord) -> None:
    from app.store.errors import NotFoundError

    pid = _patient(store)
    other = patients.create_patient(store, "Bo", "Other", date(1990, 1, 1)).id
    vid = _visit(store, other, clinician.id, 0)
    with pytest.raises(NotFoundError):
        ghost_photo(store, pid, vid, "frown")


# --- retake -------------------------------------------------------------------------------------
def test_retake_is_a_new_photo_and_saved_versions_keep_theirs(
    store: Store, clinician: PractitionerRecord
) -> None:
    pid = _patient(store)
    vid = _visit(store, pid, clinician.id, 0)
    first = _photo(store, pid, vid, "frown", 1, clinician.id)
    v1 = charts.save_version(
        store, vid, glabella(first.sha256), parent_version_id=None, saved_by_id=clinician.id
    )
    retake = _photo(store, pid, vid, "frown", 2, clinician.id)
    assert retake.id != first.id and retake.sha256 != first.sha256
    # both photos stay; the timeline shows the retake as the view's current photo
    assert [p.id for p in photos.photos_for_visit(store, vid)] == [first.id, retake.id]
    entry = visits.timeline(store, pid)[0]
    assert ("frown", "Frown", retake.sha256) in entry.photos
    # the saved version still points at the photo its points were drawn on
    loaded = charts.load_version(store, v1.id)
    assert loaded.content.views[0].photo_sha256 == first.sha256
    assert photos.original_bytes(store, first.sha256)
    walk = protocol_walk(store, vid)
    assert walk.taken["frown"].id == retake.id


# --- the fake camera ----------------------------------------------------------------------------
def _frames(n: int = 4, size: tuple[int, int] = (320, 240)) -> list[np.ndarray]:
    out = []
    for i in range(n):
        f = np.full((size[1], size[0], 3), 40 + 30 * i, np.uint8)
        cv2.circle(f, (size[0] // 2, size[1] // 2), 40, (255, 255, 255), -1)
        out.append(f)
    return out


def test_image_sequence_camera_gives_frames_then_is_lost(tmp_path: Path) -> None:
    pattern = write_image_sequence(tmp_path / "cam", _frames(3))
    cam = OpenCVFrameSource(pattern)
    cam.open()
    got = [cam.read() for _ in range(3)]
    assert [int(f[0, 0, 0]) for f in got] == [40, 70, 100]
    with pytest.raises(CameraLost, match="stopped sending pictures"):
        cam.read()  # the end of the recording behaves like an unplugged camera
    still = cam.still_jpeg()
    assert still[:2] == b"\xff\xd8"
    cam.close()


def test_looping_video_camera_keeps_going(tmp_path: Path) -> None:
    path = write_video(tmp_path / "cam.avi", _frames(3))
    cam = OpenCVFrameSource(path, loop=True)
    cam.open()
    frames = [cam.read() for _ in range(8)]
    assert all(f.shape == (240, 320, 3) for f in frames)
    cam.close()


def test_missing_camera_says_so(tmp_path: Path) -> None:
    with pytest.raises(CameraUnavailable, match="could not be opened"):
        OpenCVFrameSource(str(tmp_path / "nothing_%04d.png")).open()
    with pytest.raises(CameraLost):
        OpenCVFrameSource(str(tmp_path / "x.avi")).read()  # never opened


# --- photo checks -------------------------------------------------------------------------------
def _textured(seed: int = 0, size: int = 800) -> np.ndarray:
    """A face-like picture with fine detail (skin texture, hair): what a sharp photo has."""
    img = np.asarray(face_image(size, size, seed=seed)).copy()
    rng = np.random.default_rng(seed)
    noise = cv2.GaussianBlur(rng.normal(0, 18, (size, size)).astype(np.float32), (0, 0), 1.2)
    return np.clip(img + noise[:, :, None], 0, 255).astype(np.uint8)


def test_sharp_photo_passes_and_blurred_copy_warns() -> None:
    sharp = _textured()
    check = check_photo(sharp)
    assert check.sharpness > BLUR_THRESHOLD and check.ok, check
    blurred = cv2.GaussianBlur(sharp, (0, 0), 8)
    bad = check_photo(blurred)
    assert bad.sharpness < BLUR_THRESHOLD
    assert any("blurred" in w for w in bad.warnings)


def test_blur_score_ignores_brightness_and_resolution() -> None:
    sharp = _textured(seed=3)
    dim = (sharp * 0.5).astype(np.uint8)
    small = cv2.resize(sharp, (400, 400), interpolation=cv2.INTER_AREA)
    a, b, c = (check_photo(x).sharpness for x in (sharp, dim, small))
    assert abs(a - b) < 0.05 and abs(a - c) < 0.08


def test_exposure_warnings() -> None:
    img = _textured(seed=1)
    over = np.clip(img.astype(np.int32) + 160, 0, 255).astype(np.uint8)
    under = np.clip(img.astype(np.int32) - 200, 0, 255).astype(np.uint8)
    over_check, under_check = check_photo(over), check_photo(under)
    assert over_check.clipped_high > 0.5 and any("Over-exposed" in w for w in over_check.warnings)
    assert under_check.clipped_low > 0.1 and any("Under-exposed" in w for w in under_check.warnings)
    assert check_photo(img).clipped_high < 0.03
    black = np.zeros((300, 300, 3), np.uint8)  # a lens cap: no detail at all
    assert check_photo(black).sharpness == 0.0


def test_checks_from_stored_bytes_use_the_face_box() -> None:
    from PIL import Image

    img = _textured(seed=2)
    pic = np.full((1000, 1600, 3), 128, np.uint8)
    pic[100:900, 700:1500] = img  # the face off-centre; the centre is half flat grey
    data = jpeg_bytes(Image.fromarray(pic), quality=95)
    assert check_photo_bytes(data, face_box=(700, 100, 1500, 900)).sharpness > BLUR_THRESHOLD


# --- framing offset from the ghost --------------------------------------------------------------
class _Aligned:
    """What an alignment result offers the framing check: matching face points in both photos."""

    def __init__(self, old_pts: np.ndarray, new_pts: np.ndarray, confidence: float = 0.9):
        self.old_points, self.new_points, self.confidence = old_pts, new_pts, confidence
        self.message = "" if confidence else "No face was found in the new photo."


def _aligner(result: _Aligned):  # type: ignore[no-untyped-def]
    return lambda _o, _n, **_sizes: result


def test_framing_offset_names_shift_size_and_tilt() -> None:
    from app.imaging.framing import framing_check, framing_offset
    from app.imaging.quality import with_framing

    old = jpeg_bytes(face_image(400, 500))
    new = jpeg_bytes(face_image(800, 1000))  # a larger camera: shares of the frame compare
    rng = np.random.default_rng(0)
    face = rng.normal(0, 30, (60, 2)) + (200, 250)  # points in the old 400×500 photo
    angle = np.radians(8)
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    moved = ((face - (200, 250)) @ rot.T) * 1.2 * 2 + (200 + 40, 250) * np.array(2.0)

    result = framing_offset(old, new, aligner=_aligner(_Aligned(face, moved)))
    assert result is not None
    assert result.dx == pytest.approx(0.10, abs=0.01) and abs(result.dy) < 0.01
    assert result.size_ratio == pytest.approx(1.2, abs=0.01)
    assert result.roll_deg == pytest.approx(8, abs=0.5)
    assert result.warnings == [
        "Framing: 10 % further right in the frame and 20 % closer than last time, "
        "the head tilted 8° clockwise."
    ]

    same = framing_offset(old, new, aligner=_aligner(_Aligned(face, face * 2)))
    assert same is not None and same.warnings == [] and same.matches
    check = with_framing(check_photo(_textured()), result)
    assert check.framing is result and len(check.warnings) == 1

    refused = framing_offset(old, new, aligner=_aligner(_Aligned(face, face, 0.0)))
    assert refused is None  # alignment could not find both faces: no offset …
    said = framing_check(old, new, (400, 500), (800, 1000), _aligner(_Aligned(face, face, 0.0)))
    assert said.status == "unchecked"  # … and the clinician is told why
    assert said.message == "Framing can't be checked: no face was found in the new photo."
