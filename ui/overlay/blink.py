"""Blink: today's photo and the aligned earlier one in turn, so what moved catches the eye.

A change every third of a second (~1.5 Hz): slow enough to see each photo, fast enough that
the eye compares them without remembering. "Pause" stops on the photo shown; "Hold to see
earlier" shows the earlier photo for as long as it is held.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

BLINK_MS = 333


class Blink(QObject):
    changed = Signal(bool)  # True while the earlier photo is to be shown

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setInterval(BLINK_MS)
        self.timer.timeout.connect(self._tick)
        self.active = False  # the screen is in blink mode
        self.paused = False
        self.alternate = False  # the timer's half: earlier (True) or today
        self.holding = False

    @property
    def earlier(self) -> bool:
        return self.active and (self.alternate or self.holding)

    def set_active(self, active: bool) -> None:
        self.active, self.alternate = active, False
        self._run()
        self.changed.emit(self.earlier)

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        self._run()

    def hold(self, down: bool) -> None:
        self.holding = down
        self.changed.emit(self.earlier)

    def stop(self) -> None:
        self.timer.stop()

    def _run(self) -> None:
        if self.active and not self.paused:
            self.timer.start()
        else:
            self.timer.stop()

    def _tick(self) -> None:
        self.alternate = not self.alternate
        self.changed.emit(self.earlier)
