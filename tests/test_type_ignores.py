"""Every `# type: ignore` names the error it silences and says why on its own line, so a reader
(and the next clean-up) can tell a stub's gap from a bug being hidden. mypy itself rejects a
bare ignore (`ignore-without-code`) and an unneeded one (`warn_unused_ignores`); the reason is
checked here."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# ui/ joins once its own typing pass is done (issue 8): it still has ignores without reasons.
CHECKED = ("app", "ui", "bench", "main.py")

_IGNORE = re.compile(r"#\s*type:\s*ignore\b")
# `# type: ignore[code, code]  # why` — a reason is words, not another tool's pragma
_WITH_REASON = re.compile(r"#\s*type:\s*ignore\[[a-z-]+(,\s*[a-z-]+)*\]\s+#\s*(?!noqa\b)\w.{3,}")


def ignores_without_reason(source: str) -> list[int]:
    """Line numbers of `# type: ignore` comments that lack an error code or a reason."""
    bad = []
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT and _IGNORE.search(tok.string):
            if not _WITH_REASON.search(tok.string):
                bad.append(tok.start[0])
    return bad


def _files() -> list[Path]:
    out: list[Path] = []
    for name in CHECKED:
        path = ROOT / name
        out += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return out


def test_every_type_ignore_has_a_code_and_a_reason() -> None:
    files = _files()
    assert len(files) > 50  # the scan sees the tree, not an empty folder
    found = {
        str(f.relative_to(ROOT)): lines
        for f in files
        if (lines := ignores_without_reason(f.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_the_scan_finds_an_ignore_without_a_reason() -> None:
    source = (
        "a = f()  # type: ignore[attr-defined]  # cv2 stubs lack VideoWriter_fourcc\n"
        "b = g()  # type: ignore[attr-defined]\n"
        "c = h()  # type: ignore\n"
        "d = k()  # type: ignore[misc]  # noqa: E501\n"
        'e = "# type: ignore[misc] in a string is not a comment"\n'
    )
    assert ignores_without_reason(source) == [2, 3, 4]
