"""What the load benchmarks share: the real app served by uvicorn in its own process on a free
loopback port, its environment, and a throwaway PostgreSQL server (the tests' own, without fsync
unless asked for `durable`: say which in the figures).

The app runs in other processes, not in the benchmark's, so the client's CPU does not count
against the server's (`--workers` and the HTTP protocol as `streetlight serve` runs them: without
the latter, each response on a kept-alive connection waited about 40 ms for a delayed ACK, and a
bare endpoint topped out at 16 connections / 44 ms = 360 requests/s).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import httpx2

if TYPE_CHECKING:
    from tests.db.postgres import Cluster

REPO = Path(__file__).resolve().parents[1]
SECRET = "bench-secret-key-0123456789-abcdefghijklmnop"
APP = ("streetlight.web.app:create_app", "--factory")
START_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def app_env(
    store: Path, database_url: str | None, src: Path | None = None, **settings: str
) -> dict[str, str]:
    """This process's environment without its STREETLIGHT_* settings, plus the app's: the bench
    secret, `store`, `database_url` (None: the default), 127.0.0.1 as a trusted proxy (the
    clients stand in for a load balancer there, and name each request's client in
    X-Forwarded-For) and `settings` (full variable names).
    `src`: serve the `streetlight` package found there (an earlier commit's `src/`, to compare
    side by side) instead of the installed one."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREETLIGHT_")}
    path = f"{src}:{REPO}" if src is not None else str(REPO)
    env.update(STREETLIGHT_SECRET_KEY=SECRET, STREETLIGHT_STORE=str(store), PYTHONPATH=path)
    env["STREETLIGHT_FORWARDED_ALLOW_IPS"] = "127.0.0.1"
    if database_url:
        env["STREETLIGHT_DATABASE_URL"] = database_url
    env.update(settings)
    return env


@contextmanager
def served(
    target: Sequence[str],
    env: Mapping[str, str],
    workers: int,
    *,
    ready: Callable[[str], object],
    log: Path | None = None,
) -> Iterator[str]:
    """`uvicorn <target>` with `env` and `workers` on a free port; yields its base URL once
    `ready(base)` gets an answer (a transport error means not yet, for up to a minute), and stops
    it afterwards. Its stderr goes to `log` (a temporary file when None)."""
    port = free_port()
    command = [
        sys.executable, "-m", "uvicorn", *target, "--host", "127.0.0.1", "--port", str(port),
        "--workers", str(workers), "--log-level", "warning", "--no-access-log",
        "--http", "streetlight.web.server:HttpProtocol",  # as `streetlight serve`: no Nagle delay
        "--no-proxy-headers",  # as `streetlight serve`: the app decides whom to believe
    ]  # fmt: skip
    log = log or Path(tempfile.mkdtemp()) / "server.log"
    process = subprocess.Popen(command, env=dict(env), cwd=REPO, stderr=log.open("w"))
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                ready(base)
                break
            except httpx2.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"the server did not start: {log.read_text()}") from None
                time.sleep(0.2)
        time.sleep(1.0 if workers > 1 else 0.2)  # let every worker come up
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def postgres_cluster(*, durable: bool = False) -> Iterator[Cluster]:
    """The tests' throwaway PostgreSQL server, stopped afterwards; `durable`: with fsync and
    synchronous commit, as in production (the tests' cluster runs without)."""
    from tests.db.postgres import start_cluster  # here: it imports pytest, which SQLite runs skip

    cluster = start_cluster(durable=durable)
    try:
        yield cluster
    finally:
        cluster.stop()
