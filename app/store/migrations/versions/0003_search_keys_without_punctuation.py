"""Search keys for names written with inner punctuation: O'Brien is found by "obrien",
Anne-Marie by "annemarie" (issue 9). New and renamed patients get them from the service; this
adds them, with their one- and two-letter prefix keys, to the patients already stored.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

from app.domain.names import fold  # case and accent folding, unchanged since 0001

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

PREFIX_KEYS = 2  # as in 0002
_WORD = re.compile(r"\w+")
_JOINED = re.compile(r"\w+(?:[-'’‘`ʼ.]+\w+)+")  # as app.domain.names when this was written
_MARKS = ("-", "'", "’", "‘", "`", "ʼ", ".")


def _joined_keys(*texts: str | None) -> set[str]:
    words = {"".join(_WORD.findall(run)) for t in texts if t for run in _JOINED.findall(fold(t))}
    return words | {w[:n] for w in words for n in range(1, PREFIX_KEYS + 1) if len(w) > n}


def upgrade() -> None:
    bind = op.get_bind()
    patient = sa.table(
        "patient",
        sa.column("id", sa.Integer),
        sa.column("given_name", sa.String),
        sa.column("family_name", sa.String),
        sa.column("record_number", sa.String),
    )
    c = patient.c
    marked = sa.or_(
        *(col.contains(m) for col in (c.given_name, c.family_name, c.record_number) for m in _MARKS)
    )
    patients = bind.execute(
        sa.select(c.id, c.given_name, c.family_name, c.record_number).where(marked)
    ).all()
    key = sa.table(
        "patient_search_token",
        sa.column("token"),
        sa.column("patient_id"),
        sa.column("family_name"),
        sa.column("given_name"),
    )
    for pid, given, family, number in patients:
        have = set(bind.execute(sa.select(key.c.token).where(key.c.patient_id == pid)).scalars())
        new = sorted(_joined_keys(given, family, number) - have)
        if new:
            bind.execute(
                key.insert(),
                [
                    {"token": t, "patient_id": pid, "family_name": family, "given_name": given}
                    for t in new
                ],
            )


def downgrade() -> None:
    pass  # extra keys find more, never less: an older FaceChart reads them as it reads any
