"""`export OUT.zip [--patient ID]` and `import ARCHIVE` (CONTRACTS.md): exit 0 done, 1 a
verification failed, 2 anything else; one line on stderr, never a traceback. The passphrase
comes from `FACECHART_PASSPHRASE` or is asked on the terminal (twice when exporting)."""

from __future__ import annotations

import sys
from pathlib import Path

from app.backup.cli import PASSPHRASE_ENV, passphrase

# what an import says it created, in the order a reader looks for it
_ORDER = (
    "patients",
    "visits",
    "photos",
    "chart_versions",
    "signatures",
    "detail_changes",
    "practitioners",
    "public_keys",
    "audit_events",
    "photo_files",
)


def _fail(message: str, code: int) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def run_export(url: str, out: Path, patient_id: int | None) -> int:
    from app.archive.export import ExportError, export_archive
    from app.archive.layout import ArchiveVerificationError
    from app.services.store import open_database
    from app.store.errors import StoreError

    secret = passphrase(confirm=True)
    if secret is None:
        return _fail(f"no passphrase: set {PASSPHRASE_ENV} or run in a terminal", 2)
    try:
        store = open_database(url)  # a SQLite file migrates; a server only by server-init
    except StoreError as exc:
        return _fail(str(exc), 2)
    try:
        report = export_archive(store, out, secret, patient_id=patient_id)
    except ArchiveVerificationError as exc:
        return _fail(f"the archive was not kept: {exc}", 1)
    except (ExportError, StoreError) as exc:
        return _fail(str(exc), 2)
    except Exception as exc:  # never a traceback (CONTRACTS.md); the partial file is gone
        return _fail(f"the export could not finish ({type(exc).__name__}: {exc})", 2)
    finally:
        store.dispose()
    c = report.counts
    print(
        f"exported {c['patients']} patients, {c['visits']} visits, {c['chart_versions']} chart "
        f"versions, {c['photos']} photos to {report.path} ({report.size_bytes / 1e6:.1f} MB), "
        "verified"
    )
    return 0


def run_import(url: str, archive: Path) -> int:
    from app.archive.importer import ArchiveReadError, DivergedChartError, import_archive
    from app.archive.layout import ArchiveVerificationError
    from app.services.store import open_database
    from app.store.errors import StoreError

    if not archive.is_file():
        return _fail(f"no archive at {archive}", 2)
    secret = passphrase()
    if secret is None:
        return _fail(f"no passphrase: set {PASSPHRASE_ENV} or run in a terminal", 2)
    try:
        store = open_database(url)  # an empty server is set up by server-init first
    except StoreError as exc:
        return _fail(str(exc), 2)
    try:
        report = import_archive(store, archive, secret)
        if report.created:
            from app.services.integrity import checkpoint_quietly

            # the imported records carry their own (earlier) dates: a checkpoint now holds
            # them, so `check` does not take them for records slipped in behind its back
            checkpoint_quietly(store, "import")
    except DivergedChartError as exc:
        return _fail(str(exc), 1)
    except ArchiveVerificationError as exc:
        return _fail(f"nothing was imported: {exc}", 1)
    except (ArchiveReadError, StoreError) as exc:
        return _fail(str(exc), 2)
    except Exception as exc:  # never a traceback (CONTRACTS.md)
        return _fail(f"the import could not finish ({type(exc).__name__}: {exc})", 2)
    finally:
        store.dispose()
    order = {k: i for i, k in enumerate(_ORDER)}
    ranked = sorted(report.created.items(), key=lambda kv: (order.get(kv[0], 99), kv[0]))
    created = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in ranked)
    print(f"imported from {report.clinic}: {created or 'nothing new (already here)'}")
    for twin in report.look_alikes:
        print(
            f"look-alike: imported patient {twin.imported_id} ({twin.name}, born "
            f"{twin.date_of_birth.isoformat()}) looks like patient {twin.existing_id} here; "
            "kept apart — link or keep them apart in FaceChart"
        )
    return 0
