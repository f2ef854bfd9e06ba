"""`python main.py align OLD NEW [--points FILE]` (CONTRACTS.md): one JSON object on stdout.

Exit 0 whenever a result was printed, including "could not align" (confidence 0, method
"none", every point null); exit 2 when an input cannot be read (no such file, not an image,
a points file that is not a JSON list of [x, y]). No display and no Qt are involved.
"""

from __future__ import annotations

import json
import math
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from app.alignment.align import (
    AlignmentResult,
    align_faces,
    failed,
    find_faces,
    working_image,
)
from app.alignment.models import ModelsMissing
from app.imaging.decode import ImageError
from app.imaging.files import read_photo_file, read_user_file

POINTS_FILE_BYTES = 10 * 1024 * 1024  # a points file is a few KB; a mistake can be gigabytes


def read_points(path: Path) -> list[list[float]]:
    """A JSON list of [x, y] pairs; ValueError with a clear message otherwise."""
    try:
        raw = read_user_file(path, POINTS_FILE_BYTES)  # a regular file, within its limit
    except ImageError as exc:
        raise ValueError(f"points file {path}: {exc}") from exc
    try:
        data = json.loads(raw.decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"points file {path} is not JSON: {exc}") from exc
    if not isinstance(data, list):
        raise ValueError(f"points file {path} must hold a JSON list of [x, y]")
    points = []
    for i, p in enumerate(data):
        ok = isinstance(p, list | tuple) and len(p) == 2
        ok = ok and all(isinstance(v, int | float) and not isinstance(v, bool) for v in p)
        if not ok or not all(math.isfinite(v) for v in p):
            raise ValueError(f"point {i} in {path} is not [x, y] with finite numbers: {p!r}")
        points.append([float(p[0]), float(p[1])])
    return points


def read_input(path: Path) -> bytes:
    """A photo named on the command line: a regular file within the size limit, else
    ValueError with one clear line (exit 2)."""
    try:
        return read_photo_file(path)
    except ImageError as exc:
        raise ValueError(f"{path}: {exc}") from exc


def _align_both_at_once(old: bytes, new: bytes) -> AlignmentResult:
    """`align_images(old, new)` with each photo's decode, then its face search, on a thread of
    its own: libjpeg-turbo and OpenCV's nets release the GIL, and decoding two 24 MP photos is
    most of the command's time. Both are decoded before any face is sought, so an unreadable
    photo is an ImageError (exit 2) even without the models, as in `align_images`. This is a
    process of its own: no Qt object can meet these threads (the GUI uses `align_images`)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        (old_rgb, old_size), (new_rgb, new_size) = pool.map(working_image, (old, new))
        try:  # the models are per thread: each worker loads its own
            old_faces, new_faces = pool.map(find_faces, (old_rgb, new_rgb))
        except ModelsMissing as exc:
            return failed(str(exc))
    return align_faces((old_rgb, old_faces, old_size), (new_rgb, new_faces, new_size))


def run_align(old: Path, new: Path, points_file: Path | None = None) -> int:
    try:
        old_bytes, new_bytes = read_input(old), read_input(new)
        points = read_points(points_file) if points_file is not None else None
        result = _align_both_at_once(old_bytes, new_bytes)
    except (ValueError, ImageError) as exc:  # ImageError is a ValueError; named for the reader
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if result.message:
        print(result.message, file=sys.stderr)  # stdout stays one JSON object
    print(json.dumps(result.to_json(points), ensure_ascii=False, allow_nan=False))
    return 0
