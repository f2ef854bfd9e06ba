"""The portable archive (issue #12): a full export (`export OUT.zip`: JSON, photo originals,
encryption as it is written, read back and every SHA-256 checked) over a plain copy of the same
database file, on a clinic of many patients, some with a visit of four 12 MP photos and a
full-face chart of two versions (60 points and 40 strokes over the four views).

The plain copy is `shutil.copyfile` of the checkpointed SQLite file followed by an fsync, as
the export's file is fsynced: both end with the bytes on the disk. Export and copy alternate,
so load that comes and goes falls on both; the ratio is of their medians in one run.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from app.archive.export import export_archive
from app.services import charts, patients, photos, visits
from app.services.photos import _prepare_blob
from app.services.practitioners import default_practitioner
from app.store.database import Store
from app.store.schema import PhotoBlob
from bench import _store_data as data
from bench._face_chart import chart
from bench.registry import Benchmark, Context, Goal, Report, median, timed_ms
from bench.store import db_bytes, scratch_store

PASSPHRASE = "bench passphrase"


def _pictures(ctx: Context) -> list[tuple[bytes, PhotoBlob]]:
    """A few camera-like JPEGs with the display and thumbnail images an import makes."""
    w, h = (4000, 3000) if not ctx.quick else (400, 300)
    return [
        (jpeg, _prepare_blob(jpeg, hashlib.sha256(jpeg).hexdigest())[1])
        for jpeg in data.photo_jpegs(w, h, 8 if not ctx.quick else 2)
    ]


def _original(pictures: list[tuple[bytes, PhotoBlob]], i: int) -> PhotoBlob:
    """The i-th original: a picture made distinct by bytes after its end marker (another file
    and SHA-256, the same picture), so its derived images are the picture's."""
    jpeg, blob = pictures[i % len(pictures)]
    original = jpeg + b"FC" + i.to_bytes(4, "big")
    return PhotoBlob(
        sha256=hashlib.sha256(original).hexdigest(),
        data=original,
        size_bytes=len(original),
        format=blob.format,
        mime=blob.mime,
        width=blob.width,
        height=blob.height,
        display_jpeg=blob.display_jpeg,
        display_width=blob.display_width,
        display_height=blob.display_height,
        thumb_jpeg=blob.thumb_jpeg,
    )


def build_clinic(ctx: Context, store: Store) -> dict[str, int]:
    who = default_practitioner(store)
    charted, plain = ctx.size(48, 3), ctx.size(1000, 20)
    ids = patients.create_patients(store, data.new_patients(data.people(charted + plain)))
    pictures = _pictures(ctx)
    n = len(data.VIEWS)
    taken = datetime(2026, 11, 2, 10, tzinfo=UTC)
    for i, pid in enumerate(ids[:charted]):
        visit = visits.start_visit(store, pid, who.id, "neurotoxin", date(2026, 1 + i % 12, 2))
        mine = [_original(pictures, i * n + k) for k in range(n)]
        with store.write() as s:  # known originals: add_photo_bytes then skips the decode
            s.add_all(mine)
        shas = []
        for view, blob in zip(data.VIEWS, mine, strict=True):
            rec = photos.add_photo_bytes(
                store, pid, view, blob.data, visit_id=visit.id, captured_at=taken
            )
            shas.append((view, rec.sha256, (rec.width, rec.height)))
        content = chart(shas, points=ctx.size(15, 2), strokes=ctx.size(10, 2))
        first = charts.save_version(
            store, visit.id, content, parent_version_id=None, saved_by_id=who.id
        )
        less = content.with_view(replace(content.views[0], points=content.views[0].points[1:]))
        charts.save_version(store, visit.id, less, parent_version_id=first.id, saved_by_id=who.id)
    return {"patients": len(ids), "charted": charted, "photos": charted * n}


def _copy(src: Path, dest: Path) -> None:
    shutil.copyfile(src, dest)
    fd = os.open(dest, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def bench_export(ctx: Context) -> Report:
    report = Report()
    if ctx.pg_url:
        report.skip("export_ratio_vs_copy", "the ratio is over a copy of the SQLite file")
        return report
    reps = ctx.size(5, 1)
    with scratch_store(ctx, "archive") as store:
        sizes = build_clinic(ctx, store)
        size = db_bytes(store)  # also moves the WAL into the file, so the copy is whole
        source = Path(str(store.url.database))
        exports, copies = [], []
        out, copy = ctx.tmp / "clinic.zip", ctx.tmp / "copy.db"
        _copy(source, copy)  # warm-up: page cache and the first Argon2id
        export_archive(store, out, PASSPHRASE)
        for _ in range(reps):
            copies.append(timed_ms(lambda: _copy(source, copy))[0])
            exports.append(timed_ms(lambda: export_archive(store, out, PASSPHRASE))[0])
        ratio = median(exports) / median(copies)
        report.put("export_ratio_vs_copy", ratio, reps)
        report.details = {
            **sizes,
            "db_mb": round(size / 1e6, 1),
            "archive_mb": round(out.stat().st_size / 1e6, 1),
            "export_ms": round(median(exports)),
            "copy_ms": round(median(copies)),
            "photo": "4000x3000" if not ctx.quick else "400x300",
        }
        report.notes.append(
            (
                "export / copy",
                f"{median(exports):.0f} ms / {median(copies):.0f} ms for a {size / 1e6:.0f} MB "
                f"database ({sizes['patients']} patients, {sizes['photos']} photos)",
            )
        )
    return report


BENCHMARKS = (
    Benchmark(
        "archive",
        ("export_ratio_vs_copy",),
        bench_export,
        {"export_ratio_vs_copy": Goal(3)},
        "full portable export (encrypted, verified) over an fsynced copy of the same SQLite file",
    ),
)
