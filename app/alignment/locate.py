"""A point's side and zone from the face in its photo, or a flagged guess when there is none:
what the editor's new points get and what `python main.py locate` prints (CONTRACTS.md).

`find_geometry` finds the face once per photo (the editor caches it per photo); `locate`
answers per point. Without a face, the side is the photo-centre guess of
`app.domain.editing.side_of` (or, in a 45° view, the side that view shows) and the zone the
view's first muscle, both marked `Source.GUESS`, never passed off as the face's.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from app.alignment.align import WORK_SIDE, ImageInput, find_faces, working_image
from app.alignment.face_geometry import FaceGeometry
from app.alignment.models import ModelsMissing
from app.alignment.photo_face import PhotoFace, iris_scale
from app.alignment.photo_face import geometry as measured_geometry
from app.domain.editing import side_of, suggest_zone
from app.domain.values import Side, Source
from app.imaging.decode import ImageError, decode_with_info

# A 45° view shows one side of the face (app/domain/catalogue.py): its points are that side.
SHOWN_SIDE = {"left_45": Side.LEFT, "right_45": Side.RIGHT}


@dataclass(frozen=True, slots=True)
class Located:
    side: Side
    zone: str
    source: Source  # FACE or GUESS (HAND is only ever the clinician's)
    mm_per_px: float | None = None

    @property
    def from_face(self) -> bool:
        return self.source is Source.FACE

    def to_json(self) -> dict[str, Any]:
        """One element of the `locate` list (CONTRACTS.md)."""
        return {
            "side": self.side.value,
            "zone": self.zone,
            "from_face": self.from_face,
            "mm_per_px": self.mm_per_px,
        }


def find_geometry(image: ImageInput, size: tuple[int, int] | None = None) -> FaceGeometry | None:
    """The largest confirmed face of a photo in the pixels of its upright original (`size`,
    when `image` is a reduced copy such as the display JPEG), or None when there is none or
    the face models are missing. Raises ImageError for bytes that are not an image."""
    return analyse_face(image, size)[0]


def analyse_face(
    image: ImageInput, size: tuple[int, int] | None = None
) -> tuple[FaceGeometry | None, PhotoFace]:
    """One decode and one mesh, both answers: where points sit (side, zone; with the iris's
    mm per pixel) and the face in millimetres (brows, lids, scale) that the sheet's distances
    and the glabellar band read. The editor asks once per photo, on a worker."""
    if isinstance(image, np.ndarray) and image.ndim == 3:
        rgb, given = image, (image.shape[1], image.shape[0])  # already reduced: as it is
    else:
        rgb, given = working_image(image)
    try:
        faces = find_faces(rgb)
    except ModelsMissing as exc:  # said once by the app's model check; here a guess
        return None, PhotoFace(None, None, str(exc))
    if not faces:
        return None, PhotoFace(None, None, "No face was found in this photo.")
    w, h = size or given
    mesh = faces[0]
    geometry = FaceGeometry.from_mesh(mesh.points)
    geometry = geometry.scaled(w / rgb.shape[1], h / rgb.shape[0])
    # The millimetre scale from the iris of the same mesh (ADR 0016); None without a usable
    # iris or without the iris model: nothing pretends otherwise.
    factor = float(np.mean(np.array((w, h), float) / rgb.shape[1::-1]))
    scale, why = iris_scale(rgb, mesh, factor)
    measured = PhotoFace(measured_geometry(mesh.points * factor, scale), scale, why)
    return replace(geometry, mm_per_px=scale.mm_per_px if scale is not None else None), measured


def locate(
    geometry: FaceGeometry | None, view: str | None, x: float, y: float, width: float
) -> Located:
    """Side and zone of (x, y) on a photo `width` pixels wide, for `view` (None: any view)."""
    if geometry is not None:
        return Located(
            geometry.side(x, y), geometry.zone(x, y, view), Source.FACE, geometry.mm_per_px
        )
    side = SHOWN_SIDE.get(view or "") or side_of(x, width)
    zone = (suggest_zone(view, side) if view else "") or _any_zone(side)
    return Located(side, zone, Source.GUESS)


def _any_zone(side: Side) -> str:
    """Without a face, nor muscles named by the view, nothing locates the point: the
    commonest site of its side (DOMAIN.md: the glabellar pattern)."""
    return "procerus" if side is Side.MIDLINE else "corrugator supercilii"


def locate_all(
    geometry: FaceGeometry | None,
    view: str | None,
    points: Sequence[Sequence[float]],
    width: float,
) -> list[Located]:
    return [locate(geometry, view, float(x), float(y), width) for x, y in points]


def locate_photo(
    data: bytes, points: Sequence[Sequence[float]], view: str | None = None
) -> list[Located]:
    """`main.py locate` in-process: one strict decode, reduced by libjpeg's own scaling to
    about WORK_SIDE (through the one door), the face found once, then every point answered
    in the original's upright pixels. The reduced image is used as it comes: the face and
    the irises need no exact size, and resizing a 24 MP photo's reduction cost a fifth of
    the command's time."""
    info, img = decode_with_info(data, max_side=WORK_SIDE)  # raises ImageError
    rgb = np.asarray(img)
    size = (info.width, info.height)
    return locate_all(find_geometry(rgb, size), view, points, size[0])


def run_locate(photo: Path, points_file: Path, view: str | None) -> int:
    """Exit 0 with the JSON list printed; 2 with one line on stderr for unreadable input."""
    from app.alignment.cli import read_input, read_points

    try:
        data = read_input(photo)  # a regular file within the size limit
        points = read_points(points_file)
        result = locate_photo(data, points, view)
    except (ValueError, ImageError) as exc:  # ImageError is a ValueError; named for the reader
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps([r.to_json() for r in result], ensure_ascii=False, allow_nan=False))
    return 0
