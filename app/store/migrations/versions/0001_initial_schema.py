"""Initial schema, and the built-in catalogue (views, protocols, the six toxins of DOMAIN.md).

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from app.domain.catalogue import BUILTIN_PROTOCOLS, BUILTIN_TOXINS, BUILTIN_VIEWS

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chart_part",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_chart_part")),
    )
    op.create_table(
        "photo_blob",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("mime", sa.String(length=64), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("display_jpeg", sa.LargeBinary(), nullable=False),
        sa.Column("display_width", sa.Integer(), nullable=False),
        sa.Column("display_height", sa.Integer(), nullable=False),
        sa.Column("thumb_jpeg", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_photo_blob")),
    )
    op.create_table(
        "practitioner",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practitioner")),
    )
    op.create_table(
        "product",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("generic_name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("unit_label", sa.String(length=16), nullable=False),
        sa.Column("builtin", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product")),
        sa.UniqueConstraint("code", name=op.f("uq_product_code")),
    )
    op.create_table(
        "protocol",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("treatment_type", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_protocol")),
        sa.UniqueConstraint("treatment_type", name=op.f("uq_protocol_treatment_type")),
    )
    op.create_table(
        "setting",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_setting")),
    )
    op.create_table(
        "view",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("instruction", sa.Text(), nullable=False),
        sa.Column("builtin", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_view")),
        sa.UniqueConstraint("code", name=op.f("uq_view_code")),
    )
    op.create_table(
        "patient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_name", sa.String(length=200), nullable=False),
        sa.Column("given_name", sa.String(length=200), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.Column("record_number", sa.String(length=64), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("photography_consent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("photography_consent_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "name_key",
            sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["photography_consent_by_id"],
            ["practitioner.id"],
            name=op.f("fk_patient_photography_consent_by_id_practitioner"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient")),
    )
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_patient_last_seen_at"), ["last_seen_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_patient_name_key"), ["name_key"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_patient_record_number"), ["record_number"], unique=False
        )

    op.create_table(
        "protocol_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("protocol_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("view_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["protocol_id"], ["protocol.id"], name=op.f("fk_protocol_step_protocol_id_protocol")
        ),
        sa.ForeignKeyConstraint(
            ["view_id"], ["view.id"], name=op.f("fk_protocol_step_view_id_view")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_protocol_step")),
        sa.UniqueConstraint(
            "protocol_id", "position", name=op.f("uq_protocol_step_protocol_id_position")
        ),
    )
    op.create_table(
        "patient_search_token",
        sa.Column(
            "token",
            sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_patient_search_token_patient_id_patient")
        ),
        sa.PrimaryKeyConstraint("token", "patient_id", name=op.f("pk_patient_search_token")),
    )
    with op.batch_alter_table("patient_search_token", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_patient_search_token_patient_id"), ["patient_id"], unique=False
        )

    op.create_table(
        "visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("visit_date", sa.Date(), nullable=False),
        sa.Column("practitioner_id", sa.Integer(), nullable=False),
        sa.Column("treatment_type", sa.String(length=32), nullable=False),
        sa.Column("touch_up_of_id", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("error_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error_by_id", sa.Integer(), nullable=True),
        sa.Column("error_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["error_by_id"], ["practitioner.id"], name=op.f("fk_visit_error_by_id_practitioner")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_visit_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_id"],
            ["practitioner.id"],
            name=op.f("fk_visit_practitioner_id_practitioner"),
        ),
        sa.ForeignKeyConstraint(
            ["touch_up_of_id"], ["visit.id"], name=op.f("fk_visit_touch_up_of_id_visit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit")),
    )
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visit_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "chart",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["visit_id"], ["visit.id"], name=op.f("fk_chart_visit_id_visit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chart")),
        sa.UniqueConstraint("visit_id", name=op.f("uq_chart_visit_id")),
    )
    op.create_table(
        "photo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("view_id", sa.Integer(), nullable=False),
        sa.Column("blob_sha256", sa.String(length=64), nullable=False),
        sa.Column("captured_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("taken_by_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("original_filename", sa.String(length=400), nullable=False),
        sa.Column("rotation", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("error_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error_by_id", sa.Integer(), nullable=True),
        sa.Column("error_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["blob_sha256"], ["photo_blob.sha256"], name=op.f("fk_photo_blob_sha256_photo_blob")
        ),
        sa.ForeignKeyConstraint(
            ["error_by_id"], ["practitioner.id"], name=op.f("fk_photo_error_by_id_practitioner")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_photo_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["taken_by_id"], ["practitioner.id"], name=op.f("fk_photo_taken_by_id_practitioner")
        ),
        sa.ForeignKeyConstraint(["view_id"], ["view.id"], name=op.f("fk_photo_view_id_view")),
        sa.ForeignKeyConstraint(["visit_id"], ["visit.id"], name=op.f("fk_photo_visit_id_visit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_photo")),
    )
    with op.batch_alter_table("photo", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_photo_blob_sha256"), ["blob_sha256"], unique=False)
        batch_op.create_index(batch_op.f("ix_photo_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_photo_visit_id"), ["visit_id"], unique=False)

    op.create_table(
        "chart_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chart_id", sa.Integer(), nullable=False),
        sa.Column("version_no", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("parent_hash", sa.String(length=64), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("manifest", sa.LargeBinary(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("saved_by_id", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("point_count", sa.Integer(), nullable=False),
        sa.Column("stroke_count", sa.Integer(), nullable=False),
        sa.Column("units_summary", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["chart_id"], ["chart.id"], name=op.f("fk_chart_version_chart_id_chart")
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["chart_version.id"],
            name=op.f("fk_chart_version_parent_id_chart_version"),
        ),
        sa.ForeignKeyConstraint(
            ["saved_by_id"],
            ["practitioner.id"],
            name=op.f("fk_chart_version_saved_by_id_practitioner"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chart_version")),
        sa.UniqueConstraint(
            "chart_id", "version_no", name=op.f("uq_chart_version_chart_id_version_no")
        ),
        sa.UniqueConstraint("parent_id", name=op.f("uq_chart_version_parent_id")),
    )
    with op.batch_alter_table("chart_version", schema=None) as batch_op:
        batch_op.create_index(
            "ix_chart_version_chart_saved", ["chart_id", "version_no"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_chart_version_content_hash"), ["content_hash"], unique=False
        )

    _seed_catalogue()


def _seed_catalogue() -> None:
    # The seed is frozen here: later catalogue changes come as their own migrations.
    view = sa.table(
        "view",
        sa.column("id", sa.Integer),
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("instruction", sa.Text),
        sa.column("builtin", sa.Boolean),
        sa.column("active", sa.Boolean),
        sa.column("sort_order", sa.Integer),
    )
    # No explicit ids: PostgreSQL's sequences must stay in step for clinic-defined rows.
    op.bulk_insert(
        view,
        [
            {
                "code": seed.code,
                "name": seed.name,
                "instruction": seed.instruction,
                "builtin": True,
                "active": True,
                "sort_order": (n + 1) * 10,
            }
            for n, seed in enumerate(BUILTIN_VIEWS)
        ],
    )
    conn = op.get_bind()
    view_ids = dict(conn.execute(sa.select(view.c.code, view.c.id)).all())
    protocol = sa.table(
        "protocol",
        sa.column("id", sa.Integer),
        sa.column("treatment_type", sa.String),
        sa.column("name", sa.String),
    )
    step = sa.table(
        "protocol_step",
        sa.column("protocol_id", sa.Integer),
        sa.column("position", sa.Integer),
        sa.column("view_id", sa.Integer),
    )
    protocols = list(BUILTIN_PROTOCOLS.items())
    op.bulk_insert(
        protocol,
        [{"treatment_type": t.value, "name": f"{t.label} photos"} for t, _ in protocols],
    )
    protocol_ids = dict(conn.execute(sa.select(protocol.c.treatment_type, protocol.c.id)).all())
    op.bulk_insert(
        step,
        [
            {"protocol_id": protocol_ids[t.value], "position": pos, "view_id": view_ids[code]}
            for t, codes in protocols
            for pos, code in enumerate(codes)
        ],
    )
    product = sa.table(
        "product",
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("generic_name", sa.String),
        sa.column("kind", sa.String),
        sa.column("unit_label", sa.String),
        sa.column("builtin", sa.Boolean),
        sa.column("active", sa.Boolean),
    )
    op.bulk_insert(
        product,
        [
            {
                "code": p.code,
                "name": p.brand,
                "generic_name": p.generic,
                "kind": "neurotoxin",
                "unit_label": "U",
                "builtin": True,
                "active": True,
            }
            for p in BUILTIN_TOXINS
        ],
    )


def downgrade() -> None:
    raise NotImplementedError("FaceChart never migrates a clinical database backwards")
