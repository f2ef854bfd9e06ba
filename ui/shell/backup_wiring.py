"""The main window's backups (issue #12): the daily one, looked for shortly after start and every
half hour while FaceChart runs, and the one on closing, with its progress, that the window
waits for unless the user chooses not to; and the way to the Backup page and the pages it
leads to (the portable archive out and in, a restore). Backups run on the window's one
`BackupRunner` (ui/shell/backup_runner.py), one at a time.

None for the demo clinic (nothing is kept), on a clinic server (the server's backups are its
own), or while the recovery screen is up.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.domain import roles
from app.services import backup_settings
from app.services.backup import BackupReport
from ui.common.context import AppContext
from ui.common.dialogs import show_error
from ui.common.widgets import Page
from ui.shell.backup_runner import BackupRunner
from ui.shell.recovery_wiring import RecoveryWiring

AUTO_CHECK_MS = 30 * 60 * 1000  # how often a running app looks whether the daily backup is due
START_DELAY_MS = 4000  # the first look, once the first screen has settled


class BackupHost(Protocol):
    """What the backups need of the main window (which imports this module, so not named)."""

    ctx: AppContext
    demo: bool
    in_recovery: bool

    def open_page(self, make: Callable[[], Page]) -> Page | None: ...
    def refresh_backup_line(self) -> None: ...  # the first screen's "last backup" line


class BackupWiring:
    def __init__(
        self,
        window: QWidget,
        host: BackupHost,
        backups: BackupRunner,
        recovery: RecoveryWiring,
    ) -> None:
        self.window = window  # the parent of the progress, and what closes when it ends
        self.host = host
        self.backups = backups
        self.recovery = recovery  # a backup that found damage; the restore page
        backups.finished.connect(self._backed_up)
        backups.failed.connect(self._backup_failed)
        self.closing_dialog: QProgressDialog | None = None
        self._close_now = False  # the backup on closing is done (or skipped): really close
        self._auto = QTimer(window)
        self._auto.setInterval(AUTO_CHECK_MS)
        self._auto.timeout.connect(self.backup_if_due)

    def start(self) -> None:
        """The half-hourly look, and the first one once the first screen has settled."""
        self._auto.start()
        QTimer.singleShot(START_DELAY_MS, self.window, self.backup_if_due)

    def stop(self) -> None:
        self._auto.stop()

    def _possible(self) -> bool:
        host = self.host
        return not host.demo and not host.in_recovery and host.ctx.store.is_sqlite

    def backup_if_due(self) -> bool:
        """The daily automatic backup, when one is due (set up, disk there, none for a day)."""
        if not self._possible() or self.backups.busy:
            return False
        ctx = self.host.ctx
        try:
            if not backup_settings.due(ctx.store):
                return False
        except OSError:
            return False
        return self.backups.start(ctx.store, ctx.practitioner.id, automatic=True)

    # -- the backup on closing ---------------------------------------------------------------

    def hold_close(self, event: QCloseEvent) -> bool:
        """The window is closing: while a backup runs, or one on closing is wanted, the close
        waits (`event` ignored, True) with the backup's progress on screen; the window closes
        when it ends, fails, or the user chooses not to wait: the close is never lost."""
        if self._close_now or not (self.backups.busy or self._on_close_wanted()):
            return False
        event.ignore()
        if self.closing_dialog is None:
            self._start_closing_backup()
        return True

    def _on_close_wanted(self) -> bool:
        if not self._possible():
            return False
        st = backup_settings.status(self.host.ctx.store)
        return st.configured and st.folder_present

    def _start_closing_backup(self) -> None:
        dialog = QProgressDialog(
            "Backing up before FaceChart closes…", "Close without waiting", 0, 100, self.window
        )
        dialog.setObjectName("closingBackup")
        dialog.setWindowTitle("FaceChart")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setMinimumWidth(560)
        dialog.canceled.connect(self._close_without_waiting)
        self.closing_dialog = dialog
        self.backups.progress.connect(self._closing_progress)
        if not self.backups.busy:
            ctx = self.host.ctx
            self.backups.start(ctx.store, ctx.practitioner.id, automatic=True)
        dialog.show()

    def _closing_progress(self, step: str, done: float) -> None:
        if self.closing_dialog is not None:
            self.closing_dialog.setLabelText(f"Backing up before FaceChart closes: {step}…")
            self.closing_dialog.setValue(int(done * 99))

    def _close_without_waiting(self) -> None:
        """The backup keeps running to its end in the background (its file is only put in
        place once verified); the window closes now."""
        self._finish_close()

    def _finish_close(self) -> None:
        if self._close_now:
            return
        self._close_now = True
        dialog, self.closing_dialog = self.closing_dialog, None
        if dialog is not None:
            dialog.canceled.disconnect(self._close_without_waiting)
            dialog.close()
            dialog.deleteLater()
        QTimer.singleShot(0, self.window, self.window.close)

    # -- a backup's end ----------------------------------------------------------------------

    def _backed_up(self, report: BackupReport) -> None:
        if self.closing_dialog is not None:
            self._finish_close()
            return
        self.host.refresh_backup_line()

    def _backup_failed(self, message: str, damaged: bool) -> None:
        if self.closing_dialog is not None:
            self._finish_close()  # the next start shows the backup's age and the warning
            return
        self.host.refresh_backup_line()
        if damaged:
            self.recovery.show_damage(message)

    # -- the Backup page and where it leads --------------------------------------------------

    def open_backup_page(self) -> None:
        from ui.shell.backup_page import BackupPage

        def make() -> Page:
            page = BackupPage(self.host.ctx, self.backups)
            page.restore_requested.connect(self.recovery.open_restore)
            page.recovery_requested.connect(lambda: self.recovery.show_damage(""))
            page.export_requested.connect(self.open_export)
            page.import_requested.connect(self.open_import)
            return page

        self.host.open_page(make)

    def open_export(self, patient_id: int | None = None) -> None:
        """The portable archive out (issue #12): every patient, or one; admins only."""
        from ui.shell.archive_export_page import ExportPage

        ctx = self.host.ctx
        if not roles.may_administer(ctx.practitioner.role):
            show_error(self.window, "Only an admin can export records. Ask the clinic's admin.")
            return
        self.host.open_page(lambda: ExportPage(ctx, patient_id))

    def open_import(self, chosen: Path | None = None) -> None:
        from ui.shell.archive_import_page import ImportPage

        ctx = self.host.ctx
        if not roles.may_administer(ctx.practitioner.role):
            show_error(self.window, "Only an admin can import records. Ask the clinic's admin.")
            return
        self.host.open_page(lambda: ImportPage(ctx, chosen))
