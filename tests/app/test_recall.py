"""Lot recall (issue #14) on a real database: the newest version of each chart counts, earlier
versions that named the lot are listed apart, visits in error are left out, lots match however
they were typed; the index is written with each save and by migration 0011; CSV; and
`recall LOT --json` from the command line without Qt."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

from alembic import command
from sqlalchemy import func, select, text

from app.domain.chart import ChartContent, InjectionPoint, ProductUse, ViewChart
from app.domain.lots import lot_key
from app.services import charts, patients, recall, visits
from app.services.practitioners import PractitionerRecord, default_practitioner
from app.store.database import Store, alembic_config, open_store, sqlite_url
from app.store.schema import ChartVersion, LotUse

REPO = Path(__file__).resolve().parents[2]


def _content(lots: dict[str, str], units: dict[str, list[str]]) -> ChartContent:
    points = tuple(
        InjectionPoint(10.0 * i, 20.0, product, Decimal(u))
        for product, us in units.items()
        for i, u in enumerate(us)
    )
    return ChartContent(
        views=(ViewChart("frown", None, points=points),),
        products=tuple(ProductUse(p, lot) for p, lot in lots.items()),
    )


def _charted(
    store: Store, who: PractitionerRecord, name: str, day: date, content: ChartContent
) -> tuple[int, int]:
    p = patients.create_patient(store, name, "Recall", date(1970, 5, 6))
    v = visits.start_visit(store, p.id, who.id, "neurotoxin", day)
    version = charts.save_version(store, v.id, content, parent_version_id=None, saved_by_id=who.id)
    return v.id, version.id


def test_lot_keys_fold_how_a_lot_is_typed() -> None:
    assert lot_key(" c3a-123 ") == lot_key("C3A 123") == lot_key("c3a.123") == "C3A123"
    assert lot_key("   ") == ""


def test_newest_versions_count_and_earlier_ones_are_apart(
    store: Store, clinician: PractitionerRecord
) -> None:
    a, _ = _charted(
        store,
        clinician,
        "Anna",
        date(2026, 1, 5),
        _content(
            {"botox": "C3A-123", "dysport": "D9"}, {"botox": ["4", "4", "2.5"], "dysport": ["10"]}
        ),
    )
    # Ben's chart named the lot in version 1; version 2 corrected it to another lot
    b, b1 = _charted(
        store, clinician, "Ben", date(2026, 1, 3), _content({"botox": "c3a123"}, {"botox": ["4"]})
    )
    charts.save_version(
        store,
        b,
        _content({"botox": "X1"}, {"botox": ["4"]}),
        parent_version_id=b1,
        saved_by_id=clinician.id,
    )
    # Cleo's chart gained a point in version 2: only version 2's units count
    c, c1 = _charted(
        store, clinician, "Cleo", date(2026, 1, 4), _content({"botox": "C3A 123"}, {"botox": ["4"]})
    )
    charts.save_version(
        store,
        c,
        _content({"botox": "C3A 123"}, {"botox": ["4", "6"]}),
        parent_version_id=c1,
        saved_by_id=clinician.id,
    )
    # a visit entered in error is no use of the lot
    gone, _ = _charted(
        store, clinician, "Gone", date(2026, 1, 6), _content({"botox": "C3A123"}, {"botox": ["4"]})
    )
    visits.mark_visit_in_error(store, gone, clinician.id, "wrong patient")

    found = recall.recall(store, "c3a-123")
    assert [
        (h.patient, h.visit_id, h.product, h.units, h.points, h.version_no) for h in found.uses
    ] == [
        ("Cleo Recall", c, "botox", Decimal(10), 2, 2),
        ("Anna Recall", a, "botox", Decimal("10.5"), 3, 1),
    ]
    assert all(h.newest and h.practitioner == clinician.name for h in found.uses)
    assert [(h.patient, h.visit_id, h.version_no, h.newest) for h in found.earlier] == [
        ("Ben Recall", b, 1, False)
    ]
    assert found.patient_count == 2
    assert recall.recall(store, "D9").uses[0].units == Decimal(10)
    assert recall.recall(store, "nothing").uses == [] and recall.recall(store, " ").uses == []

    rows = list(csv.reader(io.StringIO(recall.recall_csv(found))))
    assert rows[0] == list(recall.CSV_COLUMNS)
    assert [r[1] for r in rows[1:]] == ["Cleo Recall", "Anna Recall", "Ben Recall"]
    assert rows[2][6:] == ["botox", "10.5", "3", "1", "newest"]
    assert rows[3][-1] == "earlier version" and rows[3][0] == "c3a123"

    assert recall.as_json(found)[1] == {
        "patient": "Anna Recall",
        "patient_id": recall.recall(store, "C3A123").uses[1].patient_id,
        "visit": a,
        "date": "2026-01-05",
        "product": "botox",
        "lot": "C3A-123",
        "units": 10.5,
        "points": 3,
        "practitioner": clinician.name,
        "version": 1,
    }


def test_every_save_writes_its_index_rows_and_hashes_stay(
    store: Store, clinician: PractitionerRecord
) -> None:
    _v, vid = _charted(
        store,
        clinician,
        "Dora",
        date(2026, 2, 1),
        _content({"botox": "L1", "dysport": ""}, {"botox": ["4"], "dysport": ["5"]}),
    )
    with store.read() as s:
        rows = s.execute(
            select(LotUse.product, LotUse.lot_key, LotUse.units).where(LotUse.version_id == vid)
        ).all()
    assert rows == [("botox", "L1", "4")]  # a product without a lot names none


def test_migration_0012_indexes_versions_saved_before_it(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    store = open_store(sqlite_url(db))
    try:
        who = default_practitioner(store)
        v, _ = _charted(
            store,
            who,
            "Olga",
            date(2025, 9, 1),
            _content({"botox": "OLD-7"}, {"botox": ["4", "4"]}),
        )
        with store.read() as s:
            hashes = s.execute(select(ChartVersion.id, ChartVersion.content_hash)).all()
        cfg = alembic_config()
        with store.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0010")  # as a database saved before lot recall existed
        with store.engine.connect() as conn:
            assert "lot_use" not in {
                r[0] for r in conn.execute(text("SELECT name FROM sqlite_master"))
            }
    finally:
        store.dispose()
    store = open_store(sqlite_url(db))  # opening migrates: 0012 fills the index
    try:
        (hit,) = recall.recall(store, "old7").uses
        assert (hit.visit_id, hit.units, hit.points) == (v, Decimal(8), 2)
        with store.read() as s:
            assert s.execute(select(ChartVersion.id, ChartVersion.content_hash)).all() == hashes
            assert s.scalar(select(func.count()).select_from(LotUse)) == 1
    finally:
        store.dispose()


def test_recall_command_prints_a_json_list_without_qt(tmp_path: Path) -> None:
    db = tmp_path / "facechart.db"
    store = open_store(sqlite_url(db))
    try:
        who = default_practitioner(store)
        v, _ = _charted(
            store, who, "Ida", date(2026, 3, 2), _content({"botox": "C9-1"}, {"botox": ["2.5"]})
        )
    finally:
        store.dispose()
    url = sqlite_url(db)
    code = (
        "import sys; from app import cli; rc = cli.main(sys.argv[1:]); "
        "assert 'PySide6' not in sys.modules, 'Qt loaded'; sys.exit(rc)"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, "--db", url, "recall", "c9 1", "--json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert run.returncode == 0, run.stderr
    (hit,) = json.loads(run.stdout)
    assert {
        k: hit[k] for k in ("patient", "visit", "date", "product", "units", "practitioner")
    } == {
        "patient": "Ida Recall",
        "visit": v,
        "date": "2026-03-02",
        "product": "botox",
        "units": 2.5,
        "practitioner": who.name,
    }
    none = subprocess.run(
        [sys.executable, "main.py", "--db", url, "recall", "NOPE", "--json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert none.returncode == 0 and json.loads(none.stdout) == []
    missing = subprocess.run(
        [
            sys.executable,
            "main.py",
            "recall",
            "X",
            "--json",
            "--db",
            sqlite_url(tmp_path / "no.db"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1
    assert "Traceback" not in missing.stderr and not (tmp_path / "no.db").exists()


def test_a_microneedling_cartridge_lot_is_recalled_without_units(
    store: Store, clinician: PractitionerRecord
) -> None:
    """A recalled cartridge finds the microneedling sessions that used it (ADR 0029, 0030)."""
    from app.domain.microneedling import MicroneedlingSession

    p = patients.create_patient(store, "Lars", "Needle", date(1979, 2, 3))
    v = visits.start_visit(store, p.id, clinician.id, "microneedling", date(2026, 5, 4))
    content = ChartContent(
        views=(ViewChart("front", None),),
        microneedling=MicroneedlingSession(
            device="SkinPen", cartridge="SkinPen 14-pin", cartridge_lot="SP-2291"
        ),
    )
    charts.save_version(store, v.id, content, parent_version_id=None, saved_by_id=clinician.id)
    (hit,) = recall.recall(store, "sp 2291").uses
    assert (hit.visit_id, hit.product, hit.kind, hit.units) == (
        v.id,
        "SkinPen 14-pin",
        "cartridge",
        None,
    )
    assert recall.recall(store, "SP-2292").uses == []
