"""Everything the chart editor needs to open a visit's chart, read in one call.

The editor opens from a worker thread (ui/editor/opening.py): one function that reads the
visit, its patient, the version to edit, the catalogue, the photos' sizes and display images
keeps every round trip to a clinic server off the GUI thread, and lets a test open the editor
synchronously through the very same code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.domain.across_visits import DoseHistory
from app.domain.chart import ChartContent, ViewChart
from app.domain.soft_warnings import ALL_ON, Switches
from app.domain.values import TreatmentType
from app.services import (
    area_names,
    catalogue,
    charts,
    mn_course,
    patients,
    photos,
    practitioners,
    signoff,
    visits,
)
from app.services.catalogue import ProductRecord
from app.services.charts import VersionInfo
from app.services.dose_history import dose_history
from app.services.mn_course import CourseState
from app.services.patients import PatientRecord
from app.services.practitioners import PractitionerRecord
from app.services.product_carry import EarlierUse, earlier_product_uses
from app.services.signoff import ShownSignOff
from app.services.visits import VisitRecord
from app.services.warning_settings import warning_switches
from app.store.database import Store
from app.store.errors import StoreError

DEFAULT_FRAME = (1000, 1250)  # a view without a readable photo still gets a canvas


@dataclass(frozen=True, slots=True)
class ViewPhoto:
    """One view's photo as the editor shows it: its upright size (the frame of the chart's
    coordinates) and its display JPEG (never the 24 MP original), or None when unreadable
    or not read yet (`later`: read it with `display_jpeg(store, sha256)` when needed)."""

    size: tuple[int, int]
    display_jpeg: bytes | None
    sha256: str | None = None
    later: bool = False


@dataclass(frozen=True, slots=True)
class ChartOpening:
    visit: VisitRecord
    patient: PatientRecord
    content: ChartContent
    version: VersionInfo | None  # the version opened; None for a new chart
    read_only: bool  # an older version: looked at, never edited
    products: list[ProductRecord]
    view_names: dict[str, str]  # code -> name, in the catalogue's order
    view_codes: tuple[str, ...]  # the chart's views, in the catalogue's order
    photos: dict[str, ViewPhoto] = field(default_factory=dict)
    previous_toxin: VisitRecord | None = None
    dose_history: DoseHistory | None = None  # the patient's other visits' doses
    warning_switches: Switches = ALL_ON  # the clinic's soft-warning switches
    # per product, the lot, expiry and dilution an earlier visit recorded (one-tap reuse)
    earlier_uses: dict[str, EarlierUse] = field(default_factory=dict)
    # a microneedling chart's: the clinic's own area names, and where the visit sits in its
    # course (None when it could not be read: the editor then assumes a course's first)
    clinic_area_names: tuple[str, ...] = ()
    course: CourseState | None = None
    # the header's sign-off, as the practitioner the chart was opened for may act on it (None
    # when not asked for or not read: the editor reads it itself)
    sign_off: ShownSignOff | None = None
    # the practitioner it was opened for (the compare screen acts as them); None if unread
    practitioner: PractitionerRecord | None = None


def open_chart(
    store: Store,
    visit_id: int,
    version_id: int | None = None,
    first_display_only: bool = False,
    practitioner_id: int | None = None,
) -> ChartOpening:
    """`version_id=None` opens the newest version (or a new chart) for editing, with a view for
    every photo of the visit not charted yet; an older version opens read-only, as saved.
    `first_display_only`: only the first view's display JPEG is read (the editor paints that
    view first and reads the others behind it); the others come back `later`. With
    `practitioner_id`, the sign-off the editor's header shows to them is read too. Everything
    comes from one read transaction: the visit, its chart and its photos as one state."""
    with store.snapshot():
        return _open(store, visit_id, version_id, first_display_only, practitioner_id)


def _open(
    store: Store,
    visit_id: int,
    version_id: int | None,
    first_display_only: bool,
    practitioner_id: int | None,
) -> ChartOpening:
    visit = visits.get_visit(store, visit_id)
    patient = patients.get_patient(store, visit.patient_id)
    loaded = (
        charts.load_version(store, version_id)
        if version_id is not None
        else charts.load_head(store, visit_id)
    )
    read_only = loaded is not None and not loaded.is_head
    content = loaded.content if loaded else ChartContent()
    if not read_only:
        content = _with_visit_photos(store, visit_id, content)
    view_names = {v.code: v.name for v in catalogue.list_views(store)}
    order = {code: i for i, code in enumerate(view_names)}
    view_codes = tuple(sorted((v.view for v in content.views), key=lambda c: order.get(c, 99)))
    previous = (
        visits.previous_toxin_visit(store, patient.id, visit.visit_date)
        if visit.treatment_type == TreatmentType.NEUROTOXIN
        else None
    )
    clinic_names, course = _microneedling(store, visit, content)
    shown, who = None, None
    if practitioner_id is not None:
        version = loaded.info.id if loaded else None
        try:
            shown = signoff.shown_sign_off(store, visit_id, practitioner_id, version)
            who = practitioners.get_practitioner(store, practitioner_id)
        except StoreError:  # the chart still opens; the editor reads it and says what failed
            pass
    return ChartOpening(
        visit=visit,
        patient=patient,
        content=content,
        version=loaded.info if loaded else None,
        read_only=read_only,
        products=catalogue.list_products(store),
        view_names=view_names,
        view_codes=view_codes,
        photos=_view_photos(store, content, view_codes, first_display_only),
        previous_toxin=previous,
        dose_history=dose_history(store, visit_id),
        warning_switches=warning_switches(store),
        earlier_uses={} if read_only else earlier_product_uses(store, visit_id),
        clinic_area_names=clinic_names,
        course=course,
        sign_off=shown,
        practitioner=who,
    )


def _microneedling(
    store: Store, visit: VisitRecord, content: ChartContent
) -> tuple[tuple[str, ...], CourseState | None]:
    """What a microneedling chart's editor shows besides the chart: read here, with the rest
    of the opening, so no round trip to a clinic server is left to the GUI thread."""
    if visit.treatment_type != TreatmentType.MICRONEEDLING:
        return (), None
    try:
        names = tuple(area_names.clinic_area_names(store))
    except StoreError:
        names = ()  # the sheet still offers the standard areas, and typing
    try:
        course = mn_course.course_state(store, visit.id, content)
    except StoreError:
        course = None
    return names, course


def _with_visit_photos(store: Store, visit_id: int, content: ChartContent) -> ChartContent:
    """A view for every photo of the visit that the chart does not cover yet. Views that are
    charted keep their photo: a retake makes a new version, never moves old marks."""
    for photo in photos.photos_for_visit(store, visit_id):
        if content.view(photo.view_code) is None:
            content = content.with_view(ViewChart(photo.view_code, photo.sha256))
    return content


def _view_photos(
    store: Store, content: ChartContent, codes: tuple[str, ...], first_only: bool
) -> dict[str, ViewPhoto]:
    shas = {code: chart.photo_sha256 for code in codes if (chart := content.view(code))}
    sizes = photos.photo_sizes(store, [sha for sha in shas.values() if sha])
    out = {}
    for i, code in enumerate(codes):
        sha = shas.get(code)
        if not sha or sha not in sizes:  # a missing photo still opens: marks on a frame
            out[code] = ViewPhoto(DEFAULT_FRAME, None)
        elif first_only and i > 0:
            out[code] = ViewPhoto(sizes[sha], None, sha, later=True)
        else:
            out[code] = ViewPhoto(sizes[sha], _display(store, sha), sha)
    return out


def _display(store: Store, sha: str) -> bytes | None:
    try:
        return photos.display_jpeg(store, sha)
    except StoreError:
        return None  # unreadable: the view shows its marks on an empty frame
