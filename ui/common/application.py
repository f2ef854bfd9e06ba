"""The app's QApplication class: tablet proximity as a signal.

Qt delivers `TabletEnterProximity` / `TabletLeaveProximity` to the application object, not to
a widget. Watching for them with an event filter installed on the application ran a Python
call for every event of every widget (about 250 per pen tap on the chart editor); overriding
`event()` here runs Python only for the events sent to the application itself.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QApplication


class Application(QApplication):
    pen_proximity = Signal(bool)  # True: a pen came near the screen; False: it left

    def event(self, event: QEvent) -> bool:
        t = event.type()
        if t == QEvent.Type.TabletEnterProximity:
            self.pen_proximity.emit(True)
        elif t == QEvent.Type.TabletLeaveProximity:
            self.pen_proximity.emit(False)
        return super().event(event)
