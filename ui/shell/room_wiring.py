"""The main window and the other rooms (issue #13, ADR 0026): one `RoomWatch` for the window's
database, its news handed to the page on screen only. A page under it reads its records again
when it comes back to the front (`activated`), so it needs no news. Each page says what the
news means to it (`room_news`: the patient and visit pages' banner, ui/shell/room_banner.py;
the editor's message bar, ui/editor/rooms.py).

The watch stops while the database file is swapped (restore, rescue) and starts again on the
reopened one; a database no other room can reach (in memory) is not watched.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from app.services.room_changes import ChangedRecords
from app.services.room_news import RoomNews
from app.services.store import Store
from ui.common.room_watch import RoomWatch
from ui.shell.hosted import HostedPage


class RoomWiring:
    def __init__(
        self,
        owner: QObject,
        current_page: Callable[[], QWidget | None],
        heard: Callable[[ChangedRecords], None] = lambda _changes: None,
    ) -> None:
        self._owner = owner  # the watch's parent: the window, so it never outlives it
        self._current_page = current_page
        self._heard = heard  # every record change read (what was read before it may be stale)
        self.watch: RoomWatch | None = None  # one watcher for the window, or none

    def start(self, store: Store) -> None:
        self.stop()
        if store.is_sqlite and store.url.database in (None, "", ":memory:"):
            return  # a database no other room can reach
        self.watch = RoomWatch(store, self._owner)
        self.watch.news.connect(self._news)
        self.watch.changed.connect(self._heard)

    def stop(self) -> None:
        if self.watch is not None:
            self.watch.close()
            self.watch.deleteLater()
            self.watch = None

    def _news(self, found: list[RoomNews]) -> None:
        """To the page on screen only (see the module's docstring)."""
        page = self._current_page()
        target = page.screen_widget if isinstance(page, HostedPage) else page
        handler = getattr(target, "room_news", None)
        if callable(handler):
            handler(found)
