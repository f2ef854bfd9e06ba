"""Backup figures (issue #12): an online backup of a database holding at least 1 GB of photos,
encrypted and verified (`make_backup`: copy through SQLite's backup API, AES-GCM, read back,
`check`, counts), per GB.

The database is built once through the real services (24 MP JPEGs stored by `add_photo_bytes`
with their display image and thumbnail, as an import stores them, and a chart per visit) in a
cache folder, so repeated runs only time the backups. It lives in FACECHART_BENCH_CACHE, else
the user cache folder; delete it to rebuild.
"""

from __future__ import annotations

import os
import time
from datetime import date
from functools import partial
from pathlib import Path

import platformdirs

from app.services import backup, charts, patients, photos, recovery, visits
from app.services.backup import BackupKey
from app.services.practitioners import default_practitioner
from app.store.database import Store, open_store, sqlite_url
from bench import _store_data as data
from bench.registry import Benchmark, Context, Goal, Report, median, timed_ms

CACHE_ENV = "FACECHART_BENCH_CACHE"
TARGET_BYTES = 1_050_000_000  # a little over 1 GB of database
PHOTO = (6000, 4000)  # 24 MP, as a clinic camera takes them
FORMAT = 1  # bump when the cached database must be rebuilt


def cache_dir() -> Path:
    given = os.environ.get(CACHE_ENV)
    base = Path(given) if given else Path(platformdirs.user_cache_dir("FaceChart", appauthor=False))
    return base / "bench"


def _fill(store: Store, target_bytes: int, size: tuple[int, int]) -> int:
    """Patients with a visit, four photos and a chart each until the file passes the target;
    returns the number of photos."""
    clinician = default_practitioner(store)
    width, height = size
    n = 0
    path = Path(store.url.database or "")
    while n == 0 or path.stat().st_size + _wal(path) < target_bytes:
        patient = patients.create_patient(store, f"Bench{n:04d}", "Backup", date(1980, 1, 1))
        visit = visits.start_visit(store, patient.id, clinician.id, "neurotoxin")
        jpegs = data.photo_jpegs(width, height, len(data.VIEWS), seed=1000 + n)
        shas = {
            view: photos.add_photo_bytes(store, patient.id, view, jpeg, visit_id=visit.id).sha256
            for view, jpeg in zip(data.VIEWS, jpegs, strict=True)
        }
        content = data.chart(shas, width, height, 60, 40, 80)
        charts.save_version(
            store, visit.id, content, parent_version_id=None, saved_by_id=clinician.id
        )
        n += len(jpegs)
    return n


def _wal(path: Path) -> int:
    wal = path.with_name(path.name + "-wal")
    return wal.stat().st_size if wal.exists() else 0


def _database(ctx: Context) -> Path:
    if ctx.quick:
        path = ctx.tmp / "backup-quick.db"
        store = open_store(sqlite_url(path))
        try:
            _fill(store, 1, (640, 480))
        finally:
            store.dispose()
        return path
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"backup-1gb-v{FORMAT}.db"
    done = path.with_name(path.name + ".complete")
    if not done.exists():  # a build cut short is started again
        for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            stale.unlink(missing_ok=True)
        store = open_store(sqlite_url(path))
        try:
            _fill(store, TARGET_BYTES, PHOTO)
        finally:
            store.dispose()
        done.write_text("built\n")
    return path


def bench_backup(ctx: Context) -> Report:
    report = Report()
    if ctx.pg_url:
        report.skip("backup_ms_per_gb", "backup files are made of SQLite databases only")
        return report
    path = _database(ctx)
    gb = path.stat().st_size / 1e9
    key = BackupKey.from_passphrase("bench passphrase")
    store = open_store(sqlite_url(path), migrate=False)
    reps = ctx.size(3, 1)
    times: list[float] = []
    stages: list[dict[str, float]] = []
    try:
        for rep in range(reps):
            dest = ctx.tmp / f"backups-{rep}"
            dest.mkdir()
            marks: list[tuple[str, float]] = []
            elapsed, made = timed_ms(
                partial(backup.make_backup, store, dest, key, progress=_Stopwatch(marks))
            )
            times.append(elapsed)
            stages.append(_durations(marks, elapsed))
            size = made.size_bytes
            made.path.unlink()
        check_ms, found = timed_ms(lambda: recovery.diagnose(path, thorough=True))
    finally:
        store.dispose()
    report.put("backup_ms_per_gb", median(times) / gb, reps)
    report.notes.append(
        (
            "database",
            f"{gb:.2f} GB ({made.counts.photos} photos"
            f"{'' if ctx.quick else f' of {PHOTO[0]}×{PHOTO[1]}'}, "
            f"{made.counts.versions} chart versions); backup file {size / 1e9:.2f} GB",
        )
    )
    report.notes.append(("backup, median", f"{median(times) / 1000:.1f} s"))
    report.notes.append(
        ("full quick_check (recovery's deep check)", f"{check_ms / 1000:.1f} s; damage: {found}")
    )
    report.details.update(
        {
            "database_gb": gb,
            "backup_ms": times,
            "stages_ms": stages,
            "quick_check_ms": check_ms,
        }
    )
    return report


class _Stopwatch:
    """The backup's progress callback: when each step began, on the monotonic clock."""

    def __init__(self, marks: list[tuple[str, float]]) -> None:
        self._clock = time.perf_counter
        self._start = self._clock()
        self.marks = marks

    def __call__(self, step: str, done: float) -> None:
        self.marks.append((step, (self._clock() - self._start) * 1000.0))


def _durations(marks: list[tuple[str, float]], total: float) -> dict[str, float]:
    out = {}
    for (step, at), (_next_step, next_at) in zip(marks, [*marks[1:], ("end", total)], strict=True):
        out[step] = next_at - at
    return out


BENCHMARKS = (
    Benchmark(
        "backup",
        ("backup_ms_per_gb",),
        bench_backup,
        {"backup_ms_per_gb": Goal(15000)},
        "online backup of a database with ≥ 1 GB of 24 MP photos, encrypted and verified",
    ),
)
