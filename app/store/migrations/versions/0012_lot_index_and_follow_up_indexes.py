"""The lot index and the follow-up list's indexes (issue #14, ADR 0030): `lot_use`, one row per
product lot a chart version names, filled here for every version already saved (from its
content, by the function every later save uses); indexes on visits by date, by patient and
date, and by the visit a touch-up follows; chart versions by time saved. Saved versions and
their hashes are not touched.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

from app.domain.canonical import content_from_json
from app.store import chart_parts
from app.store.lot_index import index_rows
from app.store.schema import LotUse

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

BATCH = 500  # versions read per round: a large clinic migrates in bounded memory


def upgrade() -> None:
    op.create_table(
        "lot_use",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("chart_id", sa.Integer(), nullable=False),
        sa.Column("product", sa.String(length=64), nullable=False),
        sa.Column("lot", sa.Text(), nullable=False),
        sa.Column(
            "lot_key",
            sa.String(length=200).with_variant(sa.String(200, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("units", sa.String(length=20), nullable=True),
        sa.Column("point_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["chart_id"], ["chart.id"], name=op.f("fk_lot_use_chart_id_chart")),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["chart_version.id"],
            name=op.f("fk_lot_use_version_id_chart_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lot_use")),
    )
    op.create_index(
        "ix_lot_use_lot",
        "lot_use",
        ["lot_key", "version_id", "chart_id", "product", "lot", "kind", "units", "point_count"],
    )
    op.create_index(op.f("ix_lot_use_version_id"), "lot_use", ["version_id"])
    op.create_index(
        "ix_visit_date",
        "visit",
        [
            "visit_date",
            "treatment_type",
            "error_at",
            "touch_up_of_id",
            "patient_id",
            "practitioner_id",
        ],
    )
    op.create_index(
        "ix_visit_patient_date",
        "visit",
        ["patient_id", "visit_date", "treatment_type", "error_at", "touch_up_of_id"],
    )
    # ix_visit_patient_date begins with patient_id: the old single-column index only misled
    # the planner away from the covering one
    op.drop_index("ix_visit_patient_id", table_name="visit")
    op.create_index("ix_visit_touch_up_of", "visit", ["touch_up_of_id"])
    op.create_index("ix_chart_version_saved_at", "chart_version", ["saved_at"])
    _fill_lot_index()


def _fill_lot_index() -> None:
    conn = op.get_bind()
    session = Session(bind=conn)  # on the migration's connection: inside its transaction
    after = 0
    while True:
        batch = conn.execute(
            sa.text(
                "SELECT id, chart_id, manifest FROM chart_version WHERE id > :after "
                "ORDER BY id LIMIT :n"
            ),
            {"after": after, "n": BATCH},
        ).all()
        if not batch:
            return
        manifests = {vid: chart_parts.decode_manifest(raw) for vid, _chart, raw in batch}
        shas = {sha for m in manifests.values() for sha in chart_parts.manifest_shas(m)}
        parts = chart_parts.read_parts(session, shas)
        rows: list[dict[str, Any]] = []
        for vid, chart_id, _raw in batch:
            try:
                content = content_from_json(chart_parts.assemble(manifests[vid], parts))
            except (KeyError, ValueError, TypeError):
                continue  # a damaged version is `check`'s to report; the upgrade goes on
            rows += index_rows(vid, chart_id, content)
        if rows:
            session.execute(sa.insert(LotUse), rows)
        after = batch[-1][0]


def downgrade() -> None:
    op.drop_index("ix_chart_version_saved_at", table_name="chart_version")
    op.drop_index("ix_visit_touch_up_of", table_name="visit")
    op.drop_index("ix_visit_patient_date", table_name="visit")
    op.create_index("ix_visit_patient_id", "visit", ["patient_id"])
    op.drop_index("ix_visit_date", table_name="visit")
    op.drop_index(op.f("ix_lot_use_version_id"), table_name="lot_use")
    op.drop_index("ix_lot_use_lot", table_name="lot_use")
    op.drop_table("lot_use")
