"""Compare an earlier photo with today's, and correct their alignment by hand (issue 5).

    screen = CompareScreen(ctx, earlier_photo, today_photo, mapping, confidence_text="good")
    screen.mapping_accepted.connect(...)  # the mapping to use (has .to_dict()), then closed
    screen.closed.connect(...)            # Cancel emits only this

Modes: side by side (one zoom and pan for both), wipe, blink, adjust (drag / pinch / turn the
earlier photo over today's) and match points. Every gesture ends as one call of
app.alignment.manual.adjust in today's original pixels, so the mapping never depends on the
zoom it was made at. A "could not align" mapping starts from the earlier photo fitted to
today's frame, in adjust mode.

The screen opens at once on "Loading photos…" (ui/overlay/compare_loading.py): the patient,
the visits' dates and the two display images are read on a worker, and the photos, modes and
tools are built when they arrive (`loaded`). A read that fails says so in the screen, with Try
again; Cancel and Escape leave at any time, and a read that ends after is dropped.
"""

from __future__ import annotations

import logging
from functools import partial

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QImage, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import QStackedLayout, QWidget

from app.services.alignment import Mapping
from app.services.photos import PhotoRecord
from app.store.errors import StoreError
from ui.common import format as fmt
from ui.common.context import AppContext
from ui.common.widgets import PatientBanner, hbox, label, vbox
from ui.common.worker import Worker
from ui.editor.input import PenState
from ui.overlay.before_after import BeforeAfterControls
from ui.overlay.blink import Blink
from ui.overlay.compare_controls import ModeBar, ModeTools, tool_button
from ui.overlay.compare_gestures import GestureRoutes
from ui.overlay.compare_loading import LoadingPage, Opening, read_opening
from ui.overlay.compare_photos import Warper, fitted_similarity, shown_photo, usable
from ui.overlay.mapping_edit import MappingEdit
from ui.overlay.match_points import MatchPoints
from ui.overlay.photo_pane import PhotoPane, ViewState

ZOOM_STEP = 1.5  # the zoom buttons of Adjust
WORDS = {  # the alignment's confidence words (app.alignment.confidence_words), said plainly
    "good": "automatic alignment: good",
    "check": "automatic alignment: check it",
    "could not align": "could not align automatically",
}

log = logging.getLogger(__name__)


class CompareScreen(GestureRoutes):
    mapping_accepted = Signal(object)
    closed = Signal()
    loaded = Signal()  # the photos were read: the screen is built and takes fingers

    def __init__(
        self,
        ctx: AppContext,
        earlier_photo: PhotoRecord,
        today_photo: PhotoRecord,
        mapping: Mapping,
        parent: QWidget | None = None,
        confidence_text: str = "",
    ) -> None:
        if earlier_photo.patient_id != today_photo.patient_id:  # never two people's faces
            raise ValueError("The earlier photo and today's belong to different patients.")
        super().__init__(parent)
        self.setObjectName("compareScreen")
        self.ctx = ctx
        self._photos = (earlier_photo, today_photo)
        self._given = mapping
        self._aligned = usable(mapping)
        self._confidence = confidence_text or ("" if self._aligned else "could not align")
        self.mode = "side" if self._aligned else "adjust"  # or as set_mode asks meanwhile
        self.ready = False  # the photos are read and the screen built
        self._left = False
        self._gesture: tuple[PhotoPane, str, tuple[float, float, float], QPointF] | None = None
        self._divider0 = 0.5
        self._pages = QStackedLayout(self)
        self.loading = LoadingPage(today_photo.view_name)
        self._pages.addWidget(self.loading)
        self.loading.cancel_button.clicked.connect(self.cancel)
        self.loading.try_again.clicked.connect(self.load)
        # Only while focus is in here: the editor under this screen has its own Ctrl+Z, and two
        # window-wide shortcuts on one key cancel each other out.
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        for keys, slot in (
            (QKeySequence.StandardKey.Undo, self._undo),
            ("Escape", self.cancel),
        ):
            shortcut = QShortcut(QKeySequence(keys), self, slot)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        # Left or deleted mid-read (its editor closed), the screen never waits for the read
        # (a lost server's connect timeout): its outcome is dropped (ADR 0012).
        self.reader = Worker("compare-read", self, leave_running=True)
        self.load()

    # -- loading ------------------------------------------------------------------------------

    def load(self) -> None:
        """Read the photos on the worker; `_loaded` or `_failed` follows on this thread."""
        if self._left or self.ready or self.reader.busy:
            return
        self.loading.show_loading()
        earlier, today = self._photos
        job = partial(read_opening, self.ctx.store, earlier, today)
        self.reader.run(job, self._loaded, self._failed)

    def _failed(self, exc: BaseException) -> None:
        # ValueError: a display image that does not decode (ImageError), told in words
        if not isinstance(exc, StoreError | ValueError):
            self.loading.show_failed("The photos could not be loaded.")  # Try again is there
            raise exc  # the app's fault handler reports it
        log.info("compare photos not read (%s)", type(exc).__name__)
        self.loading.show_failed(str(exc))

    def _loaded(self, opening: Opening) -> None:
        if self._left:
            return  # never reached while `cancel` drops the outcome; kept as the rule
        earlier, today = self._photos
        self.patient = opening.patient
        self.earlier = shown_photo(earlier, opening.earlier_rgb)
        self.today = shown_photo(today, opening.today_rgb)
        given = self._given
        automatic = given if self._aligned else fitted_similarity(self.earlier, self.today)
        self.edit = MappingEdit(automatic, Warper(self.earlier, self.today), self)
        self.points = MatchPoints()
        self.blink = Blink(self)
        self.view = ViewState(self)
        self._build(self._confidence, opening)
        self.blink.changed.connect(self._show_blink)
        self.edit.changed.connect(self._refresh)
        self.edit.redrawn.connect(self._redrawn)
        self.ready = True
        self.set_mode(self.mode)
        self.loaded.emit()

    def _undo(self) -> None:
        if self.ready:
            self.edit.undo()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.setFocus()  # so Escape and Ctrl+Z reach this screen, not the page under it

    @property
    def mapping(self) -> Mapping:
        """The mapping as it stands: what "Use this alignment" hands over."""
        return self.edit.mapping if self.ready else self._given

    # -- layout -------------------------------------------------------------------------------

    def _build(self, confidence: str, opening: Opening) -> None:
        self.content = QWidget()
        root = vbox(self.content, spacing=0)
        self.banner = PatientBanner(self.patient)
        self.cancel_button = tool_button("Cancel", "compareCancel")
        self.accept_button = tool_button("Use this alignment", "compareAccept", "primary")
        self.banner.add_button(self.cancel_button)
        self.banner.add_button(self.accept_button)
        root.addWidget(self.banner)
        top = hbox(margins=12, spacing=16)
        self.modes = ModeBar()
        top.addWidget(self.modes)
        text = WORDS.get(confidence, confidence)
        text = f"{self.today.record.view_name} · {text}" if text else self.today.record.view_name
        self.confidence = label(text, "heading")
        self.confidence.setObjectName("alignmentConfidence")
        self.confidence.setWordWrap(True)  # a narrow screen wraps it rather than cut buttons
        top.addWidget(self.confidence, 1)
        root.addLayout(top)
        photos = hbox(margins=12, spacing=8)
        self.earlier_caption = f"Earlier · {fmt.day(opening.earlier_day)}"
        self.today_caption = f"Today · {fmt.day(opening.today_day)}"
        self.earlier_pane = PhotoPane(self.earlier, self.view, self.earlier_caption)
        self.today_pane = PhotoPane(self.today, self.view, self.today_caption)
        self.pen = PenState(self)
        self.pen.follow_application()  # proximity events go to the application
        for pane in (self.earlier_pane, self.today_pane):
            photos.addWidget(pane, 1)
            pane.pen_state = self.pen
            self._connect_pane(pane)
        root.addLayout(photos, 1)
        self.status = label("", "muted")
        self.status.setObjectName("compareStatus")
        self.tools = ModeTools()
        bottom = hbox(margins=12, spacing=12)
        bottom.addWidget(self.tools, 1)
        bottom.addWidget(self.status)
        # under the photos, beside the mode's tools: the banner and the row of modes are full
        # at 1366 px
        self.before_after = BeforeAfterControls(
            self.ctx, self.earlier.record, self.today.record, self._image_mapping, self
        )
        bottom.addWidget(self.before_after.markings)
        bottom.addWidget(self.before_after.save_button)
        root.addLayout(bottom)

        for mode, b in self.modes.buttons.items():
            b.clicked.connect(lambda _=False, m=mode: self.set_mode(m))
        self.before_after.status.connect(self.status.setText)
        self.accept_button.clicked.connect(self.accept)
        self.cancel_button.clicked.connect(self.cancel)
        t = self.tools
        t.opacity.valueChanged.connect(self._opacity)
        t.undo.clicked.connect(self.edit.undo)
        t.reset.clicked.connect(self.edit.reset)
        t.zoom_in.clicked.connect(lambda: self._zoom(ZOOM_STEP))
        t.zoom_out.clicked.connect(lambda: self._zoom(1 / ZOOM_STEP))
        t.pause.toggled.connect(self._pause)
        t.hold.pressed.connect(lambda: self.blink.hold(True))
        t.hold.released.connect(lambda: self.blink.hold(False))
        t.clear_points.clicked.connect(self.clear_points)
        t.use_points.clicked.connect(self.use_points)
        self._opacity(t.opacity.value())
        self._pages.addWidget(self.content)
        self._pages.setCurrentWidget(self.content)

    # -- modes --------------------------------------------------------------------------------

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        if not self.ready:
            return  # the mode the screen opens in, once its photos are read
        self.modes.show_mode(mode)
        self.tools.show_mode(mode)
        self.earlier_pane.setVisible(mode in ("side", "match"))
        overlay = {"wipe": "wipe", "adjust": "blend", "blink": "none"}.get(mode, "none")
        self.today_pane.overlay_mode = overlay
        self.today_pane.caption = (
            f"{self.today_caption}, earlier over it" if mode == "adjust" else self.today_caption
        )
        matching = mode == "match"
        self.earlier_pane.markers = self.points.earlier if matching else []
        self.today_pane.markers = self.points.today if matching else []
        self.blink.set_active(mode == "blink")
        # Adjust's tools fill the bottom row at 1366 px; the image is made from any other mode
        for b in (self.before_after.markings, self.before_after.save_button):
            b.setVisible(mode != "adjust")
        self._refresh()

    def _refresh(self) -> None:
        t, edit = self.tools, self.edit
        t.undo.setEnabled(bool(edit.history))
        t.reset.setEnabled(edit.mapping is not edit.automatic)
        t.use_points.setEnabled(self.points.ready())
        t.clear_points.setEnabled(bool(self.points.earlier))
        t.match_hint.setText(self.points.hint())
        turn = self.points.next_side() if self.mode == "match" else None
        self.earlier_pane.highlight = turn == "earlier"
        self.today_pane.highlight = turn == "today"
        waiting = not edit.up_to_date and self.mode in ("wipe", "blink", "adjust")
        self.status.setText("Preparing the aligned earlier photo…" if waiting else "")
        if self._gesture is None:  # mid-gesture the pane shows the fingers' own motion
            self.today_pane.overlay_extra = edit.pending_total()
        for pane in (self.earlier_pane, self.today_pane):
            pane.update()

    def _image_mapping(self) -> Mapping | None:
        """The alignment for a before/after image: the one shown, unless it is only the rough
        fit of photos that could not be aligned and nobody adjusted it."""
        if not self._aligned and self.edit.mapping is self.edit.automatic:
            return None
        return self.edit.mapping

    def _redrawn(self, image: QImage) -> None:
        self.today_pane.set_overlay(image)

    # -- match points -------------------------------------------------------------------------

    def clear_points(self) -> None:
        self.points.clear()
        self._refresh()

    def use_points(self) -> None:
        try:
            mapping = self.points.mapping()
        except ValueError as exc:
            self.tools.match_hint.setText(str(exc))
            return
        self.points.clear()
        self.edit.replace(mapping)
        self.set_mode("adjust")

    # -- blink and opacity --------------------------------------------------------------------

    def _pause(self, paused: bool) -> None:
        self.tools.pause.setText("Play" if paused else "Pause")
        self.blink.set_paused(paused)

    def _show_blink(self, earlier: bool) -> None:
        if self.mode != "blink":
            return
        self.today_pane.overlay_mode = "only" if earlier else "none"
        self.today_pane.caption = (
            f"{self.earlier_caption}, aligned" if earlier else self.today_caption
        )
        self.tools.blink_state.setText("Earlier (aligned)" if earlier else "Today")
        self.today_pane.update()

    def _zoom(self, factor: float) -> None:
        pane = self.today_pane
        pane.zoom_about(QPointF(pane.width() / 2, pane.height() / 2), factor)

    def _opacity(self, value: int) -> None:
        self.today_pane.opacity = value / 100
        self.today_pane.update()

    # -- leaving ------------------------------------------------------------------------------

    def accept(self) -> None:
        if not self.ready:
            return  # no photos, no alignment to hand over (its button is not built yet)
        self._leave()
        self.mapping_accepted.emit(self.mapping)
        self.closed.emit()

    def cancel(self) -> None:
        self._leave()
        self.closed.emit()

    def leave(self) -> None:
        """Left without a word (its editor closes): nothing more is read or built."""
        if not self._left:
            self._leave()

    def _leave(self) -> None:
        self._left = True
        self.reader.shutdown()  # a read still running is left to end; its outcome dropped
        if self.ready:
            self.blink.stop()
            self.edit.shutdown()
            self.before_after.shutdown()
