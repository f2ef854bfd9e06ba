"""Photos: add from a file or bytes, read back the display image, thumbnail or original.

The original bytes are stored exactly, once per SHA-256 (`photo_blob`), with a display-size
JPEG and a thumbnail made at import so that screens never decode the original (ADR 0004).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypedDict, Unpack

from PIL import Image
from sqlalchemy import bindparam, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, undefer

from app.domain.values import PhotoSource, utcnow
from app.imaging.decode import (
    HEIC_NOT_SUPPORTED,
    HEIC_UNREADABLE,
    HEIF_AVAILABLE,
    ImageInfo,
    decode_upright,
    decode_with_info,
    encode_jpeg,
    read_info,
    reduced,
)
from app.imaging.decode import (
    ImageError as ImageError,  # raised by the functions here; the UI catches it by this name
)
from app.imaging.files import (
    MAX_FILE_BYTES as MAX_FILE_BYTES,  # the limit lives with the reading of files
)
from app.imaging.files import read_photo_file
from app.store import audit_log
from app.store.database import Store
from app.store.errors import NotFoundError
from app.store.idempotent import insert_missing
from app.store.schema import Photo, PhotoBlob, View, Visit

DISPLAY_SIDE = 2560  # longest side of the display image: sharp on a 2880-px screen at fit
THUMB_SIDE = 320
HEIF_SUFFIXES = (".heic", ".heif")
HEIC_MESSAGES = (HEIC_UNREADABLE, HEIC_NOT_SUPPORTED)


@dataclass(frozen=True, slots=True)
class PhotoRecord:
    id: int
    patient_id: int
    visit_id: int | None
    view_code: str
    view_name: str
    sha256: str
    captured_at: datetime
    width: int
    height: int
    rotation: int
    source: str
    in_error: bool

    @classmethod
    def of(cls, p: Photo) -> PhotoRecord:
        return cls(
            p.id,
            p.patient_id,
            p.visit_id,
            p.view.code,
            p.view.name,
            p.blob_sha256,
            p.captured_at,
            p.width,
            p.height,
            p.rotation,
            p.source,
            p.in_error,
        )


def local_to_utc(naive_local: datetime) -> datetime:
    """EXIF times carry no zone: read them as this machine's local time (CONTRACTS.md)."""
    return naive_local.astimezone().astimezone(tz=utcnow().tzinfo)


def _capture_time(taken_local: datetime | None) -> datetime:
    """The EXIF capture time in UTC, else the import time."""
    if taken_local is not None:
        try:
            return local_to_utc(taken_local)
        except (ValueError, OverflowError):
            # A camera whose clock was never set may write a time at the calendar's edge
            # (0001-01-01, 9999-12-31); moved to UTC from a zone with an offset it leaves the
            # calendar, and the import failed with a raw error. It is no capture time at all.
            pass
    return utcnow()


def _prepare_blob(data: bytes, sha: str) -> tuple[ImageInfo, PhotoBlob]:
    """Decode once, at reduced scale where the format allows, to make the derived images."""
    info, upright = decode_with_info(data, max_side=DISPLAY_SIDE)
    display = reduced(upright, DISPLAY_SIDE)
    thumb = reduced(display, THUMB_SIDE)
    display_jpeg, thumb_jpeg = encode_jpeg(display, 90), encode_jpeg(thumb, 82)
    return info, PhotoBlob(
        sha256=sha,
        data=data,
        size_bytes=len(data),
        format=info.format,
        mime=info.mime,
        width=info.width,
        height=info.height,
        display_jpeg=display_jpeg,
        display_width=display.width,
        display_height=display.height,
        thumb_jpeg=thumb_jpeg,
        # what `check` compares the screen images against (issue #11)
        display_sha256=hashlib.sha256(display_jpeg).hexdigest(),
        thumb_sha256=hashlib.sha256(thumb_jpeg).hexdigest(),
    )


def add_photo_bytes(
    store: Store,
    patient_id: int,
    view_code: str,
    data: bytes,
    *,
    visit_id: int | None = None,
    taken_by_id: int | None = None,
    source: PhotoSource = PhotoSource.IMPORT,
    filename: str = "",
    captured_at: datetime | None = None,
) -> PhotoRecord:
    """Store a photo. Raises ImageError (clear message) for anything that is not a usable image;
    the database is then unchanged."""
    _refuse_if_too_big(len(data))
    sha = hashlib.sha256(data).hexdigest()
    with store.read() as s:
        known = s.get(PhotoBlob, sha) is not None
    # Decode outside the transaction: a 24 MP decode should not hold the write lock.
    blob = None
    if not known:
        info, blob = _prepare_blob(data, sha)
    elif captured_at is None:
        info = read_info(data)
    if captured_at is None:
        captured_at = _capture_time(info.taken_at_local)
    with store.write() as s:
        view = s.scalar(select(View).where(View.code == view_code))
        if view is None:
            raise NotFoundError(f"Unknown view {view_code!r}.")
        if visit_id is not None:
            visit = s.get(Visit, visit_id)
            if visit is None or visit.patient_id != patient_id:
                raise NotFoundError("That visit does not belong to this patient.")
        if visit_id is not None:
            same = _same_photo(s, visit_id, view.id, sha)
            if same is not None:  # imported in another room a moment ago, or twice here
                return PhotoRecord.of(same)
        if blob is not None:  # another room may store the same bytes at the same moment
            insert_missing(s, PhotoBlob, [_blob_row(blob)], ["sha256"])
        stored = s.get(PhotoBlob, sha)
        assert stored is not None
        photo = Photo(
            patient_id=patient_id,
            visit_id=visit_id,
            view_id=view.id,
            blob_sha256=sha,
            captured_at=captured_at,
            taken_by_id=taken_by_id,
            source=PhotoSource(source).value,
            original_filename=filename,
            rotation=0,
            width=stored.width,
            height=stored.height,
        )
        s.add(photo)
        s.flush()
        photo.view = view
        # never the file's name: a camera roll's "Zoe Martin frown.jpg" names the patient
        audit_log.append(
            s,
            "photo_added",
            taken_by_id,
            patient_id=patient_id,
            visit_id=visit_id,
            subject=f"photo:{photo.id}",
            detail=f"{view.name} photo ({photo.source})",
        )
        return PhotoRecord.of(photo)


# PostgreSQL advisory lock class for "a photo is being added to this visit": imports of the
# same visit from several rooms take turns, so the same bytes become one photo record.
_PHOTO_LOCK_CLASS = 0x4643_5048  # "FCPH"


def _same_photo(s: Session, visit_id: int, view_id: int, sha: str) -> Photo | None:
    """The visit's photo of this view with these bytes, if stored (and not entered in error):
    the same bytes imported for the same visit and view make one photo record."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(
            text("SELECT pg_advisory_xact_lock(:c, :v)"), {"c": _PHOTO_LOCK_CLASS, "v": visit_id}
        )
    return s.scalar(
        select(Photo)
        .where(
            Photo.visit_id == visit_id,
            Photo.view_id == view_id,
            Photo.blob_sha256 == sha,
            Photo.error_at.is_(None),
        )
        .limit(1)
    )


def _blob_row(blob: PhotoBlob) -> dict[str, object]:
    row = {c.key: getattr(blob, c.key) for c in PhotoBlob.__table__.columns}
    row["created_at"] = row.get("created_at") or utcnow()
    return row


def _refuse_if_too_big(size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise ImageError(
            f"The file is {size // (1024 * 1024)} MB, over the "
            f"{MAX_FILE_BYTES // (1024 * 1024)} MB limit."
        )


class _PhotoOptions(TypedDict, total=False):
    """add_photo_bytes' keyword options that add_photo_file passes on."""

    visit_id: int | None
    taken_by_id: int | None
    source: PhotoSource
    captured_at: datetime | None


def add_photo_file(
    store: Store, patient_id: int, view_code: str, path: Path, **kw: Unpack[_PhotoOptions]
) -> PhotoRecord:
    """Store a photo from a file the user chose: only a regular file within the size limit is
    read (read_photo_file); ImageError with a clear message otherwise."""
    data = read_photo_file(path)
    try:
        return add_photo_bytes(store, patient_id, view_code, data, filename=Path(path).name, **kw)
    except ImageError as exc:
        raise _named_heic(path, exc) from exc


def _named_heic(path: Path | str, exc: ImageError) -> ImageError:
    """A file named .heic/.heif that does not decode is told about HEIC even when its damage
    left no HEIC header to recognise (decode.py recognises it from the bytes otherwise)."""
    if Path(path).suffix.lower() in HEIF_SUFFIXES and str(exc) not in HEIC_MESSAGES:
        return ImageError(HEIC_UNREADABLE if HEIF_AVAILABLE else HEIC_NOT_SUPPORTED)
    return exc


@dataclass(frozen=True, slots=True)
class CheckedFile:
    """A file the import dialog may offer: its bytes (stored as they are if chosen) and a small
    upright RGB preview; or the reason it cannot be imported."""

    path: Path
    data: bytes | None
    error: str = ""
    preview: Image.Image | None = None


def check_photo_file(path: Path, preview_side: int) -> CheckedFile:
    """Read and decode a chosen file as the import will (same limits, same decode door) and make
    a preview about `preview_side` big. No Qt: the import dialog runs it on its worker."""
    try:
        data = read_photo_file(path)
    except ImageError as exc:  # a pipe, a device, too big, …: whatever the name says
        return CheckedFile(path, None, str(exc))
    try:
        img = decode_upright(data, max_side=preview_side)
    except ImageError as exc:
        return CheckedFile(path, None, str(_named_heic(path, exc)))
    img.thumbnail((preview_side, preview_side))
    return CheckedFile(path, data, "", img)


def photos_for_visit(
    store: Store, visit_id: int, include_in_error: bool = False
) -> list[PhotoRecord]:
    with store.read() as s:
        q = select(Photo).where(Photo.visit_id == visit_id).order_by(Photo.captured_at, Photo.id)
        if not include_in_error:
            q = q.where(Photo.error_at.is_(None))
        return [PhotoRecord.of(p) for p in s.scalars(q)]


def get_photo(store: Store, photo_id: int) -> PhotoRecord:
    with store.read() as s:
        p = s.get(Photo, photo_id)
        if p is None:
            raise NotFoundError(f"No photo {photo_id}.")
        return PhotoRecord.of(p)


def _blob_column(store: Store, sha256: str, column: str) -> bytes:
    with store.read() as s:
        blob = s.scalar(
            select(PhotoBlob)
            .where(PhotoBlob.sha256 == sha256)
            .options(undefer(getattr(PhotoBlob, column)))
        )
        if blob is None:
            raise NotFoundError(f"No stored photo {sha256[:12]}….")
        data: bytes = getattr(blob, column)  # one of the blob's deferred bytes columns
        return data


def original_bytes(store: Store, sha256: str) -> bytes:
    return _blob_column(store, sha256, "data")


def display_jpeg(store: Store, sha256: str) -> bytes:
    return _blob_column(store, sha256, "display_jpeg")


def decode_image(data: bytes, rotation: int = 0, max_side: int | None = None) -> Image.Image:
    """Bytes (a file about to be imported, an original) to the upright image the app shows,
    through the one decoding door (CONTRACTS.md); ImageError if they are not a photo.
    `max_side`: about that big, never smaller (a JPEG decodes scaled, much faster)."""
    return decode_upright(data, rotation, max_side=max_side)


def display_image(store: Store, photo: PhotoRecord, max_side: int | None = None) -> Image.Image:
    """A stored photo's display image (longest side DISPLAY_SIDE), upright with its rotation."""
    return decode_upright(display_jpeg(store, photo.sha256), photo.rotation, max_side=max_side)


def thumbnail_jpeg(store: Store, sha256: str) -> bytes:
    return _blob_column(store, sha256, "thumb_jpeg")


def photo_size(store: Store, sha256: str) -> tuple[int, int]:
    """Upright pixel size of the original: the coordinate frame of charts on it."""
    with store.read() as s:
        blob = s.get(PhotoBlob, sha256)
        if blob is None:
            raise NotFoundError(f"No stored photo {sha256[:12]}….")
        return blob.width, blob.height


def photo_sizes(store: Store, sha256s: Iterable[str]) -> dict[str, tuple[int, int]]:
    """`photo_size` of several photos in one query (opening a chart reads all its views')."""
    wanted = set(sha256s)
    if not wanted:
        return {}
    with store.read() as s:
        if store.is_sqlite:
            # SQLite's planner takes the primary key's index, which is not covering, and then
            # walks each original's pages to reach the sizes stored after it (migration 0013).
            try:
                rows = s.execute(_SIZES_BY_FRAME_INDEX, {"shas": sorted(wanted)}).all()
                return {sha: (w, h) for sha, w, h in rows}
            except OperationalError:  # a database older than 0013, opened without migrating
                pass
        rows = s.execute(
            select(PhotoBlob.sha256, PhotoBlob.width, PhotoBlob.height).where(
                PhotoBlob.sha256.in_(wanted)
            )
        ).all()
        return {sha: (w, h) for sha, w, h in rows}


_SIZES_BY_FRAME_INDEX = text(
    "SELECT sha256, width, height FROM photo_blob INDEXED BY ix_photo_blob_frame "
    "WHERE sha256 IN :shas"
).bindparams(bindparam("shas", expanding=True))


def mark_photo_in_error(store: Store, photo_id: int, practitioner_id: int, reason: str) -> None:
    """Hide a photo from the timeline without deleting it: the record keeps it, with who, when
    and why."""
    if not reason.strip():
        raise ValueError("Say why the photo was entered in error.")
    with store.write() as s:
        photo = s.get(Photo, photo_id)
        if photo is None:
            raise NotFoundError(f"No photo {photo_id}.")
        photo.error_at = now = utcnow()
        photo.error_by_id = practitioner_id
        photo.error_reason = reason.strip()
        audit_log.append(
            s,
            "entered_in_error",
            practitioner_id,
            patient_id=photo.patient_id,
            visit_id=photo.visit_id,
            subject=f"photo:{photo_id}",
            detail="photo entered in error",
            at=now,
        )
