"""The wrong-patient photo check (issue 10, ADR 0017): does a newly stored photo show the same
face as the patient's earlier photos?

It warns and never blocks: the photo is already stored when this runs (ADR 0008), and the
clinician keeps it or removes it (marked entered in error, never deleted). The comparison uses
the display images (2560 px, decoded at alignment's working size), not the originals.

Which earlier photos: those of the patient's earlier visits first, newest first; only for a
first visit the photos stored before this one in the same visit. A batch of another patient's
photos imported together would otherwise vouch for each other. At most MAX_EARLIER are
compared, and the comparison stops at the first that matches (app/identity/compare.py).
Embeddings are never stored: nothing here writes to the database but the clinician's removal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from PIL import Image
from sqlalchemy import and_, or_, select

from app.identity.compare import THRESHOLD, Outcome, compare
from app.imaging.decode import decode_upright
from app.services import photos
from app.services.photos import PhotoRecord
from app.store.database import Store
from app.store.schema import Photo, Visit

__all__ = ["THRESHOLD", "FaceCheck", "Outcome", "check_face", "earlier_photos", "remove_photo"]

MAX_EARLIER = 6
REMOVED_REASON = "Not this patient: the face did not match the earlier photos (removed at capture)."


@dataclass(frozen=True, slots=True)
class FaceCheck:
    """The outcome for one new photo; `earlier` is the closest earlier photo compared."""

    outcome: Outcome | None  # None: there was no earlier photo to compare with
    score: float | None = None
    earlier: PhotoRecord | None = None
    reason: str = ""

    @property
    def warn(self) -> bool:
        return self.outcome is Outcome.DIFFERENT


def earlier_photos(store: Store, photo: PhotoRecord, limit: int = MAX_EARLIER) -> list[PhotoRecord]:
    """The photos `photo` is compared with (see the module's docstring); none in error, none
    with the same bytes."""
    with store.read() as s:
        base = (
            select(Photo)
            .outerjoin(Visit, Photo.visit_id == Visit.id)
            .where(
                Photo.patient_id == photo.patient_id,
                Photo.id != photo.id,
                Photo.blob_sha256 != photo.sha256,
                Photo.error_at.is_(None),
                or_(Visit.id.is_(None), Visit.error_at.is_(None)),
            )
        )
        visit = s.get(Visit, photo.visit_id) if photo.visit_id is not None else None
        if visit is None:
            earlier = base.where(Photo.id < photo.id)
        else:
            earlier = base.where(
                or_(
                    Photo.visit_id.is_(None),
                    Visit.visit_date < visit.visit_date,
                    and_(Visit.visit_date == visit.visit_date, Visit.id < visit.id),
                )
            )
        order = (Photo.captured_at.desc(), Photo.id.desc())
        rows = list(s.scalars(earlier.order_by(*order).limit(limit)))
        if not rows and visit is not None:  # a first visit: what this visit stored before
            same_visit = base.where(Photo.visit_id == visit.id, Photo.id < photo.id)
            rows = list(s.scalars(same_visit.order_by(*order).limit(limit)))
        return [PhotoRecord.of(p) for p in rows]


def _work_image(store: Store, photo: PhotoRecord) -> Image.Image:
    from app.alignment.align import WORK_SIDE

    data = photos.display_jpeg(store, photo.sha256)
    return decode_upright(data, photo.rotation, max_side=WORK_SIDE)


def check_face(
    store: Store, photo: PhotoRecord, stop: Callable[[], bool] | None = None
) -> FaceCheck:
    """Compare a stored photo's face with the patient's earlier photos (slow: a worker's job;
    `stop` ends it early, between two photos)."""
    earlier = earlier_photos(store, photo)
    if not earlier:
        return FaceCheck(None)
    loaders = [partial(_work_image, store, p) for p in earlier]
    result = compare(_work_image(store, photo), loaders, stop=stop)
    closest = earlier[result.closest] if result.closest is not None else earlier[0]
    return FaceCheck(result.outcome, result.score, closest, result.reason)


def remove_photo(store: Store, photo_id: int, practitioner_id: int) -> None:
    """The clinician's "Remove": the photo is marked entered in error (kept, hidden), with why."""
    photos.mark_photo_in_error(store, photo_id, practitioner_id, REMOVED_REASON)
