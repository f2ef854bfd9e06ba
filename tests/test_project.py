"""The project's promises about itself: CI runs the README's test command, exactly."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_command(label: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"^{label}[^`]*`([^`]+)`", text, re.MULTILINE)
    assert match, f"README has no line starting {label!r}"
    return match.group(1)


def test_ci_runs_the_readme_test_command_exactly() -> None:
    command = readme_command("Install what the tests need")
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert command in [line.strip() for line in ci_lines]
    assert command.endswith("python -m pytest")


def test_readme_install_command_starts_the_app() -> None:
    command = readme_command("Install and start")
    assert command.startswith("python -m pip install . ")
    assert command.endswith("python main.py")
    # the face models cannot come from pip's dependency list: the install chains their installer
    assert "python -m app.alignment.install_models" in command


def test_readme_first_lines_are_the_two_commands() -> None:
    lines = [ln for ln in (ROOT / "README.md").read_text(encoding="utf-8").splitlines() if ln]
    assert lines[1].startswith("Install and start:")
    assert lines[2].startswith("Install what the tests need")
