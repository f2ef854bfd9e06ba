"""`python main.py same-person A B` (CONTRACTS.md): one JSON object on stdout,
`{"same": bool, "score": float, "threshold": float}`.

`score` is a similarity, 1 − the distance of the two faces' embeddings (never below 0), and
`same` means `score ≥ threshold` (0.4: dlib's published distance threshold 0.6, seen from the
other side; app/identity/compare.py). Exit 0 whenever a result was printed. When it cannot
compare (no face in a photo, models not installed) it prints `same: false, score: 0.0` and says
why on stderr, as `align` prints confidence 0; exit 2 when an input cannot be read. No display,
no database; the embeddings are never printed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from app.alignment.align import working_image
from app.alignment.cli import read_input
from app.identity.compare import THRESHOLD, compare_two
from app.imaging.decode import ImageError


def run_same_person(a: Path, b: Path) -> int:
    try:
        # both decoded before any face is sought: an unreadable B is exit 2 even if A has no face
        images = []
        for path in (a, b):
            try:
                images.append(working_image(read_input(path))[0])
            except ImageError as exc:
                raise ValueError(f"{path}: {exc}") from exc
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    result = compare_two(images[0], images[1])
    if result.reason:
        print(f"could not compare: {result.reason}", file=sys.stderr)  # stdout stays JSON
    score = result.score if result.score is not None else 0.0
    print(json.dumps({"same": result.same, "score": score, "threshold": THRESHOLD}))
    return 0
