"""No patient data in error messages or the error log (issue #11).

A test patient's name and date of birth go through every service call that carries them, on a
database that fails each way a clinic's can: read-only, locked, a constraint violated, a table
gone (schema drift), the database folder gone. Neither the exception text (as Python would print
it) nor the error log FaceChart writes may hold them. Real SQLite files (and PostgreSQL when
FACECHART_TEST_PG is set); the faults are real ones, made with SQL and files.
"""

from __future__ import annotations

import shutil
import sqlite3
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from app.domain.chart import ChartContent, InjectionPoint, ViewChart
from app.services import charts, patients, photos, visits
from app.services.store import log_error
from app.store.database import Store, open_store, sqlite_url
from tests.app.fault_helpers import Charted, make_charted
from tests.conftest import PG_URL, reset_postgres
from tests.images import face_image, jpeg_bytes

GIVEN, FAMILY, DOB = "Zenobia", "Quillfeather", date(1961, 7, 23)
# every spelling a name or date takes on its way to the driver or into a repr
SECRETS = ("zenobia", "quillfeather", "1961-07-23", "1961, 7, 23", "23/07/1961", "07/23/1961")


@dataclass
class Setup:
    charted: Charted  # another patient (Ada Lovelace) with a visit, a photo, a saved chart
    ours_id: int  # the test patient, already saved before the fault


def _note() -> str:
    return f"{GIVEN} {FAMILY}, born {DOB.isoformat()}"


def _content(photo_sha: str) -> ChartContent:
    point = InjectionPoint(100.0, 80.0, "botox", Decimal("4"), zone="procerus", id="p9")
    return ChartContent(views=(ViewChart("frown", photo_sha, points=(point,)),), note=_note())


# Every service call that carries the patient's name or date of birth into SQL.
OPERATIONS: dict[str, Callable[[Store, Setup], object]] = {
    "create_patient": lambda st, su: patients.create_patient(
        st, GIVEN, FAMILY, DOB, record_number=f"{FAMILY}-1961", notes=_note()
    ),
    "create_patients": lambda st, su: patients.create_patients(
        st, [patients.NewPatient(GIVEN, FAMILY, DOB, notes=_note())]
    ),
    "update_patient": lambda st, su: patients.update_patient(
        st, su.charted.patient_id, GIVEN, FAMILY, DOB, None, _note(), reason="Name changed"
    ),
    "likely_duplicates": lambda st, su: patients.likely_duplicates(st, GIVEN, FAMILY, DOB),
    "search_patients": lambda st, su: patients.search_patients(st, f"{GIVEN} {FAMILY}"),
    "start_visit": lambda st, su: visits.start_visit(
        st, su.ours_id, su.charted.clinician_id, "neurotoxin", notes=_note()
    ),
    "save_version": lambda st, su: charts.save_version(
        st,
        su.charted.visit_id,
        _content(su.charted.photo_sha),
        parent_version_id=su.charted.v1.id,
        saved_by_id=su.charted.clinician_id,
        comment=_note(),
    ),
    "add_photo": lambda st, su: photos.add_photo_bytes(
        st,
        su.ours_id,
        "rest",
        jpeg_bytes(face_image(120, 150)),
        filename=f"{FAMILY} {DOB.isoformat()}.jpg",
    ),
}
WRITES = {"create_patient", "create_patients", "update_patient", "start_visit", "save_version"}


def _prepare(store: Store) -> Setup:
    charted = make_charted(store)
    ours = patients.create_patient(store, GIVEN, FAMILY, DOB)
    return Setup(charted, ours.id)


def _run_all(store: Store, setup: Setup) -> dict[str, BaseException]:
    failures: dict[str, BaseException] = {}
    for name, op in OPERATIONS.items():
        try:
            op(store, setup)
        except Exception as exc:  # every kind the services let out
            failures[name] = exc
    return failures


def _assert_clean(failures: dict[str, BaseException], log: Path) -> str:
    for name, exc in failures.items():
        printed = "".join(traceback.format_exception(exc)).lower()  # as Python prints it
        for secret in SECRETS:
            assert secret not in str(exc).lower(), (name, secret, str(exc))
            assert secret not in printed, (name, secret, printed)
        log_error(exc, log)
    written = log.read_text(encoding="utf-8")
    for secret in SECRETS:
        assert secret not in written.lower(), (secret, written)
    return written


# --- SQLite: every fault ---------------------------------------------------------------------


def _fault_read_only(path: Path) -> Store:
    return open_store(sqlite_url(path, read_only=True))


def _fault_constraint(path: Path) -> Store:
    store = open_store(sqlite_url(path))
    with store.engine.begin() as conn:  # one family name per patient: a second one violates
        conn.execute(text("CREATE UNIQUE INDEX fault_family ON patient (family_name)"))
    return store


def _fault_schema_drift(path: Path) -> Store:
    store = open_store(sqlite_url(path))
    with store.engine.begin() as conn:
        for table in ("patient", "patient_search_token", "visit", "chart_version", "photo"):
            conn.execute(text(f"ALTER TABLE {table} RENAME TO {table}_moved"))
    return store


def _fault_folder_gone(path: Path) -> Store:
    store = open_store(sqlite_url(path))
    store.dispose()  # every connection closed, then the folder (a USB stick) is gone
    shutil.move(path.parent, path.parent.with_name("unplugged"))
    return store


SQLITE_FAULTS: dict[str, Callable[[Path], Store]] = {
    "read_only": _fault_read_only,
    "constraint": _fault_constraint,
    "schema_drift": _fault_schema_drift,
    "folder_gone": _fault_folder_gone,
}
# which error each fault must give to the create_patient call (proof the fault happened)
EXPECTED_KIND = {
    "read_only": "ReadOnlyDatabaseError",
    "locked": "DatabaseLockedError",
    "constraint": "IntegrityError",
    "schema_drift": "OperationalError",
    "folder_gone": "DatabaseUnavailableError",
}


@pytest.mark.parametrize("fault", sorted(SQLITE_FAULTS))
def test_sqlite_faults_keep_names_and_birth_dates_out_of_errors_and_log(
    tmp_path: Path, fault: str
) -> None:
    path = tmp_path / "clinic" / "facechart.db"
    first = open_store(sqlite_url(path))
    try:
        setup = _prepare(first)
    finally:
        first.dispose()
    store = SQLITE_FAULTS[fault](path)
    try:
        failures = _run_all(store, setup)
    finally:
        store.dispose()
    must_fail = {"create_patient", "create_patients", "update_patient"}
    if fault != "constraint":
        must_fail = WRITES
    assert must_fail <= failures.keys(), (fault, failures)
    assert type(failures["create_patient"]).__name__ == EXPECTED_KIND[fault]
    written = _assert_clean(failures, tmp_path / "logs" / "facechart-errors.log")
    assert EXPECTED_KIND[fault] in written  # the log has the error, only not the patient


def test_sqlite_locked_keeps_names_and_birth_dates_out_of_errors_and_log(tmp_path: Path) -> None:
    path = tmp_path / "facechart.db"
    first = open_store(sqlite_url(path))
    try:
        setup = _prepare(first)
    finally:
        first.dispose()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    store = open_store(sqlite_url(path), busy_timeout_ms=50)
    try:
        failures = _run_all(store, setup)
    finally:
        other.close()
        store.dispose()
    assert WRITES <= failures.keys()
    assert type(failures["create_patient"]).__name__ == EXPECTED_KIND["locked"]
    written = _assert_clean(failures, tmp_path / "facechart-errors.log")
    assert "DatabaseLockedError" in written


def test_error_text_still_says_what_failed(tmp_path: Path) -> None:
    """Hiding the values keeps the rest: the log says which statement and which constraint."""
    path = tmp_path / "facechart.db"
    first = open_store(sqlite_url(path))
    try:
        _prepare(first)
    finally:
        first.dispose()
    store = _fault_constraint(path)
    try:
        with pytest.raises(Exception) as info:
            patients.create_patient(store, GIVEN, FAMILY, DOB)
    finally:
        store.dispose()
    log = tmp_path / "facechart-errors.log"
    written = _assert_clean({"create_patient": info.value}, log)
    assert "UNIQUE constraint failed: patient.family_name" in written
    assert "[SQL: INSERT INTO patient" in written
    assert "Traceback (most recent call last):" in written
    assert "create_patient" in written  # the frames are kept


# --- PostgreSQL: the faults a server has too (its DETAIL line quotes the row) ------------------


@pytest.mark.skipif(not PG_URL, reason="FACECHART_TEST_PG names no server")
@pytest.mark.parametrize("fault", ["constraint", "schema_drift"])
def test_postgres_faults_keep_names_and_birth_dates_out_of_errors_and_log(
    tmp_path: Path, fault: str
) -> None:
    assert PG_URL
    reset_postgres(PG_URL)
    store = open_store(PG_URL)
    try:
        setup = _prepare(store)
        with store.engine.begin() as conn:
            if fault == "constraint":
                conn.execute(text("CREATE UNIQUE INDEX fault_family ON patient (family_name)"))
            else:
                for table in ("patient", "patient_search_token", "visit", "chart_version", "photo"):
                    conn.execute(text(f"ALTER TABLE {table} RENAME TO {table}_moved"))
        failures = _run_all(store, setup)
    finally:
        store.dispose()
    must_fail = {"create_patient", "create_patients", "update_patient"}
    assert must_fail <= failures.keys(), failures
    kind = {"constraint": "IntegrityError", "schema_drift": "ProgrammingError"}[fault]
    assert type(failures["create_patient"]).__name__ == kind
    written = _assert_clean(failures, tmp_path / "facechart-errors.log")
    assert kind in written
