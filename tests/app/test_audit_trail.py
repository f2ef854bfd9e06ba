"""The audit trail (issue #11): each write records its event in its own transaction (a failed
write leaves none), what each role may read, keyset pages, the CSV export, `check` on the
trail, and that no patient's name or date of birth ever reaches it. SQLite and PostgreSQL."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select, text

from app.domain.roles import Role
from app.domain.soft_warnings import RULES
from app.services import (
    audit,
    audit_export,
    catalogue,
    charts,
    patient_history,
    patients,
    photos,
    visits,
    warning_settings,
)
from app.services import practitioners as practitioners_service
from app.services.audit_trail import AuditFilter, events
from app.services.demo import build_demo
from app.services.integrity import check_store
from app.services.practitioners import PractitionerRecord
from app.store import audit_log
from app.store.database import Store
from app.store.errors import ConflictError
from app.store.schema import AuditEvent
from tests.app.chart_factory import glabella
from tests.images import face_image, jpeg_bytes


def _all(store: Store) -> list[AuditEvent]:
    with store.read() as s:
        rows = list(s.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
        s.expunge_all()
        return rows


def _last(store: Store) -> AuditEvent:
    return _all(store)[-1]


def _count(store: Store) -> int:
    with store.read() as s:
        return audit_log.head(s)[0]


@pytest.fixture
def zoe(store: Store, clinician: PractitionerRecord) -> patients.PatientRecord:
    return patients.create_patient(
        store, "Zoë", "Martin", date(1984, 3, 9), "FC-1", actor_id=clinician.id
    )


def test_each_write_records_its_event(
    store: Store, clinician: PractitionerRecord, zoe: patients.PatientRecord
) -> None:
    who = clinician.id
    e = _last(store)
    assert (e.kind, e.actor_id, e.patient_id, e.subject) == (
        "patient_created",
        who,
        zoe.id,
        f"patient:{zoe.id}",
    )
    visit = visits.start_visit(store, zoe.id, who, "neurotoxin")
    e = _last(store)
    assert (e.kind, e.actor_id, e.patient_id, e.visit_id) == (
        "visit_created",
        who,
        zoe.id,
        visit.id,
    )
    photo = photos.add_photo_bytes(
        store, zoe.id, "frown", jpeg_bytes(face_image()), visit_id=visit.id, taken_by_id=who
    )
    e = _last(store)
    assert (e.kind, e.subject, e.visit_id) == ("photo_added", f"photo:{photo.id}", visit.id)
    v1 = charts.save_version(
        store, visit.id, glabella(photo.sha256), parent_version_id=None, saved_by_id=who
    )
    e = _last(store)
    assert (e.kind, e.subject, e.detail, e.at) == (
        "save",
        f"chart_version:{v1.id}",
        "version 1",
        v1.saved_at,
    )
    patients.record_photography_consent(store, zoe.id, who)
    assert _last(store).kind == "consent"
    photos.mark_photo_in_error(store, photo.id, who, "wrong eye closed")
    e = _last(store)
    assert (e.kind, e.subject) == ("entered_in_error", f"photo:{photo.id}")
    assert "wrong eye" not in e.detail  # a typed reason stays on the record, not in the trail
    visits.mark_visit_in_error(store, visit.id, who, "duplicate")
    assert (_last(store).kind, _last(store).subject) == ("entered_in_error", f"visit:{visit.id}")
    warning_settings.set_warning(store, RULES[0].key, False, who)
    e = _last(store)
    assert (e.kind, e.subject) == ("setting_changed", f"soft_warning:{RULES[0].key}")
    assert "off" in e.detail
    catalogue.set_max_units_per_point(store, "botox", Decimal(10), actor_id=who)
    e = _last(store)
    assert (e.kind, e.subject, e.actor_id) == ("setting_changed", "product:botox", who)
    assert "10" in e.detail
    with store.read() as s:
        assert list(audit.verify_audit(s)) == []


def test_a_failed_write_leaves_no_event(
    store: Store, clinician: PractitionerRecord, zoe: patients.PatientRecord
) -> None:
    who = clinician.id
    visit = visits.start_visit(store, zoe.id, who, "neurotoxin")
    charts.save_version(store, visit.id, glabella(None), parent_version_id=None, saved_by_id=who)
    before = _count(store)
    with pytest.raises(ConflictError):  # a stale parent: refused, nothing written
        charts.save_version(
            store, visit.id, glabella(None), parent_version_id=None, saved_by_id=who
        )
    with pytest.raises(ValueError, match="why"):  # a change of details without a reason
        patients.update_patient(
            store, zoe.id, "Zoe", "Martin", zoe.date_of_birth, "FC-1", "", reason=" "
        )
    with pytest.raises(ValueError):
        visits.mark_visit_in_error(store, visit.id, who, "")
    # a save that fails after its version and event were added: both go
    head = charts.head_version(store, visit.id)
    assert head is not None

    def crash(step: str) -> None:
        if step == "before_commit":
            raise RuntimeError("power cut")

    charts.save_step_hook = crash
    try:
        with pytest.raises(RuntimeError):
            charts.save_version(
                store, visit.id, glabella(None), parent_version_id=head.id, saved_by_id=who
            )
    finally:
        charts.save_step_hook = None
    assert _count(store) == before
    assert charts.version_count(store, visit.id) == 1
    assert patients.get_patient(store, zoe.id).given_name == "Zoë"


def test_changing_details_keeps_each_field_with_who_when_and_why(
    store: Store, clinician: PractitionerRecord, zoe: patients.PatientRecord
) -> None:
    unchanged = _count(store)
    patients.update_patient(
        store, zoe.id, "Zoë", "Martin", zoe.date_of_birth, "FC-1", "", reason="nothing"
    )
    assert _count(store) == unchanged  # nothing changed: nothing written
    assert patient_history.detail_history(store, zoe.id) == []
    patients.update_patient(
        store,
        zoe.id,
        "Zoé",
        "Martin-Leroy",
        date(1984, 3, 19),
        "FC-1",
        "",
        reason="Name changed",
        actor_id=clinician.id,
    )
    history = patient_history.detail_history(store, zoe.id)
    assert {(h.field, h.old_value, h.new_value) for h in history} == {
        ("given_name", "Zoë", "Zoé"),
        ("family_name", "Martin", "Martin-Leroy"),
        ("date_of_birth", "1984-03-09", "1984-03-19"),
    }
    assert {(h.reason, h.changed_by) for h in history} == {("Name changed", clinician.name)}
    e = _last(store)
    assert (e.kind, e.patient_id, e.actor_id) == ("patient_changed", zoe.id, clinician.id)
    assert e.detail == "changed: given name, family name, date of birth"
    assert e.at == history[0].changed_at  # one transaction, one moment
    # search keys stay in step with the new name
    assert [p.id for p in patients.search_patients(store, "leroy").patients] == [zoe.id]
    assert patients.search_patients(store, "zoe martin").total == 1  # "martin-leroy" still
    patients.update_patient(
        store, zoe.id, "Zoé", "Leroy", date(1984, 3, 19), "FC-1", "", reason="Spelling corrected"
    )
    newest = patient_history.detail_history(store, zoe.id)[0]
    assert (newest.field, newest.old_value, newest.new_value) == (
        "family_name",
        "Martin-Leroy",
        "Leroy",
    )


def _clinic(store: Store) -> dict[str, PractitionerRecord]:
    """An admin, a prescriber and an injector; the prescriber treated Ann, not Ben."""
    admin = practitioners_service.default_practitioner(store)
    pres = practitioners_service.create_practitioner(store, "Dr Pia", Role.PRESCRIBER)
    inj = practitioners_service.create_practitioner(store, "Ivy Nurse", Role.INJECTOR)
    ann = patients.create_patient(store, "Ann", "A", date(1980, 1, 1), actor_id=admin.id)
    ben = patients.create_patient(store, "Ben", "B", date(1980, 1, 2), actor_id=admin.id)
    visits.start_visit(store, ann.id, pres.id, "neurotoxin")
    for p in (ann, ben):
        audit.record(store, "open_patient", inj.id, patient_id=p.id, subject=f"patient:{p.id}")
        audit.record(store, "open_patient", admin.id, patient_id=p.id, subject=f"patient:{p.id}")
    return {"admin": admin, "pres": pres, "inj": inj, "ann": ann, "ben": ben}  # type: ignore[dict-item]


def test_each_role_reads_what_it_may(store: Store) -> None:
    c = _clinic(store)
    admin, pres, inj, ann, ben = c["admin"], c["pres"], c["inj"], c["ann"], c["ben"]

    def seen(viewer: int, **kw: int) -> list[tuple[str, int | None, int | None]]:
        page = events(store, viewer, AuditFilter(**kw))
        return [(e.kind, e.actor_id, e.patient_id) for e in page.entries]

    everything = seen(admin.id)
    assert len(everything) == _count(store)
    # the injector: their own actions only, whatever they ask for
    assert seen(inj.id) == [("open_patient", inj.id, ben.id), ("open_patient", inj.id, ann.id)]
    assert seen(inj.id, actor_id=admin.id) == []
    assert seen(inj.id, patient_id=ben.id) == [("open_patient", inj.id, ben.id)]
    # the prescriber: own actions and everything about Ann, whom they treated; nothing of Ben
    mine = seen(pres.id)
    assert {p for _, _, p in mine} == {ann.id}
    assert ("visit_created", pres.id, ann.id) in mine
    assert ("open_patient", inj.id, ann.id) in mine and ("open_patient", admin.id, ann.id) in mine
    assert seen(pres.id, patient_id=ben.id) == []
    assert seen(pres.id, actor_id=inj.id) == [("open_patient", inj.id, ann.id)]
    # the admin: anyone's, filtered
    assert seen(admin.id, patient_id=ben.id, actor_id=inj.id) == [("open_patient", inj.id, ben.id)]
    assert [e.patient for e in events(store, admin.id, AuditFilter(patient_id=ann.id)).entries][
        0
    ] == "Ann A"


def test_pages_follow_seq_without_gaps_or_repeats(
    store: Store, clinician: PractitionerRecord, zoe: patients.PatientRecord
) -> None:
    for i in range(230):
        audit.record(store, "open_patient", clinician.id, patient_id=zoe.id, detail=str(i))
    seqs: list[int] = []
    before = None
    pages = 0
    while True:
        page = events(store, clinician.id, AuditFilter(patient_id=zoe.id), before=before, limit=100)
        seqs += [e.seq for e in page.entries]
        pages += 1
        if page.next_before is None:
            break
        before = page.next_before
    assert pages == 3
    assert seqs == sorted(seqs, reverse=True) and len(seqs) == len(set(seqs)) == 231


def test_a_date_range_takes_the_days_asked_for(store: Store, clinician: PractitionerRecord) -> None:
    days = [datetime(2026, 11, d, 9, 0, tzinfo=UTC) for d in (1, 2, 3)]
    with store.write() as s:
        for at in days:
            audit_log.append(s, "open_patient", clinician.id, at=at)
    page = events(store, clinician.id, AuditFilter(since=days[1], until=days[1] + timedelta(1)))
    assert [e.at for e in page.entries] == [days[1]]


def test_the_csv_has_a_header_and_a_row_per_event_and_is_itself_audited(
    store: Store, tmp_path: Path
) -> None:
    c = _clinic(store)
    admin, ann = c["admin"], c["ann"]
    f = AuditFilter(patient_id=ann.id)
    expected = events(store, admin.id, f).entries
    path, count = audit_export.export_csv(store, admin.id, f, tmp_path)
    assert count == len(expected) == 4
    assert path.parent == tmp_path and path.name.endswith(f"-patient-{ann.id}.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert tuple(rows[0]) == audit_export.COLUMNS
    body = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert [int(r["seq"]) for r in body] == [e.seq for e in expected]
    first = body[-1]
    assert first["kind"] == "patient_created" and first["patient_id"] == str(ann.id)
    when = datetime.fromisoformat(first["time"])
    assert when.utcoffset() is not None  # local time with its UTC offset
    assert when == expected[-1].at.replace(microsecond=0)
    assert "Ann" not in raw.decode("utf-8-sig")  # ids only: no patient names leave the app
    e = _last(store)
    assert (e.kind, e.actor_id, e.patient_id) == ("export", admin.id, ann.id)
    assert path.name in e.subject and "4 events" in e.detail
    # a second export never overwrites the first
    again, _ = audit_export.export_csv(store, admin.id, f, tmp_path)
    assert again != path and path.exists()


def test_a_formula_in_a_cell_is_defused() -> None:
    assert audit_export._cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert audit_export._cell("Dr A") == "Dr A"


def test_no_patient_name_or_date_of_birth_reaches_the_trail(store: Store) -> None:
    build_demo(store)
    who = practitioners_service.default_practitioner(store).id
    people = patients.recent_patients(store, limit=100)
    zoe = next(p for p in people if p.given_name == "Zoë")
    patients.update_patient(
        store, zoe.id, "Zoey", "Martín", date(1984, 3, 19), "FC-7", "", reason="x", actor_id=who
    )
    people = patients.recent_patients(store, limit=100)
    secrets = {"Zoë", "Martin", "Zoey", "Martín"}
    for p in people:
        secrets |= {p.given_name, p.family_name, p.date_of_birth.isoformat()}
        secrets |= {p.date_of_birth.strftime("%d %b %Y"), p.date_of_birth.strftime("%d/%m/%Y")}
    secrets.discard("")
    rows = _all(store)
    assert {e.kind for e in rows} >= {"patient_created", "patient_changed", "save", "photo_added"}
    for e in rows:
        for secret in secrets:
            assert secret.casefold() not in f"{e.subject} {e.detail}".casefold(), (e.seq, secret)


def test_check_names_an_edited_or_removed_event(
    store: Store, clinician: PractitionerRecord
) -> None:
    for _ in range(5):
        audit.record(store, "open_patient", clinician.id)
    assert check_store(store).intact
    with store.write() as s:
        s.execute(text("UPDATE audit_event SET detail = 'nothing happened' WHERE seq = 2"))
        s.execute(text("DELETE FROM audit_event WHERE seq = 4"))
    lines = [str(a) for a in check_store(store).alterations]
    assert "ALTERED audit_event seq=2: its content does not match its hash" in lines
    assert "ALTERED audit_event seq=5: events 4–4 are missing before it" in lines


def test_the_check_command_exits_1_and_names_the_event(tmp_path: Path) -> None:
    import sqlite3
    import subprocess
    import sys

    from app.services.practitioners import default_practitioner
    from app.store.database import open_store, sqlite_url

    path = tmp_path / "facechart.db"
    store = open_store(sqlite_url(path))
    who = default_practitioner(store)
    for _ in range(6):
        audit.record(store, "open_patient", who.id)
    store.dispose()

    def check() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "main.py", "--db", sqlite_url(path), "check"],
            cwd=Path(__file__).resolve().parents[2],
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert check().returncode == 0
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE audit_event SET kind = 'save' WHERE seq = 3")
    done = check()
    assert done.returncode == 1
    assert "ALTERED audit_event seq=3: its content does not match its hash" in done.stdout
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE audit_event SET kind = 'open_patient' WHERE seq = 3")
        conn.execute("DELETE FROM audit_event WHERE seq = 4")
    done = check()
    assert done.returncode == 1
    assert "ALTERED audit_event seq=5: events 4–4 are missing before it" in done.stdout
    assert "seq=3" not in done.stdout  # put back as it was: intact again
