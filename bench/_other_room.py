"""Another treatment room, as a separate process: it saves through app.services to the same
database, then prints what it did as one JSON line (with the wall-clock time of its commit).

    python -m bench._other_room URL VISIT_ID units ZONE UNITS    # change a point's units
    python -m bench._other_room URL VISIT_ID point ZONE UNITS    # add a point
    python -m bench._other_room URL VISIT_ID photo VIEW          # add a photo to the visit
    python -m bench._other_room URL VISIT_ID visit               # start a visit, same patient
    python -m bench._other_room URL VISIT_ID saves N UNITS_FROM  # N saves, 0.3–0.8 s apart

Run from the repository's root (the tests and the benchmark do), so its `app` is the one used.
The photo action draws its face with the tests' image helper (tests/images.py).
"""

from __future__ import annotations

import json
import random
import sys
import time
from dataclasses import replace
from decimal import Decimal

from app.domain.chart import InjectionPoint
from app.domain.editing import put_point
from app.domain.values import Side
from app.services import charts, photos, visits
from app.services.practitioners import default_practitioner
from app.store.database import Store, open_store


def _save_units(store: Store, visit_id: int, zone: str, units: str, add: bool) -> dict:
    head = charts.load_head(store, visit_id)
    assert head is not None
    content = head.content
    frown = content.view("frown")
    assert frown is not None
    if add:
        point = InjectionPoint(330.0, 175.0, "botox", Decimal(units), zone=zone, side=Side.MIDLINE)
    else:
        point = next(p for p in frown.points if p.zone == zone)
        point = replace(point, units=Decimal(units))
    content = put_point(content, "frown", point)
    who = default_practitioner(store).id  # the same practitioner may work in two rooms
    info = charts.save_version(
        store, visit_id, content, parent_version_id=head.info.id, saved_by_id=who
    )
    return {"at": time.time(), "version_id": info.id, "version_no": info.version_no}


def main(argv: list[str]) -> None:
    url, visit_id, action, *rest = argv
    vid = int(visit_id)
    store = open_store(url, migrate=False)
    try:
        if action in ("units", "point"):
            done = _save_units(store, vid, rest[0], rest[1], action == "point")
            print(json.dumps(done), flush=True)
        elif action == "saves":
            count, units = int(rest[0]), int(rest[1])
            for i in range(count):
                # a random pause: saves fall anywhere in the watcher's 0.25-s poll, not in step
                time.sleep(0.3 + random.random() * 0.5)
                done = _save_units(store, vid, "Corrugator", str(units + i), False)
                print(json.dumps(done), flush=True)
                sys.stdin.readline()  # the watching side says when it has seen it
        elif action == "photo":
            from tests.images import face_image, jpeg_bytes

            visit = visits.get_visit(store, vid)
            data = jpeg_bytes(face_image(640, 800, 7))
            rec = photos.add_photo_bytes(
                store,
                visit.patient_id,
                rest[0],
                data,
                visit_id=vid,
                taken_by_id=default_practitioner(store).id,
            )
            print(json.dumps({"at": time.time(), "photo_id": rec.id}), flush=True)
        elif action == "visit":
            visit = visits.get_visit(store, vid)
            new = visits.start_visit(
                store, visit.patient_id, default_practitioner(store).id, "neurotoxin"
            )
            print(json.dumps({"at": time.time(), "visit_id": new.id}), flush=True)
        else:
            raise SystemExit(f"unknown action {action}")
    finally:
        store.dispose()


if __name__ == "__main__":
    main(sys.argv[1:])
