"""Alignment tests run the real face models: a missing model is a failure, never a skip."""

from __future__ import annotations

import pytest

from app.alignment.models import INSTALL_COMMAND, ModelPaths, ModelsMissing, find_models


@pytest.fixture(scope="session")
def models() -> ModelPaths:
    try:
        return find_models()
    except ModelsMissing as exc:
        pytest.fail(
            f"The face models are not installed: run `{INSTALL_COMMAND}` first "
            f"(CI installs them). {exc}",
            pytrace=False,
        )
