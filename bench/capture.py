"""Capture figures (issue #4): the live preview with the ghost composited in, shutter to stored,
and the blur check's calibration on real face photos.

The preview and shutter figures drive the real `CaptureScreen` (offscreen platform, 1366×768)
over a real SQLite store, with a fake camera: frames read in the source's worker thread, like a
real camera's, then scaled there, handed to the UI thread and painted with the ghost.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import cv2
import numpy as np

from app.capture.frames import OpenCVFrameSource, encode_still, write_image_sequence
from app.imaging.quality import BLUR_THRESHOLD, face_crop, sharpness
from bench.registry import Benchmark, Context, Goal, Report, median

if TYPE_CHECKING:  # Qt and the UI load only when a capture benchmark runs
    from PySide6.QtWidgets import QApplication

    from app.services.photos import PhotoRecord
    from app.store.database import Store
    from ui.capture.base import PreviewSource
    from ui.capture.capture_screen import CaptureScreen

T = TypeVar("T")

SCREEN = (1366, 768)


# --- fixtures -----------------------------------------------------------------------------------
def _face_frame(width: int, height: int, seed: int) -> np.ndarray:
    """A demo face centred in a landscape camera frame, with sensor-like noise (so JPEG sizes
    and decode times resemble a camera's, not a flat drawing's)."""
    from app.services.demo import demo_face

    face = cv2.imdecode(np.frombuffer(demo_face("rest", seed), np.uint8), cv2.IMREAD_COLOR)
    if face is None:
        raise RuntimeError("OpenCV could not decode the demo face")
    fh = int(height * 0.9)
    fw = int(face.shape[1] * fh / face.shape[0])
    frame = np.full((height, width, 3), (150, 160, 170), np.uint8)
    x0, y0 = (width - fw) // 2, (height - fh) // 2
    frame[y0 : y0 + fh, x0 : x0 + fw] = cv2.resize(face, (fw, fh), interpolation=cv2.INTER_AREA)
    noise = np.random.default_rng(seed).normal(0, 3, frame.shape)
    return np.clip(frame + noise, 0, 255).astype(np.uint8)


class _LiveCamera(OpenCVFrameSource):
    """A camera whose every frame differs (a counter stamped in a corner), as a live sensor's
    do: each still is a new photo to the store, never a known hash that skips its work."""

    def __init__(self, frame: np.ndarray, fps: float) -> None:
        super().__init__("live", fps=fps)
        self.is_file = False
        self.name = "Bench camera"
        self.base = frame
        self.n = 0
        self._live = False  # no OpenCV capture behind it: open means "delivering frames"

    def open(self) -> None:
        self._live = True

    @property
    def is_open(self) -> bool:
        return self._live

    def read(self) -> np.ndarray:
        self.n += 1
        frame = self.base.copy()
        cv2.putText(frame, str(self.n), (20, 80), cv2.FONT_HERSHEY_SIMPLEX, 2, (0, 0, 0), 3)
        self._last = frame
        return frame

    def close(self) -> None:
        self._live = False


def _app() -> QApplication:
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from ui.app import application

    return application()


def _screen(
    ctx: Context, label: str, source_factory: Callable[[], PreviewSource]
) -> tuple[Store, CaptureScreen]:
    """A capture screen for a patient with consent and an earlier 'rest' photo (the ghost)."""
    from app.domain.values import PhotoSource
    from app.services import patients, photos, visits
    from app.services.practitioners import default_practitioner
    from app.store.database import open_store, sqlite_url
    from ui.capture.capture_screen import CaptureScreen

    store = open_store(sqlite_url(ctx.tmp / f"{label}.db"))
    who = default_practitioner(store)
    pid = patients.create_patient(store, "Bench", "Patient", date(1980, 1, 1)).id
    patients.record_photography_consent(store, pid, who.id)
    earlier = visits.start_visit(store, pid, who.id, "neurotoxin", date.today() - timedelta(90))
    ghost = encode_still(_face_frame(1600, 1200, 5))
    photos.add_photo_bytes(
        store, pid, "rest", ghost, visit_id=earlier.id, source=PhotoSource.CAMERA
    )
    vid = visits.start_visit(store, pid, who.id, "neurotoxin").id
    screen = CaptureScreen(store, pid, vid, who.id, source_factory=source_factory)
    screen.resize(*SCREEN)
    screen.show()
    return store, screen


def _dispose(screen: CaptureScreen, store: Store) -> None:
    """Stop the camera and writer, delete the widget and deliver every queued event now, so no
    frame or signal outlives the benchmark into interpreter shutdown."""
    import gc

    from PySide6.QtCore import QCoreApplication, QEvent

    screen.shutdown()
    screen.close()
    screen.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()
    store.dispose()
    gc.collect()


def _run_loop(ms: int) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


# --- preview ------------------------------------------------------------------------------------
def run_preview(ctx: Context) -> Report:
    from ui.capture.sources import OpenCVSource

    report = Report()
    _app()
    w, h = (1920, 1080) if not ctx.quick else (640, 360)
    frames = [_face_frame(w, h, i) for i in range(ctx.size(8, 2))]
    pattern = write_image_sequence(ctx.tmp / "cam1080", frames, "jpg")
    fps_camera = 30.0  # what a 1080p webcam delivers

    def factory() -> OpenCVSource:
        return OpenCVSource(OpenCVFrameSource(pattern, loop=True, fps=fps_camera))

    store, screen = _screen(ctx, "preview", factory)
    try:
        assert screen.preview.ghost is not None, "the ghost must be composited in"
        _run_loop(ctx.size(1500, 300))  # warm-up: camera open, first frames, ghost scaling
        if screen.preview.frame is None:
            raise RuntimeError(f"no preview frame: {screen.preview.message}")
        reps, span_ms = ctx.size(7, 2), ctx.size(2000, 300)
        fps, busy, paint_ms = [], [], []
        for _ in range(reps):
            p = screen.preview
            n0, paint0 = p.frames_painted, p.paint_seconds
            cpu0, wall0 = time.thread_time(), time.perf_counter()
            _run_loop(span_ms)
            cpu, wall = time.thread_time() - cpu0, time.perf_counter() - wall0
            painted = p.frames_painted - n0
            fps.append(painted / wall)
            busy.append(cpu / wall)  # all the UI thread's CPU time: paints, events, slots
            if painted:
                paint_ms.append((p.paint_seconds - paint0) * 1000 / painted)
        report.put("preview_fps_1080p", median(fps), reps)
        report.put("preview_ui_busy_share", median(busy), reps)
        pw, ph = screen.preview.width(), screen.preview.height()
        report.details = {
            "source": f"{w}x{h} JPEG sequence via cv2.VideoCapture, paced at {fps_camera:g} fps",
            "preview_px": f"{pw}x{ph}",
            "paint_ms_median": median(paint_ms) if paint_ms else None,
            "fps_runs": [round(v, 2) for v in fps],
            "busy_runs": [round(v, 3) for v in busy],
        }
        report.notes.append(
            (
                "preview",
                f"{w}×{h} camera at {fps_camera:g} fps into a {pw}×{ph} preview; paint "
                f"{report.details['paint_ms_median']:.2f} ms/frame (median)"
                if paint_ms
                else "no frame painted",
            )
        )
    finally:
        _dispose(screen, store)
    return report


# --- shutter to stored --------------------------------------------------------------------------
def _stage_times(still: bytes, ctx: Context) -> dict[str, float]:
    """Where add_photo_bytes spends a 12 MP photo's time, stage by stage (one run each)."""
    from app.imaging.decode import decode_upright, encode_jpeg, read_info, reduced
    from app.services.photos import DISPLAY_SIDE, THUMB_SIDE

    t: dict[str, float] = {}

    def stage(name: str, fn: Callable[[], T]) -> T:
        start = time.perf_counter()
        out = fn()
        t[name] = round((time.perf_counter() - start) * 1000, 1)
        return out

    runs: list[dict[str, float]] = []
    for _ in range(ctx.size(3, 1)):
        t = {}
        stage("sha256", lambda: hashlib.sha256(still).hexdigest())
        stage("read_info", lambda: read_info(still))
        # libjpeg-turbo at 3/4 scale (3000×2250), its strict decode doubling as the damage check
        up = stage("decode_upright_max2560", lambda: decode_upright(still, max_side=DISPLAY_SIDE))
        disp = stage("reduce_to_display_lanczos", partial(reduced, up, DISPLAY_SIDE))
        thumb = stage("reduce_to_thumb", partial(reduced, disp, THUMB_SIDE))
        stage("encode_display_jpeg_q90", partial(encode_jpeg, disp, 90))
        stage("encode_thumb_jpeg", partial(encode_jpeg, thumb, 82))
        # the path before (a full 12 MP decode + damage check, LANCZOS from 4000 px), for scale
        full = stage("before_full_decode_and_check", lambda: decode_upright(still))
        stage("before_reduce_from_full_lanczos", partial(reduced, full, DISPLAY_SIDE))
        runs.append(t)
    return {k: round(median(r[k] for r in runs), 1) for k in runs[0]}


def run_capture(ctx: Context) -> Report:
    from app.services import photos
    from ui.capture.sources import OpenCVSource

    report = Report()
    _app()
    w, h = (4000, 3000) if not ctx.quick else (800, 600)
    base = _face_frame(w, h, 1)
    camera_fps = 15.0  # 12 MP webcams stream about this fast

    def factory() -> OpenCVSource:
        return OpenCVSource(_LiveCamera(base, camera_fps))

    store, screen = _screen(ctx, "capture", factory)
    times: list[float] = []
    sizes: list[int] = []
    try:
        _run_loop(ctx.size(1000, 200))
        reps, warmup = ctx.size(9, 2), 1
        for i in range(warmup + reps):
            done: list[float] = []
            stored: list[PhotoRecord] = []

            def on_stored(
                record: PhotoRecord, done: list[float] = done, s: list[PhotoRecord] = stored
            ) -> None:
                done.append(time.perf_counter())
                s.append(record)

            screen.photo_stored.connect(on_stored)
            start = time.perf_counter()
            screen.shutter()
            deadline = start + 30
            while not done and time.perf_counter() < deadline:
                _run_loop(5)
            screen.photo_stored.disconnect(on_stored)
            if not done:
                raise RuntimeError(f"no photo stored: {screen.status.text()}")
            if i >= warmup:
                times.append((done[0] - start) * 1000)
                rec = stored[0]
                sizes.append(len(photos.original_bytes(store, rec.sha256)))
            checked: list[object] = []
            faced: list[object] = []
            screen.photo_checked.connect(lambda *_a, c=checked: c.append(1))
            screen.face_checked.connect(lambda *_a, c=faced: c.append(1))
            deadline = time.perf_counter() + 30
            # The checks (framing, blur, and the wrong-patient face check on its own thread)
            # finish before the next photo, as between a patient's poses: a face check still
            # running would take one of the 2 cores from the next still's storing.
            while not (checked and faced) and time.perf_counter() < deadline:
                _run_loop(10)
            screen.photo_checked.disconnect()
            screen.face_checked.disconnect()
        report.put("capture_to_stored_ms_12mp", median(times), reps)
        still = encode_still(base)
        t0 = time.perf_counter()
        encode_still(base)
        encode_ms = (time.perf_counter() - t0) * 1000
        stages = _stage_times(still, ctx)
        report.details = {
            "camera": f"{w}x{h} frames at {camera_fps:g} fps (a new frame every read)",
            "runs_ms": [round(v, 1) for v in times],
            "jpeg_mb_median": round(median(sizes) / 1e6, 2),
            "encode_still_jpeg_q95_ms": round(encode_ms, 1),
            "add_photo_bytes_stages_ms": stages,
        }
        report.notes.append(
            ("stages", f"encode still {encode_ms:.0f} ms; " + json.dumps(stages)[1:-1])
        )
    finally:
        _dispose(screen, store)
    return report


# --- blur calibration on real faces -------------------------------------------------------------
SHARP_VARIANTS = ("original", "jpeg q60", "darker ×0.6", "brighter ×1.2", "sensor noise σ4")
MUST_WARN_SIGMAS = (1.5, 2.0, 3.0, 4.0)  # Gaussian σ in pixels of the 160-px face crop
BORDERLINE_SIGMAS = (0.5, 1.0)


def _variants(img: np.ndarray, side: float) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    q60 = cv2.imdecode(cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 60])[1], 1)
    if q60 is None:
        raise RuntimeError("OpenCV could not decode its own JPEG")
    out: dict[str, np.ndarray] = {
        "original": img,
        "jpeg q60": q60,
        "darker ×0.6": (img * 0.6).astype(np.uint8),
        "brighter ×1.2": np.clip(img * 1.2 + 20, 0, 255).astype(np.uint8),
        "sensor noise σ4": np.clip(img + rng.normal(0, 4, img.shape), 0, 255).astype(np.uint8),
    }
    for s in (*BORDERLINE_SIGMAS, *MUST_WARN_SIGMAS):
        # σ given at the analysis size, applied at the photo's own size
        out[f"blur {s}"] = cv2.GaussianBlur(img, (0, 0), s * side / 160)
    return out


def _iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - w * h
    return w * h / union if union > 0 else 0.0


def _detected_box(
    img: np.ndarray, reference: tuple[float, ...]
) -> tuple[float, float, float, float] | None:
    """The face detector's box for the face the reference points mark (a photo may hold a second
    face), as the app's check would find it; None without the detector's model files."""
    try:
        from app.alignment.detector import detect_faces
        from app.alignment.models import nets

        faces = detect_faces(nets()[0], cv2.cvtColor(img, cv2.COLOR_BGR2RGB))
    except Exception:
        return None
    best = max(faces, key=lambda f: _iou(f.box, reference), default=None)
    return best.box if best is not None and _iou(best.box, reference) > 0.3 else None


def blur_scores(
    faces: Path, use_detector: bool = True, boxes: dict[str, str] | None = None
) -> dict[str, dict[str, float]]:
    """Per photo, per variant: the sharpness score on the face box the app would use (the face
    detector's), or on a box around the reference points when the detector is not installed."""
    marks = json.loads((faces / "landmarks68.json").read_text())
    scores: dict[str, dict[str, float]] = {}
    boxes = boxes if boxes is not None else {}
    for name, entry in sorted(marks.items()):
        img = cv2.imread(str(faces / name), cv2.IMREAD_COLOR)
        if img is None:
            continue
        pts = np.asarray(entry["landmarks68"], float)
        (x0, y0), (x1, y1) = pts.min(0), pts.max(0)
        fw, fh = x1 - x0, y1 - y0
        # jaw-line points stop at the brows: extend up over the forehead (frown/brow lines)
        box = (x0 - 0.1 * fw, y0 - 0.25 * fh, x1 + 0.1 * fw, y1 + 0.05 * fh)
        found = _detected_box(img, box) if use_detector else None
        boxes[name] = "detector" if found else "reference points"
        box = found or box
        side = max(box[2] - box[0], box[3] - box[1])
        grey = {k: cv2.cvtColor(v, cv2.COLOR_BGR2GRAY) for k, v in _variants(img, side).items()}
        scores[name] = {k: sharpness(face_crop(g, box)) for k, g in grey.items()}
    return scores


def _threshold(sharp: list[float], blurred: list[float]) -> float:
    """The cut with the fewest errors (both kinds weighed alike); ties → the gap's middle."""
    cuts = sorted(set(sharp) | set(blurred))
    best, best_err = 0.0, float("inf")
    for a, b in zip(cuts, cuts[1:], strict=False):
        cut = (a + b) / 2
        err = sum(s < cut for s in sharp) / len(sharp) + sum(s >= cut for s in blurred) / len(
            blurred
        )
        if err < best_err:
            best, best_err = cut, err
    return best


def run_blur(ctx: Context) -> Report:
    report = Report()
    keys = ("blur_false_warning_share", "blur_missed_share")
    if not (ctx.faces / "landmarks68.json").exists():
        for k in keys:
            report.skip(k, f"no face photos at {ctx.faces}")
        return report
    boxes: dict[str, str] = {}
    scores = blur_scores(ctx.faces, boxes=boxes)
    names = sorted(scores)
    sharp_of = {n: [scores[n][v] for v in SHARP_VARIANTS] for n in names}
    blur_of = {n: [scores[n][f"blur {s}"] for s in MUST_WARN_SIGMAS] for n in names}
    # leave one photo out: the threshold is set without the photo it is then tested on
    false_warn = missed = 0
    for held in names:
        others = [n for n in names if n != held]
        cut = _threshold(
            [v for n in others for v in sharp_of[n]], [v for n in others for v in blur_of[n]]
        )
        false_warn += sum(v < cut for v in sharp_of[held])
        missed += sum(v >= cut for v in blur_of[held])
    n_sharp, n_blur = len(names) * len(SHARP_VARIANTS), len(names) * len(MUST_WARN_SIGMAS)
    report.put("blur_false_warning_share", false_warn / n_sharp, n_sharp)
    report.put("blur_missed_share", missed / n_blur, n_blur)
    all_sharp = [v for n in names for v in sharp_of[n]]
    all_blur = [v for n in names for v in blur_of[n]]
    borderline = {
        f"blur {s}": sum(scores[n][f"blur {s}"] < BLUR_THRESHOLD for n in names) / len(names)
        for s in BORDERLINE_SIGMAS
    }
    report.details = {
        "threshold_in_app": BLUR_THRESHOLD,
        "threshold_fitted_all": round(_threshold(all_sharp, all_blur), 3),
        "sharp_range": [round(min(all_sharp), 3), round(max(all_sharp), 3)],
        "must_warn_range": [round(min(all_blur), 3), round(max(all_blur), 3)],
        "in_app_false_warning_share": sum(v < BLUR_THRESHOLD for v in all_sharp) / n_sharp,
        "in_app_missed_share": sum(v >= BLUR_THRESHOLD for v in all_blur) / n_blur,
        "borderline_warned_share": borderline,
        "photos": len(names),
        "face_box": boxes,
        "scores": {n: {k: round(v, 3) for k, v in s.items()} for n, s in scores.items()},
    }
    report.notes.append(
        (
            "blur",
            f"app threshold {BLUR_THRESHOLD}; sharp {report.details['sharp_range']}, "
            f"σ≥1.5 {report.details['must_warn_range']}; leave-one-photo-out errors above",
        )
    )
    return report


BENCHMARKS = (
    Benchmark(
        "capture_preview",
        ("preview_fps_1080p", "preview_ui_busy_share"),
        run_preview,
        {"preview_fps_1080p": Goal(25, at_least=True)},
        "1080p fake camera into the capture screen, ghost composited, frames painted per second",
    ),
    Benchmark(
        "capture_store",
        ("capture_to_stored_ms_12mp",),
        run_capture,
        {"capture_to_stored_ms_12mp": Goal(400)},
        "shutter to the 12 MP photo committed in the store (photo_stored signal)",
    ),
    Benchmark(
        "capture_blur",
        ("blur_false_warning_share", "blur_missed_share"),
        run_blur,
        {},
        "blur check on real faces and blurred copies, leave-one-photo-out",
    ),
)
