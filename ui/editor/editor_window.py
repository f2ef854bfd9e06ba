"""The chart editor: a visit's chart, one photo per view, pen and fingers.

Entry point for the shell:

    editor = ChartEditor(store, visit_id, practitioner_id, version_id=None)
    editor.saved.connect(...)   # VersionInfo of each new version
    editor.closed.connect(...)  # the user is done (the draft stays journalled if unsaved)

`version_id=None` opens the newest version (or a new chart) for editing; an older version
opens read-only. The shell reads the chart on a worker (ui/editor/opening.py) and passes the
`opening`; without one the editor reads it here, through the same service.

The window only assembles: the session (ui/editor/session.py) owns the chart and its edits,
the treatment plug-in (ui/editor/treatment.py) its tools and pages, the layout
(ui/editor/layout.py) the widgets, and the overlay plugs in through ui/editor/extension.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

from app.services import chart_opening, photos
from app.services.chart_opening import ChartOpening
from app.services.charts import VersionInfo
from app.services.room_news import RoomNews
from app.services.store import Store
from app.store.errors import StoreError
from ui.editor import layout, photo_loader
from ui.editor.ahead import FirstView
from ui.editor.canvas import ChartCanvas
from ui.editor.extension import EditorExtension
from ui.editor.input import PenState
from ui.editor.model import ContentChange
from ui.editor.rooms import EditorRooms
from ui.editor.safety_band import SafetyBand
from ui.editor.scene import ViewScene
from ui.editor.session import EditorSession, Selection, ToolSettings
from ui.editor.sign_off import EditorSignOff
from ui.editor.style import editor_qss
from ui.editor.treatment import treatment_for
from ui.overlay.attach import attach_overlay

if TYPE_CHECKING:
    from app.services.credentials import KeySigner


class ChartEditor(QWidget):
    saved = Signal(object)  # VersionInfo
    closed = Signal()
    close_cancelled = Signal()  # asked about unsaved changes, the user kept editing
    # another room's newer version was chosen: the shell reopens the chart on its newest
    # version and says the note there ("" when no unsaved work was kept; ui/editor/rooms.py)
    newer_requested = Signal(str)

    def __init__(
        self,
        store: Store,
        visit_id: int,
        practitioner_id: int | None,
        version_id: int | None = None,
        parent: QWidget | None = None,
        today: date | None = None,
        opening: ChartOpening | None = None,
        signer: KeySigner | None = None,
        draft_note: str = "",
        ahead: FirstView | None = None,  # the first view's pixels and shapes, made ahead
    ) -> None:
        super().__init__(parent)
        self._draft_note = draft_note  # said over the kept draft's Restore/Discard
        self.setObjectName("chartEditor")
        self.setStyleSheet(editor_qss())
        opening = opening or chart_opening.open_chart(
            store, visit_id, version_id, first_display_only=True, practitioner_id=practitioner_id
        )
        self.session = EditorSession(store, opening, practitioner_id, today, self)
        s = self.session
        self.treatment = treatment_for(s)
        s.tools.tool = self.treatment.first_tool(s.read_only)
        self.pen = PenState(self)
        self._close_when_saved = False  # "Save and close" was tapped
        self.pen.follow_application()  # proximity events go to the application
        self.scenes: dict[str, ViewScene] = {}
        self.canvases: dict[str, ChartCanvas] = {}
        self._loader: photo_loader.BehindFirstPaint | None = None
        self._caches_held: ViewScene | None = None  # the first view's, until its first paint
        later: dict[str, str] = {}  # view -> photo whose display JPEG is read behind
        for code in s.view_codes:
            photo = opening.photos[code]
            # Decoded when first shown, or behind the first view's first paint (photo_loader).
            self.scenes[code] = ViewScene(code, photo.size, None)
            if ahead is not None and ahead.view == code:
                self.scenes[code].ahead = ahead
            # a view shown before the reader behind the first paint brought its image reads
            # it itself, on the GUI thread (then, and only then): the session's reader
            source = s.display_source(code)
            if callable(source):
                assert photo.sha256 is not None  # only a stored photo is left for later
                later[code] = photo.sha256
                self.scenes[code].photo_source = source
            else:
                self.scenes[code].photo_source = _given(source)
            self.canvases[code] = ChartCanvas(
                s, self.scenes[code], self.pen, self.treatment.make_tools, self._original(code)
            )
        t = self.treatment
        self.widgets = layout.build(
            self,
            s,
            list(self.canvases.values()),
            t.pages,
            t.rail_tools,
            t.safety_band,
            t.layer_titles,
        )
        if s.view_codes:  # the first view paints first; the others decode behind it
            first = s.view_codes[0]
            behind = [self.scenes[c] for c in s.view_codes]  # the first's whole image too
            self._loader = photo_loader.BehindFirstPaint(
                self.canvases[first].viewport(),
                behind,
                self,
                store,
                later,
                self._behind_first_paint,
            )
            t.hold_summary()  # released behind the first paint (`prepare`)
            self.scenes[first].hold_caches()  # released there too
            self._caches_held = self.scenes[first]
        t.show_page = self.show_panel
        t.say = lambda text: self.message(text, "info", timeout_ms=8000)
        self._connect()
        self.safety_band = SafetyBand(
            self.widgets.rail.band, s.faces, self.scenes, self.message, self
        )
        if s.view_codes:
            self.show_view(s.view_codes[0])
        self._tools_changed(s.tools)
        self.widgets.rail.colour_buttons["white"].setChecked(True)
        self.widgets.rail.finger.setChecked(self.pen.finger_drawing)
        self.show_panel(self.treatment.summary_page)
        self.widgets.update_layer_buttons(s.layers)
        for w in (
            self.widgets.rail.tool_buttons["pencil"],
            self.widgets.rail.tool_buttons["eraser"],
            self.widgets.rail.tool_buttons["measure"],  # a read-only canvas only opens points
            self.widgets.save_button,
        ):
            w.setEnabled(not s.read_only)
        self.widgets.comment.setVisible(not s.read_only)
        # Earlier charts over today's photos (ui/overlay), through the declared interface.
        self.overlay: EditorExtension = attach_overlay(self)
        # Signed or not (who, when), Sign, and the reason an amendment needs (ADR 0019).
        self.sign_off = EditorSignOff(self, self, signer)
        # Other rooms' saves of this chart, and the conflict dialog (issue #13).
        self.rooms = EditorRooms(self, self)
        self.rooms.newer_requested.connect(self.newer_requested)
        s.conflict.connect(self.rooms.conflict)
        self._content_changed(None)
        self._update_status()
        self._offer_draft()

    def _connect(self) -> None:
        s, w, r = self.session, self.widgets, self.widgets.rail
        s.model.changing.connect(self._changing)
        s.model.changed.connect(self._content_changed)
        s.model.dirty_changed.connect(lambda _d: self._update_status())
        s.selection_changed.connect(self._selection_changed)
        s.tool_changed.connect(self._tools_changed)
        s.layer_changed.connect(self._layer_changed)
        s.view_requested.connect(self._show_view_of_step)
        s.saving_changed.connect(lambda _on: self._update_status())
        s.saved.connect(self._saved)
        s.save_failed.connect(self._save_failed)
        s.server_unreachable.connect(self._server_unreachable)
        for code, b in w.view_buttons.items():
            b.clicked.connect(lambda _c=False, v=code: self.show_view(v))
        for name, b in w.layer_buttons.items():
            b.clicked.connect(
                lambda _c=False, n=name: s.set_layer(n, layout.LAYER_NEXT[s.layers[n]])
            )
        for name, b in r.tool_buttons.items():
            b.clicked.connect(lambda _c=False, n=name: s.set_tool(n))
        for name, b in r.colour_buttons.items():
            b.clicked.connect(lambda _c=False, n=name: s.set_pencil(color=n))
        r.dashed.toggled.connect(lambda on: s.set_pencil(style="dashed" if on else "solid"))
        r.whole.toggled.connect(s.set_erase_whole)
        r.finger.clicked.connect(lambda on: self.pen.set_finger_drawing(on))
        self.pen.finger_drawing_changed.connect(r.finger.setChecked)
        r.undo.clicked.connect(s.undo_stack.undo)
        r.redo.clicked.connect(s.undo_stack.redo)
        r.fit.clicked.connect(self.fit)
        s.undo_stack.canUndoChanged.connect(r.undo.setEnabled)
        s.undo_stack.canRedoChanged.connect(r.redo.setEnabled)
        r.undo.setEnabled(False)
        r.redo.setEnabled(False)
        w.save_button.clicked.connect(lambda: self.save())  # not `checked` as a reason
        w.close_button.clicked.connect(self.close_editor)
        w.panel_choice.chosen.connect(self.show_panel)
        QShortcut(QKeySequence.StandardKey.Undo, self, s.undo_stack.undo)
        QShortcut(QKeySequence.StandardKey.Redo, self, s.undo_stack.redo)
        QShortcut(QKeySequence.StandardKey.Save, self, lambda: self.save())

    # -- what the overlay and the canvases ask (ui/editor/extension.py) --------------------

    def _original(self, view: str) -> Callable[[], bytes | None]:
        return lambda: self.original_bytes(view)

    def _behind_first_paint(self) -> None:
        """What waits for the first paint: the first view's item caches, the side pages'
        totals and point sheet, the face search."""
        held, self._caches_held = self._caches_held, None
        if held is not None:
            held.release_caches()
        self.treatment.prepare()
        self.session.find_faces()

    def original_bytes(self, view: str) -> bytes | None:
        """The original photo of a view, for sharp pixels at deep zoom (ui/editor/detail.py)."""
        chart = self.session.content.view(view)
        if chart is None or not chart.photo_sha256:
            return None
        try:
            return photos.original_bytes(self.session.store, chart.photo_sha256)
        except StoreError:
            return None

    @property
    def current_view(self) -> str:
        codes = self.session.view_codes
        return codes[self.widgets.view_stack.currentIndex()] if codes else ""

    def canvas(self, view: str | None = None) -> ChartCanvas:
        return self.canvases[view or self.current_view]

    def show_view(self, view: str) -> None:
        self.widgets.view_stack.setCurrentIndex(self.session.view_codes.index(view))
        self.widgets.view_buttons[view].setChecked(True)
        self.canvases[view].declutter()  # placed for this canvas's size and zoom

    def show_panel(self, name: str) -> None:
        self.widgets.show_panel(name)

    def message(self, text: str, kind: str = "warning", timeout_ms: int = 0) -> None:
        self.widgets.message_bar.show_message(text, kind, timeout_ms=timeout_ms)

    def fit(self) -> None:
        if self.session.view_codes:
            self.canvas().fit()

    # -- following the session --------------------------------------------------------------

    def _content_changed(self, change: ContentChange | None) -> None:
        content = self.session.content
        views = self.scenes if change is None else change.points | change.strokes | change.areas
        products_changed = change is None or change.products
        for code, scene in self.scenes.items():
            # Labels show volumes from the product's dilution: a product change touches all.
            if code in views or products_changed:
                scene.sync(content)
        current = self.current_view
        if current and (current in views or products_changed):
            self.canvases[current].declutter()
        self.treatment.follow(change)

    def _changing(self, starting: bool) -> None:
        """Labels are placed once per change, after every listener of it (an undo that
        removes the chosen point also clears the selection: two placements before)."""
        for canvas in self.canvases.values():
            if starting:
                canvas.labels.hold()
            else:
                canvas.labels.release()

    def _selection_changed(self, selection: Selection | None) -> None:
        for code, scene in self.scenes.items():
            scene.select(selection.point_id if selection and selection.view == code else None)
        if self.current_view:
            self.canvases[self.current_view].declutter()  # the chosen label shows first
        self.treatment.follow_selection(selection)
        if selection is not None:
            self.show_panel(self.treatment.selection_page)

    def _tools_changed(self, tools: ToolSettings) -> None:
        self.widgets.rail.tool_buttons[tools.tool].setChecked(True)
        self.widgets.rail.colour_buttons[tools.pencil_color].setChecked(True)

    def _layer_changed(self, name: str, state: str) -> None:
        for scene in self.scenes.values():
            scene.set_layer(name, state)
        self.widgets.update_layer_buttons(self.session.layers)

    def _show_view_of_step(self, view: str) -> None:
        """Undo and redo span views: show the one the step happened on."""
        if view in self.session.view_codes and view != self.current_view:
            self.show_view(view)

    def room_news(self, found: list[RoomNews]) -> None:
        """What other rooms did (the window's RoomWatch): the bar says it if it is this chart."""
        self.rooms.news(found)

    def refresh_status(self) -> None:
        self._update_status()

    def _update_status(self) -> None:
        s, w = self.session, self.widgets
        v = s.version
        if s.read_only:
            text = f"Version {v.version_no if v else '?'} · read-only"
        elif s.saving:
            text = "Saving…"
        elif s.waiting is not None:
            text = "● Waiting for the clinic server"
        elif s.dirty:
            text = "● Unsaved changes"
        elif v is not None:
            text = f"Version {v.version_no} saved"
        else:
            text = "New chart"
        w.status.setText(text)
        restyle = False
        for prop, on in (("dirty", s.dirty and not s.read_only), ("readonly", s.read_only)):
            if w.status.property(prop) != on:
                w.status.setProperty(prop, on)
                restyle = True
        if restyle:  # a style sheet re-reads properties only when re-polished (costly)
            w.status.style().unpolish(w.status)
            w.status.style().polish(w.status)
        w.save_button.setEnabled(s.can_save())
        w.save_button.setVisible(not s.read_only)

    # -- saving, drafts, closing ------------------------------------------------------------

    def save(self, amend_reason: str | None = None) -> bool:
        """Start saving (on a worker); `saved` or a message in the bar follows. On a signed
        chart the reason for the amendment is asked first, and the save starts once given."""
        self.treatment.before_save()
        if amend_reason is None and self.sign_off.locked and self.session.can_save():
            dialog = self.sign_off.ask_reason(self.save)
            dialog.rejected.connect(self._amend_cancelled)
            return False
        started = self.session.save(self.widgets.comment.text().strip(), amend_reason)
        self._update_status()
        return started

    def _amend_cancelled(self) -> None:
        self._close_when_saved = False  # "Save and close", then "Keep editing": stay

    def _saved(self, info: VersionInfo) -> None:
        if info.comment == self.widgets.comment.text().strip():
            self.widgets.comment.clear()  # said once, with this version
        self.message(f"Saved as version {info.version_no}.", "info", timeout_ms=4000)
        self._update_status()
        self.saved.emit(info)
        if self._close_when_saved:
            if self.session.dirty:  # a save retried after an outage went first: now the rest
                self._close_when_saved = self.save() or self.sign_off.dialog is not None
                if self._close_when_saved:
                    return
            self._finish()

    def _save_failed(self, text: str) -> None:
        self._close_when_saved = False
        self.sign_off.refresh()  # signed from another room meanwhile: the next Save asks why
        self.message(text, "error")

    def _server_unreachable(self, text: str) -> None:
        """A save met a server outage: the session retries on its own; a tap retries now."""
        self._close_when_saved = False
        self._update_status()
        self.widgets.message_bar.show_message(
            text, "warning", actions=[("Retry now", self._retry_now)]
        )

    def _retry_now(self) -> None:
        self.session.retry_now()
        self._update_status()

    def _offer_draft(self) -> None:
        draft = self.session.kept_draft()
        if draft is None:
            return
        when = draft.written_at.astimezone().strftime("%d %b %H:%M")
        said = f"Unsaved changes to this chart from {when} were kept. Restore them?"
        if self._draft_note:  # just reopened on another room's version (ui/editor/rooms.py)
            said = f"{self._draft_note} Restore them, or discard them?"
        self.widgets.message_bar.show_message(
            said,
            "warning",
            actions=[("Restore", self.restore_draft), ("Discard", self.discard_draft)],
        )

    def restore_draft(self) -> None:
        self.session.restore_draft()
        self.widgets.message_bar.clear()

    def discard_draft(self) -> None:
        self.session.discard_draft()
        self.widgets.message_bar.clear()

    def close_editor(self) -> None:
        """Close (its button, Back, or the window): with unsaved changes it asks first, and
        the chart is on disk as its draft whatever the answer (a quit mid-question loses
        nothing)."""
        s = self.session
        if s.read_only or not s.unsaved:
            self._finish()  # a save in flight is waited for there
            return
        s.journal.flush()
        self.widgets.message_bar.show_message(
            "This chart has unsaved changes.",
            "warning",
            actions=[
                ("Save and close", self._save_and_close),
                ("Close, keep draft", self._finish),
                ("Keep editing", self._keep_editing),
            ],
        )

    def leave_keeping_draft(self) -> None:
        """Close at once without saving or asking: another practitioner signed in at the lock
        screen. Unsaved work stays on disk as this editor's practitioner's draft, offered back
        to them alone (issue #11)."""
        self.widgets.message_bar.clear()
        self._close_when_saved = False
        self._finish()

    def _keep_editing(self) -> None:
        self.widgets.message_bar.clear()
        self.close_cancelled.emit()

    def _save_and_close(self) -> None:
        self.widgets.message_bar.clear()
        self.session.wait()  # a save already in flight ends first
        if not self.session.dirty:
            self._finish()
            return
        started = self.save()  # a failed save says why and stays open
        # a signed chart asks why first: it closes once that amendment is saved
        self._close_when_saved = started or self.sign_off.dialog is not None

    def _finish(self) -> None:
        self.session.close()  # waits for a save in flight; unsaved work stays journalled
        self.closed.emit()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.pen.stop_following()
        if self._loader is not None:
            self._loader.stop()
        self.overlay.shutdown()  # an alignment in flight reads the store
        self.rooms.shutdown()
        self.session.close()
        super().closeEvent(event)


def _given(data: bytes | None) -> Callable[[], bytes | None]:
    return lambda: data
