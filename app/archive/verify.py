"""What an import checks before it writes anything (ADR 0023): every chart version's hash
recomputed from its canonical content and its parent's hash, each chart a single unbroken line,
every signature against the archived public key, every audit event against its own hash (and,
in a whole-clinic archive, the log's chain), every photo named present in the archive.

A failure raises ArchiveVerificationError naming the record: the import then writes nothing.
"""

from __future__ import annotations

import json
from typing import Any

from app.archive import layout
from app.archive.layout import ArchiveVerificationError, from_b64, from_iso
from app.domain.canonical import dumps
from app.security.keys import verify as verify_signature
from app.store import audit_log, chart_parts
from app.store.hash_chain import hash_canonical


def signed_message(version: dict[str, Any], signature: dict[str, Any]) -> bytes:
    """The bytes an archived signature covers: sign-off's message (ADR 0019), which names the
    version and the practitioner by UUID, so it verifies in the database it is imported into."""
    from app.services.signoff import signed_message as message

    signed_at = from_iso(signature["signed_at"])
    if signed_at is None:
        raise ArchiveVerificationError("A signature has no time.")
    return message(
        signature["kind"],
        version["uuid"],
        version["content_hash"],
        signature["practitioner"],
        signed_at,
        version["amend_reason"],
    )


def public_keys(clinic: dict[str, Any]) -> dict[str, bytes]:
    """{key uuid: raw Ed25519 public key} of every archived practitioner."""
    return {
        k["uuid"]: from_b64(k["public_key"]) for p in clinic["practitioners"] for k in p["keys"]
    }


def check_version_chain(where: str, versions: list[dict[str, Any]]) -> None:
    previous = ""
    for n, v in enumerate(versions, start=1):
        label = f"{where}, version {v['version_no']}"
        if v["version_no"] != n or v["parent_hash"] != previous:
            raise ArchiveVerificationError(f"{label} does not follow its parent version.")
        canonical = v["content"].encode("utf-8")
        if hash_canonical(canonical, v["parent_hash"]) != v["content_hash"]:
            raise ArchiveVerificationError(f"{label} does not match its content hash.")
        # The parts it will be stored as must assemble back to the same bytes (and so hash).
        content = json.loads(canonical)
        manifest, parts = chart_parts.split_json(content)
        raw = {sha: data for sha, (_kind, data) in parts.items()}
        if dumps(chart_parts.assemble(manifest, raw)) != canonical:
            raise ArchiveVerificationError(f"{label} is not in canonical form.")
        previous = v["content_hash"]


def check_signatures(
    where: str, version: dict[str, Any], keys: dict[str, bytes], known: dict[str, bytes]
) -> None:
    for g in version["signatures"]:
        public = keys.get(g["key"]) or known.get(g["key"])
        if public is None:
            raise ArchiveVerificationError(f"A signature on {where} names a key the archive lacks.")
        if g["content_hash"] != version["content_hash"] or not verify_signature(
            public, from_b64(g["signature"]), signed_message(version, g)
        ):
            raise ArchiveVerificationError(f"A signature on {where} does not verify.")


def check_patient(
    name: str,
    patient: dict[str, Any],
    keys: dict[str, bytes],
    known_keys: dict[str, bytes],
    files: dict[str, Any],
) -> None:
    """One patient's file: KeyError/TypeError/ValueError become a verification failure."""
    try:
        for visit in patient["visits"]:
            chart = visit["chart"]
            if chart is None:
                continue
            where = f"{name}: visit {visit['visit_date']}"
            check_version_chain(where, chart["versions"])
            for v in chart["versions"]:
                check_signatures(f"{where}, version {v['version_no']}", v, keys, known_keys)
                from_iso(v["saved_at"])
        for photo in patient["photos"]:
            if layout.photo_file(photo["sha256"]) not in files:
                raise ArchiveVerificationError(f"{name} names a photo the archive lacks.")
            from_iso(photo["captured_at"])
        layout.from_day(patient["date_of_birth"])
    except ArchiveVerificationError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ArchiveVerificationError(
            f"{name} is not in the archive's layout ({type(exc).__name__}: {exc})."
        ) from None


def check_events(audit: dict[str, Any], whole_log: bool) -> None:
    """Each event hashes to what it says; a whole clinic's log also links without a gap."""
    try:
        prev_seq, prev_hash = 0, ""
        for e in audit["events"]:
            at = from_iso(e["at"])
            assert at is not None
            fields = audit_log.EventFields(
                e["seq"],
                at,
                e["actor_id"],
                e["kind"],
                e["patient_id"],
                e["visit_id"],
                e["subject"],
                e["detail"],
            )
            if audit_log.event_hash(fields, e["prev_hash"]) != e["event_hash"]:
                raise ArchiveVerificationError(f"Audit event {e['seq']} does not match its hash.")
            if whole_log and (e["seq"] != prev_seq + 1 or e["prev_hash"] != prev_hash):
                raise ArchiveVerificationError(
                    f"The audit log in the archive is broken before event {e['seq']}."
                )
            prev_seq, prev_hash = e["seq"], e["event_hash"]
        for e in audit["imported_events"]:
            json.loads(e["record"])
            from_iso(e["at"])
    except ArchiveVerificationError:
        raise
    except (KeyError, TypeError, ValueError, AssertionError) as exc:
        raise ArchiveVerificationError(
            f"audit.json is not in the archive's layout ({type(exc).__name__}: {exc})."
        ) from None
