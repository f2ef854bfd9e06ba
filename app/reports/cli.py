"""`report VISIT_ID OUT.pdf`, `visits --json` and `demo --db URL` (CONTRACTS.md): the
commands a script uses to find a visit and print it. One line on stderr for errors."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _fail(message: str, code: int = 2) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def run_report(
    url: str, visit_id: int, out: Path, version_no: int | None, patient_copy: bool
) -> int:
    from app.services import charts, reports
    from app.store.database import open_store
    from app.store.errors import NotFoundError, StoreError

    if not out.parent.is_dir():
        return _fail(f"no folder {out.parent} for the report")
    try:
        store = open_store(url, migrate=False)
    except StoreError as exc:
        return _fail(str(exc))
    try:
        version_id = None
        if version_no is not None:
            found = [v for v in charts.history(store, visit_id) if v.version_no == version_no]
            if not found:
                return _fail(f"visit {visit_id} has no version {version_no}")
            version_id = found[0].id
        report = reports.write_visit_report(
            store, visit_id, out, version_id=version_id, patient_copy=patient_copy
        )
    except NotFoundError:
        return _fail(f"no visit {visit_id}")
    except StoreError as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"the report could not be written: {exc.strerror or exc}")
    finally:
        store.dispose()
    state = "signed" if report.signed else "NOT SIGNED"
    print(
        f"wrote {out} (visit {visit_id}, version {report.version_no or '—'}, "
        f"code {report.short_code or '—'}, {state})"
    )
    return 0


def run_before_after(
    url: str, visit_a: int, visit_b: int, out: Path, view: str | None, markings: bool
) -> int:
    from app.imaging.decode import ImageError
    from app.services import before_after
    from app.store.database import open_store
    from app.store.errors import NotFoundError, StoreError

    if not out.parent.is_dir():
        return _fail(f"no folder {out.parent} for the image")
    if out.suffix.lower() not in (".png", ".jpg", ".jpeg"):
        return _fail("the image's name must end in .png, .jpg or .jpeg")
    try:
        store = open_store(url, migrate=False)
    except StoreError as exc:
        return _fail(str(exc))
    try:
        ba = before_after.write_before_after(store, visit_a, visit_b, out, view, markings=markings)
    except (NotFoundError, before_after.BeforeAfterError) as exc:
        text = str(exc).rstrip(".")  # "No visit 9." → "error: no visit 9", as `report` says
        return _fail(text[:1].lower() + text[1:])
    except StoreError as exc:
        return _fail(str(exc))
    except ImageError as exc:
        return _fail(f"a photo cannot be read: {exc}")
    except OSError as exc:
        return _fail(f"the image could not be written: {exc.strerror or exc}")
    finally:
        store.dispose()
    state = "aligned" if ba.aligned else "NOT aligned"
    if ba.alignment_note:
        state += f" ({ba.alignment_note})"
    print(
        f"wrote {out} ({ba.view_name}, {ba.before.visit_date:%Y-%m-%d} and "
        f"{ba.after.visit_date:%Y-%m-%d}, {state})"
    )
    return 0


def run_visits(url: str) -> int:
    from sqlalchemy import select

    from app.store.database import open_store
    from app.store.errors import StoreError
    from app.store.schema import Patient, Visit

    try:
        store = open_store(url, migrate=False)
    except StoreError as exc:
        return _fail(str(exc))
    try:
        with store.read() as s:
            rows = s.execute(
                select(Visit, Patient).join(Patient).order_by(Visit.visit_date, Visit.id)
            )
            for visit, patient in rows:
                print(
                    json.dumps(
                        {
                            "id": visit.id,
                            "patient_id": patient.id,
                            "patient": patient.display_name,
                            "date": visit.visit_date.isoformat(),
                            "treatment": visit.treatment_type,
                        },
                        ensure_ascii=False,
                    )
                )
    except StoreError as exc:
        return _fail(str(exc))
    finally:
        store.dispose()
    return 0


def run_demo(url: str) -> int:
    from sqlalchemy import func, select

    from app.services.demo import build_demo
    from app.store.database import open_store
    from app.store.errors import StoreError
    from app.store.schema import Patient

    try:
        store = open_store(url)
    except StoreError as exc:
        return _fail(str(exc))
    try:
        with store.read() as s:
            if s.scalar(select(func.count()).select_from(Patient)):
                return _fail("that database is not empty: the demo fills only an empty one")
        build_demo(store)
    except StoreError as exc:
        return _fail(str(exc))
    finally:
        store.dispose()
    print("filled the database with the demo clinic (backup passphrase: demo)")
    return 0
