"""A before/after image of two visits (issue #12): gathered here, drawn by
app/reports/before_after.py, written through a temporary file and recorded in the audit trail.

Each visit's photo of the view is the one its newest chart version names (the markings'
coordinates refer to it), else the visit's newest photo of that view. The earlier visit is
"before" whichever order the visits are given in. The photos are aligned as the compare screen
aligns them (`align_photos`: the face meshes of both display images); the compare screen may
hand over the mapping it shows instead (corrected by hand). A mapping that says "could not
align" is never used: the image then shows the photos as taken and says so.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
from PIL import Image

from app.alignment.align import CHECK, GOOD
from app.alignment.mapping import Mapping, NoMapping
from app.domain.chart import ViewChart
from app.reports.before_after import (
    BeforeAfter,
    BeforeAfterError,
    Side,
    warp_into,
    write_image,
)
from app.services import catalogue, charts, patients, photos, visits
from app.services.alignment import align_photos, upright_size
from app.services.overlay_mapping import map_view_chart
from app.services.photos import PhotoRecord
from app.services.reports import PRODUCT_COLOURS
from app.store import audit_log
from app.store.database import Store

SHRINK = Image.Resampling.LANCZOS  # a thumbnail from the display image without aliasing

__all__ = ["BeforeAfter", "BeforeAfterError", "before_after", "common_views", "file_name"]
__all__ += ["write_before_after", "AlignedThumb", "aligned_thumbnail", "photo_of_view"]
__all__ += ["usable_mapping"]


def _photo_of(store: Store, visit_id: int, view: str) -> tuple[PhotoRecord, ViewChart | None]:
    loaded = charts.load_head(store, visit_id)
    chart = loaded.content.view(view) if loaded is not None else None
    mine = [p for p in photos.photos_for_visit(store, visit_id) if p.view_code == view]
    if chart is not None and chart.photo_sha256:
        named = [p for p in mine if p.sha256 == chart.photo_sha256]
        if named:
            return named[-1], chart
    if not mine:
        raise BeforeAfterError(f"Visit {visit_id} has no photo of the view {view!r}.")
    # the chart's marks refer to another photo than the visit's newest of this view: no marks
    # on a photo they were not drawn on
    photo = mine[-1]
    return photo, chart if chart is not None and chart.photo_sha256 == photo.sha256 else None


def photo_of_view(store: Store, visit_id: int, view: str) -> PhotoRecord:
    """The visit's photo of the view as the before/after image chooses it (BeforeAfterError
    when it has none)."""
    return _photo_of(store, visit_id, view)[0]


def usable_mapping(
    store: Store, before_photo: PhotoRecord, after_photo: PhotoRecord
) -> tuple[Mapping | None, str]:
    """The face-mesh alignment of the earlier photo onto the later one, as the compare screen
    makes it, and a note: (None, "could not align: …") when it is not good enough to use,
    (mapping, "automatic alignment: check it") when it is usable but should be looked at."""
    result = align_photos(store, before_photo, after_photo)
    if result.confidence < CHECK or isinstance(result.mapping, NoMapping):
        return None, f"could not align: {result.message}" if result.message else ""
    return result.mapping, "automatic alignment: check it" if result.confidence < GOOD else ""


@dataclass(frozen=True, slots=True)
class AlignedThumb:
    """One photo at `height` px tall in the newest photo's frame (issue #14's photo row)."""

    rgb: np.ndarray
    aligned: bool  # False: shown as taken (the newest photo itself is aligned: it is the frame)
    note: str


def aligned_thumbnail(
    store: Store, photo: PhotoRecord, newest: PhotoRecord, height: int
) -> AlignedThumb:
    """`photo` redrawn in `newest`'s frame, `height` px tall, by the before/after image's own
    alignment and warp; as taken, and saying so, when the faces do not align. Display images
    only: a row of these is drawn while the clinician waits."""
    frame = upright_size(newest)
    size = (max(1, round(frame[0] * height / frame[1])), height)
    if photo.id == newest.id:
        shown = photos.display_image(store, newest).resize(size, SHRINK, reducing_gap=2.0)
        return AlignedThumb(np.asarray(shown), True, "")
    mapping, note = usable_mapping(store, photo, newest)
    image = np.asarray(photos.display_image(store, photo))
    if mapping is None:
        own = upright_size(photo)
        size = (max(1, round(own[0] * height / own[1])), height)
        shown = Image.fromarray(image).resize(size, SHRINK, reducing_gap=2.0)
        return AlignedThumb(np.asarray(shown), False, note)
    rgb = warp_into(image, upright_size(photo), mapping, frame, size)
    return AlignedThumb(rgb, True, note)


def common_views(store: Store, visit_a: int, visit_b: int) -> list[str]:
    """The views both visits photographed, in the catalogue's order."""
    order = [v.code for v in catalogue.list_views(store)]
    a = {p.view_code for p in photos.photos_for_visit(store, visit_a)}
    b = {p.view_code for p in photos.photos_for_visit(store, visit_b)}
    both = a & b
    return [c for c in order if c in both] + sorted(both - set(order))


def _unit_labels(store: Store) -> dict[str, str]:
    return {p.code: p.unit_label for p in catalogue.list_products(store)}


def before_after(
    store: Store,
    visit_a: int,
    visit_b: int,
    view: str | None = None,
    *,
    mapping: Mapping | None = None,
    mapped_photos: tuple[int, int] | None = None,
) -> BeforeAfter:
    """What the image shows. `view`: a view code (default: the first both visits have).
    `mapping` (earlier photo's original pixels → later's), when the caller already holds one
    (the compare screen's, perhaps corrected by hand), between the photos `mapped_photos`
    (earlier's id, later's id): used only when those are the photos chosen here."""
    if visit_a == visit_b:
        raise BeforeAfterError("Choose two different visits.")
    va, vb = visits.get_visit(store, visit_a), visits.get_visit(store, visit_b)
    if va.patient_id != vb.patient_id:  # never two people's faces side by side
        raise BeforeAfterError("The two visits belong to different patients.")
    if (vb.visit_date, vb.id) < (va.visit_date, va.id):
        va, vb = vb, va
    if view is None:
        shared = common_views(store, va.id, vb.id)
        if not shared:
            raise BeforeAfterError("The two visits have no view photographed in both.")
        view = shared[0]
    names = {v.code: v.name for v in catalogue.list_views(store)}
    if view not in names:
        raise BeforeAfterError(f"No view {view!r} (views: {', '.join(names)}).")
    patient = patients.get_patient(store, va.patient_id)
    before_photo, before_chart = _photo_of(store, va.id, view)
    after_photo, after_chart = _photo_of(store, vb.id, view)

    note = ""
    if mapped_photos != (before_photo.id, after_photo.id):
        mapping = None  # a mapping between other photos would draw a confident wrong overlay
    if mapping is None or isinstance(mapping, NoMapping):
        mapping, note = usable_mapping(store, before_photo, after_photo)
    if before_chart is not None and mapping is not None:
        before_chart = map_view_chart(before_chart, mapping)
    colours: dict[str, str] = {}
    for chart in (before_chart, after_chart):
        for p in chart.points if chart is not None else ():
            colours.setdefault(p.product, PRODUCT_COLOURS[len(colours) % len(PRODUCT_COLOURS)])
    units = _unit_labels(store)

    def side(visit_date: date, photo: PhotoRecord, chart: ViewChart | None) -> Side:
        rgb = np.asarray(photos.display_image(store, photo))
        return Side(
            visit_date,
            rgb,
            upright_size(photo),
            chart.strokes if chart is not None else (),
            chart.points if chart is not None else (),
            units,
        )

    return BeforeAfter(
        patient_name=patient.display_name,
        date_of_birth=patient.date_of_birth,
        view_name=names[view],
        before=side(va.visit_date, before_photo, before_chart),
        after=side(vb.visit_date, after_photo, after_chart),
        mapping=mapping,
        alignment_note=note,
        product_colours=colours,
    )


def write_before_after(
    store: Store,
    visit_a: int,
    visit_b: int,
    out: Path,
    view: str | None = None,
    *,
    markings: bool = False,
    mapping: Mapping | None = None,
    mapped_photos: tuple[int, int] | None = None,
    actor_id: int | None = None,
) -> BeforeAfter:
    """Write the image to `out` (PNG or JPEG by its suffix) through a temporary file, so a
    failed write leaves no half image, and record it in the audit trail."""
    if out.suffix.lower() not in (".png", ".jpg", ".jpeg"):
        raise BeforeAfterError("The image's name must end in .png, .jpg or .jpeg.")
    ba = before_after(store, visit_a, visit_b, view, mapping=mapping, mapped_photos=mapped_photos)
    fd, tmp = tempfile.mkstemp(prefix=".before-after-", suffix=out.suffix, dir=out.parent)
    os.close(fd)
    try:
        write_image(ba, Path(tmp), markings=markings)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    later = max((visits.get_visit(store, v) for v in (visit_a, visit_b)),
                key=lambda v: (v.visit_date, v.id))  # fmt: skip
    with store.write() as s:
        audit_log.append(
            s,
            "report",
            actor_id,
            patient_id=later.patient_id,
            visit_id=later.id,
            subject="before-after",
            detail=f"visits {visit_a} and {visit_b}, {ba.view_name}"
            + (", with markings" if markings else ""),
        )
    return ba


def file_name(store: Store, visit_a: int, visit_b: int, view_name: str) -> str:
    """`Zoë Martin Frown 2026-03-02 to 2026-04-02.png`: whose, which view, which dates."""
    a, b = sorted((visits.get_visit(store, v) for v in (visit_a, visit_b)),
                  key=lambda v: (v.visit_date, v.id))  # fmt: skip
    name = patients.get_patient(store, a.patient_id).display_name
    unsafe = '<>:"/\\|?*'
    who = "".join("_" if ch in unsafe or ord(ch) < 32 else ch for ch in f"{name} {view_name}")
    return f"{who} {a.visit_date:%Y-%m-%d} to {b.visit_date:%Y-%m-%d}.png"
