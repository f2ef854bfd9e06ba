"""Files and folders only their owner can read (issue #11).

A patient's photos, names and dates of birth live in the database, its `-wal`/`-shm` side
files, the drafts and the camera's stills: another account on the laptop must not read them.
On POSIX, FaceChart's folders are 0700 and its files 0600. SQLite creates a new database 0644
(less the umask) and its `-wal`/`-shm` with the database file's mode, so the database is
created 0600 before SQLite sees it, and re-tightened, with its side files, whenever it is
opened (a database from an older FaceChart is 0644). On Windows the user profile is already
private and chmod only toggles read-only: nothing is done there.

Every step is best effort: a folder or file FaceChart may not chmod (another account's, on a
network share) is used as it is rather than refusing to start.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import tempfile
from pathlib import Path

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")
POSIX = os.name == "posix"


def restrict(path: Path, mode: int) -> None:
    """chmod `path` to `mode` on POSIX when it exists and is ours; never raises."""
    if not POSIX:
        return
    with contextlib.suppress(OSError):
        if (os.stat(path).st_mode & 0o777) != mode:
            os.chmod(path, mode)


def private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) 0700; a folder that exists is made 0700 too.
    Use it for FaceChart's own folders only, never for a folder the user picked."""
    created_dirs(path)
    restrict(path, PRIVATE_DIR_MODE)
    return path


def created_dirs(path: Path) -> Path:
    """Create `path` and its missing parents; only the folders made here become 0700 (a
    database in the user's own folder leaves that folder's mode alone)."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    for folder in missing:  # mkdir's mode only loses bits to the umask: set it exactly
        restrict(folder, PRIVATE_DIR_MODE)
    return path


def create_private_file(path: Path) -> None:
    """Create an empty file 0600 if there is none (a new SQLite database is an empty file)."""
    with contextlib.suppress(FileExistsError):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
        os.close(fd)
    restrict(path, PRIVATE_FILE_MODE)


def restrict_sqlite_files(database: Path) -> None:
    """The database file and whichever of its side files exist, 0600."""
    restrict(database, PRIVATE_FILE_MODE)
    for suffix in SQLITE_SIDE_FILES:
        restrict(database.with_name(database.name + suffix), PRIVATE_FILE_MODE)


def open_private_append(path: Path) -> int:
    """A file descriptor appending to `path`, created 0600 (an existing log is tightened)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE_MODE)
    restrict(path, PRIVATE_FILE_MODE)
    return fd


_session_dirs: dict[str, Path] = {}


def session_temp_dir(prefix: str) -> Path:
    """A private temporary folder for this run of FaceChart: made by tempfile.mkdtemp (0700,
    a fresh random name, so never a folder another account made beforehand under a known
    name) and removed at exit. A new one is made if the system's cleaner removed it."""
    folder = _session_dirs.get(prefix)
    if folder is None or not folder.is_dir():
        folder = Path(tempfile.mkdtemp(prefix=prefix))
        _session_dirs[prefix] = folder
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder
