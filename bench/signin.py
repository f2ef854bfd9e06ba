"""Sign-in figures (issue #11): what an attacker holding the database pays per guess of a PIN or
password (Argon2id with the stored parameters), and what a clinician waits from the PIN's OK
to the first screen painted.

`sign_in_ms` drives the real start-up path (ui/app.py `start_app`) on the demo clinic in a real
SQLite file at 1366×768, offscreen: tile chosen, password typed, PIN tapped on the keypad. The
app opens the password's key on a worker as soon as the first digit is tapped, so by OK (a few
taps later, over a second for a person) only the PIN's check is left; the run waits for that
worker before OK, as a person's tapping does. It ends when the main window (the patient list)
has been painted. `sign_in_cold_ms` is the same with the password's key opened only at OK (a
PIN tapped faster than the key opens). `unlock_ms`: the PIN's OK at the lock screen until the
screen under it is painted again.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from bench.registry import Benchmark, Context, Goal, Report, median, repeat_ms

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

SCREEN = (1366, 768)


def _app() -> QApplication:
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from ui.app import application

    return application()


def run_argon2(ctx: Context) -> Report:
    from app.security import secrets

    report = Report()
    stored = secrets.hash_secret("4821")
    reps = ctx.size(15, 2)
    guesses = repeat_ms(lambda: secrets.verify_secret(stored, "0000"), reps, warmup=2)
    report.put("argon2_guess_ms", median(guesses), reps)
    salt = os.urandom(secrets.SALT_BYTES)
    keys = repeat_ms(lambda: secrets.derive_key("a wrong password", salt), reps, warmup=1)
    report.put("argon2_key_ms", median(keys), reps)
    report.details["parameters"] = {
        "type": "argon2id",
        "time_cost": secrets.TIME_COST,
        "memory_kib": secrets.MEMORY_COST_KIB,
        "parallelism": secrets.PARALLELISM,
    }
    report.notes.append(
        (
            "argon2",
            f"Argon2id t={secrets.TIME_COST}, m={secrets.MEMORY_COST_KIB // 1024} MiB, "
            f"p={secrets.PARALLELISM}: one guess of a PIN or password, one key derivation",
        )
    )
    return report


def _wait(app: QApplication, until: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not until():
        if time.monotonic() > deadline:
            raise RuntimeError("the sign-in screen did not answer in time")
        app.processEvents()
        time.sleep(0.002)


def _first_paint_watch(app: QApplication) -> Callable[[], float | None]:
    """When a widget of a main window was first painted (perf_counter), once it has been: an
    application event filter for the run of this benchmark only."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QWidget

    from ui.shell.main_window import MainWindow

    class Watch(QObject):
        at: float | None = None

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if (
                self.at is None
                and event.type() == QEvent.Type.Paint
                and isinstance(watched, QWidget)
                and isinstance(watched.window(), MainWindow)
            ):
                self.at = time.perf_counter()
            return False

    watch = Watch(app)
    app.installEventFilter(watch)

    def seen() -> float | None:
        at, watch.at = watch.at, None
        return at

    return seen


def run_sign_in(ctx: Context) -> Report:
    app = _app()
    from app.services import signin
    from app.services.demo import DEMO_PRACTITIONERS, build_demo
    from app.store.database import open_store, sqlite_url
    from ui.app import start_app
    from ui.screens import settle
    from ui.shell.main_window import MainWindow

    report = Report()
    store = open_store(sqlite_url(ctx.tmp / "signin.db"))
    build_demo(store)
    who = DEMO_PRACTITIONERS[1]  # the prescriber: a clinician starting their day
    tile = next(t for t in signin.tiles(store) if t.name == who.name)
    reps = ctx.size(9, 2)
    painted = _first_paint_watch(app)

    def paint_after() -> float:
        """When the main window was next painted, as the event loop delivers it."""
        at: list[float] = []

        def seen() -> bool:
            when = painted()
            if when is not None:
                at.append(when)
            return bool(at)

        _wait(app, seen)
        return at[0]

    def one(ahead: bool) -> float:
        start = start_app(store, demo=True, size=SCREEN, maximized=False)
        start.show()
        settle()
        gate = start.gate
        gate.choose(tile)
        gate.entry.password.setText(who.password)
        keypad = gate.entry.keypad
        if ahead:
            for digit in who.pin:
                keypad.press(digit)
            _wait(app, lambda: gate._opened is not None)
        else:
            gate.open_ahead = False  # the key opens at OK, with the PIN's check
            for digit in who.pin:
                keypad.press(digit)
        painted()  # forget paints before OK
        t0 = time.perf_counter()
        keypad.press("ok")
        window = start.main_window
        if window is None:
            raise RuntimeError("the sign-in did not open the main window")
        ms = (paint_after() - t0) * 1000.0
        window.close()
        window.deleteLater()
        start.deleteLater()
        settle()
        return ms

    one(True)  # warm-up: imports, style sheet, first queries
    warm = [one(True) for _ in range(reps)]
    cold = [one(False) for _ in range(reps)]
    report.put("sign_in_ms", median(warm), reps)
    report.put("sign_in_cold_ms", median(cold), reps)

    # unlock: the lock screen's PIN until the screen under it is painted again
    start = start_app(store, demo=True, size=SCREEN, maximized=False)
    start.show()
    settle()
    start.gate.choose(tile)
    start.gate.entry.password.setText(who.password)
    for digit in who.pin:
        start.gate.entry.keypad.press(digit)
    start.gate.entry.keypad.press("ok")
    window = start.main_window
    assert isinstance(window, MainWindow)
    unlocks: list[float] = []
    for _ in range(reps + 1):
        window.locker.lock("bench")
        settle()
        keypad = window.locker.gate.entry.keypad
        for digit in who.pin:
            keypad.press(digit)
        painted()
        t0 = time.perf_counter()
        keypad.press("ok")
        unlocks.append((paint_after() - t0) * 1000.0)
    report.put("unlock_ms", median(unlocks[1:]), reps)
    window.close()
    store.dispose()
    report.notes.append(
        ("sign-in", "demo clinic, 1366×768 offscreen; PIN's OK to the patient list painted")
    )
    return report


BENCHMARKS = (
    Benchmark(
        "signin_argon2",
        ("argon2_guess_ms", "argon2_key_ms"),
        run_argon2,
        {"argon2_guess_ms": Goal(100, at_least=True)},
        "Argon2id: one PIN or password guess against a stored hash; one key derivation",
    ),
    Benchmark(
        "signin_screen",
        ("sign_in_ms", "sign_in_cold_ms", "unlock_ms"),
        run_sign_in,
        {"sign_in_ms": Goal(500), "unlock_ms": Goal(500)},
        "PIN's OK on the sign-in screen to the first screen painted (demo clinic); unlock",
    ),
)
