"""What the capture screen reads: the visit's protocol walk, the ghost of each view, how a
photo is framed against its ghost, and the checks of a new photo (sharpness, exposure,
framing). The walk and check values and the check functions the screen calls live in
`app.capture` and `app.imaging`; they are named here so the UI depends on services only
(ADR 0001)."""

from __future__ import annotations

from PIL import Image
from sqlalchemy import and_, or_, select

from app.capture.walk import ProtocolWalk
from app.imaging.decode import decode_upright
from app.imaging.framing import (
    MATCHES,
    OFF,
    UNCHECKED,
    FramingCheck,
    framing_check,
    models_missing,
)
from app.imaging.quality import PhotoCheck, check_photo_bytes, with_framing
from app.services import catalogue, photos
from app.services.photos import PhotoRecord
from app.store.database import Store
from app.store.errors import NotFoundError
from app.store.schema import Photo, View, Visit

__all__ = [
    "MATCHES",
    "OFF",
    "UNCHECKED",
    "FramingCheck",
    "PhotoCheck",
    "ProtocolWalk",
    "check_photo_bytes",
    "framing_against_ghost",
    "framing_check",
    "ghost_photo",
    "models_missing",
    "protocol_walk",
    "with_framing",
    "work_image",
]


def protocol_walk(store: Store, visit_id: int) -> ProtocolWalk:
    """The visit's protocol views, with the photos the visit already has marked done."""
    with store.read() as s:
        visit = s.get(Visit, visit_id)
        if visit is None:
            raise NotFoundError(f"No visit {visit_id}.")
        treatment = visit.treatment_type
    views = catalogue.protocol_views(store, treatment)
    if not views:  # a clinic protocol emptied by mistake: fall back to every active view
        views = catalogue.list_views(store)
    walk = ProtocolWalk(views)
    for p in photos.photos_for_visit(store, visit_id):  # oldest first: retakes win
        walk.taken[p.view_code] = p
    walk.index = walk.first_open(0) or 0
    return walk


def ghost_photo(store: Store, patient_id: int, visit_id: int, view_code: str) -> PhotoRecord | None:
    """The same view's photo from the patient's most recent earlier visit that has one (its
    newest photo of that view, retakes win); None when no earlier visit has it. "Earlier" is
    by visit date, then by visit order for two visits on one day. Photos or visits entered in
    error never serve as a ghost."""
    with store.read() as s:
        visit = s.get(Visit, visit_id)
        if visit is None or visit.patient_id != patient_id:
            raise NotFoundError("That visit does not belong to this patient.")
        earlier = or_(
            Visit.visit_date < visit.visit_date,
            and_(Visit.visit_date == visit.visit_date, Visit.id < visit.id),
        )
        photo = s.scalar(
            select(Photo)
            .join(Visit, Photo.visit_id == Visit.id)
            .join(View, Photo.view_id == View.id)
            .where(
                Photo.patient_id == patient_id,
                View.code == view_code,
                Photo.error_at.is_(None),
                Visit.error_at.is_(None),
                earlier,
            )
            .order_by(
                Visit.visit_date.desc(), Visit.id.desc(), Photo.captured_at.desc(), Photo.id.desc()
            )
            .limit(1)
        )
        return PhotoRecord.of(photo) if photo else None


def work_image(store: Store, photo: PhotoRecord) -> tuple[Image.Image, tuple[int, int]]:
    """A photo as alignment wants it: its display image decoded at about the models' working
    size (not the 12–24 MP original), and the original's upright size, which the framing
    offsets refer to."""
    from app.alignment.align import WORK_SIDE
    from app.services.alignment import upright_size

    data = photos.display_jpeg(store, photo.sha256)
    return decode_upright(data, photo.rotation, max_side=WORK_SIDE), upright_size(photo)


def framing_against_ghost(store: Store, photo: PhotoRecord) -> FramingCheck | None:
    """How a stored photo is framed against its view's ghost (the same view's photo from the
    patient's most recent earlier visit); None when there is no ghost to compare with."""
    if photo.visit_id is None:
        return None
    ghost = ghost_photo(store, photo.patient_id, photo.visit_id, photo.view_code)
    if ghost is None:
        return None
    (old, old_size), (new, new_size) = work_image(store, ghost), work_image(store, photo)
    return framing_check(old, new, old_size, new_size)
