"""Charts: save an immutable version, load any version, list the history, diff two versions.

Every save is one transaction that appends a `chart_version` row (never updates one). A save
whose parent is no longer the chart's newest version is refused as a conflict: two windows or
two treatment rooms never overwrite each other silently (ADR 0003).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.domain.canonical import content_from_json
from app.domain.chart import ChartContent
from app.domain.diff import ChartDiff, diff_charts
from app.domain.totals import version_summary
from app.store import audit_log, chart_parts, lot_index
from app.store.database import Store
from app.store.errors import (
    AmendReasonRequiredError,
    ConflictError,
    NotFoundError,
    VersionIdentityError,
    is_unique_violation,
)
from app.store.hash_chain import hash_canonical
from app.store.schema import (
    Chart,
    ChartSignature,
    ChartVersion,
    PhotoBlob,
    Practitioner,
    Product,
    Visit,
)

# Test seam: called with the name of each step inside the save transaction, so the crash tests
# can stop the process there. Production leaves it None.
save_step_hook: Callable[[str], None] | None = None


def _step(name: str) -> None:
    if save_step_hook is not None:
        save_step_hook(name)


@dataclass(frozen=True, slots=True)
class VersionInfo:
    id: int
    chart_id: int
    version_no: int
    saved_at: datetime
    saved_by: str
    comment: str
    content_hash: str
    parent_hash: str
    point_count: int
    stroke_count: int
    units: dict[str, Decimal]  # per product code; never summed across products
    amend_reason: str | None = None  # set when this version changes a signed one (ADR 0019)

    @classmethod
    def of(cls, v: ChartVersion) -> VersionInfo:
        units = {k: Decimal(x) for k, x in json.loads(v.units_summary or "{}").items()}
        return cls(
            v.id,
            v.chart_id,
            v.version_no,
            v.saved_at,
            v.saved_by.name if v.saved_by else "",
            v.comment,
            v.content_hash,
            v.parent_hash,
            v.point_count,
            v.stroke_count,
            units,
            v.amend_reason,
        )


@dataclass(frozen=True, slots=True)
class LoadedVersion:
    info: VersionInfo
    content: ChartContent
    is_head: bool  # False: an older version, which opens read-only


def _head(session: Session, chart_id: int) -> ChartVersion | None:
    return session.scalar(
        select(ChartVersion)
        .where(ChartVersion.chart_id == chart_id)
        .order_by(ChartVersion.version_no.desc())
        .limit(1)
    )


def head_version(store: Store, visit_id: int) -> VersionInfo | None:
    with store.read() as s:
        chart = s.scalar(select(Chart).where(Chart.visit_id == visit_id))
        head = _head(s, chart.id) if chart else None
        return VersionInfo.of(head) if head else None


def save_version(
    store: Store,
    visit_id: int,
    content: ChartContent,
    *,
    parent_version_id: int | None,
    saved_by_id: int | None,
    comment: str = "",
    amend_reason: str | None = None,
    version_uuid: str | None = None,
) -> VersionInfo:
    """Append a version to the visit's chart. `parent_version_id` is the version the editor
    opened (None for a chart's first version); anything else newer means ConflictError.

    `version_uuid`, chosen by the caller before its first attempt, is the save's idempotency
    key (ADR 0027): when the clinic server went away after the COMMIT arrived but before the
    answer did, the retry finds that version and returns it instead of saving it twice. The
    same key on a version with other content (or another chart, parent, author or comment)
    is VersionIdentityError, never "already saved".

    A signed chart is locked (ADR 0019): a version on top of a signed one is an amendment, and
    is refused (AmendReasonRequiredError) without `amend_reason`; the reason is kept on the new
    version and the amendment is audited in the same transaction."""
    # The content is serialised once into parts, and the hash's canonical bytes are spliced
    # from them; a stroke is encoded once in its life (chart_parts.split_content), since every
    # save sends every stroke and re-encoding them was most of a full-face save's CPU.
    manifest, parts, canonical = chart_parts.split_content(content)
    point_count, stroke_count, units_summary = version_summary(content)
    try:
        with store.write() as s:
            _step("begin")
            visit = s.get(Visit, visit_id)
            if visit is None:
                raise NotFoundError(f"No visit {visit_id}.")
            if version_uuid is not None:
                # Before the parent check: a lost answer's version is the head now, and the
                # retry from its parent would otherwise be refused as a conflict.
                done = s.scalar(select(ChartVersion).where(ChartVersion.uuid == version_uuid))
                if done is not None:
                    same = (visit_id, parent_version_id, canonical, saved_by_id, comment)
                    _same_save(s, done, *same)
                    return VersionInfo.of(done)  # nothing written: the transaction is empty
            _check_references(s, content, visit.patient_id)
            chart = s.scalar(select(Chart).where(Chart.visit_id == visit_id))
            if chart is None:
                chart = Chart(visit_id=visit_id)
                s.add(chart)
                s.flush()
            head = _head(s, chart.id)
            if (head.id if head else None) != parent_version_id:
                raise _conflict(head)
            reason = _amendment(s, head, amend_reason)
            parent_hash = head.content_hash if head else ""
            chart_parts.write_parts(s, parts)
            s.flush()
            _step("parts_written")
            version = ChartVersion(
                chart_id=chart.id,
                version_no=(head.version_no + 1) if head else 1,
                parent_id=head.id if head else None,
                parent_hash=parent_hash,
                content_hash=hash_canonical(canonical, parent_hash),
                manifest=chart_parts.encode_manifest(manifest),
                saved_by_id=saved_by_id,
                comment=comment,
                point_count=point_count,
                stroke_count=stroke_count,
                units_summary=units_summary,
                amend_reason=reason,
            )
            if version_uuid is not None:
                version.uuid = version_uuid
            s.add(version)
            s.flush()
            lot_index.index_version(s, version.id, chart.id, content)  # recall's index (0030)
            audit_log.append(  # one more row in the same transaction: saved together or not
                s,
                "save",
                saved_by_id,
                patient_id=visit.patient_id,
                visit_id=visit_id,
                subject=f"chart_version:{version.id}",
                detail=f"version {version.version_no}",
                at=version.saved_at,
            )
            _step("version_added")
            if reason is not None and head is not None:
                audit_log.append(
                    s,
                    "amend",
                    saved_by_id,
                    patient_id=visit.patient_id,
                    visit_id=visit.id,
                    subject=f"chart_version:{version.id}",
                    detail=f"version {version.version_no} amends signed version "
                    f"{head.version_no}: {reason}",
                )
            if saved_by_id is not None:
                version.saved_by = s.get(Practitioner, saved_by_id)
            info = VersionInfo.of(version)
            _step("before_commit")
        return info
    except IntegrityError as exc:
        if not is_unique_violation(exc):
            raise  # a broken reference is a bug, not a race: never report it as a conflict
        # Another room saved the same parent between our check and our insert.
        raise ConflictError(
            "Someone else saved this chart at the same moment. Your changes are still on "
            "screen; reopen the chart to see theirs."
        ) from exc


def _same_save(
    session: Session,
    done: ChartVersion,
    visit_id: int,
    parent_version_id: int | None,
    canonical: bytes,
    saved_by_id: int | None,
    comment: str,
) -> None:
    """`done` (found by the save's UUID) is this very save, made by an earlier attempt whose
    answer was lost; anything else is VersionIdentityError."""
    same = (
        session.scalar(select(Chart.visit_id).where(Chart.id == done.chart_id)) == visit_id
        and done.parent_id == parent_version_id
        and done.content_hash == hash_canonical(canonical, done.parent_hash)
        and done.saved_by_id == saved_by_id
        and done.comment == comment
    )
    if not same:
        raise VersionIdentityError(
            "This save's identity is already taken by a different chart version, so it was not "
            "saved. Your changes are still on screen and in their draft; save again."
        )


def _amendment(session: Session, head: ChartVersion | None, reason: str | None) -> str | None:
    """The reason to store when `head` is signed (refused without one), else None."""
    if head is None:
        return None
    signed = session.scalar(
        select(ChartSignature.id).where(ChartSignature.chart_version_id == head.id).limit(1)
    )
    if signed is None:
        return None
    text = (reason or "").strip()
    if not text:
        raise AmendReasonRequiredError(
            f"Version {head.version_no} of this chart is signed, so a change is an amendment: "
            "say why it is made. Your changes are still on screen."
        )
    return text


def _conflict(head: ChartVersion | None) -> ConflictError:
    if head is None:
        return ConflictError("This chart's version history has changed since it was opened.")
    who = f" by {head.saved_by.name}" if head.saved_by else ""
    when = head.saved_at.astimezone().strftime("%H:%M")
    return ConflictError(
        f"This chart was saved from another window or room since you opened it (version "
        f"{head.version_no}{who} at {when}). Nothing was overwritten and your changes are still "
        "on screen; reopen the chart to see the newer version."
    )


def _check_references(session: Session, content: ChartContent, patient_id: int) -> None:
    uses = [u for v in content.views for u in v.overlays]
    photos = {v.photo_sha256 for v in content.views if v.photo_sha256}
    photos |= {u.photo_sha256 for u in uses if u.photo_sha256}
    if photos:
        found = set(session.scalars(select(PhotoBlob.sha256).where(PhotoBlob.sha256.in_(photos))))
        if photos - found:
            raise NotFoundError("The chart refers to a photo that is not in the database.")
    earlier = {u.version_hash for u in uses}  # one of the same patient's versions (ADR 0009)
    if earlier:
        q = select(ChartVersion.content_hash).join(Chart).join(Visit)
        q = q.where(ChartVersion.content_hash.in_(earlier), Visit.patient_id == patient_id)
        if earlier - set(session.scalars(q)):
            raise NotFoundError("The chart overlays a chart version that is not this patient's.")
    products = {p.product for _, p in content.all_points()} | {u.product for u in content.products}
    if products:
        found = set(session.scalars(select(Product.code).where(Product.code.in_(products))))
        if products - found:
            raise NotFoundError(f"Unknown products: {', '.join(sorted(products - found))}.")


def load_content(session: Session, version: ChartVersion) -> ChartContent:
    manifest = chart_parts.decode_manifest(version.manifest)
    parts = chart_parts.read_parts(session, chart_parts.manifest_shas(manifest))
    return content_from_json(chart_parts.assemble(manifest, parts))


def load_version(store: Store, version_id: int) -> LoadedVersion:
    with store.read() as s:
        version = s.get(ChartVersion, version_id)
        if version is None:
            raise NotFoundError(f"No chart version {version_id}.")
        head = _head(s, version.chart_id)
        return LoadedVersion(
            VersionInfo.of(version),
            load_content(s, version),
            head is not None and head.id == version.id,
        )


def load_head(store: Store, visit_id: int) -> LoadedVersion | None:
    info = head_version(store, visit_id)
    return load_version(store, info.id) if info else None


def history(store: Store, visit_id: int) -> list[VersionInfo]:
    """All versions of the visit's chart, newest first. Reads no content."""
    with store.read() as s:
        chart_id = s.scalar(select(Chart.id).where(Chart.visit_id == visit_id))
        if chart_id is None:
            return []
        rows = s.scalars(
            select(ChartVersion)
            .where(ChartVersion.chart_id == chart_id)
            .order_by(ChartVersion.version_no.desc())
        )
        return [VersionInfo.of(v) for v in rows]


def version_count(store: Store, visit_id: int) -> int:
    with store.read() as s:
        return (
            s.scalar(
                select(func.count(ChartVersion.id)).join(Chart).where(Chart.visit_id == visit_id)
            )
            or 0
        )


def diff_versions(store: Store, old_version_id: int, new_version_id: int) -> ChartDiff:
    return diff_charts(
        load_version(store, old_version_id).content, load_version(store, new_version_id).content
    )
