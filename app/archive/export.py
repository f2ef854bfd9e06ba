"""Writing a portable archive (issue #12, ADR 0023): every record of the clinic (or of one
patient) as documented JSON plus the photo originals, in a ZIP encrypted as it is written,
then read back and every SHA-256 checked before the file takes its name.

Each chart version's content is assembled from its parts and its hash recomputed before it is
written: an archive never carries a version that would not verify on import.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.archive import layout, sealed
from app.archive.layout import ArchiveVerificationError, b64, day, iso
from app.backup.container import BackupKey
from app.domain.canonical import dumps
from app.domain.values import utcnow
from app.store import audit_log, chart_parts
from app.store.database import Store
from app.store.errors import NotFoundError
from app.store.hash_chain import hash_canonical
from app.store.private import restrict, session_temp_dir
from app.store.schema import (
    AuditEvent,
    Base,
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
    """Practitioners the exported records name (a one-patient archive carries only those)."""

    ids: set[int] = field(default_factory=set)

    def uuid(self, s: Session, pid: int | None, cache: dict[int, str]) -> str | None:
        if pid is None:
            return None
        self.ids.add(pid)
        if pid not in cache:
            cache[pid] = s.scalar(select(Practitioner.uuid).where(Practitioner.id == pid)) or ""
        return cache[pid]


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


def _error(row: Visit | Photo, prac: Callable[[int | None], str | None]) -> dict[str, Any] | None:
    if row.error_at is None:
        return None
    return {"at": iso(row.error_at), "by": prac(row.error_by_id), "reason": row.error_reason}


class _Writer:
    """Adds files to the ZIP and remembers each one's SHA-256 and size for the manifest."""

    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf = zf
        self.files: dict[str, dict[str, Any]] = {}

    def json(self, name: str, obj: Any) -> None:
        data = layout.json_bytes(obj)
        self.zf.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
        self.files[name] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}

    def photo(self, sha256: str, data: bytes) -> None:
        # Stored, never recompressed: JPEG does not shrink, and the bytes stay the original's.
        # The name is the store's SHA-256; read-back verification hashes the bytes themselves.
        name = layout.photo_file(sha256)
        self.zf.writestr(name, data, compress_type=zipfile.ZIP_STORED)
        self.files[name] = {"sha256": sha256, "bytes": len(data)}


def _version_json(
    s: Session, v: ChartVersion, prac: Callable[[int | None], str | None], keys: dict[int, str]
) -> dict[str, Any]:
    manifest = chart_parts.decode_manifest(v.manifest)
    parts = chart_parts.read_parts(s, chart_parts.manifest_shas(manifest))
    try:
        canonical = dumps(chart_parts.assemble(manifest, parts))
    except KeyError as exc:
        raise ArchiveVerificationError(
            f"Chart version {v.id} cannot be read ({exc}); run `check`. Nothing was written."
        ) from None
    if hash_canonical(canonical, v.parent_hash) != v.content_hash:
        raise ArchiveVerificationError(
            f"Chart version {v.id} does not match its hash; run `check`. Nothing was written."
        )
    signatures = s.scalars(
        select(ChartSignature)
        .where(ChartSignature.chart_version_id == v.id)
        .order_by(ChartSignature.id)
    ).all()
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
                "key": keys.get(g.key_id)
                or s.scalar(select(PractitionerKey.uuid).where(PractitionerKey.id == g.key_id)),
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
    s: Session, p: Patient, prac: Callable[[int | None], str | None], photo_shas: set[str]
) -> tuple[dict[str, Any], dict[str, int]]:
    counts = {"visits": 0, "photos": 0, "chart_versions": 0, "signatures": 0}
    visits = s.scalars(select(Visit).where(Visit.patient_id == p.id).order_by(Visit.id)).all()
    visit_uuid = {v.id: v.uuid for v in visits}
    keys: dict[int, str] = {}
    out_visits = []
    for v in visits:
        chart = s.scalar(select(Chart).where(Chart.visit_id == v.id))
        chart_json = None
        if chart is not None:
            versions = s.scalars(
                select(ChartVersion)
                .where(ChartVersion.chart_id == chart.id)
                .order_by(ChartVersion.version_no)
            ).all()
            vjson = [_version_json(s, ver, prac, keys) for ver in versions]
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
    for ph in s.scalars(select(Photo).where(Photo.patient_id == p.id).order_by(Photo.id)):
        photo_shas.add(ph.blob_sha256)
        counts["photos"] += 1
        out_photos.append(
            {
                "uuid": ph.uuid,
                "visit": visit_uuid.get(ph.visit_id) if ph.visit_id else None,
                "view": ph.view.code,
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
    history = s.scalars(
        select(PatientDetailChange)
        .where(PatientDetailChange.patient_id == p.id)
        .order_by(PatientDetailChange.id)
    ).all()
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
            for c in history
        ],
        "visits": out_visits,
        "photos": out_photos,
    }, counts


def _event_json(
    e: AuditEvent, prac: Callable[[int | None], str | None], s: Session
) -> dict[str, Any]:
    def uuid_of(model: type[Patient] | type[Visit], pk: int | None) -> str | None:
        return None if pk is None else s.scalar(select(model.uuid).where(model.id == pk))

    return {
        "uuid": e.uuid,
        "seq": e.seq,
        "at": iso(e.at),
        "kind": e.kind,
        "actor_id": e.actor_id,
        "actor": prac(e.actor_id),
        "patient_id": e.patient_id,
        "patient": uuid_of(Patient, e.patient_id),
        "visit_id": e.visit_id,
        "visit": uuid_of(Visit, e.visit_id),
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
    store: Store, zf: zipfile.ZipFile, patient_id: int | None, progress: Progress
) -> dict[str, Any]:
    w = _Writer(zf)
    counts = {
        "patients": 0,
        "visits": 0,
        "photos": 0,
        "photo_files": 0,
        "chart_versions": 0,
        "signatures": 0,
    }
    refs, cache = _Refs(), dict[int, str]()
    photo_shas: set[str] = set()
    with store.read() as s:
        clinic = clinic_name(s)

        def prac(pid: int | None) -> str | None:
            return refs.uuid(s, pid, cache)

        q = select(Patient.id).order_by(Patient.id)
        if patient_id is not None:
            q = q.where(Patient.id == patient_id)
        ids = s.scalars(q).all()
        if patient_id is not None and not ids:
            raise NotFoundError(f"No patient {patient_id}.")
        scope_uuid = None
        for n, pid in enumerate(ids):
            p = s.get(Patient, pid)
            assert p is not None
            scope_uuid = p.uuid
            pjson, pcounts = _patient_json(s, p, prac, photo_shas)
            w.json(layout.patient_file(p.uuid), pjson)
            counts["patients"] += 1
            for k, v in pcounts.items():
                counts[k] += v
            s.expunge_all()  # a clinic of many patients never sits in memory at once
            progress("Writing patients", 0.5 * (n + 1) / max(len(ids), 1))
        events_q = select(AuditEvent).order_by(AuditEvent.seq)
        imported_q = select(ImportedAuditEvent).order_by(ImportedAuditEvent.id)
        if patient_id is not None:
            events_q = events_q.where(AuditEvent.patient_id == patient_id)
            imported_q = imported_q.where(ImportedAuditEvent.patient_id == patient_id)
        events = [_event_json(e, prac, s) for e in s.scalars(events_q)]
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
        practitioners = _practitioners_json(s, refs.ids if patient_id is not None else None)
        w.json(
            layout.CLINIC,
            {"practitioners": practitioners, "views": views, "products": products},
        )
        # Photo originals last, one at a time: a 24 MP original is 6–10 MB.
        for n, sha in enumerate(sorted(photo_shas)):
            data = s.scalar(select(PhotoBlob.data).where(PhotoBlob.sha256 == sha))
            if data is None:
                raise ArchiveVerificationError(
                    f"The photo {sha[:12]}… is missing from the database; run `check`."
                )
            w.photo(sha, data)
            counts["photo_files"] += 1
            progress("Writing photos", 0.5 + 0.3 * (n + 1) / max(len(photo_shas), 1))
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
    zf.writestr(layout.MANIFEST, layout.json_bytes(manifest), zipfile.ZIP_DEFLATED)
    return manifest


def verify_archive_file(
    path: Path, passphrase: str | BackupKey, work: Path
) -> layout.VerifiedArchive:
    """Decrypt into `work` and check every file's SHA-256 against the manifest."""
    plain = work / "verify.zip"
    try:
        with open(plain, "wb") as out:
            restrict(plain, 0o600)
            sealed.decrypt_to(path, passphrase, out)
        with zipfile.ZipFile(plain) as zf:
            return layout.verify_zip(zf)
    except (sealed.DamagedArchiveError, zipfile.BadZipFile) as exc:
        raise ArchiveVerificationError(str(exc)) from None
    finally:
        plain.unlink(missing_ok=True)


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
    key = BackupKey.from_passphrase(passphrase)
    partial = out.with_name(out.name + ".partial")
    work = Path(tempfile.mkdtemp(prefix="export-", dir=session_temp_dir("facechart-archive-")))
    try:
        try:
            with open(partial, "wb") as f:
                restrict(partial, 0o600)
                writer = sealed.SealingWriter(f, key, {"created": iso(utcnow())})
                with zipfile.ZipFile(writer, "w", allowZip64=True) as zf:
                    manifest = _write_zip(store, zf, patient_id, progress)
                writer.close()
                f.flush()
                os.fsync(f.fileno())
        except OSError as exc:
            raise ExportError(
                f"The archive could not be written to {out.parent}: {exc.strerror or exc}. "
                "Check the disk has room and is not write-protected."
            ) from None
        progress("Verifying", 0.8)
        verify_archive_file(partial, key, work)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
        for leftover in work.iterdir():
            leftover.unlink(missing_ok=True)
        work.rmdir()
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
