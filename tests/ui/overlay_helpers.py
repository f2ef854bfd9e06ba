"""A patient with an earlier charted visit and today's visit, for the overlay's GUI tests and
screenshots: the astronaut's face (scikit-image, public domain) on the frown view, and today's
frown photo the same face moved by a known similarity; today's smile photo shows no face, so
that view "could not align"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np
from PIL import Image

from app.domain.chart import ChartContent, InjectionPoint, Stroke, ViewChart
from app.domain.values import Side
from app.services import charts, patients, photos, visits
from app.store.database import Store
from tests.app.alignment.faces import astronaut, jpeg, similarity, warp
from tests.images import face_image, jpeg_bytes

# Today's frown photo is the earlier one scaled, turned and shifted by this (pixel edges).
WARP = similarity(0.9, 6.0, (40.0, 25.0), (512.0, 512.0))
# Earlier points on the astronaut's face (1024-px photo): procerus, corrugators, forehead, and
# the patient's right crow's feet; units as charted then.
EARLIER_POINTS = (
    (451.0, 186.0, "4", "procerus", Side.MIDLINE),
    (424.0, 178.0, "4", "corrugator", Side.RIGHT),
    (479.0, 180.0, "4", "corrugator", Side.LEFT),
    (453.0, 148.0, "2", "frontalis", Side.MIDLINE),
    (372.0, 205.0, "2.5", "orbicularis oculi", Side.RIGHT),
)
BROW = ((405.0, 170.0), (430.0, 165.0), (452.0, 166.0), (475.0, 166.0), (500.0, 172.0))


def warped(x: float, y: float) -> tuple[float, float]:
    p = np.array([x, y]) @ WARP[:, :2].T + WARP[:, 2]
    return float(p[0]), float(p[1])


@dataclass
class Course:
    patient_id: int
    earlier_visit_id: int
    earlier_version_id: int
    earlier_hash: str
    today_visit_id: int
    earlier_ids: list[str]  # ids of EARLIER_POINTS' frown points, in that order


def course(store: Store, practitioner_id: int, touch_up: bool = True) -> Course:
    """Earlier visit charted (version 1) on 1 Oct 2026; today's visit on 15 Oct (a touch-up
    of it, or a repeat treatment when `touch_up` is False), photos taken, nothing charted."""
    p = patients.create_patient(store, "Grace", "Hopper", date(1976, 12, 9))
    face = astronaut(2.0)
    first = visits.start_visit(store, p.id, practitioner_id, "neurotoxin", date(2026, 10, 1))
    old_frown = photos.add_photo_bytes(store, p.id, "frown", jpeg(face), visit_id=first.id)
    old_smile = photos.add_photo_bytes(
        store, p.id, "smile", jpeg_bytes(face_image(640, 800, 5)), visit_id=first.id
    )
    points = tuple(
        InjectionPoint(x, y, "botox", Decimal(u), zone=zone, side=side)
        for x, y, u, zone, side in EARLIER_POINTS
    )
    brow = Stroke(tuple((x, y, 0.6, 20.0 * i) for i, (x, y) in enumerate(BROW)), "white", "dashed")
    smile_point = InjectionPoint(250.0, 330.0, "botox", Decimal(4), zone="orbicularis oculi")
    content = ChartContent(
        views=(
            ViewChart("frown", old_frown.sha256, (brow,), points),
            ViewChart("smile", old_smile.sha256, (), (smile_point,)),
        )
    )
    info = charts.save_version(
        store, first.id, content, parent_version_id=None, saved_by_id=practitioner_id
    )
    today = visits.start_visit(
        store,
        p.id,
        practitioner_id,
        "neurotoxin",
        date(2026, 10, 15),
        touch_up_of_id=first.id if touch_up else None,
    )
    photos.add_photo_bytes(store, p.id, "frown", jpeg(warp(face, WARP)), visit_id=today.id)
    no_face = Image.new("RGB", (640, 800), (118, 128, 140))  # a wall: nothing to align to
    photos.add_photo_bytes(store, p.id, "smile", jpeg_bytes(no_face), visit_id=today.id)
    return Course(p.id, first.id, info.id, info.content_hash, today.id, [q.id for q in points])


@dataclass
class Spring:
    visit_id: int
    version_hash: str
    photo_sha256: str


def spring_plan(store: Store, course: Course, practitioner_id: int) -> Spring:
    """Another earlier visit of the course's patient, charted on 1 Apr 2026 (a repeat plan,
    not the visit today touches up): a chart the clinician may add to the legend by hand."""
    spring = visits.start_visit(
        store, course.patient_id, practitioner_id, "neurotoxin", date(2026, 4, 1)
    )
    shot = photos.add_photo_bytes(
        store, course.patient_id, "frown", jpeg_bytes(face_image(640, 800, 7)),
        visit_id=spring.id,
    )  # fmt: skip
    point = InjectionPoint(300.0, 300.0, "botox", Decimal(4))
    plan = ChartContent(views=(ViewChart("frown", shot.sha256, points=(point,)),))
    info = charts.save_version(
        store, spring.id, plan, parent_version_id=None, saved_by_id=practitioner_id
    )
    return Spring(spring.id, info.content_hash, shot.sha256)
