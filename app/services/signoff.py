"""Signing chart versions (issue #11, ADR 0019): a practitioner signs the newest version of a
chart they charted or saved, a prescriber (or an admin) co-signs a chart an injector signed,
and every signature is an Ed25519 signature over a message that binds the version's content
hash. `verify_signatures` re-checks them all for `check`.

Who may do what is decided here, in one place (`refusal`), so a screen that forgets a check
still cannot act, and the screens ask the same function whether to offer a button.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.domain.roles import Role, may_cosign
from app.domain.values import utcnow
from app.security.keys import KeySigner
from app.services.credentials import key_id_of
from app.store import audit_log
from app.store.database import Store
from app.store.errors import NotFoundError, SignOffError
from app.store.schema import (
    Chart,
    ChartSignature,
    ChartVersion,
    Practitioner,
    PractitionerKey,
    Setting,
    Visit,
)

MESSAGE_PREFIX = b"facechart-chart-signature-v1\n"
SIGN_OFF_SINCE = "sign_off_since"  # the setting written by migration 0010


class Kind(StrEnum):
    SIGN = "sign"
    COSIGN = "cosign"


def signed_message(
    kind: str,
    version_uuid: str,
    content_hash: str,
    practitioner_uuid: str,
    signed_at: datetime,
    amend_reason: str | None,
) -> bytes:
    """The exact bytes a signature is made over (ADR 0019): a domain-separating first line,
    then one field per line, no newline at the end, UTF-8. The version and the practitioner
    are named by their UUIDs, never by this database's row ids: a signature verifies in any
    database its records are moved to (the portable archive, ADR 0023)."""
    reason = (
        hashlib.sha256(amend_reason.encode("utf-8")).hexdigest() if amend_reason is not None else ""
    )
    fields = (
        kind,
        version_uuid,
        content_hash,
        practitioner_uuid,
        signed_at.astimezone(UTC).isoformat(timespec="microseconds"),
        reason,
    )
    return MESSAGE_PREFIX + "\n".join(fields).encode("utf-8")


@dataclass(frozen=True, slots=True)
class SignatureInfo:
    id: int
    version_id: int
    kind: Kind
    practitioner_id: int
    practitioner: str
    signed_at: datetime
    key_id: int


def _info(sig: ChartSignature) -> SignatureInfo:
    return SignatureInfo(
        sig.id,
        sig.chart_version_id,
        Kind(sig.kind),
        sig.practitioner_id,
        sig.practitioner.name,
        sig.signed_at,
        sig.key_id,
    )


# -- who may sign ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Facts:
    """What a permission depends on, read once inside the transaction that acts on it."""

    version: ChartVersion
    head: ChartVersion
    visit: Visit
    practitioner: Practitioner
    signatures: list[ChartSignature]

    def own(self) -> bool:
        pid = self.practitioner.id
        return self.visit.practitioner_id == pid or self.version.saved_by_id == pid

    def of_kind(self, kind: Kind) -> ChartSignature | None:
        return next((g for g in self.signatures if g.kind == kind.value), None)


def _refusal(kind: Kind, f: _Facts) -> str | None:
    """Why `f.practitioner` may not sign (or co-sign) `f.version`, or None when they may."""
    if f.visit.error_at is not None:
        return "This visit was entered in error: its chart cannot be signed."
    if not f.practitioner.active:
        return f"{f.practitioner.name} is no longer an active practitioner."
    if f.version.id != f.head.id:
        return (
            f"Version {f.version.version_no} is not the newest version of this chart (version "
            f"{f.head.version_no} is): only the newest version can be signed."
        )
    signed = f.of_kind(Kind.SIGN)
    if kind is Kind.SIGN:
        if signed is not None:
            return (
                f"Version {f.version.version_no} is already signed by {signed.practitioner.name}."
            )
        if not f.own():
            return (
                "Only the practitioner who charted this visit or saved this version can sign it; "
                "a prescriber co-signs once it is signed."
            )
        return None
    if not may_cosign(f.practitioner.role):
        return "Only a prescriber or an admin can co-sign a chart."
    if signed is None:
        return "This version is not signed yet: its author signs it first, then it is co-signed."
    if signed.practitioner_id == f.practitioner.id or f.own():
        return "You cannot co-sign your own chart."
    if Role(signed.practitioner.role) is not Role.INJECTOR:
        return f"{signed.practitioner.name} is not an injector: their signature needs no co-sign."
    cosigned = f.of_kind(Kind.COSIGN)
    if cosigned is not None:
        return f"This version is already co-signed by {cosigned.practitioner.name}."
    return None


def _head(s: Session, chart_id: int) -> ChartVersion:
    head = s.scalar(
        select(ChartVersion)
        .where(ChartVersion.chart_id == chart_id)
        .order_by(ChartVersion.version_no.desc())
        .limit(1)
    )
    assert head is not None  # the chart of an existing version has one
    return head


def _facts(s: Session, version_id: int, practitioner_id: int) -> _Facts:
    version = s.get(ChartVersion, version_id)
    if version is None:
        raise NotFoundError(f"No chart version {version_id}.")
    chart = s.get(Chart, version.chart_id)
    assert chart is not None
    visit = s.get(Visit, chart.visit_id)
    practitioner = s.get(Practitioner, practitioner_id)
    if visit is None or practitioner is None:
        raise NotFoundError(f"No practitioner {practitioner_id}.")
    signatures = list(
        s.scalars(select(ChartSignature).where(ChartSignature.chart_version_id == version_id))
    )
    return _Facts(version, _head(s, chart.id), visit, practitioner, signatures)


def _check_key(s: Session, signer: KeySigner | None, practitioner: Practitioner) -> int:
    """The id of the signer's key, which must be the practitioner's current one."""
    if signer is None:
        raise SignOffError(
            "Your signing key is not open: sign in with your password to sign charts."
        )
    try:
        key = s.get(PractitionerKey, key_id_of(signer))
    except ValueError:
        key = None
    if (
        key is None
        or key.practitioner_id != practitioner.id
        or key.retired_at is not None
        or key.public_key != signer.public_key
    ):
        raise SignOffError(
            f"This signing key is not {practitioner.name}'s current key: sign in again."
        )
    return key.id


# -- signing --------------------------------------------------------------------------------


def sign_version(
    store: Store, version_id: int, practitioner_id: int, signer: KeySigner | None
) -> SignatureInfo:
    """Sign a version of one's own chart (the newest). SignOffError says why not."""
    return _add(store, Kind.SIGN, version_id, practitioner_id, signer)


def cosign_version(
    store: Store, version_id: int, practitioner_id: int, signer: KeySigner | None
) -> SignatureInfo:
    """Co-sign the newest version of a chart an injector signed. SignOffError says why not."""
    return _add(store, Kind.COSIGN, version_id, practitioner_id, signer)


def _add(
    store: Store, kind: Kind, version_id: int, practitioner_id: int, signer: KeySigner | None
) -> SignatureInfo:
    try:
        with store.write() as s:
            f = _facts(s, version_id, practitioner_id)
            why = _refusal(kind, f)
            if why is not None:
                raise SignOffError(why)
            key_id = _check_key(s, signer, f.practitioner)
            assert signer is not None
            at = utcnow()
            v = f.version
            message = signed_message(
                kind.value, v.uuid, v.content_hash, f.practitioner.uuid, at, v.amend_reason
            )
            row = ChartSignature(
                chart_version_id=v.id,
                practitioner_id=practitioner_id,
                key_id=key_id,
                kind=kind.value,
                content_hash=v.content_hash,
                signed_at=at,
                signature=signer.sign(message),
            )
            s.add(row)
            s.flush()
            row.practitioner = f.practitioner
            audit_log.append(
                s,
                kind.value,
                practitioner_id,
                patient_id=f.visit.patient_id,
                visit_id=f.visit.id,
                subject=f"chart_version:{v.id}",
                detail=f"version {v.version_no}, content {v.content_hash[:16]}",
            )
            return _info(row)
    except IntegrityError as exc:  # the same signature from another room at the same moment
        raise SignOffError("This version was signed from another window or room just now.") from exc


# -- what screens show ----------------------------------------------------------------------


def sign_off_since(store: Store) -> datetime | None:
    """When sign-off began in this database (migration 0010); None if the setting is gone."""
    with store.read() as s:
        return since_in(s)


def since_in(s: Session) -> datetime | None:
    value = s.scalar(select(Setting.value).where(Setting.key == SIGN_OFF_SINCE))
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def set_sign_off_since(store: Store, when: datetime) -> None:
    """Move the start of sign-off (the demo's story starts months ago)."""
    with store.write() as s:
        row = s.get(Setting, SIGN_OFF_SINCE)
        text = when.astimezone(UTC).isoformat(timespec="microseconds")
        if row is None:
            s.add(Setting(key=SIGN_OFF_SINCE, value=text))
        else:
            row.value = text


@dataclass(frozen=True, slots=True)
class VersionSignOff:
    """One version's sign-off as history shows it."""

    version_id: int
    version_no: int
    signature: SignatureInfo | None
    cosignature: SignatureInfo | None
    before_sign_off: bool  # saved before sign-off existed in this database
    amend_reason: str | None  # set: this version amends a signed one (by its saver, then)
    saved_by: str
    saved_at: datetime

    @property
    def signed(self) -> bool:
        return self.signature is not None


def history(store: Store, visit_id: int) -> dict[int, VersionSignOff]:
    """Every version of the visit's chart, by id, with its signatures."""
    with store.read() as s:
        since = since_in(s)
        versions = list(
            s.scalars(
                select(ChartVersion)
                .join(Chart, Chart.id == ChartVersion.chart_id)
                .where(Chart.visit_id == visit_id)
            )
        )
        sigs = _signatures(s, [v.id for v in versions])
        return {v.id: _state(v, sigs.get(v.id, []), since) for v in versions}


def _signatures(s: Session, version_ids: Iterable[int]) -> dict[int, list[ChartSignature]]:
    ids = list(version_ids)
    found: dict[int, list[ChartSignature]] = {}
    if ids:
        q = select(ChartSignature).where(ChartSignature.chart_version_id.in_(ids))
        for g in s.scalars(q.order_by(ChartSignature.id)):
            found.setdefault(g.chart_version_id, []).append(g)
    return found


def _state(v: ChartVersion, sigs: list[ChartSignature], since: datetime | None) -> VersionSignOff:
    sign = next((_info(g) for g in sigs if g.kind == Kind.SIGN.value), None)
    cosign = next((_info(g) for g in sigs if g.kind == Kind.COSIGN.value), None)
    return VersionSignOff(
        v.id,
        v.version_no,
        sign,
        cosign,
        since is not None and v.saved_at < since,
        v.amend_reason,
        v.saved_by.name if v.saved_by else "",
        v.saved_at,
    )


@dataclass(frozen=True, slots=True)
class ChartSignOff:
    """The newest version of a visit's chart, and what the practitioner may do with it."""

    head: VersionSignOff | None
    can_sign: bool
    can_cosign: bool


@dataclass(frozen=True, slots=True)
class ShownSignOff:
    """What the editor's header shows: the chart's state for the practitioner, and the
    sign-off of the version on screen (the head's, or an older version's)."""

    state: ChartSignOff
    shown: VersionSignOff | None
    practitioner_id: int | None  # whom `state` is for


def shown_sign_off(
    store: Store, visit_id: int, practitioner_id: int | None, version_id: int | None
) -> ShownSignOff:
    """The header's sign-off for `version_id` (None: a chart not saved yet), as
    `practitioner_id` may act on it (None: nobody signed in, so no Sign)."""
    state = ChartSignOff(None, False, False)
    if practitioner_id is not None:
        state = chart_state(store, visit_id, practitioner_id)
    if version_id is None:
        return ShownSignOff(state, None, practitioner_id)
    if state.head is not None and state.head.version_id == version_id:
        return ShownSignOff(state, state.head, practitioner_id)
    older = history(store, visit_id).get(version_id)
    return ShownSignOff(state, older, practitioner_id)


def chart_state(store: Store, visit_id: int, practitioner_id: int) -> ChartSignOff:
    with store.read() as s:
        chart_id = s.scalar(select(Chart.id).where(Chart.visit_id == visit_id))
        if chart_id is None:
            return ChartSignOff(None, False, False)
        head = _head(s, chart_id)
        f = _facts(s, head.id, practitioner_id)
        return ChartSignOff(
            _state(head, f.signatures, since_in(s)),
            _refusal(Kind.SIGN, f) is None,
            _refusal(Kind.COSIGN, f) is None,
        )


def head_states(store: Store, visit_ids: Iterable[int]) -> dict[int, VersionSignOff]:
    """The newest version's sign-off of each visit that has a chart (the timeline's cards)."""
    ids = list(visit_ids)
    if not ids:
        return {}
    with store.read() as s:
        since = since_in(s)
        heads: dict[int, ChartVersion] = {}
        rows = s.execute(
            select(Chart.visit_id, ChartVersion)
            .join(ChartVersion, ChartVersion.chart_id == Chart.id)
            .where(Chart.visit_id.in_(ids))
        )
        for visit_id, v in rows:
            if visit_id not in heads or v.version_no > heads[visit_id].version_no:
                heads[visit_id] = v
        sigs = _signatures(s, [v.id for v in heads.values()])
        return {vid: _state(v, sigs.get(v.id, []), since) for vid, v in heads.items()}
