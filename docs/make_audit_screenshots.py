"""Regenerate the audit trail's pictures in docs/screenshots/ (issue #11): the `audit` and
`patient-history` named screens (ui/screens.py) of the demo clinic at 1366x768 (100 %),
1280x720 at 150 % and 1440x960 at 200 %.

    python docs/make_audit_screenshots.py [OUTDIR]
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = (("1366x768", "1"), ("1280x720", "1.5"), ("1440x960", "2"))
SCREENS = ("audit", "patient-history")


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    for size, scale in SIZES:
        w, h = (int(x) for x in size.split("x"))
        pixels = f"{round(w * float(scale))}x{round(h * float(scale))}"
        for name in SCREENS:
            target = out / f"{name}-{pixels}.png"
            env = {**os.environ, "QT_SCALE_FACTOR": scale, "QT_QPA_PLATFORM": "offscreen"}
            cmd = [sys.executable, "main.py", "--screenshot", str(target), "--size", size]
            subprocess.run([*cmd, "--screen", name], cwd=ROOT, env=env, check=True)
            print(target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
