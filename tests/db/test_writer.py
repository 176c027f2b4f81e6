"""SQLite writers queue on one operating-system lock across app processes."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from streetlight.db.writer import WriterLock, writer_lock

HOLDER = """
import sys
from pathlib import Path
from streetlight.db.writer import WriterLock
with WriterLock(Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.readline()
print("released", flush=True)
"""


def _free(path: Path) -> bool:
    """Whether another open file could take the lock at once."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # closing drops a lock taken here
    return True


def test_another_process_holds_the_lock_until_it_lets_go(tmp_path: Path) -> None:
    path = tmp_path / "streetlight.db.writer"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdin is not None and holder.stdout is not None
    try:
        assert holder.stdout.readline().strip() == "held"
        assert not _free(path)
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "released"
        assert _free(path)
    finally:
        holder.kill()
        holder.wait()


def test_the_lock_can_be_taken_again_after_each_use(tmp_path: Path) -> None:
    lock = WriterLock(tmp_path / "w")
    for _ in range(3):  # the same file stays open and is locked and unlocked each time
        with lock:
            assert not _free(tmp_path / "w")
        assert _free(tmp_path / "w")


def test_a_failed_file_lock_releases_the_thread_lock(tmp_path: Path) -> None:
    lock = WriterLock(tmp_path / "missing-folder" / "w")
    with pytest.raises(FileNotFoundError), lock:
        pass
    with pytest.raises(FileNotFoundError), lock:  # not deadlocked on its own thread lock
        pass


def test_which_databases_get_a_file_lock(tmp_path: Path) -> None:
    on_file = writer_lock(create_engine(f"sqlite:///{tmp_path / 'streetlight.db'}"))
    assert on_file is not None
    with on_file:
        assert (tmp_path / "streetlight.db.writer").exists()
    in_memory = writer_lock(create_engine("sqlite://"))
    assert in_memory is not None
    with in_memory:
        pass  # a thread lock only: no file to share with other processes
    assert writer_lock(create_engine("postgresql+psycopg://u@localhost/db")) is None
