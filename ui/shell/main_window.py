"""The main window: a stack of pages with a back button. It only navigates; each page loads
its own data from the services and says, by signals, where the user wants to go next."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QFrame, QMainWindow, QSizePolicy, QStackedWidget, QWidget

from app.services import integrity, visits
from app.services.chart_opening import ChartOpening, open_chart
from app.services.photos import PhotoRecord
from app.store.errors import StoreError
from ui.common.context import AppContext
from ui.common.dialogs import show_error
from ui.common.worker import Worker

if TYPE_CHECKING:
    from ui.capture.base import PreviewSource
from ui.common.widgets import TOUCH, Page, button, hbox, label, vbox
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
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.camera_factory = camera_factory  # None: the computer's cameras; tests pass a fake
        self._chart_reader = Worker("chart-open", self)
        self._quit_when_home = False  # the window was closed while a page was leaving
        self._demo = demo
        self.setWindowTitle("FaceChart" + (" — demo clinic (nothing is kept)" if demo else ""))
        central = QWidget()
        central.setObjectName("central")
        lay = vbox(central, spacing=0)

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
        lay.addWidget(bar)

        self.stack = QStackedWidget()
        lay.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        # the touch keyboard (ui/common/touch_keyboard.py) joins here, under the page
        self.keyboard_slot = lay

        self.back.clicked.connect(self.go_back)
        # Alt+Left / the mouse's back key; not Esc, which people press to put away the
        # on-screen keyboard and would throw away a half-typed form.
        QShortcut(QKeySequence.StandardKey.Back, self, self.go_back)

        self.patient_list = PatientListPage(ctx)
        self.patient_list.patient_opened.connect(self.open_patient)
        self.patient_list.new_patient_requested.connect(self.new_patient)
        self.patient_list.settings_requested.connect(self.open_settings)
        self.patient_list.draft_chart_requested.connect(self.open_draft)
        self._push(self.patient_list)

    # -- navigation -------------------------------------------------------------------------

    def current_page(self) -> Page:
        page = self.stack.currentWidget()
        assert isinstance(page, Page)
        return page

    def _push(self, page: Page) -> None:
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

    def go_back(self) -> None:
        if self.stack.count() <= 1:
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
        # is gone.
        self.go_home()
        if self.stack.count() > 1:
            self._quit_when_home = True
            event.ignore()
            return
        self._chart_reader.shutdown()
        if not self._demo:  # the demo clinic is thrown away: nothing to stand behind
            # Closing is today's sign-out: sign the records as they are (ADR 0019), so a
            # change made behind FaceChart's back from now on is named by `check`.
            integrity.checkpoint_quietly(self.ctx.store, "sign-out")
        super().closeEvent(event)

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
        self._push(page)

    # -- where pages lead -------------------------------------------------------------------

    def _open(self, make: Callable[[], Page], replace: bool = False) -> Page | None:
        """Build a page and show it; a record that vanished or a database that went away is
        a message on the current screen, not a crash."""
        try:
            page = make()
        except StoreError as exc:
            show_error(self, str(exc))
            return None
        (self._replace_current if replace else self._push)(page)
        return page

    def new_patient(self) -> None:
        form = PatientFormPage(self.ctx)
        form.created.connect(lambda pid: self.open_patient(pid, replace=True))
        form.existing_chosen.connect(lambda pid: self.open_patient(pid, replace=True))
        form.cancelled.connect(self.go_back)
        self._push(form)

    def open_settings(self) -> None:
        """The clinic's settings: which soft warnings charts show (ui/shell/warnings_page)."""
        from ui.shell.warnings_page import WarningsPage

        self._open(lambda: WarningsPage(self.ctx))

    def open_patient(self, patient_id: int, replace: bool = False) -> None:
        def make() -> Page:
            page = PatientPage(self.ctx, patient_id)
            page.visit_opened.connect(self.open_visit)
            return page

        self._open(make, replace)

    def open_visit(self, visit_id: int) -> None:
        def make() -> Page:
            page = VisitPage(self.ctx, visit_id)
            page.version_opened.connect(lambda vid: self.open_version(visit_id, vid))
            page.photo_opened.connect(self.open_photo)
            page.visit_removed.connect(self.go_back)
            page.chart_requested.connect(lambda: self.open_editor(visit_id))
            page.capture_requested.connect(lambda: self.open_capture(page.patient.id, visit_id))
            return page

        self._open(make)

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

    def open_photo(self, photo: PhotoRecord) -> None:
        self._open(lambda: PhotoPage(self.ctx, photo))

    def open_version(self, visit_id: int, version_id: int) -> None:
        self._open(lambda: VersionViewerPage(self.ctx, visit_id, version_id))

    def open_editor(self, visit_id: int) -> None:
        """The chart editor (ui/editor) on the visit's newest version, or a first one. The
        chart is read on a worker: a slow clinic server never freezes the screen meanwhile."""
        from ui.editor.editor_window import ChartEditor

        if self._chart_reader.busy:
            return  # a second tap while the chart is being read opens it once

        def make(opening: ChartOpening) -> Page:
            editor = ChartEditor(
                self.ctx.store, visit_id, self.ctx.practitioner.id, opening=opening
            )
            page = HostedPage(editor, "Chart", editor.close_editor, editor.closed)
            page.done.connect(self.go_back)
            editor.close_cancelled.connect(self._stay)
            return page

        def failed(exc: BaseException) -> None:
            self.unsetCursor()
            if not isinstance(exc, StoreError):
                raise exc
            show_error(self, str(exc))

        def read(opening: ChartOpening) -> None:
            self.unsetCursor()
            self._open(lambda: make(opening))

        self.setCursor(Qt.CursorShape.BusyCursor)
        self._chart_reader.run(
            lambda: open_chart(self.ctx.store, visit_id, first_display_only=True), read, failed
        )

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

        self._open(make)
