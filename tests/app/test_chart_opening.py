"""Opening a chart for the editor in one call (app/services/chart_opening.py): with
`first_display_only` only the first view's display image is read; the others are sized (their
frames are the chart's coordinates) and read later, the same bytes."""

from __future__ import annotations

from datetime import date

import pytest

from app.services import chart_opening, patients, photos, visits
from tests.images import face_image, jpeg_bytes


def test_first_display_only_reads_one_image_and_sizes_every_view(store, clinician) -> None:
    p = patients.create_patient(store, "Zoë", "Martin", date(1984, 3, 12))
    v = visits.start_visit(store, p.id, clinician.id, "neurotoxin")
    shots = {
        view: photos.add_photo_bytes(
            store, p.id, view, jpeg_bytes(face_image(seed=i)), visit_id=v.id
        )
        for i, view in enumerate(("rest", "frown", "smile"))
    }
    whole = chart_opening.open_chart(store, v.id)
    first = chart_opening.open_chart(store, v.id, first_display_only=True)
    assert first.view_codes == whole.view_codes and len(first.view_codes) == 3
    head, *rest = first.view_codes
    assert first.photos[head].display_jpeg == whole.photos[head].display_jpeg is not None
    assert not first.photos[head].later
    for code in rest:
        got = first.photos[code]
        sha = shots[code].sha256
        assert got.later and got.display_jpeg is None and got.sha256 == sha
        assert got.size == whole.photos[code].size == photos.photo_size(store, sha)
        assert photos.display_jpeg(store, sha) == whole.photos[code].display_jpeg
    assert photos.photo_sizes(store, [s.sha256 for s in shots.values()]) == {
        s.sha256: photos.photo_size(store, s.sha256) for s in shots.values()
    }


def test_a_snapshot_reads_one_state_while_another_room_saves(store, clinician) -> None:
    """Opening a chart reads the visit, its versions and its photos in several service calls;
    `Store.snapshot()` makes them one read transaction, so another room's save that lands
    between two of them is not half seen (on SQLite and on PostgreSQL)."""
    from app.domain.chart import ChartContent
    from app.services import charts
    from app.store.database import open_store

    p = patients.create_patient(store, "Zoë", "Martin", date(1984, 3, 12))
    v = visits.start_visit(store, p.id, clinician.id, "neurotoxin")
    other_room = open_store(str(store.url.render_as_string(hide_password=False)))
    try:
        with store.snapshot():
            with store.read() as first, store.read() as second:
                assert first is second  # one session, one transaction
            assert charts.version_count(store, v.id) == 0
            charts.save_version(
                other_room, v.id, ChartContent(), parent_version_id=None, saved_by_id=clinician.id
            )
            assert charts.version_count(store, v.id) == 0  # the state the snapshot began in
        assert charts.version_count(store, v.id) == 1  # a new read sees the save
    finally:
        other_room.dispose()


def test_photo_sizes_come_from_the_covering_index(store, clinician, db_path) -> None:
    """SQLite keeps each original before its sizes in the row: the sizes are read from the
    index of migration 0013, and still read (more slowly) from a database without it."""
    import sqlite3

    p = patients.create_patient(store, "Zoë", "Martin", date(1984, 3, 12))
    shot = photos.add_photo_bytes(store, p.id, "rest", jpeg_bytes(face_image(seed=1)))
    size = photos.photo_size(store, shot.sha256)
    assert photos.photo_sizes(store, [shot.sha256]) == {shot.sha256: size}
    if not store.is_sqlite:
        return
    with sqlite3.connect(db_path) as raw:
        query = str(photos._SIZES_BY_FRAME_INDEX).replace("(__[POSTCOMPILE_shas])", "(?)")
        plan = raw.execute("EXPLAIN QUERY PLAN " + query, (shot.sha256,)).fetchall()
        assert "COVERING INDEX ix_photo_blob_frame" in str(plan)
        raw.execute("DROP INDEX ix_photo_blob_frame")  # as if opened without migrating
    assert photos.photo_sizes(store, [shot.sha256]) == {shot.sha256: size}


def test_an_error_inside_a_snapshot_leaves_it_usable_and_is_translated(store, clinician) -> None:
    """A read that fails inside `snapshot()` and is handled by its caller (a photo that cannot
    be read opens as an empty frame) leaves the snapshot reading: on PostgreSQL, where a failed
    query aborts its transaction, each read is a savepoint. A lost server connection inside
    a snapshot is the same ServerUnreachableError as anywhere else."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from app.services import charts
    from app.store.database import open_store
    from app.store.errors import ServerUnreachableError

    p = patients.create_patient(store, "Zoë", "Martin", date(1984, 3, 12))
    v = visits.start_visit(store, p.id, clinician.id, "neurotoxin")
    with store.snapshot():
        try:
            with store.read() as s:
                s.execute(text("SELECT * FROM no_such_table"))
        except DBAPIError:
            pass  # handled by the caller, as chart_opening._display handles a StoreError
        assert charts.version_count(store, v.id) == 0  # the snapshot still reads
    if store.is_sqlite:
        return
    other = open_store(str(store.url.render_as_string(hide_password=False)))
    try:
        with pytest.raises(ServerUnreachableError), store.snapshot():
            with store.read() as s:
                pid = s.execute(text("SELECT pg_backend_pid()")).scalar_one()
            with other.read() as s:
                s.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            charts.version_count(store, v.id)
    finally:
        other.dispose()


def test_a_microneedling_opening_reads_the_clinic_area_names_and_course(store, clinician) -> None:
    """Read with the rest of the opening (on its worker in the app), not by the editor on
    the GUI thread: the clinic's area names and the visit's place in its course."""
    from app.services import area_names

    area_names.add_area_name(store, clinician.id, "Décolletage")
    p = patients.create_patient(store, "Zoë", "Martin", date(1984, 3, 12))
    v = visits.start_visit(store, p.id, clinician.id, "microneedling")
    opening = chart_opening.open_chart(store, v.id)
    assert opening.clinic_area_names == ("Décolletage",)
    assert opening.course is not None and opening.course.first_of_course
    toxin = visits.start_visit(store, p.id, clinician.id, "neurotoxin")
    other = chart_opening.open_chart(store, toxin.id)
    assert other.clinic_area_names == () and other.course is None


def test_an_opening_for_a_practitioner_reads_the_sign_off_the_header_shows(
    store, clinician
) -> None:
    """The editor's header (Sign, or who signed) is read with the rest of the opening, on its
    worker in the app: for the head version, what the practitioner may do with it; for an
    older version opened read-only, that version's own sign-off. Without a practitioner it
    is not read (the editor then reads it itself)."""
    from app.domain.chart import ChartContent, ViewChart
    from app.services import charts

    p = patients.create_patient(store, "Zoë", "Martin", date(1984, 3, 12))
    v = visits.start_visit(store, p.id, clinician.id, "neurotoxin")
    assert chart_opening.open_chart(store, v.id).sign_off is None
    new = chart_opening.open_chart(store, v.id, practitioner_id=clinician.id).sign_off
    assert new is not None and new.state.head is None and new.shown is None
    one = ChartContent(views=(ViewChart("frown", None),))
    v1 = charts.save_version(store, v.id, one, parent_version_id=None, saved_by_id=clinician.id)
    two = ChartContent(views=(ViewChart("smile", None),))
    v2 = charts.save_version(store, v.id, two, parent_version_id=v1.id, saved_by_id=clinician.id)
    head = chart_opening.open_chart(store, v.id, practitioner_id=clinician.id).sign_off
    assert head is not None and head.practitioner_id == clinician.id
    assert head.state.can_sign and head.shown is not None and head.shown.version_id == v2.id
    older = chart_opening.open_chart(store, v.id, v1.id, practitioner_id=clinician.id).sign_off
    assert older is not None and older.shown is not None and older.shown.version_id == v1.id
    assert older.state.head is not None and older.state.head.version_id == v2.id
    # A sign-off that cannot be read (no such practitioner) never stops the chart opening:
    # the editor reads it itself and says what failed.
    unknown = chart_opening.open_chart(store, v.id, practitioner_id=10**6)
    assert unknown.sign_off is None and unknown.version is not None
