"""Conduct reports under load, on loopback through uvicorn: submissions with a photo per minute,
and a recipient's list with many reports.

    uv run python benchmarks/bench_conduct.py [--backend sqlite|postgresql] [--reports 500]
                                               [--mb 2] [--inbox 10000] [--workers 1]

1. Seeding: 200 officers, three public-desk recipients and a senior one (Argon2id keys at the
   production strength), then `--inbox` reports submitted in-process through
   `conduct.intake.submit` (each sealed for four readers and the reporter, routed, joined up
   with the others about its officer), timed.
2. A recipient's list: the real app (`uvicorn --factory streetlight.web.app:create_app`) serves
   a signed-in recipient, who unlocks the key once; then `GET /conduct/desk` (the newest 100 of
   `--inbox` reports, each with its deadlines) is timed 200 times: p50, p99, max. Target: under
   200 ms.
3. Submissions: `--reports` reports through `POST /conduct` (the form, CSRF token and cookie as
   a browser sends them), each with a fresh photo of about `--mb` MB (camera noise, so JPEG
   cannot shrink it), 16 at a time, each from its own client address (X-Forwarded-For from a
   trusted proxy, as behind a load balancer: the per-client limit stays on). Each submission
   re-encodes the photo without its metadata, seals it and the text for four readers, routes and
   joins up. Reported: reports per minute, and the stored count against the sent count (loss).
   Target: 500 a minute without loss.

Nothing here is a test; the figures go in the closing note.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: the repository
from benchmarks.serving import APP, SECRET, app_env, postgres_cluster, served

CONNECTIONS = 16
OFFICERS = 200
KEY_PASSWORD = "a recipient's benchmark key password"
_CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')


def photo(rng: np.random.Generator, megabytes: float) -> bytes:
    """A JPEG of camera-like noise of about `megabytes` MB."""
    from PIL import Image

    side = int((megabytes * 1_000_000 / 0.76) ** 0.5)  # noise at quality 85: 0.76 bytes/pixel
    pixels = rng.integers(0, 256, size=(side, side, 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="JPEG", quality=85)
    return out.getvalue()


@contextmanager
def database(backend: str) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{Path(tempfile.mkdtemp()) / 'conduct.db'}"
        return
    with postgres_cluster() as cluster:
        yield cluster.url(cluster.create_database())


def seed(url: str, inbox: int) -> tuple[str, float]:
    """The force, the recipients and `inbox` reports; the first recipient's session cookie and
    the in-process submission rate (reports per second)."""
    from streetlight.conduct import intake, keys
    from streetlight.db.engine import make_engine, session_factory
    from streetlight.db.enums import ConductContext, OfficerStatus, Role
    from streetlight.db.migrate import upgrade
    from streetlight.db.models import Officer, OfficerLineManager
    from streetlight.staff import totp
    from streetlight.staff.accounts import create_staff_user
    from streetlight.staff.passwords import Passwords
    from streetlight.staff.sessions import open_session
    from streetlight.web.core.settings import load_settings

    now = datetime.now(UTC)
    engine = make_engine(url)
    upgrade(engine)
    sessions = session_factory(engine)
    key = totp.sealing_key(SECRET.encode())
    with sessions.begin() as session:
        officers = [
            Officer(
                warrant_number=f"PC{n:04d}",
                name=f"Officer {n}",
                rank="PC",
                unit="Response",
                status=OfficerStatus.ACTIVE,
                created_at=now,
                updated_at=now,
            )
            for n in range(OFFICERS)
        ]
        session.add_all(officers)
        session.flush()
        for n, officer in enumerate(officers[10:], start=10):
            session.add(OfficerLineManager(officer_id=officer.id, manager_id=officers[n % 10].id))
        cookie = ""
        for n, senior in enumerate((False, False, False, True)):
            made = create_staff_user(
                session, username=f"desk{n}", display_name=f"Desk {n}", password=f"desk{n}-pw-long",
                role=Role.SUPERVISOR, passwords=Passwords(), totp_key=key, now=now, actor="bench",
            )  # fmt: skip
            keys.enrol(
                session, made.user.id, ConductContext.PUBLIC, KEY_PASSWORD, senior=senior,
                actor="bench", now=now,
            )  # fmt: skip
            if n == 0:
                cookie = open_session(session, made.user, load_settings(database_url=url), now)
    rng = random.Random(7)
    started = time.perf_counter()
    done = 0
    while done < inbox:
        with sessions.begin() as session:
            for _ in range(min(500, inbox - done)):
                new = intake.NewReport(
                    ConductContext.PUBLIC,
                    "He stopped me on my own and asked for my address. " * 4,
                    warrant=f"PC{rng.randrange(OFFICERS):04d}",
                )
                intake.submit(session, new, now=now)
                done += 1
        print(f"\r  seeded {done:,} of {inbox:,} reports", end="", flush=True)
    rate = inbox / (time.perf_counter() - started)
    print()
    engine.dispose()
    return cookie, rate


def _ready(base: str) -> None:
    httpx2.get(f"{base}/api/v1/health", timeout=2)


async def inbox_latency(base: str, cookie: str, times: int) -> list[float]:
    async with httpx2.AsyncClient(
        base_url=base, cookies={"sl_session": cookie}, timeout=60
    ) as client:
        page = await client.get("/conduct/desk")
        token = _CSRF.search(page.text)
        assert token, "no CSRF token on the desk"
        unlocked = await client.post(
            "/conduct/desk/unlock", data={"csrf_token": token.group(1), "password": KEY_PASSWORD}
        )
        assert unlocked.status_code == 303, unlocked.status_code
        latencies = []
        for _ in range(times):
            started = time.perf_counter()
            answer = await client.get("/conduct/desk")
            latencies.append(time.perf_counter() - started)
            assert answer.status_code == 200 and 'id="reports"' in answer.text
        return latencies


async def submissions(base: str, photos: list[bytes], reports: int) -> tuple[int, float]:
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(reports):
        queue.put_nowait(n)
    accepted = 0

    async def worker() -> None:
        nonlocal accepted
        async with httpx2.AsyncClient(base_url=base, timeout=120) as client:
            token = _CSRF.search((await client.get("/conduct")).text)
            assert token
            while not queue.empty():
                n = queue.get_nowait()
                answer = await client.post(
                    "/conduct",
                    data={"csrf_token": token.group(1), "origin": "public",
                          "what": f"Report {n}: he followed me.", "warrant": f"PC{n % OFFICERS:04d}"},
                    files=[("files", (f"IMG_{n}.jpg", photos[n % len(photos)], "image/jpeg"))],
                    headers={"X-Forwarded-For": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"},
                )  # fmt: skip
                if answer.status_code == 200 and 'id="receipt"' in answer.text:
                    accepted += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONNECTIONS)))
    return accepted, time.perf_counter() - started


def stored(url: str) -> tuple[int, int]:
    from sqlalchemy import func, select

    from streetlight.db.engine import make_engine, session_factory
    from streetlight.db.enums import ConductItemKind
    from streetlight.db.models import ConductItem, ConductReport

    engine = make_engine(url)
    with session_factory(engine)() as session:
        reports = session.scalar(select(func.count()).select_from(ConductReport)) or 0
        photos = session.scalar(
            select(func.count()).where(ConductItem.kind == ConductItemKind.ATTACHMENT)
        )
    engine.dispose()
    return reports, photos or 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--reports", type=int, default=500)
    parser.add_argument("--mb", type=float, default=2.0)
    parser.add_argument("--inbox", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(20261207)
    photos = [photo(rng, args.mb) for _ in range(8)]
    print(f"photos: {len(photos)} of {statistics.mean(len(p) for p in photos) / 1e6:.2f} MB")
    with database(args.backend) as url:
        cookie, rate = seed(url, args.inbox)
        print(f"seeding in process: {rate:,.0f} reports/s ({args.backend})")
        store = Path(tempfile.mkdtemp()) / "store"
        env = app_env(store, url)
        with served(APP, env, args.workers, ready=_ready) as base:
            latencies = asyncio.run(inbox_latency(base, cookie, 200))
            cuts = statistics.quantiles(latencies, n=100, method="inclusive")
            print(
                f"recipient's list of {args.inbox:,} reports: p50 {cuts[49] * 1000:.1f} ms, "
                f"p99 {cuts[98] * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms"
            )
            before, _ = stored(url)
            accepted, seconds = asyncio.run(submissions(base, photos, args.reports))
            after, with_photo = stored(url)
        print(
            f"submissions with a {args.mb:g} MB photo: {accepted} of {args.reports} accepted in "
            f"{seconds:.1f} s = {accepted / seconds * 60:,.0f} a minute; stored "
            f"{after - before} (photos stored: {with_photo}); lost: {args.reports - (after - before)}"
        )


if __name__ == "__main__":
    main()
