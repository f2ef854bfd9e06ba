"""The clinic server going away under the chart editor (issue #13, ADR 0027), on PostgreSQL.

Through a TCP proxy the test unplugs: a save cut before its COMMIT reached the server, and one
whose COMMIT reached the server but whose answer was lost. Either way the editor says the server
cannot be reached, the chart is in its draft file, and once the server is back the version is
saved exactly once. Then a real server of our own, stopped and started twice under 50 saves:
nothing lost, nothing saved twice.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QApplication
from sqlalchemy.engine import make_url

from app.domain.canonical import normalise
from app.services import charts, drafts
from app.services.practitioners import default_practitioner
from app.store.database import Store, open_store
from bench._outage import OwnServer, pg_binaries, saves_through_restarts
from tests.conftest import PG_URL, reset_postgres
from tests.pg_proxy import PgProxy
from tests.ui import editor_helpers as h
from tests.ui.helpers import tap
from ui.editor import session as editor_session
from ui.editor.editor_window import ChartEditor

pytestmark = pytest.mark.skipif(not PG_URL, reason="FACECHART_TEST_PG names no server")

OUTAGE_TEXT = (
    "The clinic server cannot be reached — your chart is kept on this laptop. FaceChart will "
    "save it when the server is back."
)


@pytest.fixture
def direct() -> Iterator[Store]:
    """The test's own view of the server, never through the proxy: what is really stored."""
    assert PG_URL
    reset_postgres(PG_URL)
    store = open_store(PG_URL)
    yield store
    store.dispose()


@pytest.fixture
def proxy(direct: Store) -> Iterator[PgProxy]:
    url = make_url(PG_URL or "")
    p = PgProxy((url.host or "127.0.0.1", url.port or 5432))
    p.plug()
    yield p
    p.unplug()


@pytest.fixture
def editor(qtbot, direct: Store, proxy: PgProxy) -> Iterator[ChartEditor]:  # type: ignore[no-untyped-def]
    who = default_practitioner(direct).id
    visit = h.charted_visit(direct, who)
    room = open_store(proxy.url(PG_URL or ""), migrate=False)  # the room's app, via the proxy
    ed = h.shown_editor(qtbot, room, visit.visit_id, who)
    # Nothing else reads the server while a save runs: the faces, and the earlier charts and
    # course total the overlay looks up after the first paint.
    ed.session.wait_faces()
    qtbot.waitUntil(lambda: ed.overlay.ctrl.started, timeout=5000)
    yield ed
    charts.save_step_hook = None
    ed.session.journal.timer.stop()
    ed.close()
    room.dispose()


def stroke(ed: ChartEditor, y: float) -> None:
    pts = [QPointF(600 + 40 * i, y) for i in range(8)]
    h.pen_stroke(ed.canvas(), pts, [0.6] * 8)


def strokes_in(content: object) -> int:
    frown = content.view("frown")  # type: ignore[attr-defined]  # a ChartContent
    return len(frown.strokes) if frown is not None else 0


def versions(direct: Store, ed: ChartEditor) -> int:
    return charts.version_count(direct, ed.session.visit_id)


def once(step_name: str, action: object) -> None:
    """The save hook runs `action` at the first save's `step_name` only (a retry passes)."""
    fired: list[bool] = []

    def hook(step: str) -> None:
        if step == step_name and not fired:
            fired.append(True)
            action()  # type: ignore[operator]  # a callable

    charts.save_step_hook = hook


def says_unreachable_and_keeps_the_draft(qtbot, ed: ChartEditor, direct: Store) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: ed.session.waiting is not None, timeout=30000)
    bar = ed.widgets.message_bar
    assert bar.isVisible() and bar.text.text() == OUTAGE_TEXT
    assert "Something went wrong" not in bar.text.text()
    assert ed.widgets.status.text() == "● Waiting for the clinic server"
    # the draft is a file on this laptop (keyed by the room's server URL): no server needed
    kept = drafts.load_draft(ed.session.store, ed.session.visit_id, ed.session.practitioner_id)
    assert kept is not None and kept.content == normalise(ed.session.content)
    retry = [b for b in bar.buttons if b.text() == "Retry now"]
    assert len(retry) == 1 and retry[0].height() >= 48 and retry[0].width() >= 48


def test_a_save_cut_before_its_commit_waits_then_saves_once_by_itself(
    qtbot, editor: ChartEditor, direct: Store, proxy: PgProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(editor_session, "RETRY_FIRST_S", 0.5)  # the back-off starts here
    ed = editor
    ed.session.retry_delay_s = 0.5
    stroke(ed, 900)
    once("parts_written", proxy.unplug)  # mid-transaction: the server rolls it back
    tap(qtbot, ed.widgets.save_button)
    says_unreachable_and_keeps_the_draft(qtbot, ed, direct)
    assert versions(direct, ed) == 0
    stroke(ed, 1400)  # the pen is live while the editor waits for the server
    qtbot.wait(1500)  # retries meet a refused connection and keep waiting
    # (a retry may be in flight at this moment: it meets the outage and waits again)
    qtbot.waitUntil(lambda: ed.session.waiting is not None and not ed.session.saving, timeout=5000)
    assert versions(direct, ed) == 0
    proxy.plug()
    qtbot.waitUntil(lambda: ed.session.version is not None, timeout=20000)  # no tap needed
    assert versions(direct, ed) == 1
    head = charts.load_head(direct, ed.session.visit_id)
    assert head is not None and strokes_in(head.content) == 1  # the save as it was tapped
    assert ed.widgets.message_bar.text.text() == "Saved as version 1."
    # the stroke drawn while waiting is on screen, still to save: it goes into the next save
    assert ed.session.dirty and strokes_in(ed.session.content) == 2
    assert h.save_and_wait(ed) is not None and versions(direct, ed) == 2


def test_a_save_whose_commit_answer_is_lost_is_found_by_the_retry_not_saved_twice(
    qtbot, editor: ChartEditor, direct: Store, proxy: PgProxy
) -> None:
    ed = editor
    stroke(ed, 900)
    once("before_commit", proxy.lose_commit_answer)
    tap(qtbot, ed.widgets.save_button)
    assert proxy.answer_lost.wait(10), "the proxy never saw the save's COMMIT answered"
    says_unreachable_and_keeps_the_draft(qtbot, ed, direct)
    assert versions(direct, ed) == 1  # the server has it; the editor cannot know
    assert ed.session.version is None
    stroke(ed, 1400)
    proxy.plug()
    retry = next(b for b in ed.widgets.message_bar.buttons if b.text() == "Retry now")
    tap(qtbot, retry)
    qtbot.waitUntil(lambda: ed.session.version is not None, timeout=20000)
    assert versions(direct, ed) == 1  # found by its UUID, not saved again (nor a conflict)
    assert ed.session.version.version_no == 1
    assert ed.widgets.message_bar.text.text() == "Saved as version 1."
    assert ed.session.dirty and strokes_in(ed.session.content) == 2
    second = h.save_and_wait(ed)
    assert second is not None and second.version_no == 2 and versions(direct, ed) == 2
    head = charts.load_head(direct, ed.session.visit_id)
    assert head is not None and strokes_in(head.content) == 2


def test_saves_while_the_server_restarts_lose_nothing_and_save_nothing_twice(qtbot) -> None:  # type: ignore[no-untyped-def]
    missing = pg_binaries()
    if missing:
        pytest.skip(missing)
    folder = Path(tempfile.mkdtemp(prefix="fc-outage-test-"))
    folder.chmod(0o755)  # the server runs as postgres
    server = OwnServer(54400, folder / "pg")
    url = server.start()
    try:

        def shown(ed: ChartEditor) -> None:
            qtbot.addWidget(ed)
            ed.resize(1366, 768)
            ed.show()

        app = QApplication.instance()
        assert app is not None
        run = saves_through_restarts(
            url, lambda: server.restart(down_s=1.0), app.processEvents, saves=50, shown=shown
        )
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    assert run.outages >= 1, "no save ever met the restart: the test proved nothing"
    assert run.other_failures == []
    assert (run.lost, run.duplicates, run.versions) == (0, 0, 50)


def test_save_and_close_while_waiting_saves_the_retried_save_then_the_rest_then_closes(
    qtbot, editor: ChartEditor, direct: Store, proxy: PgProxy
) -> None:
    ed = editor
    stroke(ed, 900)
    once("parts_written", proxy.unplug)
    tap(qtbot, ed.widgets.save_button)
    says_unreachable_and_keeps_the_draft(qtbot, ed, direct)
    ed.session._retry.stop()  # the clinician is quicker than the back-off here
    stroke(ed, 1400)
    proxy.plug()
    closed: list[bool] = []
    ed.closed.connect(lambda: closed.append(True))
    ed.close_editor()
    tap(qtbot, next(b for b in ed.widgets.message_bar.buttons if b.text() == "Save and close"))
    qtbot.waitUntil(lambda: closed == [True], timeout=20000)
    assert versions(direct, ed) == 2  # the waiting save, once, then the stroke drawn meanwhile
    head = charts.load_head(direct, ed.session.visit_id)
    assert head is not None and strokes_in(head.content) == 2


def test_the_earlier_charts_unread_in_an_outage_are_read_once_the_server_is_back(
    qtbot, direct: Store, proxy: PgProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The overlay's lookup after the first paint (earlier charts, course total) meets an
    unreachable server: nothing is shown of it and nothing escapes into the event loop; the
    lookup is tried again, and once the server is back the touched-up chart is shown and the
    course total is there, without a tap."""
    from tests.ui import overlay_helpers as oh
    from ui.overlay import controller

    monkeypatch.setattr(controller, "LOOKUP_RETRY_MS", 300)
    who = default_practitioner(direct).id
    course = oh.course(direct, who, touch_up=True)
    room = open_store(proxy.url(PG_URL or ""), migrate=False)
    ed = ChartEditor(room, course.today_visit_id, who)
    qtbot.addWidget(ed)
    try:
        ed.session.wait_faces()
        proxy.unplug()
        ed.resize(1366, 768)
        ed.show()
        qtbot.waitExposed(ed)
        qtbot.wait(1500)  # the first paint, then lookups that meet the outage
        ctrl = ed.overlay.ctrl
        assert not ctrl.started and ctrl.chosen == []
        assert not ed.widgets.rail.earlier.isVisible()
        proxy.plug()
        qtbot.waitUntil(lambda: ctrl.started, timeout=10000)
        assert [s.visit_id for s in ctrl.chosen] == [course.earlier_visit_id]
        assert ed.widgets.rail.earlier.isVisible()
        assert [when for when, _units in ed.overlay.course.earlier] == ["1 Oct 2026"]
    finally:
        ed.session.journal.timer.stop()
        ed.close()
        room.dispose()


def test_a_chart_added_by_hand_in_an_outage_is_read_when_its_view_is_shown_again(
    qtbot, direct: Store, proxy: PgProxy
) -> None:
    """The clinician adds another earlier chart while the server is away: its view says it
    could not be read (nothing drawn, nothing raised). Once the server is back, showing the
    view again reads it, and it is no longer "could not be read"."""
    from tests.ui import overlay_helpers as oh

    who = default_practitioner(direct).id
    course = oh.course(direct, who, touch_up=True)
    spring = oh.spring_plan(direct, course, who)
    room = open_store(proxy.url(PG_URL or ""), migrate=False)
    ed = h.shown_editor(qtbot, room, course.today_visit_id, who)
    try:
        ed.session.wait_faces()
        ctrl = ed.overlay.ctrl
        qtbot.waitUntil(lambda: ctrl.started, timeout=10000)
        (added,) = [s for s in ctrl.available if s.visit_id == spring.visit_id]
        proxy.unplug()
        ctrl.set_chosen([*ctrl.chosen, added])
        qtbot.waitUntil(lambda: not ctrl.reading, timeout=20000)  # read on the worker
        state = ctrl.state(added, "frown")
        assert state is not None and state.message.startswith("could not be read")
        proxy.plug()
        ed.show_view("smile")
        ed.show_view("frown")
        qtbot.waitUntil(lambda: not ctrl.reading, timeout=20000)
        state = ctrl.state(added, "frown")
        assert state is not None and not state.message.startswith("could not be read")
        assert state.earlier is not None and state.earlier.source.visit_id == spring.visit_id
    finally:
        ed.session.journal.timer.stop()
        ed.close()
        room.dispose()


def test_closing_the_editor_while_its_lookup_waits_on_a_silent_server_is_at_once(
    qtbot, direct: Store, proxy: PgProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The link to the clinic server goes quiet as a touch-up's chart opens: the overlay's
    lookup waits in the driver for an answer that never comes. Closing the editor does not
    wait for it (it froze the screen until the read failed); the read ends when the link does,
    its outcome dropped, its thread joined, and nothing escapes into the event loop."""
    import threading
    import time

    from tests.ui import overlay_helpers as oh
    from ui.common.worker import threads_left

    who = default_practitioner(direct).id
    course = oh.course(direct, who, touch_up=True)
    room = open_store(proxy.url(PG_URL or ""), migrate=False)
    ed = ChartEditor(room, course.today_visit_id, who)
    qtbot.addWidget(ed)
    ed.session.wait_faces()
    ed.session.journal.timer.stop()
    proxy.silence()
    ed.resize(1366, 768)
    ed.show()
    ctrl = ed.overlay.ctrl
    qtbot.waitUntil(lambda: ctrl._lookup.busy, timeout=5000)  # started after the first paint
    qtbot.wait(300)  # inside the driver, waiting
    assert not ctrl.started
    ends = threading.Timer(8.0, proxy.unplug)  # a close that waits fails here, never hangs
    ends.start()
    t0 = time.monotonic()
    ed.close()
    took = time.monotonic() - t0
    ends.cancel()
    assert took < 3.0  # it waited out the 5 s connect timeout before; a close is a few ms
    proxy.unplug()  # the link ends: the read fails, on its own
    qtbot.waitUntil(lambda: threads_left() == 0, timeout=15000)
    assert not ctrl.started
    room.dispose()
