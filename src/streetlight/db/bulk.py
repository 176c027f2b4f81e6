"""Many rows into several PostgreSQL tables in one statement and one round trip (and many rows'
updates in one statement).

SQLAlchemy sends a batch insert as one statement per table, each a round trip, and builds a
`VALUES (...), (...)` text whose length grows with the batch (the driver parses it afresh each
time). `UnnestInsert` instead sends one array per column and inserts `unnest(...)` of them: the
text does not depend on the number of rows, so it is parsed and planned once, and the arrays go
in binary (for the driver, a seventh of the work of text arrays). `insert_together`
joins several such inserts in one statement (data-modifying `WITH` clauses), for a writer whose
round trips are spent holding a lock that every other writer waits for (a batch of public checks).

PostgreSQL only; other databases take the plain executemany.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property

import psycopg
from psycopg import sql
from sqlalchemy import Table
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

_DIALECT = postgresql.dialect()  # type: ignore[no-untyped-call]


@dataclass(frozen=True)
class UnnestInsert:
    """`INSERT INTO table (columns) SELECT ... FROM unnest(one array per column)`, rows in the
    order given (so a serial id follows that order). A column a row leaves out takes the
    column's scalar Python default, as SQLAlchemy's own insert would. `on_conflict`: an
    `ON CONFLICT ...` clause to end the statement with (an upsert of counters, say)."""

    table: Table
    columns: tuple[str, ...]
    on_conflict: str = ""

    @cached_property
    def sql(self) -> str:
        names = ", ".join(self.columns)
        arrays = ", ".join(
            f"CAST(%({self._param(name)})b AS {self.table.c[name].type.compile(_DIALECT)}[])"
            for name in self.columns
        )
        return (
            f"INSERT INTO {self.table.name} ({names}) SELECT {names} "
            f"FROM unnest({arrays}) WITH ORDINALITY AS given({names}, n) ORDER BY n"
            + (f" {self.on_conflict}" if self.on_conflict else "")
        )

    def params(self, rows: Sequence[Mapping[str, object]]) -> dict[str, list[object]]:
        """One list per column; enum members as their values (the columns store the values)."""
        return {
            self._param(name): [_plain(row.get(name, default)) for row in rows]
            for name, default in self._defaults.items()
        }

    @cached_property
    def _defaults(self) -> dict[str, object]:
        defaults: dict[str, object] = {}
        for name in self.columns:
            default = self.table.c[name].default
            defaults[name] = getattr(default, "arg", None) if default is not None else None
            if callable(defaults[name]):
                raise ValueError(f"{self.table.name}.{name}: only scalar defaults can be filled")
        return defaults

    def _param(self, column: str) -> str:
        return f"{self.table.name}__{column}"


@dataclass(frozen=True)
class UnnestUpdate:
    """`UPDATE table SET column = given.column, ... FROM unnest(one array per column) AS given
    WHERE table.key = given.key`: many rows, each its own values, in one statement whose text
    does not depend on the number of rows (as `UnnestInsert`). Every row gives `key` and every
    column."""

    table: Table
    columns: tuple[str, ...]
    key: str = "id"

    @cached_property
    def sql(self) -> str:
        names = (self.key, *self.columns)
        arrays = ", ".join(
            f"CAST(%({self._param(name)})b AS {self.table.c[name].type.compile(_DIALECT)}[])"
            for name in names
        )
        sets = ", ".join(f"{name} = given.{name}" for name in self.columns)
        return (
            f"UPDATE {self.table.name} SET {sets} FROM unnest({arrays}) "
            f"AS given({', '.join(names)}) WHERE {self.table.name}.{self.key} = given.{self.key}"
        )

    def params(self, rows: Sequence[Mapping[str, object]]) -> dict[str, list[object]]:
        return {
            self._param(name): [_plain(row[name]) for row in rows]
            for name in (self.key, *self.columns)
        }

    def _param(self, column: str) -> str:
        return f"{self.table.name}__{column}"


@contextmanager
def copy_into(
    session: Session, table: Table, columns: Sequence[str]
) -> Iterator[Callable[[Sequence[object]], None]]:
    """`COPY table (columns) FROM STDIN` in the session's transaction: yields a function that
    sends one row (values in `columns`' order), for bulk loads (an import of thousands of rows).
    Rows stream to the server as they are made, not held as arrays, and the server parses no
    statement per batch; in PostgreSQL's binary format, so that neither side formats or parses
    text (times above all). Values go as the driver adapts them: enumerations as their text
    (not enum members), datetimes aware. The connection runs nothing else until the block
    ends."""
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
        sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    driver = session.connection().connection.driver_connection
    if not isinstance(driver, psycopg.Connection):
        raise TypeError("copy_into needs a PostgreSQL (psycopg) session")
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        copy.set_types([_binary_type(table, c) for c in columns])
        yield copy.write_row


# PostgreSQL type names for binary COPY, by the type's compiled name without its length.
_BINARY_TYPES = {
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "DOUBLE PRECISION": "float8",
    "BOOLEAN": "bool",
    "DATE": "date",
    "INTEGER": "int4",
    "BIGINT": "int8",
    "SMALLINT": "int2",
    "TEXT": "text",
    "VARCHAR": "varchar",
    "BYTEA": "bytea",
}


def _binary_type(table: Table, column: str) -> str:
    compiled = table.c[column].type.compile(_DIALECT)
    return _BINARY_TYPES[compiled.split("(")[0]]


def insert_together(
    session: Session, inserts: Sequence[tuple[UnnestInsert, Sequence[Mapping[str, object]]]]
) -> None:
    """Run every insert, each with its rows, as one statement (empty row lists insert nothing).
    The tables must not depend on one another's new rows: all parts see the same snapshot."""
    *first, last = [insert.sql for insert, _ in inserts]
    sql = "".join(
        [
            "WITH " if first else "",
            ", ".join(f"part{i} AS ({part})" for i, part in enumerate(first)),
            " " if first else "",
            last,
        ]
    )
    params: dict[str, list[object]] = {}
    for insert, rows in inserts:
        params.update(insert.params(rows))
    session.connection().exec_driver_sql(sql, params)


def _plain(value: object) -> object:
    return value.value if isinstance(value, enum.Enum) else value
