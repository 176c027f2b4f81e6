"""SQLite: copy the write-ahead log into the database from a background thread, not in a commit.

By default SQLite checkpoints inside the commit that takes the log past 1,000 pages, and that
commit waits for the copy and its fsync: under a steady load of public checks, about one batch
in seventy took over 10 ms, the tail of the verification latency. An app process instead turns
the automatic checkpoint off on its connections (`manual_checkpoints`) and runs a passive
checkpoint every `every` seconds on a thread of its own; a passive checkpoint waits for no reader
or writer, so no request waits for it. SQLite releases the GIL while it copies.

Other programs on the same file (the CLI) keep SQLite's automatic checkpoint, and the log is
checkpointed as usual when the last connection closes.
"""

from __future__ import annotations

import logging
import sqlite3
import threading

from sqlalchemy import Engine, event
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)


def manual_checkpoints(engine: Engine) -> None:
    """Turn off the automatic checkpoint on `engine`'s SQLite connections (a `Checkpointer`
    must run beside them, or the log grows without bound)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: object, _record: object) -> None:
        cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
        cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()


class Checkpointer:
    """Runs `PRAGMA wal_checkpoint(PASSIVE)` every `every` seconds until `stop`."""

    def __init__(self, engine: Engine, every: float = 1.0) -> None:
        self._engine = engine
        self._every = every
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)
        self.runs = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop after a last checkpoint, so that a clean shutdown leaves a short log."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while not self._stopping.wait(self._every):
            self.checkpoint()
        self.checkpoint()

    def checkpoint(self) -> None:
        # On the bare connection: through SQLAlchemy it would first BEGIN IMMEDIATE (this
        # app's transactions take the write lock), and a checkpoint needs no transaction.
        try:
            connection = self._engine.raw_connection()
            try:
                connection.cursor().execute("PRAGMA wal_checkpoint(PASSIVE)")
            finally:
                connection.close()
            self.runs += 1
        except (SQLAlchemyError, sqlite3.Error) as exc:  # busy or gone: the next run tries again
            log.warning("WAL checkpoint failed (%s)", type(exc).__name__)
