"""Import photos from files or a folder (a separate camera, a phone), each assigned to a view.

Every file is read and decoded through the app's one reading and decoding door when it is
added, so a damaged, foreign or oversized file, a pipe or a device is named with a clear reason
and never reaches the store. That check reads up to 200 MB a file: it runs on the dialog's
worker (ADR 0012), one file after another, and each row appears when its file is checked.

Files are chosen on the dialog's own touch folder browser (folder_browser.py: thumbnails, tap to
select, the folders used last), or dropped on the dialog or the capture screen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGridLayout,
    QLabel,
    QScrollArea,
    QStackedWidget,
    QWidget,
)

from app.services.catalogue import ViewRecord
from app.services.photos import CheckedFile, check_photo_file
from ui.capture.browse_data import IMAGE_SUFFIXES, RecentFolders
from ui.capture.folder_browser import FolderBrowser, places
from ui.common.widgets import TOUCH, button, hbox, label, vbox
from ui.common.worker import Worker

__all__ = ["IMAGE_SUFFIXES", "ImportDialog", "ImportItem"]
THUMB = 96


@dataclass
class ImportItem:
    path: Path
    data: bytes | None
    error: str = ""
    thumb: QImage | None = None


def expand(paths: Iterable[Path]) -> list[Path | CheckedFile]:
    """Files as given; folders as their image files, by name (cameras number them in order);
    a folder that cannot be listed as the reason. Plain Python: runs on the worker (a folder
    on a network share or a card reader can take its time)."""
    out: list[Path | CheckedFile] = []
    for p in paths:
        p = Path(p)
        try:
            if p.is_dir():
                found = [f for f in p.iterdir() if f.suffix.lower() in IMAGE_SUFFIXES]
                out.extend(sorted(found))
                continue
        except OSError as exc:
            reason = f"The folder could not be opened: {exc.strerror or exc}."
            out.append(CheckedFile(p, None, reason))
            continue
        out.append(p)
    return out


def load_item(path: Path) -> CheckedFile:
    """The file read and decoded as the import will, with a preview; plain data, no Qt (it runs
    on the dialog's worker)."""
    return check_photo_file(path, THUMB * 2)


def to_item(checked: CheckedFile) -> ImportItem:
    """On the GUI thread: the checked file with its preview as a QImage."""
    img = checked.preview
    if img is None:
        return ImportItem(checked.path, checked.data, checked.error)
    rgb = img.tobytes()
    thumb = QImage(rgb, img.width, img.height, 3 * img.width, QImage.Format.Format_RGB888).copy()
    return ImportItem(checked.path, checked.data, checked.error, thumb)


class ImportDialog(QDialog):
    """Files listed with a thumbnail and a view for each; "Import" stores the good ones."""

    def __init__(
        self,
        parent: QWidget,
        views: list[ViewRecord],
        open_codes: list[str],
        on_import: Callable[[list[tuple[ImportItem, str]]], None],
        patient_line: str = "",
        recent: RecentFolders | None = None,
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
        self._checker = Worker("import-check", self)
        lay = vbox(self, margins=24, spacing=14)
        lay.addWidget(label("Import photos", "heading"))
        if patient_line:  # whose photos these become: the dialog covers the screen's banner
            self.patient_line = label(patient_line, "section")
            self.patient_line.setObjectName("importPatient")
            lay.addWidget(self.patient_line)
        self.pages = QStackedWidget()
        lay.addWidget(self.pages, 1)
        self.list_page = QWidget()
        self.pages.addWidget(self.list_page)
        self.browser = FolderBrowser(recent or RecentFolders())
        self.pages.addWidget(self.browser)
        page = vbox(self.list_page, spacing=14)
        hint = label(
            "Choose photos by touch, or drop files here. Choose the view of each photo.",
            "muted",
        )
        hint.setWordWrap(True)
        page.addWidget(hint)
        self.progress = label("", "muted")  # "Checking 3 files…" while the worker reads them
        self.progress.setObjectName("importProgress")
        self.progress.hide()
        page.addWidget(self.progress)
        row = hbox(spacing=12)
        self.choose = button("Choose photos…", "secondary")
        self.choose.setObjectName("choosePhotos")
        row.addWidget(self.choose)
        row.addStretch(1)
        page.addLayout(row)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.list_host = QWidget()
        self.grid = QGridLayout(self.list_host)
        self.grid.setSpacing(10)
        self.grid.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.scroll_area.setWidget(self.list_host)
        page.addWidget(self.scroll_area, 1)
        self.error = label("", "error")
        self.error.setObjectName("importError")
        self.error.setWordWrap(True)
        self.error.hide()
        page.addWidget(self.error)
        bottom = hbox(spacing=12)
        bottom.addStretch(1)
        self.cancel = button("Cancel", "secondary")
        self.confirm = button("Import", "primary")
        self.confirm.setObjectName("confirmImport")
        bottom.addWidget(self.cancel)
        bottom.addWidget(self.confirm)
        page.addLayout(bottom)
        self.cancel.clicked.connect(self.reject)
        self.confirm.clicked.connect(self._confirm)
        self.choose.clicked.connect(lambda: self.open_browser())
        self.browser.chosen.connect(self._browsed)
        self.browser.cancelled.connect(self._browse_cancelled)
        self.finished.connect(lambda _r: self.browser.shutdown())
        self._refresh_confirm()

    # --- adding files -----------------------------------------------------------------------
    @property
    def browsing(self) -> bool:
        return self.pages.currentWidget() is self.browser

    def open_browser(self, folder: Path | None = None) -> FolderBrowser:
        """Show the folder browser, on `folder`, else where it was, else the folder used last,
        else Pictures (or Home)."""
        self.pages.setCurrentWidget(self.browser)
        if folder is None and self.browser.folder is None:
            recent = self.browser.recent.folders()
            folder = recent[0] if recent else places()[0][1]
        if folder is not None:
            self.browser.open_folder(folder)
        return self.browser

    def show_list(self) -> None:
        self.pages.setCurrentWidget(self.list_page)

    def _browsed(self, paths: list[Path]) -> None:
        self.show_list()
        self.add_paths(paths)

    def _browse_cancelled(self) -> None:
        if not self.items and not self.checking:
            self.reject()  # opened straight on the browser: nothing chosen, nothing to import
        else:
            self.show_list()

    @property
    def checking(self) -> bool:
        """Files are still being read and checked (Import waits for them)."""
        return self._checker.busy

    def add_paths(self, paths: Iterable[Path]) -> None:
        """Check the files (folders: their photos) off the GUI thread; each appears when done."""
        self._checker.run(partial(expand, list(paths)), self._check_each)
        self._refresh_confirm()

    def _check_each(self, found: list[Path | CheckedFile]) -> None:
        for entry in found:
            if isinstance(entry, CheckedFile):
                self._checked(entry)
                continue
            self._checker.run(partial(load_item, entry), self._checked)
        self._refresh_confirm()

    def _checked(self, checked: CheckedFile) -> None:
        self._add(to_item(checked))
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
        self.show_list()
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
        self.progress.setVisible(self.checking)
        if self.checking:
            self.progress.setText("Checking the files…")
        # Import waits for the check: a photo still being read would be left out unnoticed
        self.confirm.setEnabled(n > 0 and not self.checking)
        self.confirm.setText(f"Import {n} photo{'s' if n != 1 else ''}" if n else "Import")
        if bad:
            self.error.setText(
                f"{bad} file{'s' if bad != 1 else ''} cannot be imported (see the reason beside "
                "each); nothing is stored for them."
            )
            self.error.show()

    def _confirm(self) -> None:
        chosen = self.good()
        if not chosen or self.checking:
            return
        self.accept()
        self.on_import(chosen)
