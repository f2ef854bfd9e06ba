"""The audit trail as a CSV file (issue #11), for an inspector or the clinic's own records.

The format (ADR 0020): UTF-8 with a byte-order mark (Excel then reads accented names right;
other readers skip it), a header row, one row per event, newest first, comma-separated with
RFC 4180 quoting. `time` is the local time with its UTC offset in ISO 8601 to the second
("2026-11-30T09:12:03+01:00"): what the clinic's clock said, and exact across a change of
summer time. Patients are named by their id only: the file leaves the app, and the trail
holds no names or dates of birth. A cell that a spreadsheet would run as a formula (=, +, -,
@ first) gets a leading apostrophe.

The export itself is an audit event ("export"), recorded once the file is complete.
"""

from __future__ import annotations

import csv
import os
import tempfile
from datetime import datetime
from pathlib import Path

from app.services import audit
from app.services.audit_trail import AuditEntry, AuditFilter, events
from app.store.database import Store

COLUMNS = (
    "seq",
    "time",
    "practitioner_id",
    "practitioner",
    "kind",
    "action",
    "patient_id",
    "visit_id",
    "subject",
    "detail",
    "event_hash",
)
_BATCH = 1000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def local_time(at: datetime) -> str:
    return at.astimezone().isoformat(timespec="seconds")


def row(e: AuditEntry) -> list[str]:
    return [
        str(e.seq),
        local_time(e.at),
        _cell(e.actor_id),
        _cell(e.actor),
        e.kind,
        _cell(e.action),
        _cell(e.patient_id),
        _cell(e.visit_id),
        _cell(e.subject),
        _cell(e.detail),
        e.event_hash,
    ]


def default_name(f: AuditFilter, now: datetime | None = None) -> str:
    """facechart-audit-20261130-091203[-patient-12][-practitioner-3].csv"""
    stamp = (now or datetime.now().astimezone()).strftime("%Y%m%d-%H%M%S")
    scope = "".join(
        f"-{word}-{value}"
        for word, value in (("patient", f.patient_id), ("practitioner", f.actor_id))
        if value is not None
    )
    return f"facechart-audit-{stamp}{scope}.csv"


def _free_path(folder: Path, name: str) -> Path:
    path = folder / name
    n = 2
    while path.exists():
        path = folder / f"{Path(name).stem}-{n}.csv"
        n += 1
    return path


def export_csv(store: Store, viewer_id: int, f: AuditFilter, folder: Path) -> tuple[Path, int]:
    """Write the events `viewer_id` may see that match `f` to a new CSV file in `folder`;
    returns the file and how many events it holds. The file appears whole or not at all
    (written beside, then renamed), and only then is the export recorded; an export that
    cannot be recorded (the database went away) takes its file back."""
    folder = Path(folder)
    if not folder.is_dir():
        raise OSError(f"The folder {folder} does not exist.")
    target = _free_path(folder, default_name(f))
    fd, temp = tempfile.mkstemp(prefix=".facechart-audit-", suffix=".csv", dir=folder)
    count = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(COLUMNS)
            before: int | None = None
            while True:
                page = events(store, viewer_id, f, before=before, limit=_BATCH, with_names=False)
                writer.writerows(row(e) for e in page.entries)
                count += len(page.entries)
                if page.next_before is None:
                    break
                before = page.next_before
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    try:
        audit.record(
            store,
            "export",
            viewer_id,
            patient_id=f.patient_id,
            subject=f"audit_csv:{target.name}",
            detail=f"audit trail to CSV, {count} events ({f.words()})",
        )
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target, count
