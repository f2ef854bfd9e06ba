"""A visit: its photos per view and its chart's version history. A version opens read-only in
the viewer; the visit or a single photo can be marked entered in error (kept, but hidden)."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QFrame, QLabel, QListWidget, QListWidgetItem, QScrollArea, QWidget

from app.domain.values import TreatmentType
from app.services import catalogue, charts, patients, photos, signoff, visits
from app.services.charts import VersionInfo
from app.services.photos import PhotoRecord
from app.services.room_news import RoomNews
from app.services.signoff import ChartSignOff, VersionSignOff
from app.store.errors import StoreError
from ui.common import format as fmt
from ui.common import images
from ui.common.checkpointing import CheckpointWriter
from ui.common.context import AppContext
from ui.common.dialogs import ReasonDialog, ask_reason, show_error
from ui.common.sign_off import status_lines
from ui.common.widgets import (
    TOUCH,
    Page,
    PatientBanner,
    TapGuard,
    button,
    enable_touch_scroll,
    hbox,
    label,
    vbox,
)
from ui.shell.room_banner import RoomBanner

TILE = QSize(160, 200)


class TapLabel(QLabel):
    """A picture that answers a tap (a finger's tap reaches it as a synthesised click)."""

    tapped = Signal()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self.rect().contains(event.position().toPoint()):
            self.tapped.emit()
        super().mouseReleaseEvent(event)


class PhotoTile(QFrame):
    """One view's current photo, large enough to recognise, with its name; a tap on the
    picture opens it as large as the screen allows."""

    tapped = Signal()

    def __init__(self, ctx: AppContext, photo: PhotoRecord) -> None:
        super().__init__()
        self.photo = photo
        self.setObjectName("photoTile")
        lay = vbox(self, margins=8, spacing=6)
        picture = TapLabel()
        picture.setFixedSize(TILE)
        picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # The display image, not the thumbnail: a tile is sharper than 320 px at 200 %.
        device = TILE * images.screen_ratio()
        picture.setPixmap(
            images.fitted(images.display_image(ctx.store, photo.sha256, device), TILE)
        )
        lay.addWidget(picture)
        self.picture = picture
        picture.setCursor(Qt.CursorShape.PointingHandCursor)
        picture.tapped.connect(self.tapped)
        lay.addWidget(label(photo.view_name, "body"), 0, Qt.AlignmentFlag.AlignHCenter)
        self.error_button = button("In error…", "quiet")
        self.error_button.setToolTip("Mark this photo entered in error")
        self.setFixedWidth(TILE.width() + 16)  # tiles line up whatever their labels say
        self.error_button.setObjectName("photoInError")
        lay.addWidget(self.error_button)


class VersionRow(QWidget):
    def __init__(
        self,
        ctx: AppContext,
        info: VersionInfo,
        is_head: bool,
        sign_off: VersionSignOff | None = None,
        microneedling: bool = False,  # areas and depths, not points and units (ADR 0029)
    ) -> None:
        super().__init__()
        self.setObjectName("versionRow")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        lay = vbox(self, margins=14, spacing=4)
        top = hbox(spacing=12)
        title = label(f"Version {info.version_no}", "rowtitle")
        title.setMinimumHeight(34)  # rows line up with and without the "Latest" badge
        top.addWidget(title)
        if is_head:
            top.addWidget(label("Latest", "badge"))
        top.addStretch(1)
        if not microneedling:
            top.addWidget(label(f"{fmt.plural(info.point_count, 'point')}", "muted"))
        lay.addLayout(top)
        who = f" · {info.saved_by}" if info.saved_by else ""
        lay.addWidget(label(f"Saved {fmt.local_time(info.saved_at)}{who}", "muted"))
        if info.comment:
            comment = label(f"“{info.comment}”", "body")
            comment.setWordWrap(True)
            lay.addWidget(comment)
        summary = (
            "Treated areas and needle depths: open the chart"
            if microneedling
            else fmt.units_text(ctx, info.units, "No injection points")
        )
        lay.addWidget(label(summary, "strong"))
        # signed, co-signed, amended (who, when, why), or why it carries no signature
        self.sign_off_lines = status_lines(sign_off) if sign_off else []
        for line in self.sign_off_lines:
            text = label(line, "muted")
            text.setObjectName("signOffLine")
            text.setWordWrap(True)
            lay.addWidget(text)


class VisitPage(Page):
    version_opened = Signal(int)
    photo_opened = Signal(object)  # PhotoRecord
    visit_removed = Signal()
    chart_requested = Signal()
    capture_requested = Signal()
    report_requested = Signal()

    def __init__(self, ctx: AppContext, visit_id: int) -> None:
        super().__init__()
        self.ctx = ctx
        self.visit = visits.get_visit(ctx.store, visit_id)
        self.patient = patients.get_patient(ctx.store, self.visit.patient_id)
        self.setObjectName("visitPage")
        v = self.visit
        self.title = f"Visit · {fmt.day(v.visit_date)} · {v.treatment_type.label}"
        lay = vbox(self, spacing=0)
        self.banner = PatientBanner(self.patient)
        self.error_button = button("Visit entered in error…", "danger")
        self.error_button.setObjectName("visitInError")
        self.banner.add_button(self.error_button)
        lay.addWidget(self.banner)

        body = vbox(margins=24, spacing=12)
        lay.addLayout(body, 1)
        self.room_banner = RoomBanner()  # another room's photo or chart (issue #13)
        body.addWidget(self.room_banner)
        touch = " · Touch-up" if v.touch_up_of_id is not None else ""
        by = f" · by {v.practitioner}" if v.practitioner else ""
        self.heading = label(
            f"{fmt.day(v.visit_date)} · {v.treatment_type.label}{touch}{by}", "heading"
        )
        self.heading.setObjectName("visitHeading")
        # "… · Microneedling · by Dr …" wraps rather than widen the window past 1280 px
        self.heading.setWordWrap(True)
        top = hbox(spacing=12)
        top.addWidget(self.heading, 1)
        self.capture_button = button("Take photos", "secondary")
        self.capture_button.setObjectName("takePhotos")
        self.chart_button = button("Open chart", "primary")
        self.chart_button.setObjectName("openChart")
        self.report_button = button("Report of the newest version", "secondary")
        self.report_button.setObjectName("visitReport")
        self.report_button.setAccessibleName("The visit's report: preview, save, print")
        # where a clinician ends a chart: sign it, or co-sign an injector's (ADR 0019)
        self.sign_button = button("Sign chart", "primary")
        self.sign_button.setObjectName("signVersion")
        self.cosign_button = button("Co-sign", "primary")
        self.cosign_button.setObjectName("cosignVersion")
        for b in (self.sign_button, self.cosign_button):
            b.hide()
            top.addWidget(b)
        top.addWidget(self.capture_button)
        top.addWidget(self.chart_button)
        body.addLayout(top)
        if v.notes:
            notes = label(v.notes, "muted")
            notes.setWordWrap(True)
            body.addWidget(notes)

        columns = hbox(spacing=24)
        body.addLayout(columns, 1)
        left = vbox(spacing=8)
        left.addWidget(label("Photos", "section"))
        self.photo_scroll = QScrollArea()
        self.photo_scroll.setObjectName("photoStrip")
        self.photo_scroll.setWidgetResizable(True)
        self.photo_scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        enable_touch_scroll(self.photo_scroll)
        left.addWidget(self.photo_scroll, 1)
        columns.addLayout(left, 3)

        right = vbox(spacing=8)
        right.addWidget(label("Chart versions", "section"))
        self.history = QListWidget()
        self.history.setObjectName("versionHistory")
        self.history.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        enable_touch_scroll(self.history)
        self._tap_guard = TapGuard(self.history)
        right.addWidget(self.history, 1)
        self.history_hint = label("No chart saved for this visit yet.", "muted")
        right.addWidget(self.history_hint)
        # the newest version's report, under the versions it is made of (the top row is full
        # at 1366 px once Sign or Co-sign shows)
        right.addWidget(self.report_button)
        right_panel = QWidget()
        right_panel.setLayout(right)
        right_panel.setMaximumWidth(480)
        columns.addWidget(right_panel, 2)

        self.tiles: list[PhotoTile] = []
        self.versions: list[VersionInfo] = []
        self.sign_offs: dict[int, VersionSignOff] = {}
        self.chart_sign_off = ChartSignOff(None, False, False)
        self.reason_dialog: ReasonDialog | None = None
        self.checkpoints = CheckpointWriter(self)  # a sign-off signs a checkpoint (ADR 0025)
        self.history.itemClicked.connect(
            lambda item: self._open_version(item) if self._tap_guard.was_tap() else None
        )
        self.history.itemActivated.connect(self._open_version)
        self.error_button.clicked.connect(self.ask_visit_in_error)
        self.chart_button.clicked.connect(self.chart_requested)
        self.capture_button.clicked.connect(self.capture_requested)
        self.report_button.clicked.connect(self.report_requested)
        self.sign_button.clicked.connect(lambda: self.sign(signoff.Kind.SIGN))
        self.cosign_button.clicked.connect(lambda: self.sign(signoff.Kind.COSIGN))

    def activated(self) -> None:
        self.refresh()

    def room_news(self, found: list[RoomNews]) -> None:
        """Another room's photo or chart for this visit: the page refreshes by itself (the
        banner stays until OK, so a Sign tapped next is tapped knowing the newer version)."""
        vid = self.visit.id
        self.room_banner.take(found, lambda n: n.visit_id == vid, self.refresh, "this chart")

    def refresh(self) -> None:
        self.room_banner.mark_read(self.ctx.store)
        try:
            shown = self._current_photos()
            self.versions = charts.history(self.ctx.store, self.visit.id)
            self.sign_offs = signoff.history(self.ctx.store, self.visit.id)
            who = self.ctx.practitioner.id
            self.chart_sign_off = signoff.chart_state(self.ctx.store, self.visit.id, who)
        except StoreError as exc:
            show_error(self, str(exc))
            return
        strip = QWidget()
        row = hbox(strip, spacing=12)
        self.tiles = []
        for photo in shown:
            tile = PhotoTile(self.ctx, photo)
            tile.error_button.clicked.connect(lambda _c=False, p=photo: self.ask_photo_in_error(p))
            tile.tapped.connect(lambda p=photo: self.photo_opened.emit(p))
            row.addWidget(tile, 0, Qt.AlignmentFlag.AlignTop)
            self.tiles.append(tile)
        self.report_button.setEnabled(bool(self.versions))
        if not shown:
            row.addWidget(label("No photos for this visit.", "muted"), 0, Qt.AlignmentFlag.AlignTop)
        row.addStretch(1)
        self.photo_scroll.setWidget(strip)

        self.history.clear()
        for n, info in enumerate(self.versions):
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, info.id)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"Version {info.version_no}")
            row_widget = VersionRow(
                self.ctx,
                info,
                n == 0,
                self.sign_offs.get(info.id),
                self.visit.treatment_type is TreatmentType.MICRONEEDLING,
            )
            hint = row_widget.sizeHint()
            item.setSizeHint(QSize(0, max(hint.height(), TOUCH)))
            self.history.addItem(item)
            self.history.setItemWidget(item, row_widget)
        self.history_hint.setVisible(not self.versions)
        self.sign_button.setVisible(self.chart_sign_off.can_sign)
        self.cosign_button.setVisible(self.chart_sign_off.can_cosign)

    def sign(self, kind: signoff.Kind) -> None:
        """Sign (or co-sign) the chart's newest version with the signed-in practitioner's key."""
        head = self.chart_sign_off.head
        if head is None:
            return
        act = signoff.sign_version if kind is signoff.Kind.SIGN else signoff.cosign_version
        try:
            act(self.ctx.store, head.version_id, self.ctx.practitioner.id, self.ctx.signer)
        except StoreError as exc:
            show_error(self, str(exc))
        else:
            self.checkpoints.after_sign_off(self.ctx.store, self.ctx.signer)
        self.refresh()

    def _current_photos(self) -> list[PhotoRecord]:
        """The newest photo of each view (a retake replaces the earlier one on screen), in
        the order of the treatment's protocol, then any other views in the catalogue's."""
        newest: dict[str, PhotoRecord] = {}
        for p in photos.photos_for_visit(self.ctx.store, self.visit.id):  # oldest first
            newest[p.view_code] = p
        store, treatment = self.ctx.store, self.visit.treatment_type
        protocol = [v.code for v in catalogue.protocol_views(store, treatment)]
        known = protocol + [v.code for v in catalogue.list_views(store)]
        rank = {code: i for i, code in reversed(list(enumerate(known)))}
        return sorted(newest.values(), key=lambda p: rank.get(p.view_code, len(rank)))

    def version_labels(self) -> list[str]:
        return [
            self.history.item(i).data(Qt.ItemDataRole.AccessibleTextRole)
            for i in range(self.history.count())
        ]

    def _open_version(self, item: QListWidgetItem) -> None:
        self.version_opened.emit(int(item.data(Qt.ItemDataRole.UserRole)))

    # -- entered in error -----------------------------------------------------------------------

    def ask_visit_in_error(self) -> None:
        self.reason_dialog = ask_reason(
            self,
            "Visit entered in error",
            f"The visit of {fmt.day(self.visit.visit_date)} will be hidden from "
            f"{self.patient.display_name}'s timeline. It stays in the record with your name, "
            "the time and the reason.",
            self._visit_in_error,
        )

    def _visit_in_error(self, reason: str) -> None:
        try:
            visits.mark_visit_in_error(
                self.ctx.store, self.visit.id, self.ctx.practitioner.id, reason
            )
        except (StoreError, ValueError) as exc:
            show_error(self, str(exc))
            return
        self.visit_removed.emit()

    def ask_photo_in_error(self, photo: PhotoRecord) -> None:
        self.reason_dialog = ask_reason(
            self,
            "Photo entered in error",
            f"The {photo.view_name} photo will be hidden from this visit. It stays in the record "
            "with your name, the time and the reason.",
            lambda reason: self._photo_in_error(photo, reason),
        )

    def _photo_in_error(self, photo: PhotoRecord, reason: str) -> None:
        try:
            photos.mark_photo_in_error(self.ctx.store, photo.id, self.ctx.practitioner.id, reason)
        except (StoreError, ValueError) as exc:
            show_error(self, str(exc))
            return
        self.refresh()
