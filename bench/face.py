"""Face-aware charting figures (issue #10): the side a point is given, and `locate`'s time.

`side_accuracy`: for every photo of `--faces DIR` and its mirror image, points built from the
photo's independent reference landmarks (landmarks68.json, never the app's own mesh): along the
reference midline (glabella, nose bridge, nose tip, under the nose, lips, chin), points 0.15,
0.25, 0.35 and 0.5 inter-ocular distances (IOD) off it on both sides, along the eye line, plus
the midline points themselves and the midpoints between them. The figure is the share given
the right side by `app.alignment.locate.locate_photo` (what `main.py locate` runs).

`locate_ms_24mp`: `locate_photo` in-process on a 24 MP camera-like JPEG (a shared face photo
scaled up with sensor grain, as the alignment figures make theirs) with 10 points, decode
included, models warm (warm-up runs first): median of repeated runs.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageOps

from app.alignment.locate import locate_photo
from app.domain.values import Side
from bench._align_data import Face, camera_jpeg, load_faces
from bench.registry import Benchmark, Context, Goal, Report, median, repeat_ms

OFFSETS_IOD = (0.15, 0.25, 0.35, 0.5)
MIDLINE_REF = (27, 28, 29, 30, 33, 51, 57, 8)  # iBUG: nose bridge … chin (with the glabella)
_NO_FACES = "needs the real face photos and landmarks68.json (--faces DIR)"


def side_points(ref: np.ndarray) -> list[tuple[list[float], Side]]:
    """(point, true side) from one photo's 68 reference points (iBUG: 36–41 the patient's
    right eye, on the viewer's left)."""
    right_eye, left_eye = ref[36:42].mean(0), ref[42:48].mean(0)
    iod = float(np.hypot(*(left_eye - right_eye)))
    towards_left = (left_eye - right_eye) / iod  # the patient's left
    midline = [(ref[21] + ref[22]) / 2, *(ref[i] for i in MIDLINE_REF)]
    out: list[tuple[list[float], Side]] = []
    for m in midline:
        out.append((m.tolist(), Side.MIDLINE))
        for d in OFFSETS_IOD:
            out.append(((m + d * iod * towards_left).tolist(), Side.LEFT))
            out.append(((m - d * iod * towards_left).tolist(), Side.RIGHT))
    out += [
        (((a + b) / 2).tolist(), Side.MIDLINE) for a, b in zip(midline, midline[1:], strict=False)
    ]
    return out


def _mirror(face: Face) -> tuple[bytes, np.ndarray]:
    img = ImageOps.exif_transpose(Image.open(io.BytesIO(face.data))).convert("RGB")
    buf = io.BytesIO()
    ImageOps.mirror(img).save(buf, "PNG")
    ref = face.ref.copy()
    ref[:, 0] = img.width - ref[:, 0]
    # The mirror's patient's right eye and brow are the original's left ones (only their
    # means are used); the midline points stay themselves.
    ref[36:42], ref[42:48] = ref[42:48].copy(), ref[36:42].copy()
    ref[17:22], ref[22:27] = ref[22:27].copy(), ref[17:22].copy()
    return buf.getvalue(), ref


def bench_side(ctx: Context) -> Report:
    r = Report()
    faces = load_faces(ctx.faces)
    if not faces:
        r.skip("side_accuracy", _NO_FACES)
        return r
    right = total = no_face = 0
    wrong: list[str] = []
    for face in faces[: ctx.size(len(faces), 2)]:
        for label, data, ref in (
            (face.name, face.data, face.ref),
            (f"{face.name} mirrored", *_mirror(face)),
        ):
            pts = side_points(ref)
            got = locate_photo(data, [p for p, _s in pts], None)
            for (p, want), where in zip(pts, got, strict=True):
                total += 1
                no_face += not where.from_face
                if where.side is want:
                    right += 1
                else:
                    wrong.append(f"{label} {want.value}→{where.side.value} at {p}")
    r.put("side_accuracy", right / total, 1)
    r.notes.append(
        (
            "points",
            f"{total} on {len(faces)} photos and their mirrors; {total - right} wrong, "
            f"{no_face} without a face",
        )
    )
    r.details = {"points": total, "wrong": wrong[:20], "without_face": no_face}
    return r


def bench_locate(ctx: Context) -> Report:
    r = Report()
    faces = load_faces(ctx.faces)
    if not faces:
        r.skip("locate_ms_24mp", _NO_FACES)
        return r
    face = next((f for f in faces if f.name == "obama.jpg"), faces[0])
    size = (4000, 6000) if not ctx.quick else (800, 1200)
    photo = camera_jpeg(face.data, size, seed=10)
    # Ten points around the upper face, in the 24 MP photo's pixels.
    img = Image.open(io.BytesIO(face.data))
    s = max(size[0] / img.width, size[1] / img.height)
    left, top = (img.width * s - size[0]) / 2, (img.height * s - size[1]) / 2
    pts = [
        (face.ref[i] * s - (left, top)).tolist() for i in (17, 19, 21, 22, 24, 26, 27, 30, 36, 45)
    ]
    reps = ctx.size(15, 2)
    times = repeat_ms(lambda: locate_photo(photo, pts, "frown"), reps, warmup=2)
    got = locate_photo(photo, pts, "frown")
    r.put("locate_ms_24mp", median(times), reps)
    r.notes.append(
        (
            "24 MP photo",
            f"{size[0]}×{size[1]} JPEG ({len(photo) // 1024} kB), 10 points, "
            f"face {'found' if got[0].from_face else 'NOT found'}",
        )
    )
    r.details = {"times_ms": [round(t, 1) for t in times], "from_face": got[0].from_face}
    return r


BENCHMARKS = (
    Benchmark(
        "face_side",
        ("side_accuracy",),
        bench_side,
        {"side_accuracy": Goal(0.99, at_least=True)},
        "points 0.15–0.5 IOD either side of the reference midline and on it: share sided right",
    ),
    Benchmark(
        "face_locate",
        ("locate_ms_24mp",),
        bench_locate,
        {"locate_ms_24mp": Goal(150)},
        "`locate` in-process on a 24 MP JPEG with 10 points, decode included, models warm",
    ),
)
