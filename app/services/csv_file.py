"""Writing a list as a CSV file (the follow-up list, lot recall): the file carries patient
names, so it is readable by its owner only before a byte is written, it appears whole or not
at all, and the export is recorded in the audit trail like every other copy of patient data
leaving FaceChart (ADR 0020)."""

from __future__ import annotations

import os
from pathlib import Path

from app.store import audit_log
from app.store.database import Store
from app.store.private import create_private_file


def _part_beside(path: Path, text: str) -> Path:
    """The whole list in a private file beside `path` (UTF-8 with a byte-order mark, which
    spreadsheet programs need to read accents), to be renamed over it."""
    temp = path.with_name(f".{path.name}.facechart-part")
    create_private_file(temp)  # 0600 before a byte is written
    try:
        temp.write_bytes(("\ufeff" + text).encode("utf-8"))
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


def export_list_csv(
    store: Store, actor_id: int, path: Path, text: str, *, list_name: str, what: str, rows: int
) -> None:
    """Write a list to `path` and record the export: `list_name` ("follow_up", "lot_recall")
    and `what` say which list, never a patient (nor the file's name, which the user typed).

    The file takes its place inside the transaction that records it: a disk that refuses the
    file records nothing, and a database that refuses the record leaves the file that was
    there before untouched. Only a commit failing after the rename leaves a gap, and then the
    new file is taken back: patient names never sit on disk without their record."""
    temp = _part_beside(path, text)
    placed = False
    try:
        with store.write() as s:
            audit_log.append(
                s,
                "export",
                actor_id,
                subject=f"list_csv:{list_name}",
                detail=f"{what} to CSV, {rows} rows",
            )
            s.flush()  # the record is written (and could be refused) before the file moves
            os.replace(temp, path)
            placed = True
    except BaseException:
        if placed:
            path.unlink(missing_ok=True)
        temp.unlink(missing_ok=True)
        raise
