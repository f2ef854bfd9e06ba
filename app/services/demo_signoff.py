"""The demo clinic's sign-off story (issue #11, ADR 0019): sign-off began two months ago, so
Zoë's first treatment shows "unsigned (before sign-off)"; since then a chart was signed and
amended, an injector's chart signed and co-signed, one signed and waiting for its co-signature,
and two not signed yet, so the history, the timeline and the list of charts to sign all show
something.

The demo's practitioners, their PINs and passwords are made in `demo.py`; the story signs with
the admin's and the injector's opened keys.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from app.domain.chart import ChartContent, InjectionPoint, ProductUse, ViewChart
from app.domain.values import Depth, Dilution, PhotoSource, Side, TreatmentType, clock_at
from app.services import charts, patients, photos, signoff, visits
from app.services.credentials import KeySigner
from app.services.patients import PatientRecord
from app.store.database import Store

SIGN_OFF_BEGAN_DAYS_AGO = 60
W, H = 1200, 1500  # the demo photos' size (app/services/demo.py)


def _on(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute)).astimezone()


def _frown_chart(
    sha: str, units: Decimal, lot: str, note: str = "", where: slice = slice(None)
) -> ChartContent:
    cx, cy = W / 2, H / 2
    spots: list[tuple[int, int, str, Side]] = [
        (0, -150, "procerus", Side.MIDLINE),
        (-70, -185, "corrugator supercilii", Side.RIGHT),
        (-130, -255, "corrugator supercilii", Side.RIGHT),  # 1 cm above the brow
        (70, -185, "corrugator supercilii", Side.LEFT),
        (130, -255, "corrugator supercilii", Side.LEFT),
    ]
    points = tuple(
        InjectionPoint(cx + dx, cy + dy, "botox", units, Depth.INTRAMUSCULAR, zone, side)
        for dx, dy, zone, side in spots[where]
    )
    use = ProductUse(
        "botox", lot, date.today() + timedelta(days=240), Dilution(Decimal(100), Decimal("2.5"))
    )
    return ChartContent(views=(ViewChart("frown", sha, points=points),), products=(use,), note=note)


Face = Callable[..., bytes]  # app/services/demo.py's demo_face(view, seed, skin_tone=)


Signer = tuple[int, KeySigner]  # a demo practitioner and their opened signing key


class _Story:
    def __init__(self, store: Store, clinician: Signer, injector: Signer, face: Face) -> None:
        self.store, self.face = store, face
        self.today = date.today()
        self.clinician, self.clinician_key = clinician
        self.injector, self.injector_key = injector

    def chart(
        self,
        patient: PatientRecord,
        who: int,
        days_ago: int,
        hour: int,
        seed: int,
        touch_up_of_id: int | None = None,
        units: Decimal = Decimal(4),
        where: slice = slice(None),
    ) -> tuple[int, int, str, date]:
        """A toxin visit with a frown photo and its first version: (visit id, version id,
        photo, day)."""
        day = self.today - timedelta(days=days_ago)
        visit = visits.start_visit(
            self.store, patient.id, who, TreatmentType.NEUROTOXIN, day, touch_up_of_id
        )
        with clock_at(_on(day, hour)):
            sha = photos.add_photo_bytes(
                self.store,
                patient.id,
                "frown",
                self.face("frown", seed, skin_tone=seed % 4),
                visit_id=visit.id,
                taken_by_id=who,
                source=PhotoSource.DEMO,
            ).sha256
        with clock_at(_on(day, hour, 10)):
            v1 = charts.save_version(
                self.store,
                visit.id,
                _frown_chart(sha, units, "C5521B", where=where),
                parent_version_id=None,
                saved_by_id=who,
                comment="As injected",
            )
        return visit.id, v1.id, sha, day

    def sign(self, version_id: int, who: int, at: datetime, cosign: bool = False) -> None:
        key: KeySigner = self.clinician_key if who == self.clinician else self.injector_key
        act = signoff.cosign_version if cosign else signoff.sign_version
        with clock_at(at):
            act(self.store, version_id, who, key)


def build_sign_off_demo(
    store: Store, clinician: Signer, injector: Signer, people: list[PatientRecord], face: Face
) -> None:
    """Add the story to the demo clinic; `clinician` (an admin, who co-signs) and `injector`
    are demo practitioners with their opened keys (app/services/demo.py publishes their PINs
    and passwords); `people` are the demo's patients in DEMO_PATIENTS' order (Zoë, Lars,
    Jürgen, Amélie, Siobhán, Maria), `face` draws the demo's photos."""
    clinician_id = clinician[0]
    story = _Story(store, clinician, injector, face)
    began = datetime.combine(
        story.today - timedelta(days=SIGN_OFF_BEGAN_DAYS_AGO), time(8, 0)
    ).astimezone()
    signoff.set_sign_off_since(store, began)
    _zoe, _lars, jurgen, amelie, siobhan, maria = people[:6]
    for p in (jurgen, amelie, siobhan, maria):
        patients.record_photography_consent(store, p.id, clinician_id)

    # Jürgen: signed, then amended the same afternoon (the carton's lot), signed again
    visit, v1, sha, day = story.chart(jurgen, clinician_id, 45, 11, 31)
    story.sign(v1, clinician_id, _on(day, 11, 15))
    with clock_at(_on(day, 16, 30)):
        v2 = charts.save_version(
            store,
            visit,
            _frown_chart(sha, Decimal(4), "C5530A"),
            parent_version_id=v1,
            saved_by_id=clinician_id,
            comment="Lot from the carton",
            amend_reason="Lot or expiry corrected",
        )
    story.sign(v2.id, clinician_id, _on(day, 16, 32))

    # Amélie: the injector's chart, signed by her and co-signed by the clinician (a prescriber)
    first, v, _sha, day = story.chart(amelie, story.injector, 21, 9, 32, units=Decimal(3))
    story.sign(v, story.injector, _on(day, 9, 30))
    story.sign(v, clinician_id, _on(day, 12, 10), cosign=True)
    # ... and her touch-up, charted by the injector, not signed yet
    # (2 U on each left corrugator point: the course stays within the label's 20 U)
    story.chart(amelie, story.injector, 7, 10, 33, first, Decimal(2), slice(3, 5))

    # Maria: signed by the injector, waiting for the clinician's co-signature
    _visit, v, _sha, day = story.chart(maria, story.injector, 5, 10, 34)
    story.sign(v, story.injector, _on(day, 10, 30))

    # Siobhán: charted by the clinician two days ago, not signed yet
    story.chart(siobhan, clinician_id, 2, 14, 35)
