"""The main window: a stack of pages with a back button. It only navigates; each page loads
its own data from the services and says, by signals, where the user wants to go next.

Its parts live beside it and reach it through the small interfaces they declare: the backups
(ui/shell/backup_wiring.py), the database under repair (ui/shell/recovery_wiring.py), the
other rooms' news (ui/shell/room_wiring.py) and the lock (ui/signin/lock.py)."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QMainWindow,
    QMessageBox,
    QProgressDialog,
    QSizePolicy,
    QStackedWidget,
    QWidget,
)

from app.domain.roles import may_administer
from app.services import audit, integrity, signin, visits
from app.services.chart_opening import ChartOpening, open_chart
from app.services.photos import PhotoRecord
from app.services.recovery import Diagnosis
from app.store.errors import StoreError
from ui.common.context import AppContext
from ui.common.dialogs import show_error
from ui.common.room_watch import RoomWatch
from ui.common.worker import Worker
from ui.shell.backup_runner import BackupRunner
from ui.shell.backup_wiring import BackupWiring
from ui.shell.recovery_wiring import RecoveryWiring
from ui.shell.room_wiring import RoomWiring

if TYPE_CHECKING:
    from ui.capture.base import PreviewSource
    from ui.editor.ahead import FirstView
from ui.common.widgets import TOUCH, Page, button, hbox, label, vbox
from ui.shell.chart_prefetch import ChartPrefetch
from ui.shell.hosted import HostedPage
from ui.shell.patient_form import PatientFormPage
from ui.shell.patient_list import PatientListPage
from ui.shell.patient_page import PatientPage
from ui.shell.photo_page import PhotoPage
from ui.shell.version_viewer import VersionViewerPage
from ui.shell.visit_page import VisitPage


class MainWindow(QMainWindow):
    def __init__(
        self,
        ctx: AppContext,
        demo: bool = False,
        camera_factory: Callable[[], PreviewSource] | None = None,
        recovery_needed: tuple[Path, Diagnosis] | None = None,
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.demo = demo
        self.camera_factory = camera_factory  # None: the computer's cameras; tests pass a fake
        self._chart_reader = Worker("chart-open", self)
        # the visit page's chart, read ahead: a tap on Chart builds the editor at once
        self._prefetch = ChartPrefetch(self._hearing_rooms, self)
        self._quit_when_home = False  # the window was closed while a page was leaving
        self._demo = demo
        # backups (issue #12): daily and on closing, to the admin's folder; never for the demo
        self.backups = BackupRunner(self)
        self.in_recovery = False  # the recovery screen is the only page (recovery_wiring)
        self.setWindowTitle("FaceChart" + (" — demo clinic (nothing is kept)" if demo else ""))
        # Two layers: the work (top bar and pages) and the sign-in screen of the lock, which
        # hides the work entirely while it is up (ui/signin/lock.py).
        central = QWidget()
        central.setObjectName("central")
        outer = vbox(central, spacing=0)
        self.layers = QStackedWidget()
        self.layers.setObjectName("layers")
        outer.addWidget(self.layers, 1)
        self.work = QWidget()
        self.work.setObjectName("work")
        lay = vbox(self.work, spacing=0)
        self.layers.addWidget(self.work)

        self.bar = bar = QFrame()
        bar.setObjectName("topBar")
        # Never squeezed by a tall page: the back button must stay whole.
        bar.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        bar.setMinimumHeight(TOUCH + 16)  # the same height with or without the back button
        row = hbox(bar, margins=8, spacing=12)
        self.back = button("‹  Back", "ghost")
        self.back.setObjectName("backButton")
        self.back.setMinimumWidth(120)
        self.title = label("", "bartitle")
        self.title.setObjectName("pageTitle")
        row.addWidget(self.back)
        row.addWidget(self.title, 1)
        if demo:
            row.addWidget(
                label("Demo clinic — nothing is kept", "badge"), 0, Qt.AlignmentFlag.AlignVCenter
            )
        self.lock_button = button("Lock", "ghost")
        self.lock_button.setObjectName("lockButton")
        self.lock_button.setMinimumWidth(110)
        self.lock_button.setAccessibleName("Lock the screen")
        row.addWidget(self.lock_button)
        lay.addWidget(bar)

        self.stack = QStackedWidget()
        lay.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        # the touch keyboard (ui/common/touch_keyboard.py) joins here, under the page or the
        # sign-in screen
        self.keyboard_slot = outer

        self.back.clicked.connect(self.go_back)
        # Alt+Left / the mouse's back key; not Esc, which people press to put away the
        # on-screen keyboard and would throw away a half-typed form.
        QShortcut(QKeySequence.StandardKey.Back, self, self.go_back)

        from ui.signin.lock import Locker

        # one lock for the window's life (a restore rebuilds the first screen, not the lock)
        self.locker = Locker(self)
        self.lock_button.clicked.connect(lambda: self.locker.lock("button"))
        QShortcut(QKeySequence("Ctrl+L"), self, lambda: self.locker.lock("button"))

        # Other rooms' saves, photos and visits (issue #13): one watcher for the window.
        self.room_wiring = RoomWiring(self, self.stack.currentWidget, self._prefetch.heard)
        self.recovery_wiring = RecoveryWiring(self, self, self.backups, self.room_wiring)
        self.backup_wiring = BackupWiring(self, self, self.backups, self.recovery_wiring)
        if recovery_needed is not None:
            self.recovery_wiring.open_recovery(*recovery_needed)
        else:
            self.install_home()
            self.room_wiring.start(ctx.store)
        if not demo:
            self.backup_wiring.start()
            self.recovery_wiring.start()

    # -- the parts' doors, where ui/screens.py and the tests knock -----------------------------

    @property
    def room_watch(self) -> RoomWatch | None:
        return self.room_wiring.watch

    def stop_watching_rooms(self) -> None:
        self.room_wiring.stop()

    def _hearing_rooms(self) -> Hashable | None:
        """The watcher's mark while it hears every change (RoomWatch.hearing), else None."""
        watch = self.room_wiring.watch
        return watch.hearing() if watch is not None else None

    def backup_if_due(self) -> bool:
        return self.backup_wiring.backup_if_due()

    @property
    def _closing_backup(self) -> QProgressDialog | None:
        return self.backup_wiring.closing_dialog

    def open_backup_page(self) -> None:
        self.backup_wiring.open_backup_page()

    def open_export(self, patient_id: int | None = None) -> None:
        self.backup_wiring.open_export(patient_id)

    def open_import(self, chosen: Path | None = None) -> None:
        self.backup_wiring.open_import(chosen)

    @property
    def swap_result(self) -> QMessageBox | None:
        return self.recovery_wiring.swap_result

    def refresh_backup_line(self) -> None:
        """The first screen's line about the last backup (none while recovery is up)."""
        if hasattr(self, "patient_list") and not self.in_recovery:
            self.patient_list.refresh_backup()

    # -- the stack of pages -------------------------------------------------------------------

    def clear_pages(self) -> None:
        while (old := self.stack.widget(0)) is not None:
            self.stack.removeWidget(old)
            old.deleteLater()

    def install_home(self) -> None:
        """The first screen as the only page (at start, and after the database was swapped)."""
        self.clear_pages()
        self.in_recovery = False
        self.patient_list = PatientListPage(self.ctx)
        self.patient_list.patient_opened.connect(self.open_patient)
        self.patient_list.new_patient_requested.connect(self.new_patient)
        self.patient_list.settings_requested.connect(self.open_settings)
        self.patient_list.audit_requested.connect(
            lambda: self.open_audit(actor_id=self.ctx.practitioner.id)
        )
        self.patient_list.draft_chart_requested.connect(self.open_draft)
        self.patient_list.unsigned_requested.connect(self.open_unsigned)
        self.patient_list.due_requested.connect(self.open_due)
        self.patient_list.recall_requested.connect(self.open_recall)
        self.patient_list.backup_requested.connect(self.backup_wiring.open_backup_page)
        self.push_page(self.patient_list)

    # -- navigation -------------------------------------------------------------------------

    def current_page(self) -> Page:
        page = self.stack.currentWidget()
        assert isinstance(page, Page)
        return page

    def push_page(self, page: Page) -> None:
        # Before the page joins: a visible bar plus a full-height tool would grow the window.
        self.bar.setVisible(not page.has_own_bar)
        self.stack.addWidget(page)
        self.stack.setCurrentWidget(page)
        self._shown(page)

    def _shown(self, page: Page) -> None:
        self.title.setText(page.title)
        self.back.setVisible(self.stack.count() > 1)
        # Full-screen tools (editor, capture) need every pixel of 768 and have their own exit.
        self.bar.setVisible(not page.has_own_bar)
        page.activated()
        if isinstance(page, VisitPage) and not self.in_recovery:
            self._prefetch.prepare(self.ctx.store, page.visit.id, self.ctx.practitioner.id)
        else:
            self._prefetch.stop()

    def go_back(self) -> None:
        if self.stack.count() <= 1 or self.locker.locked:
            return
        page = self.current_page()
        if not page.ready_to_leave():
            return
        if self.stack.currentWidget() is not page:  # it already left while getting ready
            return
        self.stack.removeWidget(page)
        page.deleteLater()
        self._shown(self.current_page())
        if self._quit_when_home:
            QTimer.singleShot(0, self, self.close)  # the close that waited for this page

    def go_home(self) -> None:
        while self.stack.count() > 1:
            before = self.stack.count()
            self.go_back()
            if self.stack.count() == before:  # a page that will leave later: stop here
                break

    def closeEvent(self, event: QCloseEvent) -> None:
        # Leave every page its own way first: the editor asks about unsaved changes (its
        # draft is on disk already), the capture screen finishes writing a photo and lets go
        # of the camera. A page still leaving keeps the window open; it closes once the page
        # is gone. Locked, nobody can answer: every page leaves keeping its draft.
        if self.locker.locked:
            self.leave_for_someone_else()
        self.go_home()
        if self.stack.count() > 1:
            self._quit_when_home = True
            event.ignore()
            return
        # Then the backup on closing (issue #12), with its progress; the window closes when it
        # ends, fails, or the user chooses not to wait: the close is never lost.
        if self.backup_wiring.hold_close(event):
            return
        self.backup_wiring.stop()
        self._chart_reader.shutdown()
        self._prefetch.shutdown()
        self.room_wiring.stop()
        self.locker.shutdown()
        try:
            signin.sign_out(self.ctx.store, self.ctx.practitioner.id, "closed FaceChart")
        except StoreError:
            pass  # closing never fails for want of a log entry
        if not self._demo:  # the demo clinic is thrown away: nothing to stand behind
            # Signing out signs the records as they are (ADR 0025), the sign-out included,
            # so a change made behind FaceChart's back from now on is named by `check`.
            integrity.checkpoint_quietly(self.ctx.store, "sign-out", self.ctx.signer)
        self.recovery_wiring.shutdown()
        self.backups.shutdown()
        super().closeEvent(event)

    def leave_for_someone_else(self) -> None:
        """Every page closes at once, without asking (another practitioner signed in at the
        lock screen): an open chart keeps its unsaved work as its author's draft, never
        saved under whoever signed in."""
        while self.stack.count() > 1:
            page = self.current_page()
            if isinstance(page, HostedPage):
                page.leave_now()  # its `done` takes it off the stack
            if self.stack.currentWidget() is page:
                self.stack.removeWidget(page)
                page.deleteLater()
        self._shown(self.current_page())

    def practitioner_changed(self) -> None:
        """Someone else signed in: the first page shows their drafts, not the last one's."""
        self._shown(self.current_page())

    def _stay(self) -> None:
        """A page asked, and the user chose to stay: a window close waiting for it is off."""
        self._quit_when_home = False

    def _replace_current(self, page: Page) -> None:
        """Swap the top page (e.g. the new-patient form becomes the patient it created), so
        Back does not return to a form that was already used."""
        old = self.stack.currentWidget()
        if old is not None:
            self.stack.removeWidget(old)
            old.deleteLater()
        self.push_page(page)

    # -- where pages lead -------------------------------------------------------------------

    def open_page(self, make: Callable[[], Page], replace: bool = False) -> Page | None:
        """Build a page and show it; a record that vanished or a database that went away is
        a message on the current screen, not a crash."""
        try:
            page = make()
        except StoreError as exc:
            show_error(self, str(exc))
            return None
        (self._replace_current if replace else self.push_page)(page)
        return page

    def _audit(
        self,
        kind: str,
        patient_id: int | None,
        visit_id: int | None = None,
        subject: str = "",
        detail: str = "",
    ) -> None:
        """Record what the practitioner opened (issue #11). Best effort, as "recent patients"
        is: a database this computer may only read still browses (ADR 0020)."""
        try:
            audit.record(
                self.ctx.store,
                kind,
                self.ctx.practitioner.id,
                patient_id=patient_id,
                visit_id=visit_id,
                subject=subject,
                detail=detail,
            )
        except StoreError:
            pass

    def open_audit(self, patient_id: int | None = None, actor_id: int | None = None) -> None:
        """The audit trail: of one patient ("who opened this record"), of one practitioner, or
        all that the signed-in practitioner may see (ui/shell/audit_screen.py)."""
        from ui.shell.audit_screen import AuditScreen

        self.open_page(lambda: AuditScreen(self.ctx, patient_id=patient_id, actor_id=actor_id))

    def new_patient(self) -> None:
        form = PatientFormPage(self.ctx)
        form.created.connect(lambda pid: self.open_patient(pid, replace=True))
        form.existing_chosen.connect(lambda pid: self.open_patient(pid, replace=True))
        form.cancelled.connect(self.go_back)
        self.push_page(form)

    def open_settings(self) -> None:
        """The clinic's settings: which soft warnings charts show (ui/shell/warnings_page),
        and the way to the Backup page; for an admin, the way to the practitioners."""
        from ui.shell.warnings_page import WarningsPage

        def make() -> Page:
            page = WarningsPage(self.ctx)
            page.backup_requested.connect(self.backup_wiring.open_backup_page)
            page.practitioners_requested.connect(self.open_practitioners)
            return page

        self.open_page(make)

    def open_practitioners(self) -> None:
        """The admin's page of practitioners and the idle lock; refused to anyone else (the
        services refuse them too)."""
        from ui.signin.practitioners_page import PractitionersPage

        if not may_administer(self.ctx.practitioner.role):
            show_error(self, "Only admins may change practitioners.")
            return
        self.open_page(lambda: PractitionersPage(self.ctx, self.locker.idle))

    def open_patient(self, patient_id: int, replace: bool = False) -> None:
        def make() -> Page:
            page = PatientPage(self.ctx, patient_id)
            page.visit_opened.connect(self.open_visit)
            page.audit_requested.connect(lambda: self.open_audit(patient_id=patient_id))
            page.edit_requested.connect(lambda: self.edit_patient(patient_id))
            page.export_requested.connect(lambda: self.backup_wiring.open_export(patient_id))
            return page

        if self.open_page(make, replace) is not None:
            self._audit("open_patient", patient_id, subject=f"patient:{patient_id}")

    def edit_patient(self, patient_id: int) -> None:
        """The patient's details in the form, to correct them; a change asks why."""

        def make() -> Page:
            form = PatientFormPage(self.ctx, editing=patient_id)
            form.saved.connect(self.go_back)
            form.cancelled.connect(self.go_back)
            return form

        self.open_page(make)

    def open_visit(self, visit_id: int) -> None:
        def make() -> Page:
            page = VisitPage(self.ctx, visit_id)
            page.version_opened.connect(lambda vid: self.open_version(visit_id, vid))
            page.photo_opened.connect(self.open_photo)
            page.visit_removed.connect(self.go_back)
            page.chart_requested.connect(lambda: self.open_editor(visit_id))
            page.report_requested.connect(lambda: self.open_report(visit_id))
            page.capture_requested.connect(lambda: self.open_capture(page.patient.id, visit_id))
            return page

        page = self.open_page(make)
        if isinstance(page, VisitPage):
            v = page.visit
            self._audit(
                "open_visit",
                v.patient_id,
                v.id,
                f"visit:{v.id}",
                f"{v.treatment_type.label.lower()} visit of {v.visit_date.isoformat()}",
            )

    def open_draft(self, visit_id: int) -> None:
        """A kept draft's chart, reached the usual way (patient, visit, chart), so Back and
        Close lead where they always do; the editor offers Restore or Discard."""
        try:
            patient_id = visits.get_visit(self.ctx.store, visit_id).patient_id
        except StoreError as exc:
            show_error(self, str(exc))
            return
        self.open_patient(patient_id)
        self.open_visit(visit_id)
        self.open_editor(visit_id)

    def open_unsigned(self) -> None:
        """The charts waiting for the practitioner's signature or co-signature."""
        from ui.shell.unsigned_page import UnsignedPage

        def make() -> Page:
            page = UnsignedPage(self.ctx)
            page.visit_opened.connect(self.open_visit_to_sign)
            return page

        self.open_page(make)

    def open_due(self) -> None:
        """The follow-up list: who is due back, and the charts not signed (issue #14)."""
        from ui.shell.due_page import DuePage

        def make() -> Page:
            page = DuePage(self.ctx)
            page.patient_opened.connect(self.open_patient)
            return page

        self.open_page(make)

    def open_recall(self) -> None:
        """Lot recall: the patients whose charts used a lot (issue #14)."""
        from ui.shell.recall_page import RecallPage

        def make() -> Page:
            page = RecallPage(self.ctx)
            page.patient_opened.connect(self.open_patient)
            return page

        self.open_page(make)

    def open_visit_to_sign(self, visit_id: int) -> None:
        """A chart from the list to sign: its patient, then its visit (Sign is there), so
        Back leads through the patient as anywhere else."""
        try:
            patient_id = visits.get_visit(self.ctx.store, visit_id).patient_id
        except StoreError as exc:
            show_error(self, str(exc))
            return
        self.open_patient(patient_id)
        self.open_visit(visit_id)

    def open_photo(self, photo: PhotoRecord) -> None:
        if self.open_page(lambda: PhotoPage(self.ctx, photo)) is not None:
            self._audit(
                "view_photo",
                photo.patient_id,
                photo.visit_id,
                f"photo:{photo.id}",
                f"{photo.view_name} photo",
            )

    def open_version(self, visit_id: int, version_id: int) -> None:
        def make() -> Page:
            page = VersionViewerPage(self.ctx, visit_id, version_id)
            page.report_requested.connect(lambda: self.open_report(visit_id, version_id))
            return page

        page = self.open_page(make)
        if isinstance(page, VersionViewerPage):
            info = page.loaded.info
            self._audit(
                "open_version",
                page.patient_id,
                visit_id,
                f"chart_version:{info.id}",
                f"version {info.version_no}" + ("" if page.loaded.is_head else " (an older one)"),
            )

    def open_report(self, visit_id: int, version_id: int | None = None) -> None:
        """The visit's report (ui/shell/report_page): previewed, saved or printed."""
        from ui.shell.report_page import ReportPage

        self.open_page(lambda: ReportPage(self.ctx, visit_id, version_id))

    def open_editor(self, visit_id: int, draft_note: str = "") -> None:
        """The chart editor (ui/editor) on the visit's newest version, or a first one. The
        chart is read on a worker: a slow clinic server never freezes the screen meanwhile.
        `draft_note` is said over a kept draft's Restore/Discard."""
        from ui.editor.editor_window import ChartEditor

        if self._chart_reader.busy:
            return  # a second tap while the chart is being read opens it once

        def make(opening: ChartOpening, first: FirstView | None = None) -> Page:
            editor = ChartEditor(
                self.ctx.store,
                visit_id,
                self.ctx.practitioner.id,
                opening=opening,
                signer=self.ctx.signer,
                draft_note=draft_note,
                ahead=first,
            )
            page = HostedPage(
                editor,
                "Chart",
                editor.close_editor,
                editor.closed,
                leave_now=editor.leave_keeping_draft,
            )
            page.done.connect(self.go_back)
            editor.close_cancelled.connect(self._stay)
            editor.newer_requested.connect(lambda note: self._reopen_editor(page, visit_id, note))
            return page

        def failed(exc: BaseException) -> None:
            self.unsetCursor()
            if not isinstance(exc, StoreError):
                raise exc
            show_error(self, str(exc))

        def read(opening: ChartOpening) -> None:
            self.unsetCursor()
            self.open_page(lambda: make(opening))

        who = self.ctx.practitioner.id
        ahead = self._prefetch.take(self.ctx.store, visit_id, who)
        if ahead is not None:  # read while the visit page showed, and still current
            self.open_page(lambda: make(*ahead))
            return
        self.setCursor(Qt.CursorShape.BusyCursor)
        self._chart_reader.run(
            lambda: open_chart(
                self.ctx.store, visit_id, first_display_only=True, practitioner_id=who
            ),
            read,
            failed,
        )

    def _reopen_editor(self, page: HostedPage, visit_id: int, note: str) -> None:
        """Another room's newer version was chosen: this editor leaves without asking (its
        unsaved work is its draft already) and the chart opens again on its newest version."""
        page.leave_now()
        self.open_editor(visit_id, note)

    def open_capture(self, patient_id: int, visit_id: int) -> None:
        """The capture screen (ui/capture) for this visit's photos."""
        from ui.capture.capture_screen import CaptureScreen

        def make() -> Page:
            screen = CaptureScreen(
                self.ctx.store,
                patient_id,
                visit_id,
                self.ctx.practitioner.id,
                source_factory=self.camera_factory,
            )
            page = HostedPage(screen, "Photos", screen.finish, screen.finished)
            page.done.connect(self.go_back)
            return page

        self.open_page(make)
