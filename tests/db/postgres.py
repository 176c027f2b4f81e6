"""A throwaway PostgreSQL server for the tests, from the machine's own binaries.

`initdb` makes a cluster in a fresh temporary folder (trust authentication, nothing written to
disk synchronously), `pg_ctl` starts it on a free loopback port with its Unix socket in that folder,
and `stop()` shuts it down and deletes the folder. PostgreSQL refuses to run as root, so as root
(as CI runs) both commands run as the `postgres` system user (made by Debian's postgresql
package) through `runuser`, with the folder handed to that user.

Missing binaries fail the test run with the fix, never a silent skip: `./run test` installs
them (`apt-get install postgresql`).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

SEARCH = (Path("/usr/lib/postgresql"), Path("/usr/local/pgsql"))
SYSTEM_USER = "postgres"
TIMEOUT_S = 120
# Durability off: a test cluster is thrown away, and fsync makes it several times slower.
FAST = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"


def find_binaries() -> Path | None:
    """The folder holding `initdb`, `pg_ctl` and `postgres`: from PATH, else the newest
    `/usr/lib/postgresql/N/bin`."""
    on_path = shutil.which("pg_ctl")
    candidates = [Path(on_path).resolve().parent] if on_path else []
    for root in SEARCH:
        versions = sorted(
            root.glob("*/bin"), key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0
        )
        candidates += reversed(versions)
        candidates.append(root / "bin")
    for folder in candidates:
        if all((folder / name).is_file() for name in ("initdb", "pg_ctl", "postgres")):
            return folder
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _fail(message: str) -> None:
    pytest.fail(message, pytrace=False)


@dataclass
class Cluster:
    """A running server; `url(name)` gives SQLAlchemy URLs, `admin()` a superuser connection."""

    root: Path
    bin: Path
    port: int
    run_as: tuple[str, ...]

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{SYSTEM_USER}@127.0.0.1:{self.port}/{database}"

    def dsn(self, database: str) -> str:
        return f"host=127.0.0.1 port={self.port} user={SYSTEM_USER} dbname={database}"

    @contextlib.contextmanager
    def admin(self) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
        connection = psycopg.connect(self.dsn("postgres"), autocommit=True)
        try:
            yield connection
        finally:
            connection.close()

    def create_database(self, template: str | None = None) -> str:
        """A new empty database (or a copy of `template`); returns its name."""
        name = f"t_{uuid.uuid4().hex[:16]}"
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        with self.admin() as connection:
            connection.execute(statement)
        return name

    def drop_database(self, name: str) -> None:
        with self.admin() as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def _run(self, *command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.run_as, *command],
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )

    def stop(self) -> None:
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.root / "data"), "-m", "fast", "-w", "stop"
        )
        shutil.rmtree(self.root, ignore_errors=True)


def start_cluster(*, durable: bool = False) -> Cluster:
    """Create and start a cluster; fails the test run with the reason when it cannot.
    `durable`: with PostgreSQL's own fsync and synchronous commit (for benchmarks)."""
    binaries = find_binaries()
    if binaries is None:
        _fail(
            "PostgreSQL server binaries (initdb, pg_ctl) not found: the database tests run on "
            "PostgreSQL too and are never skipped. `./run test` installs them "
            "(apt-get install postgresql); or install them yourself and run pytest again."
        )
        raise AssertionError("unreachable")
    root = Path(tempfile.mkdtemp(prefix="streetlight-pg-"))
    run_as: tuple[str, ...] = ()
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam(SYSTEM_USER)
        except KeyError:
            shutil.rmtree(root, ignore_errors=True)
            _fail(
                f"running as root, and there is no {SYSTEM_USER!r} user to run PostgreSQL as "
                "(initdb refuses root): apt-get install postgresql creates it"
            )
            raise AssertionError("unreachable") from None
        os.chown(root, user.pw_uid, user.pw_gid)
        run_as = ("runuser", "-u", SYSTEM_USER, "--")
    cluster = Cluster(root=root, bin=binaries, port=free_port(), run_as=run_as)
    data, socket_dir, log = root / "data", root / "socket", root / "server.log"
    initdb = cluster._run(
        str(binaries / "initdb"),
        "-D", str(data),
        "-U", SYSTEM_USER,
        "-A", "trust",
        "-E", "UTF8",
        "--locale=C",
        "--no-sync",
    )  # fmt: skip
    if initdb.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        _fail(f"initdb failed ({initdb.returncode}):\n{initdb.stderr[-2000:]}")
    cluster._run("mkdir", "-p", str(socket_dir))
    settings = "-c max_connections=200" if durable else FAST
    options = f"-p {cluster.port} -k {socket_dir} -c listen_addresses=127.0.0.1 {settings}"
    started = cluster._run(
        str(binaries / "pg_ctl"),
        "-D",
        str(data),
        "-l",
        str(log),
        "-o",
        options,
        "-w",
        "-t",
        "60",
        "start",
    )
    if started.returncode != 0:
        server_log = log.read_text() if log.exists() else ""
        cluster.stop()
        _fail(
            f"pg_ctl start failed ({started.returncode}):\n{started.stderr}\n{server_log[-2000:]}"
        )
    return cluster
