"""An import killed with SIGKILL half-way (offences, people and links written, the rest not)
leaves the database exactly as it was, on SQLite and on PostgreSQL, and the next import runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.bench_unit_import import write_extract as write_random_extract
from sqlalchemy.orm import Session, sessionmaker

from streetlight.unit.importer import count_rows, import_extract
from streetlight.unit.mapping import load_mapping
from tests.conftest import REPO, database_text
from tests.unit.extracts import base, write_extract

# Runs one import whose progress stalls before the fourth table (arrests), says so, and waits
# to be killed.
SCRIPT = """
import sys, time
from datetime import UTC, datetime
from pathlib import Path
from streetlight.db.engine import make_engine, session_factory
from streetlight.unit.importer import import_extract
from streetlight.unit.mapping import load_mapping

def stall(items, total):
    for i, item in enumerate(items):
        if i == 3:
            print("written: offences, people, links", flush=True)
            time.sleep(600)
        yield item

url, source, mapping = sys.argv[1:4]
engine = make_engine(url)
with session_factory(engine).begin() as session:
    import_extract(
        session, Path(source), load_mapping(mapping), actor="doomed", now=datetime.now(UTC),
        progress=stall,
    )
print("committed", flush=True)
"""


def test_an_import_killed_half_way_leaves_the_database_as_it_was(
    database_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    now = datetime(2026, 3, 14, 21, 30, tzinfo=UTC)
    mapping = write_extract(tmp_path / "small", base())
    with sessions.begin() as session:
        import_extract(session, tmp_path / "small", load_mapping(mapping), actor="tester", now=now)
    before = database_text(sessions)
    big = write_random_extract(tmp_path / "big", 3_000)
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, database_url, str(tmp_path / "big"), str(big)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.strip() == "written: offences, people, links", process.stderr
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait(timeout=60) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert database_text(sessions) == before
    # Nothing is left locked or half-done: the same extract imports in full now.
    with sessions.begin() as session:
        summary = import_extract(
            session, tmp_path / "big", load_mapping(big), actor="tester", now=now
        )
    assert not summary.already_imported
    with sessions() as session:
        stored = count_rows(session)
    assert stored["offences"] == 2 + 3_000 and stored["links"] > 4 + 6_000
