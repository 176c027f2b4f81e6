"""Engines and sessions that behave the same on SQLite (the embedded default) and PostgreSQL.

SQLite is set up for a web app with a few processes: write-ahead log (readers never block the
writer), foreign keys enforced (off by default in SQLite), a busy timeout instead of an instant
"database is locked", and `BEGIN IMMEDIATE` so that a transaction that reads and then writes takes
the write lock up front: with the driver's deferred BEGIN a concurrent commit in between makes the
write fail at once, whatever the busy timeout (SQLAlchemy's documented pysqlite recipe).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db.errors import DatabaseUrlError

SQLITE_FILE_NAME = "streetlight.db"
BUSY_TIMEOUT_MS = 5_000
PG_CONNECT_TIMEOUT_S = 5


def sqlite_url(data_dir: Path) -> str:
    """The embedded database's URL: `streetlight.db` in the data folder."""
    return f"sqlite:///{(data_dir / SQLITE_FILE_NAME).resolve()}"


def display_url(url: str) -> str:
    """A URL fit to print: the password hidden."""
    return make_url(url).render_as_string(hide_password=True)


def make_engine(url: str, *, echo: bool = False, deadline: float | None = None) -> Engine:
    """An engine for `url`: `sqlite:///FILE` or `postgresql+psycopg://...` (psycopg 3).

    A SQLite file's folder is created when missing; other back ends are refused with a message
    that names the two supported ones.

    `deadline` (seconds), PostgreSQL only: every statement on this engine's connections is cut
    off after it (`statement_timeout`, set as each connection opens, so it costs no round trip
    per transaction), and connections are not pinged when taken from the pool. For work that
    must answer within a deadline and can be run again when a connection has dropped (its
    first statement then fails, and the pool is refilled). SQLite's equivalent is the busy
    timeout, which every engine has.
    """
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:"):
            raise DatabaseUrlError(f"{url}: give SQLite a file (sqlite:///path/to/streetlight.db)")
        Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, echo=echo, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        _tune_sqlite(engine)
        return engine
    if backend == "postgresql":
        if parsed.get_driver_name() != "psycopg":
            parsed = parsed.set(drivername="postgresql+psycopg")
        connect_args: dict[str, object] = {"connect_timeout": PG_CONNECT_TIMEOUT_S}
        if deadline is not None:
            connect_args["options"] = f"-c statement_timeout={max(1, int(deadline * 1000))}"
        return create_engine(
            parsed, echo=echo, pool_pre_ping=deadline is None, connect_args=connect_args
        )
    raise DatabaseUrlError(
        f"{parsed.render_as_string(hide_password=True)}: unsupported database; use "
        "sqlite:///FILE or postgresql+psycopg://USER@HOST/NAME"
    )


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Hand transaction control to SQLAlchemy (the "begin" hook below), then set the pragmas.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")  # durable across app crashes in WAL mode
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (pages render after the commit)."""
    return sessionmaker(engine, expire_on_commit=False)


def lock_for_append(session: Session, key: int) -> None:
    """Serialise writers of an append-only sequence (the audit chain) within this transaction.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: nothing to do, `BEGIN IMMEDIATE`
    already holds the database's single write lock.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.connection().exec_driver_sql(f"SELECT pg_advisory_xact_lock({int(key)})")
