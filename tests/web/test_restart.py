"""Kill -9 the server in the middle of concurrent engagements, checks and chat messages, start it
again, and find every write it had acknowledged (a 2xx answer) in the database."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx2
import pyotp
from sqlalchemy import select

from streetlight.db.audit import verify_chain
from streetlight.db.engine import make_engine, session_factory
from streetlight.db.models import ChatMessage, Dress, Engagement, Role, Verification
from streetlight.staff.accounts import create_staff_user
from streetlight.verify.service import token_hash
from tests.web.browser import free_port
from tests.web.conftest import CHEAP_PASSWORDS, PASSWORD, SECRET_KEY, TOTP_KEY, Clock
from tests.web.journeys import CENTRE, put_on_duty

START_TIMEOUT_S = 30
LOAD_THREADS = 3  # of each kind: engagements, checks, chat messages


@contextmanager
def server(store: Path, port: int) -> Iterator[subprocess.Popen[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREETLIGHT_")}
    env["STREETLIGHT_SECRET_KEY"] = SECRET_KEY
    # The load comes from one address: lift the per-client limit for it.
    env["STREETLIGHT_VERIFY_FAILURES_PER_CLIENT"] = "1000000"
    process = subprocess.Popen(
        [sys.executable, "-m", "streetlight", "serve", "--store", str(store), "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            assert process.poll() is None, "the server exited"
            try:
                if (
                    httpx2.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2).status_code
                    == 200
                ):
                    break
            except httpx2.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=20)


def _officer_client(base: str, secret: str) -> tuple[httpx2.Client, str]:
    client = httpx2.Client(base_url=base, timeout=10)
    page = client.get("/signin")
    token = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', page.text)
    assert token
    form = {
        "csrf_token": token.group(1),
        "username": "dc1",
        "password": PASSWORD,
        "code": pyotp.TOTP(secret).now(),
    }
    assert client.post("/signin", data=form).status_code == 303
    officer = client.get("/officer")
    csrf = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', officer.text)
    assert csrf
    return client, csrf.group(1)


def test_a_killed_server_loses_no_acknowledged_write(sqlite_template: Path, tmp_path: Path) -> None:
    store = tmp_path / "data"
    store.mkdir()
    shutil.copyfile(sqlite_template, store / "streetlight.db")
    engine = make_engine(f"sqlite:///{store / 'streetlight.db'}")
    sessions = session_factory(engine)
    clock = Clock()
    clock.now = datetime.now(UTC)
    put_on_duty(sessions, clock, "DC1", dress=Dress.UNIFORM, at=CENTRE)
    with sessions.begin() as session:
        secret = create_staff_user(
            session, username="dc1", display_name="DC1", password=PASSWORD, role=Role.OFFICER,
            passwords=CHEAP_PASSWORDS, totp_key=TOTP_KEY, now=clock(), warrant_number="DC1",
        ).totp_secret  # fmt: skip

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    engagements: list[int] = []
    verified_tokens: list[str] = []
    messages: list[int] = []
    stop = threading.Event()
    lock = threading.Lock()

    with server(store, port) as process:
        officer, csrf = _officer_client(base, secret)
        first = officer.post(
            "/api/v1/engagements", json={"reason": "stop"},
            headers={"X-CSRF-Token": csrf, "Idempotency-Key": "first-engagement"},
        ).json()  # fmt: skip
        chat_token = httpx2.post(
            f"{base}/api/v1/verify", json={"warrant_number": "DC1", "code": first["code"]["code"]}
        ).json()["token"]
        cookies = officer.cookies

        def engagement_load(n: int) -> None:
            with httpx2.Client(base_url=base, timeout=5, cookies=cookies) as client:
                i = 0
                while not stop.is_set():
                    i += 1
                    response = client.post(
                        "/api/v1/engagements", json={"reason": "welfare", "note": f"load {n}/{i}"},
                        headers={"X-CSRF-Token": csrf, "Idempotency-Key": f"load-{n}-{i:06d}"},
                    )  # fmt: skip
                    if response.status_code in (200, 201):
                        body = response.json()
                        with lock:
                            engagements.append(body["engagement"]["id"])
                        check = httpx2.post(
                            f"{base}/api/v1/verify",
                            json={"warrant_number": "DC1", "code": body["code"]["code"]}, timeout=5,
                        )  # fmt: skip
                        if check.status_code == 200 and check.json()["verified"]:
                            with lock:
                                verified_tokens.append(check.json()["token"])

        def check_load(n: int) -> None:
            with httpx2.Client(base_url=base, timeout=5) as client:
                while not stop.is_set():
                    client.post(
                        "/api/v1/verify", json={"warrant_number": f"PC{n}", "code": "12345678"}
                    )

        def chat_load(n: int) -> None:
            with httpx2.Client(base_url=base, timeout=5) as client:
                i = 0
                while not stop.is_set():
                    i += 1
                    response = client.post(
                        "/api/v1/chat/messages", json={"body": f"message {n}/{i}", "client_id": f"c{n}-{i}"},
                        headers={"X-Verification-Token": chat_token},
                    )  # fmt: skip
                    if response.status_code == 201:
                        with lock:
                            messages.append(response.json()["id"])

        def guarded(work: Callable[[int], None], n: int) -> Callable[[], None]:
            def run() -> None:
                while not stop.is_set():
                    try:
                        work(n)
                    except httpx2.HTTPError:
                        time.sleep(0.01)  # the server is gone: keep trying until told to stop

            return run

        threads = [
            threading.Thread(target=guarded(work, n))
            for work in (engagement_load, check_load, chat_load)
            for n in range(LOAD_THREADS)
        ]
        for thread in threads:
            thread.start()
        # Load until enough writes are acknowledged (a busy machine is slow), then kill mid-load.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with lock:
                if len(engagements) > 10 and len(verified_tokens) > 5 and len(messages) > 10:
                    break
            time.sleep(0.1)
        os.kill(process.pid, signal.SIGKILL)  # mid-load, no warning
        process.wait(timeout=10)
        time.sleep(0.3)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        officer.close()

    assert len(engagements) > 10 and len(verified_tokens) > 5 and len(messages) > 10, (
        len(engagements), len(verified_tokens), len(messages),
    )  # fmt: skip
    # The restarted server starts on the same data.
    with server(store, free_port()), sessions() as session:
        stored_engagements = set(session.scalars(select(Engagement.id)).all())
        stored_tokens = set(session.scalars(select(Verification.token_hash)).all())
        stored_messages = set(session.scalars(select(ChatMessage.id)).all())
        assert set(engagements) <= stored_engagements
        assert {token_hash(t) for t in verified_tokens} <= stored_tokens
        assert set(messages) <= stored_messages
        assert verify_chain(session).ok
    engine.dispose()
