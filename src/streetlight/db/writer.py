"""One SQLite writer at a time, queued in the operating system rather than in SQLite.

SQLite has a single write lock, and a writer that finds it taken waits in SQLite's busy handler,
which sleeps (1, 2, 5, 10 ... up to 100 ms) and tries again: with two app processes writing short
transactions, most of the time goes to sleeping while the lock is free, and throughput falls below
one process's. Writers that take this lock first queue in `flock` instead, which wakes the next
one the moment the last lets go. A thread lock in front keeps a process's own threads from racing
for the one open file. Writers that do not take it (a command-line import, say) still meet the
busy timeout as before, so taking it is an optimisation and never needed for correctness.
"""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path
from types import TracebackType

from sqlalchemy import Engine


class WriterLock:
    """A context manager: this process's thread lock, then the exclusive lock on `path`."""

    def __init__(self, path: Path | None) -> None:
        self._thread = threading.Lock()
        self._path = path
        self._fd: int | None = None

    def __enter__(self) -> WriterLock:
        self._thread.acquire()
        try:
            if self._path is not None:
                if self._fd is None:
                    self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
                fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._thread.release()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._thread.release()


def writer_lock(engine: Engine) -> WriterLock | None:
    """The writer lock for a SQLite file database (beside it, `<file>.writer`); None for other
    databases, whose writers do not queue on one lock."""
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    in_memory = not database or database == ":memory:" or database.startswith("file::memory:")
    return WriterLock(None if in_memory else Path(f"{database}.writer"))
