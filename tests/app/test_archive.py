"""The portable archive (issue #12, ADR 0023) on real files: a clinic on SQLite exported and
imported into a fresh SQLite file and into PostgreSQL (when FACECHART_TEST_PG is set) keeps
every version's content hash and every photo's bytes; a second import adds nothing; a
look-alike patient is listed, never merged; a tampered archive writes nothing."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.archive import layout, sealed
from app.backup import container
from app.backup.container import BackupKey
from app.security.keys import verify as verify_signature
from app.services import (
    archive,
    audit,
    charts,
    credentials,
    patients,
    photos,
    recall,
    signoff,
    visits,
)
from app.services.integrity import check_store
from app.services.practitioners import create_practitioner, default_practitioner
from app.store.database import Store, open_store, sqlite_url
from app.store.schema import (
    AuditEvent,
    Chart,
    ChartSignature,
    ChartVersion,
    ImportedAuditEvent,
    Patient,
    PatientDetailChange,
    Photo,
    PhotoBlob,
    Practitioner,
    PractitionerKey,
    Setting,
    Visit,
)
from tests.app.chart_factory import glabella, point
from tests.images import face_image, jpeg_bytes

REPO = Path(__file__).resolve().parents[2]
PASS = "correct horse battery staple"
COUNTED = (
    Patient,
    Visit,
    Photo,
    PhotoBlob,
    Chart,
    ChartVersion,
    ChartSignature,
    Practitioner,
    PractitionerKey,
    PatientDetailChange,
    ImportedAuditEvent,
)


@dataclass
class Source:
    store: Store
    zoe: int  # a patient with two visits, a signed chart of two versions, a touch-up
    ada: int  # another patient, one visit
    url: str


def _build_source(path: Path) -> Source:
    store = open_store(sqlite_url(path))
    admin = default_practitioner(store)
    nurse = create_practitioner(store, "Nurse Ng")
    signer = credentials.set_credentials(store, nurse.id, "4821", "a long password")
    with store.write() as s:
        s.add(Setting(key="clinic_name", value="Clinic North"))
    zoe = patients.create_patient(store, "Zoë", "Martin", date(1984, 3, 12), "FC-1", "allergy")
    patients.record_photography_consent(store, zoe.id, nurse.id)
    with store.write() as s:
        s.add(
            PatientDetailChange(
                patient_id=zoe.id,
                field="family_name",
                old_value="Martín",
                new_value="Martin",
                reason="typo",
                changed_by_id=admin.id,
            )
        )
    first = visits.start_visit(store, zoe.id, nurse.id, "neurotoxin", date(2026, 10, 1))
    shas = []
    for seed, view in enumerate(("frown", "rest")):
        rec = photos.add_photo_bytes(
            store, zoe.id, view, jpeg_bytes(face_image(seed=seed)), visit_id=first.id
        )
        shas.append(rec.sha256)
    v1 = charts.save_version(
        store, first.id, glabella(shas[0]), parent_version_id=None, saved_by_id=nurse.id
    )
    content = glabella(shas[0])
    frown = content.views[0]
    edited = content.with_view(
        type(frown)(frown.view, frown.photo_sha256, frown.strokes, (*frown.points, point(9, 9)))
    )
    v2 = charts.save_version(
        store, first.id, edited, parent_version_id=v1.id, saved_by_id=nurse.id, comment="more"
    )
    with store.write() as s:
        at = datetime(2026, 9, 1, 10, 30, tzinfo=UTC)
        message = signoff.signed_message(
            "sign",
            s.get_one(ChartVersion, v2.id).uuid,
            v2.content_hash,
            s.get_one(Practitioner, nurse.id).uuid,
            at,
            None,
        )
        s.add(
            ChartSignature(
                chart_version_id=v2.id,
                practitioner_id=nurse.id,
                key_id=credentials.key_id_of(signer),
                kind="sign",
                content_hash=v2.content_hash,
                signed_at=at,
                signature=signer.sign(message),
            )
        )
    touch = visits.start_visit(
        store, zoe.id, nurse.id, "neurotoxin", date(2026, 10, 15), touch_up_of_id=first.id
    )
    extra = photos.add_photo_bytes(
        store, zoe.id, "frown", jpeg_bytes(face_image(seed=5)), visit_id=touch.id
    )
    photos.mark_photo_in_error(store, extra.id, admin.id, "wrong patient")
    wrong = visits.start_visit(store, zoe.id, admin.id, "neurotoxin", date(2026, 10, 16))
    visits.mark_visit_in_error(store, wrong.id, admin.id, "opened twice")
    ada = patients.create_patient(store, "Ada", "Okafor", date(1990, 1, 2))
    other = visits.start_visit(store, ada.id, admin.id, "neurotoxin", date(2026, 11, 1))
    rec = photos.add_photo_bytes(
        store, ada.id, "frown", jpeg_bytes(face_image(seed=9)), visit_id=other.id
    )
    charts.save_version(
        store, other.id, glabella(rec.sha256), parent_version_id=None, saved_by_id=admin.id
    )
    audit.record(store, "open_patient", nurse.id, patient_id=zoe.id)
    audit.record(store, "open_patient", admin.id, patient_id=ada.id)
    audit.record(store, "sign_in", admin.id)
    return Source(store, zoe.id, ada.id, sqlite_url(path))


@pytest.fixture
def source(tmp_path: Path) -> Iterator[Source]:
    src = _build_source(tmp_path / "source.db")
    yield src
    src.store.dispose()


@pytest.fixture
def exported(source: Source, tmp_path: Path) -> Path:
    out = tmp_path / "clinic.zip"
    archive.export_archive(source.store, out, PASS)
    return out


def _counts(store: Store) -> dict[str, int]:
    with store.read() as s:
        return {
            m.__tablename__: s.scalar(select(func.count()).select_from(m)) or 0 for m in COUNTED
        }


def _versions(store: Store) -> dict[str, tuple[str, str, int, str]]:
    with store.read() as s:
        return {
            v.uuid: (v.content_hash, v.parent_hash, v.version_no, v.comment)
            for v in s.scalars(select(ChartVersion))
        }


def _photo_bytes(store: Store) -> dict[str, str]:
    """Photo uuid → SHA-256 of the bytes stored for it (computed here, not read from a column)."""
    with store.read() as s:
        rows = s.execute(select(Photo.uuid, PhotoBlob.data).join(PhotoBlob))
        return {u: hashlib.sha256(data).hexdigest() for u, data in rows}


def test_export_then_import_keeps_every_hash_photo_and_signature(
    source: Source, exported: Path, store: Store
) -> None:
    report = archive.import_archive(store, exported, PASS)

    assert report.clinic == "Clinic North"
    assert _versions(store) == _versions(source.store)
    assert _photo_bytes(store) == _photo_bytes(source.store)
    assert len(_versions(store)) == 3 and len(_photo_bytes(store)) == 4
    target_check = check_store(store)
    assert target_check.intact, target_check.alterations
    assert target_check.versions_checked == 3
    with store.read() as s:
        zoe = s.scalar(select(Patient).where(Patient.given_name == "Zoë"))
        assert zoe is not None and zoe.photography_consent_at is not None
        assert zoe.record_number == "FC-1" and zoe.notes == "allergy"
        assert zoe.origin_clinic == "Clinic North"
        assert patients.search_patients(store, "zoe").total == 1
        (sig,) = s.scalars(select(ChartSignature)).all()
        key = s.get(PractitionerKey, sig.key_id)
        assert key is not None and key.origin_clinic == "Clinic North"
        assert sig.origin_clinic == "Clinic North"  # shown as "signed at Clinic North"
        signer_uuid = s.get_one(Practitioner, sig.practitioner_id).uuid
        signed_version = s.get_one(ChartVersion, sig.chart_version_id)
        message = signoff.signed_message(
            sig.kind, signed_version.uuid, sig.content_hash, signer_uuid, sig.signed_at, None
        )
        assert verify_signature(key.public_key, sig.signature, message)
        assert key.sealed_private_key == b""  # the private half never travels
        signed = s.get(ChartVersion, sig.chart_version_id)
        assert signed is not None and signed.version_no == 2
        assert s.get(Practitioner, sig.practitioner_id).name == "Nurse Ng"  # type: ignore[union-attr]  # found above
        touch = s.scalar(select(Visit).where(Visit.touch_up_of_id.is_not(None)))
        assert touch is not None and touch.visit_date == date(2026, 10, 15)
        wrong = s.scalar(select(Visit).where(Visit.error_at.is_not(None)))
        assert wrong is not None and wrong.error_reason == "opened twice"
        in_error = s.scalar(select(Photo).where(Photo.error_at.is_not(None)))
        assert in_error is not None and in_error.error_reason == "wrong patient"
        (change,) = s.scalars(select(PatientDetailChange)).all()
        assert (change.old_value, change.reason, change.patient_id) == ("Martín", "typo", zoe.id)
        # the source's log rides along verbatim (its own hashes), beside this log's chain
        imported = s.scalars(select(ImportedAuditEvent).order_by(ImportedAuditEvent.at)).all()
        kinds = [e.kind for e in imported]
        # every write recorded its own event too (patient_created, save, photo_added, …)
        assert kinds.count("open_patient") == 2 and kinds.count("sign_in") == 1
        assert {"patient_created", "save", "photo_added"} <= set(kinds)
        opened = [e for e in imported if e.kind == "open_patient"]
        assert zoe.id in {e.patient_id for e in opened}
        assert json.loads(imported[0].record)["event_hash"]
        kinds = s.scalars(select(AuditEvent.kind)).all()
        assert kinds == ["import"]
    # the history list shows what the source showed
    with store.read() as s:
        units = {v.uuid: v.units_summary for v in s.scalars(select(ChartVersion))}
    with source.store.read() as s:
        assert units == {v.uuid: v.units_summary for v in s.scalars(select(ChartVersion))}

    # the lot index is written for imported versions too: recall finds the same charts
    def uses(found: recall.RecallResult) -> list[tuple[str, date, object, int]]:
        return [(h.patient, h.visit_date, h.units, h.version_no) for h in found.uses]

    assert uses(recall.recall(store, "C1234")) == uses(recall.recall(source.store, "C1234"))
    assert uses(recall.recall(store, "C1234"))


def test_importing_the_same_archive_twice_creates_nothing_twice(
    exported: Path, store: Store
) -> None:
    archive.import_archive(store, exported, PASS)
    once = _counts(store)
    again = archive.import_archive(store, exported, PASS)
    assert again.created == {}
    assert _counts(store) == once
    assert once["patient"] == 2 and once["chart_version"] == 3


EARLIER_ARCHIVE = REPO / "tests" / "data" / "archive-v1-indented.zip"


def test_an_archive_of_the_earlier_writer_still_imports(store: Store, tmp_path: Path) -> None:
    """tests/data/archive-v1-indented.zip: `_build_source`'s clinic exported (passphrase PASS)
    by the writer of commit 97a84c1, which wrote its JSON indented and deflated; today's writes
    it compact and stored. The import reads both."""
    old_files, old_clinic, _ = _read(EARLIER_ARCHIVE)
    plain = io.BytesIO()
    sealed.decrypt_to(EARLIER_ARCHIVE, PASS, plain)
    with zipfile.ZipFile(plain) as zf:
        kinds = {i.filename: i.compress_type for i in zf.infolist()}
    assert kinds[layout.CLINIC] == zipfile.ZIP_DEFLATED  # the earlier layout, truly
    assert old_files[layout.CLINIC] == json.dumps(
        old_clinic, ensure_ascii=False, indent=1, sort_keys=True
    ).encode("utf-8")

    report = archive.import_archive(store, EARLIER_ARCHIVE, PASS)
    assert report.clinic == "Clinic North"
    counts = _counts(store)
    assert (counts["patient"], counts["chart_version"], counts["photo"]) == (2, 3, 4)
    with store.read() as s:  # every photo's bytes are the original its SHA-256 names
        named = {p.uuid: p.blob_sha256 for p in s.scalars(select(Photo))}
    assert _photo_bytes(store) == named
    checked = check_store(store)
    assert checked.intact and checked.versions_checked == 3

    # today's writer: the same clinic, compact JSON, every entry stored
    src = _build_source(tmp_path / "again.db")
    try:
        out = tmp_path / "now.zip"
        archive.export_archive(src.store, out, PASS)
    finally:
        src.store.dispose()
    new_files, new_clinic, _ = _read(out)
    plain = io.BytesIO()
    sealed.decrypt_to(out, PASS, plain)
    with zipfile.ZipFile(plain) as zf:
        assert {i.compress_type for i in zf.infolist()} == {zipfile.ZIP_STORED}
    assert b"\n" not in new_files[layout.CLINIC]
    assert new_clinic["views"] == old_clinic["views"]


def test_a_photo_larger_than_a_piece_travels_byte_for_byte(
    source: Source, tmp_path: Path, store: Store
) -> None:
    # an original read out of the store in several pieces (and sealed as several chunks)
    big = jpeg_bytes(face_image(seed=11)) + os.urandom(2 * sealed.PIECE_BYTES + 12345)
    rec = photos.add_photo_bytes(source.store, source.ada, "frown", big)
    out = tmp_path / "big.zip"
    archive.export_archive(source.store, out, PASS)
    files, _, _ = _read(out)
    assert files[layout.photo_file(rec.sha256)] == big
    archive.import_archive(store, out, PASS)
    assert _photo_bytes(store) == _photo_bytes(source.store)


def test_a_look_alike_patient_is_listed_and_not_merged(exported: Path, store: Store) -> None:
    here = patients.create_patient(store, "Zoe", "MARTIN", date(1984, 3, 12))
    report = archive.import_archive(store, exported, PASS)
    assert [(x.existing_id, x.name) for x in report.look_alikes] == [(here.id, "Zoë Martin")]
    assert _counts(store)["patient"] == 3
    with store.read() as s:
        mine = s.get(Patient, here.id)
        assert mine is not None and mine.origin_clinic is None
        assert s.scalar(select(func.count(Visit.id)).where(Visit.patient_id == here.id)) == 0
    (pair,) = archive.possible_duplicates(store)
    assert {pair.first.id, pair.second.id} == {here.id, report.look_alikes[0].imported_id}
    assert pair.imported_from == "Clinic North"


def test_one_patient_export_holds_only_that_patient(source: Source, tmp_path: Path) -> None:
    out = tmp_path / "ada.zip"
    archive.export_archive(source.store, out, PASS, patient_id=source.ada)
    files, clinic, events = _read(out)
    with source.store.read() as s:
        ada = s.get(Patient, source.ada)
        assert ada is not None
        names = [n for n in files if n.startswith(layout.PATIENTS_DIR)]
        assert names == [layout.patient_file(ada.uuid)]
        ada_uuid = ada.uuid
        admin = s.scalar(select(Practitioner.name).where(Practitioner.name != "Nurse Ng"))
    assert [p["name"] for p in clinic["practitioners"]] == [admin]
    # only Ada's events: her record's creation, visit, photo and chart, and one opening
    assert {e["patient"] for e in events["events"]} <= {ada_uuid, None}
    assert [e["kind"] for e in events["events"]].count("open_patient") == 1
    photos_in = [n for n in files if n.startswith(layout.PHOTOS_DIR)]
    assert len(photos_in) == 1
    target = open_store(sqlite_url(tmp_path / "other.db"))
    try:
        archive.import_archive(target, out, PASS)
        counts = _counts(target)
        assert (counts["patient"], counts["visit"], counts["chart_version"]) == (1, 1, 1)
    finally:
        target.dispose()


def _read(path: Path) -> tuple[dict[str, bytes], dict, dict]:  # type: ignore[type-arg]
    plain = io.BytesIO()
    sealed.decrypt_to(path, PASS, plain)
    with zipfile.ZipFile(plain) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    return files, json.loads(files[layout.CLINIC]), json.loads(files[layout.AUDIT])


def _rewrite(path: Path, change: Callable[[dict[str, bytes]], None]) -> None:
    """Decrypt, change the files, encrypt again with the same passphrase: what someone holding
    the passphrase could do. The manifest's SHA-256s must catch it."""
    files, _, _ = _read(path)
    change(files)
    with open(path, "wb") as f:
        writer = sealed.SealingWriter(f, BackupKey.from_passphrase(PASS), {})
        with zipfile.ZipFile(writer, "w") as zf:
            for name, data in files.items():
                zf.writestr(name, data)
        writer.close()


def _flip_photo_byte(files: dict[str, bytes]) -> None:
    name = next(n for n in files if n.startswith(layout.PHOTOS_DIR))
    data = bytearray(files[name])
    data[len(data) // 2] ^= 0x01
    files[name] = bytes(data)


def _edit_units(files: dict[str, bytes]) -> None:
    name = next(n for n in files if n.startswith(layout.PATIENTS_DIR))
    files[name] = files[name].replace(b'\\"units\\":\\"4\\"', b'\\"units\\":\\"40\\"')
    assert b'\\"units\\":\\"40\\"' in files[name]


def _run(db: str, *args: str, passphrase: str = PASS) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "main.py", "--db", db, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "FACECHART_PASSPHRASE": passphrase},
    )


@pytest.mark.parametrize("tamper", [_flip_photo_byte, _edit_units], ids=["photo", "json"])
def test_a_tampered_archive_exits_1_and_writes_nothing(
    exported: Path, tmp_path: Path, tamper: Callable[[dict[str, bytes]], None]
) -> None:
    _rewrite(exported, tamper)
    target = tmp_path / "target.db"
    done = _run(sqlite_url(target), "import", str(exported))
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith("error: nothing was imported:")
    assert "SHA-256" in done.stderr and done.stderr.count("\n") == 1
    store = open_store(sqlite_url(target))
    try:
        assert set(_counts(store).values()) == {0}
    finally:
        store.dispose()


def test_a_damaged_file_exits_1_and_a_wrong_passphrase_2(exported: Path, tmp_path: Path) -> None:
    target = sqlite_url(tmp_path / "target.db")
    wrong = _run(target, "import", str(exported), passphrase="not the passphrase")
    assert wrong.returncode == 2
    assert wrong.stderr == "error: The passphrase does not open this archive.\n"
    data = bytearray(exported.read_bytes())
    data[len(data) // 2] ^= 0x10  # one bit of the ciphertext
    exported.write_bytes(bytes(data))
    damaged = _run(target, "import", str(exported))
    assert damaged.returncode == 1 and "damaged" in damaged.stderr
    assert "Traceback" not in damaged.stderr + wrong.stderr
    missing = _run(target, "import", str(tmp_path / "nope.zip"))
    assert missing.returncode == 2 and missing.stderr.startswith("error: no archive")
    backup_file = tmp_path / "a.fcbackup"  # a backup is another kind of file: bad input
    with open(backup_file, "wb") as f:
        container.write(io.BytesIO(b"SQLite format 3\x00"), f, BackupKey.from_passphrase(PASS), {})
    not_archive = _run(target, "import", str(backup_file))
    assert not_archive.returncode == 2
    assert not_archive.stderr == (
        "error: This file is not a FaceChart archive (a backup is restored with `restore`).\n"
    )


def test_command_line_export_and_import_load_only_what_they_use(
    source: Source, tmp_path: Path
) -> None:
    out = tmp_path / "all.zip"
    probe = (
        "import sys, main; sys.argv = ['main.py', *sys.argv[1:]]; code = main.main(); "
        "heavy = [m for m in ('PySide6', 'reportlab', 'cv2', 'dlib') if m in sys.modules]; "
        "print('loaded:', heavy); sys.exit(code)"
    )
    made = subprocess.run(
        [sys.executable, "-c", probe, "--db", source.url, "export", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "FACECHART_PASSPHRASE": PASS},
    )
    assert made.returncode == 0, made.stderr
    assert "exported 2 patients, 4 visits, 3 chart versions, 4 photos" in made.stdout
    assert "verified" in made.stdout and "loaded: []" in made.stdout
    with source.store.read() as s:
        assert s.scalar(select(AuditEvent.kind).order_by(AuditEvent.seq.desc())) == "export"
    target = sqlite_url(tmp_path / "server.db")
    first = _run(target, "import", str(out))
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith(
        "imported from Clinic North: 2 patients, 4 visits, 4 photos, 3 chart versions, 1 signatures"
    )
    second = _run(target, "import", str(out))
    assert second.returncode == 0 and "nothing new" in second.stdout
    check = _run(target, "check")
    assert check.returncode == 0, check.stdout
    no_patient = _run(source.url, "export", str(tmp_path / "x.zip"), "--patient", "999")
    assert no_patient.returncode == 2 and "No patient 999" in no_patient.stderr
    assert not (tmp_path / "x.zip").exists()


def test_migration_gives_existing_rows_a_uuid_and_new_rows_one_on_insert(
    source: Source,
) -> None:
    with source.store.read() as s:
        for model in (Patient, Visit, Photo, Chart, ChartVersion, Practitioner, AuditEvent):
            uuids = s.scalars(select(model.uuid)).all()  # type: ignore[attr-defined]  # each has one
            assert uuids and all(uuids) and len(set(uuids)) == len(uuids)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migration_0009_fills_uuids_of_existing_rows(backend: str, tmp_path: Path) -> None:
    from alembic import command
    from sqlalchemy import text

    from app.store.database import alembic_config, create_store_engine
    from tests.conftest import PG_URL, reset_postgres

    if backend == "postgresql":
        if not PG_URL:
            pytest.skip("FACECHART_TEST_PG is not set")
        reset_postgres(PG_URL)
        url = PG_URL
    else:
        url = sqlite_url(tmp_path / "old.db")
    engine = create_store_engine(url)
    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0007")
        for given in ("Ada", "Zoë"):
            conn.execute(
                text(
                    "INSERT INTO patient (family_name, given_name, date_of_birth, notes, "
                    "created_at, last_seen_at, name_key) VALUES ('Okafor', :g, '1990-01-02', '', "
                    "'2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00', :g)"
                ),
                {"g": given},
            )
    engine.dispose()
    store = open_store(url)
    try:
        with store.read() as s:
            uuids = s.scalars(select(Patient.uuid)).all()
        assert len(uuids) == 2 and all(uuids) and len(set(uuids)) == 2
    finally:
        store.dispose()


def test_the_read_back_finds_every_entry_and_fails_on_a_changed_one(tmp_path: Path) -> None:
    from app.archive import readback
    from app.archive.layout import ArchiveVerificationError

    key = BackupKey.from_passphrase(PASS)
    files = {
        "photos/a": os.urandom(5 * 1024 * 1024),  # spans the 4 MB chunks
        "patients/p.json": json.dumps({"name": "Zoë"} | {str(i): i for i in range(999)}).encode(),
        "photos/b": b"\xff\xd8tiny",
    }
    path = tmp_path / "a.zip"
    with open(path, "wb") as f:
        writer = sealed.SealingWriter(f, key, {})
        with zipfile.ZipFile(writer, "w") as zf:
            for name, data in files.items():
                kind = zipfile.ZIP_DEFLATED if name.endswith(".json") else zipfile.ZIP_STORED
                zf.writestr(name, data, compress_type=kind)
        writer.close()
    expected = {n: hashlib.sha256(d).hexdigest() for n, d in files.items()}
    readback.verify_written(path, key, zf.infolist(), expected, writer.written)
    with pytest.raises(ArchiveVerificationError, match="photos/b did not read back"):
        readback.verify_written(
            path, key, zf.infolist(), {**expected, "photos/b": "0" * 64}, writer.written
        )
    data = bytearray(path.read_bytes())
    data[-100] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(ArchiveVerificationError, match="did not read back"):
        readback.verify_written(path, key, zf.infolist(), expected, writer.written)
    path.write_bytes(bytes(data[: len(data) // 2]))
    with pytest.raises(ArchiveVerificationError, match="cut short"):
        readback.verify_written(path, key, zf.infolist(), expected, writer.written)


def test_the_read_back_beside_the_writing_checks_each_entry_and_stops_with_it(
    tmp_path: Path,
) -> None:
    from app.archive import readback
    from app.archive.layout import ArchiveVerificationError

    key = BackupKey.from_passphrase(PASS)
    files = {"photos/a": os.urandom(9 * 1024 * 1024), "patients/p.json": b'{"a":1}'}

    def write(path: Path, wrong: str | None) -> readback.Beside:
        with open(path, "wb") as f:
            flushed = readback.Written()
            writer = sealed.SealingWriter(f, key, {}, flushed)
            beside = readback.Beside(path, lambda: key, flushed)
            with zipfile.ZipFile(writer, "w") as zf:
                for name, data in files.items():
                    zf.writestr(name, data)
                    sha = "0" * 64 if name == wrong else hashlib.sha256(data).hexdigest()
                    beside.add(zf.infolist()[-1], sha)
            writer.close()
            f.flush()
        beside.finish(writer.written)
        return beside

    write(tmp_path / "a.zip", None)
    with pytest.raises(ArchiveVerificationError, match="photos/a did not read back"):
        write(tmp_path / "b.zip", "photos/a")
    # the writer gives up half way: the read-back waiting for more ends too
    with open(tmp_path / "c.zip", "wb") as f:
        flushed = readback.Written()
        writer = sealed.SealingWriter(f, key, {}, flushed)
        beside = readback.Beside(tmp_path / "c.zip", lambda: key, flushed)
        writer.write(os.urandom(9 * 1024 * 1024))
        writer.abandon()
        beside.stop()
        with pytest.raises(ArchiveVerificationError, match="not written whole"):
            beside.finish(writer.written)


def test_importing_into_an_empty_clinic_server_asks_for_server_init(exported: Path) -> None:
    """Only `server-init`, run with the owner's role, creates or migrates a server's schema
    (issue #13): an import into an empty server database says so and writes nothing."""
    from sqlalchemy import inspect

    from app.store.database import create_store_engine
    from tests.conftest import PG_URL, reset_postgres

    if not PG_URL:
        pytest.skip("FACECHART_TEST_PG is not set")
    reset_postgres(PG_URL)
    done = _run(PG_URL, "import", str(exported))
    assert done.returncode == 2, done.stderr
    assert "server-init" in done.stderr and done.stderr.count("\n") == 1
    engine = create_store_engine(PG_URL)
    try:
        assert inspect(engine).get_table_names() == []
    finally:
        engine.dispose()


class _FailingDisk(io.RawIOBase):
    """A file that takes `room` bytes, then fails as a full disk does."""

    def __init__(self, room: int) -> None:
        super().__init__()
        self.room, self.got = room, 0

    def writable(self) -> bool:
        return True

    def write(self, data: object) -> int:
        n = len(memoryview(data))  # type: ignore[arg-type]
        if self.got + n > self.room:
            raise OSError(28, "No space left on device")
        self.got += n
        return n


def test_the_sealing_writer_waits_for_its_key_and_reports_a_full_disk(tmp_path: Path) -> None:
    """Sealing runs on the writer's own thread and the key may still be being derived: the
    header is written with the first chunk, and a write that fails on the thread is raised to
    the caller (never a silently short archive)."""
    from concurrent.futures import ThreadPoolExecutor

    photo = os.urandom(9 * 1024 * 1024)
    path = tmp_path / "a.zip"
    with ThreadPoolExecutor(1) as pool, open(path, "wb") as f:
        writer = sealed.SealingWriter(f, pool.submit(BackupKey.from_passphrase, PASS), {})
        with zipfile.ZipFile(writer, "w") as zf:
            zf.writestr("photos/a", photo, compress_type=zipfile.ZIP_STORED)
        writer.close()
    plain = io.BytesIO()
    sealed.decrypt_to(path, PASS, plain)  # the passphrase's key check is in the header
    with zipfile.ZipFile(plain) as zf:
        assert zf.read("photos/a") == photo

    disk = _FailingDisk(6 * 1024 * 1024)
    writer = sealed.SealingWriter(disk, BackupKey.from_passphrase(PASS), {})  # type: ignore[arg-type]
    with pytest.raises(OSError, match="No space left"):
        with zipfile.ZipFile(writer, "w") as zf:
            for n in range(4):
                zf.writestr(f"photos/{n}", photo, compress_type=zipfile.ZIP_STORED)
        writer.close()
    writer.abandon()
    assert writer.closed and disk.got <= 6 * 1024 * 1024
