"""Fixtures for the app's tests. Alignment really aligns, here and in tests/app/alignment."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.alignment.models import (
    INSTALL_COMMAND,
    IrisMissing,
    ModelPaths,
    ModelsMissing,
    find_iris,
    find_models,
)


@pytest.fixture(scope="session")
def models() -> ModelPaths:
    """Alignment really aligns: missing face models fail the test, never skip it."""
    try:
        return find_models()
    except ModelsMissing as exc:
        pytest.fail(
            f"The face models are not installed: run `{INSTALL_COMMAND}` first "
            f"(CI installs them). {exc}",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def iris_model() -> Path:
    """The iris model is installed with the face models: missing, the test fails, never skips."""
    try:
        return find_iris()
    except IrisMissing as exc:
        pytest.fail(f"Run `{INSTALL_COMMAND}` first (CI does). {exc}", pytrace=False)
