"""The compare / manual-alignment screen, driven by synthesized fingers, mouse and wheel.

Real SQLite store, two stored astronaut photos (the earlier one 3072 px, larger than its
2560-px display image, so screen, display and original pixels all differ); expected mappings
come from the known similarity that made today's photo. Alignment runs the real face models.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent, QTabletEvent, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.alignment import align_images
from app.alignment.mapping import (
    NoMapping,
    SimilarityMapping,
    mapping_from_dict,
    similarity_params,
)
from app.services import patients, photos
from app.services.alignment import align_photos
from app.services.photos import PhotoRecord
from app.store.database import Store
from tests.app.alignment.faces import astronaut, jpeg, similarity, warp
from tests.ui.editor_helpers import PEN, proximity, touch_device
from tests.ui.helpers import signed_in
from ui.app import application
from ui.common.context import AppContext
from ui.editor.input import PEN_GRACE_MS
from ui.overlay.compare_screen import CompareScreen
from ui.overlay.photo_pane import PhotoPane

SIZE = (1366, 768)
TRUTH = similarity(0.92, 5.0, (150.0, -90.0), (1536.0, 1536.0))  # earlier → today, original px


@dataclass
class Pair:
    ctx: AppContext
    earlier: PhotoRecord
    today: PhotoRecord
    face: np.ndarray


@pytest.fixture
def pair(sqlite_store: Store) -> Pair:
    face = astronaut(6.0)  # 3072 px
    # The earlier photo with red and blue swapped: the same face, told apart by colour.
    earlier_rgb = np.ascontiguousarray(face[..., ::-1])
    patient = patients.create_patient(sqlite_store, "Ada", "Lovelace", date(1980, 1, 2))
    earlier = photos.add_photo_bytes(sqlite_store, patient.id, "rest", jpeg(earlier_rgb))
    today = photos.add_photo_bytes(sqlite_store, patient.id, "rest", jpeg(warp(face, TRUTH)))
    return Pair(signed_in(sqlite_store), earlier, today, face)


def open_screen(qtbot: QtBot, pair: Pair, mapping, text: str = "") -> CompareScreen:  # type: ignore[no-untyped-def]
    application()  # the real style sheet, so sizes are the real ones
    screen = CompareScreen(pair.ctx, pair.earlier, pair.today, mapping, confidence_text=text)
    qtbot.addWidget(screen)
    screen.resize(*SIZE)
    screen.show()
    qtbot.waitExposed(screen)
    qtbot.waitUntil(lambda: screen.ready, timeout=10000)  # the photos are read on a worker
    qtbot.wait(30)  # the first touch right after showing is lost unless events ran once
    return screen


def set_mode(qtbot: QtBot, screen: CompareScreen, mode: str) -> None:
    screen.set_mode(mode)
    qtbot.wait(30)  # the panes take their new sizes: touch positions depend on them


def wait_sharp(qtbot: QtBot, screen: CompareScreen) -> None:
    """Until the overlay is today's mapping, at full sharpness (the quick frame comes first)."""
    qtbot.waitUntil(
        lambda: (
            screen.edit.up_to_date
            and screen.today_pane.overlay is not None
            and screen.today_pane.overlay.width() == screen.edit.warper.frame[0]
        ),
        timeout=20000,
    )


def mapped(mapping, pts) -> np.ndarray:  # type: ignore[no-untyped-def]
    return np.asarray(mapping.map_points(np.asarray(pts, float)))


PROBES = [[900.0, 700.0], [1500.0, 1200.0], [2200.0, 2400.0]]
SUIT = [600.0, 1800.0]  # on the orange suit (blue in the earlier, swapped copy)


# -- synthesized input ------------------------------------------------------------------------


def bring(pane: QWidget, at: QPoint) -> None:
    """Move the window so `at` (pane pixels) is mid-screen: the offscreen platform's screen
    is 800 px and drops touches outside it, and the window is 1366 px wide."""
    win = pane.window()
    screen = win.screen().geometry().center()
    win.move(win.pos() + screen - pane.mapToGlobal(at))
    QApplication.processEvents()
    assert (pane.mapToGlobal(at) - screen).manhattanLength() < 16  # give or take a frame


def drag(pane: PhotoPane, start: QPoint, end: QPoint, steps: int = 8) -> None:
    bring(pane, (start + end) / 2)
    dev = touch_device()
    QTest.touchEvent(pane, dev).press(0, start, pane).commit()
    for i in range(1, steps + 1):
        QTest.touchEvent(pane, dev).move(0, start + (end - start) * (i / steps), pane).commit()
    QTest.touchEvent(pane, dev).release(0, end, pane).commit()


def two_fingers(pane: PhotoPane, centre: QPoint, r0: float, r1: float, turn_deg: float) -> None:
    """Fingers opposite each other about `centre`, spreading from 2·r0 to 2·r1 and turning."""
    dev = touch_device()

    def at(r: float, deg: float) -> tuple[QPoint, QPoint]:
        off = QPointF(r * math.cos(math.radians(deg)), r * math.sin(math.radians(deg)))
        return (QPointF(centre) - off).toPoint(), (QPointF(centre) + off).toPoint()

    bring(pane, centre)
    a, b = at(r0, 0.0)
    QTest.touchEvent(pane, dev).press(0, a, pane).press(1, b, pane).commit()
    for i in range(1, 9):
        a, b = at(r0 + (r1 - r0) * i / 8, turn_deg * i / 8)
        QTest.touchEvent(pane, dev).move(0, a, pane).move(1, b, pane).commit()
    QTest.touchEvent(pane, dev).release(0, a, pane).release(1, b, pane).commit()


def tap(pane: QWidget, at: QPoint) -> None:
    """A one-finger tap on a photo or a button."""
    bring(pane, at)
    dev = touch_device()
    QTest.touchEvent(pane, dev).press(0, at, pane).commit()
    QTest.touchEvent(pane, dev).release(0, at, pane).commit()


def pen_tap(pane: PhotoPane, at: QPointF) -> None:
    """A pen touching down and lifting at a sub-pixel position, with pressure."""
    tip = Qt.MouseButton.LeftButton
    for kind, pressure, held in (
        (QEvent.Type.TabletPress, 0.5, tip),
        (QEvent.Type.TabletRelease, 0.0, Qt.MouseButton.NoButton),
    ):
        ev = QTabletEvent(
            kind, PEN, at, QPointF(pane.mapToGlobal(at.toPoint())), pressure, 0, 0, 0, 0, 0,
            Qt.KeyboardModifier.NoModifier, tip, held,
        )  # fmt: skip
        QApplication.sendEvent(pane, ev)


def mouse(pane: PhotoPane, kind: QEvent.Type, at: QPoint, held: bool) -> None:
    left = Qt.MouseButton.LeftButton
    ev = QMouseEvent(
        kind, QPointF(at), QPointF(pane.mapToGlobal(at)), left,
        left if held else Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    QApplication.sendEvent(pane, ev)


def wheel(pane: PhotoPane, at: QPoint, notches: int, shift: bool = False) -> None:
    mods = Qt.KeyboardModifier.ShiftModifier if shift else Qt.KeyboardModifier.NoModifier
    ev = QWheelEvent(
        QPointF(at), QPointF(pane.mapToGlobal(at)), QPoint(), QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton, mods, Qt.ScrollPhase.NoScrollPhase, False,
    )  # fmt: skip
    QApplication.sendEvent(pane, ev)


def colour(pane: PhotoPane, at: QPointF) -> tuple[int, int, int]:
    image = pane.grab().toImage()
    ratio = image.devicePixelRatio()
    c = image.pixelColor(round(at.x() * ratio), round(at.y() * ratio))
    return c.red(), c.green(), c.blue()


# -- adjust -----------------------------------------------------------------------------------


def test_finger_drag_moves_the_mapping_in_original_pixels(qtbot: QtBot, pair: Pair) -> None:
    start = SimilarityMapping(TRUTH)
    screen = open_screen(qtbot, pair, start, "good")
    set_mode(qtbot, screen, "adjust")
    pane = screen.today_pane
    k = pane.transform().m11()  # widget px per original px
    assert k < 0.5  # the screen is much smaller than the photo: the test would catch a mix-up
    c = pane.rect().center()
    drag(pane, c, c + QPoint(60, -40))

    got = mapped(screen.mapping, PROBES)
    want = mapped(start, PROBES) + np.array([60, -40]) / k
    assert np.abs(got - want).max() < 1.0
    assert screen.mapping.method == "manual"
    assert screen.tools.undo.isEnabled()


def test_zoomed_in_the_same_drag_moves_the_photo_less(qtbot: QtBot, pair: Pair) -> None:
    start = SimilarityMapping(TRUTH)
    screen = open_screen(qtbot, pair, start, "good")
    set_mode(qtbot, screen, "adjust")
    pane = screen.today_pane
    k = pane.transform().m11()
    tap(screen.tools.zoom_in, screen.tools.zoom_in.rect().center())
    assert pane.transform().m11() == pytest.approx(1.5 * k)
    assert screen.mapping is start  # zooming is looking, not aligning
    c = pane.rect().center()
    drag(pane, c, c + QPoint(45, 0))
    want = mapped(start, PROBES) + np.array([45, 0]) / (1.5 * k)
    assert np.abs(mapped(screen.mapping, PROBES) - want).max() < 1.0


def test_pinch_scales_and_turns_about_the_fingers(qtbot: QtBot, pair: Pair) -> None:
    start = SimilarityMapping(TRUTH)
    screen = open_screen(qtbot, pair, start, "good")
    set_mode(qtbot, screen, "adjust")
    pane = screen.today_pane
    centre = pane.rect().center() + QPoint(30, -20)
    two_fingers(pane, centre, 80, 120, 12.0)

    before = similarity_params(start.matrix)
    after = similarity_params(screen.mapping.matrix)
    assert after["scale"] / before["scale"] == pytest.approx(1.5, abs=0.01)
    assert after["rotation_deg"] - before["rotation_deg"] == pytest.approx(12.0, abs=0.5)
    # The photo point under the fingers' centre stays under it.
    under = pane.to_photo(QPointF(centre))
    old = np.linalg.solve(start.matrix[:, :2], [under.x(), under.y()] - start.matrix[:, 2])
    assert np.hypot(*(mapped(screen.mapping, [old])[0] - (under.x(), under.y()))) < 3.0


def test_mouse_drag_wheel_and_shift_wheel(qtbot: QtBot, pair: Pair) -> None:
    start = SimilarityMapping(TRUTH)
    screen = open_screen(qtbot, pair, start, "good")
    set_mode(qtbot, screen, "adjust")
    pane = screen.today_pane
    k = pane.transform().m11()
    c = pane.rect().center()
    mouse(pane, QEvent.Type.MouseButtonPress, c, True)
    for i in range(1, 6):
        mouse(pane, QEvent.Type.MouseMove, c + QPoint(-10 * i, 6 * i), True)
    mouse(pane, QEvent.Type.MouseButtonRelease, c + QPoint(-50, 30), False)
    want = mapped(start, PROBES) + np.array([-50, 30]) / k
    assert np.abs(mapped(screen.mapping, PROBES) - want).max() < 1.0

    moved = similarity_params(screen.mapping.matrix)
    wheel(pane, c, 2)
    scaled = similarity_params(screen.mapping.matrix)
    assert scaled["scale"] / moved["scale"] == pytest.approx(1.02**2, rel=1e-6)
    wheel(pane, c, 3, shift=True)
    turned = similarity_params(screen.mapping.matrix)
    assert turned["rotation_deg"] - scaled["rotation_deg"] == pytest.approx(3.0, abs=1e-6)

    tap(screen.tools.undo, screen.tools.undo.rect().center())  # one wheel event, one step
    assert similarity_params(screen.mapping.matrix)["rotation_deg"] == pytest.approx(
        scaled["rotation_deg"]
    )
    tap(screen.tools.reset, screen.tools.reset.rect().center())
    assert screen.mapping is screen.edit.automatic
    assert not screen.tools.reset.isEnabled()
    tap(screen.tools.undo, screen.tools.undo.rect().center())  # Reset is a step too
    assert similarity_params(screen.mapping.matrix)["scale"] == pytest.approx(scaled["scale"])


def test_overlay_follows_the_fingers_before_its_redraw_arrives(qtbot: QtBot, pair: Pair) -> None:
    screen = open_screen(qtbot, pair, SimilarityMapping(TRUTH), "good")
    set_mode(qtbot, screen, "adjust")
    screen.tools.opacity.setValue(90)
    wait_sharp(qtbot, screen)
    pane = screen.today_pane
    k = pane.transform().m11()
    c = pane.rect().center()
    grid = [c + QPoint(dx, dy) for dx in (-120, -40, 40, 120) for dy in (-150, -50, 50, 150)]
    before = np.array([colour(pane, QPointF(q)) for q in grid], float)
    held: list[tuple[int, object]] = []
    warper = screen.edit.warper
    warper.request = lambda g, m: held.append((g, m))  # the redraw waits until released below
    drag(pane, c, c + QPoint(60, -40))
    assert held and not screen.edit.up_to_date
    assert pane.overlay_extra[:, 2] == pytest.approx(np.array([60, -40]) / k, abs=1e-6)
    preview = np.array([colour(pane, QPointF(q)) for q in grid], float)

    type(warper).request(warper, *held[-1])  # the redraw runs, as it would have
    wait_sharp(qtbot, screen)
    assert np.abs(pane.overlay_extra - np.eye(2, 3)).max() < 1e-9  # nothing left to make up
    after = np.array([colour(pane, QPointF(q)) for q in grid], float)
    assert np.abs(after - before).mean() > 15  # the drag moved what is seen
    assert np.abs(after - preview).mean() < 6  # and the preview had it right already


def test_a_tap_does_not_move_the_overlay(qtbot: QtBot, pair: Pair) -> None:
    start = SimilarityMapping(TRUTH)
    screen = open_screen(qtbot, pair, start)
    set_mode(qtbot, screen, "adjust")
    tap(screen.today_pane, screen.today_pane.rect().center())
    assert screen.mapping is start
    assert not screen.edit.history


def test_could_not_align_starts_fitted_in_adjust_mode(qtbot: QtBot, pair: Pair) -> None:
    screen = open_screen(qtbot, pair, NoMapping("no face"))
    assert screen.mode == "adjust"
    assert "could not align" in screen.confidence.text()
    # The earlier photo's corners land on today's frame (both 3072 px square here).
    corners = mapped(screen.mapping, [[0, 0], [3072, 3072]])
    assert np.abs(corners - [[0, 0], [3072, 3072]]).max() < 1e-6
    wait_sharp(qtbot, screen)


# -- match points -----------------------------------------------------------------------------


def test_three_tapped_pairs_align_the_eyes(qtbot: QtBot, pair: Pair) -> None:
    mesh = align_images(pair.face, pair.face)  # the real face models: where the eyes are
    assert mesh.old_points is not None, mesh.message
    pts = mesh.old_points
    earlier = [pts[[33, 133]].mean(0), pts[[362, 263]].mean(0), pts[1]]  # eyes, nose tip
    today = mapped(SimilarityMapping(TRUTH), earlier)
    screen = open_screen(qtbot, pair, NoMapping("no face"))
    set_mode(qtbot, screen, "match")
    # Zoomed in on the eyes, as a clinician would before tapping a pupil.
    middle = np.mean(earlier, axis=0) / 3072
    screen.view.set(2.0, middle[0], middle[1])
    assert "earlier photo" in screen.tools.match_hint.text()
    assert screen.earlier_pane.highlight and not screen.today_pane.highlight
    tap(screen.today_pane, screen.today_pane.rect().center())  # not its turn: ignored
    assert screen.points.today == []

    for e, t in zip(earlier, today, strict=True):
        tap(screen.earlier_pane, screen.earlier_pane.to_widget(QPointF(*e)).toPoint())
        assert "today's photo" in screen.tools.match_hint.text()
        tap(screen.today_pane, screen.today_pane.to_widget(QPointF(*t)).toPoint())
    assert len(screen.earlier_pane.markers) == len(screen.today_pane.markers) == 3
    assert screen.tools.use_points.isEnabled()
    qtbot.mouseClick(screen.tools.use_points, Qt.MouseButton.LeftButton)

    assert screen.mode == "adjust"
    assert screen.mapping.method == "manual"
    err = np.hypot(*(mapped(screen.mapping, earlier[:2]) - today[:2]).T)
    assert err.max() < 4.0, err  # a finger lands on whole screen pixels: ~1.5 photo px each


def test_pen_taps_place_points_where_the_tip_is(qtbot: QtBot, pair: Pair) -> None:
    screen = open_screen(qtbot, pair, NoMapping("no face"))
    set_mode(qtbot, screen, "match")
    earlier = [[1000.25, 900.5], [1700.75, 950.25]]
    today = mapped(SimilarityMapping(TRUTH), earlier)
    for e, t in zip(earlier, today, strict=True):
        pen_tap(screen.earlier_pane, screen.earlier_pane.to_widget(QPointF(*e)))
        pen_tap(screen.today_pane, screen.today_pane.to_widget(QPointF(*t)))
    assert np.asarray(screen.points.earlier) == pytest.approx(np.asarray(earlier), abs=1e-3)
    tap(screen.tools.use_points, screen.tools.use_points.rect().center())
    assert (
        np.abs(mapped(screen.mapping, PROBES) - mapped(SimilarityMapping(TRUTH), PROBES)).max()
        < 0.05
    )


def test_a_hand_resting_while_the_pen_is_near_moves_nothing(qtbot: QtBot, pair: Pair) -> None:
    start = SimilarityMapping(TRUTH)
    screen = open_screen(qtbot, pair, start)
    set_mode(qtbot, screen, "adjust")
    pane = screen.today_pane
    c = pane.rect().center()
    proximity(pane, True)
    drag(pane, c, c + QPoint(80, 30))
    assert screen.mapping is start
    proximity(pane, False)
    qtbot.wait(round(PEN_GRACE_MS) + 100)
    drag(pane, c, c + QPoint(80, 30))
    assert screen.mapping is not start  # the pen has gone: fingers move the photo again


# -- compare ----------------------------------------------------------------------------------


def test_side_by_side_pans_and_zooms_both(qtbot: QtBot, pair: Pair) -> None:
    screen = open_screen(qtbot, pair, SimilarityMapping(TRUTH), "good")
    assert screen.mode == "side"
    left, right = screen.earlier_pane, screen.today_pane
    c = right.rect().center()
    two_fingers(right, c, 60, 120, 0.0)
    assert screen.view.zoom == pytest.approx(2.0, rel=0.02)
    drag(left, left.rect().center(), left.rect().center() + QPoint(80, 0))
    assert left.transform() == right.transform()  # same photo size: the same view exactly
    assert screen.view.zoom == pytest.approx(2.0, rel=0.02)
    wheel(left, left.rect().center(), -10)
    assert screen.view.zoom == 1.0
    assert screen.mapping is screen.edit.automatic  # looking around never changes the alignment


def test_wipe_divider_drag_reveals_the_earlier_photo(qtbot: QtBot, pair: Pair) -> None:
    screen = open_screen(qtbot, pair, SimilarityMapping(TRUTH), "good")
    set_mode(qtbot, screen, "wipe")
    wait_sharp(qtbot, screen)
    pane = screen.today_pane
    r, _g, b = pair.face[round(SUIT[1]), round(SUIT[0])]
    assert r > b + 100  # the probe is on the orange suit
    # The suit, right of the divider: today's colours (orange: red > blue).
    probe = pane.to_widget(QPointF(*mapped(SimilarityMapping(TRUTH), [SUIT])[0]))
    pane.divider = 0.2
    pane.update()
    r, _g, b = colour(pane, probe)
    assert r > b + 60  # today: the suit is orange
    mid = QPoint(round(pane.divider_x()), pane.height() // 2)
    drag(pane, mid, QPoint(round(pane.width() * 0.75), pane.height() // 2))
    assert pane.divider == pytest.approx(0.75, abs=0.01)
    r, _g, b = colour(pane, probe)
    assert b > r + 60  # earlier (red and blue swapped): the same suit, now blue
    assert screen.mapping is screen.edit.automatic


def test_blink_alternates_pauses_and_holds(qtbot: QtBot, pair: Pair) -> None:
    screen = open_screen(qtbot, pair, SimilarityMapping(TRUTH), "good")
    set_mode(qtbot, screen, "blink")
    wait_sharp(qtbot, screen)
    pane = screen.today_pane
    probe = pane.to_widget(QPointF(*mapped(SimilarityMapping(TRUTH), [SUIT])[0]))
    seen: list[str] = []

    def both_seen() -> bool:
        r, _g, b = colour(pane, probe)
        seen.append("today" if r > b else "earlier")
        return "today" in seen and "earlier" in seen and seen[-1] != seen[0]

    qtbot.waitUntil(both_seen, timeout=3000)
    qtbot.mouseClick(screen.tools.pause, Qt.MouseButton.LeftButton)
    assert not screen.blink.timer.isActive()
    state = screen.tools.blink_state.text()
    paused_on_earlier = state.startswith("Earlier")
    qtbot.wait(800)
    assert screen.tools.blink_state.text() == state
    r, _g, b = colour(pane, probe)
    assert (b > r) == paused_on_earlier  # the label says what the photo shows
    qtbot.mousePress(screen.tools.hold, Qt.MouseButton.LeftButton)
    r, _g, b = colour(pane, probe)
    assert b > r  # held: the earlier photo
    qtbot.mouseRelease(screen.tools.hold, Qt.MouseButton.LeftButton)
    r, _g, b = colour(pane, probe)
    assert (b > r) == paused_on_earlier  # let go: back to where it was paused
    qtbot.mouseClick(screen.tools.pause, Qt.MouseButton.LeftButton)
    assert screen.blink.timer.isActive() and screen.tools.pause.text() == "Pause"


# -- leaving ----------------------------------------------------------------------------------


def test_accept_emits_a_mapping_that_round_trips(qtbot: QtBot, pair: Pair) -> None:
    result = align_photos(pair.ctx.store, pair.earlier, pair.today)
    assert result.method == "mesh", result.message  # really aligned: the face models ran
    screen = open_screen(qtbot, pair, result.mapping, result.words)
    assert result.words in screen.confidence.text()
    set_mode(qtbot, screen, "adjust")
    c = screen.today_pane.rect().center()
    drag(screen.today_pane, c, c + QPoint(12, 8))
    events: list[object] = []
    screen.mapping_accepted.connect(lambda m: events.append(m))
    screen.closed.connect(lambda: events.append("closed"))
    qtbot.mouseClick(screen.accept_button, Qt.MouseButton.LeftButton)

    assert len(events) == 2 and events[1] == "closed"
    accepted = events[0]
    assert accepted.method == "corrected"  # the mesh kept, the nudge after it
    saved = accepted.to_dict()
    again = mapping_from_dict(saved)
    assert again.to_dict() == saved
    assert np.abs(mapped(again, PROBES) - mapped(accepted, PROBES)).max() < 1e-6


def test_cancel_emits_only_closed(qtbot: QtBot, pair: Pair) -> None:
    screen = open_screen(qtbot, pair, SimilarityMapping(TRUTH), "good")
    set_mode(qtbot, screen, "adjust")
    c = screen.today_pane.rect().center()
    drag(screen.today_pane, c, c + QPoint(30, 0))
    events: list[object] = []
    screen.mapping_accepted.connect(lambda m: events.append(m))
    screen.closed.connect(lambda: events.append("closed"))
    qtbot.keyClick(screen, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo the drag
    assert screen.mapping is screen.edit.automatic
    qtbot.mouseClick(screen.cancel_button, Qt.MouseButton.LeftButton)
    assert events == ["closed"]


def test_escape_cancels(qtbot: QtBot, pair: Pair) -> None:
    screen = open_screen(qtbot, pair, SimilarityMapping(TRUTH), "good")
    events: list[object] = []
    screen.mapping_accepted.connect(lambda m: events.append(m))
    screen.closed.connect(lambda: events.append("closed"))
    qtbot.keyClick(screen, Qt.Key.Key_Escape)
    assert events == ["closed"]


def test_patient_and_touch_sizes(qtbot: QtBot, pair: Pair) -> None:
    screen = open_screen(qtbot, pair, SimilarityMapping(TRUTH), "good")
    assert screen.banner.name.text() == "Ada Lovelace"
    assert "1980" in screen.banner.dob.text()
    buttons = [*screen.modes.buttons.values(), screen.accept_button, screen.cancel_button]
    buttons += [screen.tools.undo, screen.tools.reset, screen.tools.pause, screen.tools.hold]
    for b in buttons:
        assert b.minimumHeight() >= 48, b.text()


def test_photos_of_two_patients_are_never_compared(qtbot: QtBot, pair: Pair) -> None:
    store = pair.ctx.store
    other = patients.create_patient(store, "Grace", "Hopper", date(1976, 12, 9))
    theirs = photos.add_photo_bytes(store, other.id, "rest", jpeg(astronaut(1.0)))
    with pytest.raises(ValueError, match="different patients"):
        CompareScreen(pair.ctx, theirs, pair.today, SimilarityMapping(TRUTH))


def test_the_redraw_worker_touches_no_qt_and_its_frames_arrive_on_the_ui_thread(
    qtbot: QtBot, pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Frames are drawn on a worker thread but become images and signals on the UI thread only
    (a Qt object made or a signal emitted on a Python worker is what crashed PySide6 here)."""
    import threading

    from PySide6.QtCore import QThread

    from ui.overlay import compare_photos

    made_on: list[threading.Thread] = []
    real = compare_photos.qimage
    monkeypatch.setattr(
        compare_photos,
        "qimage",
        lambda rgb: (made_on.append(threading.current_thread()), real(rgb))[1],
    )
    screen = open_screen(qtbot, pair, SimilarityMapping(TRUTH), "good")
    emitted_on: list[bool] = []
    screen.edit.warper.ready.connect(
        lambda *_a: emitted_on.append(QThread.currentThread() == QApplication.instance().thread()),
        Qt.ConnectionType.DirectConnection,
    )
    screen.edit.warper.request(1, SimilarityMapping(TRUTH))
    qtbot.waitUntil(lambda: len(emitted_on) >= 2, timeout=20000)  # quick, then sharp
    assert all(emitted_on)
    assert made_on and all(t is threading.main_thread() for t in made_on)
    qtbot.waitUntil(lambda: not screen.edit.warper.busy, timeout=5000)


def test_a_finger_tap_on_the_opacity_track_sets_it_there(qtbot: QtBot, pair: Pair) -> None:
    """As in the editor's panel: a tap at a fifth of the track means about a fifth, not one
    page step towards it (a finger cannot aim at the thumb to drag it)."""
    screen = open_screen(qtbot, pair, SimilarityMapping(TRUTH), "good")
    set_mode(qtbot, screen, "adjust")
    slider = screen.tools.opacity
    assert slider.isVisible() and slider.height() >= 48
    win = slider.window()
    at = slider.mapTo(win, QPoint(round(22 + (slider.width() - 44) * 0.2), slider.height() // 2))
    tap(win, at)
    qtbot.wait(30)
    low, high = slider.minimum(), slider.maximum()
    assert slider.value() == pytest.approx(low + 0.2 * (high - low), abs=2)
    assert screen.today_pane.opacity == pytest.approx(slider.value() / 100)


def test_the_photos_are_named_by_their_visits_dates_not_the_cameras_clock(
    qtbot: QtBot, sqlite_store: Store
) -> None:
    from datetime import UTC, datetime

    from app.services import visits
    from app.services.practitioners import default_practitioner

    face = astronaut(2.0)
    who = default_practitioner(sqlite_store).id
    patient = patients.create_patient(sqlite_store, "Ada", "Lovelace", date(1980, 1, 2))
    first = visits.start_visit(sqlite_store, patient.id, who, "neurotoxin", date(2026, 9, 1))
    second = visits.start_visit(sqlite_store, patient.id, who, "neurotoxin", date(2026, 11, 20))
    wrong_clock = datetime(2012, 12, 6, 10, 0, tzinfo=UTC)  # a camera never set
    earlier = photos.add_photo_bytes(
        sqlite_store, patient.id, "rest", jpeg(face), visit_id=first.id, captured_at=wrong_clock
    )
    today = photos.add_photo_bytes(
        sqlite_store, patient.id, "rest", jpeg(warp(face, TRUTH)), visit_id=second.id
    )
    pair = Pair(signed_in(sqlite_store), earlier, today, face)
    screen = open_screen(qtbot, pair, NoMapping("test"))
    assert screen.earlier_caption == "Earlier · 1 Sep 2026"
    assert screen.today_caption == "Today · 20 Nov 2026"
    assert screen.earlier_pane.caption == "Earlier · 1 Sep 2026"


def test_the_earlier_photo_is_faint_where_the_warp_only_extrapolates(
    qtbot: QtBot, pair: Pair
) -> None:
    """Ears, hair and background smear under a mesh mapping: shown faint, the face whole."""
    result = align_photos(pair.ctx.store, pair.earlier, pair.today)
    assert result.method == "mesh", result.message
    screen = open_screen(qtbot, pair, result.mapping, result.words)
    set_mode(qtbot, screen, "adjust")
    wait_sharp(qtbot, screen)
    assert screen.today_pane.overlay is not None
    overlay = screen.today_pane.overlay.toImage()
    fw, fh = screen.edit.warper.frame
    sx, sy = fw / pair.today.width, fh / pair.today.height
    # Earlier-photo pixels, as drawn over today's: between the eyes, and the backdrop by the
    # earlier photo's top-left corner (the flag and sky behind the astronaut).
    face, backdrop = mapped(result.mapping, [[1536.0, 1000.0], [250.0, 250.0]])

    def alpha(at: np.ndarray) -> int:
        return overlay.pixelColor(round(at[0] * sx), round(at[1] * sy)).alpha()

    assert alpha(face) == 255
    assert 0 < alpha(backdrop) <= 100
