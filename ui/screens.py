"""The app's named screens (CONTRACTS.md `--screenshot FILE --screen NAME`): how to reach each
one on the demo clinic, the way a clinician would, and a picture of it at the window's size.

The names are listed in docs/screens.md. Each entry navigates a freshly built main window and
returns the dialog shown over it, if the screen is a dialog (a dialog is its own window: its
picture is drawn over the dimmed window, where a user sees it). The screen-walk test uses the
same entries at the three screen sizes, so the pictures in the docs and what is tested agree.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QWidget

from app.services import charts, patients, photos, signin, visits
from app.services.demo import demo_face
from app.services.visits import TimelineEntry
from ui.shell.main_window import MainWindow

if TYPE_CHECKING:
    from ui.editor.editor_window import ChartEditor

T = TypeVar("T", bound=QWidget)
Navigate = Callable[[MainWindow], QWidget | None]


class ScreenError(RuntimeError):
    """A named screen could not be reached (no such name, or the demo data lacks it)."""


def settle(until: Callable[[], bool] | None = None, timeout: float = 10.0) -> None:
    """Let layouts and background readers finish: a few event passes, or until `until()`."""
    deadline = time.monotonic() + timeout
    for _ in range(4):
        QApplication.processEvents()
    while until is not None and not until():
        if time.monotonic() > deadline:
            raise ScreenError("the screen did not finish opening in time")
        QApplication.processEvents()
        time.sleep(0.01)
    for _ in range(3):
        QApplication.processEvents()


def linger(seconds: float) -> None:
    """Run the event loop for a while: timers that follow a first paint fire."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.01)


def _demo_patient(window: MainWindow) -> int:
    """The demo's charted patient (Zoë Martin): the one with a charted visit and a touch-up."""
    found = patients.search_patients(window.ctx.store, "zoe martin").patients
    if not found:
        raise ScreenError("the database has no demo patient Zoë Martin")
    return found[0].id


def _timeline(window: MainWindow) -> list[TimelineEntry]:
    return visits.timeline(window.ctx.store, _demo_patient(window))


def _charted_visit(window: MainWindow) -> int:
    charted = [e for e in _timeline(window) if e.version_count]
    if not charted:
        raise ScreenError("the demo patient has no charted visit")
    return min(charted, key=lambda e: e.visit.visit_date).visit.id


def _touch_up_visit(window: MainWindow) -> int:
    later = [e for e in _timeline(window) if e.visit.touch_up_of_id is not None]
    if not later:
        raise ScreenError("the demo patient has no touch-up visit")
    return later[0].visit.id


def _top(window: MainWindow) -> QWidget:
    return window.current_page()


def patients_screen(window: MainWindow) -> None:
    window.go_home()


def new_patient(window: MainWindow) -> None:
    window.go_home()
    window.new_patient()


def birth_date(window: MainWindow) -> QWidget | None:
    """The date-of-birth picker at its fullest level: the 31 days of a month."""
    from PySide6.QtWidgets import QPushButton

    from ui.shell.patient_form import PatientFormPage

    new_patient(window)
    form = window.current_page()
    if not isinstance(form, PatientFormPage):
        raise ScreenError("the new-patient form did not open")
    dialog = form.dob.open_picker()
    for name in ("decade_1980", "year_1984", "month_3"):
        target = dialog.findChild(QPushButton, name)
        if target is None:
            raise ScreenError(f"the date picker offers no {name}")
        target.click()
    return dialog


def keyboard(window: MainWindow) -> None:
    """The new-patient form with FaceChart's touch keyboard up, as after a finger's tap on the
    given name (where the operating system brings no keyboard of its own)."""
    from ui.common.touch_keyboard import KeyboardController
    from ui.shell.patient_form import PatientFormPage

    new_patient(window)
    form = window.current_page()
    app = QApplication.instance()
    controller = app.findChild(KeyboardController) if app else None
    if not isinstance(form, PatientFormPage) or controller is None:
        raise ScreenError("no new-patient form or no touch keyboard")
    form.given.setFocus()
    controller.show_for(form.given)


def settings(window: MainWindow) -> None:
    """The clinic's settings: the soft warnings and the largest dose per point, scrolled to
    the latter."""
    window.go_home()
    window.open_settings()
    page = window.current_page()
    area = getattr(page, "area", None)
    card = getattr(page, "max_dose", None)
    if area is not None and card is not None:
        settle()
        area.ensureWidgetVisible(card)


def unsigned(window: MainWindow) -> None:
    """The charts waiting for the signed-in practitioner's signature or co-signature."""
    window.go_home()
    window.open_unsigned()


def due_list(window: MainWindow) -> None:
    """The follow-up list of the demo clinic, from the home screen's "Due"."""
    window.go_home()
    window.open_due()


def recall(window: MainWindow) -> None:
    """Lot recall of the demo clinic's most used lot, as typed at the desk."""
    from app.services import recall as recalling
    from ui.shell.recall_page import RecallPage

    window.go_home()
    window.open_recall()
    page = window.current_page()
    if not isinstance(page, RecallPage):
        raise ScreenError("the recall page did not open")
    lot = recalling.most_used_lot(window.ctx.store)
    if lot is None:
        raise ScreenError("no chart of the demo clinic names a lot")
    page.lot.setText(lot)
    page.look_up()


def patient(window: MainWindow) -> None:
    window.go_home()
    window.open_patient(_demo_patient(window))


def audit(window: MainWindow) -> None:
    """The audit trail of the demo patient ("Who opened this record"), after the patient,
    a visit and a photo were opened, as a clinician's morning leaves it."""
    visit(window)
    shown = photos.photos_for_visit(window.ctx.store, _charted_visit(window))
    if shown:
        window.open_photo(shown[0])
    window.go_home()
    window.open_audit(patient_id=_demo_patient(window))


def patient_history(window: MainWindow) -> QWidget | None:
    """The history of the demo patient's details over the patient page, after a correction
    of the family name and the date of birth (made on this window's database)."""
    from app.services import patient_history as history

    pid = _demo_patient(window)
    if not history.detail_history(window.ctx.store, pid):
        p = patients.get_patient(window.ctx.store, pid)
        patients.update_patient(
            window.ctx.store,
            pid,
            p.given_name,
            p.family_name + "-Leroy",
            p.date_of_birth,
            p.record_number,
            p.notes,
            reason="Name changed",
            actor_id=window.ctx.practitioner.id,
        )
        patients.update_patient(
            window.ctx.store,
            pid,
            p.given_name,
            p.family_name + "-Leroy",
            p.date_of_birth.replace(day=min(p.date_of_birth.day + 1, 28)),
            p.record_number,
            p.notes,
            reason="Wrong date of birth entered",
            actor_id=window.ctx.practitioner.id,
        )
    patient(window)
    show = getattr(window.current_page(), "show_history", None)
    if show is None:
        raise ScreenError("the patient page offers no details history")
    dialog: QWidget = show()
    return dialog


def patient_glance(window: MainWindow) -> QWidget | None:
    """The demo patient's toxin treatments at a glance: units per product and zone, the days
    between treatments."""
    patient(window)
    show = getattr(window.current_page(), "show_glance", None)
    if show is None:
        raise ScreenError("the patient page offers no glance")
    dialog: QWidget | None = show()
    _photos_in(dialog)
    return dialog


def _photos_in(dialog: QWidget | None) -> None:
    """The glance's row of photos filled in (they are aligned on a worker)."""
    strip = getattr(dialog, "photo_strip", None)
    if strip is not None:
        strip.wait()
        settle()


def course_glance(window: MainWindow) -> QWidget | None:
    """Lars Østergaard's glance: his microneedling course's needle depth per area at each
    session, and his front photos across the sessions, aligned to the newest."""
    _visit_id, patient_id = _microneedling_visit(window)
    window.go_home()
    window.open_patient(patient_id)
    show = getattr(window.current_page(), "show_glance", None)
    if show is None:
        raise ScreenError("the patient page offers no glance")
    dialog: QWidget | None = show()
    _photos_in(dialog)
    charts = getattr(dialog, "depth_charts", [])
    area = getattr(dialog, "scroll_area", None)
    if charts and area is not None:  # the course's chart whole, the photos' row above it
        area.ensureWidgetVisible(charts[0], 0, 0)
        settle()
    return dialog


def new_visit(window: MainWindow) -> QWidget | None:
    patient(window)
    page = window.current_page()
    ask = getattr(page, "ask_new_visit", None)
    if ask is None:
        raise ScreenError("the patient page offers no new visit")
    ask()
    settle()
    dialog: QWidget | None = getattr(page, "dialog", None)
    return dialog


def visit(window: MainWindow) -> None:
    patient(window)
    window.open_visit(_charted_visit(window))


def version(window: MainWindow) -> None:
    visit_id = _charted_visit(window)
    patient(window)
    window.open_visit(visit_id)
    oldest = charts.history(window.ctx.store, visit_id)[-1]
    window.open_version(visit_id, oldest.id)


def report_preview(window: MainWindow) -> None:
    from ui.shell.report_page import ReportPage

    visit(window)
    window.open_report(_charted_visit(window))
    page = window.current_page()
    if not isinstance(page, ReportPage):
        raise ScreenError("the report did not open")
    settle(lambda: not page.busy and bool(page.pages), timeout=30)


def photo(window: MainWindow) -> None:
    visit(window)
    shown = photos.photos_for_visit(window.ctx.store, _charted_visit(window))
    if not shown:
        raise ScreenError("the charted visit has no photo")
    window.open_photo(shown[0])


def capture(window: MainWindow) -> None:
    visit_id = _touch_up_visit(window)
    patient(window)
    window.open_visit(visit_id)
    window.open_capture(_demo_patient(window), visit_id)


def import_photos(window: MainWindow) -> QWidget | None:
    from ui.capture.capture_screen import CaptureScreen

    capture(window)
    screen = _hosted(window, CaptureScreen)
    folder = Path(tempfile.mkdtemp(prefix="facechart-screen-import-"))
    files = []
    for n, view in enumerate(("rest", "brow_raise", "smile")):
        path = folder / f"IMG_{2041 + n}.jpg"
        path.write_bytes(demo_face(view, 20 + n))
        files.append(path)
    dialog = screen.import_files(files)
    settle(lambda: dialog is None or not dialog.checking)  # files are checked on a worker
    return dialog


def import_browser(window: MainWindow) -> QWidget | None:
    """The import dialog's touch folder browser on a folder of demo photos, two of them
    selected, as after the capture screen's Import button."""
    from ui.capture.browse_data import RecentFolders
    from ui.capture.capture_screen import CaptureScreen

    capture(window)
    screen = _hosted(window, CaptureScreen)
    folder = Path(tempfile.mkdtemp(prefix="facechart-screen-browse-"))
    (folder / "Earlier visits").mkdir()
    for n, view in enumerate(("rest", "frown", "brow_raise", "smile", "rest")):
        (folder / f"IMG_{2041 + n}.jpg").write_bytes(demo_face(view, 20 + n))
    # a recent list of its own: a picture of the screen never reads or writes the user's
    recent = RecentFolders(folder / "recent-folders.json")
    recent.remember(folder / "Earlier visits")
    screen.recent_folders = recent
    dialog = screen.import_files([])
    if dialog is None:
        raise ScreenError("the import dialog did not open")
    browser = dialog.open_browser(folder)
    settle(lambda: not browser.loading)
    for item in list(browser.items.values())[:2]:
        browser.tap_item(item)
    return dialog


def _hosted(window: MainWindow, kind: type[T]) -> T:
    """The tool inside the hosted page on top (capture screen, chart editor)."""
    page = window.current_page()
    inner = getattr(page, "screen_widget", None)
    if not isinstance(inner, kind):
        raise ScreenError(f"the page on top is not a {kind.__name__}")
    return inner


def _open_editor(window: MainWindow, visit_id: int, patient_id: int | None = None) -> ChartEditor:
    from ui.editor.editor_window import ChartEditor

    if patient_id is None:
        patient(window)
    else:
        window.go_home()
        window.open_patient(patient_id)
    window.open_visit(visit_id)
    pages = window.stack.count()
    window.open_editor(visit_id)
    settle(lambda: window.stack.count() > pages)
    editor = _hosted(window, ChartEditor)
    linger(0.3)  # the sharper display image and the other views follow the first paint
    return editor


def editor(window: MainWindow) -> None:
    ed = _open_editor(window, _charted_visit(window))
    ed.show_view("frown")


def room_banner(window: MainWindow) -> None:
    """The editor as another room's save of its chart is said (issue #13). The news is made
    here, not saved: a screenshot never writes a version into the database it shows."""
    from app.domain.values import utcnow
    from app.services.practitioners import list_practitioners
    from app.services.room_news import RoomNews

    ed = _open_editor(window, _charted_visit(window))
    ed.show_view("frown")
    head = ed.session.version
    number = head.version_no + 1 if head is not None else 1
    me = window.ctx.practitioner.id
    others = [p.name for p in list_practitioners(window.ctx.store) if p.id != me]
    who = others[0] if others else "Another practitioner"
    news = RoomNews(0, "save", None, who, utcnow(), None, ed.session.visit_id, "", "", -1, number)
    ed.room_news([news])


def _microneedling_visit(window: MainWindow) -> tuple[int, int]:
    """The demo's newest charted microneedling session (Lars Østergaard's course) and its
    patient."""
    found = patients.search_patients(window.ctx.store, "lars").patients
    if not found:
        raise ScreenError("the database has no demo patient Lars Østergaard")
    sessions = [
        e
        for e in visits.timeline(window.ctx.store, found[0].id)
        if e.visit.treatment_type == "microneedling" and e.version_count
    ]
    if not sessions:
        raise ScreenError("the demo has no charted microneedling session")
    newest = max(sessions, key=lambda e: (e.visit.visit_date, e.visit.id))
    return newest.visit.id, found[0].id


def microneedling(window: MainWindow) -> None:
    """A microneedling session's chart: areas shaded by depth on the front photo, one chosen
    (its sheet: area, depth with the usual range marked, passes)."""
    from ui.editor.session import Selection

    visit_id, patient_id = _microneedling_visit(window)
    ed = _open_editor(window, visit_id, patient_id)
    ed.show_view("front")
    _overlay_settled(ed)
    front = ed.session.content.view("front")
    if front is not None and front.areas:
        cheek = next((a for a in front.areas if a.name == "Cheeks"), front.areas[0])
        ed.session.select(Selection("front", cheek.id))
    settle()


def _overlay_settled(ed: ChartEditor) -> None:
    """Wait until the earlier session is aligned and drawn over today's photo."""
    ctrl = getattr(ed.overlay, "ctrl", None)
    if ctrl is not None:
        settle(lambda: ctrl.started and not ctrl.aligner.busy and not ctrl.queue, timeout=60)


def course(window: MainWindow) -> None:
    """A microneedling course's second session on its Session page: "Session 2 of 3", the
    last session's date, the next due, and today's record (device, cartridge lot, ...)."""
    visit_id, patient_id = _microneedling_visit(window)
    ed = _open_editor(window, visit_id, patient_id)
    ed.show_view("front")
    _overlay_settled(ed)
    ed.show_panel("session")
    settle()


def microneedling_areas(window: MainWindow) -> None:
    """The Areas page of a microneedling chart: areas treated, depth per area, passes, and
    the legend of the depth shading."""
    visit_id, patient_id = _microneedling_visit(window)
    ed = _open_editor(window, visit_id, patient_id)
    ed.show_view("front")
    ed.show_panel("areas")
    settle()


def editor_products(window: MainWindow) -> None:
    ed = _open_editor(window, _charted_visit(window))
    ed.show_view("frown")
    ed.show_panel("products")


def touch_up_products(window: MainWindow) -> None:
    """A touch-up's chart (the earlier chart's tab beside the others) with a point just placed,
    on the Products panel: the lot of two weeks ago offered one tap away."""
    from app.domain.editing import put_point

    ed = _open_editor(window, _touch_up_visit(window))
    ed.show_view("frown")
    width, height = ed.session.frames.get("frown", (1200, 1500))
    point = ed.session.new_point("frown", width * 0.5, height * 0.33)
    ed.session.apply(put_point(ed.session.content, "frown", point), "Add point", "frown")
    ed.show_panel("products")


def compare(window: MainWindow) -> None:
    ed = _open_editor(window, _touch_up_visit(window))
    from ui.overlay.attach import OverlayAttachment

    overlay = ed.overlay
    if not isinstance(overlay, OverlayAttachment):
        raise ScreenError("this editor has no earlier-chart overlay")
    panel, ctrl = overlay.panel, overlay.ctrl
    settle(lambda: panel is not None and panel.active_source() is not None)
    source = panel.active_source() if panel else None
    if source is None:
        raise ScreenError("the touch-up shows no earlier chart")

    def aligned() -> bool:
        state = ctrl.state(source, ed.current_view)
        return state is not None and not state.pending  # read and aligned

    settle(aligned, timeout=30.0)
    cover = overlay.open_compare()
    if cover is None:
        raise ScreenError("the compare screen did not open")
    screen = cover.screen_widget  # opens on "Loading photos…": its photos are read on a worker
    settle(lambda: bool(getattr(screen, "ready", True)))


def sign_in(window: MainWindow) -> None:
    """The sign-in screen's practitioner tiles, as "sign in as someone else" at the lock shows
    them (the app opens on the same screen)."""
    window.go_home()
    window.locker.show_sign_in()


def sign_in_password(window: MainWindow) -> None:
    """Signing in as the demo admin: the password field with the touch keyboard up (as after a
    finger's tap on it) beside the PIN keypad."""
    from app.services.demo import DEMO_PRACTITIONERS
    from ui.common.touch_keyboard import KeyboardController

    sign_in(window)
    gate = window.locker.gate
    tile = next(
        (t for t in signin.tiles(window.ctx.store) if t.name == DEMO_PRACTITIONERS[0].name), None
    )
    app = QApplication.instance()
    controller = app.findChild(KeyboardController) if app else None
    if tile is None or controller is None:
        raise ScreenError("no demo admin to sign in as, or no touch keyboard")
    gate.choose(tile)
    controller.show_for(gate.entry.password)


def lock(window: MainWindow) -> None:
    """The lock screen over a patient's visit: the visit is open underneath, none of it shows."""
    visit(window)
    window.locker.lock("screen")


def practitioners_admin(window: MainWindow) -> None:
    """The admin's page of practitioners and the idle lock (Settings › Practitioners)."""
    window.go_home()
    window.open_settings()
    window.open_practitioners()


def backup_screen(window: MainWindow) -> None:
    """The Backup page as an admin sees it (the demo clinic has no backup folder set up: the
    page says so; nothing is written to this computer's settings)."""
    window.go_home()
    window.open_backup_page()


def _screen_backup(window: MainWindow) -> Path:
    """A real backup of the demo database in a folder of its own, with the demo passphrase."""
    from app.services.backup import BackupKey, make_backup

    folder = Path(tempfile.mkdtemp(prefix="facechart-screen-backup-"))
    return make_backup(window.ctx.store, folder, BackupKey.from_passphrase("demo")).path


def restore(window: MainWindow) -> None:
    """Restore: a backup of the demo clinic opened with its passphrase and checked, beside the
    current database, before the admin confirms."""
    from ui.shell.restore_page import RestorePage

    path = _screen_backup(window)
    window.go_home()
    window.recovery_wiring.open_restore(path)
    page = window.current_page()
    if not isinstance(page, RestorePage):
        raise ScreenError("the restore page did not open")
    page.passphrase.setText("demo")
    page.open_backup()
    settle(lambda: not page.reading, timeout=60.0)
    if page.contents is None:
        raise ScreenError(f"the backup did not open: {page.status.text()}")


def recovery(window: MainWindow) -> None:
    """The recovery screen, for a copy of the demo database with pages overwritten in the
    middle of its patients (diagnosed for real; the window's own database is not touched)."""
    import sqlite3

    from app.services import recovery as recovering

    url = window.ctx.store.url.database
    if not url:
        raise ScreenError("the recovery screen needs a database file")
    folder = Path(tempfile.mkdtemp(prefix="facechart-screen-damaged-"))
    copy = folder / "facechart.db"
    source, target = sqlite3.connect(url), sqlite3.connect(copy)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")
        page_size = target.execute("PRAGMA page_size").fetchone()[0]
        leaves = [
            r[0]
            for r in target.execute(
                "SELECT pageno FROM dbstat WHERE name = 'patient' OR name = 'visit' ORDER BY pageno"
            )
        ]
    finally:
        source.close()
        target.close()
    with open(copy, "r+b") as f:
        f.seek((leaves[len(leaves) // 2] - 1) * page_size)
        f.write(bytes(range(256)) * (page_size // 256))
    found = recovering.diagnose(copy)
    if found is None:
        raise ScreenError("the damaged copy reads whole")
    window.recovery_wiring.open_recovery(copy, found)


def export_screen(window: MainWindow) -> None:
    """Export (admin): the demo patient's records to an archive, as from the Export button
    on their page; the passphrase typed twice (shown as dots)."""
    from ui.shell.archive_export_page import ExportPage

    window.go_home()
    window.open_export(_demo_patient(window))
    page = window.current_page()
    if not isinstance(page, ExportPage):
        raise ScreenError("the export page did not open")
    page.first.setText("demo pass")
    page.second.setText("demo pass")


def _look_alike_archive(window: MainWindow) -> Path:
    """An archive of the demo patient as another clinic holds her: a copy of the demo
    database where she has another identity (UUID) and the clinic another name. The window's
    own database is not touched."""
    import sqlite3
    import uuid

    from app.services import archive
    from app.services.store import open_database

    url = window.ctx.store.url.database
    if not url:
        raise ScreenError("the import screen needs a database file")
    folder = Path(tempfile.mkdtemp(prefix="facechart-screen-archive-"))
    copy = folder / "other-clinic.db"
    source, target = sqlite3.connect(url), sqlite3.connect(copy)
    try:
        source.backup(target)
        zoe = _demo_patient(window)
        target.execute("UPDATE patient SET uuid = ? WHERE id = ?", (str(uuid.uuid4()), zoe))
        target.execute("DELETE FROM setting WHERE key = 'clinic_name'")
        target.execute("INSERT INTO setting (key, value) VALUES ('clinic_name', 'Clinic North')")
        target.commit()
    finally:
        source.close()
        target.close()
    other = open_database(f"sqlite:///{copy}")
    try:
        out = folder / "facechart-zoe-martin.zip"
        archive.export_archive(other, out, "demo", patient_id=zoe)
    finally:
        other.dispose()
    return out


def archive_import(window: MainWindow) -> None:
    """Import (admin): an archive of the demo patient from another clinic, opened with its
    passphrase (what it holds, before anything is written), and the look-alike choice the
    import then asks for (drawn from the archive's own counts: this screen writes nothing)."""
    from app.services.archive import ImportReport, LookAlike
    from ui.shell.archive_import_page import ImportPage

    path = _look_alike_archive(window)
    window.go_home()
    window.open_import(path)
    page = window.current_page()
    if not isinstance(page, ImportPage):
        raise ScreenError("the import page did not open")
    page.passphrase.setText("demo")
    page.open_archive()
    settle(lambda: not page.busy, timeout=60.0)
    seen = page.preview
    if seen is None:
        raise ScreenError(f"the archive did not open: {page.status.text()}")
    here = patients.get_patient(window.ctx.store, _demo_patient(window))
    twin = LookAlike(-1, here.id, here.display_name, here.date_of_birth)
    created = {k: seen.counts.get(k, 0) for k in ("patients", "visits", "chart_versions")}
    created["photos"] = seen.counts.get("photos", 0)
    page._imported(ImportReport(seen.clinic, created, [twin]))
    settle()
    page.area.ensureWidgetVisible(page.twins_card)


SCREENS: dict[str, Navigate] = {
    "sign-in": sign_in,
    "sign-in-password": sign_in_password,
    "lock": lock,
    "practitioners": practitioners_admin,
    "patients": patients_screen,
    "new-patient": new_patient,
    "birth-date": birth_date,
    "keyboard": keyboard,
    "settings": settings,
    "unsigned": unsigned,
    "due-list": due_list,
    "follow-up": due_list,  # the name for it
    "recall": recall,
    "patient": patient,
    "patient-history": patient_history,
    "patient-glance": patient_glance,
    "course-glance": course_glance,
    "audit": audit,
    "new-visit": new_visit,
    "visit": visit,
    "version": version,
    "photo": photo,
    "report-preview": report_preview,
    "capture": capture,
    "import": import_photos,
    "import-browser": import_browser,
    "editor": editor,
    "room-banner": room_banner,
    "editor-products": editor_products,
    "microneedling": microneedling,
    "microneedling-areas": microneedling_areas,
    "course": course,
    "touch-up-products": touch_up_products,
    "compare": compare,
    "backup": backup_screen,
    "restore": restore,
    "recovery": recovery,
    "export": export_screen,
    "archive-import": archive_import,
}


def show_screen(window: MainWindow, name: str) -> QWidget | None:
    """Take the window to the named screen; returns the dialog over it, if any."""
    navigate = SCREENS.get(name)
    if navigate is None:
        raise ScreenError(f"no screen named {name!r}; the screens are: {', '.join(SCREENS)}")
    dialog = navigate(window)
    settle()
    return dialog


def picture(window: MainWindow, dialog: QWidget | None) -> QPixmap:
    """The window as the user sees it, a dialog drawn centred over the dimmed window."""
    shot = window.grab()
    if dialog is not None and dialog.isVisible():
        painter = QPainter(shot)
        painter.fillRect(window.rect(), QColor(0, 0, 0, 110))
        # centred, where Qt puts a dialog over its window (offscreen platforms put it anywhere)
        at = QPoint(
            (window.width() - dialog.width()) // 2, (window.height() - dialog.height()) // 2
        )
        painter.drawPixmap(at, dialog.grab())
        painter.end()
    return shot
