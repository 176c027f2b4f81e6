"""SQLite's write-ahead log is copied back by the app's checkpoint thread, not inside commits."""

from __future__ import annotations

import threading
from pathlib import Path

from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine, text

from streetlight.db.checkpoint import Checkpointer, manual_checkpoints
from streetlight.db.engine import make_engine

MIB = 1 << 20


def _write(engine: Engine, transactions: int, after_each: Checkpointer | None = None) -> int:
    """Commit `transactions` of 1 MiB each; the log's size in bytes afterwards."""
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS blobs (b BLOB)"))
    for _ in range(transactions):
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO blobs VALUES (randomblob(:n))"), {"n": MIB})
        if after_each is not None:
            after_each.checkpoint()
    wal = Path(f"{engine.url.database}-wal")
    return wal.stat().st_size if wal.exists() else 0


def test_without_automatic_checkpoints_the_checkpointer_keeps_the_log_short(
    tmp_path: Path,
) -> None:
    automatic = make_engine(f"sqlite:///{tmp_path / 'automatic.db'}")
    unchecked = make_engine(f"sqlite:///{tmp_path / 'unchecked.db'}")
    manual_checkpoints(unchecked)
    manual = make_engine(f"sqlite:///{tmp_path / 'manual.db'}")
    manual_checkpoints(manual)
    checkpointer = Checkpointer(manual)
    # 12 MiB through each: SQLite's own checkpoint restarts its log at about 4 MiB (1,000
    # pages); with it off, nothing does unless the checkpointer runs.
    sizes = {
        "automatic": _write(automatic, 12),
        "unchecked": _write(unchecked, 12),
        "manual": _write(manual, 12, after_each=checkpointer),
    }
    assert sizes["unchecked"] > 11 * MIB
    assert sizes["manual"] < 3 * MIB and sizes["automatic"] < 6 * MIB, sizes
    assert checkpointer.runs == 12
    for engine in (automatic, unchecked, manual):
        engine.dispose()


def test_the_checkpoint_thread_lives_as_long_as_the_app(tmp_path: Path) -> None:
    from streetlight.db.migrate import upgrade
    from streetlight.web.app import create_app
    from streetlight.web.core.settings import Settings

    url = f"sqlite:///{tmp_path / 'app.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()

    def running() -> bool:
        return any(t.name == "wal-checkpoint" for t in threading.enumerate())

    app = create_app(Settings(store=tmp_path, database_url=url, secret_key=SecretStr("k" * 40)))
    assert not running()
    with TestClient(app) as client:
        assert running()
        assert client.get("/api/v1/health").status_code == 200
    assert not running()
