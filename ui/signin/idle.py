"""The idle lock's clock: any input restarts it; after the admin's minutes without any, `idle`.

Watching every event with a filter on the application costs a Python call per event (about
250 per pen tap on the chart editor: ui/common/application.py). So the filter is installed
only until it sees one input event, then removed and put back a few seconds later: Python runs
for one event in each such window, and the lock comes at most REARM_MS early.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

REARM_MS = 3000

INPUT = frozenset(
    {
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.KeyPress,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.TabletPress,
        QEvent.Type.TabletMove,
    }
)


class IdleWatch(QObject):
    idle = Signal()

    def __init__(self, parent: QObject, minutes: float) -> None:
        super().__init__(parent)
        self._clock = QTimer(self)
        self._clock.setSingleShot(True)
        self._clock.timeout.connect(self._expired)
        self._rearm = QTimer(self)
        self._rearm.setSingleShot(True)
        self._rearm.timeout.connect(self._watch)
        self._watching = False
        self.set_minutes(minutes)

    def set_minutes(self, minutes: float) -> None:
        ms = max(1, int(minutes * 60_000))
        self._clock.setInterval(ms)
        self._rearm.setInterval(max(1, min(REARM_MS, ms // 4)))
        if self._clock.isActive():
            self._clock.start()

    @property
    def running(self) -> bool:
        return self._clock.isActive()

    def start(self) -> None:
        self._clock.start()
        self._watch()

    def stop(self) -> None:
        self._clock.stop()
        self._rearm.stop()
        self._unwatch()

    def _watch(self) -> None:
        app = QApplication.instance()
        if app is not None and not self._watching:
            app.installEventFilter(self)
            self._watching = True

    def _unwatch(self) -> None:
        app = QApplication.instance()
        if app is not None and self._watching:
            app.removeEventFilter(self)
        self._watching = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in INPUT and self._clock.isActive():
            self._clock.start()  # from now
            self._unwatch()
            self._rearm.start()
        return False

    def _expired(self) -> None:
        self.stop()
        self.idle.emit()
