"""Starting the app: QApplication, the store, the style sheet, the main window.

`run_app` is what `main.py` (and the `facechart` launcher) hands the GUI forms to, once it
has parsed the command line.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from importlib import resources
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from app.domain.roles import Role
from app.services import practitioners, recovery
from app.services.practitioners import PractitionerRecord
from app.services.recovery import Diagnosis
from app.services.store import (
    Store,
    error_log_path,
    log_error,
    open_database,
    open_demo_database,
    unopened_store,
)
from app.store.errors import StoreError
from ui.common import gc_pause
from ui.common.application import Application
from ui.common.context import AppContext
from ui.common.refcount_guard import RefcountGuard
from ui.common.touch_keyboard import KeyboardController
from ui.screens import ScreenError, picture, settle, show_screen
from ui.shell.main_window import MainWindow

BASE_POINT_SIZE = 15  # body text readable at arm's length on a 13-inch touch laptop


def style_sheet() -> str:
    """resources/style.qss, read through importlib so it also works from an installed wheel.
    Its `@ICONS@` stands for the icons folder, which Qt needs as a real path."""
    package = resources.files("resources")
    qss = package.joinpath("style.qss").read_text(encoding="utf-8")
    icons = Path(str(package.joinpath("icons"))).as_posix()
    return qss.replace("@ICONS@", icons)


def application(argv: list[str] | None = None) -> QApplication:
    """The one QApplication, configured for touch (reused if it already exists, as in tests)."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        app = existing
    else:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
        )
        # The app's class: pen proximity without an application-wide event filter.
        app = Application(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("FaceChart")
    app.setOrganizationName("FaceChart")
    font = QFont(app.font())
    font.setPointSize(BASE_POINT_SIZE)
    app.setFont(font)
    app.setStyle("Fusion")  # the same look on Windows, macOS and Linux; the QSS builds on it
    app.setStyleSheet(style_sheet())
    if app.findChild(RefcountGuard) is None:
        # PySide6 6.12 on Python 3.11 drains None/True with every void call; a whole clinic day
        # of pen events, previews and repaints would abort the app (ui/common/refcount_guard.py)
        RefcountGuard(app)
    # Python collects cycles on whichever thread allocates; on a worker (camera reader, aligner,
    # redraw) that can free the GUI thread's Qt objects and crash it later. Only the GUI
    # thread collects, on a timer (ui/common/gc_pause.py; pyqtgraph does the same); the worker
    # base pauses collection for its threads' lives on top of that (ADR 0012).
    gc_pause.collect_on_gui_thread_only(app)
    if app.findChild(KeyboardController) is None:
        # a text field tapped by touch or pen brings up FaceChart's keyboard where the OS
        # brings none (ui/common/touch_keyboard.py)
        KeyboardController(app)
    return app


def build_window(store: Store, demo: bool = False) -> MainWindow:
    return MainWindow(AppContext.open(store), demo=demo)


def build_recovery_window(store: Store, db_path: Path, found: Diagnosis) -> MainWindow:
    """The main window on the recovery screen, for a database too damaged to open (issue #12).
    Who acts: the database's first practitioner if that can still be read, else the person
    at this computer's account, who owns the file (once sign-in exists, an admin signs in)."""
    try:
        actor = practitioners.list_practitioners(store)[0]
    except Exception:  # a damaged file fails in any way at all: recovery must still open
        actor = PractitionerRecord(0, "This computer's user", Role.ADMIN)
    ctx = AppContext(store, actor, {})
    return MainWindow(ctx, recovery_needed=(db_path, found))


def _demo_store() -> tuple[Store, Path]:
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.TempLocation)
    folder = Path(tempfile.mkdtemp(prefix="facechart-demo-", dir=base or None))
    return open_demo_database(folder), folder


def _refuse(text: str, screenshot: str | None) -> int:
    """A database problem at start-up: a clear message box, never a traceback."""
    if screenshot:  # headless: nobody could close a box
        print(f"error: {text}", file=sys.stderr)
    else:
        QMessageBox.critical(None, "FaceChart cannot open the database", text)
    return 2


def install_error_hook(window: MainWindow | None = None) -> None:
    """An unexpected error in a slot: keep the details in a log file and tell the user plainly,
    instead of a traceback on a console nobody sees (or the app vanishing). An error that
    says the database file is damaged opens the recovery screen instead (issue #12)."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if exc.__traceback__ is None:
            exc = exc.with_traceback(tb)
        if window is not None and recovery.is_damage(exc):
            window.show_damage(str(exc).splitlines()[0] if str(exc) else "")
            return
        try:
            log: Path | str = log_error(exc)
        except OSError:
            log = error_log_path()
        text = (
            str(exc)
            if isinstance(exc, StoreError)
            else (
                "Something went wrong and that action did not finish. Nothing already saved was "
                f"changed.\n\nThe details were written to {log} for whoever supports FaceChart."
            )
        )
        QMessageBox.warning(QApplication.activeWindow(), "FaceChart", text)

    sys.excepthook = hook


def grab_to_file(window: MainWindow, size: tuple[int, int], path: str, screen: str | None) -> bool:
    """Render the window (taken to the named screen first) to a PNG of exactly its size."""
    window.resize(*size)
    window.show()
    settle()  # layouts settle over a few passes (scroll areas, fitted views)
    dialog = show_screen(window, screen) if screen else None
    saved = picture(window, dialog).save(path, "PNG")
    window.go_home()  # leave the editor or camera properly before the process ends
    return saved


def open_window(url: str) -> tuple[Store, MainWindow]:
    """The database at `url` and the main window on it. A damaged file, found before it is
    opened, while it opens or at the first screen's first read, gets the recovery screen
    instead (issue #12). StoreError for a database FaceChart refuses (newer, another
    program's, unreachable)."""
    damaged = recovery.diagnose_url(url)
    if damaged is None:
        store = None
        try:
            store = open_database(url)
            return store, build_window(store)
        except Exception as exc:
            if store is not None:
                store.dispose()
            if not recovery.is_damage(exc):
                raise
            damaged = recovery.diagnose_url(url, thorough=True)
            if damaged is None:
                raise
    store = unopened_store(url)
    return store, build_recovery_window(store, *damaged)


def run_app(
    url: str,
    demo: bool,
    screenshot: str | None,
    size: tuple[int, int],
    screen: str | None = None,
) -> int:
    app = application()
    folder: Path | None = None
    window: MainWindow | None = None
    try:
        try:
            if demo:
                store, folder = _demo_store()
                window = build_window(store, demo=True)
            else:
                store, window = open_window(url)
        except StoreError as exc:
            return _refuse(str(exc), screenshot)
        try:
            if screenshot:
                try:
                    written = grab_to_file(window, size, screenshot, screen)
                except ScreenError as exc:
                    print(f"error: {exc}", file=sys.stderr)
                    return 2
                if not written:
                    print(f"error: could not write {screenshot}", file=sys.stderr)
                    return 2
                return 0
            install_error_hook(window)
            window.resize(*size)
            window.showMaximized()
            return app.exec()
        except StoreError as exc:
            return _refuse(str(exc), screenshot)
        finally:
            store.dispose()
            window.ctx.store.dispose()  # a restore or rescue opened another
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
