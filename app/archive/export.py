"""Writing a portable archive (issue #12, ADR 0023): every record of the clinic (or of one
patient) as documented JSON plus the photo originals, in a ZIP encrypted as it is written,
then read back and every SHA-256 checked before the file takes its name.

Each chart version's content is assembled from its parts and its hash recomputed before it is
written: an archive never carries a version that would not verify on import.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.archive import gather, layout, readback, sealed, writing
from app.archive.layout import b64, day, iso
from app.backup.container import BackupKey
from app.domain.values import utcnow
from app.store import audit_log
from app.store.database import Store
from app.store.errors import NotFoundError
from app.store.private import restrict
from app.store.schema import (
    AuditEvent,
    Base,
    Chart,
    ChartSignature,
    ChartVersion,
    ImportedAuditEvent,
    Patient,
    PatientDetailChange,
    PatientLink,
    Photo,
    Practitioner,
    PractitionerKey,
    Product,
    Setting,
    View,
    Visit,
    new_uuid,
)

CLINIC_SETTING = "clinic_name"  # the clinic's name, as reports print it
UUID_MODELS: tuple[type[Base], ...] = (
    Practitioner,
    PractitionerKey,
    Patient,
    Visit,
    Photo,
    Chart,
    ChartVersion,
    ChartSignature,
    PatientDetailChange,
    AuditEvent,
)
Progress = Callable[[str, float], None]


def _noop(step: str, done: float) -> None:
    pass


class ExportError(ValueError):
    """The archive could not be written (a folder, a disk): exit 2."""


@dataclass
class ExportReport:
    path: Path
    counts: dict[str, int]
    size_bytes: int


@dataclass
class _Refs:
    """Practitioner ids → UUIDs, remembering which the exported records name (a one-patient
    archive carries only those)."""

    uuids: dict[int, str]
    named: set[int] = field(default_factory=set)

    def __call__(self, pid: int | None) -> str | None:
        if pid is None:
            return None
        self.named.add(pid)
        return self.uuids[pid]


def clinic_name(s: Session) -> str:
    setting = s.get(Setting, CLINIC_SETTING)
    return setting.value if setting else ""


def ensure_uuids(store: Store) -> int:
    """Give a UUID to any row without one (a row written by raw SQL after migration 0009);
    returns how many were given. Every exported record must be identifiable."""
    given = 0
    with store.write() as s:
        for model in UUID_MODELS:
            key = model.__mapper__.primary_key[0]
            column = model.__table__.c.uuid
            for pk in s.scalars(select(key).where(column.is_(None))).all():
                s.execute(update(model).where(key == pk).values(uuid=new_uuid()))
                given += 1
    return given


def _error(row: Visit | Photo, prac: _Refs) -> dict[str, Any] | None:
    if row.error_at is None:
        return None
    return {"at": iso(row.error_at), "by": prac(row.error_by_id), "reason": row.error_reason}


def _version_json(
    v: ChartVersion,
    canonical: bytes,
    signatures: list[ChartSignature],
    prac: _Refs,
    keys: dict[int, str],
) -> dict[str, Any]:
    return {
        "uuid": v.uuid,
        "version_no": v.version_no,
        "content": canonical.decode("utf-8"),
        "content_hash": v.content_hash,
        "parent_hash": v.parent_hash,
        "saved_at": iso(v.saved_at),
        "saved_by": prac(v.saved_by_id),
        "comment": v.comment,
        "amend_reason": v.amend_reason,
        "signatures": [
            {
                "uuid": g.uuid,
                "practitioner": prac(g.practitioner_id),
                "key": keys[g.key_id],
                "kind": g.kind,
                "content_hash": g.content_hash,
                "signed_at": iso(g.signed_at),
                "signature": b64(g.signature),
                "origin_clinic": g.origin_clinic,
            }
            for g in signatures
        ],
    }


def _patient_json(
    s: Session, batch: gather.Batch, p: Patient, prac: _Refs, keys: dict[int, str]
) -> tuple[dict[str, Any], dict[str, int]]:
    counts = {"visits": 0, "photos": 0, "chart_versions": 0, "signatures": 0}
    visits = batch.visits.get(p.id, [])
    visit_uuid = {v.id: v.uuid for v in visits}
    out_visits = []
    for v in visits:
        chart = batch.charts.get(v.id)
        chart_json = None
        if chart is not None:
            versions = batch.versions.get(chart.id, [])
            canonical = gather.canonical_versions(s, versions)
            vjson = [
                _version_json(ver, c, batch.signatures.get(ver.id, []), prac, keys)
                for ver, c in zip(versions, canonical, strict=True)
            ]
            counts["chart_versions"] += len(vjson)
            counts["signatures"] += sum(len(x["signatures"]) for x in vjson)
            chart_json = {
                "uuid": chart.uuid,
                "created_at": iso(chart.created_at),
                "versions": vjson,
            }
        counts["visits"] += 1
        out_visits.append(
            {
                "uuid": v.uuid,
                "visit_date": day(v.visit_date),
                "practitioner": prac(v.practitioner_id),
                "treatment_type": v.treatment_type,
                "touch_up_of": visit_uuid.get(v.touch_up_of_id) if v.touch_up_of_id else None,
                "notes": v.notes,
                "created_at": iso(v.created_at),
                "entered_in_error": _error(v, prac),
                "chart": chart_json,
            }
        )
    out_photos = []
    for ph, view_code in batch.photos.get(p.id, []):
        counts["photos"] += 1
        out_photos.append(
            {
                "uuid": ph.uuid,
                "visit": visit_uuid.get(ph.visit_id) if ph.visit_id else None,
                "view": view_code,
                "sha256": ph.blob_sha256,
                "captured_at": iso(ph.captured_at),
                "taken_by": prac(ph.taken_by_id),
                "source": ph.source,
                "original_filename": ph.original_filename,
                "rotation": ph.rotation,
                "width": ph.width,
                "height": ph.height,
                "created_at": iso(ph.created_at),
                "entered_in_error": _error(ph, prac),
            }
        )
    return {
        "uuid": p.uuid,
        "given_name": p.given_name,
        "family_name": p.family_name,
        "date_of_birth": day(p.date_of_birth),
        "record_number": p.record_number,
        "notes": p.notes,
        "created_at": iso(p.created_at),
        "origin_clinic": p.origin_clinic,
        "consent": {
            "photography_consent_at": iso(p.photography_consent_at),
            "by": prac(p.photography_consent_by_id),
        },
        "detail_history": [
            {
                "uuid": c.uuid,
                "field": c.field,
                "old_value": c.old_value,
                "new_value": c.new_value,
                "reason": c.reason,
                "changed_at": iso(c.changed_at),
                "changed_by": prac(c.changed_by_id),
            }
            for c in batch.changes.get(p.id, [])
        ],
        "visits": out_visits,
        "photos": out_photos,
    }, counts


def _uuids(s: Session, model: type[Patient] | type[Visit], ids: set[int]) -> dict[int, str]:
    """The UUIDs of these rows, a few hundred per query (one query per event cost ~1 s on a
    clinic's audit trail)."""
    out: dict[int, str] = {}
    wanted = sorted(ids)
    for at in range(0, len(wanted), 500):
        rows = s.execute(select(model.id, model.uuid).where(model.id.in_(wanted[at : at + 500])))
        out.update({pk: uuid for pk, uuid in rows})
    return out


def _event_json(
    e: AuditEvent, prac: _Refs, patient_uuids: dict[int, str], visit_uuids: dict[int, str]
) -> dict[str, Any]:
    return {
        "uuid": e.uuid,
        "seq": e.seq,
        "at": iso(e.at),
        "kind": e.kind,
        "actor_id": e.actor_id,
        "actor": prac(e.actor_id),
        "patient_id": e.patient_id,
        "patient": None if e.patient_id is None else patient_uuids.get(e.patient_id),
        "visit_id": e.visit_id,
        "visit": None if e.visit_id is None else visit_uuids.get(e.visit_id),
        "subject": e.subject,
        "detail": e.detail,
        "prev_hash": e.prev_hash,
        "event_hash": e.event_hash,
    }


def _practitioners_json(s: Session, ids: set[int] | None) -> list[dict[str, Any]]:
    q = select(Practitioner).order_by(Practitioner.id)
    if ids is not None:
        q = q.where(Practitioner.id.in_(ids or {-1}))
    out = []
    for p in s.scalars(q):
        pkeys = s.scalars(
            select(PractitionerKey)
            .where(PractitionerKey.practitioner_id == p.id)
            .order_by(PractitionerKey.id)
        )
        out.append(
            {
                "uuid": p.uuid,
                "name": p.name,
                "role": p.role,
                "active": p.active,
                "created_at": iso(p.created_at),
                "origin_clinic": p.origin_clinic,
                # public halves only: a PIN, a password or a sealed private key never leaves
                "keys": [
                    {
                        "uuid": k.uuid,
                        "public_key": b64(k.public_key),
                        "created_at": iso(k.created_at),
                        "retired_at": iso(k.retired_at),
                        "origin_clinic": k.origin_clinic,
                    }
                    for k in pkeys
                ],
            }
        )
    return out


def _catalogue_json(s: Session) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    views = [
        {"code": v.code, "name": v.name, "instruction": v.instruction, "active": v.active}
        for v in s.scalars(select(View).order_by(View.sort_order, View.id))
    ]
    products = [
        {
            "code": p.code,
            "name": p.name,
            "generic_name": p.generic_name,
            "kind": p.kind,
            "unit_label": p.unit_label,
            "active": p.active,
        }
        for p in s.scalars(select(Product).order_by(Product.id))
    ]
    return views, products


def _write_zip(
    store: Store,
    zf: zipfile.ZipFile,
    patient_id: int | None,
    progress: Progress,
    done: Callable[[zipfile.ZipInfo, str], None],
) -> dict[str, Any]:
    w = writing.EntryWriter(zf, done)
    counts = {
        "patients": 0,
        "visits": 0,
        "photos": 0,
        "photo_files": 0,
        "chart_versions": 0,
        "signatures": 0,
    }
    photo_shas: set[str] = set()
    with store.read() as s:
        clinic = clinic_name(s)
        prac = _Refs({i: u for i, u in s.execute(select(Practitioner.id, Practitioner.uuid))})
        keys = {i: u for i, u in s.execute(select(PractitionerKey.id, PractitionerKey.uuid))}
        q = select(Patient.id).order_by(Patient.id)
        if patient_id is not None:
            q = q.where(Patient.id == patient_id)
        ids = list(s.scalars(q))
        if patient_id is not None and not ids:
            raise NotFoundError(f"No patient {patient_id}.")
        scope_uuid = None
        for start in range(0, len(ids), gather.BATCH):
            batch = gather.load_batch(s, ids[start : start + gather.BATCH])
            for p in batch.patients:
                scope_uuid = p.uuid
                pjson, pcounts = _patient_json(s, batch, p, prac, keys)
                photo_shas.update(ph["sha256"] for ph in pjson["photos"])
                w.json(layout.patient_file(p.uuid), pjson)
                counts["patients"] += 1
                for k, v in pcounts.items():
                    counts[k] += v
            s.expunge_all()  # a clinic of many patients never sits in memory at once
            progress("Writing patients", 0.5 * min(start + gather.BATCH, len(ids)) / len(ids))
        events_q = select(AuditEvent).order_by(AuditEvent.seq)
        imported_q = select(ImportedAuditEvent).order_by(ImportedAuditEvent.id)
        if patient_id is not None:
            events_q = events_q.where(AuditEvent.patient_id == patient_id)
            linked = select(PatientLink.imported_patient_id).where(
                PatientLink.existing_patient_id == patient_id, PatientLink.decision == "linked"
            )  # an imported trail stays on the imported row a link joined to this patient
            imported_q = imported_q.where(
                (ImportedAuditEvent.patient_id == patient_id)
                | ImportedAuditEvent.patient_id.in_(linked)
            )
        rows = list(s.scalars(events_q))
        patient_uuids = _uuids(s, Patient, {e.patient_id for e in rows if e.patient_id})
        visit_uuids = _uuids(s, Visit, {e.visit_id for e in rows if e.visit_id})
        events = [_event_json(e, prac, patient_uuids, visit_uuids) for e in rows]
        imported = [
            {
                "uuid": e.uuid,
                "origin_clinic": e.origin_clinic,
                "at": iso(e.at),
                "kind": e.kind,
                "record": e.record,
            }
            for e in s.scalars(imported_q)
        ]
        w.json(layout.AUDIT, {"events": events, "imported_events": imported})
        views, products = _catalogue_json(s)
        practitioners = _practitioners_json(s, prac.named if patient_id is not None else None)
        w.json(
            layout.CLINIC,
            {"practitioners": practitioners, "views": views, "products": products},
        )
        # Photo originals last, a piece at a time: a 24 MP original is 6–10 MB.
        blobs = writing.Blobs(s)
        try:
            for n, sha in enumerate(sorted(photo_shas)):
                w.photo(sha, *blobs.read(sha))
                counts["photo_files"] += 1
                progress("Writing photos", 0.5 + 0.3 * (n + 1) / max(len(photo_shas), 1))
        finally:
            blobs.close()
        revision = s.connection().exec_driver_sql("SELECT version_num FROM alembic_version")
        schema = revision.scalar()
    counts["practitioners"] = len(practitioners)
    counts["audit_events"] = len(events)
    manifest = {
        "format": layout.FORMAT_NAME,
        "version": layout.FORMAT_VERSION,
        "created": iso(utcnow()),
        "clinic": clinic,
        "scope": {"patient": scope_uuid} if patient_id is not None else "all",
        "source_schema": schema,
        "counts": counts,
        "files": w.files,
    }
    data = layout.json_bytes(manifest)
    zf.writestr(layout.MANIFEST, data, zipfile.ZIP_STORED)
    w.record(layout.MANIFEST, hashlib.sha256(data).hexdigest(), len(data))  # checked too
    return manifest


def export_archive(
    store: Store,
    out: Path,
    passphrase: str,
    *,
    patient_id: int | None = None,
    actor_id: int | None = None,
    progress: Progress = _noop,
) -> ExportReport:
    """Write the archive to `out`, verify it, and record the export in the audit log."""
    if not out.parent.is_dir():
        raise ExportError(f"The folder {out.parent} cannot be found.")
    ensure_uuids(store)
    partial = out.with_name(out.name + ".partial")
    # Argon2id (~0.5 s, in C without the GIL) runs while the records' JSON is gathered: the
    # writer waits for the key only when it seals its first chunk. The same thread later
    # waits on the fsync while the read-back decrypts and hashes.
    helper = ThreadPoolExecutor(1, thread_name_prefix="archive-kdf")
    try:
        try:
            with open(partial, "wb") as f:
                restrict(partial, 0o600)
                # the read-back runs beside the writing: it decrypts and hashes each entry
                # from the file once the writer has flushed it (ADR 0023)
                flushed = readback.Written()
                writer = sealed.SealingWriter(
                    f,
                    helper.submit(BackupKey.from_passphrase, passphrase),
                    {"created": iso(utcnow())},
                    flushed,
                )
                beside = readback.Beside(partial, lambda: writer.key, flushed)
                try:
                    with zipfile.ZipFile(writer, "w", allowZip64=True) as zf:
                        manifest = _write_zip(store, zf, patient_id, progress, beside.add)
                    writer.close()
                except BaseException:
                    writer.abandon()
                    beside.stop()
                    raise
                f.flush()
                # the fsync (~0.4 s of waiting on the disk) overlaps the read-back's end, which
                # reads what the written file holds either way; the file takes its name after
                # both
                synced = helper.submit(os.fsync, f.fileno())
                try:
                    progress("Verifying", 0.8)
                    beside.finish(writer.written)
                finally:
                    unsynced = synced.exception()  # waits for it, whatever the read-back said
                if unsynced is not None:
                    raise unsynced
        except OSError as exc:
            raise ExportError(
                f"The archive could not be written to {out.parent}: {exc.strerror or exc}. "
                "Check the disk has room and is not write-protected."
            ) from None
        os.replace(partial, out)
    finally:
        helper.shutdown(wait=True)
        partial.unlink(missing_ok=True)
    counts: dict[str, int] = manifest["counts"]
    with store.write() as s:
        audit_log.append(
            s,
            "export",
            actor_id,
            patient_id=patient_id,
            subject="archive",
            detail=(
                f"portable archive of {counts['patients']} patient(s), "
                f"{counts['chart_versions']} chart version(s), {counts['photos']} photo(s)"
            ),
        )
    progress("Done", 1.0)
    return ExportReport(out, counts, out.stat().st_size)
