"""The main window's database under repair (issue #12): a damaged file found (by the quick
check shortly after start, or by an error that says so) opens the recovery screen as the only
page; a backup restored, the rescued copy or the file as it is is put in place on a worker and
the window starts again on the first screen, on the reopened database.

Every swap leaves every page first and stops the watch on the other rooms: nothing reads the
file while it changes. Whoever works next signs in again: the records are another database's.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QStackedWidget, QWidget

from app.domain import roles
from app.services import backup_settings, catalogue, recovery
from app.services.recovery import Diagnosis
from app.services.store import Store, open_database
from app.store.errors import StoreError
from ui.common.context import AppContext
from ui.common.dialogs import show_error
from ui.common.widgets import Page
from ui.common.worker import Worker, wait_left
from ui.shell.backup_runner import BackupRunner
from ui.shell.room_wiring import RoomWiring

if TYPE_CHECKING:
    from ui.signin.lock import Locker

DEEP_CHECK_DELAY_MS = 2000  # PRAGMA quick_check of the whole file, off the GUI thread
STILL_READING = (
    "A chart closed a moment ago is still reading the database. Nothing was changed: try "
    "again in a moment."
)
LEFT_READS_S = 10.0  # a read of a local file ends in milliseconds; a lost server's, not


class RecoveryHost(Protocol):
    """What recovery needs of the main window (which imports this module, so not named)."""

    ctx: AppContext  # its store is replaced by the reopened one
    in_recovery: bool  # the recovery screen is the only page
    stack: QStackedWidget  # the pages: all left, the first one disabled, while the file changes
    locker: Locker  # no idle lock over a recovery; a sign-in after a swap

    def go_home(self) -> None: ...
    def open_page(self, make: Callable[[], Page]) -> Page | None: ...
    def clear_pages(self) -> None: ...
    def push_page(self, page: Page) -> None: ...
    def install_home(self) -> None: ...


class RecoveryWiring:
    def __init__(
        self, window: QWidget, host: RecoveryHost, backups: BackupRunner, rooms: RoomWiring
    ) -> None:
        self.window = window  # the parent of dialogs and workers (the host, as a widget)
        self.host = host
        self.backups = backups  # a restore waits for the backup being made
        self.rooms = rooms
        self._swapper = Worker("database-swap", window)  # restore and rescue put files in place
        self._checker = Worker("database-check", window)
        self.swap_dialog: QProgressDialog | None = None
        self.swap_result: QMessageBox | None = None  # what the last swap said (tests read it)

    def start(self) -> None:
        """The quick check of the whole file, once the first screen has settled."""
        QTimer.singleShot(DEEP_CHECK_DELAY_MS, self.window, self._deep_check)

    def shutdown(self) -> None:
        self._checker.shutdown(wait=False)

    # -- a damaged database ------------------------------------------------------------------

    def _checkable_file(self) -> Path | None:
        """The SQLite file to look for damage in; None in recovery already, on a server, or
        when the file cannot be named."""
        if self.host.in_recovery or not self.host.ctx.store.is_sqlite:
            return None
        try:
            return backup_settings.database_file(self.host.ctx.store)
        except StoreError:
            return None

    def _deep_check(self) -> None:
        """quick_check of the whole file off the GUI thread: damage found leads to recovery."""
        db = self._checkable_file()
        if db is None:
            return

        def checked(found: Diagnosis | None) -> None:
            if found is not None and found.kind != "lost-wal":
                self.open_recovery(db, found)

        self._checker.run(lambda: recovery.diagnose(db), checked, lambda _exc: None)

    def show_damage(self, message: str) -> None:
        """An error said the file is damaged: find out how, and open the recovery screen."""
        db = self._checkable_file()
        if db is None:
            return
        found = recovery.diagnose(db, thorough=True) or Diagnosis(
            "damaged",
            "Parts of the database file are damaged, so some records cannot be read.",
            message,
        )
        self.open_recovery(db, found)

    def open_recovery(self, db_path: Path, diagnosis: Diagnosis) -> None:
        """The recovery screen as the only page: no page can fail piecemeal behind it."""
        host = self.host
        host.locker.idle.stop()  # no idle lock over a database being recovered
        self.rooms.stop()
        from ui.shell.recovery_page import RecoveryPage

        host.go_home()
        page = RecoveryPage(host.ctx, db_path, diagnosis)
        page.restore_requested.connect(self.open_restore)
        page.use_rescued.connect(lambda rescued: self.use_rescued(db_path, rescued))
        page.open_as_is.connect(self.open_as_is)
        host.clear_pages()
        host.in_recovery = True
        host.push_page(page)

    def use_rescued(self, db_path: Path, rescued: Path) -> None:
        def act(old: Store, reopen: Callable[[], Store]) -> str:
            old.dispose()
            try:
                aside = recovery.put_in_place(db_path, rescued)
            finally:
                reopen()
            return (
                f"FaceChart now uses the rescued database. The damaged one is kept as {aside.name}."
            )

        self._swap_database("Putting the rescued database in place…", act)

    def open_as_is(self) -> None:
        def act(old: Store, reopen: Callable[[], Store]) -> str:
            old.dispose()
            reopen()
            return "The database is open as it is. Make a backup soon."

        self._swap_database("Opening the database…", act)

    # -- a backup restored -------------------------------------------------------------------

    def open_restore(self, chosen: Path | None = None) -> None:
        from ui.shell.restore_page import RestorePage

        ctx = self.host.ctx
        if not roles.may_administer(ctx.practitioner.role):
            show_error(self.window, "Only an admin can restore a backup. Ask the clinic's admin.")
            return
        current, note = None, "Damaged: cannot be counted"
        if not self.host.in_recovery:
            try:
                current, note = backup_settings.database_counts(ctx.store), ""
            except StoreError:
                pass

        def make() -> Page:
            page = RestorePage(ctx, chosen, current, note)
            page.restore_confirmed.connect(self.restore_backup)
            return page

        self.host.open_page(make)

    def restore_backup(self, path: Path, passphrase: str) -> None:
        """Close every page and connection, put the backup in place (the current database is
        kept aside), open it again and return to the first screen."""
        if self.backups.busy:
            show_error(self.window, "A backup is being made: restore once it has finished.")
            return
        try:
            db = backup_settings.database_file(self.host.ctx.store)
        except StoreError as exc:
            show_error(self.window, str(exc))
            return
        actor = self.host.ctx.practitioner

        def act(old: Store, reopen: Callable[[], Store]) -> str:
            report, _store = backup_settings.restore(
                db, path, passphrase, actor, dispose=old.dispose, reopen=reopen
            )
            c = report.restored
            aside = (
                f" The replaced database is kept as {report.aside.name}." if report.aside else ""
            )
            return (
                f"Restored the backup {path.name}: {c.patients} patients, {c.visits} visits, "
                f"{c.versions} chart versions, {c.photos} photos.{aside}"
            )

        self._swap_database("Restoring the backup…", act)

    # -- the swap ----------------------------------------------------------------------------

    def _set_pages_enabled(self, on: bool) -> None:
        stack = self.host.stack
        for index in range(stack.count()):
            page = stack.widget(index)
            if page is not None:
                page.setEnabled(on)

    def _swap_database(self, doing: str, act: Callable[[Store, Callable[[], Store]], str]) -> bool:
        """Leave every page, then on a worker: `act(old store, reopen)`, which closes the old
        store's connections, changes the file and reopens it; the first screen comes back on
        the reopened store. False when a page would not leave."""
        host = self.host
        if self._swapper.busy:
            return False
        host.go_home()
        if host.stack.count() > 1:
            show_error(self.window, "Close the open chart first, then try again.")
            return False
        if not host.in_recovery:
            self._set_pages_enabled(False)  # nothing reads the file while it changes
        self.rooms.stop()  # nor the watcher's own connection
        if not wait_left(LEFT_READS_S):  # nor a read a closed chart left running
            if not host.in_recovery:
                self._set_pages_enabled(True)
                self.rooms.start(host.ctx.store)
            show_error(self.window, STILL_READING)
            return False
        old = host.ctx.store
        url = old.url.render_as_string(hide_password=False)
        opened: list[Store] = []

        def reopen() -> Store:
            store = open_database(url)
            opened.append(store)
            return store

        dialog = QProgressDialog(self.window)
        dialog.setLabelText(doing)
        dialog.setRange(0, 0)  # busy: a file swap has no steps to count
        dialog.setCancelButton(None)  # a half-done swap cannot be cancelled
        dialog.setObjectName("swapProgress")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setMinimumWidth(480)
        dialog.show()
        self.swap_dialog = dialog

        def finish(message: str, error: bool) -> None:
            dialog.close()
            dialog.deleteLater()
            if opened:
                self._adopt(opened[-1])
            else:
                self._set_pages_enabled(True)
                if not host.in_recovery:
                    self.rooms.start(host.ctx.store)
            box = QMessageBox(
                QMessageBox.Icon.Warning if error else QMessageBox.Icon.Information,
                "FaceChart",
                message,
                QMessageBox.StandardButton.Ok,
                self.window,
            )
            box.setObjectName("swapResult")
            box.setWindowModality(Qt.WindowModality.WindowModal)
            box.open()
            self.swap_result = box

        def failed(exc: BaseException) -> None:
            if not isinstance(exc, (StoreError, OSError, ValueError)):
                finish("Something went wrong; the database was not changed.", True)
                raise exc
            finish(str(exc), True)

        self._swapper.run(lambda: act(old, reopen), lambda m: finish(m, False), failed)
        return True

    def _adopt(self, store: Store) -> None:
        """Work on `store` from now on (the restored or rescued database)."""
        ctx = self.host.ctx
        ctx.store = store
        try:
            ctx.products = {p.code: p for p in catalogue.list_products(store)}
        except StoreError as exc:
            show_error(self.window, str(exc))
        self.host.install_home()
        self.rooms.start(store)
        # The records are another database's now: whoever works next signs in on them (with
        # their PIN and key there), never as whoever was signed in before.
        self.host.locker.show_sign_in()
