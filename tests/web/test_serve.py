"""`streetlight serve` in its own process: migrates a fresh database, then answers; with
`--workers 2`, two app processes answer, and their access log has no client address."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2

from streetlight.db.migrate import head_revision
from tests.web.browser import free_port

START_TIMEOUT_S = 60


@contextmanager
def _serving(*options: str) -> Iterator[tuple[str, list[str]]]:
    """`streetlight serve OPTIONS` on a free port, without the tests' STREETLIGHT_* settings;
    yields its base URL once healthy, and a list that holds its output after it stops."""
    port = free_port()
    command = [sys.executable, "-m", "streetlight", "serve", *options, "--port", str(port)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREETLIGHT_")}
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    base = f"http://127.0.0.1:{port}"
    output: list[str] = []
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            assert server.poll() is None, server.communicate()[0]
            try:
                health = httpx2.get(f"{base}/api/v1/health", timeout=2)
                break
            except httpx2.TransportError:
                assert time.monotonic() < deadline, "serve did not start"
                time.sleep(0.1)
        assert health.status_code == 200 and health.json()["database"] == "ok"
        yield base, output
    finally:
        server.terminate()
        output.append(server.communicate(timeout=30)[0])


def test_serve_migrates_and_answers(empty_database_url: str, tmp_path: Path) -> None:
    store = tmp_path / "data"
    with _serving("--store", str(store), "--database", empty_database_url) as (base, output):
        home = httpx2.get(f"{base}/?lang=fr", timeout=5)
        assert "Des rues plus sûres" in home.text
        assert home.headers["content-security-policy"].startswith("default-src 'self'")
    assert f"at revision {head_revision()}" in output[0]
    assert (store / "secret.key").exists()  # development key, kept beside the data


def test_serve_with_two_workers(tmp_path: Path) -> None:
    store = tmp_path / "data"
    served = _serving("--store", str(store), "--workers", "2")
    with served as (base, output), httpx2.Client(base_url=base) as client:
        for _ in range(20):
            assert client.get("/verify?lang=fr").status_code == 200
    log = output[0]
    assert len(set(re.findall(r"Started server process \[(\d+)\]", log))) == 2
    access = [line for line in log.splitlines() if '"GET /verify?lang=fr' in line]
    assert len(access) == 20
    assert "127.0.0.1" not in "\n".join(access)  # the filter is in both workers
    assert (store / "streetlight.db").exists() and (store / "secret.key").exists()


LOOKUPS_PER_HOUR = 20  # the default limit on unknown receipt codes per client


def _lookups_refused(base: str) -> int:
    """Unknown receipt codes sent one more time than a client may, each with a new
    X-Forwarded-For; how many were refused as too many."""
    with httpx2.Client(base_url=base, timeout=10) as client:
        answers = [
            client.post(
                "/api/v1/reports/status",
                json={"receipt": "R7KX-94QM-2HFA-8ZCW"},
                headers={"x-forwarded-for": f"198.51.100.{k + 1}"},
            ).status_code
            for k in range(LOOKUPS_PER_HOUR + 1)
        ]
    assert set(answers) <= {404, 429}
    return answers.count(429)


def test_serve_believes_forwarded_addresses_only_from_named_proxies(tmp_path: Path) -> None:
    with _serving("--store", str(tmp_path / "a")) as (base, _output):
        assert _lookups_refused(base) == 1  # a new X-Forwarded-For each time changes nothing
    trusted = ("--store", str(tmp_path / "b"), "--forwarded-allow-ips", "127.0.0.1")
    with _serving(*trusted) as (base, _output):
        assert _lookups_refused(base) == 0  # each forwarded address is its own client
