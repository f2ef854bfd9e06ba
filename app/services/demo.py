"""Demo data for `--demo`: sample patients (names with accents), generated photos, a charted
visit with two versions and a touch-up, so a newcomer sees a populated app at once; and demo
practitioners whose PINs and passwords the sign-in screen of a demo database says (issue #11)."""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from PIL import Image, ImageDraw, ImageFilter

from app.domain.chart import ChartContent, InjectionPoint, ProductUse, Stroke, ViewChart
from app.domain.roles import Role
from app.domain.values import Depth, Dilution, PhotoSource, Side, TreatmentType, clock_at
from app.services import charts, credentials, patients, photos, visits
from app.services.credentials import KeySigner
from app.services.demo_mn import build_microneedling_demo
from app.services.demo_signoff import build_sign_off_demo
from app.services.practitioners import PractitionerRecord, create_practitioner
from app.store.database import Store
from app.store.schema import Setting

DEMO_PATIENTS = [
    ("Zoë", "Martin", date(1984, 3, 12)),
    ("Lars", "Østergaard", date(1976, 11, 2)),
    ("Jürgen", "Weiß", date(1969, 7, 23)),
    ("Amélie", "Dubois", date(1990, 1, 30)),
    ("Siobhán", "O'Brien", date(1988, 9, 5)),
    ("Maria", "González", date(1979, 4, 17)),
]


@dataclass(frozen=True, slots=True)
class DemoPractitioner:
    name: str
    role: Role
    pin: str
    password: str


# Published here, in the README and on a demo database's sign-in screen: demo secrets only.
DEMO_PRACTITIONERS = (
    DemoPractitioner("Dr Claire Fontaine", Role.ADMIN, "2468", "fontaine-demo"),
    DemoPractitioner("Dr Samir Haddad", Role.PRESCRIBER, "1357", "haddad-demo"),
    DemoPractitioner("Ella Byrne", Role.INJECTOR, "8024", "byrne-demo"),
)
DEMO_MARK = "demo_clinic"  # a `setting` row: this database holds the demo clinic


def is_demo(store: Store) -> bool:
    with store.read() as s:
        return s.get(Setting, DEMO_MARK) is not None


def demo_secrets(name: str) -> DemoPractitioner | None:
    return next((d for d in DEMO_PRACTITIONERS if d.name == name), None)


def _demo_practitioners(store: Store) -> list[tuple[PractitionerRecord, KeySigner]]:
    """The demo's practitioners with their published PINs and passwords, and their opened
    signing keys (the demo's charts are signed with them); the first (the admin) made the
    demo's charts."""
    made = []
    for d in DEMO_PRACTITIONERS:
        p = create_practitioner(store, d.name, d.role)
        made.append((p, credentials.set_credentials(store, p.id, d.pin, d.password)))
    with store.write() as s:
        s.add(Setting(key=DEMO_MARK, value="1"))
    return made


W, H = 1200, 1500  # demo photos: portrait, like a phone or tablet camera


SKIN_TONES = [(236, 196, 170), (198, 150, 118), (141, 98, 70), (230, 185, 160)]


def demo_face(view: str, seed: int, skin_tone: int = 0) -> bytes:
    """A drawn face whose brows and mouth follow the expression of the view; `seed` only
    jitters the framing, so one patient keeps one skin tone across views and visits."""
    rng = random.Random(seed)
    skin = SKIN_TONES[skin_tone % len(SKIN_TONES)]
    img = Image.new("RGB", (W, H), (214, 222, 228))
    d = ImageDraw.Draw(img)
    cx, cy = W / 2 + rng.uniform(-15, 15), H / 2 + rng.uniform(-15, 15)
    d.ellipse([cx - 400, cy - 560, cx + 400, cy + 560], fill=(60, 45, 35))  # hair
    d.ellipse([cx - 360, cy - 470, cx + 360, cy + 540], fill=skin)
    brow_lift = {"brow_raise": -45, "frown": 18}.get(view, 0)
    brow_tilt = 16 if view == "frown" else 0
    for sx in (-1, 1):
        ex = cx + sx * 150
        d.ellipse([ex - 62, cy - 118, ex + 62, cy - 62], fill=(250, 250, 250))
        d.ellipse([ex - 24, cy - 112, ex + 24, cy - 68], fill=(70, 50, 35))
        inner, outer = ex - sx * 80, ex + sx * 90
        y_in = cy - 185 + brow_lift + brow_tilt
        y_out = cy - 200 + brow_lift
        d.line([(inner, y_in), (outer, y_out)], fill=(70, 45, 30), width=20)
        if view == "smile":  # crow's feet
            for k in range(3):
                a = math.radians(-25 + k * 25)
                x0 = ex + sx * 78
                d.line(
                    [(x0, cy - 90), (x0 + sx * 45 * math.cos(a), cy - 90 + 45 * math.sin(a))],
                    fill=tuple(c - 40 for c in skin),
                    width=4,
                )
    if view == "brow_raise":
        for k in range(4):
            y = cy - 270 - k * 45
            d.arc(
                [cx - 230, y - 20, cx + 230, y + 40],
                200,
                340,
                fill=tuple(c - 35 for c in skin),
                width=4,
            )
    if view == "frown":
        for sx in (-1, 1):
            d.line(
                [(cx + sx * 22, cy - 175), (cx + sx * 14, cy - 115)],
                fill=tuple(c - 45 for c in skin),
                width=5,
            )
    d.polygon(
        [(cx, cy - 80), (cx - 45, cy + 90), (cx + 45, cy + 90)], fill=tuple(c - 18 for c in skin)
    )
    mouth = (
        [cx - 140, cy + 150, cx + 140, cy + 290]
        if view == "smile"
        else [cx - 110, cy + 190, cx + 110, cy + 250]
    )
    d.chord(mouth, 0, 180, fill=(170, 70, 75))
    img = img.filter(ImageFilter.GaussianBlur(1.2))
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=88)
    return buf.getvalue()


def _stroke(points: list[tuple[float, float]], color: str, style: str = "solid") -> Stroke:
    samples = []
    for i, (x, y) in enumerate(points):
        samples.append(
            (x, y, 0.55 + 0.35 * math.sin(i / max(1, len(points) - 1) * math.pi), i * 8.0)
        )
    return Stroke(tuple(samples), color=color, style=style, width=7.0)


def _glabellar_chart(frown_sha: str, brow_sha: str, units: Decimal) -> ChartContent:
    cx, cy = W / 2, H / 2
    frown = ViewChart(
        "frown",
        frown_sha,
        strokes=(
            _stroke(
                [(cx - 120 + i * 12, cy - 250 + (i - 10) ** 2 * 0.4) for i in range(21)],
                "white",
                "dashed",
            ),
            _stroke([(cx - 30, cy - 200), (cx - 25, cy - 150), (cx - 22, cy - 110)], "blue"),
            _stroke([(cx + 30, cy - 200), (cx + 25, cy - 150), (cx + 22, cy - 110)], "blue"),
        ),
        points=(
            InjectionPoint(
                cx, cy - 150, "botox", units, Depth.INTRAMUSCULAR, "procerus", Side.MIDLINE
            ),
            # the patient's right is on the viewer's left of a frontal photo
            InjectionPoint(
                cx - 70,
                cy - 185,
                "botox",
                units,
                Depth.INTRAMUSCULAR,
                "corrugator supercilii",
                Side.RIGHT,
            ),
            InjectionPoint(
                cx - 130,
                cy - 205,
                "botox",
                units,
                Depth.INTRAMUSCULAR,
                "corrugator supercilii",
                Side.RIGHT,
            ),
            InjectionPoint(
                cx + 70,
                cy - 185,
                "botox",
                units,
                Depth.INTRAMUSCULAR,
                "corrugator supercilii",
                Side.LEFT,
            ),
            InjectionPoint(
                cx + 130,
                cy - 205,
                "botox",
                units,
                Depth.INTRAMUSCULAR,
                "corrugator supercilii",
                Side.LEFT,
            ),
        ),
    )
    brow = ViewChart(
        "brow_raise",
        brow_sha,
        strokes=(_stroke([(cx - 250 + i * 25, cy - 330) for i in range(21)], "red", "dashed"),),
        points=tuple(
            InjectionPoint(
                cx + dx,
                cy - 390,
                "botox",
                Decimal(4),
                Depth.INTRAMUSCULAR,
                "frontalis",
                Side.MIDLINE if dx == 0 else (Side.LEFT if dx > 0 else Side.RIGHT),
            )
            for dx in (-200, -100, 0, 100, 200)
        ),
    )
    return ChartContent(
        views=(frown, brow),
        products=(
            ProductUse(
                "botox",
                "C1234A",
                date.today() + timedelta(days=300),
                Dilution(Decimal(100), Decimal("2.5")),
            ),
        ),
    )


def _on(day: date, hour: int, minute: int = 0) -> datetime:
    """That day at that local time: when the demo's records of a visit were made."""
    return datetime.combine(day, time(hour, minute)).astimezone()


def build_demo(store: Store) -> None:
    """Fill an empty store with the demo clinic."""
    team = _demo_practitioners(store)
    clinician, clinician_key = team[0]
    injector, injector_key = next((p, k) for p, k in team if p.role == Role.INJECTOR)
    today = date.today()
    first_day = today - timedelta(days=120)
    # every record stamped when the story has it happen, so the audit trail reads in order
    with clock_at(_on(first_day, 9)):
        created = [
            patients.create_patient(
                store, g, f, dob, record_number=f"FC-{1001 + i}", actor_id=clinician.id
            )
            for i, (g, f, dob) in enumerate(DEMO_PATIENTS)
        ]
        zoe = created[0]
        # Photos are taken only with the patient's consent (ui/capture/consent_bar.py): the
        # demo's photographed patients gave it, as the capture screen would have asked.
        for photographed in (zoe, created[1]):
            patients.record_photography_consent(store, photographed.id, clinician.id)
    with clock_at(_on(first_day, 9, 55)):
        first = visits.start_visit(
            store,
            zoe.id,
            clinician.id,
            TreatmentType.NEUROTOXIN,
            first_day,
            notes="First treatment: glabella and forehead.",
        )
    # photos and versions stamped on the visit's day: a chart saved months later would
    # contradict the story the demo tells
    with clock_at(_on(first_day, 10)):
        shas = {}
        for n, view in enumerate(("rest", "frown", "brow_raise", "smile")):
            shas[view] = photos.add_photo_bytes(
                store,
                zoe.id,
                view,
                demo_face(view, n),
                visit_id=first.id,
                taken_by_id=clinician.id,
                source=PhotoSource.DEMO,
                filename=f"{view}.jpg",
            ).sha256
    with clock_at(_on(first_day, 10, 5)):
        v1 = charts.save_version(
            store,
            first.id,
            _glabellar_chart(shas["frown"], shas["brow_raise"], Decimal(4)),
            parent_version_id=None,
            saved_by_id=clinician.id,
            comment="Plan before injecting",
        )
    with clock_at(_on(first_day, 10, 25)):
        charts.save_version(
            store,
            first.id,
            _glabellar_chart(shas["frown"], shas["brow_raise"], Decimal(5)),
            parent_version_id=v1.id,
            saved_by_id=clinician.id,
            comment="As injected: 5 U per glabellar point",
        )
    with clock_at(_on(first_day + timedelta(days=14), 10, 55)):
        touch = visits.start_visit(
            store,
            zoe.id,
            clinician.id,
            TreatmentType.NEUROTOXIN,
            first_day + timedelta(days=14),
            touch_up_of_id=first.id,
            notes="Touch-up: left corrugator still active.",
        )
    with clock_at(_on(first_day + timedelta(days=14), 11)):
        photos.add_photo_bytes(
            store,
            zoe.id,
            "frown",
            demo_face("frown", 7),
            visit_id=touch.id,
            taken_by_id=clinician.id,
            source=PhotoSource.DEMO,
        )
    with clock_at(_on(today - timedelta(days=30), 14, 55)):
        mn = visits.start_visit(
            store,
            created[1].id,
            clinician.id,
            TreatmentType.MICRONEEDLING,
            today - timedelta(days=30),
            notes="SkinPen, 1.0 mm cheeks",
        )
    with clock_at(_on(today - timedelta(days=30), 15)):
        for n, view in enumerate(("front", "left_45", "right_45")):
            photos.add_photo_bytes(
                store,
                created[1].id,
                view,
                demo_face("rest", 10 + n, skin_tone=2),
                visit_id=mn.id,
                taken_by_id=clinician.id,
                source=PhotoSource.DEMO,
            )
    # the first session charted, and today's second session of the course (ADR 0029)
    build_microneedling_demo(
        store,
        clinician.id,
        created[1].id,
        mn.id,
        today - timedelta(days=30),
        today,
        demo_face,
        _on,
        clinician_key,
        injector.id,
    )
    # signed, amended, co-signed and unsigned charts since sign-off began (ADR 0019)
    build_sign_off_demo(
        store, (clinician.id, clinician_key), (injector.id, injector_key), created, demo_face
    )
    patients.mark_seen(store, zoe.id)
