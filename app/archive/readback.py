"""Export's read-back (ADR 0023): the written file decrypted as a stream and every file of the
ZIP found again through its local header, hashed and compared with the manifest, without a
plaintext copy on disk. The import reads the same file with `zipfile` and checks it again.

The exporter knows where each entry starts and how long it is (zipfile's records of what it
wrote); the read-back checks that the bytes there are a local header naming that file followed
by data whose SHA-256 (after inflating, for JSON) is the manifest's, and that the stream ends
where the writer ended it (the last chunk's flag, checked by the decryption).
"""

from __future__ import annotations

import hashlib
import hmac
import io
import queue
import struct
import threading
import zipfile
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO, cast

from app.archive import sealed
from app.archive.layout import ArchiveVerificationError
from app.backup.container import BackupKey

_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, 22 bytes we do not need, n, m
_PIECE = 1 << 22
_AHEAD = 3  # decrypted chunks waiting to be hashed (4 MB each)
_END = object()
# Photos are hashed on threads of their own, two at a time: SHA-256 (~0.9 s of a clinic's
# 600 MB, OpenSSL, GIL released) is the read-back's longest pass, and on two cores two photos
# hash side by side while the reader decrypts the next. Entries are still checked in order.
_HASHERS = 2
_HASH_APART = 256 * 1024
_IN_FLIGHT = 4


class _Ahead:
    """The chunks of `produce()` read and decrypted on a thread of their own, a few ahead of
    the caller: the read and AES-GCM release the GIL, so on two cores they run while the caller
    hashes the chunk before (SHA-256, which releases it too). The iterator is made and used
    only on that thread (it owns the file's reads); its failure is raised to the caller at the
    point it happened. `close()` stops the thread whether or not all was read."""

    def __init__(self, produce: Callable[[], Iterator[bytes]]) -> None:
        self._queue: queue.Queue[object] = queue.Queue(_AHEAD)
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(produce,), name="archive-readback", daemon=True
        )
        self._thread.start()

    def _put(self, item: object) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self, produce: Callable[[], Iterator[bytes]]) -> None:
        try:
            for chunk in produce():
                if not self._put(chunk):
                    return
            self._put(_END)
        except BaseException as exc:  # handed to the caller, raised where it reads
            self._put(exc)

    def __iter__(self) -> Iterator[bytes]:
        while True:
            item = self._queue.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            assert isinstance(item, bytes)
            yield item

    def close(self) -> None:
        self._stop.set()
        self._thread.join()


class _Stream:
    """Sequential reads over an iterator of chunks, with the position kept."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._chunk = memoryview(b"")
        self._at = 0
        self.position = 0

    def _fill(self) -> bool:
        while self._at >= len(self._chunk):
            nxt = next(self._chunks, None)
            if nxt is None:
                return False
            self._chunk, self._at = memoryview(nxt), 0
        return True

    def pieces(self, n: int) -> Iterator[memoryview]:
        """The next n bytes, as views of the chunks (no copy)."""
        while n > 0:
            if not self._fill():
                raise ArchiveVerificationError("The archive read back is shorter than written.")
            piece = self._chunk[self._at : self._at + min(n, _PIECE)]
            self._at += len(piece)
            self.position += len(piece)
            n -= len(piece)
            yield piece

    def read(self, n: int) -> bytes:
        return b"".join(self.pieces(n))

    def skip_to(self, offset: int) -> None:
        if offset < self.position:
            raise ArchiveVerificationError("The archive's entries overlap.")
        for _ in self.pieces(offset - self.position):
            pass

    def rest(self) -> int:
        """Read to the end; how many bytes were left."""
        left = len(self._chunk) - self._at
        for chunk in self._chunks:
            left += len(chunk)
        self._chunk, self._at = memoryview(b""), 0
        self.position += left
        return left


def _entry_pieces(stream: _Stream, info: zipfile.ZipInfo) -> list[memoryview]:
    """The entry's stored bytes, as views of the decrypted chunks, after checking that its
    local header is where the writer put it and names it."""
    stream.skip_to(info.header_offset)
    signature, n, m = _LOCAL_HEADER.unpack(stream.read(_LOCAL_HEADER.size))
    name = stream.read(n)
    stream.read(m)
    if signature != b"PK\x03\x04" or name.decode("utf-8") != info.filename:
        raise ArchiveVerificationError(f"{info.filename} is not where the archive says it is.")
    return list(stream.pieces(info.compress_size))


def _sha256(pieces: list[memoryview], deflated: bool) -> str:
    digest = hashlib.sha256()
    inflate = zlib.decompressobj(-15) if deflated else None
    for piece in pieces:
        digest.update(inflate.decompress(piece) if inflate else piece)
    if inflate:
        digest.update(inflate.flush())
    return digest.hexdigest()


def _verify(
    f: BinaryIO,
    key: Callable[[], BackupKey],
    entries: Iterable[zipfile.ZipInfo],
    expected: Callable[[str], str],
    plain_bytes: Callable[[], int],
) -> None:
    try:
        header = sealed.read_archive_header(f)
        the_key = key()
        if not hmac.compare_digest(
            sealed.key_check(the_key.key), str(header.info.get("key_check", ""))
        ):
            raise ArchiveVerificationError("The archive read back is not the one written.")
        ahead = _Ahead(lambda: sealed.plaintext_chunks(f, header, the_key.key))
        hashers = ThreadPoolExecutor(_HASHERS, thread_name_prefix="archive-sha256")
        try:
            stream = _Stream(iter(ahead))
            pending: deque[tuple[str, Future[str]]] = deque()

            def check(name: str, sha: Future[str]) -> None:
                if sha.result() != expected(name):
                    raise ArchiveVerificationError(
                        f"{name} did not read back as written: the disk may be failing."
                    )

            for info in entries:
                pieces = _entry_pieces(stream, info)
                deflated = info.compress_type == zipfile.ZIP_DEFLATED
                if info.compress_size >= _HASH_APART:
                    sha = hashers.submit(_sha256, pieces, deflated)
                else:  # a record's JSON: hashed here, a thread would cost more
                    sha = Future()
                    sha.set_result(_sha256(pieces, deflated))
                pending.append((info.filename, sha))
                # checked in the order written; a few photos (their chunks) in flight
                while len(pending) > _IN_FLIGHT or (pending and pending[0][1].done()):
                    check(*pending.popleft())
            while pending:
                check(*pending.popleft())
            stream.rest()
        finally:
            hashers.shutdown(wait=True, cancel_futures=True)
            ahead.close()
    except (sealed.DamagedArchiveError, sealed.NotAnArchiveError) as exc:
        raise ArchiveVerificationError(f"The archive did not read back: {exc}") from None
    except (struct.error, UnicodeDecodeError, zlib.error) as exc:
        raise ArchiveVerificationError(f"The archive did not read back ({exc}).") from None
    if stream.position != plain_bytes():
        raise ArchiveVerificationError("The archive read back is not as long as written.")


def verify_written(
    path: Path,
    key: BackupKey,
    entries: list[zipfile.ZipInfo],
    expected: dict[str, str],
    plain_bytes: int,
) -> None:
    """ArchiveVerificationError unless every entry reads back with its expected SHA-256."""
    with open(path, "rb") as f:
        _verify(
            f,
            lambda: key,
            sorted(entries, key=lambda i: i.header_offset),
            expected.__getitem__,
            lambda: plain_bytes,
        )


class Written:
    """How far a writer has flushed its file and whether it finished (or gave up): what a
    read-back running beside the writing waits on."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._flushed = 0
        self._state: bool | None = None  # None: writing; True: finished; False: abandoned

    def advance(self, flushed: int) -> None:
        with self._cond:
            self._flushed = flushed
            self._cond.notify_all()

    def end(self, finished: bool) -> None:
        with self._cond:
            self._state = finished
            self._cond.notify_all()

    def wait_for(self, offset: int) -> None:
        with self._cond:
            while self._flushed < offset and self._state is None:
                self._cond.wait()
            if self._state is False:
                raise _Abandoned


class _Abandoned(Exception):
    """The writing stopped; the read-back beside it stops too."""


class _Tail(io.RawIOBase):
    """The file being written, read as far as the writer has flushed it: a read waits for the
    bytes it asks for (or for the writer to finish, when the file may end short of them)."""

    def __init__(self, f: BinaryIO, written: Written) -> None:
        super().__init__()
        self._f = f
        self._written = written

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        at = self._f.tell()
        self._written.wait_for(at + n if n >= 0 else 1 << 62)
        return self._f.read(n)

    def tell(self) -> int:
        return self._f.tell()

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._f.seek(offset, whence)


class Beside:
    """The read-back running on a thread beside the writing, so that decrypting and hashing
    what was written overlaps reading and sealing what comes next (on two cores, most of the
    read-back's second or so). It reads the file itself, as the writer flushed it, entry by
    entry as the exporter hands them over with their expected SHA-256; `finish` waits for it
    and raises what it found."""

    def __init__(self, path: Path, key: Callable[[], BackupKey], written: Written) -> None:
        self._f = open(path, "rb")  # noqa: SIM115  # closed by finish/stop, on the thread's end
        self._written = written
        self._entries: queue.Queue[object] = queue.Queue()
        self._expected: dict[str, str] = {}
        self._plain = -1
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, args=(key,), name="archive-beside", daemon=True
        )
        self._thread.start()

    def add(self, info: zipfile.ZipInfo, sha256: str) -> None:
        """An entry the writer has finished (in the order written)."""
        self._expected[info.filename] = sha256
        self._entries.put(info)

    def _each(self) -> Iterator[zipfile.ZipInfo]:
        while (item := self._entries.get()) is not _END:
            assert isinstance(item, zipfile.ZipInfo)
            yield item

    def _run(self, key: Callable[[], BackupKey]) -> None:
        try:
            tail = _Tail(self._f, self._written)
            plain = lambda: self._plain  # noqa: E731  # read when the stream has ended
            _verify(cast(BinaryIO, tail), key, self._each(), self._expected.__getitem__, plain)
        except BaseException as exc:  # raised by finish()
            self._error = exc
        finally:
            self._f.close()

    def finish(self, plain_bytes: int) -> None:
        """After the writer's close: wait for the read-back; ArchiveVerificationError if any
        entry did not read back as written."""
        self._plain = plain_bytes
        self._entries.put(_END)
        self._thread.join()
        if isinstance(self._error, _Abandoned):
            raise ArchiveVerificationError("The archive was not written whole.")
        if self._error is not None:
            raise self._error

    def stop(self) -> None:
        """The writing failed: end the read-back, whatever it found."""
        self._written.end(False)
        self._entries.put(_END)
        self._thread.join()
