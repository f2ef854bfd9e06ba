"""Visits, the timeline, entered-in-error, views, protocols and the product catalogue."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.domain.values import TreatmentType
from app.services import catalogue, charts, patients, photos, visits
from app.store.errors import NotFoundError
from tests.app.chart_factory import glabella
from tests.images import face_image, jpeg_bytes


@pytest.fixture
def patient(store):
    return patients.create_patient(store, "Amélie", "Dubois", date(1990, 1, 30))


def test_builtin_catalogue(store):
    codes = [v.code for v in catalogue.list_views(store)]
    assert codes == ["rest", "frown", "brow_raise", "smile", "front", "left_45", "right_45"]
    assert [v.code for v in catalogue.protocol_views(store, "neurotoxin")] == [
        "rest",
        "frown",
        "brow_raise",
        "smile",
    ]
    assert [v.code for v in catalogue.protocol_views(store, "microneedling")] == [
        "front",
        "left_45",
        "right_45",
    ]
    products = {p.code: p for p in catalogue.list_products(store)}
    assert set(products) == {"botox", "dysport", "xeomin", "jeuveau", "daxxify", "letybo"}
    assert products["dysport"].generic_name == "abobotulinumtoxinA"
    frown = next(v for v in catalogue.list_views(store) if v.code == "frown")
    assert "procerus" in frown.muscles


def test_clinic_defined_views_products_and_protocols(store):
    bunny = catalogue.add_view(store, "Bunny lines", "Scrunch your nose")
    catalogue.set_protocol(store, "neurotoxin", ["rest", "frown", bunny.code])
    assert [v.code for v in catalogue.protocol_views(store, "neurotoxin")] == [
        "rest",
        "frown",
        "bunny_lines",
    ]
    again = catalogue.add_view(store, "Bunny lines")
    assert again.code == "bunny_lines_2"
    filler = catalogue.add_product(store, "Clinic filler", kind="filler", unit_label="mL")
    assert filler.code in {p.code for p in catalogue.list_products(store)}
    with pytest.raises(NotFoundError):
        catalogue.set_protocol(store, "neurotoxin", ["nope"])


def test_timeline_newest_first_with_photos_and_units(store, clinician, patient):
    first = visits.start_visit(
        store, patient.id, clinician.id, "neurotoxin", date.today() - timedelta(days=100)
    )
    touch = visits.start_visit(
        store,
        patient.id,
        clinician.id,
        TreatmentType.NEUROTOXIN,
        date.today() - timedelta(days=86),
        touch_up_of_id=first.id,
    )
    frown = photos.add_photo_bytes(store, patient.id, "frown", jpeg_bytes(), visit_id=first.id)
    photos.add_photo_bytes(
        store, patient.id, "rest", jpeg_bytes(face_image(seed=3)), visit_id=first.id
    )
    charts.save_version(
        store, first.id, glabella(frown.sha256), parent_version_id=None, saved_by_id=clinician.id
    )
    entries = visits.timeline(store, patient.id)
    assert [e.visit.id for e in entries] == [touch.id, first.id]
    assert entries[0].visit.touch_up_of_id == first.id
    assert [code for code, _, _ in entries[1].photos] == ["rest", "frown"]  # protocol order
    assert entries[1].units == {"botox": Decimal(12), "dysport": Decimal("2.5")}
    assert entries[1].version_count == 1
    assert visits.previous_toxin_visit(store, patient.id, date.today()).id == touch.id


def test_touch_up_must_be_of_the_same_patient(store, clinician, patient):
    other = patients.create_patient(store, "X", "Y", date(1970, 1, 1))
    theirs = visits.start_visit(store, other.id, clinician.id, "neurotoxin")
    with pytest.raises(NotFoundError):
        visits.start_visit(store, patient.id, clinician.id, "neurotoxin", touch_up_of_id=theirs.id)


def test_entered_in_error_hides_but_keeps(store, clinician, patient):
    v = visits.start_visit(store, patient.id, clinician.id, "microneedling")
    ph = photos.add_photo_bytes(store, patient.id, "front", jpeg_bytes(), visit_id=v.id)
    with pytest.raises(ValueError):
        photos.mark_photo_in_error(store, ph.id, clinician.id, "  ")
    photos.mark_photo_in_error(store, ph.id, clinician.id, "wrong patient")
    assert photos.photos_for_visit(store, v.id) == []
    kept = photos.photos_for_visit(store, v.id, include_in_error=True)
    assert [p.id for p in kept] == [ph.id] and kept[0].in_error
    assert photos.original_bytes(store, ph.sha256) == jpeg_bytes()  # the record keeps it

    visits.mark_visit_in_error(store, v.id, clinician.id, "opened on the wrong patient")
    assert visits.timeline(store, patient.id) == []
    hidden = visits.timeline(store, patient.id, include_in_error=True)
    assert [e.visit.id for e in hidden] == [v.id] and hidden[0].visit.in_error
