"""Building a charted visit and driving the editor as a pen, fingers and a mouse would."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QInputDevice, QPointingDevice, QTabletEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.services import patients, photos, visits
from app.store.database import Store
from tests.images import face_image, jpeg_bytes

_CAPS = QInputDevice.Capability
PEN = QPointingDevice(
    "test pen",
    7001,
    QInputDevice.DeviceType.Stylus,
    QPointingDevice.PointerType.Pen,
    _CAPS.Position | _CAPS.Pressure,
    1,
    3,
)
PEN_ERASER = QPointingDevice(
    "test pen eraser",
    7002,
    QInputDevice.DeviceType.Stylus,
    QPointingDevice.PointerType.Eraser,
    _CAPS.Position | _CAPS.Pressure,
    1,
    3,
)
_TOUCH: QPointingDevice | None = None


def touch_device() -> QPointingDevice:
    global _TOUCH
    if _TOUCH is None:
        _TOUCH = QTest.createTouchDevice()
    return _TOUCH


@dataclass
class Visit:
    patient_id: int
    visit_id: int
    frown_size: tuple[int, int]


def charted_visit(
    store: Store,
    practitioner_id: int,
    visit_date: date = date(2026, 11, 20),
    big: tuple[int, int] = (3000, 3750),
) -> Visit:
    """A patient with a toxin visit and two photos: a frown photo larger than the display
    image (so the canvas must scale) and a small smile photo."""
    p = patients.create_patient(store, "Ada", "Lovelace", date(1980, 12, 10))
    v = visits.start_visit(store, p.id, practitioner_id, "neurotoxin", visit_date)
    photos.add_photo_bytes(store, p.id, "frown", jpeg_bytes(face_image(*big)), visit_id=v.id)
    photos.add_photo_bytes(store, p.id, "smile", jpeg_bytes(face_image(640, 800, 3)), visit_id=v.id)
    return Visit(p.id, v.id, big)


def vp_of(canvas, scene_pt: QPointF) -> QPointF:  # type: ignore[no-untyped-def]
    """Sub-pixel viewport position of a photo position, as a pen would report it."""
    return canvas.viewportTransform().map(scene_pt)


def tablet(canvas, kind: QEvent.Type, vp: QPointF, pressure: float, device=PEN) -> None:  # type: ignore[no-untyped-def]
    button = Qt.MouseButton.LeftButton
    buttons = Qt.MouseButton.NoButton if kind == QEvent.Type.TabletRelease else button
    glob = QPointF(canvas.viewport().mapToGlobal(vp.toPoint()))
    ev = QTabletEvent(
        kind, device, vp, glob, pressure, 0, 0, 0, 0, 0,
        Qt.KeyboardModifier.NoModifier, button, buttons,
    )  # fmt: skip
    QApplication.sendEvent(canvas.viewport(), ev)


def pen_stroke(canvas, scene_pts: list[QPointF], pressures: list[float], device=PEN) -> None:  # type: ignore[no-untyped-def]
    tablet(canvas, QEvent.Type.TabletPress, vp_of(canvas, scene_pts[0]), pressures[0], device)
    for pt, p in zip(scene_pts[1:], pressures[1:], strict=True):
        tablet(canvas, QEvent.Type.TabletMove, vp_of(canvas, pt), p, device)
    tablet(canvas, QEvent.Type.TabletRelease, vp_of(canvas, scene_pts[-1]), 0.0, device)


def proximity(canvas, entering: bool) -> None:  # type: ignore[no-untyped-def]
    kind = QEvent.Type.TabletEnterProximity if entering else QEvent.Type.TabletLeaveProximity
    ev = QTabletEvent(
        kind, PEN, QPointF(), QPointF(), 0, 0, 0, 0, 0, 0,
        Qt.KeyboardModifier.NoModifier, Qt.MouseButton.NoButton, Qt.MouseButton.NoButton,
    )  # fmt: skip
    QApplication.sendEvent(QApplication.instance(), ev)


def finger_drag(canvas, start: QPoint, end: QPoint, steps: int = 8) -> None:  # type: ignore[no-untyped-def]
    vp = canvas.viewport()
    dev = touch_device()
    QTest.touchEvent(vp, dev).press(0, start, vp).commit()
    for i in range(1, steps + 1):
        p = start + (end - start) * (i / steps)
        QTest.touchEvent(vp, dev).move(0, p, vp).commit()
    QTest.touchEvent(vp, dev).release(0, end, vp).commit()


def finger_tap(canvas, at: QPoint) -> None:  # type: ignore[no-untyped-def]
    """A one-finger tap on a canvas, or on any widget (a button)."""
    vp = canvas.viewport() if hasattr(canvas, "viewport") else canvas
    QTest.touchEvent(vp, touch_device()).press(0, at, vp).commit()
    QTest.touchEvent(vp, touch_device()).release(0, at, vp).commit()


def pinch(canvas, centre: QPoint, d0: int, d1: int, steps: int = 6) -> None:  # type: ignore[no-untyped-def]
    vp = canvas.viewport()
    dev = touch_device()
    a, b = centre - QPoint(d0 // 2, 0), centre + QPoint(d0 // 2, 0)
    QTest.touchEvent(vp, dev).press(0, a, vp).press(1, b, vp).commit()
    for i in range(1, steps + 1):
        d = d0 + (d1 - d0) * i // steps
        a, b = centre - QPoint(d // 2, 0), centre + QPoint(d // 2, 0)
        QTest.touchEvent(vp, dev).move(0, a, vp).move(1, b, vp).commit()
    QTest.touchEvent(vp, dev).release(0, a, vp).release(1, b, vp).commit()


def save_and_wait(editor):  # type: ignore[no-untyped-def]
    """Tap Save's action and wait for the background save to end, as a user waits for the
    "Saved" banner: the new VersionInfo, or None when nothing was saved."""
    before = editor.session.version
    if not editor.save():
        return None
    editor.session.wait()
    after = editor.session.version
    return after if after is not before else None


def shown_editor(qtbot, store: Store, visit_id: int, who: int, version_id: int | None = None):  # type: ignore[no-untyped-def]
    """The chart editor of a visit as the shell shows it, on 1366×768, on the frown view."""
    from ui.editor.editor_window import ChartEditor

    ed = ChartEditor(store, visit_id, who, version_id)
    qtbot.addWidget(ed)
    ed.resize(1366, 768)
    ed.show()
    qtbot.waitExposed(ed)
    ed.show_view("frown")
    ed.canvas().fit()
    return ed
