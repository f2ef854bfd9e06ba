"""Where the audit trail's CSV file goes: the user's Documents folder with one tap, a USB
stick or card, or any folder picked in the app's touch folder browser. The file is named by
the app (facechart-audit-…csv) and never overwrites another."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtWidgets import QDialog, QListWidgetItem, QStackedWidget, QWidget

from app.services import audit_export
from app.services.audit_trail import AuditFilter
from app.store.errors import StoreError
from ui.capture.browse_data import RecentFolders, default_recent_file
from ui.capture.folder_browser import KIND_ROLE, FolderBrowser, drives
from ui.common.widgets import button, hbox, label, vbox

if TYPE_CHECKING:  # ui/ uses the store only through app.services
    from app.services.store import Store


def documents_folder() -> Path:
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(docs) if docs and Path(docs).is_dir() else Path.home()


class FolderPicker(FolderBrowser):
    """The import's folder browser choosing a folder instead of photos: tap folders to go
    in, then "Save here"."""

    def tap_item(self, item: QListWidgetItem) -> None:
        if item.data(KIND_ROLE) == "folder":
            super().tap_item(item)

    def _add(self) -> None:
        if self.folder is not None:
            self.recent.remember(self.folder)
            self.chosen.emit([self.folder])

    def _refresh(self) -> None:
        super()._refresh()
        self.add.setText("Save here")
        self.add.setEnabled(self.folder is not None)
        self.select_all.hide()
        self.clear.hide()
        if self.listing is not None and not self.listing.error:
            self.status.setText("Tap a folder to open it, then “Save here”.")


class AuditExportDialog(QDialog):
    def __init__(
        self,
        parent: QWidget,
        export: Callable[[Path], tuple[Path, int]],
    ) -> None:
        super().__init__(parent)
        self.setObjectName("auditExportDialog")
        self.setWindowTitle("Export the audit trail")
        self.setModal(True)
        self._export = export
        self.saved: Path | None = None
        top = parent.window()
        self.setMinimumSize(min(1000, top.width() - 80), min(600, top.height() - 100))
        lay = vbox(self, margins=24, spacing=12)
        lay.addWidget(label("Export the audit trail as a CSV file", "heading"))
        self.pages = QStackedWidget()
        lay.addWidget(self.pages, 1)

        places = QWidget()
        col = vbox(places, spacing=12)
        col.addWidget(label("Save it to:", "body"))
        self.documents = button(f"Documents  ({documents_folder()})", "primary")
        self.documents.setObjectName("exportDocuments")
        self.documents.clicked.connect(lambda: self.save_to(documents_folder()))
        col.addWidget(self.documents)
        for name, folder in drives():
            b = button(name, "secondary")
            b.setObjectName("exportDrive")
            b.clicked.connect(lambda _c=False, f=folder: self.save_to(f))
            col.addWidget(b)
        self.other = button("Another folder…", "secondary")
        self.other.setObjectName("exportChoose")
        self.other.clicked.connect(self.choose_folder)
        col.addWidget(self.other)
        self.outcome = label("", "body")
        self.outcome.setObjectName("exportResult")
        self.outcome.setWordWrap(True)
        col.addWidget(self.outcome)
        col.addStretch(1)
        self.pages.addWidget(places)
        self.browser: FolderPicker | None = None

        row = hbox(spacing=12)
        row.addStretch(1)
        self.close_button = button("Close", "secondary")
        self.close_button.setObjectName("closeExport")
        self.close_button.setMinimumWidth(160)
        self.close_button.clicked.connect(self.accept)
        row.addWidget(self.close_button)
        lay.addLayout(row)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def choose_folder(self) -> FolderPicker:
        if self.browser is None:
            recent = RecentFolders(default_recent_file().with_name("export-folders.json"))
            self.browser = FolderPicker(recent)
            self.browser.chosen.connect(lambda folders: self.save_to(folders[0]))
            self.browser.cancelled.connect(self._places)
            self.pages.addWidget(self.browser)
            self.browser.open_folder(documents_folder())
        self.pages.setCurrentWidget(self.browser)
        self.close_button.hide()  # the browser's own Cancel leads back
        return self.browser

    def _places(self) -> None:
        self.pages.setCurrentIndex(0)
        self.close_button.show()

    def save_to(self, folder: Path) -> None:
        self._places()
        try:
            path, count = self._export(folder)
        except (OSError, StoreError) as exc:
            self.outcome.setProperty("kind", "error")
            self.outcome.setText(f"The file could not be saved: {exc}")
        else:
            self.saved = path
            self.outcome.setProperty("kind", "body")
            self.outcome.setText(f"Saved {count} event{'s' if count != 1 else ''} to {path}")
        self.outcome.style().unpolish(self.outcome)
        self.outcome.style().polish(self.outcome)

    def done(self, result: int) -> None:
        if self.browser is not None:
            self.browser.shutdown()
        super().done(result)


def export_dialog(
    parent: QWidget, store: Store, viewer_id: int, f: AuditFilter
) -> AuditExportDialog:
    dialog = AuditExportDialog(
        parent, lambda folder: audit_export.export_csv(store, viewer_id, f, folder)
    )
    dialog.open()
    return dialog
