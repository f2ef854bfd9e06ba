"""Saving a list as CSV through Qt's own file dialog (not the platform's: the same touch-sized
dialog on every system, and one a test can drive)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from app.store.private import create_private_file


def save_csv_dialog(
    parent: QWidget, suggested: str, text: Callable[[], str], saved: Callable[[Path], None]
) -> QFileDialog:
    """Open the save dialog; on a chosen file write `text()` to it (UTF-8 with a byte-order
    mark, which spreadsheet programs need to read accents) and call `saved(path)`."""
    dialog = QFileDialog(parent, "Save as CSV", str(Path.home() / suggested), "CSV (*.csv)")
    dialog.setObjectName("csvSaveDialog")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setDefaultSuffix("csv")
    dialog.selectFile(suggested)

    def chosen(name: str) -> None:
        path = Path(name)
        write_private_text(path, text())
        saved(path)

    dialog.fileSelected.connect(chosen)
    dialog.open()
    return dialog


def write_private_text(path: Path, text: str) -> None:
    """Patient names leave the database in this file: readable by its owner only."""
    create_private_file(path)  # 0600 before a byte is written (an existing file: restricted)
    path.write_bytes(("\ufeff" + text).encode("utf-8"))
