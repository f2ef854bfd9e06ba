"""Loading a portable archive into a database (issue #12, ADR 0023).

First everything is verified (the encryption, the manifest and every file's SHA-256, every
version's hash, every signature, every audit event) and nothing is written if anything fails.
Then records are inserted where their UUID is missing — importing the same archive twice creates
nothing twice — one transaction for the practitioners and catalogue, then one per patient: a
clinic of many patients never holds one huge transaction (SQLite's WAL, the server's memory),
and a run stopped half-way is completed by running it again, the UUIDs skipping what landed.

A patient who looks like one already here (same name and date of birth, another UUID) is never
merged: they are imported as their own patient and listed for the admin to link or keep apart.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from app.archive import layout, sealed
from app.archive import verify as checks
from app.archive.layout import ArchiveVerificationError, from_b64, from_day, from_iso
from app.domain.canonical import content_from_json
from app.domain.names import name_key
from app.domain.totals import version_summary
from app.domain.values import utcnow
from app.services.patient_links import linked_target
from app.services.patients import _token_rows
from app.services.photos import _prepare_blob
from app.store import audit_log, chart_parts, lot_index
from app.store.database import Store
from app.store.private import restrict, session_temp_dir
from app.store.schema import (
    Chart,
    ChartSignature,
    ChartVersion,
    ImportedAuditEvent,
    Patient,
    PatientDetailChange,
    PatientSearchToken,
    Photo,
    PhotoBlob,
    Practitioner,
    PractitionerKey,
    Product,
    View,
    Visit,
)

Progress = Callable[[str, float], None]


def _noop(step: str, done: float) -> None:
    pass


class ArchiveReadError(ValueError):
    """The archive could not be read (wrong passphrase, no such file): exit 2."""


class DivergedChartError(ArchiveVerificationError):
    """A chart here and in the archive went different ways since they were one: exit 1."""


@dataclass(frozen=True, slots=True)
class LookAlike:
    """An imported patient and the patient already here they look like (never merged)."""

    imported_id: int
    existing_id: int
    name: str
    date_of_birth: date


@dataclass
class ImportReport:
    clinic: str
    created: dict[str, int] = field(default_factory=dict)
    look_alikes: list[LookAlike] = field(default_factory=list)

    def add(self, what: str, n: int = 1) -> None:
        self.created[what] = self.created.get(what, 0) + n


@dataclass
class _Ids:
    """Archive UUIDs → this database's ids, filled as records are found or inserted."""

    practitioners: dict[str, int] = field(default_factory=dict)
    keys: dict[str, int] = field(default_factory=dict)
    views: dict[str, int] = field(default_factory=dict)

    def prac(self, uuid: str | None) -> int | None:
        return None if uuid is None else self.practitioners[uuid]


def _by_uuid(s: Session, model: Any, uuids: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    key = model.__mapper__.primary_key[0]
    for i in range(0, len(uuids), 500):
        rows = s.execute(select(model.uuid, key).where(model.uuid.in_(uuids[i : i + 500])))
        out.update((uuid, pk) for uuid, pk in rows)
    return out


def _import_clinic(
    s: Session, clinic: dict[str, Any], origin: str, move: bool, report: ImportReport
) -> _Ids:
    ids = _Ids()
    report_views = {v.code: v.id for v in s.scalars(select(View))}
    for v in clinic["views"]:
        if v["code"] not in report_views:
            view = View(code=v["code"], name=v["name"], instruction=v["instruction"])
            view.active, view.builtin = v["active"], False
            s.add(view)
            s.flush()
            report_views[v["code"]] = view.id
    ids.views = report_views
    products = set(s.scalars(select(Product.code)))
    for p in clinic["products"]:
        if p["code"] not in products:
            s.add(
                Product(
                    code=p["code"],
                    name=p["name"],
                    generic_name=p["generic_name"],
                    kind=p["kind"],
                    unit_label=p["unit_label"],
                    active=p["active"],
                    builtin=False,
                )
            )
    pracs = clinic["practitioners"]
    ids.practitioners = _by_uuid(s, Practitioner, [p["uuid"] for p in pracs])
    ids.keys = _by_uuid(s, PractitionerKey, [k["uuid"] for p in pracs for k in p["keys"]])
    now = utcnow()
    for p in pracs:
        if p["uuid"] not in ids.practitioners:
            row = Practitioner(
                uuid=p["uuid"],
                name=p["name"],
                role=p["role"],
                # Another clinic's practitioners are names on records here, not users; a
                # clinic moving into an empty database keeps its team as it was.
                active=bool(p["active"]) and move,
                created_at=from_iso(p["created_at"]),
                origin_clinic=p["origin_clinic"] or origin,
            )
            s.add(row)
            s.flush()
            ids.practitioners[p["uuid"]] = row.id
            report.add("practitioners")
        for k in p["keys"]:
            if k["uuid"] in ids.keys:
                continue
            key = PractitionerKey(
                uuid=k["uuid"],
                practitioner_id=ids.practitioners[p["uuid"]],
                public_key=from_b64(k["public_key"]),
                # the private half never travels: this key only verifies here, so it is
                # retired, and the practitioner's next password makes a new one
                kdf_salt=b"",
                nonce=b"",
                sealed_private_key=b"",
                created_at=from_iso(k["created_at"]),
                retired_at=from_iso(k["retired_at"]) or now,
                origin_clinic=k["origin_clinic"] or origin,
            )
            s.add(key)
            s.flush()
            ids.keys[k["uuid"]] = key.id
            report.add("public_keys")
    return ids


def _error_fields(mark: dict[str, Any] | None, ids: _Ids) -> dict[str, Any]:
    if mark is None:
        return {}
    return {
        "error_at": from_iso(mark["at"]),
        "error_by_id": ids.prac(mark["by"]),
        "error_reason": mark["reason"],
    }


def _look_alikes(s: Session, patient_id: int, uuid: str, p: dict[str, Any]) -> list[int]:
    keys = {
        name_key(p["given_name"], p["family_name"]),
        name_key(p["family_name"], p["given_name"]),
    }
    return list(
        s.scalars(
            select(Patient.id).where(
                Patient.date_of_birth == from_day(p["date_of_birth"]),
                Patient.name_key.in_(keys),
                Patient.uuid != uuid,
                Patient.id != patient_id,
            )
        )
    )


def _insert_patient(s: Session, p: dict[str, Any], ids: _Ids, report: ImportReport) -> int:
    consent = p["consent"]
    row = Patient(
        uuid=p["uuid"],
        given_name=p["given_name"],
        family_name=p["family_name"],
        date_of_birth=from_day(p["date_of_birth"]),
        record_number=p["record_number"],
        notes=p["notes"],
        created_at=from_iso(p["created_at"]),
        photography_consent_at=from_iso(consent["photography_consent_at"]),
        photography_consent_by_id=ids.prac(consent["by"]),
        name_key=name_key(p["given_name"], p["family_name"]),
        origin_clinic=p["origin_clinic"] or report.clinic,
    )
    s.add(row)
    s.flush()
    s.execute(
        insert(PatientSearchToken),
        _token_rows(row.id, row.given_name, row.family_name, row.record_number),
    )
    report.add("patients")
    for other in _look_alikes(s, row.id, row.uuid, p):
        report.look_alikes.append(
            LookAlike(row.id, other, f"{row.given_name} {row.family_name}", row.date_of_birth)
        )
    return row.id


def _import_versions(
    s: Session, chart_id: int, versions: list[dict[str, Any]], ids: _Ids, report: ImportReport
) -> None:
    have = {
        v.uuid: v for v in s.scalars(select(ChartVersion).where(ChartVersion.chart_id == chart_id))
    }
    parent: ChartVersion | None = None
    for v in versions:
        row = have.get(v["uuid"])
        if row is None:
            taken = any(x.version_no == v["version_no"] for x in have.values())
            if (
                taken
                or (parent is None and have)
                or (parent and parent.version_no + 1 != v["version_no"])
                or (parent and parent.content_hash != v["parent_hash"])
            ):
                raise DivergedChartError(
                    "A chart in the archive has versions this database's copy of it lacks, and "
                    "this database saved others since: the two histories differ. That patient "
                    "was not imported (patients before it were)."
                )
            content = json.loads(v["content"])
            manifest, parts = chart_parts.split_json(content)
            chart_parts.write_parts(s, parts)
            loaded = content_from_json(content)
            points, strokes, units_summary = version_summary(loaded)
            row = ChartVersion(
                uuid=v["uuid"],
                chart_id=chart_id,
                version_no=v["version_no"],
                parent_id=parent.id if parent else None,
                parent_hash=v["parent_hash"],
                content_hash=v["content_hash"],
                manifest=chart_parts.encode_manifest(manifest),
                saved_at=from_iso(v["saved_at"]),
                saved_by_id=ids.prac(v["saved_by"]),
                comment=v["comment"],
                point_count=points,
                stroke_count=strokes,
                units_summary=units_summary,
                amend_reason=v["amend_reason"],
            )
            s.add(row)
            s.flush()
            lot_index.index_version(s, row.id, chart_id, loaded)  # recall's index (ADR 0030)
            have[row.uuid] = row
            report.add("chart_versions")
        signed = _by_uuid(s, ChartSignature, [g["uuid"] for g in v["signatures"]])
        for g in v["signatures"]:
            if g["uuid"] in signed:
                continue
            s.add(
                ChartSignature(
                    uuid=g["uuid"],
                    chart_version_id=row.id,
                    practitioner_id=ids.prac(g["practitioner"]),
                    key_id=ids.keys[g["key"]],
                    kind=g["kind"],
                    content_hash=g["content_hash"],
                    signed_at=from_iso(g["signed_at"]),
                    signature=from_b64(g["signature"]),
                    origin_clinic=g["origin_clinic"] or report.clinic,
                )
            )
            report.add("signatures")
        parent = row


def _prepare_photos(zf: zipfile.ZipFile, store: Store, p: dict[str, Any]) -> list[PhotoBlob]:
    """Blobs this database lacks, with their display and thumbnail images made the way an
    import makes them: outside the write transaction (a 24 MP decode holds no lock)."""
    shas = sorted({ph["sha256"] for ph in p["photos"]})
    with store.read() as s:
        have = set(s.scalars(select(PhotoBlob.sha256).where(PhotoBlob.sha256.in_(shas))))
    blobs = []
    for sha in shas:
        if sha in have:
            continue
        data = zf.read(layout.photo_file(sha))
        if hashlib.sha256(data).hexdigest() != sha:  # verified already; the file may have moved
            raise ArchiveVerificationError(f"The photo {sha[:12]}… changed during the import.")
        blobs.append(_prepare_blob(data, sha)[1])
    return blobs


def _import_patient(
    store: Store,
    zf: zipfile.ZipFile,
    p: dict[str, Any],
    events: list[dict[str, Any]],
    ids: _Ids,
    report: ImportReport,
) -> None:
    blobs = _prepare_photos(zf, store, p)
    with store.write() as s:
        patient_id = s.scalar(select(Patient.id).where(Patient.uuid == p["uuid"]))
        if patient_id is None:
            patient_id = _insert_patient(s, p, ids, report)
        owner = linked_target(s, patient_id)  # what is new joins the patient it was linked to
        changes = _by_uuid(s, PatientDetailChange, [c["uuid"] for c in p["detail_history"]])
        for c in p["detail_history"]:
            if c["uuid"] not in changes:
                s.add(
                    PatientDetailChange(
                        uuid=c["uuid"],
                        patient_id=patient_id,
                        field=c["field"],
                        old_value=c["old_value"],
                        new_value=c["new_value"],
                        reason=c["reason"],
                        changed_at=from_iso(c["changed_at"]),
                        changed_by_id=ids.prac(c["changed_by"]),
                    )
                )
                report.add("detail_changes")
        visits = _by_uuid(s, Visit, [v["uuid"] for v in p["visits"]])
        for v in p["visits"]:
            if v["uuid"] in visits:
                continue
            row = Visit(
                uuid=v["uuid"],
                patient_id=owner,
                visit_date=from_day(v["visit_date"]),
                practitioner_id=ids.prac(v["practitioner"]),
                treatment_type=v["treatment_type"],
                notes=v["notes"],
                created_at=from_iso(v["created_at"]),
                **_error_fields(v["entered_in_error"], ids),
            )
            s.add(row)
            s.flush()
            visits[v["uuid"]] = row.id
            report.add("visits")
        for v in p["visits"]:  # a touch-up names an earlier visit: linked once all exist
            if v["touch_up_of"]:
                linked = s.get(Visit, visits[v["uuid"]])
                if linked is not None and linked.touch_up_of_id is None:
                    linked.touch_up_of_id = visits[v["touch_up_of"]]
        for blob in blobs:
            if s.get(PhotoBlob, blob.sha256) is None:
                s.add(blob)
                report.add("photo_files")
        s.flush()
        photos = _by_uuid(s, Photo, [ph["uuid"] for ph in p["photos"]])
        for ph in p["photos"]:
            if ph["uuid"] in photos:
                continue
            s.add(
                Photo(
                    uuid=ph["uuid"],
                    patient_id=owner,
                    visit_id=visits[ph["visit"]] if ph["visit"] else None,
                    view_id=ids.views[ph["view"]],
                    blob_sha256=ph["sha256"],
                    captured_at=from_iso(ph["captured_at"]),
                    taken_by_id=ids.prac(ph["taken_by"]),
                    source=ph["source"],
                    original_filename=ph["original_filename"],
                    rotation=ph["rotation"],
                    width=ph["width"],
                    height=ph["height"],
                    created_at=from_iso(ph["created_at"]),
                    **_error_fields(ph["entered_in_error"], ids),
                )
            )
            report.add("photos")
        s.flush()
        for v in p["visits"]:
            chart = v["chart"]
            if chart is None:
                continue
            chart_id = s.scalar(select(Chart.id).where(Chart.visit_id == visits[v["uuid"]]))
            if chart_id is None:
                row_chart = Chart(
                    uuid=chart["uuid"],
                    visit_id=visits[v["uuid"]],
                    created_at=from_iso(chart["created_at"]),
                )
                s.add(row_chart)
                s.flush()
                chart_id = row_chart.id
            _import_versions(s, chart_id, chart["versions"], ids, report)
        _import_events(s, events, report, owner, visits, ids)


def _import_events(
    s: Session,
    events: list[dict[str, Any]],
    report: ImportReport,
    patient_id: int | None,
    visits: dict[str, int],
    ids: _Ids,
) -> None:
    """Another database's events, kept verbatim beside this log (not in its chain)."""
    known = _by_uuid(s, ImportedAuditEvent, [e["uuid"] for e in events])
    for e in events:
        if e["uuid"] in known:
            continue
        s.add(
            ImportedAuditEvent(
                uuid=e["uuid"],
                origin_clinic=e["origin_clinic"],
                at=from_iso(e["at"]),
                kind=e["kind"],
                actor_id=ids.practitioners.get(e["actor"] or ""),
                patient_id=patient_id,
                visit_id=visits.get(e["visit"] or ""),
                record=e["record"],
            )
        )
        report.add("audit_events")


def _as_imported(audit: dict[str, Any], origin: str) -> list[dict[str, Any]]:
    """Every event of the archive in the imported-event shape: this log's events of the source
    (their full record, hashes included) and those the source had imported itself."""
    out = []
    for e in audit["events"]:
        out.append(
            {
                "uuid": e["uuid"],
                "origin_clinic": origin,
                "at": e["at"],
                "kind": e["kind"],
                "actor": e["actor"],
                "patient": e["patient"],
                "visit": e["visit"],
                "record": json.dumps(e, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
            }
        )
    for e in audit["imported_events"]:
        record = json.loads(e["record"])
        out.append(
            {
                **e,
                "actor": record.get("actor"),
                "patient": record.get("patient"),
                "visit": record.get("visit"),
            }
        )
    return out


def decrypt_archive(path: Path, passphrase: str, plain: Path) -> None:
    """The archive's plaintext ZIP into `plain` (owner-only): ArchiveReadError for a wrong
    passphrase, a file that is no archive or an unreadable one; ArchiveVerificationError for
    a damaged one. The import and the preview both read an archive this way."""
    try:
        with open(plain, "wb") as out:
            restrict(plain, 0o600)
            sealed.decrypt_to(path, passphrase, out)
    except (sealed.WrongPassphraseError, sealed.NotAnArchiveError) as exc:
        raise ArchiveReadError(str(exc)) from None
    except sealed.DamagedArchiveError as exc:
        raise ArchiveVerificationError(str(exc)) from None
    except OSError as exc:
        raise ArchiveReadError(f"The archive cannot be read: {exc.strerror or exc}") from None


def import_archive(
    store: Store,
    path: Path,
    passphrase: str,
    *,
    actor_id: int | None = None,
    progress: Progress = _noop,
) -> ImportReport:
    if not path.is_file():
        raise ArchiveReadError(f"No archive at {path}.")
    work = Path(tempfile.mkdtemp(prefix="import-", dir=session_temp_dir("facechart-archive-")))
    plain = work / "import.zip"
    try:
        progress("Decrypting", 0.0)
        decrypt_archive(path, passphrase, plain)
        try:
            with zipfile.ZipFile(plain) as zf:
                return _import_zip(store, zf, actor_id, progress)
        except zipfile.BadZipFile as exc:
            raise ArchiveVerificationError(f"The archive is not a readable ZIP ({exc}).") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _import_zip(
    store: Store, zf: zipfile.ZipFile, actor_id: int | None, progress: Progress
) -> ImportReport:
    progress("Verifying", 0.1)
    verified = layout.verify_zip(zf)
    manifest = verified.manifest
    origin = str(manifest.get("clinic") or "") or "another clinic"
    try:
        clinic = json.loads(zf.read(layout.CLINIC))
        audit = json.loads(zf.read(layout.AUDIT))
        keys = checks.public_keys(clinic)
    except (KeyError, TypeError, ValueError) as exc:
        raise ArchiveVerificationError(
            f"The archive's clinic file is not readable ({exc})."
        ) from None
    with store.read() as s:
        known_keys = {
            u: k for u, k in s.execute(select(PractitionerKey.uuid, PractitionerKey.public_key))
        }
        move = (s.scalar(select(func.count(Patient.id))) or 0) == 0
    names = sorted(n for n in verified.files if n.startswith(layout.PATIENTS_DIR))
    for n, name in enumerate(names):  # everything verified before anything is written
        checks.check_patient(name, json.loads(zf.read(name)), keys, known_keys, verified.files)
        progress("Verifying", 0.1 + 0.3 * (n + 1) / max(len(names), 1))
    checks.check_events(audit, whole_log=manifest.get("scope") == "all")
    events = _as_imported(audit, origin)
    report = ImportReport(origin)
    with store.write() as s:
        ids = _import_clinic(s, clinic, origin, move, report)
    by_patient: dict[str | None, list[dict[str, Any]]] = {}
    for e in events:
        by_patient.setdefault(e["patient"], []).append(e)
    for n, name in enumerate(names):
        p = json.loads(zf.read(name))
        _import_patient(store, zf, p, by_patient.pop(p["uuid"], []), ids, report)
        progress("Importing", 0.4 + 0.55 * (n + 1) / max(len(names), 1))
    with store.write() as s:
        _import_events(s, [e for rest in by_patient.values() for e in rest], report, None, {}, ids)
        created = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in sorted(report.created.items()))
        audit_log.append(
            s,
            "import",
            actor_id,
            subject="archive",
            detail=f"portable archive from {origin} of {manifest.get('created')}: "
            + (created or "nothing new"),
        )
    progress("Done", 1.0)
    return report
