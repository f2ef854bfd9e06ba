"""Writing a list as a CSV file (the follow-up list, lot recall): the file carries patient
names, so it is made readable by its owner only before a byte is written."""

from __future__ import annotations

from pathlib import Path

from app.store.private import create_private_file


def write_private_csv(path: Path, text: str) -> None:
    """UTF-8 with a byte-order mark: spreadsheet programs need it to read accents."""
    create_private_file(path)  # 0600 (an existing file is restricted too)
    path.write_bytes(("\ufeff" + text).encode("utf-8"))
