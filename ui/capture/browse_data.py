"""What the touch folder browser shows, as plain data: a folder's sub-folders and photo files,
a small upright thumbnail of each photo, and the folders used last (kept per user on disk).

Listing and thumbnails run on the browser's worker (ADR 0012): a card reader or a network share
can take seconds to list, and a 24 MP photo is read whole to be checked. No Qt here: jobs return
bytes and dataclasses, and the GUI thread makes the images.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from app.services.photos import check_photo_file

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".heic", ".heif", ".tif", ".tiff", ".webp", ".bmp"}
KEEP_RECENT = 5


@dataclass(frozen=True, slots=True)
class Listing:
    """A folder's sub-folders and photo files, each sorted by name as a camera numbers them."""

    folder: Path
    folders: list[Path] = field(default_factory=list)
    photos: list[Path] = field(default_factory=list)
    error: str = ""


def _by_name(p: Path) -> tuple[str, str]:
    return (p.name.casefold(), p.name)


def list_folder(folder: Path) -> Listing:
    """Sub-folders and image files of `folder` (hidden ones left out); the reason when it cannot
    be listed (removed, not permitted)."""
    try:
        entries = list(folder.iterdir())
    except OSError as exc:
        return Listing(folder, error=f"The folder could not be opened: {exc.strerror or exc}.")
    folders: list[Path] = []
    photos: list[Path] = []
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            if entry.is_dir():
                folders.append(entry)
            elif entry.suffix.lower() in IMAGE_SUFFIXES:
                photos.append(entry)
        except OSError:  # vanished or not permitted while listing: not offered
            continue
    return Listing(folder, sorted(folders, key=_by_name), sorted(photos, key=_by_name))


@dataclass(frozen=True, slots=True)
class Thumb:
    """A photo file's thumbnail as RGB888 bytes, or why the file cannot be imported."""

    path: Path
    rgb: bytes = b""
    width: int = 0
    height: int = 0
    error: str = ""


def make_thumb(path: Path, side: int) -> Thumb:
    """The file read and decoded through the import's own check (same limits, same reduced
    decode: a 24 MP JPEG is decoded at 1/8 scale); its bytes are not kept, the import dialog
    reads the chosen files again."""
    checked = check_photo_file(path, side)
    img = checked.preview
    if img is None:
        return Thumb(path, error=checked.error)
    return Thumb(path, img.convert("RGB").tobytes(), img.width, img.height)


def default_recent_file() -> Path:
    return Path(platformdirs.user_data_dir("FaceChart", appauthor=False)) / "recent-folders.json"


class RecentFolders:
    """The last folders photos were added from, newest first, in a small JSON file in the
    user's data folder: it survives a restart. A file that cannot be read or written only
    means the list is forgotten; it never stops an import."""

    def __init__(self, file: Path | None = None, keep: int = KEEP_RECENT) -> None:
        self.file = file if file is not None else default_recent_file()
        self.keep = keep

    def _stored(self) -> list[str]:
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        folders = data.get("folders", []) if isinstance(data, dict) else []
        return [f for f in folders if isinstance(f, str)][: self.keep]

    def folders(self) -> list[Path]:
        """The remembered folders that are still there (a card taken out is not offered)."""
        out = []
        for text in self._stored():
            path = Path(text)
            try:
                if path.is_dir():
                    out.append(path)
            except OSError:
                continue
        return out

    def remember(self, folder: Path) -> None:
        text = str(folder)
        folders = [text, *(f for f in self._stored() if f != text)][: self.keep]
        tmp = self.file.with_suffix(".tmp")
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            # private: folder names can name patients (0600 where the system has modes)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump({"folders": folders}, f, indent=1)
            os.replace(tmp, self.file)
        except OSError:
            return
