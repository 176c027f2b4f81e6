"""`streetlight serve` in its own process: migrates a fresh database, then answers."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx2

from streetlight.db.migrate import head_revision
from tests.web.browser import free_port

START_TIMEOUT_S = 30


def test_serve_migrates_and_answers(empty_database_url: str, tmp_path: Path) -> None:
    port = free_port()
    command = [
        sys.executable, "-m", "streetlight", "serve",
        "--store", str(tmp_path / "data"), "--database", empty_database_url, "--port", str(port),
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREETLIGHT_")}
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            assert server.poll() is None, server.communicate()[0]
            try:
                response = httpx2.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2)
                break
            except httpx2.TransportError:
                assert time.monotonic() < deadline, "serve did not start"
                time.sleep(0.1)
        assert response.status_code == 200 and response.json()["database"] == "ok"
        home = httpx2.get(f"http://127.0.0.1:{port}/?lang=fr", timeout=5)
        assert "Des rues plus sûres" in home.text
        assert home.headers["content-security-policy"].startswith("default-src 'self'")
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0]
    assert f"at revision {head_revision()}" in output
    assert (tmp_path / "data" / "secret.key").exists()  # development key, kept beside the data
