"""The earlier charts over today's views: which ones, how each view is aligned, and their layers.

One controller per editor. It follows the editor's model (a mapping saved in the chart content
wins over a fresh alignment, so a saved version reopens identically and an undo of a hand
correction brings the automatic one back), aligns in the background one view at a time (the
view on screen first) and puts one `GhostLayer` per source into each view's scene. It never
edits the chart itself except through the editor's undo stack (ui/overlay/actions.py).
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from functools import partial

from PySide6.QtCore import QEvent, QObject, QTimer, Signal

from app.domain.chart import ChartContent
from app.services import earlier_charts, photos, touchup
from app.services.alignment import AlignmentResult, mapping_from_dict
from app.services.earlier_charts import EarlierCharts
from app.services.photos import PhotoRecord
from app.services.touchup import EarlierView, OverlaySource
from app.store.errors import StoreError
from ui.common.worker import Worker
from ui.editor.extension import EditorHost, as_widget
from ui.editor.model import ContentChange
from ui.overlay import saving
from ui.overlay import view_state as vs
from ui.overlay.aligner import BackgroundAligner
from ui.overlay.ghost_items import GHOST_COLOURS, GhostLayer
from ui.overlay.saving import Key
from ui.overlay.view_state import ViewOverlay

MAX_SOURCES = len(GHOST_COLOURS)
# A lookup that met an unreachable clinic server is tried again this much later (ms); until it
# succeeds the chart shows no earlier chart and a save keeps the content's saved mappings.
LOOKUP_RETRY_MS = 15000

log = logging.getLogger(__name__)


class OverlayController(QObject):
    changed = Signal()  # sources or alignment states: panels and legend redraw
    started_signal = Signal()  # the earlier charts have been looked up (`found`)

    def __init__(self, host: EditorHost) -> None:
        super().__init__(as_widget(host))
        self.host = host
        self.session = host.session
        self.store = host.session.store
        self.available: list[OverlaySource] = []
        self.chosen: list[OverlaySource] = []
        self.states: dict[Key, ViewOverlay] = {}
        self.layers: dict[Key, GhostLayer] = {}
        self.opacity = 0.85
        self.shown = {"markings": True, "points": True, "labels": True}
        self.started = False
        self.found: EarlierCharts | None = None  # what the lookup read, once `started`
        # Reads the store off the GUI thread; a close never waits for it (a lost server).
        self._lookup = Worker("overlay-lookup", self, leave_running=True)
        self._earlier: dict[Key, EarlierView | None] = {}  # each view read so far
        self._unread: set[Key] = set()  # views that could not be read: tried when shown again
        # Views of charts chosen since the lookup: waiting for a job, and in the running one.
        # Read off the GUI thread too, and a close never waits for them either.
        self._views = Worker("overlay-views", self, leave_running=True)
        self._to_read: dict[Key, OverlaySource] = {}
        self._reading: set[Key] = set()
        self._finding = 0  # lookups of charts the content names, on that worker
        self._removed: set[str] = set()  # charts the clinician took off: their mappings go
        self.align_count = 0  # background alignments run (tests: reopening must not align)
        self._results: dict[tuple[str, str], AlignmentResult] = {}  # (old sha, new sha)
        self.queue: list[Key] = []
        self._tokens: dict[Key, int] = {}
        self.uses = saving.saved_uses(self.session.content)
        self._today: dict[str, PhotoRecord] | None = None
        self.aligner = BackgroundAligner(self)
        self.aligner.done.connect(self._aligned)
        self.session.model.changed.connect(self._model_changed)
        host.widgets.view_stack.currentChanged.connect(self._view_changed)
        # After the first paint: the photo shows as fast as without earlier charts.
        if self.session.view_codes:
            host.canvas().viewport().installEventFilter(self)
            QTimer.singleShot(1000, self, self.start)  # never painted (hidden): start anyway
        else:
            QTimer.singleShot(0, self, self.start)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self, self.start)
        return False

    # -- sources ----------------------------------------------------------------------------

    def start(self) -> None:
        """Look the earlier charts up on the worker; `_looked_up` follows on this thread."""
        if self.started or self._lookup.busy:
            return
        s = self.session
        job = partial(
            earlier_charts.look_up,
            self.store,
            s.visit_id,
            saved=list(dict.fromkeys(h for h, _v in self.uses)),
            treatment=str(s.visit.treatment_type.value),
            read_only=s.read_only,
            views=list(s.view_codes),
            limit=MAX_SOURCES,
        )
        self._lookup.run(job, self._looked_up, self._lookup_failed)

    def _looked_up(self, found: EarlierCharts) -> None:
        self.started = True
        self.found = found
        self.available = found.available
        self.chosen = found.chosen
        self._earlier.update(found.views)
        self._today = found.today
        self._show_named_charts()  # a draft restored while the lookup ran names its own
        self._refresh_all()
        self.started_signal.emit()

    def _lookup_failed(self, error: BaseException) -> None:
        if not isinstance(error, StoreError):
            raise error
        # Not started: the panel stays hidden and a save keeps the saved mappings as they are.
        log.info("earlier charts not read (%s); trying again", type(error).__name__)
        QTimer.singleShot(LOOKUP_RETRY_MS, self, self.start)

    def versions(self, visit_id: int) -> list[OverlaySource]:
        """Every saved version of an offered earlier visit, newest first, as the lookup read
        them: the picker opens without a round trip per visit on this thread."""
        assert self.found is not None  # visits are offered only once the lookup read them
        return self.found.versions[visit_id]

    def set_chosen(
        self, sources: list[OverlaySource], listed: Collection[str] | None = None
    ) -> None:
        """Show `sources` in the legend, in that order. `listed` names the legend charts the
        clinician could see and untick (the picker's ticked rows): one of them left out is
        taken off, and loses its mappings at the next save. A legend chart not listed (one
        the picker does not offer, or that landed while it was open) was taken off by no
        one: it stays, after `sources`. Without `listed`, `sources` is the whole legend."""
        before = {s.version_hash for s in self.chosen}
        if listed is not None:
            picked = {s.version_hash for s in sources}
            left = (s for s in self.chosen if s.version_hash not in picked | set(listed))
            sources = [*sources, *left]
        self.chosen = list({s.version_hash: s for s in sources}.values())[:MAX_SOURCES]
        wanted = {s.version_hash for s in self.chosen}
        taken_off = before if listed is None else before & set(listed)
        self._removed = (self._removed | taken_off) - wanted
        for key in [k for k in self.states if k[0] not in wanted]:
            self.forget(key)
        self.queue = [k for k in self.queue if k[0] in wanted]
        for layer_key in list(self.layers):  # colours follow the legend order
            self._drop_layer(layer_key)
        self._refresh_all()

    def colour_index(self, version_hash: str) -> int:
        return next((i for i, s in enumerate(self.chosen) if s.version_hash == version_hash), 0)

    # -- per view ---------------------------------------------------------------------------

    @property
    def current_view(self) -> str:
        return self.host.current_view

    def state(self, source: OverlaySource, view: str | None = None) -> ViewOverlay | None:
        return self.states.get((source.version_hash, view or self.current_view))

    def _refresh_all(self) -> None:
        views = sorted(self.session.view_codes, key=lambda v: v != self.current_view)
        for view in views:
            for source in self.chosen:
                self.ensure((source.version_hash, view), source)
        self._read_chosen()
        self.pump()
        self.changed.emit()

    def today_photo(self, view: str) -> PhotoRecord | None:
        if self._today is None:
            self._today = {
                p.sha256: p for p in photos.photos_for_visit(self.store, self.session.visit_id)
            }
        chart = self.session.content.view(view)
        return self._today.get(chart.photo_sha256) if chart and chart.photo_sha256 else None

    def ensure(self, key: Key, source: OverlaySource) -> None:
        if key in self.states and key not in self._unread:
            self._show_layer(key)
            return
        if key not in self._earlier:  # a chart chosen since the lookup (the picker, a draft)
            # Read on the worker (`_read_chosen`): a round trip per view here froze the pen.
            self._unread.discard(key)
            self.states[key] = ViewOverlay("reading")
            if key not in self._reading:
                self._to_read[key] = source
            return
        self._place(key, self._earlier[key])

    def _place(self, key: Key, earlier: EarlierView | None) -> None:
        """The state of a view read: its saved mapping, nothing (read-only), or aligned."""
        if earlier is None:
            self.states[key] = ViewOverlay("absent")
            return
        use = self.uses.get(key)
        if use is not None:
            self.states[key] = vs.from_saved(earlier, mapping_from_dict(dict(use.mapping)))
        elif self.session.read_only:
            self.states[key] = ViewOverlay("absent", earlier, message="not shown in this version")
        else:
            today = self.today_photo(key[1])
            if earlier.photo is None or today is None:
                self.states[key] = vs.failed(earlier, "one of the two photos is missing")
            elif (cached := self._results.get((earlier.photo.sha256, today.sha256))) is not None:
                self.states[key] = vs.from_result(earlier, cached)
            else:
                self.states[key] = ViewOverlay("aligning", earlier)
                self.queue.append(key)
        self._show_layer(key)

    @property
    def reading(self) -> bool:
        """Views of a chart chosen since the lookup are waiting to be read or being read, or
        a chart the content names is being looked up."""
        return bool(self._to_read or self._reading or self._finding)

    def _read_chosen(self) -> None:
        """Read every view waiting (`ensure`) in one job on the worker, one snapshot; the view
        on screen first. What lands for a chart taken off meanwhile is dropped (`_views_read`)."""
        wanted = [
            (key, source)
            for key, source in self._to_read.items()
            if (state := self.states.get(key)) is not None and state.status == "reading"
        ]
        self._to_read.clear()
        if not wanted:
            return
        wanted.sort(key=lambda ks: ks[0][1] != self.current_view)
        keys = [key for key, _s in wanted]
        job = partial(earlier_charts.read_views, self.store, [(s, key[1]) for key, s in wanted])
        if self._views.run(job, partial(self._views_read, keys), partial(self._views_unread, keys)):
            self._reading.update(keys)

    def _views_read(self, keys: list[Key], found: dict[Key, EarlierView | None]) -> None:
        self._reading.difference_update(keys)
        failed: BaseException | None = None
        for key in keys:
            state = self.states.get(key)
            # Taken off the legend (`forget`) while it was read: nothing of it is kept.
            if state is not None and state.status == "reading":
                self._earlier[key] = found[key]
                try:
                    self._place(key, found[key])
                except Exception as exc:  # e.g. a saved mapping that does not load
                    del self._earlier[key]
                    self._not_read(key)
                    failed = failed or exc
        self.pump()
        self.changed.emit()
        if failed is not None:
            raise failed  # the app's fault handler reports it; no view is left "Reading…"

    def _views_unread(self, keys: list[Key], error: BaseException) -> None:
        # Any error: no view is left "Reading…" for good (ensure never asks again for a key
        # still being read); only a StoreError is the store's, said in the legend's words.
        self._reading.difference_update(keys)
        for key in keys:
            state = self.states.get(key)
            if state is not None and state.status == "reading":
                self._not_read(key)
        self.changed.emit()
        if not isinstance(error, StoreError):
            raise error
        # The legend's few words; why (the server, the disk) the room's banner says.
        log.info("earlier chart's views not read (%s)", type(error).__name__)

    def _not_read(self, key: Key) -> None:
        self._unread.add(key)  # read again when its view is shown again
        self.states[key] = ViewOverlay("absent", message="could not be read")

    def pump(self) -> None:
        """Start the next alignment, the view on screen first."""
        if self.aligner.busy or not self.queue:
            return
        self.queue.sort(key=lambda k: k[1] != self.current_view)
        key = self.queue.pop(0)
        state = self.states.get(key)
        today = self.today_photo(key[1])
        if state is None or state.earlier is None or state.earlier.photo is None or today is None:
            self.pump()
            return
        token = self._tokens.get(key, 0)
        old = state.earlier.photo
        self.align_count += 1
        self.aligner.start((key, token, old.sha256, today.sha256),
                           lambda: touchup.align_view(self.store, old, today))  # fmt: skip

    def _aligned(self, job: tuple[Key, int, str, str], result: object) -> None:
        key, token, old_sha, new_sha = job
        if isinstance(result, AlignmentResult):
            self._results[(old_sha, new_sha)] = result
        state = self.states.get(key)
        # Stale: the source was dropped, re-chosen, or a mapping arrived from elsewhere.
        if state is not None and state.status == "aligning" and token == self._tokens.get(key, 0):
            if isinstance(result, AlignmentResult):
                self.states[key] = vs.from_result(state.earlier, result)
            else:
                self.states[key] = vs.failed(state.earlier, f"alignment failed ({result})")
            self._show_layer(key)
            self.changed.emit()
        self.pump()

    def forget(self, key: Key) -> None:
        self.states.pop(key, None)
        self._unread.discard(key)
        self._tokens[key] = self._tokens.get(key, 0) + 1
        self._drop_layer(key)

    # -- layers -----------------------------------------------------------------------------

    def _show_layer(self, key: Key) -> None:
        state = self.states.get(key)
        if key in self.layers or state is None or not state.ready or state.earlier is None:
            return
        assert state.mapping is not None  # ready says so
        scene = self.host.scenes.get(key[1])
        if scene is None:
            return
        mapped = touchup.map_view_chart(state.earlier.chart, state.mapping)
        layer = GhostLayer(mapped, self.colour_index(key[0]))
        layer.setOpacity(self.opacity)
        layer.show_parts(self.shown)
        scene.addItem(layer)
        self.layers[key] = layer

    def _drop_layer(self, key: Key) -> None:
        layer = self.layers.pop(key, None)
        if layer is not None and layer.scene() is not None:
            layer.scene().removeItem(layer)

    def set_opacity(self, value: float) -> None:
        self.opacity = value
        for layer in self.layers.values():
            layer.setOpacity(value)

    def set_shown(self, part: str, on: bool) -> None:
        self.shown[part] = on
        for layer in self.layers.values():
            layer.show_parts(self.shown)

    # -- following the chart ----------------------------------------------------------------

    def _model_changed(self, change: ContentChange) -> None:
        if change.overlays:  # the mappings in the content are all the overlay follows
            self._follow_saved_mappings()

    def _follow_saved_mappings(self) -> None:
        uses = saving.saved_uses(self.session.content)
        if uses == self.uses:
            return
        changed = {k for k in uses.keys() | self.uses.keys() if uses.get(k) != self.uses.get(k)}
        self.uses = uses
        legend = len(self.chosen)
        if self.started:
            self._show_named_charts()
        for key in changed:
            state, use = self.states.get(key), uses.get(key)
            if use is not None and state is not None and state.ready and not state.saved:
                if state.mapping is not None and state.mapping.to_dict() == dict(use.mapping):
                    state.saved = True  # just saved as it is shown: nothing to redraw
                    continue
            # A hand correction or its undo: rebuild from the content (or align again).
            source = next((s for s in self.chosen if s.version_hash == key[0]), None)
            self.forget(key)
            self.queue = [k for k in self.queue if k != key]
            if source is not None:
                self.ensure(key, source)
        if len(self.chosen) > legend:
            self._refresh_all()  # the named charts' other views too
            return
        self._read_chosen()
        self.pump()
        self.changed.emit()

    def _view_changed(self, _index: int) -> None:
        self._view_shown()  # a bound slot: Qt drops it with the controller

    def _view_shown(self) -> None:
        for key in [k for k in self._unread if k[1] == self.current_view]:
            source = next((s for s in self.chosen if s.version_hash == key[0]), None)
            if source is not None:
                self.ensure(key, source)
        self._read_chosen()
        self.pump()
        self.changed.emit()

    def _show_named_charts(self) -> None:
        """Show the earlier charts the content's mappings name and the legend lacks (a draft
        restored, another room's version taken): each then reopens with its mapping. Found
        among the versions the lookup read; one it did not read (its visit entered in error
        since) is looked up on the worker, and shown when found."""
        shown = {s.version_hash for s in self.chosen}
        known = self._known_sources()
        missing = []
        for version_hash in dict.fromkeys(h for h, _v in self.uses):
            if version_hash in shown | self._removed:
                continue
            source = known.get(version_hash)
            if source is None:
                missing.append(version_hash)
            elif len(self.chosen) < MAX_SOURCES:
                self.chosen.append(source)
                shown.add(version_hash)
        if missing:
            job = partial(earlier_charts.sources_of, self.store, self.session.visit_id, missing)
            if self._views.run(job, self._named_found, self._named_unfound):
                self._finding += 1

    def _known_sources(self) -> dict[str, OverlaySource]:
        found = self.found
        if found is None:
            return {}
        every = [*found.chosen, *(s for versions in found.versions.values() for s in versions)]
        return {s.version_hash: s for s in every}

    def _named_found(self, sources: list[OverlaySource]) -> None:
        self._finding -= 1
        named = {h for h, _v in self.uses}
        shown = {s.version_hash for s in self.chosen}
        legend = len(self.chosen)
        for source in sources:
            h = source.version_hash
            if h in named and h not in shown | self._removed and len(self.chosen) < MAX_SOURCES:
                self.chosen.append(source)
                shown.add(h)
        if len(self.chosen) > legend:
            self._refresh_all()

    def _named_unfound(self, error: BaseException) -> None:
        self._finding -= 1
        if not isinstance(error, StoreError):
            raise error
        # Its mappings are kept all the same (content_for_save); the legend lacks it.
        log.info("a chart the mappings name was not read (%s)", type(error).__name__)

    def content_for_save(self, content: ChartContent) -> ChartContent:
        """The chart as a save writes it (`saving.content_for_save`); before the sources are
        read, the content is left as it is."""
        if not self.started:
            return content
        return saving.content_for_save(content, self.chosen, self.states, self.uses, self._removed)

    def shutdown(self) -> None:
        self.queue.clear()
        self._lookup.shutdown()
        self._views.shutdown()
        self.aligner.shutdown()
