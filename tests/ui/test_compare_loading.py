"""Issue #8: the compare screen reads its photos off the GUI thread (ui/overlay/compare_loading).

Real SQLite store with two visits' photos; the read is the real one on the app's worker. A read
is held (it waits for the test, then runs for real) to see the screen while it loads, and made
to fail by a real StoreError raised where the display image is read; on PostgreSQL, through a
proxy the test unplugs: the clinic server really gone.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from PySide6.QtCore import QRect, Qt
from pytestqt.qtbot import QtBot
from shiboken6 import isValid
from sqlalchemy import event
from sqlalchemy.engine import make_url

from app.services import patients, photos, visits
from app.services.alignment import NoMapping
from app.services.photos import PhotoRecord
from app.services.practitioners import default_practitioner
from app.store.database import Store, open_store
from app.store.errors import ServerUnreachableError, unreachable_message
from tests.app.alignment.faces import astronaut, jpeg, similarity, warp
from tests.conftest import PG_URL, reset_postgres
from tests.pg_proxy import PgProxy
from tests.ui.helpers import signed_in
from tests.ui.screen_walk import problems_in
from ui.common import gc_pause
from ui.common.context import AppContext
from ui.common.worker import threads_left
from ui.overlay import compare_photos
from ui.overlay.compare_screen import CompareScreen

MOVE = similarity(0.95, 3.0, (40.0, -20.0), (512.0, 512.0))


@dataclass
class Pair:
    ctx: AppContext
    earlier: PhotoRecord
    today: PhotoRecord


def two_visits(store: Store) -> tuple[PhotoRecord, PhotoRecord]:
    who = default_practitioner(store).id
    ada = patients.create_patient(store, "Ada", "Lovelace", date(1980, 1, 2))
    first = visits.start_visit(store, ada.id, who, "neurotoxin", date(2026, 9, 1))
    second = visits.start_visit(store, ada.id, who, "neurotoxin", date(2026, 11, 20))
    face = astronaut(2.0)
    earlier = photos.add_photo_bytes(store, ada.id, "rest", jpeg(face), visit_id=first.id)
    today = photos.add_photo_bytes(
        store, ada.id, "rest", jpeg(warp(face, MOVE)), visit_id=second.id
    )
    return earlier, today


@pytest.fixture
def pair(sqlite_store: Store) -> Pair:
    earlier, today = two_visits(sqlite_store)
    return Pair(signed_in(sqlite_store), earlier, today)


@dataclass
class HeldRead:
    """The display image's read waits until `release()`, then runs for real."""

    go: threading.Event
    done: list[str]

    def release(self) -> None:
        self.go.set()


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[HeldRead]:
    hold = HeldRead(threading.Event(), [])
    real = compare_photos.display_image

    def waiting(store: Store, photo: PhotoRecord) -> object:
        hold.go.wait(10)  # on the old code this is the GUI thread: it waits, then goes on
        image = real(store, photo)
        hold.done.append(photo.view_code)
        return image

    monkeypatch.setattr(compare_photos, "display_image", waiting)
    yield hold
    hold.release()


def opened(qtbot: QtBot, ctx: AppContext, pair: Pair, add: bool = True) -> CompareScreen:
    screen = CompareScreen(ctx, pair.earlier, pair.today, NoMapping("test"))
    if add:
        qtbot.addWidget(screen)
    screen.resize(1366, 768)
    screen.show()
    qtbot.waitExposed(screen)
    return screen


def test_opening_runs_no_statement_on_the_gui_thread(qtbot: QtBot, pair: Pair) -> None:
    """The patient, the visits' dates and both display images are read on the worker: a slow
    clinic server never freezes the screen as it opens."""
    on_gui: list[str] = []
    off_gui: list[str] = []

    def seen(_conn, _cursor, statement, *_rest) -> None:  # type: ignore[no-untyped-def]
        main = threading.current_thread() is threading.main_thread()
        (on_gui if main else off_gui).append(statement)

    engine = pair.ctx.store.engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        screen = opened(qtbot, pair.ctx, pair)
        qtbot.waitUntil(lambda: hasattr(screen, "earlier_pane"), timeout=10000)  # photos shown
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert on_gui == []
    assert off_gui  # it did read, on the worker
    # what was read is what the screen shows, as before
    assert screen.banner.name.text() == "Ada Lovelace"
    assert screen.earlier_pane.caption == "Earlier · 1 Sep 2026"
    assert screen.today_caption == "Today · 20 Nov 2026"
    assert screen.mode == "adjust" and "could not align" in screen.confidence.text()


def test_while_loading_the_screen_says_so_and_offers_only_cancel(
    qtbot: QtBot, pair: Pair, held: HeldRead
) -> None:
    screen = opened(qtbot, pair.ctx, pair)
    qtbot.wait(100)  # events run: the read is still held, the screen is live
    page = screen.loading
    assert not screen.ready and page.isVisible()
    assert page.title.text() == "Loading photos…"
    assert not page.try_again.isVisible()
    buttons = [b for b in screen.findChildren(type(page.cancel_button)) if b.isVisible()]
    assert buttons == [page.cancel_button]  # nothing that would act on photos not there yet
    assert page.cancel_button.height() >= 48
    assert problems_in(screen, QRect(0, 0, 1366, 768)) == []  # no text cut off, targets ≥ 48
    screen.grab().save("/tmp/compare-loading.png")
    screen.set_mode("match")  # asked while loading: the mode the screen opens in
    held.release()
    qtbot.waitUntil(lambda: screen.ready, timeout=10000)
    assert not page.isVisible() and screen.earlier_pane.isVisible()
    assert screen.mode == "match" and screen.tools.use_points.isVisible()
    assert held.done == ["rest", "rest"]


def test_a_read_that_fails_is_said_in_the_screen_with_try_again(
    qtbot: QtBot, pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store's own outage error, raised where the display image is read (the database is
    not mocked: the rest of the read is real); nothing escapes into the event loop."""
    real = compare_photos.display_image

    def unreachable(store: Store, photo: PhotoRecord) -> object:
        raise ServerUnreachableError(unreachable_message("clinic-server:5432"))

    monkeypatch.setattr(compare_photos, "display_image", unreachable)
    screen = opened(qtbot, pair.ctx, pair)
    page = screen.loading
    qtbot.waitUntil(lambda: page.try_again.isVisible(), timeout=10000)
    assert page.title.text() == "The photos could not be loaded"
    assert "clinic server (clinic-server:5432) cannot be reached" in page.body.text()
    assert not screen.ready and page.cancel_button.isVisible()
    assert page.try_again.height() >= 48
    assert problems_in(screen, QRect(0, 0, 1366, 768)) == []  # the server's words all shown
    screen.grab().save("/tmp/compare-failed.png")

    monkeypatch.setattr(compare_photos, "display_image", real)  # the server is back
    qtbot.mouseClick(page.try_again, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.ready, timeout=10000)
    assert screen.banner.name.text() == "Ada Lovelace"
    closed: list[str] = []
    screen.closed.connect(lambda: closed.append("closed"))
    qtbot.mouseClick(screen.cancel_button, Qt.MouseButton.LeftButton)
    assert closed == ["closed"]


def leave_by_cancel(qtbot: QtBot, screen: CompareScreen) -> None:
    qtbot.mouseClick(screen.loading.cancel_button, Qt.MouseButton.LeftButton)


def leave_by_escape(qtbot: QtBot, screen: CompareScreen) -> None:
    qtbot.keyClick(screen, Qt.Key.Key_Escape)


def deleted(qtbot: QtBot, screen: CompareScreen) -> None:
    """As when its editor closes: the cover and the screen go, never left."""
    screen.deleteLater()
    qtbot.waitUntil(lambda: not isValid(screen), timeout=5000)


@pytest.mark.parametrize("leave", [leave_by_cancel, leave_by_escape, deleted])
def test_leaving_while_loading_drops_the_late_read(
    qtbot: QtBot, pair: Pair, held: HeldRead, leave: Callable[[QtBot, CompareScreen], None]
) -> None:
    screen = opened(qtbot, pair.ctx, pair, add=False)
    reader = screen.reader
    closed: list[str] = []
    screen.closed.connect(lambda: closed.append("closed"))
    qtbot.wait(50)
    assert reader.busy and not screen.ready
    leave(qtbot, screen)
    if leave is not deleted:
        assert closed == ["closed"]
    held.release()  # the read ends after the screen was left: its outcome has no screen
    qtbot.waitUntil(lambda: held.done == ["rest", "rest"], timeout=10000)
    # the read was left running (ADR 0012): the reaper joins its thread once it ends
    qtbot.waitUntil(lambda: threads_left() == 0 and reader.threads_alive == 0, timeout=10000)
    if leave is not deleted:
        assert not reader.busy  # shut down: nothing more is delivered
    qtbot.wait(100)  # an outcome delivered to a deleted screen would raise here
    if isValid(screen):
        assert not screen.ready and not hasattr(screen, "edit")  # dropped, never built
        screen.deleteLater()
        qtbot.waitUntil(lambda: not isValid(screen), timeout=5000)
    assert gc_pause.settled()


@pytest.mark.skipif(not PG_URL, reason="FACECHART_TEST_PG names no server")
def test_the_clinic_server_gone_is_said_and_try_again_opens_when_it_is_back(
    qtbot: QtBot,
) -> None:
    """The real outage: the room's app reaches PostgreSQL through a proxy the test unplugs."""
    assert PG_URL
    reset_postgres(PG_URL)
    direct = open_store(PG_URL)
    url = make_url(PG_URL)
    proxy = PgProxy((url.host or "127.0.0.1", url.port or 5432))
    proxy.plug()
    room = open_store(proxy.url(PG_URL), migrate=False)
    try:
        earlier, today = two_visits(direct)
        pair = Pair(signed_in(room), earlier, today)
        proxy.unplug()
        screen = opened(qtbot, pair.ctx, pair)
        page = screen.loading
        qtbot.waitUntil(lambda: page.try_again.isVisible(), timeout=20000)
        assert "cannot be reached" in page.body.text() and not screen.ready
        proxy.plug()
        qtbot.mouseClick(page.try_again, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: screen.ready, timeout=20000)
        assert screen.earlier_pane.caption == "Earlier · 1 Sep 2026"
        screen.cancel()
    finally:
        proxy.unplug()
        room.dispose()
        direct.dispose()
