"""The portable archive for the UI (issue #12, ADR 0023): export, import, and the patients an
import left side by side because they look alike (same name and date of birth, other UUIDs),
for an admin to link or keep apart. Nothing here merges records."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import aliased

from app.archive.export import ExportError as ExportError
from app.archive.export import ExportReport as ExportReport
from app.archive.export import export_archive as export_archive
from app.archive.importer import ArchiveReadError as ArchiveReadError
from app.archive.importer import ImportReport as ImportReport
from app.archive.importer import import_archive as import_archive
from app.archive.layout import ArchiveVerificationError as ArchiveVerificationError
from app.services.patients import PatientRecord
from app.store.database import Store
from app.store.schema import Patient


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
            .order_by(a.id, b.id)
        ).all()
        return [
            PossibleDuplicate(
                PatientRecord.of(x), PatientRecord.of(y), y.origin_clinic or x.origin_clinic
            )
            for x, y in rows
        ]
