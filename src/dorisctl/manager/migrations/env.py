"""Alembic environment: runs migrations on the connection the manager hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from dorisctl.manager.models import Base

connection: Connection | None = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only the manager runs migrations
    raise RuntimeError("migrations are run by the manager on start")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
