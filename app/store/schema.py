"""The database schema: SQLAlchemy 2.x typed ORM (ADR 0002).

Medical-record rules the schema carries: chart versions are append-only rows with a unique
(chart_id, version_no); photo bytes live once per SHA-256 in `photo_blob`; nothing is deleted,
mistakes are marked "entered in error" with who, when and why.
"""

from __future__ import annotations

import uuid as uuid_module
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from app.domain.values import utcnow

# Named constraints so Alembic migrations (and SQLite batch mode) can refer to them.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out, on SQLite (which has no zones) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store: times are stored in UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:  # SQLite hands back what it was given, without the zone
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# Search keys compare byte-wise so a prefix range scan uses the index on both backends.
SearchKey = String(200).with_variant(String(200, collation="C"), "postgresql")
Sha256 = String(64)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def new_uuid() -> str:
    return str(uuid_module.uuid4())


def uuid_column() -> Mapped[str]:
    """A record's stable identity across databases (the portable archive, ADR 0023): given on
    insert, never changed, carried by export and import so the same record is never made twice.
    Nullable in the schema only because SQLite adds NOT NULL by rebuilding the table, which its
    foreign keys refuse inside a migration; migration 0009 fills every existing row."""
    return mapped_column(String(36), index=True, unique=True, nullable=True, default=new_uuid)


# The clinic an imported record came from (ADR 0023): None for this clinic's own records.
# The UI shows an imported signature as "signed at <origin_clinic>".
OriginClinic = String(200)


class EnteredInError:
    """Columns of a row that can be marked 'entered in error' instead of being deleted."""

    error_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    error_by_id: Mapped[int | None] = mapped_column(ForeignKey("practitioner.id"), default=None)
    error_reason: Mapped[str | None] = mapped_column(Text, default=None)

    @property
    def in_error(self) -> bool:
        return self.error_at is not None


class Practitioner(Base):
    __tablename__ = "practitioner"
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = uuid_column()
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    role: Mapped[str] = mapped_column(String(16), default="injector")  # app/domain/roles.py
    # Argon2id PHC strings (app/security/secrets.py); None until the practitioner sets them
    pin_hash: Mapped[str | None] = mapped_column(Text, default=None)
    password_hash: Mapped[str | None] = mapped_column(Text, default=None)
    # failed sign-ins in a row, and when the next attempt is allowed (back-off)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    retry_after: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    origin_clinic: Mapped[str | None] = mapped_column(OriginClinic, default=None)


class PractitionerKey(Base):
    """A practitioner's Ed25519 signing key: the private half sealed under their password
    (app/security/keys.py). A reset retires the key and makes a new one; retired keys stay,
    so earlier signatures still verify."""

    __tablename__ = "practitioner_key"
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = uuid_column()
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("practitioner.id"), index=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    kdf_salt: Mapped[bytes] = mapped_column(LargeBinary)
    nonce: Mapped[bytes] = mapped_column(LargeBinary)
    sealed_private_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    origin_clinic: Mapped[str | None] = mapped_column(OriginClinic, default=None)


class Patient(Base):
    __tablename__ = "patient"
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = uuid_column()
    family_name: Mapped[str] = mapped_column(String(200))
    given_name: Mapped[str] = mapped_column(String(200))
    date_of_birth: Mapped[date] = mapped_column(Date)
    record_number: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # last time the patient was opened or charted: drives "recent patients"
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    photography_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    photography_consent_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("practitioner.id"), default=None
    )
    # normalised full name (accents folded, case folded) for duplicate checks
    name_key: Mapped[str] = mapped_column(SearchKey, index=True)
    origin_clinic: Mapped[str | None] = mapped_column(OriginClinic, default=None)

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


class PatientSearchToken(Base):
    """One search key of a patient (ADR 0005): a folded word of the name or record number, or
    the first one or two letters of one. The patient's name rides along, so the first page of
    a search is read from the index already in list order instead of sorting every match."""

    __tablename__ = "patient_search_token"
    __table_args__ = (
        Index("ix_patient_search_token_order", "token", "family_name", "given_name", "patient_id"),
        Index("ix_patient_search_token_patient", "patient_id", "token"),
    )
    token: Mapped[str] = mapped_column(SearchKey, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), primary_key=True)
    # copies of the patient's names, kept by every write that changes them (services/patients)
    family_name: Mapped[str] = mapped_column(String(200))
    given_name: Mapped[str] = mapped_column(String(200))


class View(Base):
    __tablename__ = "view"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    instruction: Mapped[str] = mapped_column(Text, default="")
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=100)


class Protocol(Base):
    """An ordered list of views to capture for a treatment type (editable by the clinic)."""

    __tablename__ = "protocol"
    id: Mapped[int] = mapped_column(primary_key=True)
    treatment_type: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    steps: Mapped[list[ProtocolStep]] = relationship(
        order_by="ProtocolStep.position", cascade="all, delete-orphan"
    )


class ProtocolStep(Base):
    __tablename__ = "protocol_step"
    __table_args__ = (UniqueConstraint("protocol_id", "position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    protocol_id: Mapped[int] = mapped_column(ForeignKey("protocol.id"))
    position: Mapped[int] = mapped_column(Integer)
    view_id: Mapped[int] = mapped_column(ForeignKey("view.id"))
    view: Mapped[View] = relationship(lazy="joined")


class Product(Base):
    __tablename__ = "product"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    generic_name: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(32), default="neurotoxin")
    unit_label: Mapped[str] = mapped_column(String(16), default="U")
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # the clinic's largest single dose per point (soft warning); None: not set
    max_units_per_point: Mapped[Decimal | None] = mapped_column(Numeric(7, 2), default=None)


class ProductGtin(Base):
    """A carton's GTIN (GS1 product number, 14 digits) and the catalogue product it is: asked
    once, the first time that carton is scanned, then remembered with who said so and when."""

    __tablename__ = "product_gtin"
    gtin: Mapped[str] = mapped_column(String(14), primary_key=True)
    product_code: Mapped[str] = mapped_column(ForeignKey("product.code"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("practitioner.id"))


class Visit(EnteredInError, Base):
    __tablename__ = "visit"
    # The follow-up list reads visits by date, by patient and by touch-up (ADR 0030). The first
    # two carry the columns its rules test, so a window of thousands of visits is answered
    # from the indexes without reading each visit's row.
    __table_args__ = (
        Index(
            "ix_visit_date",
            "visit_date",
            "treatment_type",
            "error_at",
            "touch_up_of_id",
            "patient_id",
            "practitioner_id",
        ),
        Index(
            "ix_visit_patient_date",
            "patient_id",
            "visit_date",
            "treatment_type",
            "error_at",
            "touch_up_of_id",
        ),
        Index("ix_visit_touch_up_of", "touch_up_of_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = uuid_column()
    # indexed by ix_visit_patient_date, which begins with it
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    visit_date: Mapped[date] = mapped_column(Date)
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("practitioner.id"))
    treatment_type: Mapped[str] = mapped_column(String(32))
    touch_up_of_id: Mapped[int | None] = mapped_column(ForeignKey("visit.id"), default=None)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    patient: Mapped[Patient] = relationship()
    practitioner: Mapped[Practitioner] = relationship(foreign_keys=[practitioner_id])


class PhotoBlob(Base):
    """The bytes of one original photo, once per SHA-256, kept exactly as imported, plus the
    display-size and thumbnail JPEGs so screens never decode the original to show it."""

    __tablename__ = "photo_blob"
    # The sizes without reading the original stored before them (migration 0013)
    __table_args__ = (Index("ix_photo_blob_frame", "sha256", "width", "height"),)
    sha256: Mapped[str] = mapped_column(Sha256, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    size_bytes: Mapped[int] = mapped_column(Integer)
    format: Mapped[str] = mapped_column(String(16))
    mime: Mapped[str] = mapped_column(String(64))
    width: Mapped[int] = mapped_column(Integer)  # after EXIF orientation
    height: Mapped[int] = mapped_column(Integer)
    display_jpeg: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    display_width: Mapped[int] = mapped_column(Integer)
    display_height: Mapped[int] = mapped_column(Integer)
    thumb_jpeg: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    # SHA-256 of the two derived JPEGs, so `check` sees a replaced screen image (issue #11);
    # None only on a row written behind FaceChart's back (migration 0008 filled the old ones)
    display_sha256: Mapped[str | None] = mapped_column(Sha256, default=None)
    thumb_sha256: Mapped[str | None] = mapped_column(Sha256, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Photo(EnteredInError, Base):
    __tablename__ = "photo"
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = uuid_column()
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visit.id"), index=True)
    view_id: Mapped[int] = mapped_column(ForeignKey("view.id"))
    blob_sha256: Mapped[str] = mapped_column(ForeignKey("photo_blob.sha256"), index=True)
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime)
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("practitioner.id"))
    source: Mapped[str] = mapped_column(String(16))
    original_filename: Mapped[str] = mapped_column(String(400), default="")
    # non-destructive quarter turns clockwise, applied after EXIF orientation (CONTRACTS.md)
    rotation: Mapped[int] = mapped_column(Integer, default=0)
    width: Mapped[int] = mapped_column(Integer)  # upright, after orientation and rotation
    height: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    view: Mapped[View] = relationship(lazy="joined")
    blob: Mapped[PhotoBlob] = relationship()


class Chart(Base):
    """A visit's chart; its content lives in append-only `chart_version` rows."""

    __tablename__ = "chart"
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = uuid_column()
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChartPart(Base):
    """A content-addressed piece of chart content (one stroke, the points of a view, the
    products used), zlib-compressed canonical JSON. Versions share unchanged parts, so a new
    version costs only what changed (ADR 0003)."""

    __tablename__ = "chart_part"
    sha256: Mapped[str] = mapped_column(Sha256, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class ChartVersion(Base):
    """One saved, immutable version of a chart. The app never updates or deletes these rows."""

    __tablename__ = "chart_version"
    __table_args__ = (
        UniqueConstraint("chart_id", "version_no"),
        Index("ix_chart_version_chart_saved", "chart_id", "version_no"),
        Index("ix_chart_version_saved_at", "saved_at"),  # charts saved since sign-off began
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = uuid_column()
    chart_id: Mapped[int] = mapped_column(ForeignKey("chart.id"))
    version_no: Mapped[int] = mapped_column(Integer)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("chart_version.id"), unique=True)
    parent_hash: Mapped[str] = mapped_column(String(64), default="")
    content_hash: Mapped[str] = mapped_column(Sha256, index=True)
    manifest: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("practitioner.id"))
    comment: Mapped[str] = mapped_column(Text, default="")
    # a few figures for the history list, so listing never reads content
    point_count: Mapped[int] = mapped_column(Integer, default=0)
    stroke_count: Mapped[int] = mapped_column(Integer, default=0)
    units_summary: Mapped[str] = mapped_column(Text, default="")  # "botox 20; dysport 10"
    # set when this version changes a signed one: the reason the amendment was made
    amend_reason: Mapped[str | None] = mapped_column(Text, default=None)

    saved_by: Mapped[Practitioner | None] = relationship(lazy="joined")


class LotUse(Base):
    """One product lot a chart version names (ADR 0030): written with the version, in the same
    transaction, and never changed, as the version is not. Lot recall reads these instead of
    every version's content; which version is a chart's newest comes from `chart_version`."""

    __tablename__ = "lot_use"
    # a lot's rows side by side with all recall reads of them (a covering index)
    __table_args__ = (
        Index(
            "ix_lot_use_lot",
            "lot_key",
            "version_id",
            "chart_id",
            "product",
            "lot",
            "kind",
            "units",
            "point_count",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("chart_version.id"), index=True)
    chart_id: Mapped[int] = mapped_column(ForeignKey("chart.id"))
    product: Mapped[str] = mapped_column(String(64))
    lot: Mapped[str] = mapped_column(Text)  # as written in the chart
    lot_key: Mapped[str] = mapped_column(SearchKey)  # app/domain/lots.py lot_key
    kind: Mapped[str] = mapped_column(String(16), default="vial")
    units: Mapped[str | None] = mapped_column(String(20), default=None)  # exact decimal text
    point_count: Mapped[int] = mapped_column(Integer, default=0)


class ChartSignature(Base):
    """A practitioner's Ed25519 signature over a version's content hash: "sign" by the
    practitioner who charted, "cosign" by a prescriber. Rows are only ever added."""

    __tablename__ = "chart_signature"
    __table_args__ = (UniqueConstraint("chart_version_id", "practitioner_id", "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = uuid_column()
    chart_version_id: Mapped[int] = mapped_column(ForeignKey("chart_version.id"), index=True)
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("practitioner.id"))
    key_id: Mapped[int] = mapped_column(ForeignKey("practitioner_key.id"))
    kind: Mapped[str] = mapped_column(String(16))  # "sign" | "cosign"
    content_hash: Mapped[str] = mapped_column(Sha256)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    origin_clinic: Mapped[str | None] = mapped_column(OriginClinic, default=None)

    practitioner: Mapped[Practitioner] = relationship(lazy="joined")


class AuditEvent(Base):
    """One entry of the append-only, hash-chained audit trail (app/store/audit_log.py). `seq`
    is assigned by the log itself, gapless from 1, so a removed entry leaves a gap."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_patient", "patient_id", "seq"),
        Index("ix_audit_event_actor", "actor_id", "seq"),
        Index("ix_audit_event_at", "at"),  # the audit screens' date filters
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    uuid: Mapped[str] = uuid_column()  # not in the event hash: the log's own chain is unchanged
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("practitioner.id"))
    kind: Mapped[str] = mapped_column(String(32))
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patient.id"), default=None)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visit.id"), default=None)
    subject: Mapped[str] = mapped_column(String(200), default="")  # e.g. "chart_version:12"
    detail: Mapped[str] = mapped_column(Text, default="")  # words, never a patient's details
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    event_hash: Mapped[str] = mapped_column(Sha256)

    actor: Mapped[Practitioner | None] = relationship(lazy="joined")


class PatientDetailChange(Base):
    """One field of a patient's details changed: the old and new value, who, when and why.
    The patient row holds the current values; these rows are only ever added."""

    __tablename__ = "patient_detail_change"
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = uuid_column()
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    field: Mapped[str] = mapped_column(String(32))  # given_name, family_name, date_of_birth, ...
    old_value: Mapped[str] = mapped_column(Text)
    new_value: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, default="")
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("practitioner.id"))

    changed_by: Mapped[Practitioner | None] = relationship(lazy="joined")


class ImportedAuditEvent(Base):
    """An audit event brought by a portable archive from another database (ADR 0023). It keeps
    the source's fields, hash and link exactly (`record`, canonical JSON) so it can be verified
    against its own chain; it is not part of this database's log, whose chain covers only what
    happened here (the import itself is one event there)."""

    __tablename__ = "imported_audit_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), index=True, unique=True)  # the source's
    origin_clinic: Mapped[str] = mapped_column(OriginClinic)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(32))
    # this database's records the event concerns, found by their UUIDs
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("practitioner.id"))
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patient.id"), index=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visit.id"))
    record: Mapped[str] = mapped_column(Text)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PatientLink(Base):
    """An admin's decision on an imported patient who looks like one already here (ADR 0023):
    `linked` (the same person: the imported visits and photos were moved to the existing
    patient, and a later import of the same archive adds to them there) or `apart` (two people:
    not listed again). The imported patient's row stays, so its UUID is still known."""

    __tablename__ = "patient_link"
    id: Mapped[int] = mapped_column(primary_key=True)
    imported_patient_id: Mapped[int] = mapped_column(
        ForeignKey("patient.id"), index=True, unique=True
    )
    existing_patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    decision: Mapped[str] = mapped_column(String(16))  # "linked" | "apart"
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("practitioner.id"))


class Setting(Base):
    """Small key/value settings of this database (e.g. the clinic's name)."""

    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class WarningSetting(Base):
    """A clinic's switch for one row of the soft-warning table (app/domain/soft_warnings.py):
    a row without a setting keeps its default. Who switched it last, and when, stay with it."""

    __tablename__ = "warning_setting"
    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("practitioner.id"))

    changed_by: Mapped[Practitioner | None] = relationship(lazy="joined")


class Checkpoint(Base):
    """A signed digest of every record's hash at one moment (ADR 0025): the fixed-size signed
    statement, its signature and the key that made it. `seq` counts from 1 without gaps."""

    __tablename__ = "checkpoint"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(32))
    statement: Mapped[bytes] = mapped_column(LargeBinary)
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    key_kind: Mapped[str] = mapped_column(String(16))  # "installation" or "practitioner"
    public_key: Mapped[bytes] = mapped_column(LargeBinary)  # raw Ed25519, 32 bytes
    practitioner_id: Mapped[int | None] = mapped_column(ForeignKey("practitioner.id"), default=None)


class CheckpointEntry(Base):
    """One record's hash that changed since the previous checkpoint (ADR 0025); `value` None:
    the record was gone at this checkpoint. Replaying entries up to a checkpoint gives its map."""

    __tablename__ = "checkpoint_entry"
    seq: Mapped[int] = mapped_column(ForeignKey("checkpoint.seq"), primary_key=True)
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    label: Mapped[str] = mapped_column(String(120), default="")
    value: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)


class InstallationKey(Base):
    """The public half of each FaceChart installation's checkpoint key that wrote to this
    database (several laptops on one PostgreSQL server); the private half never is here."""

    __tablename__ = "installation_key"
    fingerprint: Mapped[str] = mapped_column(Sha256, primary_key=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
