"""Fixtures of the wrong-patient check's tests: the real models (missing ones fail, never skip)
and the real face photos of ../shared/faces (tests that need them skip when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.identity.models import INSTALL_COMMAND, RecognitionPaths, RecognitionUnavailable
from app.identity.models import find_models as find_recognition

REPO = Path(__file__).resolve().parents[3]
FACES = REPO.parent / "shared" / "faces"


@pytest.fixture(scope="session")
def recognition() -> RecognitionPaths:
    try:
        import dlib  # noqa: F401

        return find_recognition()
    except (ImportError, RecognitionUnavailable) as exc:
        pytest.fail(f"Run `{INSTALL_COMMAND}` (and install dlib-bin): {exc}", pytrace=False)


def real_face(name: str) -> Path:
    """One of the real photos; the test is skipped when the folder is absent."""
    path = FACES / name
    if not path.is_file():
        pytest.skip(f"needs the real face photos in {FACES}")
    return path
