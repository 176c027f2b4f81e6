"""The declarative base: one metadata with a naming convention, so Alembic names constraints the
same way on SQLite and PostgreSQL (and can drop them later)."""

from __future__ import annotations

from sqlalchemy import MetaData, Table
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every operational table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def table_of(model: type[Base]) -> Table:
    """`model`'s Core table, for statements built once and run often (a public check's inserts):
    they skip the ORM's per-statement work, which costs more than the SQL itself there."""
    table = model.__table__
    assert isinstance(table, Table)
    return table
