"""Writing a list as a CSV file (the follow-up list, lot recall): the file carries patient
names, so it is readable by its owner only before a byte is written, it appears whole or not
at all, and the export is recorded in the audit trail like every other copy of patient data
leaving FaceChart (ADR 0020)."""

from __future__ import annotations

import os
from pathlib import Path

from app.services import audit
from app.store.database import Store
from app.store.private import create_private_file


def write_private_csv(path: Path, text: str) -> None:
    """UTF-8 with a byte-order mark (spreadsheet programs need it to read accents), written
    beside the target and renamed over it: a full disk never leaves half a list."""
    temp = path.with_name(f".{path.name}.facechart-part")
    create_private_file(temp)  # 0600 before a byte is written
    try:
        temp.write_bytes(("\ufeff" + text).encode("utf-8"))
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def export_list_csv(
    store: Store, actor_id: int, path: Path, text: str, *, what: str, rows: int
) -> None:
    """Write a list to `path` and record the export (`what`: which list, with no patient's
    name). An export that cannot be recorded (the database went away) takes its file back."""
    write_private_csv(path, text)
    try:
        audit.record(
            store,
            "export",
            actor_id,
            subject=f"list_csv:{path.name}",
            detail=f"{what} to CSV, {rows} rows",
        )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
