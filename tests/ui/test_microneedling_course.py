"""A microneedling course in the editor (issue #14): the second session says "Session 2 of 3",
skips the contraindication check, shows the first session's areas over today's photo aligned
by the face, and carries them forward as today's plan, each depth then adjusted by a tap."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from PySide6.QtCore import QPointF

from app.domain.chart import ChartContent, ViewChart
from app.domain.microneedling import MicroneedlingSession, TreatedArea
from app.services import charts, patients, photos, visits
from app.services.practitioners import default_practitioner
from app.store.database import Store
from tests.app.alignment.faces import astronaut, jpeg, warp
from tests.app.conftest import models  # noqa: F401  (a missing model fails)
from tests.ui import editor_helpers as h
from tests.ui import overlay_helpers as oh
from tests.ui.editor_helpers import save_and_wait
from tests.ui.helpers import finger, scroll_to
from tests.ui.test_overlay import settled, tap
from ui.editor.editor_window import ChartEditor

pytestmark = pytest.mark.usefixtures("models")

# a cheek on the astronaut's face (1024-px photo), as session 1 charted it
CHEEK = ((360.0, 250.0), (420.0, 245.0), (430.0, 320.0), (365.0, 330.0))


@pytest.fixture
def course(sqlite_store: Store) -> Iterator[tuple[int, int, str, str]]:
    who = default_practitioner(sqlite_store).id
    p = patients.create_patient(sqlite_store, "Grace", "Hopper", date(1976, 12, 9))
    face = astronaut(2.0)
    first = visits.start_visit(sqlite_store, p.id, who, "microneedling", date(2026, 10, 1))
    old = photos.add_photo_bytes(sqlite_store, p.id, "front", jpeg(face), visit_id=first.id)
    cheek = TreatedArea(CHEEK, "Cheeks", Decimal("1.5"), 3, id="s1-cheek")
    content = ChartContent(
        views=(ViewChart("front", old.sha256, areas=(cheek,)),),
        microneedling=MicroneedlingSession(device="SkinPen", course_sessions=3),
    )
    v1 = charts.save_version(
        sqlite_store, first.id, content, parent_version_id=None, saved_by_id=who
    )
    today = visits.start_visit(sqlite_store, p.id, who, "microneedling", date(2026, 10, 29))
    photos.add_photo_bytes(
        sqlite_store, p.id, "front", jpeg(warp(face, oh.WARP)), visit_id=today.id
    )
    yield today.id, who, v1.content_hash, cheek.id


def test_the_second_session_overlays_the_first_and_carries_it_forward(
    qtbot, sqlite_store: Store, course
) -> None:  # type: ignore[no-untyped-def]
    today_id, who, first_hash, cheek_id = course
    ed = ChartEditor(sqlite_store, today_id, who)
    qtbot.addWidget(ed)
    ed.resize(1366, 768)
    ed.show()
    qtbot.waitExposed(ed)
    ed.show_view("front")
    ed.canvas().fit()
    try:
        t = ed.treatment
        assert t.course is not None and (t.course.number, t.course.planned) == (2, 3)
        assert t.course_text().startswith("Session 2 of 3 · last session 01 Oct 2026")
        assert "next due about 26 Nov 2026" in t.course_text()
        assert not t.session_page.contra.isVisibleTo(t.session_page)  # asked at session 1
        assert ed.widgets.panel_choice.value() == "areas"
        qtbot.waitUntil(lambda: settled(ed), timeout=30000)
        ((key, layer),) = list(ed.overlay.ctrl.layers.items())
        (ghost,) = layer.areas  # the first session's cheek, outlined on today's photo
        for (x, y), (gx, gy) in zip(CHEEK, ghost.area.polygon, strict=True):
            wx, wy = oh.warped(x, y)
            assert abs(gx - wx) < oh_near() and abs(gy - wy) < oh_near()
        ed.show_panel("earlier")
        tap(qtbot, ed.overlay.panel.carry_view)
        ((_v, area),) = list(ed.session.content.all_areas())
        assert area.origin is not None and area.origin.area_id == cheek_id
        assert area.origin.version_hash == first_hash and area.id != cheek_id
        assert area.depth_mm == Decimal("1.5") and area.passes == 3
        assert area.polygon == ghost.area.polygon  # where the outline was drawn
        # today's depth, adjusted on its sheet
        canvas = ed.canvas("front")
        cx = sum(x for x, _y in area.polygon) / 4
        cy = sum(y for _x, y in area.polygon) / 4
        ed.session.select(None)
        h.finger_tap(canvas, canvas.mapFromScene(QPointF(cx, cy)))
        sheet = t.sheet
        assert sheet.area is not None and sheet.area.id == area.id
        scroll_to(sheet.depth_choice.buttons["1.75"])
        finger(sheet.depth_choice.buttons["1.75"])
        info = save_and_wait(ed)
        assert info is not None
        saved = charts.load_version(sqlite_store, info.id).content
        ((_v, got),) = list(saved.all_areas())
        assert got.depth_mm == Decimal("1.75") and got.origin == area.origin
        front = saved.view("front")
        assert front is not None and [u.version_hash for u in front.overlays] == [first_hash]
    finally:
        ed.session.journal.timer.stop()
        ed.close()


def oh_near() -> float:
    return 4.0  # px: what the mesh mapping promises on this face (tests/ui/test_overlay.py)
