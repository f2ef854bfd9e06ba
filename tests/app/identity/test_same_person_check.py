"""The wrong-patient check's service on a real SQLite store: which earlier photos it compares
with, its outcomes, and that no embedding is ever stored."""

from __future__ import annotations

import struct
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import inspect

from app.identity.compare import Outcome, compare, embed
from app.services import patients, photos, same_person, visits
from app.services.practitioners import default_practitioner
from app.store.database import Store
from tests.app.alignment.faces import astronaut, jpeg, similarity, warp
from tests.app.identity.conftest import real_face
from tests.images import face_image, jpeg_bytes

pytestmark = pytest.mark.usefixtures("models", "recognition")


def _patient_with_earlier(store: Store, earlier: bytes) -> tuple[int, int, int]:
    """A patient with a "rest" photo 90 days ago; returns (patient, today's visit, practitioner)."""
    who = default_practitioner(store)
    pid = patients.create_patient(store, "Zoë", "Martin", date(1985, 3, 3)).id
    old = visits.start_visit(store, pid, who.id, "neurotoxin", date.today() - timedelta(90))
    photos.add_photo_bytes(store, pid, "rest", earlier, visit_id=old.id)
    return pid, visits.start_visit(store, pid, who.id, "neurotoxin").id, who.id


def test_same_face_matches_and_no_face_could_not_compare(sqlite_store: Store) -> None:
    face = astronaut()
    pid, vid, _who = _patient_with_earlier(sqlite_store, jpeg(face))
    moved = warp(face, similarity(0.9, -5.0, (20.0, 10.0), (450, 250)))
    new = photos.add_photo_bytes(sqlite_store, pid, "rest", jpeg(moved), visit_id=vid)
    check = same_person.check_face(sqlite_store, new)
    assert check.outcome is Outcome.SAME and not check.warn
    assert check.score is not None and check.score >= same_person.THRESHOLD
    assert check.earlier is not None and check.earlier.visit_id != vid
    wall = np.random.default_rng(0).integers(90, 160, (600, 800, 3), dtype=np.uint8)
    blank = photos.add_photo_bytes(sqlite_store, pid, "frown", jpeg(wall), visit_id=vid)
    check = same_person.check_face(sqlite_store, blank)
    assert check.outcome is Outcome.UNKNOWN and "No face" in check.reason and not check.warn


def test_a_first_photo_has_nothing_to_compare_with(sqlite_store: Store) -> None:
    who = default_practitioner(sqlite_store)
    pid = patients.create_patient(sqlite_store, "Ada", "Lovelace", date(1985, 12, 10)).id
    vid = visits.start_visit(sqlite_store, pid, who.id, "neurotoxin").id
    first = photos.add_photo_bytes(sqlite_store, pid, "rest", jpeg(astronaut()), visit_id=vid)
    assert same_person.check_face(sqlite_store, first).outcome is None


def test_earlier_visits_first_then_this_visits_earlier_photos(sqlite_store: Store) -> None:
    """A batch of another patient's photos must not vouch for itself: with earlier visits,
    photos of the same visit are not compared; on a first visit, those stored before are."""
    pid, vid, who = _patient_with_earlier(sqlite_store, jpeg_bytes(face_image(seed=0)))
    a = photos.add_photo_bytes(
        sqlite_store, pid, "rest", jpeg_bytes(face_image(seed=10)), visit_id=vid
    )
    b = photos.add_photo_bytes(
        sqlite_store, pid, "frown", jpeg_bytes(face_image(seed=20)), visit_id=vid
    )
    assert [p.visit_id for p in same_person.earlier_photos(sqlite_store, b)] == [vid - 1]
    first_visit_pid = patients.create_patient(sqlite_store, "Bo", "Ek", date(1990, 1, 1)).id
    fv = visits.start_visit(sqlite_store, first_visit_pid, who, "neurotoxin").id
    c = photos.add_photo_bytes(
        sqlite_store, first_visit_pid, "rest", jpeg_bytes(face_image(seed=30)), visit_id=fv
    )
    d = photos.add_photo_bytes(
        sqlite_store, first_visit_pid, "frown", jpeg_bytes(face_image(seed=38)), visit_id=fv
    )
    assert [p.id for p in same_person.earlier_photos(sqlite_store, d)] == [c.id]
    assert same_person.earlier_photos(sqlite_store, c) == []
    same_person.remove_photo(sqlite_store, a.id, who)  # entered in error: never compared
    assert photos.get_photo(sqlite_store, a.id).in_error
    assert a.id not in [p.id for p in same_person.earlier_photos(sqlite_store, b)]


def test_another_persons_photo_is_different() -> None:
    obama, alex = real_face("obama.jpg").read_bytes(), real_face("alex-lacamoire.png").read_bytes()
    result = compare(obama, [lambda: alex])
    assert result.outcome is Outcome.DIFFERENT and result.score is not None
    assert result.score < 0.4 and result.closest == 0


def test_the_database_holds_no_embedding_after_an_import(
    sqlite_store: Store, db_path: Path
) -> None:
    face = astronaut()
    pid, vid, _who = _patient_with_earlier(sqlite_store, jpeg(face))
    data = jpeg(warp(face, similarity(1.05, 3.0, (0.0, 0.0), (450, 250))))
    new = photos.add_photo_bytes(sqlite_store, pid, "rest", data, visit_id=vid)
    check = same_person.check_face(sqlite_store, new)
    assert check.outcome is Outcome.SAME
    # the embeddings the check computed, made again here: no trace of them may be in the file
    vectors = [embed(photos.display_image(sqlite_store, p, 1280)) for p in (new, check.earlier)]
    sqlite_store.dispose()  # everything on disk, the WAL checkpointed
    raw = b"".join(p.read_bytes() for p in db_path.parent.glob(db_path.name + "*"))
    for v in vectors:
        for fmt in ("<4d", "<4f", ">4d", ">4f"):
            assert struct.pack(fmt, *v[:4]) not in raw
        assert f"{v[0]:.5f}".encode() not in raw
    # and no table or column was made to hold one
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{db_path}")
    try:
        names = [
            f"{t}.{c['name']}".lower()
            for t in inspect(engine).get_table_names()
            for c in inspect(engine).get_columns(t)
        ]
    finally:
        engine.dispose()
    assert not [n for n in names if any(w in n for w in ("embed", "descriptor", "face_vec"))]


def test_a_stopped_check_loads_no_earlier_photo() -> None:
    loaded: list[int] = []

    def load() -> bytes:
        loaded.append(1)
        return jpeg(astronaut())

    result = compare(jpeg(astronaut()), [load, load], stop=lambda: True)
    assert result.outcome is Outcome.UNKNOWN and loaded == []
    assert compare(jpeg(astronaut()), [load, load]).same and loaded == [1]  # one match ends it
