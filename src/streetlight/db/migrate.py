"""Apply the Alembic migrations shipped inside the package.

The scripts live in `streetlight/db/migrations/`, so an installed Streetlight (no repository, no
`alembic.ini`) can still bring any SQLite or PostgreSQL database to the current schema:
`streetlight serve` calls `upgrade` before it answers a request, and `streetlight db upgrade` does
it alone.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from streetlight.db.engine import display_url, make_engine
from streetlight.db.errors import DatabaseUnreachableError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    """An in-memory Alembic configuration pointing at the packaged scripts."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database to `revision` (the newest by default), in one transaction."""
    _run(engine, revision, up=True)


def open_database(url: str) -> Engine:
    """An engine on `url`, migrated to the current schema; a one-line error when unreachable."""
    engine = make_engine(url)
    try:
        upgrade(engine)
    except OperationalError as exc:
        engine.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "cannot connect"
        raise DatabaseUnreachableError(f"{display_url(url)}: {reason}") from None
    return engine


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Migrate down to `revision` (empty by default): for tests and careful rollbacks only."""
    _run(engine, revision, up=False)


def _run(engine: Engine, revision: str, *, up: bool) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        if up:
            command.upgrade(config, revision)
        else:
            command.downgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest revision shipped with this version of Streetlight."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
