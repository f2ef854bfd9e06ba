"""Two treatment rooms writing at the same moment (issue #13), on SQLite and on the PostgreSQL
server: the same new chart part saved by two different charts, the same photo imported for the
same visit twice, the same carton remembered twice. None of these is a conflict or an error;
only two saves from the same parent are."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from app.domain.chart import ChartContent, InjectionPoint, ProductUse, ViewChart
from app.services import carton, charts, patients, photos, visits, warning_settings
from app.services.practitioners import PractitionerRecord
from app.store.database import Store
from app.store.errors import ConflictError
from app.store.schema import ChartPart, Photo, PhotoBlob, ProductGtin
from tests.images import face_image, jpeg_bytes


def _at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls on threads released together (each thread its own connection): what two
    rooms pressing Save in the same instant do. Returns each call's result or exception."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - every outcome is asserted on
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def _content(lot: str, x: float) -> ChartContent:
    """Two charts of this try share the products part (the same new lot, same day) and
    differ in their points."""
    return ChartContent(
        views=(ViewChart("frown", None, points=(InjectionPoint(x, 100, "botox", Decimal(4)),)),),
        products=(ProductUse("botox", lot),),
    )


def test_different_charts_saving_the_same_new_part_are_never_a_conflict(
    store: Store, clinician: PractitionerRecord
) -> None:
    tries = 100
    a = patients.create_patient(store, "Ann", "Room", date(1980, 1, 1))
    b = patients.create_patient(store, "Bea", "Room", date(1981, 1, 1))
    outcomes: list[Any] = []
    for i in range(tries):
        va = visits.start_visit(store, a.id, clinician.id, "neurotoxin")
        vb = visits.start_visit(store, b.id, clinician.id, "neurotoxin")
        lot = f"NEW{i:04d}"
        outcomes += _at_once(
            lambda v=va.id, lot=lot: charts.save_version(
                store, v, _content(lot, 10), parent_version_id=None, saved_by_id=clinician.id
            ),
            lambda v=vb.id, lot=lot: charts.save_version(
                store, v, _content(lot, 20), parent_version_id=None, saved_by_id=clinician.id
            ),
        )
    failures = [o for o in outcomes if isinstance(o, Exception)]
    assert failures == [], f"{len(failures)} of {2 * tries} saves failed: {failures[:3]}"
    with store.read() as s:
        products_parts = s.scalar(
            select(func.count()).select_from(ChartPart).where(ChartPart.kind == "products")
        )
    assert products_parts == tries  # one stored part per shared lot, not two


def test_two_saves_from_the_same_parent_are_still_a_conflict(
    store: Store, clinician: PractitionerRecord
) -> None:
    p = patients.create_patient(store, "Cat", "Room", date(1982, 1, 1))
    v = visits.start_visit(store, p.id, clinician.id, "neurotoxin")
    first = charts.save_version(
        store, v.id, _content("L1", 5), parent_version_id=None, saved_by_id=clinician.id
    )
    outcomes = _at_once(
        lambda: charts.save_version(
            store, v.id, _content("L1", 6), parent_version_id=first.id, saved_by_id=clinician.id
        ),
        lambda: charts.save_version(
            store, v.id, _content("L1", 7), parent_version_id=first.id, saved_by_id=clinician.id
        ),
    )
    assert sum(isinstance(o, ConflictError) for o in outcomes) == 1
    assert sum(isinstance(o, charts.VersionInfo) for o in outcomes) == 1


def test_the_same_photo_imported_in_two_rooms_makes_one_record(
    store: Store, clinician: PractitionerRecord
) -> None:
    tries = 40
    p = patients.create_patient(store, "Dot", "Room", date(1983, 1, 1))
    for i in range(tries):
        v = visits.start_visit(store, p.id, clinician.id, "neurotoxin")
        data = jpeg_bytes(face_image(120 + i, 150, seed=i))  # unique bytes per try
        outcomes = _at_once(
            *(
                lambda v=v.id, data=data: photos.add_photo_bytes(
                    store, p.id, "frown", data, visit_id=v, taken_by_id=clinician.id
                )
                for _ in range(2)
            )
        )
        errors = [o for o in outcomes if isinstance(o, Exception)]
        assert errors == [], f"try {i}: {errors}"
        assert outcomes[0].id == outcomes[1].id
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(Photo)) == tries
        assert s.scalar(select(func.count()).select_from(PhotoBlob)) == tries


def test_the_same_bytes_for_another_view_or_visit_are_another_photo(
    store: Store, clinician: PractitionerRecord
) -> None:
    p = patients.create_patient(store, "Eve", "Room", date(1984, 1, 1))
    v1 = visits.start_visit(store, p.id, clinician.id, "neurotoxin")
    v2 = visits.start_visit(store, p.id, clinician.id, "neurotoxin")
    data = jpeg_bytes(face_image(120, 150, seed=99))
    ids = {
        photos.add_photo_bytes(store, p.id, view, data, visit_id=v).id
        for view, v in (("frown", v1.id), ("smile", v1.id), ("frown", v2.id), ("frown", v1.id))
    }
    assert len(ids) == 3  # the fourth is the first again
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(PhotoBlob)) == 1


@pytest.mark.parametrize("tries", [20])
def test_a_carton_and_a_warning_switch_from_two_rooms_at_once(
    store: Store, clinician: PractitionerRecord, tries: int
) -> None:
    for i in range(tries):
        gtin = f"0{i:013d}"
        outcomes = _at_once(
            lambda gtin=gtin: carton.remember_gtin(store, gtin, "botox", clinician.id),
            lambda gtin=gtin: carton.remember_gtin(store, gtin, "botox", clinician.id),
            lambda on=bool(i % 2): warning_settings.set_warning(
                store, "interval", on, clinician.id
            ),
            lambda on=not bool(i % 2): warning_settings.set_warning(
                store, "interval", on, clinician.id
            ),
        )
        assert [o for o in outcomes if isinstance(o, Exception)] == []
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(ProductGtin)) == tries
