"""Linking an imported look-alike patient or keeping them apart (issue #12, ADR 0023), and the
admin-only archive calls the screens use, on real files: a link moves the imported visits and
photos to the patient here, every version keeps its hash and `check` passes; a second import
of a newer archive adds to the linked patient; "keep apart" moves nothing and stops the
listing; only an admin may do any of it; the preview reads an archive without writing."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.services import archive, charts, patient_links, patients, visits
from app.services.access import NotAllowedError
from app.services.integrity import check_store
from app.services.practitioners import create_practitioner, default_practitioner
from app.store.database import Store
from app.store.schema import AuditEvent, ChartVersion, Patient, PatientLink, Photo, Visit
from tests.app.chart_factory import glabella
from tests.app.test_archive import PASS, Source, _versions, exported, source

__all__ = ["exported", "source"]  # the fixtures, shared with test_archive


def _count(store: Store, model: type, **where: int) -> int:
    with store.read() as s:
        q = select(func.count()).select_from(model)
        for k, v in where.items():
            q = q.where(getattr(model, k) == v)
        return s.scalar(q) or 0


def _look_alike(store: Store, exported: Path) -> tuple[int, int, int]:
    """The admin here, the patient here, the imported look-alike."""
    admin = default_practitioner(store)
    here = patients.create_patient(store, "Zoe", "MARTIN", date(1984, 3, 12))
    report = archive.import_for(store, admin.id, exported, PASS)
    (twin,) = report.look_alikes
    assert twin.existing_id == here.id
    return admin.id, here.id, twin.imported_id


def test_link_moves_the_imported_visits_and_photos_and_every_chain_verifies(
    source: Source, exported: Path, store: Store
) -> None:
    admin, here, imported = _look_alike(store, exported)
    visits_before = _count(store, Visit, patient_id=imported)
    photos_before = _count(store, Photo, patient_id=imported)
    assert visits_before == 3 and photos_before == 3

    result = patient_links.link(store, admin, imported, here)

    assert (result.visits_moved, result.photos_moved) == (3, 3)
    assert _count(store, Visit, patient_id=here) == 3
    assert _count(store, Photo, patient_id=here) == 3
    assert _count(store, Visit, patient_id=imported) == 0
    assert _versions(store) == _versions(source.store)  # no hash changed
    report = check_store(store)
    assert report.intact, report.alterations
    # the imported row stays (its UUID) but is no longer listed or found
    assert _count(store, Patient) == 3
    assert imported not in {p.id for p in patients.recent_patients(store)}
    assert imported not in {p.id for p in patients.search_patients(store, "martin").patients}
    assert archive.possible_duplicates(store) == []
    assert patient_links.decision(store, imported) == "linked"
    with store.read() as s:
        kinds = s.scalars(select(AuditEvent.kind).where(AuditEvent.kind == "patient_linked"))
        assert len(kinds.all()) == 3 + 3 + 1  # each moved record, and the link itself


def test_check_accepts_the_move_before_any_checkpoint_signs_it(
    exported: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The moved records are explained by the audit trail, not accused, when the checkpoint
    after the link could not be written (a full disk)."""
    admin, here, imported = _look_alike(store, exported)
    monkeypatch.setattr(patient_links, "checkpoint_quietly", lambda *a, **k: None)
    patient_links.link(store, admin, imported, here)
    report = check_store(store)
    assert report.intact, report.alterations


def test_a_newer_archive_adds_to_the_linked_patient(
    source: Source, exported: Path, store: Store, tmp_path: Path
) -> None:
    admin, here, imported = _look_alike(store, exported)
    patient_links.link(store, admin, imported, here)
    # the other clinic goes on: a new visit and chart for Zoë, exported again
    later = visits.start_visit(
        source.store,
        source.zoe,
        default_practitioner(source.store).id,
        "neurotoxin",
        date(2026, 11, 20),
    )
    charts.save_version(
        source.store, later.id, glabella(None), parent_version_id=None, saved_by_id=None
    )
    newer = tmp_path / "newer.zip"
    archive.export_archive(source.store, newer, PASS)

    report = archive.import_for(store, admin, newer, PASS)

    assert report.created.get("patients") is None and report.look_alikes == []
    assert report.created["visits"] == 1 and report.created["chart_versions"] == 1
    assert _count(store, Visit, patient_id=here) == 4
    assert _count(store, Visit, patient_id=imported) == 0
    assert _versions(store) == _versions(source.store)
    assert check_store(store).intact
    again = archive.import_for(store, admin, newer, PASS)
    assert again.created == {}


def test_keep_apart_moves_nothing_and_is_not_listed_again(exported: Path, store: Store) -> None:
    admin, here, imported = _look_alike(store, exported)
    (pending, origin), *others = archive.pending_look_alikes(store)
    assert others == [] and origin == "Clinic North"
    assert (pending.imported_id, pending.existing_id) == (imported, here)
    patient_links.keep_apart(store, admin, imported, here)
    assert _count(store, Visit, patient_id=imported) == 3
    assert _count(store, Visit, patient_id=here) == 0
    assert archive.possible_duplicates(store) == []
    assert archive.pending_look_alikes(store) == []
    assert {here, imported} <= {p.id for p in patients.recent_patients(store)}
    assert patient_links.decision(store, imported) == "apart"
    with pytest.raises(patient_links.LinkRefusedError):  # decided once
        patient_links.link(store, admin, imported, here)


def test_only_an_admin_exports_imports_or_links(
    source: Source, exported: Path, store: Store, tmp_path: Path
) -> None:
    admin = default_practitioner(store)
    nurse = create_practitioner(store, "Nurse Here")
    with pytest.raises(NotAllowedError):
        archive.import_for(store, nurse.id, exported, PASS)
    assert _count(store, ChartVersion) == 0
    with pytest.raises(NotAllowedError):
        archive.export_for(store, nurse.id, tmp_path / "out.zip", PASS)
    assert not (tmp_path / "out.zip").exists()
    here = patients.create_patient(store, "Zoe", "Martin", date(1984, 3, 12))
    (twin,) = archive.import_for(store, admin.id, exported, PASS).look_alikes
    for act in (patient_links.link, patient_links.keep_apart):
        with pytest.raises(NotAllowedError):
            act(store, nurse.id, twin.imported_id, here.id)
    assert _count(store, PatientLink) == 0


def test_a_patient_here_cannot_be_linked_as_if_imported(store: Store) -> None:
    admin = default_practitioner(store)
    a = patients.create_patient(store, "Ann", "Lee", date(1980, 1, 1))
    b = patients.create_patient(store, "Ann", "Lee", date(1980, 1, 1), "R2")
    with pytest.raises(patient_links.LinkRefusedError):
        patient_links.link(store, admin.id, b.id, a.id)


def test_preview_reads_an_archive_and_writes_nothing(
    source: Source, exported: Path, store: Store, tmp_path: Path
) -> None:
    seen = archive.preview(exported, PASS)
    assert seen.clinic == "Clinic North" and seen.scope == "all"
    assert seen.counts["patients"] == 2 and seen.counts["chart_versions"] == 3
    with source.store.read() as s:
        newest = s.scalar(select(func.max(ChartVersion.saved_at)))
    assert newest is not None and seen.newest_save is not None
    assert seen.newest_save.startswith(newest.strftime("%Y-%m-%dT%H:%M:%S"))
    assert _count(store, Patient) == 0
    with pytest.raises(archive.ArchiveReadError, match="passphrase"):
        archive.preview(exported, "not the passphrase")
    stray = tmp_path / "photos.zip"
    with zipfile.ZipFile(stray, "w") as zf:
        zf.writestr("a.txt", "hello")
    with pytest.raises(archive.ArchiveReadError, match="not a FaceChart archive"):
        archive.preview(stray, PASS)


def test_a_link_leaves_the_imported_trail_as_written_and_the_export_carries_it(
    exported: Path, store: Store, tmp_path: Path
) -> None:
    """The other clinic's audit trail is append-only (the rooms' role has no UPDATE on it,
    app/server/grants.py): a link never rewrites it, and exporting the patient here still
    carries it, found through the link."""
    import json

    from app.archive import layout, sealed
    from app.store.schema import ImportedAuditEvent

    admin, here, imported = _look_alike(store, exported)
    with store.read() as s:
        before = s.execute(select(ImportedAuditEvent.id, ImportedAuditEvent.patient_id)).all()
    ours = [i for i, p in before if p in (here, imported)]
    assert any(p == imported for _, p in before)
    patient_links.link(store, admin, imported, here)
    with store.read() as s:
        after = s.execute(select(ImportedAuditEvent.id, ImportedAuditEvent.patient_id)).all()
    assert after == before
    out = tmp_path / "here.zip"
    archive.export_for(store, admin, out, PASS, patient_id=here)
    plain = tmp_path / "plain.zip"
    with open(plain, "wb") as fh:
        sealed.decrypt_to(out, PASS, fh)
    with zipfile.ZipFile(plain) as zf:
        carried = json.loads(zf.read(layout.AUDIT))["imported_events"]
    assert len(carried) == len(ours)
