"""The foundations of sign-in and the audit trail (issue #11): secrets stored as Argon2id,
signing keys sealed under a password, and the audit log's hash chain on both backends."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.security import keys, secrets
from app.services import audit
from app.services.practitioners import PractitionerRecord
from app.store import audit_log
from app.store.database import Store


def test_a_secret_is_stored_as_an_argon2id_hash_with_the_stated_cost() -> None:
    stored = secrets.hash_secret("2468")
    assert stored.startswith("$argon2id$v=19$")
    assert f"m={secrets.MEMORY_COST_KIB},t={secrets.TIME_COST},p={secrets.PARALLELISM}" in stored
    assert "2468" not in stored
    assert secrets.verify_secret(stored, "2468")
    assert not secrets.verify_secret(stored, "2469")
    assert not secrets.verify_secret("not a hash", "2468")


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", "１２３４", ""])
def test_a_pin_is_four_to_eight_ascii_digits(pin: str) -> None:
    with pytest.raises(secrets.WeakSecretError, match="4 to 8 digits"):
        secrets.check_pin(pin)


def test_a_password_has_eight_characters() -> None:
    secrets.check_password("eight ch")
    with pytest.raises(secrets.WeakSecretError, match="at least 8"):
        secrets.check_password("seven c")


def test_a_sealed_key_opens_with_its_password_only_and_signs() -> None:
    sealed, private = keys.seal_new_key("correct horse")
    assert keys.raw_public(private) == sealed.public_key
    assert keys.raw_public(keys.open_sealed(sealed, "correct horse")) == sealed.public_key
    with pytest.raises(keys.WrongPasswordError):
        keys.open_sealed(sealed, "correct horsf")
    signer = keys.KeySigner("pkey:1", sealed.public_key, private)
    signature = signer.sign(b"content hash")
    assert keys.verify(sealed.public_key, signature, b"content hash")
    assert not keys.verify(sealed.public_key, signature, b"content hasH")


def test_a_sealed_key_moved_onto_another_public_key_does_not_open() -> None:
    a, _ = keys.seal_new_key("password a")
    b, _ = keys.seal_new_key("password a")
    swapped = keys.SealedKey(b.public_key, a.salt, a.nonce, a.ciphertext)
    with pytest.raises(keys.WrongPasswordError):
        keys.open_sealed(swapped, "password a")


def _events(store: Store, who: PractitionerRecord, n: int) -> None:
    for i in range(n):
        audit.record(store, "open_patient", who.id, subject=f"patient:{i}")


def test_the_audit_log_chains_without_gaps(store: Store, clinician: PractitionerRecord) -> None:
    _events(store, clinician, 4)
    with store.read() as s:
        seq, last = audit_log.head(s)
        assert seq == 4 and len(last) == 64
        assert list(audit_log.verify(s)) == []


@pytest.mark.parametrize(
    ("sql", "seq", "problem"),
    [
        ("UPDATE audit_event SET detail = 'x' WHERE seq = 2", 2, "does not match its hash"),
        ("DELETE FROM audit_event WHERE seq = 2", 3, "missing before it"),
        ("UPDATE audit_event SET actor_id = NULL WHERE seq = 3", 3, "does not match its hash"),
    ],
)
def test_the_audit_log_names_an_edited_or_removed_event(
    store: Store, clinician: PractitionerRecord, sql: str, seq: int, problem: str
) -> None:
    _events(store, clinician, 4)
    with store.write() as s:
        s.execute(text(sql))
    with store.read() as s:
        breaks = list(audit_log.verify(s))
    assert any(b.seq == seq and problem in b.problem for b in breaks), breaks


def test_an_unknown_event_kind_is_refused(store: Store, clinician: PractitionerRecord) -> None:
    with pytest.raises(ValueError, match="not an audit event kind"):
        audit.record(store, "looked_around", clinician.id)


def test_setting_a_password_again_makes_a_new_key_and_keeps_the_old_public_key(
    store: Store, clinician: PractitionerRecord
) -> None:
    from app.services import credentials

    first = credentials.set_credentials(store, clinician.id, "1357", "first password")
    assert credentials.has_credentials(store, clinician.id)
    assert credentials.pin_matches(store, clinician.id, "1357")
    assert not credentials.pin_matches(store, clinician.id, "1358")
    opened = credentials.open_signer(store, clinician.id, "first password")
    assert opened.public_key == first.public_key
    signature = first.sign(b"v1")

    second = credentials.set_credentials(store, clinician.id, "2468", "second password")
    with pytest.raises(credentials.WrongPasswordError):
        credentials.open_signer(store, clinician.id, "first password")
    assert credentials.open_signer(store, clinician.id, "second password").public_key == (
        second.public_key
    )
    stored = credentials.public_keys(store, clinician.id)
    assert [k.retired for k in stored] == [True, False]
    assert keys.verify(stored[0].public_key, signature, b"v1")
    assert credentials.key_id_of(second) == stored[1].id
