"""The model installer: idempotent, and it refuses any file whose SHA-256 is not the known one."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from app.alignment import install_models as inst
from app.alignment import models as m
from app.alignment.models import ModelPaths
from app.identity import install_models as recognition
from app.identity import models as rm


def fake_wheel(path: Path, detector: bytes, landmarks: bytes, iris: bytes) -> Path:
    """A wheel-shaped zip holding the members the installer takes out."""
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(inst.MEMBERS[m.DETECTOR], detector)
        z.writestr(inst.MEMBERS[m.LANDMARKS], landmarks)
        z.writestr(inst.MEMBERS[m.IRIS], iris)
        z.writestr(inst.LICENCE_MEMBER, "Apache License\nVersion 2.0, January 2004\n")
    return path


@pytest.fixture
def no_download(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(dest: Path) -> Path:
        raise AssertionError("the installer must not download here")

    monkeypatch.setattr(inst, "download_wheel", refuse)
    monkeypatch.setattr(recognition, "download_archive", refuse)


def test_installs_from_the_wheel_with_licence(
    tmp_path: Path, models: ModelPaths, iris_model: Path, no_download
) -> None:  # type: ignore[no-untyped-def]
    wheel = fake_wheel(
        tmp_path / "w.whl",
        models.detector.read_bytes(),
        models.landmarks.read_bytes(),
        iris_model.read_bytes(),
    )
    target = tmp_path / "models"
    assert "installed in" in inst.install(target, wheel=wheel)
    assert m.file_ok(target / m.DETECTOR, m.DETECTOR)
    assert m.file_ok(target / m.LANDMARKS, m.LANDMARKS)
    assert m.file_ok(target / m.IRIS, m.IRIS)
    licence = (target / m.LICENCE).read_text()
    assert "Apache" in licence and "MediaPipe" in licence
    assert not list(target.glob(".*partial"))


def test_second_run_does_nothing(
    tmp_path: Path, models: ModelPaths, iris_model: Path, no_download
) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "models"
    target.mkdir()
    shutil.copy(models.detector, target / m.DETECTOR)
    shutil.copy(models.landmarks, target / m.LANDMARKS)
    shutil.copy(iris_model, target / m.IRIS)
    (target / m.LICENCE).write_text("Apache License 2.0")
    found = rm.find_models()  # main() installs the wrong-patient check's models too
    shutil.copy(found.predictor, target / rm.PREDICTOR)
    shutil.copy(found.recogniser, target / rm.RECOGNISER)
    (target / rm.LICENCE).write_text("CC0 1.0 Universal")
    before = {p.name: p.stat().st_mtime_ns for p in target.iterdir()}
    assert "already installed" in inst.install(target)  # no_download: pip would raise
    assert inst.main(["--dir", str(target)]) == 0
    assert {p.name: p.stat().st_mtime_ns for p in target.iterdir()} == before


def test_tampered_wheel_is_refused(
    tmp_path: Path, models: ModelPaths, iris_model: Path, no_download
) -> None:  # type: ignore[no-untyped-def]
    bad = bytearray(models.landmarks.read_bytes())
    bad[1000] ^= 0xFF
    wheel = fake_wheel(
        tmp_path / "w.whl", models.detector.read_bytes(), bytes(bad), iris_model.read_bytes()
    )
    target = tmp_path / "models"
    with pytest.raises(inst.InstallError, match="SHA-256"):
        inst.install(target, wheel=wheel)
    assert not target.exists() or not any(target.iterdir())  # nothing half-installed
    assert inst.main(["--dir", str(target), "--wheel", str(wheel)]) == 1


def test_tampered_installed_file_is_not_loaded_and_is_replaced(
    tmp_path: Path,
    models: ModelPaths,
    iris_model: Path,
    monkeypatch: pytest.MonkeyPatch,
    no_download,
) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "models"
    target.mkdir()
    shutil.copy(models.detector, target / m.DETECTOR)
    (target / m.LANDMARKS).write_bytes(models.landmarks.read_bytes()[:-10])  # truncated
    (target / m.LICENCE).write_text("Apache License 2.0")
    monkeypatch.setattr(m, "search_dirs", lambda: [target])
    m.forget_models()
    try:
        with pytest.raises(m.ModelsMissing, match="install_models"):
            m.find_models()
        assert not inst.installed(target)
        wheel = fake_wheel(
            tmp_path / "w.whl",
            models.detector.read_bytes(),
            models.landmarks.read_bytes(),
            iris_model.read_bytes(),
        )
        inst.install(target, wheel=wheel)
        assert m.find_models().landmarks == target / m.LANDMARKS
    finally:
        monkeypatch.undo()
        m.forget_models()


def test_tampered_iris_file_is_refused_and_the_face_models_still_load(
    tmp_path: Path,
    models: ModelPaths,
    iris_model: Path,
    monkeypatch: pytest.MonkeyPatch,
    no_download,
) -> None:  # type: ignore[no-untyped-def]
    bad = bytearray(iris_model.read_bytes())
    bad[5000] ^= 0x01
    wheel = fake_wheel(
        tmp_path / "w.whl", models.detector.read_bytes(), models.landmarks.read_bytes(), bytes(bad)
    )
    target = tmp_path / "models"
    with pytest.raises(inst.InstallError, match="iris_landmark.tflite.*SHA-256"):
        inst.install(target, wheel=wheel)
    assert not target.exists() or not any(target.iterdir())
    # An altered iris file in place: no scale, but alignment's models are still found.
    target.mkdir(exist_ok=True)
    shutil.copy(models.detector, target / m.DETECTOR)
    shutil.copy(models.landmarks, target / m.LANDMARKS)
    (target / m.IRIS).write_bytes(bytes(bad))
    monkeypatch.setattr(m, "search_dirs", lambda: [target])
    m.forget_models()
    try:
        assert m.find_models().landmarks == target / m.LANDMARKS
        with pytest.raises(m.IrisMissing, match="no millimetre"):
            m.iris_net()
        assert not inst.installed(target)  # so the installer puts the real one back
    finally:
        monkeypatch.undo()
        m.forget_models()


def test_env_var_chooses_the_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(m.ENV_VAR, str(tmp_path))
    assert m.install_dir() == tmp_path
    assert m.search_dirs()[0] == tmp_path
    assert m.source_models_dir() in m.search_dirs()
