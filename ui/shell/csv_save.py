"""Saving a list as CSV through Qt's own file dialog (not the platform's: the same touch-sized
dialog on every system, and one a test can drive)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from app.services.csv_file import write_private_csv


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
        write_private_csv(path, text())
        saved(path)

    dialog.fileSelected.connect(chosen)
    dialog.open()
    return dialog
