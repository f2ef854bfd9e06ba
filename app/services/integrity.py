"""`check` and checkpoints, as the command line and the screens call them (ADR 0025).

`check_store` walks every hash chain, photo hash and checkpoint (CONTRACTS.md) and returns one
`Alteration` per altered, missing or added record; `write_checkpoint` signs the records as
they are now. The work lives in `app/integrity/`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from app.integrity.checkpoints import WrittenCheckpoint
from app.integrity.checkpoints import write_checkpoint as write_checkpoint
from app.integrity.report import Alteration as Alteration
from app.integrity.report import CheckReport as CheckReport
from app.integrity.rows import check_rows
from app.integrity.signing import Signer as Signer
from app.integrity.signing import register_key_source
from app.integrity.verify import check_checkpoints
from app.services.audit import verify_audit
from app.services.credentials import KEY_REF_KIND
from app.services.signature_check import signature_problems
from app.store.database import Store
from app.store.errors import StoreError
from app.store.schema import PractitionerKey

log = logging.getLogger(__name__)


def _practitioner_keys(session: Session) -> Iterable[bytes]:
    """Practitioners' public keys, retired ones too: a checkpoint signed at sign-off or
    sign-out with a key since reset still verifies (app/services/credentials.py)."""
    return session.scalars(select(PractitionerKey.public_key))


register_key_source(KEY_REF_KIND, _practitioner_keys)


def check_store(store: Store, against_file: bool = True) -> CheckReport:
    """`against_file` False: a copy (a backup being verified or previewed) is checked against
    the checkpoints it holds, not the live database's checkpoints file, which has moved on."""
    report = CheckReport()
    with store.read() as s:
        # `check` never migrates: a database from before checkpoints (migration 0008) gets
        # the checks its rows allow, and says it has no checkpoints.
        current = "checkpoint" in inspect(s.connection()).get_table_names()
        check_rows(s, report, images=current)
        # The audit trail's hash chain (issue #11): each edited or removed event, by seq.
        report.alterations.extend(
            Alteration("audit_event", f"seq={p.seq}", p.problem) for p in verify_audit(s)
        )
        # Every chart signature against its practitioner's public key (ADR 0019); signatures
        # name versions by UUID, which a database from before migration 0009 lacks.
        inspector = inspect(s.connection())
        if any(c["name"] == "uuid" for c in inspector.get_columns("chart_version")):
            report.alterations.extend(
                Alteration(p.table, p.key, p.problem) for p in signature_problems(s)
            )
        if current:
            check_checkpoints(s, report, against_file)
        else:
            report.predates_checkpoints = True
    return report


def checkpoint_quietly(
    store: Store, reason: str, signer: Signer | None = None
) -> WrittenCheckpoint | None:
    """A checkpoint where failing must not stop the user (closing the app): logged instead.
    Signed by `signer` (the practitioner signing out), else by this installation's key."""
    try:
        return write_checkpoint(store, reason, signer)
    except (StoreError, OSError, ValueError) as exc:
        log.warning("no checkpoint at %s: %s", reason, exc)
    except Exception:  # closing must go on; statement parameters are hidden (no patient data)
        log.exception("no checkpoint at %s", reason)
    return None
