"""The glance's row of one view's photos across visits (issue #14): which view to show (the
one photographed at the most visits), each visit's photo of it, and each photo redrawn in the
newest photo's frame by the before/after image's alignment (app/services/before_after.py), so
the face stays still and only the effect changes from thumbnail to thumbnail.

Plain data, no Qt: the dialog asks for the thumbnails on its worker (ADR 0012).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from app.services import catalogue, visits
from app.services.before_after import AlignedThumb, aligned_thumbnail, photo_of_view
from app.services.photos import PhotoRecord
from app.store.database import Store

THUMB_HEIGHT = 180  # px: a row of five fits a 1366-px screen, a face still reads


@dataclass(frozen=True, slots=True)
class ViewCount:
    code: str
    name: str
    visits: int


@dataclass(frozen=True, slots=True)
class RowPhoto:
    visit_id: int
    visit_date: date
    photo: PhotoRecord


def photo_views(store: Store, patient_id: int) -> list[ViewCount]:
    """The views photographed at any visit (not entered in error), most visits first, then in
    the catalogue's order: the first is the row's view."""
    counts: Counter[str] = Counter()
    for entry in visits.timeline(store, patient_id):
        counts.update({code for code, _name, _sha in entry.photos})
    views = catalogue.list_views(store)
    order = {v.code: i for i, v in enumerate(views)}
    names = {v.code: v.name for v in views}
    ranked = sorted(counts, key=lambda c: (-counts[c], order.get(c, len(order)), c))
    return [ViewCount(c, names.get(c, c), counts[c]) for c in ranked]


def photo_row(store: Store, patient_id: int, view: str) -> list[RowPhoto]:
    """Each visit's photo of `view` (the one its chart was drawn on, as the before/after image
    chooses), oldest visit first."""
    out = []
    for entry in reversed(visits.timeline(store, patient_id)):  # the timeline is newest first
        if any(code == view for code, _name, _sha in entry.photos):
            photo = photo_of_view(store, entry.visit.id, view)
            out.append(RowPhoto(entry.visit.id, entry.visit.visit_date, photo))
    return out


def row_thumbnail(
    store: Store, photo: RowPhoto, newest: RowPhoto, height: int = THUMB_HEIGHT
) -> AlignedThumb:
    """One thumbnail of the row, in the newest photo's frame (the worker's job)."""
    return aligned_thumbnail(store, photo.photo, newest.photo, height)
