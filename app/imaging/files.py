"""The one door from a file the user chose to its bytes (docs/capture.md, "What is refused").

A photo is picked by hand, dropped from a file manager or named on the command line, so the path
can be anything: a FIFO named `.jpg` (an open for reading waits for a writer: the import hung),
a symlink to `/dev/zero` (read until memory ran out), a folder, a 4 GB video. Only a regular
file is read, and never more than the limit: its size is checked first and the read stops at
limit + 1 bytes, so a file that grows while it is read, or lies about its size, still stops.
Every message is a sentence for the clinician (an ImageError).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from app.imaging.decode import ImageError

MAX_FILE_BYTES = 200 * 1024 * 1024  # a 100-MP 16-bit TIFF fits; a video picked by mistake not
CHUNK = 8 * 1024 * 1024

# O_NONBLOCK: opening a FIFO for reading returns at once instead of waiting for a writer (POSIX;
# Windows has no FIFOs in the file system and no such flag). O_BINARY: Windows' text mode.
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_BINARY", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)  # a terminal device never becomes our controlling terminal
)


def _unreadable(reason: str) -> ImageError:
    return ImageError(f"The file could not be read: {reason}")


def _too_big(size: int, limit: int) -> ImageError:
    mb = 1024 * 1024
    shown = max(size // mb, limit // mb + 1) if size > limit else size // mb
    return ImageError(f"The file is {shown} MB, over the {limit // mb} MB limit.")


def _refuse_if_not_regular(mode: int) -> None:
    if stat.S_ISDIR(mode):
        raise _unreadable("it is a folder, not a photo file.")
    if not stat.S_ISREG(mode):
        # a pipe, a device (/dev/zero), a socket: reading one can block or never end
        raise _unreadable(
            "it is not an ordinary file (it is a pipe, a device or another special file), "
            "so FaceChart does not open it."
        )


def _os_error(exc: OSError) -> ImageError:
    if isinstance(exc, FileNotFoundError):
        return _unreadable("it does not exist any more (it may have been moved or deleted).")
    if isinstance(exc, PermissionError):
        return _unreadable(
            "this computer account is not allowed to open it (permission denied). "
            "Copy it somewhere you can open it, or ask whoever manages the computer."
        )
    if isinstance(exc, IsADirectoryError):
        return _unreadable("it is a folder, not a photo file.")
    if exc.errno == getattr(errno, "ELOOP", None):  # a symlink loop (POSIX)
        return _unreadable("it is a shortcut (link) that leads back to itself.")
    return _unreadable(f"{exc.strerror or exc}.")


def read_user_file(path: Path | str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file no larger than `limit`; ImageError with a clear message for
    anything else (missing, a folder, a pipe or device, too big, not permitted)."""
    try:
        # os.stat follows symlinks: a link is judged by what it leads to (/dev/zero: a device)
        _refuse_if_not_regular(os.stat(path).st_mode)
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise _os_error(exc) from exc
    except (RuntimeError, ValueError) as exc:  # a NUL in the name, a symlink loop in a resolve
        raise _unreadable(str(exc)) from exc
    try:
        st = os.fstat(fd)
        # again on what was opened: the path may have been swapped for a FIFO since the stat
        _refuse_if_not_regular(st.st_mode)
        if st.st_size > limit:
            raise _too_big(st.st_size, limit)
        return _read_at_most(fd, st.st_size, limit)
    except OSError as exc:
        raise _os_error(exc) from exc
    finally:
        os.close(fd)


def _read_at_most(fd: int, expected: int, limit: int) -> bytes:
    """Up to limit + 1 bytes: one read for the size the file claims (+ 1 to see it grew), then
    chunks until the end; more than `limit` is refused without reading on."""
    chunks: list[bytes] = []
    total = 0
    want = min(expected + 1, limit + 1)
    while total <= limit:
        part = os.read(fd, max(1, min(want, limit + 1 - total)))
        if not part:
            break
        chunks.append(part)
        total += len(part)
        want = CHUNK
    if total > limit:
        raise _too_big(total, limit)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def read_photo_file(path: Path | str) -> bytes:
    """A photo file's bytes, within the photo size limit (MAX_FILE_BYTES)."""
    return read_user_file(path, MAX_FILE_BYTES)
