"""Writing the archive's entries (ADR 0023): each file into the ZIP with its SHA-256 and size
remembered for the manifest and handed to the read-back beside the writing, and the photo
originals read out of the store a piece at a time."""

from __future__ import annotations

import hashlib
import sqlite3
import time
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.archive import layout, sealed
from app.archive.layout import ArchiveVerificationError
from app.store.schema import PhotoBlob


class EntryWriter:
    """Adds files to the ZIP and remembers each one's SHA-256 and size for the manifest."""

    def __init__(self, zf: zipfile.ZipFile, done: Callable[[zipfile.ZipInfo, str], None]) -> None:
        self.zf = zf
        self.files: dict[str, dict[str, Any]] = {}
        self._done = done  # each entry, once written, to the read-back beside the writing

    def record(self, name: str, sha256: str, size: int) -> None:
        self.files[name] = {"sha256": sha256, "bytes": size}
        self._done(self.zf.infolist()[-1], sha256)

    def json(self, name: str, obj: Any) -> None:
        data = layout.json_bytes(obj)
        # Stored like the photos: deflating a clinic's records (~10 MB of JSON to ~1 MB) and
        # inflating them on the read-back cost ~0.2 s of CPU, more than sealing, writing and
        # hashing the 9 MB it saves in an archive of hundreds of MB of photos. Archives
        # written before hold deflated JSON; zipfile and the read-back read both.
        self.zf.writestr(name, data, compress_type=zipfile.ZIP_STORED)
        self.record(name, hashlib.sha256(data).hexdigest(), len(data))

    def photo(self, sha256: str, size: int, pieces: Iterator[bytes]) -> None:
        # Stored, never recompressed: JPEG does not shrink, and the bytes stay the original's.
        # The name is the store's SHA-256; read-back verification hashes the bytes themselves.
        # Written piece by piece as writestr would write it whole (same header and descriptor).
        name = layout.photo_file(sha256)
        info = zipfile.ZipInfo(name, date_time=time.localtime(time.time())[:6])
        info.compress_type = zipfile.ZIP_STORED
        info.external_attr = 0o600 << 16
        info.file_size = size
        with self.zf.open(info, "w") as dest:
            for piece in pieces:
                dest.write(piece)
        if info.file_size != size:
            raise ArchiveVerificationError(
                f"The photo {sha256[:12]}… changed size while it was read; run `check`."
            )
        self.record(name, sha256, size)


_MMAP_BYTES = 1 << 40  # SQLite caps it at its compiled maximum


class Blobs:
    """Photo originals out of the store, a piece at a time, in the export's read transaction.

    On SQLite through incremental blob I/O on the session's own connection, with reads
    memory-mapped for the export: each byte is copied once, into the piece handed to the
    ZIP, instead of SQLite assembling the whole blob from 4 KB pages read one syscall each and
    Python copying it again (~0.3 s of a clinic's 600 MB of photos). Elsewhere, one query."""

    def __init__(self, s: Session) -> None:
        self._s = s
        raw = s.connection().connection.driver_connection
        self._raw = raw if isinstance(raw, sqlite3.Connection) else None
        if self._raw is not None:
            self._raw.execute(f"PRAGMA mmap_size={_MMAP_BYTES}")

    def close(self) -> None:
        if self._raw is not None:  # the connection goes back to the pool as it came
            self._raw.execute("PRAGMA mmap_size=0")

    def read(self, sha: str) -> tuple[int, Iterator[bytes]]:
        """The blob's size and its bytes in pieces; ArchiveVerificationError when missing."""
        missing = ArchiveVerificationError(
            f"The photo {sha[:12]}… is missing from the database; run `check`."
        )
        if self._raw is None:
            data = self._s.scalar(select(PhotoBlob.data).where(PhotoBlob.sha256 == sha))
            if data is None:
                raise missing
            return len(data), iter((data,))
        row = self._raw.execute("SELECT rowid FROM photo_blob WHERE sha256 = ?", (sha,)).fetchone()
        if row is None:
            raise missing
        blob = self._raw.blobopen("photo_blob", "data", row[0], readonly=True)
        return len(blob), self._pieces(blob)

    @staticmethod
    def _pieces(blob: sqlite3.Blob) -> Iterator[bytes]:
        with blob:
            while piece := blob.read(sealed.PIECE_BYTES):
                yield piece
