"""The visit page's chart read ahead (ui/shell/chart_prefetch.py, issue #8): a tap on Chart
builds the editor at once from what was read while the page showed, and never from something
older than a read at the tap would give: a change made here, another room's change the
watcher has heard of, or age, make the tap read the chart again. What the read ahead worked
out for the first view (its pixels and stroke shapes, ui/editor/ahead.py) paints the very
picture an opening without it paints."""

from __future__ import annotations

import threading
from decimal import Decimal

import numpy as np
import pytest
from PySide6.QtCore import QObject
from PySide6.QtGui import QImage

from app.domain.chart import ChartContent, InjectionPoint, Stroke, ViewChart
from app.domain.values import Side
from app.services import charts, photos
from app.services.practitioners import default_practitioner
from app.store.database import Store, open_store
from tests.images import face_image, jpeg_bytes
from tests.ui import editor_helpers as h
from tests.ui.helpers import finger, page_named
from ui.common.room_watch import RoomWatch
from ui.editor import ahead, stroke_geometry
from ui.editor.editor_window import ChartEditor
from ui.editor.labels import LabelLayout, forget_placements
from ui.shell import chart_prefetch
from ui.shell.hosted import HostedPage
from ui.shell.main_window import MainWindow
from ui.shell.visit_page import VisitPage


def _content(store: Store, visit_id: int, units: int) -> ChartContent:
    """Corrugator L at `units` and a pencil line, on the frown photo."""
    frown = next(p for p in photos.photos_for_visit(store, visit_id) if p.view_code == "frown")
    point = InjectionPoint(380.0, 170.0, "botox", Decimal(units), zone="Corrugator", side=Side.LEFT)
    samples = tuple((300.0 + 8 * i, 400.0 + 3 * i, 0.4 + 0.01 * i, 0.01 * i) for i in range(30))
    line = Stroke(samples, "white", "solid", 9.0)
    return ChartContent(views=(ViewChart("frown", frown.sha256, (line,), (point,)),))


def _save(store: Store, visit_id: int, units: int, who: int) -> charts.VersionInfo:
    head = charts.load_head(store, visit_id)
    parent = head.info.id if head is not None else None
    content = _content(store, visit_id, units)
    return charts.save_version(store, visit_id, content, parent_version_id=parent, saved_by_id=who)


def _on_visit_page(qtbot, window: MainWindow, units: int = 4) -> tuple[VisitPage, int]:  # type: ignore[no-untyped-def]
    store, who = window.ctx.store, window.ctx.practitioner.id
    visit = h.charted_visit(store, who)
    _save(store, visit.visit_id, units, who)
    qtbot.waitUntil(lambda: window.room_watch is not None and window.room_watch.watching)
    window.open_patient(visit.patient_id)
    window.open_visit(visit.visit_id)
    page = window.current_page()
    assert isinstance(page, VisitPage)
    return page, visit.visit_id


def _tap_chart(window: MainWindow, page: VisitPage) -> None:
    finger(page.chart_button)


def _editor(window: MainWindow) -> ChartEditor:
    page = page_named(window, HostedPage, timeout_ms=10000)
    assert isinstance(page, HostedPage) and isinstance(page.screen_widget, ChartEditor)
    return page.screen_widget


def _units(ed: ChartEditor) -> list[Decimal]:
    return [p.units for _v, p in ed.session.content.all_points()]


def test_the_tap_builds_the_editor_from_the_chart_read_ahead(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    page, _visit_id = _on_visit_page(qtbot, window)
    qtbot.waitUntil(lambda: window._prefetch.ready, timeout=10000)
    _tap_chart(window, page)
    # at once: no read at the tap (the chart reader never started a thread)
    current = window.current_page()
    assert isinstance(current, HostedPage) and isinstance(current.screen_widget, ChartEditor)
    assert window._chart_reader.threads_alive == 0 and not window._chart_reader.busy
    ed = current.screen_widget
    assert _units(ed) == [Decimal(4)]
    assert ed.session.version is not None and ed.session.version.version_no == 1
    assert not window._prefetch.ready  # used once


def test_a_change_made_here_after_the_read_ahead_is_read_at_the_tap(
    qtbot, window: MainWindow
) -> None:  # type: ignore[no-untyped-def]
    page, visit_id = _on_visit_page(qtbot, window)
    qtbot.waitUntil(lambda: window._prefetch.ready, timeout=10000)
    # this laptop saved version 2 meanwhile (as a save from an editor on a worker would)
    _save(window.ctx.store, visit_id, 6, window.ctx.practitioner.id)
    _tap_chart(window, page)
    ed = _editor(window)
    assert _units(ed) == [Decimal(6)]
    assert ed.session.version is not None and ed.session.version.version_no == 2


def test_another_rooms_change_heard_drops_the_read_ahead(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    page, visit_id = _on_visit_page(qtbot, window)
    qtbot.waitUntil(lambda: window._prefetch.ready, timeout=10000)
    heard: list[object] = []
    assert window.room_watch is not None
    window.room_watch.news.connect(heard.append)
    other = open_store(window.ctx.store.url.render_as_string(hide_password=False))
    try:  # another room: its own engine and connections, its writes not counted here
        _save(other, visit_id, 8, window.ctx.practitioner.id)
    finally:
        other.dispose()
    qtbot.waitUntil(lambda: bool(heard), timeout=10000)
    _tap_chart(window, page)
    ed = _editor(window)
    assert _units(ed) == [Decimal(8)]
    assert ed.session.version is not None and ed.session.version.version_no == 2


def test_a_read_ahead_too_old_is_read_again_at_the_tap(
    qtbot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    page, _visit_id = _on_visit_page(qtbot, window)
    qtbot.waitUntil(lambda: window._prefetch.ready, timeout=10000)
    monkeypatch.setattr(chart_prefetch, "MAX_AGE_S", -1.0)
    _tap_chart(window, page)
    assert window._chart_reader.threads_alive == 1 or window._chart_reader.busy  # read now
    ed = _editor(window)
    assert _units(ed) == [Decimal(4)]


def _first_paint(ed: ChartEditor) -> QImage:
    return ed.canvas().viewport().grab().toImage()


def test_the_first_view_worked_out_ahead_paints_what_an_opening_paints(
    qtbot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    screen_sized: list[int] = []  # decodes for a first paint, on the GUI thread
    decode = ahead.decode_pixels

    def counted(jpeg: bytes, side: int | None):  # type: ignore[no-untyped-def]
        if side is not None and threading.current_thread() is threading.main_thread():
            screen_sized.append(side)
        return decode(jpeg, side)

    monkeypatch.setattr(ahead, "decode_pixels", counted)
    searched: list[str] = []  # labels whose spot was searched for on the GUI thread
    find = LabelLayout._find

    def found(layout: LabelLayout, pid: str):  # type: ignore[no-untyped-def]
        if threading.current_thread() is threading.main_thread():
            searched.append(pid)
        return find(layout, pid)

    monkeypatch.setattr(LabelLayout, "_find", found)
    ahead.forget()  # no chart opened before: nothing to decode or place for
    forget_placements()
    page, visit_id = _on_visit_page(qtbot, window)
    # without the read ahead: the editor decodes and outlines at opening
    window._prefetch.stop()
    _tap_chart(window, page)
    cold = _editor(window)
    qtbot.waitUntil(lambda: cold.canvas().isVisible())
    assert len(screen_sized) == 1
    assert searched  # its labels placed at opening
    side = cold.scenes["frown"].photo_item.pixmap().width()  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: cold.scenes["frown"]._sharper is None)  # the whole image behind
    made_here = _first_paint(cold)
    cold_shape = next(iter(cold.scenes["frown"].stroke_items.values())).path()
    window.go_back()
    qtbot.waitUntil(lambda: window.current_page() is page)
    qtbot.waitUntil(lambda: window._prefetch.ready, timeout=10000)
    held = window._prefetch._held
    assert held is not None and held.first is not None
    assert held.first.pixels is not None  # decoded for the canvas the last chart had
    assert held.first.pixels.shape[1] == side  # as the opening without it decoded
    assert held.first.jpeg is not None
    again, _whole = decode(held.first.jpeg, ahead.screen_side())  # uncounted
    assert again is not None and np.array_equal(held.first.pixels, again)
    # as if this chart had never been placed: read ahead again, which places it
    forget_placements()
    window._prefetch.prepare(window.ctx.store, visit_id, window.ctx.practitioner.id)
    qtbot.waitUntil(lambda: window._prefetch.ready, timeout=10000)
    searched.clear()
    _tap_chart(window, page)
    warm = window.current_page()
    assert isinstance(warm, HostedPage) and isinstance(warm.screen_widget, ChartEditor)
    ed = warm.screen_widget
    assert len(screen_sized) == 1  # the pixels made ahead painted first: no decode here
    assert searched == []  # and its labels were placed ahead
    assert next(iter(ed.scenes["frown"].stroke_items.values())).path() == cold_shape
    qtbot.waitUntil(lambda: ed.scenes["frown"]._sharper is None)
    assert _first_paint(ed) == made_here


def test_pixels_and_shapes_made_ahead_are_used_only_when_they_are_the_openings() -> None:
    jpeg = jpeg_bytes(face_image(2000, 1500))
    pixels, whole = ahead.decode_pixels(jpeg, 600)
    assert pixels is not None and whole == (2000, 1500)
    assert max(pixels.shape[:2]) == 1000  # 1/2: 1/4 would be smaller than the canvas
    line = Stroke(((1.0, 2.0, 0.5, 0.0), (9.0, 9.0, 0.5, 0.1), (20.0, 5.0, 0.5, 0.2)))
    shape = stroke_geometry.shape(line.samples, line.width)
    first = ahead.FirstView("frown", jpeg, pixels, whole, {line.id: (line, shape)})
    assert first.pixels_for(jpeg, 600) is pixels
    assert first.pixels_for(jpeg, 1200) is None  # the canvas grew: decode for it
    assert first.pixels_for(bytes(bytearray(jpeg)), 600) is None  # another JPEG, equal bytes
    assert first.shape_for(line) is not None
    same_id_other = Stroke(((1.0, 2.0, 0.9, 0.0), (3.0, 4.0, 0.9, 0.1)), id=line.id)
    assert first.shape_for(same_id_other) is None  # an edited stroke is outlined again
    assert np.array_equal(first.pixels_for(jpeg, 500), pixels)


class _Window(QObject):
    """What the prefetch needs of a window: a parent, and its watcher's mark."""

    def __init__(self) -> None:
        super().__init__()
        self.mark: object = (0, 0)


def _held_read(qtbot, store: Store, units: int = 4):  # type: ignore[no-untyped-def]
    who = default_practitioner(store).id
    visit = h.charted_visit(store, who)
    _save(store, visit.visit_id, units, who)
    owner = _Window()
    prefetch = chart_prefetch.ChartPrefetch(lambda: owner.mark, owner)
    prefetch.prepare(store, visit.visit_id, who)
    qtbot.waitUntil(lambda: prefetch.ready, timeout=10000)
    return owner, prefetch, visit, who


def test_a_read_ahead_is_kept_through_changes_it_holds_or_another_patients(
    qtbot, store: Store
) -> None:  # type: ignore[no-untyped-def]
    owner, prefetch, visit, who = _held_read(qtbot, store)
    held = prefetch._held
    assert held is not None
    prefetch.heard([(held.seq, visit.patient_id)])  # a change it already holds
    prefetch.heard([(held.seq + 1, visit.patient_id + 1000)])  # another patient's
    assert prefetch.ready
    assert prefetch.take(store, visit.visit_id, who + 1) is None  # someone else
    prefetch.prepare(store, visit.visit_id, who)
    qtbot.waitUntil(lambda: prefetch.ready, timeout=10000)
    prefetch.heard([(prefetch._held.seq + 1, None)])  # type: ignore[union-attr]  # the clinic's
    assert not prefetch.ready
    prefetch.shutdown()


def test_a_read_ahead_is_not_used_once_the_watcher_may_have_missed_a_change(
    qtbot, store: Store
) -> None:  # type: ignore[no-untyped-def]
    owner, prefetch, visit, who = _held_read(qtbot, store)
    owner.mark = (0, 1)  # its link was lost and made again meanwhile
    assert prefetch.take(store, visit.visit_id, who) is None
    owner.mark = None  # not hearing: nothing is read ahead at all
    prefetch.prepare(store, visit.visit_id, who)
    qtbot.wait(300)
    assert not prefetch.ready
    prefetch.shutdown()


def test_a_write_in_flight_or_ended_since_makes_the_read_ahead_stale(qtbot, store: Store) -> None:  # type: ignore[no-untyped-def]
    owner, prefetch, visit, who = _held_read(qtbot, store)
    store.writes_begun += 1  # a save on a worker, begun, its commit not counted yet
    assert prefetch.take(store, visit.visit_id, who) is None
    store.writes_ended += 1
    prefetch.prepare(store, visit.visit_id, who)
    qtbot.waitUntil(lambda: prefetch.ready, timeout=10000)
    assert prefetch.take(store, visit.visit_id, who) is not None  # none since
    prefetch.shutdown()


def test_a_save_in_another_room_is_heard_and_the_chart_read_again(qtbot, store: Store) -> None:  # type: ignore[no-untyped-def]
    """On both backends: the real watcher (PRAGMA data_version, or LISTEN/NOTIFY) hears
    another room's save, the read ahead is dropped and read again, with that version."""
    watch = RoomWatch(store)
    qtbot.waitUntil(lambda: watch.watching, timeout=10000)
    who = default_practitioner(store).id
    visit = h.charted_visit(store, who)
    _save(store, visit.visit_id, 4, who)
    owner = QObject()
    prefetch = chart_prefetch.ChartPrefetch(watch.hearing, owner)
    watch.changed.connect(prefetch.heard)
    prefetch.prepare(store, visit.visit_id, who)
    qtbot.waitUntil(lambda: prefetch.ready, timeout=10000)
    other = open_store(store.url.render_as_string(hide_password=False))
    try:  # another room: its writes are not this store's to count
        _save(other, visit.visit_id, 6, who)
    finally:
        other.dispose()

    def read_again() -> bool:
        held = prefetch._held
        return (
            held is not None
            and held.opening.version is not None
            and (held.opening.version.version_no == 2)
        )

    qtbot.waitUntil(read_again, timeout=10000)
    got = prefetch.take(store, visit.visit_id, who)
    assert got is not None
    assert [p.units for _v, p in got[0].content.all_points()] == [Decimal(6)]
    prefetch.shutdown()
    watch.close()
