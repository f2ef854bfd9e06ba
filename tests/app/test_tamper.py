"""Tamper evidence that holds (issue #11, ADRs 0018 and 0019): each of the 12 kinds of
tampering the issue lists, done with raw SQL behind FaceChart's back on a real SQLite file and
on PostgreSQL, after a signed checkpoint: `check` exits 1 and names the record. And no false
alarm: many saves, a legitimate edit of a patient and a new checkpoint stay intact."""

from __future__ import annotations

import stat
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from app import cli
from app.domain.chart import ChartContent, InjectionPoint, ViewChart
from app.integrity.checkpoints import checkpoints_file, database_id
from app.integrity.signing import KEY_FILE, InstallationSigner
from app.services import charts, patients, photos, practitioners, visits
from app.services.integrity import check_store, write_checkpoint
from app.store.database import Store
from bench._tamper_kinds import KINDS, Target, named, raw
from tests.app.fault_helpers import content_v1, content_v2
from tests.images import face_image, jpeg_bytes


@dataclass(frozen=True)
class Clinic:
    target: Target
    touch_up_visit_id: int
    other_photo_id: int


def _content_v3(sha: str) -> ChartContent:
    v2 = content_v2(sha)
    view = v2.views[0]
    extra = InjectionPoint(60.0, 90.0, "botox", Decimal("2"), zone="frontalis", id="p4")
    return ChartContent(
        views=(ViewChart(view.view, sha, view.strokes, (*view.points, extra)),), note="v3"
    )


def build_clinic(store: Store) -> Clinic:
    """Two patients; the first has a visit with two photos and a three-version chart and a
    touch-up visit; the second has a visit with a photo and a one-version chart."""
    who = practitioners.default_practitioner(store)
    ada = patients.create_patient(store, "Ada", "Lovelace", date(1985, 12, 10))
    grace = patients.create_patient(store, "Grace", "Hopper", date(1966, 12, 9))
    visit = visits.start_visit(store, ada.id, who.id, "neurotoxin", date(2026, 10, 1))
    touch_up = visits.start_visit(
        store, ada.id, who.id, "neurotoxin", date(2026, 10, 15), touch_up_of_id=visit.id
    )
    other_visit = visits.start_visit(store, grace.id, who.id, "neurotoxin", date(2026, 10, 2))
    frown = photos.add_photo_bytes(
        store, ada.id, "frown", jpeg_bytes(face_image(160, 200)), visit_id=visit.id
    )
    photos.add_photo_bytes(
        store, ada.id, "rest", jpeg_bytes(face_image(160, 200, seed=1)), visit_id=visit.id
    )
    other = photos.add_photo_bytes(
        store, grace.id, "frown", jpeg_bytes(face_image(160, 200, seed=2)), visit_id=other_visit.id
    )
    ids = []
    parent = None
    for content in (content_v1(frown.sha256), content_v2(frown.sha256), _content_v3(frown.sha256)):
        parent = charts.save_version(
            store, visit.id, content, parent_version_id=parent, saved_by_id=who.id
        ).id
        ids.append(parent)
    charts.save_version(
        store,
        other_visit.id,
        content_v1(other.sha256),
        parent_version_id=None,
        saved_by_id=who.id,
    )
    with store.read() as s:
        chart_id = s.execute(
            text("SELECT id FROM chart WHERE visit_id = :v"), {"v": visit.id}
        ).scalar_one()
    target = Target(
        ada.id, chart_id, visit.id, tuple(ids), frown.id, frown.sha256, grace.id, other_visit.id
    )
    return Clinic(target, touch_up.id, other.id)


def _url(store: Store) -> str:
    return store.url.render_as_string(hide_password=False)


def _check(store: Store, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = cli.main(["--db", _url(store), "check"])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and code != 2, err
    return code, out.splitlines()


@pytest.fixture
def clinic(store: Store) -> Clinic:
    built = build_clinic(store)
    write_checkpoint(store, "test")
    return built


def test_an_untouched_clinic_is_intact(store: Store, clinic: Clinic, capsys):
    code, lines = _check(store, capsys)
    assert code == 0, lines
    assert lines[-1].startswith("checked 1 checkpoints, 4 chart versions"), lines
    assert lines[-1].endswith("intact"), lines


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_kind_of_tampering_is_caught_and_named(
    store: Store, clinic: Clinic, kind: str, capsys: pytest.CaptureFixture[str]
):
    expected = KINDS[kind](store, clinic.target)
    code, lines = _check(store, capsys)
    assert code == 1, lines
    assert named(expected, lines), (expected, lines)
    assert lines[-1].startswith("checked ") and "altered row(s)" in lines[-1]


# Records a screen shows beyond the 12 kinds: each change is named after a checkpoint.
ALSO_COVERED = {
    "photo view": (
        "UPDATE photo SET view_id = (SELECT id FROM view WHERE code = 'smile') WHERE id = :photo",
        "photo id={photo} ",
    ),
    "photo capture time": (
        "UPDATE photo SET captured_at = created_at WHERE id = :photo",
        "photo id={photo} ",
    ),
    "photo rotation": ("UPDATE photo SET rotation = 1 WHERE id = :photo", "photo id={photo} "),
    "photo entered in error": (
        "UPDATE photo SET error_at = created_at, error_reason = 'x' WHERE id = :photo",
        "photo id={photo} ",
    ),
    "visit date": (
        "UPDATE visit SET visit_date = '2020-01-01' WHERE id = :visit",
        "visit id={visit} ",
    ),
    "visit type": (
        "UPDATE visit SET treatment_type = 'filler' WHERE id = :visit",
        "visit id={visit} ",
    ),
    "touch-up link": (
        "UPDATE visit SET touch_up_of_id = NULL WHERE id = :touch_up",
        "visit id={touch_up} ",
    ),
    "visit un-marked": (
        "UPDATE visit SET error_at = NULL WHERE id = :visit",
        "visit id={visit} ",
    ),
    "consent": (
        "UPDATE patient SET photography_consent_at = created_at WHERE id = :patient",
        "patient id={patient}",
    ),
    "record number": (
        "UPDATE patient SET record_number = 'X1' WHERE id = :patient",
        "patient id={patient}",
    ),
    "practitioner's name": (
        "UPDATE practitioner SET name = 'Someone' WHERE id = 1",
        "practitioner id=1",
    ),
}


@pytest.mark.parametrize("case", list(ALSO_COVERED))
def test_what_else_a_screen_shows_is_covered(
    store: Store, clinic: Clinic, case: str, capsys: pytest.CaptureFixture[str]
):
    t = clinic.target
    if case == "visit un-marked":  # an error mark lifted: first a real one, then a checkpoint
        visits.mark_visit_in_error(store, t.visit_id, 1, "wrong patient")
        write_checkpoint(store, "test")
    sql, expected = ALSO_COVERED[case]
    ids = {"photo": t.photo_id, "visit": t.visit_id, "patient": t.patient_id}
    ids["touch_up"] = clinic.touch_up_visit_id
    raw(store, [(sql, {k: v for k, v in ids.items() if f":{k}" in sql})])
    code, lines = _check(store, capsys)
    assert code == 1, lines
    assert named([expected.format(**ids)], lines), (expected, lines)


def test_no_false_alarm_after_many_saves_an_edit_and_a_new_checkpoint(
    store: Store, clinic: Clinic, capsys: pytest.CaptureFixture[str]
):
    t = clinic.target
    who = practitioners.default_practitioner(store)
    head = t.versions[-1]
    content = charts.load_version(store, head).content
    for i in range(12):
        view = content.views[0]
        point = InjectionPoint(10.0 + i, 20.0, "botox", Decimal("1"), zone="frontalis", id=f"n{i}")
        content = ChartContent(
            views=(ViewChart(view.view, view.photo_sha256, view.strokes, (*view.points, point)),)
        )
        head = charts.save_version(
            store, t.visit_id, content, parent_version_id=head, saved_by_id=who.id
        ).id
        if i % 4 == 3:
            write_checkpoint(store, "sign-off")
    patients.update_patient(
        store, t.patient_id, "Ada", "King", date(1985, 12, 11), "R7", "moved", reason="Moved"
    )
    patients.record_photography_consent(store, t.patient_id, who.id)
    photos.mark_photo_in_error(store, clinic.other_photo_id, who.id, "blurred")
    visits.start_visit(store, t.other_patient_id, who.id, "neurotoxin")
    write_checkpoint(store, "sign-out")
    code, lines = _check(store, capsys)
    assert code == 0, lines
    assert lines[-1].startswith("checked 5 checkpoints, 16 chart versions"), lines


def test_changes_the_app_records_after_a_checkpoint_are_not_accused(
    store: Store, clinic: Clinic, capsys: pytest.CaptureFixture[str]
):
    """A patient's details corrected and a photo marked in error through FaceChart, with no
    checkpoint since: the audit trail records both, so `check` waits for the next checkpoint
    instead of crying tampering; the same kind of change made by SQL is still named."""
    t = clinic.target
    who = practitioners.default_practitioner(store)
    patients.update_patient(
        store, t.patient_id, "Ada", "King", date(1985, 12, 11), "R7", "moved", reason="Moved"
    )
    photos.mark_photo_in_error(store, clinic.other_photo_id, who.id, "blurred")
    code, lines = _check(store, capsys)
    assert code == 0, lines
    with store.engine.begin() as conn:  # the other patient, behind FaceChart's back
        conn.execute(
            text("UPDATE patient SET family_name = 'Forged' WHERE id = :p"),
            {"p": t.other_patient_id},
        )
    code, lines = _check(store, capsys)
    assert code == 1
    assert any(f"patient id={t.other_patient_id}" in line for line in lines), lines
    assert not any(f"patient id={t.patient_id} " in line for line in lines), lines


def test_records_newer_than_the_last_checkpoint_are_counted_not_accused(
    store: Store, clinic: Clinic, capsys: pytest.CaptureFixture[str]
):
    t = clinic.target
    charts.save_version(
        store,
        t.visit_id,
        content_v1(t.photo_sha),
        parent_version_id=t.versions[-1],
        saved_by_id=None,
    )
    code, lines = _check(store, capsys)
    assert code == 0, lines
    # the version and its save event in the audit trail
    assert "2 record(s) newer than the last checkpoint" in lines[-1]


def test_a_deletion_signed_over_by_a_later_checkpoint_is_still_named(
    store: Store, clinic: Clinic, capsys: pytest.CaptureFixture[str]
):
    """The app closes (a checkpoint) after someone deleted the newest version: the later
    checkpoint holds the chart without it, but a version is never removed."""
    expected = KINDS["delete_newest_version"](store, clinic.target)
    write_checkpoint(store, "sign-out")
    code, lines = _check(store, capsys)
    assert code == 1, lines
    assert named(expected, lines) and any("gone at checkpoint 2" in line for line in lines), lines


def _checkpoint_db_id(store: Store) -> str:
    with store.read() as s:
        db = database_id(s)
    assert db
    return db


def test_a_removed_checkpoint_is_named_from_the_checkpoints_file(
    store: Store, clinic: Clinic, capsys: pytest.CaptureFixture[str]
):
    """Delete the newest version and the checkpoint that holds it: the copy outside the
    database still names the checkpoint."""
    write_checkpoint(store, "sign-out")
    raw(
        store,
        [
            ("DELETE FROM checkpoint_entry WHERE seq = 2", {}),
            ("DELETE FROM checkpoint WHERE seq = 2", {}),
        ],
    )
    code, lines = _check(store, capsys)
    assert code == 1, lines
    assert any(line.startswith("MISSING checkpoint seq=2") for line in lines), lines


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE checkpoint_entry SET label = 'x' WHERE seq = 1 AND key = 'patient/1'",
        "DELETE FROM checkpoint_entry WHERE seq = 1 AND key = 'patient/1'",
        "UPDATE checkpoint SET signature = statement WHERE seq = 1",
    ],
)
def test_an_altered_checkpoint_is_named(
    store: Store, clinic: Clinic, sql: str, capsys: pytest.CaptureFixture[str]
):
    raw(store, [(sql, {})])
    code, lines = _check(store, capsys)
    assert code == 1, lines
    assert any(line.startswith("ALTERED checkpoint seq=1") for line in lines), lines


def test_a_checkpoint_signed_by_a_stranger_is_not_trusted(
    store: Store, clinic: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """Someone with the database but not the key file makes a key of their own and signs a
    checkpoint over their change: it is named, and the change still is."""
    stranger = InstallationSigner.load_or_create(tmp_path / "elsewhere")
    KINDS["patient_name_and_birth"](store, clinic.target)
    write_checkpoint(store, "forged", signer=stranger)
    raw(store, [("DELETE FROM installation_key WHERE public_key = :k", {"k": stranger.public_key})])
    code, lines = _check(store, capsys)
    assert code == 1, lines
    assert any("seq=2" in line and "does not trust" in line for line in lines), lines
    assert any(line.startswith(f"ALTERED patient id={clinic.target.patient_id}") for line in lines)


def test_key_and_checkpoints_file_are_owner_only(store: Store, clinic: Clinic, integrity_dir: Path):
    key = integrity_dir / KEY_FILE
    copies = checkpoints_file(_checkpoint_db_id(store), integrity_dir)
    for path in (key, copies):
        assert path.exists(), path
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        assert path.stat().st_uid == __import__("os").getuid()
    assert stat.S_IMODE(integrity_dir.stat().st_mode) in (0o700, 0o755)  # made by pytest
    assert len(key.read_bytes()) == 32
    assert copies.read_text().count("\n") == 1


def test_check_report_without_any_checkpoint_is_row_level_only(store: Store):
    build_clinic(store)
    report = check_store(store)
    assert report.intact and report.checkpoints_checked == 0


def test_migration_0008_hashes_the_screen_images_already_stored(store: Store):
    """Photos stored before 0008 get their display and thumbnail hashes, and a database id."""
    from alembic import command

    from app.store.database import alembic_config, open_store

    clinic = build_clinic(store)
    url = _url(store)
    store.dispose()
    plain = create_engine(url)  # SQLite's batch copy of photo_blob needs foreign keys off
    with plain.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0007")
    plain.dispose()
    again = open_store(url)
    try:
        with again.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT display_jpeg, thumb_jpeg, display_sha256, thumb_sha256 FROM photo_blob"
                )
            ).all()
            db_id = conn.execute(
                text("SELECT value FROM setting WHERE key = 'database_id'")
            ).scalar_one()
        assert len(rows) == 3 and len(db_id) == 32
        for display, thumb, display_sha, thumb_sha in rows:
            assert display_sha == __import__("hashlib").sha256(display).hexdigest()
            assert thumb_sha == __import__("hashlib").sha256(thumb).hexdigest()
        assert check_store(again).intact
        KINDS["replace_screen_images"](again, clinic.target)
        assert not check_store(again).intact
    finally:
        again.dispose()


def test_check_splices_the_same_canonical_bytes_and_summary_as_saving():
    """check hashes a version from its parts' own bytes and sums its points from the points
    parts (fast, ADR 0025): the same bytes and summary as `dumps` and `version_summary`."""
    from app.domain.canonical import content_from_json, content_to_json, dumps
    from app.domain.totals import version_summary
    from app.integrity.rows import _summary
    from app.store.chart_parts import splice, split_json
    from bench import _store_data as data

    shas: dict[str, str | None] = {v: None for v in data.VIEWS}
    shas["frown"] = "ab" * 32
    contents = [content_to_json(data.chart(shas, 1200, 1600, 60, 24, 40, seed=s)) for s in (1, 2)]
    contents.append(content_to_json(content_v2("cd" * 32)))
    odd = content_to_json(content_v1("ef" * 32))
    odd["note"] = 'Zoë "Ø" \\ 👍 \u2028'
    odd["views"]["frown"]["overlays"] = [
        {"version_hash": "01" * 32, "photo_sha256": "02" * 32, "mapping": '{"m": [1.5, 2]}'}
    ]
    contents.append(odd)
    for content in contents:
        manifest, parts = split_json(content)
        raw = {sha: data_ for sha, (_kind, data_) in parts.items()}
        assert splice(manifest, raw) == dumps(content)
        if "overlays" not in content["views"]["frown"]:
            assert _summary(manifest, raw, {}) == version_summary(content_from_json(content))


def test_a_stranger_registering_a_key_in_a_sqlite_file_is_not_trusted(
    sqlite_store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """A SQLite database is one laptop's: only that laptop's key (and practitioners') sign."""
    clinic = build_clinic(sqlite_store)
    write_checkpoint(sqlite_store, "sign-out")
    KINDS["patient_name_and_birth"](sqlite_store, clinic.target)
    stranger = InstallationSigner.load_or_create(tmp_path / "elsewhere")
    write_checkpoint(sqlite_store, "forged", signer=stranger)  # registers its key, too
    code, lines = _check(sqlite_store, capsys)
    assert code == 1, lines
    assert any("seq=2" in line and "does not trust" in line for line in lines), lines
    assert any(line.startswith(f"ALTERED patient id={clinic.target.patient_id}") for line in lines)


def test_a_record_hash_is_sha256_of_its_canonical_json():
    """ADR 0025's format, pinned: sorted keys, no whitespace, UTF-8, times as UTC ISO 8601."""
    import hashlib
    from datetime import UTC, datetime

    from app.integrity.records import record_hash

    fields = {"saved_at": datetime(2026, 11, 30, 9, 12, tzinfo=UTC), "name": "Zoë", "n": None}
    text_ = '{"n":null,"name":"Zoë","saved_at":"2026-11-30T09:12:00+00:00"}'
    assert record_hash(fields) == hashlib.sha256(text_.encode("utf-8")).digest()


def test_check_runs_on_a_database_from_before_checkpoints(
    store: Store, capsys: pytest.CaptureFixture[str]
):
    """`check` never migrates: a 0006 database gets the checks its rows allow, exit 0, and
    says it has no checkpoints; its photos' bytes are still checked."""
    from alembic import command

    from app.store.database import alembic_config

    clinic = build_clinic(store)
    url = _url(store)
    store.dispose()
    plain = create_engine(url)
    with plain.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0007")
    plain.dispose()
    code = cli.main(["--db", url, "check"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "no checkpoints yet" in out and ": intact" in out
    KINDS["units_and_photo_bytes"](store, clinic.target)
    code = cli.main(["--db", url, "check"])
    out = capsys.readouterr().out
    assert code == 1 and f"photo_blob sha256={clinic.target.photo_sha}" in out, out


def test_the_short_code_for_reports_names_the_checkpoint(store: Store, clinic: Clinic):
    from app.integrity.checkpoints import code_matches, latest_code

    code = latest_code(store)
    assert code is not None and code.startswith("CP1-") and len(code) == 18
    assert code_matches(store, code) and code_matches(store, code.lower())
    raw(store, [("UPDATE checkpoint SET statement = :b WHERE seq = 1", {"b": bytes(168)})])
    assert not code_matches(store, code)
    assert not code_matches(store, "CPx-AAAA") and not code_matches(store, "CP9-AAAA-AAAA-AAAA")
