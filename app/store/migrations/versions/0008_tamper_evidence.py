"""Tamper evidence (issue #11, ADR 0025): the hashes of each photo's display and thumbnail
JPEGs (filled here for the photos already stored), the signed checkpoints with the record
hashes that changed at each, the installations' public keys, and this database's random
identity (the key of its checkpoints file outside the database).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import hashlib
import uuid

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("photo_blob") as batch_op:
        batch_op.add_column(sa.Column("display_sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("thumb_sha256", sa.String(length=64), nullable=True))
    _fill_image_hashes()
    op.create_table(
        "checkpoint",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("statement", sa.LargeBinary(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("key_kind", sa.String(length=16), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("practitioner_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["practitioner_id"],
            ["practitioner.id"],
            name=op.f("fk_checkpoint_practitioner_id_practitioner"),
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_checkpoint")),
    )
    op.create_table(
        "checkpoint_entry",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("value", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["seq"], ["checkpoint.seq"], name=op.f("fk_checkpoint_entry_seq_checkpoint")
        ),
        sa.PrimaryKeyConstraint("seq", "key", name=op.f("pk_checkpoint_entry")),
    )
    op.create_table(
        "installation_key",
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("fingerprint", name=op.f("pk_installation_key")),
    )
    setting = sa.table("setting", sa.column("key", sa.String), sa.column("value", sa.Text))
    op.get_bind().execute(sa.insert(setting).values(key="database_id", value=uuid.uuid4().hex))


def _fill_image_hashes() -> None:
    """One photo at a time: a clinic's display images together would not fit in memory."""
    conn = op.get_bind()
    blob = sa.table(
        "photo_blob",
        sa.column("sha256", sa.String),
        sa.column("display_jpeg", sa.LargeBinary),
        sa.column("thumb_jpeg", sa.LargeBinary),
        sa.column("display_sha256", sa.String),
        sa.column("thumb_sha256", sa.String),
    )
    shas = conn.execute(sa.select(blob.c.sha256)).scalars().all()
    for sha in shas:
        display, thumb = conn.execute(
            sa.select(blob.c.display_jpeg, blob.c.thumb_jpeg).where(blob.c.sha256 == sha)
        ).one()
        conn.execute(
            sa.update(blob)
            .where(blob.c.sha256 == sha)
            .values(
                display_sha256=hashlib.sha256(display or b"").hexdigest(),
                thumb_sha256=hashlib.sha256(thumb or b"").hexdigest(),
            )
        )


def downgrade() -> None:
    op.execute("DELETE FROM setting WHERE key = 'database_id'")
    op.drop_table("installation_key")
    op.drop_table("checkpoint_entry")
    op.drop_table("checkpoint")
    with op.batch_alter_table("photo_blob") as batch_op:
        batch_op.drop_column("thumb_sha256")
        batch_op.drop_column("display_sha256")
