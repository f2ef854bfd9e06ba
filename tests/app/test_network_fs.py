"""A SQLite file on a network share is warned about (issue #13): the mount tables of Linux and
macOS as the systems print them, a UNC path, and this machine's own local files."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from app.services.store import storage_warning
from app.store import network_fs
from app.store.database import Store

PROC_MOUNTS = """\
/dev/nvme0n1p2 / ext4 rw,relatime 0 0
//nas/clinic /mnt/clinic cifs rw,vers=3.1.1 0 0
nas:/export /srv/nfs nfs4 rw 0 0
/dev/sdb1 /mnt/clinic/usb vfat rw 0 0
//nas/Front\\040Desk /mnt/front\\040desk cifs rw 0 0
"""

MAC_MOUNT = """\
/dev/disk3s1s1 on / (apfs, sealed, local, read-only, journaled)
//ana@nas._smb._tcp.local/Clinic on /Volumes/Clinic (smbfs, nodev, nosuid, mounted by ana)
/dev/disk4s1 on /Volumes/USB Stick (msdos, local, nodev, nosuid, noowners)
"""


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/mnt/clinic/facechart.db", "cifs"),
        ("/srv/nfs/db/facechart.db", "nfs4"),
        ("/mnt/clinic/usb/facechart.db", "vfat"),  # a USB stick inside the share's folder
        ("/home/ana/.local/share/FaceChart/facechart.db", "ext4"),
        ("/mnt/front desk/facechart.db", "cifs"),
        ("/mnt/clinical/facechart.db", "ext4"),  # a longer name is not inside /mnt/clinic
    ],
)
def test_linux_mount_table(path: str, kind: str) -> None:
    mounts = network_fs.parse_proc_mounts(PROC_MOUNTS)
    assert network_fs._mount_point_type(Path(path), mounts) == kind


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/Volumes/Clinic/FaceChart/facechart.db", "smbfs"),
        ("/Volumes/USB Stick/facechart.db", "msdos"),
        ("/Users/ana/Library/Application Support/FaceChart/facechart.db", "apfs"),
    ],
)
def test_macos_mount_table(path: str, kind: str) -> None:
    mounts = network_fs.parse_bsd_mount(MAC_MOUNT)
    assert network_fs._mount_point_type(Path(path), mounts) == kind
    assert ("smbfs" in network_fs.NETWORK_TYPES) and ("msdos" not in network_fs.NETWORK_TYPES)


@pytest.mark.skipif(sys.platform == "win32", reason="a UNC path is a Windows path")
def test_unc_paths_are_remote_on_windows_rules() -> None:
    assert network_fs._windows_remote(Path("//nas/clinic/facechart.db"))


def test_a_local_database_has_no_warning(sqlite_store: Store) -> None:
    assert storage_warning(sqlite_store) is None  # the test's tmp folder is local


def test_the_warning_says_what_to_do(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(network_fs, "network_file_system", lambda p: "cifs")
    text = network_fs.warning_for(tmp_path / "facechart.db")
    assert text is not None and "network share (cifs)" in text and "server" in text
