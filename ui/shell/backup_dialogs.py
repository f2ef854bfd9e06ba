"""The Backup page's dialogs, made for fingers: choosing the backup folder with the touch folder
browser (folders only, "Use this folder"), and typing the passphrase twice on the touch
keyboard."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QWidget

from app.services.backup_settings import MIN_PASSPHRASE
from ui.capture import browse_data
from ui.capture.browse_data import Listing, RecentFolders
from ui.capture.folder_browser import FolderBrowser, places
from ui.common.widgets import button, hbox, label, secret_field, vbox


class FolderChooser(FolderBrowser):
    """The touch folder browser choosing a folder: photos are not shown, the big button at
    the bottom is "Use this folder"."""

    folder_chosen = Signal(object)  # Path

    def __init__(
        self,
        recent: RecentFolders,
        parent: QWidget | None = None,
        prompt: str = "Open the folder backups go to (on a USB disk or a network share), then "
        "tap “Use this folder”.",
    ) -> None:
        super().__init__(recent, parent)
        self.prompt = prompt
        self.setObjectName("folderChooser")
        self.select_all.hide()
        self.clear.hide()
        self.add.setObjectName("useFolder")

    def _listed(self, listing: Listing) -> None:
        super()._listed(Listing(listing.folder, listing.folders, [], listing.error))

    def _refresh(self) -> None:
        super()._refresh()
        usable = self.folder is not None and not (self.listing and self.listing.error)
        self.add.setText("Use this folder")
        self.add.setEnabled(usable)
        if self.listing is not None and not self.listing.error:
            self.status.setText(self.prompt)

    def _add(self) -> None:
        if self.folder is None:
            return
        self.recent.remember(self.folder)
        self.folder_chosen.emit(self.folder)


class FolderDialog(QDialog):
    def __init__(
        self,
        parent: QWidget,
        start: Path | None,
        on_folder: Callable[[Path], None],
        *,
        title: str = "Where backups go",
        heading: str = "Choose the folder backups go to",
        recent_name: str = "recent-backup-folders.json",
        prompt: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("backupFolderDialog")
        self.setWindowTitle(title)
        self.setModal(True)
        window = parent.window()
        self.resize(int(window.width() * 0.92), int(window.height() * 0.9))
        lay = vbox(self, margins=16, spacing=8)
        lay.addWidget(label(heading, "heading"))
        recent = browse_data.default_recent_file().with_name(recent_name)
        if prompt is None:
            self.browser = FolderChooser(RecentFolders(recent), self)
        else:
            self.browser = FolderChooser(RecentFolders(recent), self, prompt)
        lay.addWidget(self.browser, 1)
        self.browser.cancelled.connect(self.reject)
        self._on_folder = on_folder
        self.browser.folder_chosen.connect(self._chosen)
        first = start if start is not None and start.is_dir() else None
        if first is None:
            drives = [p for _, p in places() if p != Path.home()]
            first = drives[-1] if drives else Path.home()
        self.browser.open_folder(first)

    def _chosen(self, folder: Path) -> None:
        self.accept()
        self._on_folder(folder)

    def done(self, result: int) -> None:
        self.browser.shutdown()
        super().done(result)


class PassphraseDialog(QDialog):
    """The backup passphrase, twice. Shown as dots; the touch keyboard joins under the
    buttons."""

    def __init__(self, parent: QWidget, on_passphrase: Callable[[str], None]) -> None:
        super().__init__(parent)
        self.setObjectName("passphraseDialog")
        self.setWindowTitle("Backup passphrase")
        self.setModal(True)
        self.setMinimumWidth(620)
        self._on_passphrase = on_passphrase
        lay = vbox(self, margins=24, spacing=12)
        lay.addWidget(label("Backup passphrase", "heading"))
        hint = label(
            "Backups are encrypted: only this passphrase opens them on another computer. Keep "
            f"it somewhere safe, apart from the backup disk. At least {MIN_PASSPHRASE} "
            "characters; a few words are easy to type and hard to guess. Backups made before "
            "keep their old passphrase.",
            "body",
        )
        hint.setWordWrap(True)
        lay.addWidget(hint)
        self.first = secret_field("passphraseFirst", "Passphrase")
        self.second = secret_field("passphraseSecond", "The same again")
        lay.addWidget(self.first)
        lay.addWidget(self.second)
        self.error = label("", "error")
        self.error.setObjectName("passphraseError")
        self.error.setWordWrap(True)
        self.error.hide()
        lay.addWidget(self.error)
        row = hbox(spacing=12)
        row.addStretch(1)
        self.cancel = button("Cancel", "secondary")
        self.save = button("Set passphrase", "primary")
        self.save.setObjectName("setPassphrase")
        row.addWidget(self.cancel)
        row.addWidget(self.save)
        lay.addLayout(row)
        self.keyboard_slot = lay
        self.cancel.clicked.connect(self.reject)
        self.save.clicked.connect(self._save)
        self.second.returnPressed.connect(self._save)

    def _save(self) -> None:
        first, second = self.first.text(), self.second.text()
        if len(first) < MIN_PASSPHRASE:
            why = f"The passphrase needs at least {MIN_PASSPHRASE} characters."
        elif first != second:
            why = "The two passphrases differ: type them again."
        else:
            self.accept()
            self._on_passphrase(first)
            return
        self.error.setText(why)
        self.error.show()
