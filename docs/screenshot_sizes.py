"""The two screens of CONTRACTS.md for the screenshot scripts: 1366×768 at 100 %, and 2880×1920
at 200 % (1440×960 logical). Each size renders in a process of its own, because Qt reads
QT_SCALE_FACTOR once, when it starts."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = (((1366, 768), "1"), ((1440, 960), "2"))
_SIZE = "_FC_SCREENSHOT_SIZE"  # set in the child: the logical size it renders

Render = Callable[[Path, tuple[int, int]], list[Path]]


def main(script: str, render: Render) -> int:
    """`python docs/make_x_screenshots.py [OUTDIR]`: both sizes, or one in the child process."""
    outdir = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
    outdir.mkdir(parents=True, exist_ok=True)
    if size := os.environ.get(_SIZE):
        w, h = (int(v) for v in size.split("x"))
        for path in render(outdir, (w, h)):
            print(path)
        return 0
    for (w, h), scale in CONFIGS:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QT_SCALE_FACTOR=scale)
        env[_SIZE] = f"{w}x{h}"
        subprocess.run([sys.executable, script, str(outdir)], env=env, check=True)
    return 0
