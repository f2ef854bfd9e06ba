"""Alembic environment: runs on the connection `open_store` hands over (no alembic.ini)."""

from __future__ import annotations

from alembic import context

from app.store.schema import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("FaceChart migrations run through app.store.database.open_store")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies tables
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
