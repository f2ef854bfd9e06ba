"""Import photos from files or a folder (a separate camera, a phone), each assigned to a view.

Every file is decoded through the one decode door when it is added, so a damaged or foreign
file is named with a clear reason at once and never reaches the store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QGridLayout,
    QLabel,
    QScrollArea,
    QWidget,
)

from app.services.catalogue import ViewRecord
from app.services.photos import ImageError, decode_image
from ui.common.widgets import TOUCH, button, hbox, label, vbox

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".heic", ".heif", ".tif", ".tiff", ".webp", ".bmp"}
THUMB = 96


@dataclass
class ImportItem:
    path: Path
    data: bytes | None
    error: str = ""
    thumb: QImage | None = None


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files as given; folders as their image files, by name (cameras number them in order)."""
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out.extend(sorted(f for f in p.iterdir() if f.suffix.lower() in IMAGE_SUFFIXES))
        else:
            out.append(p)
    return out


def load_item(path: Path) -> ImportItem:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return ImportItem(path, None, f"cannot be read ({exc.strerror or exc})")
    try:
        img = decode_image(data, max_side=THUMB * 2)
    except ImageError as exc:
        return ImportItem(path, None, str(exc))
    img.thumbnail((THUMB * 2, THUMB * 2))
    rgb = img.tobytes()
    thumb = QImage(rgb, img.width, img.height, 3 * img.width, QImage.Format.Format_RGB888).copy()
    return ImportItem(path, data, "", thumb)


class ImportDialog(QDialog):
    """Files listed with a thumbnail and a view for each; "Import" stores the good ones."""

    def __init__(
        self,
        parent: QWidget,
        views: list[ViewRecord],
        open_codes: list[str],
        on_import: Callable[[list[tuple[ImportItem, str]]], None],
        patient_line: str = "",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("importDialog")
        self.setWindowTitle("Import photos")
        self.setAcceptDrops(True)
        self.setMinimumSize(720, 520)
        self.views = views
        self.open_codes = list(open_codes)
        self.on_import = on_import
        self.items: list[ImportItem] = []
        self.combos: list[QComboBox | None] = []
        lay = vbox(self, margins=24, spacing=14)
        lay.addWidget(label("Import photos", "heading"))
        if patient_line:  # whose photos these become: the dialog covers the screen's banner
            self.patient_line = label(patient_line, "section")
            self.patient_line.setObjectName("importPatient")
            lay.addWidget(self.patient_line)
        hint = label(
            "Add files or a whole folder, or drop them here. Choose the view of each photo.",
            "muted",
        )
        hint.setWordWrap(True)
        lay.addWidget(hint)
        row = hbox(spacing=12)
        self.add_files = button("Add files…", "secondary")
        self.add_folder = button("Add folder…", "secondary")
        row.addWidget(self.add_files)
        row.addWidget(self.add_folder)
        row.addStretch(1)
        lay.addLayout(row)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.list_host = QWidget()
        self.grid = QGridLayout(self.list_host)
        self.grid.setSpacing(10)
        self.grid.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.scroll_area.setWidget(self.list_host)
        lay.addWidget(self.scroll_area, 1)
        self.error = label("", "error")
        self.error.setObjectName("importError")
        self.error.setWordWrap(True)
        self.error.hide()
        lay.addWidget(self.error)
        bottom = hbox(spacing=12)
        bottom.addStretch(1)
        self.cancel = button("Cancel", "secondary")
        self.confirm = button("Import", "primary")
        self.confirm.setObjectName("confirmImport")
        bottom.addWidget(self.cancel)
        bottom.addWidget(self.confirm)
        lay.addLayout(bottom)
        self.cancel.clicked.connect(self.reject)
        self.confirm.clicked.connect(self._confirm)
        self.add_files.clicked.connect(self._pick_files)
        self.add_folder.clicked.connect(self._pick_folder)
        self._refresh_confirm()

    # --- adding files -----------------------------------------------------------------------
    def _file_dialog(self, folder: bool) -> QFileDialog:
        # Qt's own dialog: the same, touch-sized, on every platform, and scriptable in tests
        dlg = QFileDialog(self, "Choose a folder" if folder else "Choose photos")
        dlg.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        if folder:
            dlg.setFileMode(QFileDialog.FileMode.Directory)
            dlg.setOption(QFileDialog.Option.ShowDirsOnly, True)
        else:
            dlg.setFileMode(QFileDialog.FileMode.ExistingFiles)
            patterns = " ".join(f"*{s}" for s in sorted(IMAGE_SUFFIXES))
            dlg.setNameFilters([f"Photos ({patterns})", "All files (*)"])
        dlg.filesSelected.connect(lambda files: self.add_paths([Path(f) for f in files]))
        dlg.open()
        return dlg

    def _pick_files(self) -> None:
        self._file_dialog(folder=False)

    def _pick_folder(self) -> None:
        self._file_dialog(folder=True)

    def add_paths(self, paths: Iterable[Path]) -> None:
        for path in expand(paths):
            self._add(load_item(path))
        self._refresh_confirm()

    def _add(self, item: ImportItem) -> None:
        r = len(self.items)
        self.items.append(item)
        thumb = QLabel()
        thumb.setFixedSize(THUMB, THUMB)
        thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        if item.thumb is not None:
            pm = QPixmap.fromImage(item.thumb).scaled(
                THUMB,
                THUMB,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
            thumb.setPixmap(pm)
        name = label(item.path.name, "body")
        name.setWordWrap(True)
        self.grid.addWidget(thumb, r, 0)
        self.grid.addWidget(name, r, 1)
        if item.error:
            err = label(f"Not imported: {item.error}", "error")
            err.setWordWrap(True)
            self.grid.addWidget(err, r, 2)
            self.combos.append(None)
            return
        combo = QComboBox()
        combo.setMinimumHeight(TOUCH)
        for v in self.views:
            combo.addItem(v.name, v.code)
        # the next view still missing, in protocol order, so a folder of four lands on four views
        code = self.open_codes.pop(0) if self.open_codes else self.views[0].code
        combo.setCurrentIndex(max(0, combo.findData(code)))
        self.grid.addWidget(combo, r, 2)
        self.combos.append(combo)

    # --- drag and drop ------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        self.add_paths(paths)
        event.acceptProposedAction()

    # --- result -----------------------------------------------------------------------------
    def good(self) -> list[tuple[ImportItem, str]]:
        return [
            (item, combo.currentData())
            for item, combo in zip(self.items, self.combos, strict=True)
            if combo is not None and item.data is not None
        ]

    def _refresh_confirm(self) -> None:
        n = len(self.good())
        bad = sum(1 for item in self.items if item.error)
        self.confirm.setEnabled(n > 0)
        self.confirm.setText(f"Import {n} photo{'s' if n != 1 else ''}" if n else "Import")
        if bad:
            self.error.setText(
                f"{bad} file{'s' if bad != 1 else ''} cannot be imported (see the reason beside "
                "each); nothing is stored for them."
            )
            self.error.show()

    def _confirm(self) -> None:
        chosen = self.good()
        if not chosen:
            return
        self.accept()
        self.on_import(chosen)
