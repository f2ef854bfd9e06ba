"""Importing photos into the visit's protocol walk (from files, a folder, or dropped on the
screen): the import dialog offers the views still open, the one on screen first, and each chosen
photo is stored through the same path as a camera still (ADR 0008)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from app.services.capture import ProtocolWalk
from app.services.patients import PatientRecord
from ui.capture.browse_data import RecentFolders
from ui.capture.import_dialog import ImportDialog, ImportItem
from ui.common import format as fmt


def open_import(
    parent: QWidget,
    walk: ProtocolWalk,
    patient: PatientRecord,
    paths: list[Path],
    on_chosen: Callable[[list[tuple[ImportItem, str]]], None],
    recent: RecentFolders | None = None,
) -> ImportDialog:
    """Open the import dialog over `parent` with `paths` already added; without paths, on its
    touch folder browser."""
    # the view on screen first, then the others still missing in protocol order
    n, here = len(walk.views), walk.index
    ordered = [walk.views[(here + k) % n].code for k in range(n)]
    open_codes = [c for c in ordered if not walk.is_done(c)]
    who = f"{patient.display_name} · {fmt.born(patient.date_of_birth)}"
    dialog = ImportDialog(parent, walk.views, open_codes, on_chosen, who, recent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    # as big as the window allows: a card of photos needs more than two rows in view
    width = max(dialog.minimumWidth(), min(1100, parent.width() - 48))
    dialog.resize(width, max(dialog.minimumHeight(), min(720, parent.height() - 48)))
    if paths:
        dialog.add_paths(paths)
    else:  # the Import button: straight to the folders, where the last one used is open
        dialog.open_browser()
    dialog.open()
    return dialog
