"""Starting the app: QApplication, the store, the style sheet, sign-in, the main window.

`run_app` is what `main.py` (and the `facechart` launcher) hands the GUI forms to, once it
has parsed the command line. The app always opens on the sign-in screen (ui/signin/start.py);
the main window is built for whoever signs in. A screenshot of a named screen signs in as the
demo admin with the demo's published PIN and password, so it needs a demo database.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from app.domain.roles import Role
from app.services import demo as demo_data
from app.services import practitioners, recovery, signin
from app.services.practitioners import PractitionerRecord
from app.services.recovery import Diagnosis
from app.services.signin import SignedIn
from app.services.store import (
    Store,
    error_log_path,
    log_error,
    open_database,
    open_demo_database,
    storage_warning,
    unopened_store,
)
from app.store.errors import ServerUnreachableError, StoreError, translate
from ui.common import gc_pause
from ui.common.application import Application
from ui.common.context import AppContext
from ui.common.refcount_guard import RefcountGuard
from ui.common.touch_keyboard import KeyboardController
from ui.screens import ScreenError, picture, settle, show_screen
from ui.shell.main_window import MainWindow
from ui.signin.server_wait import ServerWaitWindow
from ui.signin.start import StartWindow

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


def build_window(ctx: AppContext, demo: bool = False) -> MainWindow:
    """The main window for a signed-in practitioner's context."""
    return MainWindow(ctx, demo=demo)


def demo_sign_in(store: Store) -> SignedIn:
    """The demo admin signed in with the published demo PIN and password (a real sign-in:
    StoreError on a database that is not the demo clinic's)."""
    if not demo_data.is_demo(store):
        raise StoreError("Named screens are shown on the demo clinic: sign-in needs a PIN.")
    first = demo_data.DEMO_PRACTITIONERS[0]
    tile = next((t for t in signin.tiles(store) if t.name == first.name), None)
    if tile is None:
        raise StoreError(f"The demo clinic has no {first.name}.")
    return signin.sign_in(store, tile.id, first.pin, first.password)


def open_main_window(
    store: Store, who: SignedIn, demo: bool, size: tuple[int, int], maximized: bool = True
) -> MainWindow:
    """What a sign-in at start-up leads to: the main window for them, shown."""
    window = build_window(AppContext.signed_in(store, who), demo=demo)
    window.resize(*size)
    if maximized:
        window.showMaximized()
    else:
        window.show()
    return window


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


def install_error_hook(window: Callable[[], MainWindow | None] | None = None) -> None:
    """An unexpected error in a slot: keep the details in a log file and tell the user plainly,
    instead of a traceback on a console nobody sees (or the app vanishing). An error that
    says the database file is damaged opens the recovery screen instead (issue #12)."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if exc.__traceback__ is None:
            exc = exc.with_traceback(tb)
        main = window() if window is not None else None
        if main is not None and recovery.is_damage(exc):
            main.recovery_wiring.show_damage(str(exc).splitlines()[0] if str(exc) else "")
            return
        try:
            log: Path | str = log_error(exc)
        except OSError:
            log = error_log_path()
        # A driver error that escaped a service's translation (the clinic server gone in the
        # middle of a read): its plain meaning, not "Something went wrong".
        plain = exc if isinstance(exc, StoreError) else translate(exc)
        text = (
            str(plain)
            if plain is not None
            else (
                "Something went wrong and that action did not finish. Nothing already saved was "
                f"changed.\n\nThe details were written to {log} for whoever supports FaceChart."
            )
        )
        QMessageBox.warning(QApplication.activeWindow(), "FaceChart", text)

    sys.excepthook = hook


def start_app(
    store: Store, demo: bool, size: tuple[int, int], maximized: bool = True
) -> StartWindow:
    """The sign-in screen the app opens on; a sign-in there opens the main window for that
    practitioner (kept as `start.main_window`) and closes the sign-in window."""
    start = StartWindow(store, demo=demo)
    start.resize(*size)

    def enter(who: SignedIn) -> None:
        start.main_window = open_main_window(store, who, demo, size, maximized)
        start.close()

    start.gate.signed_in.connect(enter)
    return start


def grab_to_file(window: MainWindow, size: tuple[int, int], path: str, screen: str | None) -> bool:
    """Render the window (taken to the named screen first) to a PNG of exactly its size."""
    window.resize(*size)
    window.show()
    settle()  # layouts settle over a few passes (scroll areas, fitted views)
    dialog = show_screen(window, screen) if screen else None
    saved = picture(window, dialog).save(path, "PNG")
    window.go_home()  # leave the editor or camera properly before the process ends
    return saved


def grab_start(store: Store, demo: bool, size: tuple[int, int], path: str) -> bool:
    """The window the app opens on (the sign-in screen), as a PNG of exactly its size."""
    start = StartWindow(store, demo=demo)
    start.resize(*size)
    start.show()
    settle()
    saved = start.grab().save(path, "PNG")
    start.close()
    return saved


def _screenshot(
    store: Store, demo: bool, size: tuple[int, int], path: str, screen: str | None
) -> int:
    if screen is None:
        written = grab_start(store, demo, size, path)
    else:
        try:
            window = build_window(AppContext.signed_in(store, demo_sign_in(store)), demo=demo)
        except StoreError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        try:
            written = grab_to_file(window, size, path, screen)
        except ScreenError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    if not written:
        print(f"error: could not write {path}", file=sys.stderr)
        return 2
    return 0


def open_window(url: str) -> tuple[Store, MainWindow | None]:
    """The database at `url`, and the recovery window when its file is damaged (issue #12):
    found before it is opened, while it opens, or at the sign-in screen's first read. None:
    start on the sign-in screen. StoreError for a database FaceChart refuses (newer, another
    program's, unreachable)."""
    damaged = recovery.diagnose_url(url)
    if damaged is None:
        store = None
        try:
            store = open_database(url)
            signin.tiles(store)  # the first screen's first read
            return store, None
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


def first_screen(store: Store, demo: bool, size: tuple[int, int]) -> StartWindow:
    """The sign-in screen on an open database, shown, with the error hook for what follows."""
    shared = storage_warning(store)
    if shared:  # a SQLite file on a network share (issue #13): said once, at start
        QMessageBox.warning(None, "FaceChart: the database is on a network share", shared)
    start = start_app(store, demo, size)
    install_error_hook(lambda: _main(start))
    start.showMaximized()
    return start


def wait_for_server(
    url: str, demo: bool, size: tuple[int, int], opened: list[Store | StartWindow]
) -> ServerWaitWindow:
    """The clinic server cannot be reached at start-up (issue #13): a plain screen that keeps
    trying, then the sign-in screen once the server answers (appended to `opened`, with its
    store, for run_app to close at the end). A refusal that waiting will not cure ends the
    app with its message, as at any start."""
    wait = ServerWaitWindow(url)

    def go(store: Store) -> None:
        opened.append(store)
        opened.append(first_screen(store, demo, size))  # shown before the wait screen closes
        wait.close()

    def refused(text: str) -> None:
        QMessageBox.critical(wait, "FaceChart cannot open the database", text)
        QApplication.exit(2)  # before the last window closes (that would exit with 0)
        wait.close()

    wait.opened.connect(go)
    wait.refused.connect(refused)
    install_error_hook()
    wait.resize(*size)
    wait.showMaximized()
    return wait


def _main(start: StartWindow) -> MainWindow | None:
    """The main window a sign-in at the start window opened, if any yet."""
    return start.main_window if isinstance(start.main_window, MainWindow) else None


def run_app(
    url: str,
    demo: bool,
    screenshot: str | None,
    size: tuple[int, int],
    screen: str | None = None,
) -> int:
    app = application()
    folder: Path | None = None
    window: MainWindow | None = None  # the recovery window of a damaged database
    start: StartWindow | None = None
    try:
        try:
            if demo:
                store, folder = _demo_store()
            else:
                store, window = open_window(url)
        except ServerUnreachableError as exc:
            if screenshot:
                return _refuse(str(exc), screenshot)
            return _run_after_waiting(app, url, size)
        except StoreError as exc:
            return _refuse(str(exc), screenshot)
        try:
            if screenshot:
                if window is not None:
                    return 0 if grab_to_file(window, size, screenshot, None) else 2
                return _screenshot(store, demo, size, screenshot, screen)
            if window is not None:  # a damaged database: the recovery screen, no sign-in
                recovering = window
                install_error_hook(lambda: recovering)
                window.resize(*size)
                window.showMaximized()
                return app.exec()
            start = first_screen(store, demo, size)
            return app.exec()
        except StoreError as exc:
            return _refuse(str(exc), screenshot)
        finally:
            store.dispose()
            main = window or (_main(start) if start is not None else None)
            if main is not None:
                main.ctx.store.dispose()  # a restore or rescue opened another
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


def _run_after_waiting(app: QApplication, url: str, size: tuple[int, int]) -> int:
    """run_app's loop on the waiting screen, and on what follows once the server answers."""
    opened: list[Store | StartWindow] = []
    wait = wait_for_server(url, False, size, opened)
    try:
        return app.exec()
    finally:
        wait.shutdown()
        for item in opened:
            if isinstance(item, StartWindow):
                main = _main(item)
                if main is not None:
                    main.ctx.store.dispose()  # a restore or rescue opened another
            else:
                item.dispose()
