from __future__ import annotations

from datetime import date
from decimal import Decimal

from app.domain.chart import ChartContent, InjectionPoint, Stroke, ViewChart
from app.services import charts, patients, photos, visits
from tests.images import jpeg_bytes


def test_round_trip(store, clinician):
    p = patients.create_patient(store, "Zoë", "Øster", date(1980, 5, 1))
    v = visits.start_visit(store, p.id, clinician.id, "neurotoxin")
    ph = photos.add_photo_bytes(store, p.id, "frown", jpeg_bytes(), visit_id=v.id)
    content = ChartContent(views=(ViewChart("frown", ph.sha256,
        strokes=(Stroke(((1.0, 2.0, 0.5, 0.0), (3.0, 4.0, 0.6, 8.0))),),
        points=(InjectionPoint(10.1234, 20.5, "botox", Decimal("2.5")),)),))
    v1 = charts.save_version(store, v.id, content, parent_version_id=None, saved_by_id=clinician.id)
    loaded = charts.load_version(store, v1.id)
    assert loaded.content.views[0].points[0].units == Decimal("2.5")
    assert loaded.content.views[0].points[0].x == 10.123
    assert patients.search_patients(store, "zoe").total == 1
    assert patients.search_patients(store, "oster").total == 1
    assert visits.timeline(store, p.id)[0].units == {"botox": Decimal("2.5")}
