"""Is the SQLite file on a network file system? (issue #13)

SQLite's locking is not reliable over network file systems (SMB, NFS, AFP, WebDAV, sshfs):
several rooms sharing one file corrupt it sooner or later (sqlite.org, "How To Corrupt An
SQLite Database File", 2.1). A clinic with several rooms belongs on the PostgreSQL server. The
operating system can tell where the file lives: this says so, where it can, and nothing
where it cannot (a warning, never a refusal: a single laptop on a share still works).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

NETWORK_TYPES = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb",
        "smb2",
        "smb3",
        "smbfs",
        "afpfs",
        "webdav",
        "davfs",
        "fuse.sshfs",
        "sshfs",
        "9p",
        "ncpfs",
        "fuse.rclone",
        "glusterfs",
        "ceph",
        "fuse.glusterfs",
    }
)


def _mount_point_type(path: Path, mounts: list[tuple[str, str]]) -> str | None:
    """The file system type of the longest mount point containing `path`."""
    best, kind = "", None
    text = path.as_posix()
    for point, fstype in mounts:
        inside = text == point or text.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, fstype
    return kind


def parse_proc_mounts(text: str) -> list[tuple[str, str]]:
    """(mount point, type) from /proc/mounts; octal escapes (\\040 for a space) decoded."""
    out = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 3:
            point = fields[1].encode().decode("unicode_escape")
            out.append((point, fields[2]))
    return out


def parse_bsd_mount(text: str) -> list[tuple[str, str]]:
    """(mount point, type) from macOS's `mount` output: `//u@srv/share on /Volumes/x (smbfs, …)`."""
    out = []
    for line in text.splitlines():
        if " on " not in line or "(" not in line:
            continue
        rest = line.split(" on ", 1)[1]
        point, _, opts = rest.rpartition(" (")
        out.append((point, opts.split(",", 1)[0].strip(" )")))
    return out


def _windows_remote(path: Path) -> bool:
    text = str(path)
    if text.startswith("\\\\") or text.startswith("//"):
        return True  # a UNC path: \\server\share
    import ctypes

    drive = os.path.splitdrive(text)[0]
    if not drive:
        return False
    DRIVE_REMOTE = 4
    windll = getattr(ctypes, "windll")  # noqa: B009 - Windows only; absent from Linux typeshed
    get_type = windll.kernel32.GetDriveTypeW
    return int(get_type(drive + "\\")) == DRIVE_REMOTE


def network_file_system(path: Path) -> str | None:
    """The network file system `path` is on ("cifs", "smbfs", "network drive", …), or None
    when it is local or the system cannot tell."""
    try:
        resolved = path.resolve()
        if sys.platform == "win32":
            return "network drive" if _windows_remote(resolved) else None
        if sys.platform == "darwin":
            out = subprocess.run(["mount"], capture_output=True, text=True, timeout=5).stdout
            mounts = parse_bsd_mount(out)
        else:
            mounts = parse_proc_mounts(Path("/proc/mounts").read_text(encoding="utf-8"))
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    kind = _mount_point_type(resolved, mounts)
    return kind if kind in NETWORK_TYPES else None


def warning_for(path: Path) -> str | None:
    """The sentence a clinician sees, or None."""
    kind = network_file_system(path)
    if kind is None:
        return None
    return (
        f"This database is on a network share ({kind}). SQLite files shared over a network "
        "are damaged sooner or later when several rooms use them: keep the database on this "
        "laptop, or move the clinic to a FaceChart server (see the admin guide)."
    )
