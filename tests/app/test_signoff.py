"""Sign-off and amendments (issue #11, ADR 0019) on SQLite and PostgreSQL: signing one's own
newest version, co-signing an injector's, every refusal, an amendment's reason, the unsigned
list, and verification catching edited signatures, changed hashes and swapped keys."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from app.domain.roles import Role
from app.domain.values import clock_at
from app.security.keys import KeySigner
from app.services import charts, credentials, patients, photos, signoff, unsigned, visits
from app.services.practitioners import PractitionerRecord, create_practitioner
from app.services.signature_check import verify_signatures
from app.store import audit_log
from app.store.database import Store, alembic_config, create_store_engine, open_store, sqlite_url
from app.store.errors import AmendReasonRequiredError, SignOffError
from app.store.schema import AuditEvent, ChartSignature, ChartVersion, Practitioner
from tests.app.chart_factory import glabella, stroke
from tests.conftest import BACKENDS, PG_URL, reset_postgres

PASSWORD = "correct horse"


@dataclasses.dataclass
class Person:
    record: PractitionerRecord
    signer: KeySigner

    @property
    def id(self) -> int:
        return self.record.id


def person(store: Store, name: str, role: Role) -> Person:
    record = create_practitioner(store, name, role)
    return Person(record, credentials.set_credentials(store, record.id, "2468", PASSWORD))


@pytest.fixture
def injector(store: Store) -> Person:
    return person(store, "Ines Injector", Role.INJECTOR)


@pytest.fixture
def prescriber(store: Store) -> Person:
    return person(store, "Pia Prescriber", Role.PRESCRIBER)


def chart_by(store: Store, who: int, family: str = "Martin", versions: int = 1) -> list[int]:
    """A patient's visit charted by `who`; the ids of its versions, oldest first."""
    p = patients.create_patient(store, "Zoë", family, date(1984, 3, 12))
    v = visits.start_visit(store, p.id, who, "neurotoxin")
    sha = photos.add_photo_bytes(store, p.id, "frown", _jpeg(), visit_id=v.id).sha256
    content, parent, ids = glabella(sha), None, []
    for i in range(versions):
        content = dataclasses.replace(content, note=f"save {i}")
        info = charts.save_version(store, v.id, content, parent_version_id=parent, saved_by_id=who)
        parent = info.id
        ids.append(info.id)
    return ids


def _jpeg() -> bytes:
    from tests.images import jpeg_bytes

    return jpeg_bytes()


def _visit(store: Store, version_id: int) -> int:
    with store.read() as s:
        return int(
            s.execute(
                text(
                    "SELECT c.visit_id FROM chart_version v JOIN chart c ON c.id = v.chart_id "
                    "WHERE v.id = :v"
                ),
                {"v": version_id},
            ).scalar_one()
        )


def audit_kinds(store: Store) -> list[str]:
    with store.read() as s:
        return list(s.scalars(select(AuditEvent.kind).order_by(AuditEvent.seq)))


# -- signing and co-signing -------------------------------------------------------------------


def test_an_injector_signs_their_newest_version_and_a_prescriber_cosigns(
    store: Store, injector: Person, prescriber: Person
) -> None:
    (v1,) = chart_by(store, injector.id)
    visit_id = _visit(store, v1)
    assert signoff.chart_state(store, visit_id, injector.id).can_sign
    assert not signoff.chart_state(store, visit_id, prescriber.id).can_cosign  # not signed yet

    sig = signoff.sign_version(store, v1, injector.id, injector.signer)
    assert sig.kind is signoff.Kind.SIGN and sig.practitioner == "Ines Injector"
    assert sig.key_id == credentials.key_id_of(injector.signer)
    state = signoff.chart_state(store, visit_id, prescriber.id)
    assert state.can_cosign and not state.can_sign
    co = signoff.cosign_version(store, v1, prescriber.id, prescriber.signer)
    assert co.kind is signoff.Kind.COSIGN

    h = signoff.history(store, visit_id)[v1]
    assert h.signature is not None and h.signature.practitioner == "Ines Injector"
    assert h.cosignature is not None and h.cosignature.practitioner == "Pia Prescriber"
    assert not h.before_sign_off
    with store.read() as s:
        rows = s.scalars(select(ChartSignature).order_by(ChartSignature.id)).all()
        assert [(r.kind, r.content_hash) for r in rows] == [
            ("sign", charts.load_version(store, v1).info.content_hash),
            ("cosign", charts.load_version(store, v1).info.content_hash),
        ]
        assert list(audit_log.verify(s)) == []
    assert audit_kinds(store)[-2:] == ["sign", "cosign"]
    assert verify_signatures(store) == []


def test_the_signed_bytes_are_those_the_adr_states(store: Store, injector: Person) -> None:
    (v1,) = chart_by(store, injector.id)
    sig = signoff.sign_version(store, v1, injector.id, injector.signer)
    info = charts.load_version(store, v1).info
    at = sig.signed_at.astimezone(UTC).isoformat(timespec="microseconds")
    with store.read() as s:  # named by UUID: the signature verifies wherever they are moved
        v_uuid = s.get_one(ChartVersion, v1).uuid
        p_uuid = s.get_one(Practitioner, injector.id).uuid
    expected = (
        f"facechart-chart-signature-v1\nsign\n{v_uuid}\n{info.content_hash}\n{p_uuid}\n{at}\n"
    ).encode()
    assert signoff.signed_message(
        "sign", v_uuid, info.content_hash, p_uuid, sig.signed_at, None
    ) == (expected)
    from app.security import keys

    with store.read() as s:
        stored = s.scalars(select(ChartSignature.signature)).one()
    assert keys.verify(injector.signer.public_key, stored, expected)
    assert not keys.verify(
        injector.signer.public_key, stored, expected.replace(b"sign\n", b"cosign\n", 1)
    )


def test_refusals_say_why_and_write_nothing(
    store: Store, injector: Person, prescriber: Person
) -> None:
    v1, v2 = chart_by(store, injector.id, versions=2)
    other = person(store, "Olga Other", Role.INJECTOR)

    def refused(match: str, act, *args) -> None:  # type: ignore[no-untyped-def]
        before = audit_kinds(store)
        with pytest.raises(SignOffError, match=match):
            act(store, *args)
        assert audit_kinds(store) == before

    refused("not the newest version", signoff.sign_version, v1, injector.id, injector.signer)
    refused("signing key is not open", signoff.sign_version, v2, injector.id, None)
    refused("Only the practitioner who charted", signoff.sign_version, v2, other.id, other.signer)
    refused("not .* current key", signoff.sign_version, v2, injector.id, other.signer)
    refused("not signed yet", signoff.cosign_version, v2, prescriber.id, prescriber.signer)
    signoff.sign_version(store, v2, injector.id, injector.signer)
    refused("already signed by Ines", signoff.sign_version, v2, injector.id, injector.signer)
    refused("Only a prescriber or an admin", signoff.cosign_version, v2, other.id, other.signer)
    # a prescriber's own chart: signed by them, co-signed by nobody (not even themselves)
    (own,) = chart_by(store, prescriber.id, "Own")
    signoff.sign_version(store, own, prescriber.id, prescriber.signer)
    refused("your own chart", signoff.cosign_version, own, prescriber.id, prescriber.signer)
    admin = person(store, "Ada Admin", Role.ADMIN)
    refused("is not an injector", signoff.cosign_version, own, admin.id, admin.signer)
    signoff.cosign_version(store, v2, admin.id, admin.signer)  # an admin may co-sign
    refused("already co-signed", signoff.cosign_version, v2, prescriber.id, prescriber.signer)
    with store.read() as s:
        assert (
            s.scalar(select(ChartSignature.id).where(ChartSignature.chart_version_id == v1)) is None
        )


def test_a_retired_key_cannot_sign_but_what_it_signed_still_verifies(
    store: Store, injector: Person
) -> None:
    first, second = chart_by(store, injector.id, "One")[0], chart_by(store, injector.id, "Two")[0]
    signoff.sign_version(store, first, injector.id, injector.signer)
    new_key = credentials.set_credentials(store, injector.id, "1357", "a new password")  # reset
    with pytest.raises(SignOffError, match="current key"):
        signoff.sign_version(store, second, injector.id, injector.signer)
    signoff.sign_version(store, second, injector.id, new_key)
    assert verify_signatures(store) == []
    keys = credentials.public_keys(store, injector.id)
    assert [k.retired for k in keys] == [True, False]


def test_a_visit_entered_in_error_cannot_be_signed(store: Store, injector: Person) -> None:
    (v1,) = chart_by(store, injector.id)
    visits.mark_visit_in_error(store, _visit(store, v1), injector.id, "wrong patient")
    with pytest.raises(SignOffError, match="entered in error"):
        signoff.sign_version(store, v1, injector.id, injector.signer)


# -- amendments ---------------------------------------------------------------------------------


def test_a_change_to_a_signed_chart_is_an_amendment_with_a_reason(
    store: Store, injector: Person
) -> None:
    v1, v2 = chart_by(store, injector.id, versions=2)  # an unsigned head saves as before
    visit_id = _visit(store, v2)
    assert charts.load_version(store, v2).info.amend_reason is None
    signoff.sign_version(store, v2, injector.id, injector.signer)
    head = charts.load_version(store, v2).content
    changed = dataclasses.replace(head, note="lot corrected")
    for blank in (None, "", "   "):
        with pytest.raises(AmendReasonRequiredError, match="say why"):
            charts.save_version(
                store, visit_id, changed, parent_version_id=v2, saved_by_id=injector.id,
                amend_reason=blank,
            )  # fmt: skip
    assert [h.id for h in charts.history(store, visit_id)] == [v2, v1]  # nothing written
    v3 = charts.save_version(
        store, visit_id, changed, parent_version_id=v2, saved_by_id=injector.id,
        amend_reason="  Lot number corrected from the carton ",
    )  # fmt: skip
    assert v3.amend_reason == "Lot number corrected from the carton"
    assert charts.history(store, visit_id)[0].amend_reason == v3.amend_reason
    with store.read() as s:
        event = s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
        assert (event.kind, event.actor_id, event.subject) == (
            "amend",
            injector.id,
            f"chart_version:{v3.id}",
        )
        assert "Lot number corrected" in event.detail
    h = signoff.history(store, visit_id)
    assert h[v3.id].amend_reason and not h[v3.id].signed and h[v2].signed
    # the amendment is unsigned until signed; then the next change is an amendment again
    assert [c.version_id for c in unsigned.unsigned_charts(store, injector.id)] == [v3.id]
    signoff.sign_version(store, v3.id, injector.id, injector.signer)
    with pytest.raises(AmendReasonRequiredError):
        charts.save_version(store, visit_id, head, parent_version_id=v3.id, saved_by_id=injector.id)
    assert verify_signatures(store) == []


# -- before sign-off, and the unsigned list -------------------------------------------------------


def test_versions_saved_before_sign_off_began_are_told_apart(
    store: Store, injector: Person
) -> None:
    since = signoff.sign_off_since(store)
    assert since is not None and since <= datetime.now(UTC)  # written by migration 0010
    with clock_at(since - timedelta(days=30)):
        (old,) = chart_by(store, injector.id, "Old")
    (new,) = chart_by(store, injector.id, "New")
    assert signoff.history(store, _visit(store, old))[old].before_sign_off
    assert not signoff.history(store, _visit(store, new))[new].before_sign_off
    # only charts saved since sign-off began are anyone's backlog
    assert [c.version_id for c in unsigned.unsigned_charts(store, injector.id)] == [new]


def test_the_unsigned_list_holds_each_practitioners_unsigned_heads(
    store: Store, injector: Person, prescriber: Person
) -> None:
    a = chart_by(store, injector.id, "Alpha", versions=2)
    b = chart_by(store, injector.id, "Bravo")
    c = chart_by(store, prescriber.id, "Charlie")
    d = chart_by(store, injector.id, "Delta")
    visits.mark_visit_in_error(store, _visit(store, d[0]), injector.id, "wrong patient")
    rows = unsigned.unsigned_charts(store, injector.id)
    assert [r.version_id for r in rows] == [a[1], b[0]]  # the heads; not the visit in error
    assert rows[0].patient == "Zoë Alpha" and rows[0].date_of_birth == date(1984, 3, 12)
    assert [r.version_id for r in unsigned.unsigned_charts(store, prescriber.id)] == [c[0]]
    assert unsigned.awaiting_cosign(store, prescriber.id) == []

    signoff.sign_version(store, a[1], injector.id, injector.signer)
    assert [r.version_id for r in unsigned.unsigned_charts(store, injector.id)] == [b[0]]
    waiting = unsigned.awaiting_cosign(store, prescriber.id)
    assert [(r.version_id, r.signed_by) for r in waiting] == [(a[1], "Ines Injector")]
    assert unsigned.awaiting_cosign(store, injector.id) == []  # an injector co-signs nothing
    assert unsigned.to_sign_count(store, prescriber.id) == 2  # Charlie to sign, Alpha to co-sign
    signoff.cosign_version(store, a[1], prescriber.id, prescriber.signer)
    assert unsigned.awaiting_cosign(store, prescriber.id) == []


# -- verification -------------------------------------------------------------------------------


@pytest.fixture
def signed(store: Store, injector: Person, prescriber: Person) -> tuple[int, int]:
    """A version signed by the injector and co-signed by the prescriber, and its visit."""
    (v1,) = chart_by(store, injector.id)
    signoff.sign_version(store, v1, injector.id, injector.signer)
    signoff.cosign_version(store, v1, prescriber.id, prescriber.signer)
    assert verify_signatures(store) == []
    return v1, _visit(store, v1)


def _sql(store: Store, statement: str, **params: object) -> None:
    with store.write() as s:
        s.execute(text(statement), params)


def _problems(store: Store) -> list[str]:
    return [str(p) for p in verify_signatures(store)]


@pytest.mark.parametrize(
    ("statement", "who", "why"),
    [
        (  # a byte of the signature flipped
            "UPDATE chart_signature SET signature = :bad WHERE kind = 'sign'",
            "signature of Ines Injector",
            "does not match",
        ),
        (  # the version's hash rewritten (as after editing its content and rehashing)
            "UPDATE chart_version SET content_hash = :hash WHERE id = :v",
            "signature of Ines Injector",
            "other content",
        ),
        (  # the hash rewritten in the signature rows too
            "UPDATE chart_signature SET content_hash = :hash",
            "co-signature of Pia Prescriber",
            "other content",
        ),
        (  # the signing time moved
            "UPDATE chart_signature SET signed_at = :when WHERE kind = 'cosign'",
            "co-signature of Pia Prescriber",
            "does not match",
        ),
        (  # the co-signature made to look like the injector's, or signed with another key
            "UPDATE chart_signature SET key_id = (SELECT MIN(id) FROM practitioner_key) "
            "WHERE kind = 'cosign'",
            "co-signature of Pia Prescriber",
            "another practitioner",
        ),
    ],
)
def test_verification_names_a_tampered_signature(
    store: Store, signed: tuple[int, int], statement: str, who: str, why: str
) -> None:
    version_id, visit_id = signed
    with store.read() as s:
        good = s.scalar(select(ChartSignature.signature).where(ChartSignature.kind == "sign"))
        patient_id = s.execute(
            text("SELECT patient_id FROM visit WHERE id = :v"), {"v": visit_id}
        ).scalar_one()
    assert good is not None
    bad = bytes([good[0] ^ 1]) + good[1:]
    params = {
        "bad": bad,
        "hash": "0" * 64,
        "v": version_id,
        "when": datetime(2026, 1, 1, tzinfo=UTC),
    }
    _sql(store, statement, **{k: v for k, v in params.items() if f":{k}" in statement})
    found = _problems(store)
    assert any(
        p.startswith(f"ALTERED chart_version id={version_id} (patient {patient_id}, visit "
                     f"{visit_id}, version 1): {who} does not verify")
        and why in p
        for p in found
    ), found  # fmt: skip
    # and `check` (the command a clinic runs) says so and exits 1
    from app import cli

    assert cli.main(["--db", store.url.render_as_string(hide_password=False), "check"]) == 1


def test_a_key_swapped_for_another_of_the_same_practitioner_is_caught(
    store: Store, signed: tuple[int, int], injector: Person
) -> None:
    credentials.set_credentials(store, injector.id, "1357", "a new password")
    _sql(
        store,
        "UPDATE chart_signature SET key_id = (SELECT MAX(id) FROM practitioner_key "
        "WHERE practitioner_id = :p) WHERE kind = 'sign'",
        p=injector.id,
    )
    assert any("signature of Ines Injector does not verify" in p for p in _problems(store))


def test_a_changed_amendment_reason_or_a_removed_signature_is_caught(
    store: Store, injector: Person
) -> None:
    v1, v2 = chart_by(store, injector.id, versions=2)
    signoff.sign_version(store, v2, injector.id, injector.signer)
    content = charts.load_version(store, v2).content
    v3 = charts.save_version(
        store, _visit(store, v2), dataclasses.replace(content, views=(
            dataclasses.replace(content.views[0], strokes=content.views[0].strokes + (stroke(),)),
        )), parent_version_id=v2, saved_by_id=injector.id, amend_reason="dose corrected",
    )  # fmt: skip
    signoff.sign_version(store, v3.id, injector.id, injector.signer)
    assert _problems(store) == []
    _sql(store, "UPDATE chart_version SET amend_reason = 'typo' WHERE id = :v", v=v3.id)
    assert any("signature of Ines Injector does not verify" in p for p in _problems(store))
    _sql(store, "UPDATE chart_version SET amend_reason = 'dose corrected' WHERE id = :v", v=v3.id)
    _sql(store, "DELETE FROM chart_signature WHERE chart_version_id = :v", v=v2)
    found = _problems(store)
    assert len(found) == 1 and f"id={v2} " in found[0], found
    assert "signature of Ines Injector is missing (audit event" in found[0]


def test_sign_off_since_is_a_stored_setting(store: Store) -> None:
    then = datetime(2026, 8, 1, 9, 30, tzinfo=UTC)
    signoff.set_sign_off_since(store, then)
    assert signoff.sign_off_since(store) == then
    with store.read() as s:
        assert s.scalar(select(ChartVersion.id)) is None


@pytest.mark.parametrize("backend", BACKENDS)
def test_migration_0010_records_when_sign_off_began(backend: str, db_path: Path) -> None:
    """An existing database (here at 0007) gets `sign_off_since` = the time of its upgrade;
    going back down removes it."""
    from alembic import command

    url = sqlite_url(db_path)
    if backend == "postgresql":
        assert PG_URL
        reset_postgres(PG_URL)
        url = PG_URL
    engine = create_store_engine(url)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0007")
    before = datetime.now(UTC)
    store = open_store(url)
    try:
        since = signoff.sign_off_since(store)
        assert since is not None and before <= since <= datetime.now(UTC)
    finally:
        store.dispose()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0007")
        assert conn.execute(text("SELECT COUNT(*) FROM setting")).scalar_one() == 0
    engine.dispose()
