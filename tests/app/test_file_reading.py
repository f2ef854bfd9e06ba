"""Reading a file the user chose (issue 11, "Import hardening"): only regular files, never past
the size limit, and messages a clinician can act on. Real files in tmp_path; the FIFO and
/dev/zero cases are POSIX-only. A call that could hang runs on a daemon thread under a timeout,
so a regression fails the test instead of hanging the run."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import tracemalloc
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from app.imaging import files
from app.imaging.decode import ENDS_EARLY, ImageError, decode_upright
from app.services import patients, photos
from app.store.database import Store
from tests.app.fault_helpers import row_counts
from tests.images import face_image, heic_bytes, jpeg_bytes, png_bytes

ROOT = Path(__file__).resolve().parents[2]
POSIX_ONLY = pytest.mark.skipif(
    not hasattr(os, "mkfifo"), reason="FIFOs and /dev/zero exist on POSIX only"
)
# What decoders say; none of it may reach the clinician.
DECODER_WORDS = (
    "truncated file read",
    "bytes not processed",
    "premature end",
    "corrupt jpeg",
    "image file is",
    "marker",
    "libjpeg",
    "errno",
    "decoder",
)


@pytest.fixture
def patient_id(store: Store) -> int:
    return patients.create_patient(store, "Ines", "Duarte", date(1979, 3, 4)).id


def _within(seconds: float, call: Callable[[], object], unblock: Callable[[], None]) -> object:
    """call() on a daemon thread; fails (after `unblock()`, so the thread can end) when it has
    not returned in `seconds`. Returns its result or the exception it raised."""
    box: list[object] = []

    def run() -> None:
        try:
            box.append(call())
        except BaseException as exc:
            box.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        unblock()
        pytest.fail(f"the call did not return within {seconds} s (it blocks)")
    return box[0]


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _unblock_fifo(path: Path) -> Callable[[], None]:
    """Open the FIFO for writing and close it: a reader blocked in open() then returns."""

    def go() -> None:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)

    return go


@POSIX_ONLY
def test_fifo_named_jpg_is_refused_at_once(store: Store, patient_id: int, tmp_path: Path):
    fifo = _fifo(tmp_path / "IMG_0001.jpg")
    before = row_counts(store)
    for call in (
        lambda: files.read_photo_file(fifo),
        lambda: photos.add_photo_file(store, patient_id, "rest", fifo),
        lambda: photos.check_photo_file(fifo, 192),
    ):
        outcome = _within(5, call, _unblock_fifo(fifo))
        text = outcome.error if isinstance(outcome, photos.CheckedFile) else str(outcome)
        assert isinstance(outcome, ImageError | photos.CheckedFile)
        assert "not an ordinary file" in text and "pipe" in text
    assert row_counts(store) == before


@POSIX_ONLY
def test_symlink_to_dev_zero_is_refused_without_reading(
    store: Store, patient_id: int, tmp_path: Path
):
    link = tmp_path / "photo.jpg"
    link.symlink_to("/dev/zero")
    before = row_counts(store)
    tracemalloc.start()
    try:
        outcome = _within(5, lambda: files.read_photo_file(link), lambda: None)
        with pytest.raises(ImageError, match="not an ordinary file"):
            photos.add_photo_file(store, patient_id, "rest", link)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert isinstance(outcome, ImageError) and "device" in str(outcome)
    assert peak < 5 * 1024**2  # nothing of /dev/zero was read
    assert row_counts(store) == before


def test_symlink_to_a_photo_is_read_as_the_photo(tmp_path: Path):
    """Symlinks are followed: it is what they lead to that is judged."""
    real = tmp_path / "real.jpg"
    real.write_bytes(jpeg_bytes())
    link = tmp_path / "link.jpg"
    try:
        link.symlink_to(real)
    except OSError:  # Windows without the symlink privilege
        pytest.skip("this account cannot make symlinks")
    assert files.read_photo_file(link) == real.read_bytes()


def test_file_over_the_limit_is_refused_from_its_size(
    store: Store, patient_id: int, tmp_path: Path
):
    path = tmp_path / "IMG_0002.jpg"
    with path.open("wb") as f:
        f.truncate(250 * 1024**2)  # sparse: no disk space, no time
    before = row_counts(store)
    tracemalloc.start()
    try:
        with pytest.raises(ImageError, match="250 MB, over the 200 MB limit"):
            files.read_photo_file(path)
        checked = photos.check_photo_file(path, 192)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert checked.data is None and "over the 200 MB limit" in checked.error
    assert peak < 5 * 1024**2
    assert row_counts(store) == before


def test_the_limit_is_exact(tmp_path: Path):
    path = tmp_path / "a.bin"
    path.write_bytes(b"x" * 1000)
    assert files.read_user_file(path, 1000) == b"x" * 1000
    with pytest.raises(ImageError, match="over the"):
        files.read_user_file(path, 999)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="Linux /proc only")
def test_reading_stops_at_the_limit_when_the_size_lies(tmp_path: Path):
    """/proc files say they are 0 bytes and are not: the read itself stops at limit + 1."""
    status = Path("/proc/self/status")
    assert status.stat().st_size == 0 and len(status.read_bytes()) > 100
    with pytest.raises(ImageError, match="over the"):
        files.read_user_file(status, 50)
    assert len(files.read_user_file(status, 1 << 20)) > 100


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="POSIX permissions; root reads everything (CI runs as root)",
)
def test_unreadable_file_says_permission(tmp_path: Path):
    path = tmp_path / "locked.jpg"
    path.write_bytes(jpeg_bytes())
    path.chmod(0)
    try:
        with pytest.raises(ImageError, match="not allowed to open it \\(permission denied\\)"):
            files.read_photo_file(path)
    finally:
        path.chmod(0o600)


def test_missing_file_and_folder_are_named(tmp_path: Path):
    with pytest.raises(ImageError, match="does not exist any more"):
        files.read_photo_file(tmp_path / "gone.jpg")
    with pytest.raises(ImageError, match="is a folder"):
        files.read_photo_file(tmp_path)


def _truncated_jpeg() -> bytes:
    data = jpeg_bytes()
    return data[: len(data) // 2]


def _truncated_png() -> bytes:
    data = png_bytes()
    return data[: len(data) // 2]


def _jpeg_cut_8_bytes_short() -> bytes:
    """Pillow's "image file is truncated (8 bytes not processed)" (a JPEG cut near its end)."""
    return jpeg_bytes()[:-8]


DAMAGED: dict[str, Callable[[], bytes]] = {
    "truncated JPEG": _truncated_jpeg,
    "truncated PNG": _truncated_png,
    "JPEG 8 bytes short": _jpeg_cut_8_bytes_short,
}


@pytest.mark.parametrize("name", list(DAMAGED))
def test_damaged_photo_message_has_no_decoder_words(
    store: Store, patient_id: int, tmp_path: Path, name: str
):
    data = DAMAGED[name]()
    path = tmp_path / "IMG_0003.jpg"
    path.write_bytes(data)
    messages = []
    for call in (
        lambda: decode_upright(data),
        lambda: photos.add_photo_file(store, patient_id, "rest", path),
    ):
        with pytest.raises(ImageError) as info:
            call()
        messages.append(str(info.value))
    messages.append(photos.check_photo_file(path, 192).error)
    for text in messages:
        assert not any(w in text.lower() for w in DECODER_WORDS), text
    assert messages[0] == ENDS_EARLY == messages[1] == messages[2]


def _heic() -> bytes:
    return heic_bytes()


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d[: len(d) // 2],  # cut short: the header survives
        lambda d: d[:100],  # only the start of the header
        lambda d: b"\x00" * 16 + d[16:],  # header gone: only the name says HEIC
    ],
    ids=["half", "header only", "no header"],
)
def test_damaged_heic_is_told_to_export_as_jpeg(
    store: Store, patient_id: int, tmp_path: Path, damage: Callable[[bytes], bytes]
):
    path = tmp_path / "IMG_4711.HEIC"
    path.write_bytes(damage(_heic()))
    before = row_counts(store)
    with pytest.raises(ImageError) as info:
        photos.add_photo_file(store, patient_id, "rest", path)
    checked = photos.check_photo_file(path, 192)
    for text in (str(info.value), checked.error):
        assert "HEIC" in text and "export it as JPEG" in text, text
        assert not any(w in text.lower() for w in DECODER_WORDS), text
    assert row_counts(store) == before


def test_good_heic_still_imports(store: Store, patient_id: int, tmp_path: Path):
    path = tmp_path / "IMG_4712.heic"
    path.write_bytes(_heic())
    record = photos.add_photo_file(store, patient_id, "rest", path)
    assert record.width == 160 and record.height == 200


# --- the commands: exit 2 with one clear line, never a hang -------------------------------------


def _main(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "main.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,  # a command that blocks on a FIFO fails here instead of hanging
    )


@POSIX_ONLY
def test_commands_refuse_a_fifo_and_a_device_with_exit_2(tmp_path: Path):
    good = tmp_path / "good.jpg"
    good.write_bytes(jpeg_bytes(face_image(200, 250)))
    fifo = _fifo(tmp_path / "pipe.jpg")
    zero = tmp_path / "zero.json"
    zero.symlink_to("/dev/zero")
    points = tmp_path / "points.json"
    points.write_text("[[10, 20]]")
    for args in (
        ("align", str(fifo), str(good)),
        ("align", str(good), str(good), "--points", str(zero)),
        ("locate", str(fifo), "--points", str(points)),
        ("locate", str(good), "--points", str(zero)),
        ("same-person", str(good), str(fifo)),
    ):
        done = _main(*args)
        assert done.returncode == 2, (args, done.stderr)
        assert done.stdout == ""
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error:"), done.stderr
        assert "not an ordinary file" in lines[0]
