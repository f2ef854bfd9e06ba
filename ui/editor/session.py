"""The editing session of one chart, without widgets: the content being edited, its undo
stack, the selection, the tool settings, the draft journal, and saving.

Every edit is a typed operation (`set_units(point_id, Decimal)`, `move_point(...)`,
`add_stroke(...)`) that becomes one undo step; the model then emits a `ContentChange` naming
what changed, so each panel refreshes only what it shows (Anki's OpChanges, napari's layer
events). The window, canvases, tools, point sheet, panels and the overlay depend on this
session, never on the window that holds them.

A save runs on a worker (ui/common/worker.py): the pen stays live, `saving` shows, a second
tap while it runs makes no second version, and a save that fails keeps the chart as its draft.
A save that finds the clinic server gone (ServerUnreachableError) is retried on its own, with
the same version UUID, so an attempt whose COMMIT arrived but whose answer was lost is found,
never saved twice (ADR 0027).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from app.domain.chart import ChartContent, InjectionPoint, ProductUse, Stroke
from app.domain.checks import SafetyChecks
from app.domain.dosing import usual_dose
from app.domain.editing import (
    add_stroke,
    find_point,
    put_point,
    put_product_use,
    remove_point,
    replace_strokes,
)
from app.domain.mn_editing import find_area
from app.domain.safety import SAFETY_VIEW, Outcome, glabellar_check
from app.domain.soft_warnings import GLABELLAR_DISTANCE
from app.domain.values import Depth, Side, Source
from app.services import charts, drafts, face, photos
from app.services.chart_opening import DEFAULT_FRAME, ChartOpening, ViewPhoto
from app.services.charts import VersionInfo
from app.services.drafts import Draft
from app.services.store import Store
from app.store.errors import ConflictError, ServerUnreachableError, SignOffError, StoreError
from ui.common.worker import Worker
from ui.editor.commands import ContentCommand
from ui.editor.face_facts import FaceFacts
from ui.editor.journal import DraftJournal
from ui.editor.model import ChartModel, ContentChange

LAYER_NAMES = ("markings", "points", "labels")
# A point placed before its photo's face is found waits this long for it (the search takes
# ~0.1 s and starts when the editor opens, so only a very quick first tap ever waits).
FACE_WAIT_S = 2.0
# A save that met a server outage is tried again after 2 s, then 4, 8, 16, 30, 30 … (ADR 0027).
RETRY_FIRST_S = 2.0
RETRY_MAX_S = 30.0
SERVER_UNREACHABLE = (
    "The clinic server cannot be reached — your chart is kept on this laptop. FaceChart will "
    "save it when the server is back."
)


@dataclass(frozen=True, slots=True)
class SaveAttempt:
    """One save as sent, kept to be sent again unchanged after an outage: the same version
    UUID with the same content, parent and comment is what lets the store recognise it."""

    edited: ChartContent  # what the clinician had on screen
    content: ChartContent  # what is stored (prepare_save applied)
    parent_version_id: int | None
    saved_by_id: int | None
    comment: str
    amend_reason: str | None
    version_uuid: str


@dataclass(frozen=True, slots=True)
class Selection:
    view: str
    point_id: str


@dataclass(slots=True)
class ToolSettings:
    tool: str = "pencil"  # pencil | eraser | point | measure; microneedling: area | brush
    pencil_color: str = "white"
    pencil_style: str = "solid"  # solid | dashed
    erase_whole: bool = False


class EditorSession(QObject):
    selection_changed = Signal(object)  # Selection | None
    tool_changed = Signal(object)  # ToolSettings
    layer_changed = Signal(str, str)  # layer name, "shown" | "faded" | "hidden"
    saving_changed = Signal(bool)
    saved = Signal(object)  # VersionInfo of the new version
    save_failed = Signal(str)  # why; the chart stays on screen and in its draft
    server_unreachable = Signal(str)  # a save waits for the clinic server; retried on its own
    conflict = Signal(str)  # another room saved first (after save_failed): offer the choice
    view_requested = Signal(str)  # undo/redo happened on this view: show it
    face_found = Signal(str)  # a view's photo has been searched for its face (found or not)

    def __init__(
        self,
        store: Store,
        opening: ChartOpening,
        practitioner_id: int | None,
        today: date | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.visit = opening.visit
        self.visit_id = opening.visit.id
        self.patient = opening.patient
        self.practitioner_id = practitioner_id
        self.today = today or date.today()
        self.read_only = opening.read_only
        self.version: VersionInfo | None = opening.version
        self.parent_version_id: int | None = opening.version.id if opening.version else None
        self.products = opening.products
        self.view_names = opening.view_names
        self.view_codes = opening.view_codes
        self.frames = {code: opening.photos[code].size for code in self.view_codes}
        self._photos = opening.photos
        # Each photo's face in millimetres, measured on a worker when first asked for.
        self.faces = FaceFacts(self.view_codes, self._faces_asked, self.wait_faces, self)
        self.previous_toxin = opening.previous_toxin
        self.earlier_uses = opening.earlier_uses  # lot, expiry, dilution of earlier visits
        # a microneedling chart's: the clinic's area names, and the visit's place in its course
        self.clinic_area_names = opening.clinic_area_names
        self.course_at_opening = opening.course
        # the header's sign-off when read with the opening (for this practitioner), else None
        read = opening.sign_off
        self.sign_off_at_opening = (
            read if read is not None and read.practitioner_id == practitioner_id else None
        )
        who = opening.practitioner
        self.practitioner = who if who is not None and who.id == practitioner_id else None
        # Every soft warning of this chart, the clinic's switches applied; a check needing the
        # photos (the glabellar distance) registers itself here: register_point_check.
        self.safety = SafetyChecks(
            self.visit.visit_date,
            self.today,
            self._previous_date(),
            opening.dose_history,
            opening.warning_switches,
            max_per_point={
                p.code: p.max_units_per_point
                for p in opening.products
                if p.max_units_per_point is not None
            },
        )
        self.safety.register_point_check(GLABELLAR_DISTANCE, self._glabellar_warning)
        self.model = ChartModel(opening.content, self)
        self.undo_stack = QUndoStack(self)
        self.tools = ToolSettings(tool="point" if self.read_only else "pencil")
        self.layers = dict.fromkeys(LAYER_NAMES, "shown")
        self.selection: Selection | None = None
        last = list(opening.content.all_points())
        codes = [p.code for p in self.products]
        self.last_product = (
            last[-1][1].product if last else ("botox" if "botox" in codes else codes[0])
        )
        self.pending_draft: Draft | None = None
        # Called with the content about to be saved; returns what to store (the overlay adds
        # the mappings it drew with). One hook, declared: the session knows no overlay.
        self.prepare_save: Callable[[ChartContent], ChartContent] = lambda c: c
        self.journal = DraftJournal(
            store,
            self.visit_id,
            lambda: self.parent_version_id,
            lambda: self.model.content,
            self,
            author_id=practitioner_id,
        )
        self._saver = Worker("chart-save", self, finish_queued=True)
        self._in_flight: ChartContent | None = None  # what the running save stores
        self._attempt: SaveAttempt | None = None  # the running save, as sent
        self.waiting: SaveAttempt | None = None  # a save that met an outage, to send again
        self.retry_delay_s = RETRY_FIRST_S
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self.retry_now)
        # The versions this session saved: another room's news is told from ours by these,
        # never by practitioner (one may be signed in in two rooms; ui/editor/rooms.py).
        self.saved_ids: set[int] = set()
        self._journal_live = False  # until a kept draft has been offered, never delete it
        self.model.changed.connect(self._on_changed)
        # The face of each view's photo, found off the GUI thread (ADR 0012), cached per
        # photo: where a new point sits (side, zone) comes from it (ADR 0015).
        # The search starts behind the first paint (`find_faces`, called by the window), or
        # at the first point placed, whichever comes first.
        # `self.faces` (millimetres) is filled by the same search: one decode and one mesh.
        self.landmarks: dict[str, face.FaceFacts] = {}
        self._face_finder = Worker("face-find", self)
        self._faces_started = False
        # Until the window's first paint (`find_faces`), a panel asking for a face (the totals'
        # glabellar check at opening) does not start the search: faces cached from an earlier
        # opening would otherwise answer at once, and each answer refreshes the totals, all
        # before the photo is on screen. Nothing asked is lost: the first paint searches every
        # view, and `faces.measured` then tells whoever asked.
        self._faces_open = False

    # -- reading ----------------------------------------------------------------------------

    @property
    def content(self) -> ChartContent:
        return self.model.content

    @property
    def dirty(self) -> bool:
        return self.model.dirty

    @property
    def saving(self) -> bool:
        return self._saver.busy

    @property
    def unsaved(self) -> bool:
        """Edits that no save, finished or in flight, will store."""
        if self._in_flight is not None:
            return self.content != self._in_flight
        return self.dirty

    def can_save(self) -> bool:
        return not self.read_only and not self.saving and (self.dirty or self.version is None)

    def _previous_date(self) -> date | None:
        if self.visit.touch_up_of_id is not None:
            return None  # a touch-up comes ~2 weeks after by design: no interval warning
        return self.previous_toxin.visit_date if self.previous_toxin else None

    def selected_point(self) -> tuple[str, InjectionPoint] | None:
        return find_point(self.content, self.selection.point_id) if self.selection else None

    # -- the one way content changes: an undo step ------------------------------------------

    def apply(
        self, after: ChartContent, text: str, view: str | None, merge_key: str | None = None
    ) -> None:
        if self.read_only or after == self.model.content:
            return
        self.undo_stack.push(
            ContentCommand(
                self.model, self.model.content, after, text, view, merge_key, self._stepped
            )
        )

    def _stepped(self, view: str | None) -> None:
        if view:
            self.view_requested.emit(view)

    # -- points -----------------------------------------------------------------------------

    def new_point(self, view: str, x: float, y: float) -> InjectionPoint:
        """A point at (x, y) with the last product and the chart's usual dose of it (never an
        outlier: app/domain/dosing.py), its side and zone from the face (or guessed, and
        marked so), not yet on the chart."""
        where = self.locate(view, x, y)
        return InjectionPoint(
            x=x,
            y=y,
            product=self.last_product,
            units=usual_dose(self.content, self.last_product),
            depth=Depth.INTRAMUSCULAR,
            zone=where.zone,
            side=where.side,
            side_source=where.source,
            zone_source=where.source,
        )

    def add_point(self, view: str, x: float, y: float) -> InjectionPoint:
        point = self.new_point(view, x, y)
        self.apply(put_point(self.content, view, point), "Add point", view)
        return point

    def move_point(self, point_id: str, x: float, y: float) -> None:
        """Move a point; its side and zone follow it unless the clinician set them by hand."""
        found = find_point(self.content, point_id)
        if found is not None:
            view, point = found
            where = self.locate(view, x, y)
            moved = replace(point, x=x, y=y)
            if point.side_source is not Source.HAND:
                moved = replace(moved, side=where.side, side_source=where.source)
            # A zone saved before provenance was recorded (None) is the clinician's: kept.
            if point.zone_source in (Source.FACE, Source.GUESS):
                moved = replace(moved, zone=where.zone, zone_source=where.source)
            self.apply(put_point(self.content, view, moved), "Move point", view)

    # -- the face of each view's photo ------------------------------------------------------

    def _glabellar_warning(self, view: str, point: InjectionPoint) -> str | None:
        """The label's 1-cm band above the central eyebrow, for the totals (the sheet has its
        own line): said once the view's face is measured (`faces.measured` refreshes)."""
        measured = self.faces.get(view) if view == SAFETY_VIEW else None
        if measured is None:
            return None
        check = glabellar_check((point.x, point.y), measured.geometry, view)
        if check is None or check.outcome is not Outcome.WARN:
            return None
        return f"{self.view_names.get(view, view)} point: {check.message}"

    def display_source(self, view: str) -> bytes | Callable[[], bytes | None] | None:
        """A view's display JPEG, or, when the opening left it for later (only the first
        view's is read before the first paint), a reader to call on a worker."""
        photo = self._photos.get(view)
        if photo is None:
            return None
        if photo.display_jpeg is not None or not (photo.later and photo.sha256):
            return photo.display_jpeg
        store, sha = self.store, photo.sha256

        def read() -> bytes | None:
            try:
                return photos.display_jpeg(store, sha)
            except StoreError:
                return None

        return read

    def _faces_asked(self) -> None:
        """A panel or tool asked for a view's face (FaceFacts.request)."""
        if self._faces_open:
            self.find_faces()

    def find_faces(self) -> None:
        """Start looking for the face of every view's photo, on a worker (once). A read-only
        version too: its sheet shows distances to the brow. Called behind the first paint, by
        a tap that places a point, or by a wait for the faces."""
        self._faces_open = True
        if self._faces_started:
            return
        self._faces_started = True
        for code in self.view_codes:
            self._find_face(code, self._photos.get(code))

    def locate(self, view: str, x: float, y: float) -> face.Located:
        """Side and zone at (x, y) on a view's photo, from its face, else guessed."""
        self.find_faces()
        if view not in self.landmarks and self._face_finder.busy:
            self._face_finder.wait(FACE_WAIT_S)  # placed before the search ended
        facts = self.landmarks.get(view, face.NO_FACE)
        return face.locate_point(facts, view, x, y, self.frames.get(view, DEFAULT_FRAME)[0])

    def _find_face(self, view: str, photo: ViewPhoto | None) -> None:
        chart = self.content.view(view)
        sha = chart.photo_sha256 if chart else None
        known = face.cached(sha)
        if known is not None:
            self._face_done(view, known)
        elif photo is None or (photo.display_jpeg is None and not photo.later):
            no_photo = face.PhotoFace(None, None, "This view has no photo.")
            self._face_done(view, face.FaceFacts(None, no_photo))
        else:
            source, size = self.display_source(view), photo.size

            def find() -> face.FaceFacts:  # on the worker, the display JPEG read there if need be
                data = source() if callable(source) else source
                if data is None:
                    unread = face.PhotoFace(None, None, "This view's photo could not be read.")
                    return face.FaceFacts(None, unread)
                return face.find(data, size, sha)

            self._face_finder.run(
                find,
                lambda facts: self._face_done(view, facts),
                lambda _exc: self._face_done(view, face.NO_FACE),  # any fault: a guess, said
                key=view,
            )

    def _face_done(self, view: str, facts: face.FaceFacts) -> None:
        self.landmarks[view] = facts
        self.faces.put(view, facts.measured)
        self.face_found.emit(view)

    def wait_faces(self) -> None:
        """Start the search if need be and block until every view's photo has been searched
        (tests, benchmarks)."""
        self.find_faces()
        self._face_finder.wait()

    def _edit(
        self,
        point_id: str,
        text: str,
        merge: bool,
        change: Callable[[InjectionPoint], InjectionPoint],
    ) -> None:
        found = find_point(self.content, point_id)
        if found is None:
            return
        view, point = found
        changed = change(point)
        key = f"{point_id}:{text}" if merge else None
        self.apply(put_point(self.content, view, changed), text, view, key)

    def set_units(self, point_id: str, units: Decimal) -> None:
        # Repeated stepper taps on one point merge into one undo step.
        self._edit(point_id, "Point units", True, lambda p: replace(p, units=units))

    def set_product(self, point_id: str, product: str) -> None:
        self.last_product = product
        self._edit(point_id, "Point product", False, lambda p: replace(p, product=product))

    def set_depth(self, point_id: str, depth: Depth) -> None:
        self._edit(point_id, "Point depth", False, lambda p: replace(p, depth=depth))

    def set_side(self, point_id: str, side: Side) -> None:
        """The clinician's own side: kept from now on, even when the point moves."""
        self._edit(
            point_id,
            "Point side",
            False,
            lambda p: replace(p, side=side, side_source=Source.HAND),
        )

    def set_zone(self, point_id: str, zone: str) -> None:
        self._edit(
            point_id,
            "Point zone",
            False,
            lambda p: replace(p, zone=zone, zone_source=Source.HAND),
        )

    def set_note(self, point_id: str, note: str) -> None:
        self._edit(point_id, "Point note", False, lambda p: replace(p, note=note))

    def delete_point(self, point_id: str) -> None:
        found = find_point(self.content, point_id)
        if found is not None:
            self.apply(remove_point(self.content, found[0], point_id), "Delete point", found[0])
            self.select(None)

    def select(self, selection: Selection | None) -> None:
        # Choosing the chosen point again still reopens its sheet.
        if selection != self.selection or selection is not None:
            self.selection = selection
            self.selection_changed.emit(selection)

    # -- strokes and products ---------------------------------------------------------------

    def add_stroke(self, view: str, stroke: Stroke) -> None:
        self.apply(add_stroke(self.content, view, stroke), "Stroke", view)

    def erase(self, view: str, removed: Iterable[str], added: Sequence[Stroke]) -> None:
        """Strokes removed by id and the pieces a partial erase left (app/domain/strokes)."""
        self.apply(replace_strokes(self.content, view, removed, added), "Erase", view)

    def set_product_use(self, use: ProductUse, view: str | None = None) -> None:
        self.apply(put_product_use(self.content, use), "Product", view)

    # -- tools and layers -------------------------------------------------------------------

    def set_tool(self, name: str) -> None:
        self.tools.tool = name
        self.tool_changed.emit(self.tools)

    def set_pencil(self, color: str | None = None, style: str | None = None) -> None:
        if color is not None:
            self.tools.pencil_color = color
            self.tools.tool = "pencil"
        if style is not None:
            self.tools.pencil_style = style
        self.tool_changed.emit(self.tools)

    def set_erase_whole(self, whole: bool) -> None:
        self.tools.erase_whole = whole
        self.tool_changed.emit(self.tools)

    def set_layer(self, name: str, state: str) -> None:
        self.layers[name] = state
        self.layer_changed.emit(name, state)

    # -- following the model ----------------------------------------------------------------

    def _on_changed(self, _change: ContentChange) -> None:
        sel = self.selection
        if (
            sel
            and find_point(self.content, sel.point_id) is None
            and find_area(self.content, sel.point_id) is None  # a microneedling area's id
        ):
            self.select(None)
        if self.read_only:
            return
        if self.model.dirty:
            self.journal.touch()
        elif self._journal_live:
            self.journal.clear()  # undone back to the saved chart: nothing left to recover

    # -- saving -----------------------------------------------------------------------------

    def save(self, comment: str = "", amend_reason: str | None = None) -> bool:
        """Start saving a new version, with an optional comment for the history; False when
        there is nothing to start (read-only, or a save already running: a double tap makes
        one version). On a signed version the save is an amendment and needs `amend_reason`
        (the service refuses it otherwise, ADR 0019)."""
        if self.read_only or self.saving:
            return False
        if self.waiting is not None:
            # The last save may be on the server already (its answer lost): it goes first,
            # unchanged; edits made since stay unsaved and go into the next save.
            return self.retry_now()
        edited = self.model.content
        attempt = SaveAttempt(
            edited,
            self.prepare_save(edited),
            self.parent_version_id,
            self.practitioner_id,
            comment,
            amend_reason,
            str(uuid.uuid4()),  # chosen before the first attempt: the save's idempotency key
        )
        self._send(attempt)
        return True

    def retry_now(self) -> bool:
        """Send the save that met an outage again, now ("Retry now", or the back-off timer)."""
        attempt = self.waiting
        if attempt is None or self.saving or self.read_only:
            return False
        self._retry.stop()
        self.waiting = None
        self._send(attempt)
        return True

    def _send(self, attempt: SaveAttempt) -> None:
        self._in_flight, self._attempt = attempt.edited, attempt
        self.journal.flush()  # the draft is on disk before the save is in flight
        self._saver.run(
            lambda: charts.save_version(
                self.store,
                self.visit_id,
                attempt.content,
                parent_version_id=attempt.parent_version_id,
                saved_by_id=attempt.saved_by_id,
                comment=attempt.comment,
                amend_reason=attempt.amend_reason,
                version_uuid=attempt.version_uuid,
            ),
            lambda info: self._saved(info, attempt.edited, attempt.content),
            self._save_failed,
        )
        self.saving_changed.emit(True)

    def _saved(self, info: VersionInfo, edited: ChartContent, stored: ChartContent) -> None:
        self._in_flight = self._attempt = None
        self.retry_delay_s = RETRY_FIRST_S
        self.saved_ids.add(info.id)
        self.version = info
        self.parent_version_id = info.id
        # Edits made while the save ran stay unsaved: only what was stored becomes clean.
        self.model.mark_saved(stored, edited)
        if not self.model.dirty:
            self.journal.clear()
        self.saving_changed.emit(False)
        self.saved.emit(info)

    def _save_failed(self, exc: BaseException) -> None:
        self._in_flight = None
        self.journal.flush()  # the work stays on screen and on disk
        self.saving_changed.emit(False)
        if self._wait_for_server(exc):
            return
        if isinstance(exc, ConflictError | SignOffError):  # each says what to do itself
            self.save_failed.emit(str(exc))
            if isinstance(exc, ConflictError):
                self.conflict.emit(str(exc))
        elif isinstance(exc, StoreError):
            self.save_failed.emit(f"Not saved: {exc}. Your chart is kept as a draft.")
        else:
            self.save_failed.emit(
                f"Not saved ({type(exc).__name__}: {exc}). Your chart is kept as a draft."
            )

    def _wait_for_server(self, exc: BaseException) -> bool:
        """An outage: keep the attempt to send again after the back-off, and say so."""
        attempt, self._attempt = self._attempt, None
        if not isinstance(exc, ServerUnreachableError) or attempt is None:
            self.retry_delay_s = RETRY_FIRST_S
            return False
        self.waiting = attempt
        self._retry.start(int(self.retry_delay_s * 1000))
        self.retry_delay_s = min(self.retry_delay_s * 2, RETRY_MAX_S)
        self.server_unreachable.emit(SERVER_UNREACHABLE)
        return True

    def wait(self) -> None:
        """Block until a save in flight has ended and its answer is handed on (closing)."""
        self._saver.wait()

    # -- drafts -----------------------------------------------------------------------------

    def kept_draft(self) -> Draft | None:
        """A draft kept on disk that differs from what is open, offered once at opening."""
        self._journal_live = True
        if self.read_only:
            return None
        draft = drafts.load_draft(self.store, self.visit_id, self.practitioner_id)
        if draft is None or draft.content == self.model.content:
            return None
        self.pending_draft = draft
        return draft

    def restore_draft(self) -> None:
        draft, self.pending_draft = self.pending_draft, None
        if draft is not None:
            self.parent_version_id = draft.parent_version_id
            self.apply(draft.content, "Restore draft", None)

    def discard_draft(self) -> None:
        self.pending_draft = None
        drafts.clear_draft(self.store, self.visit_id, self.practitioner_id)

    def close(self) -> None:
        """The editor is closing: a save in flight ends first, unsaved work stays journalled
        (a save waiting for the server too: its chart is the draft offered at the next opening)."""
        self._retry.stop()
        self.wait()
        self._retry.stop()  # the save just delivered may have met the outage
        if self.model.dirty and not self.read_only:
            self.journal.flush()
        self._face_finder.shutdown()
        self._saver.shutdown()
