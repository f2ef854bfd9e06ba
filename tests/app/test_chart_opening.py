"""Opening a chart for the editor in one call (app/services/chart_opening.py): with
`first_display_only` only the first view's display image is read; the others are sized (their
frames are the chart's coordinates) and read later, the same bytes."""

from __future__ import annotations

from datetime import date

from app.services import chart_opening, patients, photos, visits
from tests.images import face_image, jpeg_bytes


def test_first_display_only_reads_one_image_and_sizes_every_view(store, clinician) -> None:
    p = patients.create_patient(store, "Zoë", "Martin", date(1984, 3, 12))
    v = visits.start_visit(store, p.id, clinician.id, "neurotoxin")
    shots = {
        view: photos.add_photo_bytes(
            store, p.id, view, jpeg_bytes(face_image(seed=i)), visit_id=v.id
        )
        for i, view in enumerate(("rest", "frown", "smile"))
    }
    whole = chart_opening.open_chart(store, v.id)
    first = chart_opening.open_chart(store, v.id, first_display_only=True)
    assert first.view_codes == whole.view_codes and len(first.view_codes) == 3
    head, *rest = first.view_codes
    assert first.photos[head].display_jpeg == whole.photos[head].display_jpeg is not None
    assert not first.photos[head].later
    for code in rest:
        got = first.photos[code]
        sha = shots[code].sha256
        assert got.later and got.display_jpeg is None and got.sha256 == sha
        assert got.size == whole.photos[code].size == photos.photo_size(store, sha)
        assert photos.display_jpeg(store, sha) == whole.photos[code].display_jpeg
    assert photos.photo_sizes(store, [s.sha256 for s in shots.values()]) == {
        s.sha256: photos.photo_size(store, s.sha256) for s in shots.values()
    }
