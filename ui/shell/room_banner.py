"""A page's line about another room's change (issue #13, ADR 0026): the patient and visit pages
refresh by themselves when another room adds a photo or a visit or saves a chart for the
patient on screen (nothing is typed on those pages that a refresh could lose), and this banner
says what changed and who did it, until OK is tapped.

The page remembers the audit log's head as it reads its records (`mark_read`): news at or
below it is already on screen, whoever made it, so this room's own photos and visits (made on
the page itself, or on the capture screen a moment before) never raise the banner.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QWidget

from app.services import room_news
from app.services.room_news import RoomNews
from app.services.store import Store
from app.store.errors import StoreError
from ui.common.widgets import TOUCH, button, hbox, label


class RoomBanner(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("roomBanner")
        # the editor's message-bar yellow (ui/editor/style.py): the same news looks the same
        self.setStyleSheet(
            "#roomBanner { background: #FFF0C2; border: 1px solid #E0B84A; border-radius: 8px; }"
        )
        row = hbox(self, margins=16, spacing=12)
        self.text = label("", "body")
        self.text.setObjectName("roomBannerText")
        self.text.setWordWrap(True)
        row.addWidget(self.text, 1)
        self.ok = button("OK", "secondary")
        self.ok.setObjectName("roomBannerOk")
        self.ok.setMinimumSize(TOUCH * 2, TOUCH)
        row.addWidget(self.ok, 0, Qt.AlignmentFlag.AlignVCenter)
        self.ok.clicked.connect(self.hide)
        self.read_up_to = 0  # the audit log's head when the page last read its records
        self.hide()

    def mark_read(self, store: Store) -> None:
        """Call before a page reads its records: what is appended later is news to it."""
        try:
            self.read_up_to = room_news.head_seq(store)
        except StoreError:
            pass  # the page's own read says what is wrong

    def take(
        self,
        found: list[RoomNews],
        concerns: Callable[[RoomNews], bool],
        refresh: Callable[[], None],
        here: str,
    ) -> bool:
        """Refresh the page and say what changed when `found` holds news it does not show yet."""
        fresh = [n for n in found if n.seq > self.read_up_to and concerns(n)]
        if not fresh:
            return False
        refresh()  # marks what it read
        last = fresh[-1]
        text = room_news.sentence(last, here)
        if len(fresh) > 1:
            text += f" ({len(fresh) - 1} more change{'s' if len(fresh) > 2 else ''} too.)"
        self.text.setText(text + " The page is up to date.")
        self.show()
        return True
