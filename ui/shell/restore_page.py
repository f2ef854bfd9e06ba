"""Restore (issue #12, admin only): pick a backup, enter its passphrase, see what it holds beside
the current database (patients, visits, versions, newest save, its `check` result), confirm.
Opening a backup decrypts and checks it on a worker; the main window does the restore itself
(it closes every page and connection first)."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
)

from app.services import backup, backup_settings
from app.services.backup import BackupContents, Counts
from app.store.errors import StoreError
from ui.common import format as fmt
from ui.common.context import AppContext
from ui.common.widgets import (
    TOUCH,
    Page,
    button,
    enable_touch_scroll,
    hbox,
    label,
    scroll_body,
    vbox,
)
from ui.common.worker import Worker

PATH_ROLE = Qt.ItemDataRole.UserRole
ROWS = (
    ("patients", "Patients"),
    ("visits", "Visits"),
    ("versions", "Chart versions"),
    ("photos", "Photos"),
)


def newest_words(counts: Counts | None) -> str:
    if counts is None or not counts.newest_save:
        return "—"
    try:
        return fmt.local_time(datetime.fromisoformat(str(counts.newest_save)))
    except ValueError:
        return str(counts.newest_save)


class RestorePage(Page):
    title = "Restore a backup"
    restore_confirmed = Signal(object, str)  # the backup's Path, its passphrase

    def __init__(
        self,
        ctx: AppContext,
        chosen: Path | None = None,
        current: Counts | None = None,
        current_note: str = "",
    ) -> None:
        """`current`: the current database's counts (None: it cannot be read, say
        `current_note` instead)."""
        super().__init__()
        self.ctx = ctx
        self.setObjectName("restorePage")
        self.current = current
        self.contents: BackupContents | None = None
        self._reader = Worker("restore-open", self)
        outer = vbox(self, margins=0, spacing=0)
        self.area, lay = scroll_body()
        outer.addWidget(self.area)

        intro = label(
            "The backup takes the place of the current database. The current database is put "
            "aside, never deleted, and FaceChart returns to the first screen.",
            "body",
        )
        intro.setWordWrap(True)
        lay.addWidget(intro)

        self.backups = QListWidget()
        self.backups.setObjectName("restoreList")
        self.backups.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.backups.setMinimumHeight(2 * TOUCH + 4)
        self.backups.setMaximumHeight(3 * TOUCH + 4)
        enable_touch_scroll(self.backups)
        lay.addWidget(self.backups)
        for when, path in backup_settings.list_backups(ctx.store) if ctx.store.is_sqlite else []:
            item = QListWidgetItem(f"{fmt.local_time(when)} · {backup_settings.age_words(when)}")
            item.setData(PATH_ROLE, str(path))
            item.setSizeHint(QSize(0, TOUCH))
            self.backups.addItem(item)
            if path == chosen:
                self.backups.setCurrentItem(item)
        if chosen is not None and self.backups.currentItem() is None:  # from elsewhere
            at = backup.taken_at(chosen)
            item = QListWidgetItem(fmt.local_time(at) if at else chosen.name)
            item.setData(PATH_ROLE, str(chosen))
            item.setSizeHint(QSize(0, TOUCH))
            self.backups.insertItem(0, item)
            self.backups.setCurrentItem(item)
        if self.backups.currentItem() is None and self.backups.count():
            self.backups.setCurrentRow(0)
        self.none = label("There are no backups in the backup folder.", "muted")
        self.none.setVisible(self.backups.count() == 0)
        lay.addWidget(self.none)

        row = hbox(spacing=12)
        self.passphrase = QLineEdit()
        self.passphrase.setObjectName("restorePassphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText("The backup's passphrase")
        self.passphrase.setMinimumHeight(TOUCH)
        self.passphrase.setInputMethodHints(
            Qt.InputMethodHint.ImhHiddenText | Qt.InputMethodHint.ImhNoAutoUppercase
        )
        row.addWidget(self.passphrase, 1)
        self.open_button = button("Open backup", "primary")
        self.open_button.setObjectName("openBackup")
        self.open_button.setMinimumWidth(200)
        row.addWidget(self.open_button)
        lay.addLayout(row)
        self.status = label("", "muted")
        self.status.setObjectName("restoreStatus")
        self.status.setWordWrap(True)
        lay.addWidget(self.status)

        self.compare = QFrame()
        self.compare.setObjectName("restoreCompare")
        self.compare.setProperty("card", True)
        grid = QGridLayout(self.compare)
        grid.setContentsMargins(16, 12, 16, 12)
        grid.setHorizontalSpacing(32)
        grid.setVerticalSpacing(6)
        grid.addWidget(label("", "section"), 0, 0)
        self.backup_head = label("This backup", "section")
        grid.addWidget(self.backup_head, 0, 1)
        grid.addWidget(label("The current database", "section"), 0, 2)
        self.cells: dict[str, tuple[QLabel, QLabel]] = {}
        names = [*ROWS, ("newest", "Newest save"), ("check", "Check")]
        for r, (key, text) in enumerate(names, start=1):
            grid.addWidget(label(text, "body"), r, 0)
            mine, now = label("", "strong"), label("", "body")
            mine.setObjectName(f"backup_{key}")
            now.setObjectName(f"current_{key}")
            for cell in (mine, now):
                cell.setWordWrap(True)
            grid.addWidget(mine, r, 1)
            grid.addWidget(now, r, 2)
            self.cells[key] = (mine, now)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        self.compare.hide()
        lay.addWidget(self.compare)
        self._current_note = current_note

        lay.addStretch(1)
        # outside the scrolling part: the step that matters stays in view
        bottom = hbox(spacing=12)
        bottom.setContentsMargins(24, 8, 24, 12)
        bottom.addStretch(1)
        self.restore_button = button("Restore this backup", "danger")
        self.restore_button.setObjectName("restoreConfirm")
        self.restore_button.setEnabled(False)
        bottom.addWidget(self.restore_button)
        outer.addLayout(bottom)
        self.keyboard_slot = outer

        self.open_button.clicked.connect(self.open_backup)
        self.passphrase.returnPressed.connect(self.open_backup)
        self.backups.currentItemChanged.connect(lambda *_: self._forget())
        self.restore_button.clicked.connect(self.confirm)

    def chosen(self) -> Path | None:
        item = self.backups.currentItem()
        return Path(item.data(PATH_ROLE)) if item is not None else None

    @property
    def reading(self) -> bool:
        return self._reader.busy

    def _forget(self) -> None:
        self.contents = None
        self.compare.hide()
        self.restore_button.setEnabled(False)
        self.status.setText("")

    def open_backup(self) -> None:
        path, secret = self.chosen(), self.passphrase.text()
        if path is None:
            self.status.setText("Choose a backup first.")
            return
        if not secret:
            self.status.setText("Enter the backup's passphrase.")
            return
        self._forget()
        self.status.setText("Opening and checking the backup…")
        self.open_button.setEnabled(False)
        self._reader.run(partial(backup.open_backup, path, secret), self._opened, self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.open_button.setEnabled(True)
        if not isinstance(exc, (StoreError, OSError)):
            raise exc
        self.status.setText(str(exc))

    def _opened(self, contents: BackupContents) -> None:
        self.open_button.setEnabled(True)
        self.contents = contents
        taken = fmt.local_time(contents.taken_at) if contents.taken_at else contents.path.name
        self.backup_head.setText(f"Backup of {taken}")
        cur = self.current
        for key, _text in ROWS:
            mine, now = self.cells[key]
            mine.setText(f"{getattr(contents.counts, key):,}")
            now.setText(f"{getattr(cur, key):,}" if cur else "—")
        mine, now = self.cells["newest"]
        mine.setText(newest_words(contents.counts))
        now.setText(newest_words(cur) if cur else "—")
        mine, now = self.cells["check"]
        mine.setText(
            "Passes its check"
            if contents.intact
            else "Does NOT pass its check: " + "; ".join(contents.problems[:2])
        )
        now.setText(self._current_note or "In use now")
        self.compare.show()
        self.area.ensureWidgetVisible(self.compare)
        self.restore_button.setEnabled(contents.intact)
        self.status.setText(
            "The backup opened and passes its check."
            if contents.intact
            else "This backup does not pass its check: choose an earlier one."
        )

    def confirm(self) -> QMessageBox | None:
        if self.contents is None or not self.contents.intact:
            return None
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Restore this backup?",
            f"Restore the backup of {self.backup_head.text().removeprefix('Backup of ')}?\n\n"
            "The current database is put aside (not deleted) and the backup takes its place. "
            "Every page closes and FaceChart returns to the first screen.",
            QMessageBox.StandardButton.NoButton,
            self,
        )
        box.setObjectName("restoreConfirmBox")
        yes = box.addButton("Restore", QMessageBox.ButtonRole.DestructiveRole)
        yes.setObjectName("restoreYes")
        box.addButton("Cancel", QMessageBox.ButtonRole.RejectRole)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        path, secret = self.contents.path, self.passphrase.text()
        box.buttonClicked.connect(
            lambda b: self.restore_confirmed.emit(path, secret) if b is yes else None
        )
        box.open()
        self.box = box
        return box

    def ready_to_leave(self) -> bool:
        self._reader.shutdown(wait=False)
        return True
