"""Alembic environment: runs on the connection `streetlight.db.migrate` passes in.

There is no `alembic.ini` and no URL here on purpose: the caller decides the database, and the
same scripts serve SQLite and PostgreSQL.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from streetlight.db.models import Base

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError(
        "run migrations through streetlight.db.migrate (or `streetlight db upgrade`)"
    )

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite cannot ALTER most things: batch mode copies the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
