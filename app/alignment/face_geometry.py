"""Where a point sits on a face: the facial midline, the patient's side and a suggested
muscle/zone, from the 468-point mesh `find_faces` gives (ADR 0015).

Everything is measured in a frame of the face itself, in inter-ocular distances (IOD, between
the eye centres), so neither the photo's framing nor the face's size or tilt matters:
- `down` runs along the midline fitted through the nose bridge, nose tip, philtrum, chin and
  forehead mesh points (a robust total-least-squares line: a turned head pushes the nose tip
  off the line, and that point then weighs little);
- `across` is perpendicular, towards the patient's left eye (the viewer's right in a frontal
  photo), origin at the eye centres' midpoint;
- a point's distance from the midline is taken from the midline *at its height* (the midline
  points interpolated along `down`), so a turned head's nose still splits its own cheeks.
Zones are boxes in (distance from the midline, height) whose edges are the face's own
landmarks (brows, eye corners, nose tip, mouth corners, chin), so they follow the face.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from app.domain.catalogue import BUILTIN_VIEWS, EXTRA_ZONES
from app.domain.values import Side

# Mesh indices on the facial midline, forehead to chin (MediaPipe's canonical face).
MIDLINE = (10, 151, 9, 8, 168, 6, 197, 195, 5, 4, 1, 2, 164, 0, 17, 18, 200, 199, 175, 152)
RIGHT_EYE_RING = (33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246)
LEFT_EYE_RING = (263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466)
BROW_UPPER = (70, 63, 105, 66, 107, 300, 293, 334, 296, 336)
BROW_LOWER = (46, 53, 52, 65, 55, 276, 283, 282, 295, 285)
INNER_CANTHI, OUTER_CANTHI = (133, 362), (33, 263)
MOUTH_CORNERS = (61, 291)
FOREHEAD_SIDES, CHEEK_SIDES = (54, 284), (234, 454)
NASION, NOSE_TIP, LOWER_LIP, CHIN, FOREHEAD_TOP = 168, 4, 17, 152, 10

# Within this distance of the midline a point is on it: 0.08 IOD ≈ 5 mm on an adult face,
# about the width of the procerus' central line and well inside the 0.15 IOD at which the
# nearest paired sites (medial corrugator) begin.
MIDLINE_IOD = 0.08
FIT_SCALE_IOD = 0.03  # residual at which a midline point's weight halves (robust fit)

PROCERUS = "procerus"
CORRUGATOR = "corrugator supercilii"
DEPRESSOR_SUPERCILII = "depressor supercilii"
FRONTALIS = "frontalis"
ORBICULARIS = "orbicularis oculi (lateral)"
NASALIS, MENTALIS, DAO = "nasalis", "mentalis", "depressor anguli oris"
PLATYSMA, MASSETER = "platysma", "masseter"
assert {NASALIS, MENTALIS, DAO, PLATYSMA, MASSETER} == set(EXTRA_ZONES)


@dataclass(frozen=True, slots=True)
class Box:
    """(distance from the midline, height below the eye line) ranges, in IOD."""

    zone: str
    a: tuple[float, float]
    v: tuple[float, float]

    def distance(self, a: float, v: float) -> float:
        da = max(self.a[0] - a, 0.0, a - self.a[1])
        dv = max(self.v[0] - v, 0.0, v - self.v[1])
        return float(np.hypot(da, dv))


@dataclass(frozen=True)
class FaceGeometry:
    """One face's frame, midline and zone boxes, in the pixels of the photo it was found in."""

    origin: np.ndarray  # eye centres' midpoint
    down: np.ndarray  # unit vector along the midline, forehead → chin
    across: np.ndarray  # unit vector towards the patient's left
    iod: float  # pixels
    midline_v: np.ndarray = field(repr=False)  # midline points' heights (IOD), ascending
    midline_a: np.ndarray = field(repr=False)  # their offsets across (IOD)
    boxes: tuple[Box, ...] = field(repr=False)
    # Distances from the midline (IOD) of 0, the outer eye corner and the cheek's edge: the
    # patient's right side, the left, and their mean (a turned head's sides differ).
    knots: tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...]] = field(
        default=((0.0, 1.0), (0.0, 1.0), (0.0, 1.0)), repr=False
    )
    # Millimetres per photo pixel: the iris scale fills this in; None until it exists.
    mm_per_px: float | None = None

    @classmethod
    def from_mesh(cls, points: np.ndarray) -> FaceGeometry:
        p = np.asarray(points, float)
        right_eye, left_eye = p[list(RIGHT_EYE_RING)].mean(0), p[list(LEFT_EYE_RING)].mean(0)
        iod = float(np.hypot(*(left_eye - right_eye)))
        centre, down = _robust_line(p[list(MIDLINE)], iod)
        if down @ (p[CHIN] - p[FOREHEAD_TOP]) < 0:
            down = -down
        across = np.array([-down[1], down[0]])
        if across @ (left_eye - right_eye) < 0:
            across = -across
        mid_eyes = (right_eye + left_eye) / 2
        origin = centre + down * float((mid_eyes - centre) @ down)
        rel = (p - origin) / iod
        u, v = rel @ across, rel @ down
        order = np.argsort(v[list(MIDLINE)])
        mv, mu = v[list(MIDLINE)][order], u[list(MIDLINE)][order]

        def a_at(i: int) -> float:
            return float(abs(u[i] - np.interp(v[i], mv, mu)))

        # A turned head foreshortens its far side, more the further out: each side's
        # distances are mapped piecewise-linearly through its own outer eye corner and cheek
        # edge onto the mean of both sides, so one box table fits both sides. (The inner eye
        # corners are no knot: measured from a turned head's nose bridge, which stands out of
        # the face, they differ far more than the glabella's points do.)
        sides = np.array([[a_at(r), a_at(le)] for r, le in (OUTER_CANTHI, CHEEK_SIDES)])
        knots = (
            (0.0, *(float(k) for k in sides[:, 0])),
            (0.0, *(float(k) for k in sides[:, 1])),
            (0.0, *(float(k) for k in sides.mean(1))),
        )

        def mean_a(ids: Sequence[int]) -> float:
            r, le = ids
            return (across_norm(-a_at(r), knots) + across_norm(a_at(le), knots)) / 2

        def mean_v(ids: Sequence[int]) -> float:
            return float(v[list(ids)].mean())

        boxes = zone_boxes(
            brow_top=mean_v(BROW_UPPER),
            brow_low=mean_v(BROW_LOWER),
            nasion=float(v[NASION]),
            inner_canthus=mean_a(INNER_CANTHI),
            outer_canthus=mean_a(OUTER_CANTHI),
            canthus_v=mean_v(OUTER_CANTHI),
            nose_tip=float(v[NOSE_TIP]),
            mouth_a=mean_a(MOUTH_CORNERS),
            mouth_v=mean_v(MOUTH_CORNERS),
            lower_lip=float(v[LOWER_LIP]),
            chin=float(v[CHIN]),
            top=float(v[FOREHEAD_TOP]),
            forehead_a=mean_a(FOREHEAD_SIDES),
            cheek_a=mean_a(CHEEK_SIDES),
        )
        return cls(origin, down, across, iod, mv, mu, boxes, knots)

    def scaled(self, sx: float, sy: float) -> FaceGeometry:
        """The same face in an image scaled by (sx, sy) (working pixels → the original's)."""
        s = np.array([sx, sy])
        origin = self.origin * s
        down = self.down * s
        down = down / np.hypot(*down)
        across = np.array([-down[1], down[0]])
        if across @ (self.across * s) < 0:
            across = -across
        return FaceGeometry(
            origin,
            down,
            across,
            self.iod * float(np.sqrt(sx * sy)),
            self.midline_v,
            self.midline_a,
            self.boxes,
            self.knots,
            self.mm_per_px,
        )

    def frame(self, x: float, y: float) -> tuple[float, float]:
        """(signed distance from the midline at that height, height below the eye line), in
        IOD; positive towards the patient's left."""
        rel = (np.array([x, y], float) - self.origin) / self.iod
        u, v = float(rel @ self.across), float(rel @ self.down)
        return u - float(np.interp(v, self.midline_v, self.midline_a)), v

    def side(self, x: float, y: float) -> Side:
        u, _v = self.frame(x, y)
        if abs(u) <= MIDLINE_IOD:
            return Side.MIDLINE
        return Side.LEFT if u > 0 else Side.RIGHT

    def zone(self, x: float, y: float, view: str | None = None) -> str:
        """The likeliest zone among those of `view` (all zones for a view that names none,
        and for no view): the box the point is in, else the nearest one."""
        u, v = self.frame(x, y)
        a = across_norm(u, self.knots)
        allowed = set(view_zones(view))
        boxes = [b for b in self.boxes if b.zone in allowed]
        # min() keeps the first of equals: the table's order settles overlaps.
        return min(boxes, key=lambda b: b.distance(a, v)).zone


def view_zones(view: str | None) -> tuple[str, ...]:
    """The zones a view suggests among: its own muscles, or every zone of the table."""
    seed = next((s for s in BUILTIN_VIEWS if s.code == view), None)
    if seed is not None and seed.muscles:
        return seed.muscles
    return ALL_ZONES


ALL_ZONES = (
    PROCERUS,
    CORRUGATOR,
    DEPRESSOR_SUPERCILII,
    FRONTALIS,
    ORBICULARIS,
    NASALIS,
    MENTALIS,
    DAO,
    MASSETER,
    PLATYSMA,
)


def zone_boxes(
    *,
    brow_top: float,
    brow_low: float,
    nasion: float,
    inner_canthus: float,
    outer_canthus: float,
    canthus_v: float,
    nose_tip: float,
    mouth_a: float,
    mouth_v: float,
    lower_lip: float,
    chin: float,
    top: float,
    forehead_a: float,
    cheek_a: float,
) -> tuple[Box, ...]:
    """The zone map, edges from the face's own landmarks (heights below the eye line, IOD).
    Earlier boxes win where boxes overlap. Sources: DOMAIN.md and the label's sites — the
    procerus on the midline at the root of the nose; the corrugators above the medial brows
    out to the mid-pupil line; the depressor supercilii under the medial brow head, above the
    inner canthus; the frontalis above all of them; the crow's feet lateral to the outer
    canthus."""
    glabella_top = brow_top - 0.3
    medial = 0.15  # procerus | paired glabellar muscles
    forehead_top = top - 0.6  # the mesh stops below the hairline
    return (
        Box(PROCERUS, (0.0, medial), (glabella_top, nasion + 0.1)),
        Box(DEPRESSOR_SUPERCILII, (medial, inner_canthus + 0.07), (brow_low - 0.03, -0.03)),
        Box(CORRUGATOR, (medial, 0.6), (glabella_top, brow_low - 0.03)),
        Box(FRONTALIS, (0.0, forehead_a + 0.15), (forehead_top, glabella_top)),
        Box(FRONTALIS, (0.6, forehead_a + 0.15), (forehead_top, brow_top)),
        Box(ORBICULARIS, (outer_canthus, outer_canthus + 0.6), (brow_low, canthus_v + 0.5)),
        Box(NASALIS, (0.0, 0.3), (nasion + 0.1, nose_tip)),
        Box(MENTALIS, (0.0, 0.3), (lower_lip, chin)),
        Box(DAO, (0.3, mouth_a + 0.12), (mouth_v, chin + 0.05)),
        Box(MASSETER, (mouth_a + 0.2, cheek_a + 0.1), (nose_tip + 0.2, chin)),
        Box(PLATYSMA, (0.0, cheek_a), (chin + 0.1, chin + 2.5)),
    )


def across_norm(
    u: float, knots: tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...]]
) -> float:
    """|u| mapped from its own side's proportions onto both sides' mean (`FaceGeometry.knots`);
    beyond the last knot, scaled like it."""
    own, mean = knots[1 if u > 0 else 0], knots[2]
    a = abs(u)
    if a <= own[-1]:
        return float(np.interp(a, own, mean))
    return mean[-1] + (a - own[-1]) * mean[-1] / max(own[-1], 1e-6)


def _robust_line(points: np.ndarray, iod: float) -> tuple[np.ndarray, np.ndarray]:
    """A point on, and the unit direction of, the total-least-squares line through `points`,
    reweighted a few times so that points far off it (a turned head's nose tip) count less."""
    w = np.ones(len(points))
    centre, direction = points.mean(0), np.array([0.0, 1.0])
    for _ in range(6):
        centre = (points * w[:, None]).sum(0) / w.sum()
        d = points - centre
        cov = (d * w[:, None]).T @ d
        _vals, vecs = np.linalg.eigh(cov)
        direction = vecs[:, -1]
        normal = np.array([-direction[1], direction[0]])
        r = np.abs(d @ normal) / iod
        w = 1.0 / (1.0 + (r / FIT_SCALE_IOD) ** 2)
    return centre, direction
