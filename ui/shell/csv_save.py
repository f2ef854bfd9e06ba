"""Saving a list as CSV through Qt's own file dialog (not the platform's: the same touch-sized
dialog on every system, and one a test can drive)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from app.store.errors import StoreError
from ui.common.dialogs import show_error


def save_csv_dialog(
    parent: QWidget, suggested: str, write: Callable[[Path], None], saved: Callable[[Path], None]
) -> QFileDialog:
    """Open the save dialog; on a chosen file call `write(path)` (app/services/csv_file.py)
    and then `saved(path)`; a file that cannot be written (a locked or full disk, a folder
    not ours) or an export that cannot be recorded says so and leaves no file."""
    dialog = QFileDialog(parent, "Save as CSV", str(Path.home() / suggested), "CSV (*.csv)")
    dialog.setObjectName("csvSaveDialog")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setDefaultSuffix("csv")
    dialog.selectFile(suggested)

    def chosen(name: str) -> None:
        path = Path(name)
        try:
            write(path)
        except OSError as exc:
            show_error(parent, f"The list was not saved to {path}: {exc.strerror or exc}.")
            return
        except StoreError as exc:
            show_error(parent, f"The list was not saved: {exc}")
            return
        saved(path)

    dialog.fileSelected.connect(chosen)
    dialog.open()
    return dialog
