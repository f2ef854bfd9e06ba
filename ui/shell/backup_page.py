"""The Backup page (issue #12): the last good backup and its age, where backups go, "Back up now"
with its progress and the verified counts, and for an admin: the folder, the passphrase, the
backups in the folder and Restore. On a clinic server it says who backs the server up."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer, Signal, SignalInstance
from PySide6.QtWidgets import (
    QFrame,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QSizePolicy,
    QVBoxLayout,
)

from app.domain import roles
from app.services import backup_settings
from app.services.backup import BackupReport
from app.services.backup_settings import SERVER_NOTE, BackupStatus
from app.store.errors import StoreError
from ui.common import format as fmt
from ui.common.context import AppContext
from ui.common.dialogs import show_error
from ui.common.widgets import (
    TOUCH,
    Page,
    TapGuard,
    button,
    enable_touch_scroll,
    hbox,
    label,
    scroll_body,
    set_state,
    vbox,
)
from ui.shell.backup_dialogs import FolderDialog, PassphraseDialog
from ui.shell.backup_runner import BackupRunner

SHOW_PROGRESS_AFTER_MS = 1000  # progress shows for anything over a second
PATH_ROLE = Qt.ItemDataRole.UserRole


def counts_words(report: BackupReport) -> str:
    c = report.counts
    return (
        f"{fmt.plural(c.patients, 'patient')}, {fmt.plural(c.visits, 'visit')}, "
        f"{fmt.plural(c.versions, 'chart version')}, {fmt.plural(c.photos, 'photo')}"
    )


def when_words(at: datetime | None) -> str:
    return fmt.local_time(at) if at is not None else "never"


def card() -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    frame.setProperty("card", True)
    return frame, vbox(frame, margins=16, spacing=10)


class BackupPage(Page):
    title = "Backup"
    restore_requested = Signal(object)  # Path of the chosen backup, or None
    recovery_requested = Signal()  # a backup found the database damaged
    export_requested = Signal()  # the portable archive (admin, ADR 0023)
    import_requested = Signal()

    def __init__(self, ctx: AppContext, runner: BackupRunner) -> None:
        super().__init__()
        self.ctx = ctx
        self.runner = runner
        self.setObjectName("backupPage")
        self.admin = roles.may_administer(ctx.practitioner.role)
        outer = vbox(self, margins=0, spacing=0)
        self.area, lay = scroll_body("backupScroll", spacing=16)
        outer.addWidget(self.area)

        if not ctx.store.is_sqlite:
            note = label(SERVER_NOTE, "body")
            note.setObjectName("serverNote")
            note.setWordWrap(True)
            lay.addWidget(note)
            if self.admin:  # on a server, the archive is how records leave and arrive
                lay.addWidget(self._archive_card())
            lay.addStretch(1)
            self.server = True
            return
        self.server = False

        status, s_lay = card()
        status.setObjectName("backupStatusCard")
        self.age = label("", "heading")
        self.age.setObjectName("backupAge")
        self.age.setWordWrap(True)
        self.where = label("", "body")
        self.where.setObjectName("backupWhere")
        self.where.setWordWrap(True)
        self.warning = label("", "note")
        self.warning.setObjectName("backupWarning")
        self.warning.setWordWrap(True)
        for w in (self.age, self.where, self.warning):
            s_lay.addWidget(w)
        row = hbox(spacing=16)
        self.now_button = button("Back up now", "primary")
        self.now_button.setObjectName("backupNow")
        self.now_button.setMinimumWidth(260)
        self.now_button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        row.addWidget(self.now_button)
        self.progress = QProgressBar()
        self.progress.setObjectName("backupProgress")
        self.progress.setRange(0, 100)
        self.progress.setMinimumHeight(TOUCH // 2)
        self.progress.setTextVisible(False)
        self.progress.hide()
        row.addWidget(self.progress, 1)
        row.addStretch(0)
        s_lay.addLayout(row)
        self.result = label("", "body")
        self.result.setObjectName("backupResult")
        self.result.setWordWrap(True)
        self.result.hide()
        s_lay.addWidget(self.result)
        lay.addWidget(status)

        if self.admin:
            settings, a_lay = card()
            settings.setObjectName("backupSettingsCard")
            a_lay.addWidget(label("Where backups go (admin)", "section"))
            self.folder_text = label("", "body")
            self.folder_text.setObjectName("backupFolder")
            self.folder_text.setWordWrap(True)
            self.key_text = label("", "body")
            self.key_text.setObjectName("backupKey")
            self.key_text.setWordWrap(True)
            self.choose_folder = button("Choose folder", "secondary")
            self.choose_folder.setObjectName("chooseFolder")
            self.set_passphrase = button("Set passphrase", "secondary")
            self.set_passphrase.setObjectName("setPassphraseButton")
            for text, b in (
                (self.folder_text, self.choose_folder),
                (self.key_text, self.set_passphrase),
            ):
                line = hbox(spacing=16)
                line.addWidget(text, 1)
                b.setMinimumWidth(220)
                line.addWidget(b, 0, Qt.AlignmentFlag.AlignVCenter)
                a_lay.addLayout(line)
            lay.addWidget(settings)

            listing, l_lay = card()
            listing.setObjectName("backupListCard")
            head = hbox(spacing=16)
            head.addWidget(label("Backups in the folder", "section"), 1)
            self.restore_button = button("Restore…", "danger")
            self.restore_button.setObjectName("restoreButton")
            self.restore_button.setMinimumWidth(180)
            head.addWidget(self.restore_button)
            l_lay.addLayout(head)
            self.backups = QListWidget()
            self.backups.setObjectName("backupList")
            self.backups.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            self.backups.setMinimumHeight(3 * TOUCH)
            enable_touch_scroll(self.backups)
            self._tap_guard = TapGuard(self.backups)
            l_lay.addWidget(self.backups)
            self.empty = label("", "muted")
            self.empty.setObjectName("backupListEmpty")
            self.empty.setWordWrap(True)
            l_lay.addWidget(self.empty)
            lay.addWidget(listing)
            lay.addWidget(self._archive_card())
            self.choose_folder.clicked.connect(self.ask_folder)
            self.set_passphrase.clicked.connect(self.ask_passphrase)
            self.restore_button.clicked.connect(self._restore)
        else:
            only = label(
                "An admin chooses where backups go, sets their passphrase and restores.", "muted"
            )
            only.setWordWrap(True)
            lay.addWidget(only)
        lay.addStretch(1)

        self._show_bar = QTimer(self)
        self._show_bar.setSingleShot(True)
        self._show_bar.setInterval(SHOW_PROGRESS_AFTER_MS)
        self._show_bar.timeout.connect(self._bar_if_busy)
        self.now_button.clicked.connect(self.back_up_now)
        for signal, slot in self._listening():
            signal.connect(slot)
        self.refresh()

    # -- what is shown ----------------------------------------------------------------------

    def activated(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        if self.server:
            return
        st = backup_settings.status(self.ctx.store)
        self._show_status(st)
        if self.admin:
            self._show_settings(st)
            self._show_backups()
        self.now_button.setEnabled(st.configured and not self.runner.busy)

    def _show_status(self, st: BackupStatus) -> None:
        if st.last_good is None:
            self.age.setText("No backup yet")
        else:
            self.age.setText(f"Last good backup: {st.age} ({when_words(st.last_good)})")
        self.where.setText(f"Backups go to {st.folder}" if st.folder else "No backup folder yet")
        self.warning.setText(st.warning)
        self.warning.setVisible(bool(st.warning))

    def _show_settings(self, st: BackupStatus) -> None:
        s = backup_settings.load(self.ctx.store)
        if s.folder is None:
            self.folder_text.setText("No folder chosen: choose one on a USB disk or share.")
        else:
            there = "" if st.folder_present else " (not connected now)"
            self.folder_text.setText(f"Folder: {s.folder}{there}")
        if s.key is None:
            self.key_text.setText("No passphrase yet: backups are encrypted with one.")
        else:
            by = f" by {s.changed_by}" if s.changed_by else ""
            on = f" on {when_words(s.changed_at)}" if s.changed_at else ""
            self.key_text.setText(f"Passphrase set{by}{on}. FaceChart keeps its key, not it.")

    def _show_backups(self) -> None:
        chosen = self.chosen_backup()
        self.backups.clear()
        found = backup_settings.list_backups(self.ctx.store)
        for when, path in found:
            try:
                size = f" · {path.stat().st_size / 1e6:,.1f} MB"
            except OSError:
                size = ""
            item = QListWidgetItem(f"{when_words(when)} · {backup_settings.age_words(when)}{size}")
            item.setData(PATH_ROLE, str(path))
            item.setSizeHint(QSize(0, TOUCH))
            self.backups.addItem(item)
            if chosen is not None and path == chosen:
                item.setSelected(True)
                self.backups.setCurrentItem(item)
        if found and self.backups.currentItem() is None:
            self.backups.setCurrentRow(0)
        self.empty.setText("" if found else "No backups in the folder yet.")
        self.empty.setVisible(not found)
        self.restore_button.setEnabled(bool(found))

    def chosen_backup(self) -> Path | None:
        item = self.backups.currentItem() if self.admin else None
        return Path(item.data(PATH_ROLE)) if item is not None else None

    # -- backing up -------------------------------------------------------------------------

    def back_up_now(self) -> None:
        self.result.hide()
        if not self.runner.start(self.ctx.store, self.ctx.practitioner.id):
            return  # one is running already: its progress shows here

    def _started(self, _automatic: bool) -> None:
        if self.server:
            return
        self.now_button.setEnabled(False)
        self.now_button.setText("Backing up…")
        self.progress.setValue(0)
        self._show_bar.start()

    def _bar_if_busy(self) -> None:
        if self.runner.busy:
            self.progress.show()

    def _progress(self, step: str, done: float) -> None:
        if self.server:
            return
        self.progress.setValue(int(done * 100))
        self.now_button.setText(f"{step}…" if done < 1 else "Back up now")

    def _finished(self, report: BackupReport) -> None:
        if self.server:
            return
        self._end()
        self.result.setText(
            f"Backed up and verified: {counts_words(report)} "
            f"({report.size_bytes / 1e6:,.1f} MB) in {report.path.name}."
        )
        set_state(self.result, "kind", "body")
        self.result.show()
        self.refresh()

    def _failed(self, message: str, damaged: bool) -> None:
        if self.server:
            return
        self._end()
        self.result.setText(message)
        set_state(self.result, "kind", "error")
        self.result.show()
        self.refresh()
        if damaged:
            self.recovery_requested.emit()

    def _end(self) -> None:
        self._show_bar.stop()
        self.progress.hide()
        self.now_button.setText("Back up now")

    # -- admin ------------------------------------------------------------------------------

    def ask_folder(self) -> FolderDialog:
        current = backup_settings.load(self.ctx.store).folder
        dialog = FolderDialog(self, current, self.store_folder)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.dialog = dialog
        return dialog

    def store_folder(self, folder: Path) -> None:
        try:
            backup_settings.set_folder(self.ctx.store, self.ctx.practitioner, folder)
        except StoreError as exc:
            show_error(self, str(exc))
        self.refresh()

    def ask_passphrase(self) -> PassphraseDialog:
        dialog = PassphraseDialog(self, self.store_passphrase)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.dialog_passphrase = dialog
        return dialog

    def store_passphrase(self, passphrase: str) -> None:
        try:
            backup_settings.set_passphrase(self.ctx.store, self.ctx.practitioner, passphrase)
        except (StoreError, ValueError) as exc:
            show_error(self, str(exc))
        self.refresh()

    def ready_to_leave(self) -> bool:
        # the runner outlives this page (a backup goes on after Back): let go of it here,
        # not when Qt deletes the page later, maybe after the runner itself
        if not self.server:
            for signal, slot in self._listening():
                signal.disconnect(slot)
        return True

    def _listening(self) -> list[tuple[SignalInstance, Callable[..., None]]]:
        r = self.runner
        return [
            (r.started, self._started),
            (r.progress, self._progress),
            (r.finished, self._finished),
            (r.failed, self._failed),
        ]

    def _archive_card(self) -> QFrame:
        """The portable archive: records out to another clinic or the server, and in."""
        frame, a_lay = card()
        frame.setObjectName("archiveCard")
        a_lay.addWidget(label("Portable archive (admin)", "section"))
        line = hbox(spacing=16)
        text = label(
            "Every patient's records, or one patient's (Export on their page), to an "
            "encrypted file another clinic or the clinic's server can import.",
            "body",
        )
        text.setWordWrap(True)
        line.addWidget(text, 1)
        self.export_button = button("Export…", "secondary")
        self.export_button.setObjectName("archiveExportButton")
        self.import_button = button("Import…", "secondary")
        self.import_button.setObjectName("archiveImportButton")
        for b in (self.export_button, self.import_button):
            b.setMinimumWidth(160)
            line.addWidget(b, 0, Qt.AlignmentFlag.AlignVCenter)
        a_lay.addLayout(line)
        self.export_button.clicked.connect(self.export_requested)
        self.import_button.clicked.connect(self.import_requested)
        return frame

    def _restore(self) -> None:
        self.restore_requested.emit(self.chosen_backup())
