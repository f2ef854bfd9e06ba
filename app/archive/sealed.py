"""An archive file is encrypted like a backup (app/backup/container.py, ADR 0023): the same
magic, header and AES-256-GCM chunks under an Argon2id key of the passphrase, with
`"content": "facechart-archive"` in the header so neither kind is taken for the other.

Two additions of the archive's own: the ZIP is encrypted as it is written (no plaintext copy
on disk, one pass over the photos), and the header carries a key check (HMAC-SHA256 of a fixed
label under the key) so a wrong passphrase is told apart from a damaged file: the first exits 2,
the second is a failed verification (exit 1).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import os
import struct
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.backup import container
from app.backup.container import BackupFileError, BackupKey, Header
from app.security import secrets

CONTENT = "facechart-archive"
ARCHIVE_FORMAT = 1
_KEY_CHECK_LABEL = b"FaceChart archive key check v1"
_LARGE_WRITE = 256 * 1024  # a write this big is sealed where it lies
PIECE_BYTES = container.CHUNK_BYTES  # a piece of a photo handed to write(): one chunk


class WrongPassphraseError(ValueError):
    """The passphrase does not open this archive (its key check says so)."""


class NotAnArchiveError(ValueError):
    """Another kind of file (a backup, a plain ZIP): bad input, exit 2."""


class DamagedArchiveError(ValueError):
    """The file is not an archive, cut short or altered: a failed verification."""


def key_check(key: bytes) -> str:
    return hmac.new(key, _KEY_CHECK_LABEL, hashlib.sha256).hexdigest()


def _aad(header: Header, number: int, last: bool) -> bytes:
    return header.digest + struct.pack(">QB", number, 1 if last else 0)


class Flushed(Protocol):
    """Told how far the file is flushed, and when the writing ended (finished or not)."""

    def advance(self, flushed: int) -> None: ...

    def end(self, finished: bool) -> None: ...


class SealingWriter(io.RawIOBase):
    """A write-only stream that encrypts what it is given into `out`, chunk by chunk. The last
    chunk carries the last flag, so `close()` must be called (a file without it is cut short).

    Encrypting and writing run on a thread of the writer's own, one chunk behind the caller:
    AES-GCM and the file write release the GIL, so on a machine of two cores they overlap with
    the caller reading the next photo out of SQLite and zipfile's CRC-32 of it. Chunks are
    sealed and written in order (one thread), and a failure on the thread is raised by the
    next `write` or by `close`.

    `key` may be a Future of the key: the Argon2id derivation (~0.5 s) then runs while the
    records' JSON is gathered, and the header (which carries the key check) is written when the
    first chunk is sealed; nothing reaches `out` before it."""

    def __init__(
        self,
        out: BinaryIO,
        key: BackupKey | Future[BackupKey],
        info: dict[str, Any],
        flushed: Flushed | None = None,
    ) -> None:
        super().__init__()
        self._out = out
        self._flushed = flushed  # a read-back beside the writing follows the file's end
        self._file_bytes = 0
        self._prefix = os.urandom(4)
        self._info = info
        self._key: BackupKey | Future[BackupKey] = key
        self._header: Header | None = None
        self._aead: AESGCM | None = None
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="archive-seal")
        self._pending: deque[Future[None]] = deque()
        # Small writes (ZIP headers, JSON) gather into one chunk; a large one (a photo) is sealed
        # in place as chunks of its own, never copied into a buffer first: chunks may differ
        # in length (each is length-prefixed). The newest chunk is held back until more
        # follows, since the one that ends the file must carry the last flag.
        self._small: list[bytes] = []
        self._small_size = 0
        self._held: bytes | memoryview | None = None
        self._number = 0
        self.written = 0  # plaintext bytes
        if isinstance(key, BackupKey):
            self._start(key)

    @property
    def key(self) -> BackupKey:
        """The key written with (waits for its derivation)."""
        return self._key if isinstance(self._key, BackupKey) else self._key.result()

    def _start(self, key: BackupKey) -> None:
        body = {
            **self._info,
            "content": CONTENT,
            "archive_format": ARCHIVE_FORMAT,
            "format": container.FORMAT,
            "kdf": {
                "name": "argon2id",
                "t": secrets.TIME_COST,
                "m": secrets.MEMORY_COST_KIB,
                "p": secrets.PARALLELISM,
                "salt": base64.b64encode(key.salt).decode("ascii"),
            },
            "key_check": key_check(key.key),
            "nonce_prefix": self._prefix.hex(),
        }
        raw = json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")
        self._header = Header(body, raw)
        self._aead = AESGCM(key.key)
        self._key = key
        self._out.write(container.MAGIC + struct.pack(">I", len(raw)) + raw)
        self._file_bytes += len(container.MAGIC) + 4 + len(raw)

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        # bytes cannot change under us; anything else (a reused buffer) is copied
        piece = data if isinstance(data, bytes) else memoryview(data).cast("B").tobytes()
        n = len(piece)
        self.written += n
        if n >= _LARGE_WRITE:
            self._flush_small()
            view = memoryview(piece)
            for at in range(0, n, container.CHUNK_BYTES):
                self._next(view[at : at + container.CHUNK_BYTES])
        elif n:
            self._small.append(piece)
            self._small_size += n
            if self._small_size >= container.CHUNK_BYTES:
                self._flush_small()
        return n

    def _flush_small(self) -> None:
        if self._small:
            self._next(b"".join(self._small))
            self._small, self._small_size = [], 0

    def _next(self, chunk: bytes | memoryview) -> None:
        if self._held is not None:
            self._seal(self._held, last=False)
        self._held = chunk

    def _seal(self, chunk: bytes | memoryview, last: bool) -> None:
        if self._header is None:
            self._start(self.key)
        assert self._header is not None
        nonce = self._prefix + struct.pack(">Q", self._number)
        aad = _aad(self._header, self._number, last)
        self._number += 1
        self._pending.append(self._pool.submit(self._seal_and_write, nonce, chunk, aad))
        # at most two chunks in flight (8 MB): memory stays flat, a failure surfaces soon
        while len(self._pending) > 2 or (self._pending and self._pending[0].done()):
            self._pending.popleft().result()

    def _seal_and_write(self, nonce: bytes, chunk: bytes | memoryview, aad: bytes) -> None:
        """On the writer's thread, in order."""
        assert self._aead is not None
        sealed = self._aead.encrypt(nonce, chunk, aad)
        self._out.write(struct.pack(">I", len(sealed)))
        self._out.write(sealed)  # not concatenated: that would copy 4 MB once more
        self._file_bytes += 4 + len(sealed)
        if self._flushed is not None:
            self._out.flush()
            self._flushed.advance(self._file_bytes)

    def abandon(self) -> None:
        """Stop after a failure: wait for the chunk being written, seal nothing more (the file
        is left without its last chunk, so it can never pass for a whole archive)."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._pending.clear()
        self._held, self._small = None, []
        if self._flushed is not None:
            self._flushed.end(False)
        super().close()

    def close(self) -> None:
        if not self.closed:
            try:
                self._flush_small()
                self._seal(self._held if self._held is not None else b"", last=True)
                self._held = None
                while self._pending:
                    self._pending.popleft().result()
                if self._flushed is not None:
                    self._flushed.end(True)
            finally:
                self._pool.shutdown(wait=True, cancel_futures=True)
                super().close()


def read_archive_header(f: BinaryIO) -> Header:
    start = f.tell()
    if f.read(len(container.MAGIC)) != container.MAGIC:
        raise NotAnArchiveError("This file is not a FaceChart archive.")
    f.seek(start)
    try:
        header = container.read_header(f)
    except BackupFileError as exc:
        raise DamagedArchiveError(str(exc).replace("backup", "archive")) from None
    if header.info.get("content") != CONTENT:
        raise NotAnArchiveError(
            "This file is not a FaceChart archive (a backup is restored with `restore`)."
        )
    if header.info.get("archive_format") != ARCHIVE_FORMAT:
        raise DamagedArchiveError("This archive was written by another version of FaceChart.")
    return header


def archive_key(header: Header, passphrase: str) -> bytes:
    """The key of `passphrase` for this archive; WrongPassphraseError when it is not the one."""
    kdf = header.info.get("kdf") or {}
    if (kdf.get("t"), kdf.get("m"), kdf.get("p")) != (
        secrets.TIME_COST,
        secrets.MEMORY_COST_KIB,
        secrets.PARALLELISM,
    ):
        raise DamagedArchiveError(
            "This archive was written with key settings this FaceChart lacks."
        )
    try:
        salt = base64.b64decode(kdf["salt"])
    except (KeyError, ValueError, TypeError):
        raise DamagedArchiveError("This archive is damaged (its header cannot be read).") from None
    key = secrets.derive_key(passphrase, salt)
    if not hmac.compare_digest(key_check(key), str(header.info.get("key_check", ""))):
        raise WrongPassphraseError("The passphrase does not open this archive.")
    return key


def plaintext_chunks(f: BinaryIO, header: Header, key: bytes) -> Iterator[bytes]:
    """The decrypted chunks; DamagedArchiveError where the file was altered or cut short."""
    try:
        yield from container.decrypt_with_key(f, header, key)
    except BackupFileError as exc:
        raise DamagedArchiveError(
            str(exc)
            .replace("backup", "archive")
            .replace(
                "The passphrase does not open this archive (or the file is damaged)",
                "This archive is damaged (part 1)",
            )
        ) from None


def decrypt_to(path: Path, passphrase: str | BackupKey, out: BinaryIO) -> Header:
    """Decrypt the archive at `path` into `out`; the header it carried. Given the key it was
    written with (export's read-back), the Argon2id derivation is not repeated."""
    with open(path, "rb") as f:
        header = read_archive_header(f)
        if isinstance(passphrase, BackupKey):
            if not hmac.compare_digest(
                key_check(passphrase.key), str(header.info.get("key_check", ""))
            ):
                raise DamagedArchiveError("The archive read back does not carry its own key.")
            key = passphrase.key
        else:
            key = archive_key(header, passphrase)
        for chunk in plaintext_chunks(f, header, key):
            out.write(chunk)
    return header
