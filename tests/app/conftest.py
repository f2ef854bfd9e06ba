"""Fixtures for the app's tests. Alignment really aligns, here and in tests/app/alignment."""

from __future__ import annotations

import pytest

from app.alignment.models import INSTALL_COMMAND, ModelPaths, ModelsMissing, find_models


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
