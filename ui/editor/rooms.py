"""The chart editor and the other rooms (issue #13, ADR 0026).

- News: another room saved, amended, signed or co-signed a version of the chart open here.
  The message bar says who and what ("Dr X saved version 4 of this chart at 10:42") with one
  tap to "Open version 4"; opening it keeps this editor's unsaved work as its draft, and says
  so. This room's own saves never raise it: they are known by the version ids this session
  saved (the same practitioner may be signed in in two rooms, so never by practitioner), and
  news that comes while a save is in flight waits for that save's answer before it is judged.
- Conflict: a save refused because another room saved first opens the conflict dialog
  (ui/editor/conflict_dialog.py): open theirs, or keep mine as the next version.

Opening another version is the shell's: `newer_requested(note)` asks it to reopen the chart on
its newest version (the note is said there, over the kept draft's Restore/Discard).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from app.services import charts, room_news, signoff
from app.services.charts import LoadedVersion, VersionInfo
from app.services.room_news import RoomNews
from ui.common.sign_off import ask_amend_reason
from ui.common.worker import Worker
from ui.editor.conflict_dialog import ConflictDialog

if TYPE_CHECKING:
    from ui.editor.layout import EditorWidgets
    from ui.editor.session import EditorSession
    from ui.editor.sign_off import EditorSignOff


class _Editor(Protocol):
    """What this needs of the editor window (which imports this module, so not named)."""

    session: EditorSession
    widgets: EditorWidgets
    sign_off: EditorSignOff

    def refresh_status(self) -> None: ...


# which of several events about one version says most: an amendment is a save, and more
RANK = {"save": 1, "cosign": 2, "sign": 3, "amend": 4}
BUSY_RETRY_MS = 300  # the bar asks something or says an error: look again this often


class EditorRooms(QObject):
    newer_requested = Signal(str)  # what to say once the newest version is open ("" nothing)
    news_shown = Signal(object)  # RoomNews now on the message bar (tests, the benchmark)

    def __init__(self, editor: _Editor, window: QWidget) -> None:
        super().__init__(window)
        self.editor = editor
        self.window = window  # the conflict dialog's parent
        self.parked: list[RoomNews] = []  # came while a save of ours was in flight
        self.waiting: list[RoomNews] = []  # theirs, behind a question or an error on the bar
        self._text = ""  # the banner's words, while it is the bar's message
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.setInterval(BUSY_RETRY_MS)
        self._retry.timeout.connect(lambda: self._consider([]))
        self.shown: RoomNews | None = None
        self.shown_at = 0.0  # time.monotonic() of the banner
        self.dialog: ConflictDialog | None = None
        self._reader = Worker("chart-conflict", self, leave_running=True)
        s = editor.session
        s.saving_changed.connect(self._saving_changed)

    # -- news -------------------------------------------------------------------------------

    def news(self, found: list[RoomNews]) -> None:
        s = self.editor.session
        ours = [n for n in found if n.about_chart and n.visit_id == s.visit_id]
        if not ours:
            return
        if s.saving:  # is it ours? the save's answer (its version id) says, soon
            self.parked.extend(ours)
            return
        self._consider(ours)

    def _saving_changed(self, on: bool) -> None:
        if not on and self.parked:
            parked, self.parked = self.parked, []
            self._consider(parked)

    def _own(self, n: RoomNews) -> bool:
        if n.kind in ("save", "amend"):
            return n.version_id in self.editor.session.saved_ids
        return n.version_id in self.editor.sign_off.signed_here

    def _bar_busy(self) -> bool:
        """The bar asks something (Restore/Discard, Save and close…) or says an error: the
        news waits behind it rather than hide it."""
        bar = self.editor.widgets.message_bar
        if not bar.isVisible() or bar.text.text() == self._text:
            return False
        return bar.property("kind") == "error" or len(bar.buttons) > 1

    def _consider(self, news: list[RoomNews]) -> None:
        self.waiting.extend(n for n in news if not self._own(n))
        if not self.waiting:
            return
        if self._bar_busy():
            self._retry.start()
            return
        theirs, self.waiting = self.waiting, []
        n = max(theirs, key=lambda x: (x.version_no or 0, RANK.get(x.kind, 0)))
        s, bar = self.editor.session, self.editor.widgets.message_bar
        open_no = s.version.version_no if s.version is not None else 0
        text = room_news.sentence(n)
        actions = []
        if (n.version_no or 0) > open_no:
            if s.unsaved and not s.read_only:
                text += " Opening it keeps your unsaved changes as a draft."
            actions.append((f"Open version {n.version_no}", lambda: self.open_newest(n)))
        elif n.kind in ("sign", "cosign"):
            # said, not acted on: the next Save is refused with the reason, then asks why,
            # exactly as when the news is slower than the tap (one behaviour, not a race)
            text += " A change to it now is an amendment."
        actions.append(("OK", bar.clear))
        bar.show_message(text, "warning", actions)
        self._text = text
        self.shown, self.shown_at = n, time.monotonic()
        self.news_shown.emit(n)

    def open_newest(self, n: RoomNews | VersionInfo) -> None:
        """Their newest version, in a fresh editor; this one's unsaved work stays its draft."""
        s = self.editor.session
        kept = s.unsaved and not s.read_only
        if kept:
            s.journal.flush()
        who = n.actor if isinstance(n, RoomNews) else n.saved_by
        whose = f"{who}'s" if who else "The newest"
        note = f"{whose} version {n.version_no} is open. Your unsaved changes are kept as a draft."
        self.editor.widgets.message_bar.clear()
        self.newer_requested.emit(note if kept else "")

    # -- conflicts --------------------------------------------------------------------------

    def conflict(self, text: str) -> None:
        """A save was refused: their newest version is read (off the GUI thread), then the
        choice is offered. The bar keeps the refusal's own words meanwhile."""
        s = self.editor.session
        store, visit_id = s.store, s.visit_id

        def read() -> tuple[LoadedVersion | None, str]:
            head = charts.load_head(store, visit_id)
            state = signoff.history(store, visit_id).get(head.info.id) if head else None
            signer = state.signature.practitioner if state and state.signature else ""
            return head, signer

        self._reader.run(read, self._offer, lambda _exc: None)

    def _offer(self, found: tuple[LoadedVersion | None, str]) -> None:
        head, signed_by = found
        if head is None:
            return
        s = self.editor.session
        self.dialog = ConflictDialog(
            self.window,
            head.info,
            head.content,
            s.content,
            signed_by,
            lambda: self.open_newest(head.info),
            lambda: self.keep_mine(head.info, signed_by),
        )
        self.dialog.open()

    def keep_mine(self, head: VersionInfo, signed_by: str) -> None:
        """Save this chart as the version after theirs: an explicit choice, a normal version
        (an amendment, with its reason, when theirs is signed)."""
        editor = self.editor

        def save(reason: str | None = None) -> None:
            editor.session.parent_version_id = head.id
            editor.session.save(editor.widgets.comment.text().strip(), reason)
            editor.refresh_status()

        if signed_by:
            ask_amend_reason(self.window, signed_by, save)
        else:
            save()

    def shutdown(self) -> None:
        self._retry.stop()
        self._reader.shutdown()
