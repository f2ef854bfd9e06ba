"""Starting without the clinic server, and the server going away under the running app (issue
#13, ADR 0027), on PostgreSQL through a TCP proxy the test unplugs: a plain waiting screen that
keeps trying and goes on to sign-in once the server answers (never a sign-in screen over a dead
connection); the patient list says the server cannot be reached, not "Something went wrong"."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import make_url

from app.services.demo import build_demo
from app.store.database import Store, open_store
from app.store.errors import ServerUnreachableError
from tests.conftest import PG_URL, reset_postgres
from tests.pg_proxy import PgProxy
from tests.ui.helpers import signed_in, tap
from ui import app as ui_app
from ui.app import build_window, install_error_hook, wait_for_server
from ui.signin import server_wait
from ui.signin.start import StartWindow

pytestmark = pytest.mark.skipif(not PG_URL, reason="FACECHART_TEST_PG names no server")


@pytest.fixture
def proxy() -> Iterator[PgProxy]:
    assert PG_URL
    reset_postgres(PG_URL)
    open_store(PG_URL).dispose()  # the schema at this FaceChart's head, as server-init leaves it
    url = make_url(PG_URL)
    p = PgProxy((url.host or "127.0.0.1", url.port or 5432))
    p.plug()
    yield p
    p.unplug()


def test_start_without_the_server_waits_plainly_then_goes_on_to_sign_in(
    qtbot: QtBot, proxy: PgProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server_wait, "RETRY_S", 0.3)
    hook = sys.excepthook
    proxy.unplug()
    url = proxy.url(PG_URL or "")
    with pytest.raises(ServerUnreachableError):  # what run_app meets first
        ui_app.open_window(url)
    opened: list[Store | StartWindow] = []
    wait = wait_for_server(url, False, (1366, 768), opened)
    qtbot.addWidget(wait)
    try:
        assert wait.title.text() == f"The clinic server (127.0.0.1:{proxy.port}) cannot be reached"
        assert wait.try_again.isVisible() and wait.try_again.height() >= 48
        tap(qtbot, wait.try_again)
        qtbot.waitUntil(lambda: wait.tries >= 3, timeout=10000)  # and on its own
        qtbot.waitUntil(lambda: wait.try_again.isEnabled(), timeout=10000)
        assert wait.status.text().startswith("Still no answer")
        assert opened == [] and not any(
            isinstance(w, StartWindow) for w in QApplication.topLevelWidgets()
        )  # no sign-in screen over a dead connection
        proxy.plug()
        qtbot.waitUntil(lambda: len(opened) == 2, timeout=15000)
        store, start = opened
        assert isinstance(store, Store) and isinstance(start, StartWindow)
        assert start.isVisible() and not wait.isVisible()
        assert start.gate.isVisible()  # the sign-in (first admin) screen, on a live server
    finally:
        sys.excepthook = hook
        for item in opened:
            if isinstance(item, StartWindow):
                item.close()
            else:
                item.dispose()


def test_the_patient_list_says_the_server_cannot_be_reached(qtbot: QtBot, proxy: PgProxy) -> None:
    url = proxy.url(PG_URL or "")
    store = open_store(url, migrate=False)
    build_demo(store)
    window = build_window(signed_in(store))
    qtbot.addWidget(window)
    hook = sys.excepthook
    install_error_hook(lambda: window)
    try:
        window.resize(1366, 768)
        window.show()
        qtbot.waitExposed(window)
        proxy.unplug()
        window.patient_list.search.setText("Mart")
        window.patient_list.refresh()
        boxes = [b for b in window.findChildren(QMessageBox, "errorBox") if b.isVisible()]
        assert boxes, "no message at all"
        text = boxes[0].text()
        assert text.startswith(f"The clinic server (127.0.0.1:{proxy.port}) cannot be reached")
        assert "Something went wrong" not in text
    finally:
        sys.excepthook = hook
        window.close()
        store.dispose()
