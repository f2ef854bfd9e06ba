"""A folder browser made for fingers, used by the import dialog instead of a file dialog: big
place buttons (Up, the folders used last, Pictures, Home, USB sticks and SD cards), the folder's
photos as a grid of thumbnails that a tap selects or unselects, sub-folders as big tiles, and
one "Add N photos" button. Listing and thumbnails come from its worker (browse_data.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import cast

from PySide6.QtCore import (
    QEvent,
    QObject,
    QPointF,
    QSize,
    QStandardPaths,
    QStorageInfo,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QIcon,
    QImage,
    QPainter,
    QPen,
    QPixmap,
    QResizeEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import (
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QScroller,
    QSizePolicy,
    QWidget,
)

from ui.capture.browse_data import Listing, RecentFolders, Thumb, list_folder, make_thumb
from ui.common.images import screen_ratio
from ui.common.widgets import (
    TapGuard,
    button,
    enable_touch_scroll,
    hbox,
    label,
    moved_too_far,
    set_state,
    vbox,
)
from ui.common.worker import Worker

TILE = 120  # the picture of a tile, logical px (≥ 96: a fingertip and a recognisable face)
GRID = QSize(TILE + 28, TILE + 40)  # tile plus its file name
PLACES_WIDTH = 230
PATH_ROLE = Qt.ItemDataRole.UserRole
KIND_ROLE = Qt.ItemDataRole.UserRole + 1  # "folder", "photo" or "bad"
CHECKED_ROLE = Qt.ItemDataRole.UserRole + 2
PICK = QColor("#1F7A4D")
SHOWN_REASONS = 3
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]?$")
_REMOVABLE_PARENTS = ("/media/", "/run/media/", "/mnt/", "/Volumes/")


def drives() -> list[tuple[str, Path]]:
    """Mounted volumes a card or stick shows up as: drive letters other than the system's on
    Windows, /Volumes on macOS, /media, /run/media and /mnt on Linux (QStorageInfo on all)."""
    system = Path.home().anchor.rstrip("\\/").upper()
    out = []
    for vol in QStorageInfo.mountedVolumes():
        root = vol.rootPath()
        if not (vol.isValid() and vol.isReady()):
            continue
        if _DRIVE.match(root):
            if root.rstrip("\\/").upper() == system:
                continue
        elif not root.startswith(_REMOVABLE_PARENTS):
            continue
        out.append((vol.displayName() or root, Path(root)))
    return out


def places() -> list[tuple[str, Path]]:
    out = []
    pictures = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
    if pictures and Path(pictures).is_dir():
        out.append(("Pictures", Path(pictures)))
    out.append(("Home", Path.home()))
    return out + drives()


def _tile_base(text: str, fill: str) -> QPixmap:
    ratio = screen_ratio()
    pm = QPixmap(QSize(TILE, TILE) * ratio)
    pm.setDevicePixelRatio(ratio)
    pm.fill(QColor(fill))
    p = QPainter(pm)
    p.setPen(QColor("#3D4B58"))
    p.drawText(pm.rect().adjusted(0, 0, -1, -1), Qt.AlignmentFlag.AlignCenter, text)
    p.end()
    return pm


def folder_pixmap() -> QPixmap:
    ratio = screen_ratio()
    pm = QPixmap(QSize(TILE, TILE) * ratio)
    pm.setDevicePixelRatio(ratio)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#7C9AB5"))
    p.drawRoundedRect(8, 22, 46, 20, 6, 6)  # the tab
    p.setBrush(QColor("#9DB8D0"))
    p.drawRoundedRect(8, 32, TILE - 16, TILE - 48, 8, 8)
    p.end()
    return pm


def checked_pixmap(base: QPixmap) -> QPixmap:
    """The thumbnail with a frame and a big check mark: selected at a glance."""
    pm = QPixmap(base)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    w, h = TILE, TILE
    p.setPen(QPen(PICK, 8))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRect(4, 4, w - 8, h - 8)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(PICK)
    p.drawEllipse(QPointF(w - 26, 26), 20, 20)
    p.setPen(QPen(QColor("white"), 5, c=Qt.PenCapStyle.RoundCap))
    p.drawPolyline([QPointF(w - 36, 26), QPointF(w - 29, 34), QPointF(w - 15, 18)])
    p.end()
    return pm


def thumb_pixmap(thumb: Thumb) -> QPixmap:
    """On the GUI thread: the worker's RGB bytes centred on a square tile."""
    fmt = QImage.Format.Format_RGB888
    image = QImage(thumb.rgb, thumb.width, thumb.height, 3 * thumb.width, fmt)
    pm = _tile_base("", "#E3E8ED")
    scaled = QPixmap.fromImage(image.copy()).scaled(
        pm.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
    )
    scaled.setDevicePixelRatio(pm.devicePixelRatio())
    p = QPainter(pm)
    r = pm.devicePixelRatio()
    at = QPointF((pm.width() - scaled.width()) / 2 / r, (pm.height() - scaled.height()) / 2 / r)
    p.drawPixmap(at, scaled)
    p.end()
    return pm


class TouchTaps(QObject):
    """Finger taps on the tiles, taken from the touch events themselves. Left to Qt's touch-to-
    mouse synthesis, a second tap within the double-click interval on another tile became a
    double click that the kinetic scroller swallowed: quick taps on three photos selected two.
    Accepting the touch stops that synthesis; the scroller still sees every touch (Qt's gesture
    manager looks at it before any event filter). Mouse and pen clicks keep `itemClicked`."""

    def __init__(self, view: QListWidget, on_tap: Callable[[QListWidgetItem], None]) -> None:
        super().__init__(view)
        self._view = view
        self._on_tap = on_tap
        self._start: QPointF | None = None
        self._moved = False
        view.viewport().setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        view.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (
            QEvent.Type.TouchBegin,
            QEvent.Type.TouchUpdate,
            QEvent.Type.TouchEnd,
            QEvent.Type.TouchCancel,
        ):
            return False
        touch = cast(QTouchEvent, event)
        points = touch.points()
        at = points[0].globalPosition() if points else QPointF()
        if kind == QEvent.Type.TouchBegin:
            self._start, self._moved = at, len(points) > 1
        elif self._start is not None and (len(points) > 1 or moved_too_far(self._start, at)):
            self._moved = True
        if kind == QEvent.Type.TouchEnd and self._start is not None:
            scroller = QScroller.scroller(self._view.viewport())
            scrolling = scroller.state() in (QScroller.State.Dragging, QScroller.State.Scrolling)
            if not (self._moved or scrolling):
                pos = self._view.viewport().mapFromGlobal(at.toPoint())
                item = self._view.itemAt(pos)
                if item is not None:
                    self._on_tap(item)
            self._start = None
        elif kind == QEvent.Type.TouchCancel:
            self._start = None
        touch.accept()
        return True


class FolderBrowser(QWidget):
    """Tap a folder to open it, tap photos to select them, then "Add N photos"."""

    chosen = Signal(list)  # the selected photo files (list[Path]), in the folder's order
    cancelled = Signal()

    def __init__(self, recent: RecentFolders, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("folderBrowser")
        self.recent = recent
        self.folder: Path | None = None
        self.listing: Listing | None = None
        self.items: dict[Path, QListWidgetItem] = {}
        self.bases: dict[Path, QPixmap] = {}
        self.reasons: dict[Path, str] = {}
        self._generation = 0
        self._worker = Worker("import-browse", self)
        self._folder_icon = QIcon(folder_pixmap())
        self._waiting_icon = QIcon(_tile_base("…", "#E3E8ED"))

        lay = vbox(self, spacing=10)
        top = hbox(spacing=12)
        self.up = button("↑ Up", "secondary")
        self.up.setObjectName("browseUp")
        self.up.setMinimumWidth(120)
        self.where = label("", "section")
        self.where.setObjectName("browseWhere")
        # elided to its width (resizeEvent): a long path must not widen the dialog
        self.where.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        top.addWidget(self.up)
        top.addWidget(self.where, 1)
        lay.addLayout(top)

        body = hbox(spacing=12)
        self.places_area = QScrollArea()
        self.places_area.setObjectName("browsePlaces")
        self.places_area.setWidgetResizable(True)
        self.places_area.setFixedWidth(PLACES_WIDTH)
        self.places_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.places_host = QWidget()
        self.places_lay = vbox(self.places_host, spacing=8)
        self.places_area.setWidget(self.places_host)
        enable_touch_scroll(self.places_area)
        body.addWidget(self.places_area)

        self.tiles = QListWidget()
        self.tiles.setObjectName("browseTiles")
        self.tiles.setViewMode(QListView.ViewMode.IconMode)
        self.tiles.setIconSize(QSize(TILE, TILE))
        self.tiles.setGridSize(GRID)
        self.tiles.setResizeMode(QListView.ResizeMode.Adjust)
        self.tiles.setMovement(QListView.Movement.Static)
        self.tiles.setUniformItemSizes(True)
        self.tiles.setWordWrap(False)
        self.tiles.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.tiles.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.tiles.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        enable_touch_scroll(self.tiles)
        self._tap_guard = TapGuard(self.tiles)  # mouse and pen
        self._touch_taps = TouchTaps(self.tiles, self.tap_item)  # fingers
        body.addWidget(self.tiles, 1)
        lay.addLayout(body, 1)

        self.status = label("", "muted")  # loading, an empty folder, damaged files and why
        self.status.setObjectName("browseStatus")
        self.status.setWordWrap(True)
        lay.addWidget(self.status)

        bottom = hbox(spacing=12)
        self.select_all = button("Select all", "secondary")
        self.clear = button("Clear", "secondary")
        self.cancel = button("Cancel", "secondary")
        self.add = button("Add photos", "primary")
        self.add.setObjectName("browseAdd")
        self.add.setMinimumWidth(190)
        bottom.addWidget(self.select_all)
        bottom.addWidget(self.clear)
        bottom.addStretch(1)
        bottom.addWidget(self.cancel)
        bottom.addWidget(self.add)
        lay.addLayout(bottom)

        self.up.clicked.connect(self.go_up)
        self.tiles.itemClicked.connect(self._tapped)
        self.select_all.clicked.connect(lambda: self._check_all(True))
        self.clear.clicked.connect(lambda: self._check_all(False))
        self.cancel.clicked.connect(self.cancelled.emit)
        self.add.clicked.connect(self._add)
        self.refresh_places()
        self._refresh()

    # --- places -------------------------------------------------------------------------------
    def refresh_places(self) -> None:
        while self.places_lay.count():
            taken = self.places_lay.takeAt(0)
            w = taken.widget() if taken is not None else None
            if w is not None:
                w.deleteLater()
        self.place_buttons: dict[Path, QPushButton] = {}
        recent = self.recent.folders()
        if recent:
            self.places_lay.addWidget(label("Used last", "muted"))
            for folder in recent:
                self._place(folder.name or str(folder), folder, "recent")
        self.places_lay.addWidget(label("Places", "muted"))
        for name, folder in places():
            self._place(name, folder, "place")
        self.places_lay.addStretch(1)

    def _place(self, name: str, folder: Path, kind: str) -> None:
        b = button("", "secondary")
        b.setObjectName(f"{kind}Folder")
        room = PLACES_WIDTH - 70  # the button's padding and the list's margin
        b.setText(b.fontMetrics().elidedText(name, Qt.TextElideMode.ElideMiddle, room))
        b.setToolTip(str(folder))
        b.clicked.connect(lambda _=False, f=folder: self.open_folder(f))
        self.places_lay.addWidget(b)
        self.place_buttons.setdefault(folder, b)

    # --- a folder -----------------------------------------------------------------------------
    @property
    def loading(self) -> bool:
        """The folder is being listed or its thumbnails made."""
        return self._worker.busy

    def open_folder(self, folder: Path) -> None:
        """List `folder` on the worker; its tiles appear, then each thumbnail as it is made."""
        self._worker.cancel(self._generation)
        self._generation += 1
        self.folder = Path(folder)
        self.listing = None
        self.tiles.clear()
        self.items, self.bases, self.reasons = {}, {}, {}
        self._show_where()
        self.status.setText("Opening the folder…")
        self._worker.run(partial(list_folder, self.folder), self._listed, key=self._generation)
        self._refresh()

    def go_up(self) -> None:
        if self.folder is not None and self.folder.parent != self.folder:
            self.open_folder(self.folder.parent)

    def _show_where(self) -> None:
        text = str(self.folder) if self.folder is not None else ""
        room = self.where.contentsRect().width() - 2
        metrics = self.where.fontMetrics()
        self.where.setText(metrics.elidedText(text, Qt.TextElideMode.ElideLeft, max(room, 40)))
        self.where.setToolTip(text)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._show_where()

    def _listed(self, listing: Listing) -> None:
        self.listing = listing
        for sub in listing.folders:
            item = QListWidgetItem(self._folder_icon, sub.name)
            item.setData(PATH_ROLE, str(sub))
            item.setData(KIND_ROLE, "folder")
            item.setToolTip(sub.name)
            self.tiles.addItem(item)
        side = int(TILE * screen_ratio())
        for path in listing.photos:
            item = QListWidgetItem(self._waiting_icon, path.name)
            item.setData(PATH_ROLE, str(path))
            item.setData(KIND_ROLE, "photo")
            item.setData(CHECKED_ROLE, False)
            item.setToolTip(path.name)
            self.tiles.addItem(item)
            self.items[path] = item
            self._worker.run(partial(make_thumb, path, side), self._thumbed, key=self._generation)
        self._refresh()

    def _thumbed(self, thumb: Thumb) -> None:
        item = self.items.get(thumb.path)
        if item is None:
            return
        if thumb.error:
            self.reasons[thumb.path] = thumb.error
            item.setData(KIND_ROLE, "bad")
            item.setData(CHECKED_ROLE, False)
            item.setIcon(QIcon(_tile_base("Cannot be\nimported", "#F4DCDC")))
            item.setToolTip(f"{thumb.path.name}: {thumb.error}")
        else:
            self.bases[thumb.path] = thumb_pixmap(thumb)
            self._paint(item)
        self._refresh()

    # --- choosing -----------------------------------------------------------------------------
    def _tapped(self, item: QListWidgetItem) -> None:
        if self._tap_guard.was_tap():
            self.tap_item(item)

    def tap_item(self, item: QListWidgetItem) -> None:
        kind = item.data(KIND_ROLE)
        if kind == "folder":
            self.open_folder(Path(item.data(PATH_ROLE)))
        elif kind == "photo":
            item.setData(CHECKED_ROLE, not item.data(CHECKED_ROLE))
            self._paint(item)
            self._refresh()

    def _paint(self, item: QListWidgetItem) -> None:
        base = self.bases.get(Path(item.data(PATH_ROLE)))
        if base is None:
            base = _tile_base("…", "#E3E8ED")
        item.setIcon(QIcon(checked_pixmap(base) if item.data(CHECKED_ROLE) else base))

    def _check_all(self, on: bool) -> None:
        for item in self.items.values():
            if item.data(KIND_ROLE) == "photo" and bool(item.data(CHECKED_ROLE)) != on:
                item.setData(CHECKED_ROLE, on)
                self._paint(item)
        self._refresh()

    def selected(self) -> list[Path]:
        return [p for p, item in self.items.items() if item.data(CHECKED_ROLE)]

    def _add(self) -> None:
        chosen = self.selected()
        if not chosen or self.folder is None:
            return
        self.recent.remember(self.folder)
        self.refresh_places()
        self.chosen.emit(chosen)
        self._check_all(False)

    def _refresh(self) -> None:
        n = len(self.selected())
        self.add.setText(f"Add {n} photo{'s' if n != 1 else ''}" if n else "Add photos")
        self.add.setEnabled(n > 0)
        has_photos = any(i.data(KIND_ROLE) == "photo" for i in self.items.values())
        self.select_all.setEnabled(has_photos)
        self.clear.setEnabled(n > 0)
        self.up.setEnabled(self.folder is not None and self.folder.parent != self.folder)
        lines = []
        if self.listing is not None and self.listing.error:
            lines.append(self.listing.error)
        elif self.listing is not None and not self.listing.folders and not self.listing.photos:
            lines.append("No photos or folders here.")
        elif self.loading:
            lines.append("Making the thumbnails…" if self.listing else "Opening the folder…")
        elif self.listing is not None:
            lines.append("Tap photos to select them; tap a folder to open it.")
        damaged = list(self.reasons.items())
        # a few reasons in full; a card of damaged files must not push the grid off the screen
        lines += [f"{p.name} cannot be imported: {why}" for p, why in damaged[:SHOWN_REASONS]]
        if len(damaged) > SHOWN_REASONS:
            lines.append(f"… and {len(damaged) - SHOWN_REASONS} more files cannot be imported.")
        self.status.setText("\n".join(lines))
        bad = bool(self.reasons) or bool(self.listing and self.listing.error)
        set_state(self.status, "kind", "error" if bad else "muted")

    def shutdown(self) -> None:
        self._worker.shutdown()
