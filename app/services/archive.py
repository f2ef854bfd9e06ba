"""The portable archive for the UI (issue #12, ADR 0023): export, import, and the patients an
import left side by side because they look alike (same name and date of birth, other UUIDs),
for an admin to link or keep apart. Nothing here merges records."""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import aliased

from app.archive import importer, layout
from app.archive.export import ExportError as ExportError
from app.archive.export import ExportReport as ExportReport
from app.archive.export import export_archive as export_archive
from app.archive.importer import ArchiveReadError as ArchiveReadError
from app.archive.importer import ImportReport as ImportReport
from app.archive.importer import LookAlike as LookAlike
from app.archive.importer import import_archive as import_archive
from app.archive.layout import ArchiveVerificationError as ArchiveVerificationError
from app.domain.roles import Role
from app.services.access import require
from app.services.integrity import checkpoint_quietly
from app.services.patients import PatientRecord
from app.store.database import Store
from app.store.private import session_temp_dir
from app.store.schema import Patient, PatientLink

Progress = Callable[[str, float], None]


@dataclass(frozen=True, slots=True)
class PossibleDuplicate:
    """Two patients who look like one person; `imported_from` names the clinic of the one an
    archive brought (None when neither came from an archive)."""

    first: PatientRecord
    second: PatientRecord
    imported_from: str | None


def possible_duplicates(store: Store) -> list[PossibleDuplicate]:
    """Pairs of patients with the same date of birth and the same folded name (accents and
    case ignored), at least one of them imported: what an import listed for the admin."""
    a, b = aliased(Patient), aliased(Patient)
    with store.read() as s:
        rows = s.execute(
            select(a, b)
            .join(b, (a.date_of_birth == b.date_of_birth) & (a.name_key == b.name_key))
            .where(a.id < b.id, (a.origin_clinic.is_not(None)) | (b.origin_clinic.is_not(None)))
            .where(  # an admin decided on them already (app/services/patient_links)
                a.id.not_in(select(PatientLink.imported_patient_id)),
                b.id.not_in(select(PatientLink.imported_patient_id)),
            )
            .order_by(a.id, b.id)
        ).all()
        return [
            PossibleDuplicate(
                PatientRecord.of(x), PatientRecord.of(y), y.origin_clinic or x.origin_clinic
            )
            for x, y in rows
        ]


def pending_look_alikes(store: Store) -> list[tuple[LookAlike, str]]:
    """Imported patients who look like a patient here and await an admin's decision (an
    import from the command line lists them; the import screen asks), each with the clinic it
    came from."""
    out = []
    for pair in possible_duplicates(store):
        with store.read() as s:
            from_archive = s.scalar(
                select(Patient.origin_clinic).where(Patient.id == pair.second.id)
            )
        imported, here = (
            (pair.second, pair.first) if from_archive is not None else (pair.first, pair.second)
        )
        twin = LookAlike(imported.id, here.id, imported.display_name, imported.date_of_birth)
        out.append((twin, pair.imported_from or "another clinic"))
    return out


@dataclass(frozen=True, slots=True)
class ArchivePreview:
    """What an archive holds, read before anything is written."""

    path: Path
    clinic: str
    created: str  # when it was written, ISO-8601 UTC
    scope: str  # "all" or "patient"
    counts: dict[str, int]
    newest_save: str | None  # the newest chart version's saved_at, ISO-8601 UTC
    size_bytes: int


def export_for(
    store: Store,
    actor_id: int | None,
    out: Path,
    passphrase: str,
    *,
    patient_id: int | None = None,
    progress: Progress = lambda step, done: None,
) -> ExportReport:
    """An admin's export (the whole clinic's records, or one patient's, leave the clinic)."""
    require(store, actor_id, Role.ADMIN, "export records")
    return export_archive(
        store, out, passphrase, patient_id=patient_id, actor_id=actor_id, progress=progress
    )


def import_for(
    store: Store,
    actor_id: int | None,
    path: Path,
    passphrase: str,
    *,
    progress: Progress = lambda step, done: None,
) -> ImportReport:
    """An admin's import; the imported records (dated before now) signed by a checkpoint, so
    `check` does not take them for records slipped in behind its back."""
    require(store, actor_id, Role.ADMIN, "import records")
    report = import_archive(store, path, passphrase, actor_id=actor_id, progress=progress)
    if report.created:
        checkpoint_quietly(store, "import")
    return report


def preview(path: Path, passphrase: str) -> ArchivePreview:
    """Decrypt the archive and read its manifest and its charts' newest save; nothing is
    written to any database. ArchiveReadError: a wrong passphrase or not an archive."""
    if not path.is_file():
        raise ArchiveReadError(f"No archive at {path}.")
    work = Path(tempfile.mkdtemp(prefix="preview-", dir=session_temp_dir("facechart-archive-")))
    plain = work / "preview.zip"
    try:
        importer.decrypt_archive(path, passphrase, plain)
        try:
            with zipfile.ZipFile(plain) as zf:
                manifest = json.loads(zf.read(layout.MANIFEST))
                newest: str | None = None
                for name in zf.namelist():
                    if not name.startswith(layout.PATIENTS_DIR):
                        continue
                    for v in json.loads(zf.read(name)).get("visits", []):
                        for ver in (v.get("chart") or {}).get("versions", []):
                            at = ver.get("saved_at")
                            if at and (newest is None or at > newest):
                                newest = at
        except (zipfile.BadZipFile, KeyError, ValueError, TypeError) as exc:
            raise ArchiveVerificationError(f"The archive is not readable ({exc}).") from None
        scope = manifest.get("scope")
        return ArchivePreview(
            path,
            str(manifest.get("clinic") or "") or "another clinic",
            str(manifest.get("created") or ""),
            "all" if scope == "all" else "patient",
            {k: int(n) for k, n in (manifest.get("counts") or {}).items()},
            newest,
            path.stat().st_size,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
