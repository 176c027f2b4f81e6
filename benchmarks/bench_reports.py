"""Public reports under load, on loopback through uvicorn: how many submissions per second the app
stores, and how many a scripted client gets accepted per minute under the default limits.

    uv run python benchmarks/bench_reports.py [--backends sqlite,postgresql] [--workers 1]
                                              [--reports 2000] [--scripted-seconds 60]

1. Throughput: the real app (`uvicorn --factory streetlight.web.app:create_app`, settings from
   STREETLIGHT_* variables) on a fresh database with a report area, the per-client limit raised
   out of the way and the form's minimum age at 0. Form tokens are fetched first; then
   `--reports` reports (a pin in the area, random factors and bands, so no two are duplicates)
   are posted to `POST /api/v1/reports` over 16 connections, and the stored reports counted.
   Each submission checks the token, the nonce, the limit and duplicates, writes the report, a
   rate-limit hit and an audit row, in one transaction.
2. A scripted client under the default limits (5 reports per client per hour, tokens at least
   3 s old): for `--scripted-seconds` it keeps a pool of tokens ripening and posts as fast as it
   can. Reported: attempts, accepted, refused by reason, and accepted per minute.

Nothing here is a test (the tests assert the accepted count: tests/web/test_reports.py); the
figures go in the closing note.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: the repository
from benchmarks.serving import APP, app_env, postgres_cluster, served

CONNECTIONS = 16
# The report area: a box around Middlesbrough town centre (lon, lat).
WEST, SOUTH, EAST, NORTH = -1.26, 54.56, -1.20, 54.59
FACTORS = (
    "poor_lighting", "isolated", "no_cctv", "hidden_corners", "poor_layout",
    "verbal_harassment", "followed", "indecent_exposure", "intimidating_group",
    "unwanted_touching", "other",
)  # fmt: skip


def write_area(store: Path) -> None:
    ring = [[WEST, SOUTH], [EAST, SOUTH], [EAST, NORTH], [WEST, NORTH], [WEST, SOUTH]]
    area = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        ],
    }
    store.mkdir(parents=True, exist_ok=True)
    (store / "report-area.geojson").write_text(json.dumps(area))


def migrate(url: str) -> None:
    from streetlight.db.engine import make_engine
    from streetlight.db.migrate import upgrade

    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()


def count_reports(url: str) -> int:
    from sqlalchemy import func, select

    from streetlight.db.engine import make_engine
    from streetlight.db.models import PublicReport

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(select(func.count()).select_from(PublicReport)) or 0)
    finally:
        engine.dispose()


@contextmanager
def postgres_databases() -> Iterator[Callable[[], str]]:
    """A throwaway PostgreSQL server; yields a function that makes a fresh database and returns
    its URL."""
    with postgres_cluster() as cluster:
        yield lambda: cluster.url(cluster.create_database())


def sqlite_database() -> str:
    folder = Path(tempfile.mkdtemp(prefix="bench-reports-db-"))
    return f"sqlite:///{folder / 'streetlight.db'}"


def _ready(base: str) -> None:
    httpx2.get(f"{base}/api/v1/reports/form-token", timeout=2)


def env_for(url: str, store: Path, *, lifted: bool) -> dict[str, str]:
    if not lifted:
        return app_env(store, url)
    return app_env(
        store,
        url,
        STREETLIGHT_REPORT_SUBMISSIONS_PER_HOUR="1000000000",
        STREETLIGHT_REPORT_MIN_SECONDS="0",
    )


def body(rng: random.Random, token: str) -> dict[str, object]:
    factors = rng.sample(FACTORS, rng.randint(1, 4))
    return {
        "form_token": token,
        "factors": factors,
        "occurred_on": datetime.now(UTC).date().isoformat(),
        "time_band": rng.randrange(8),
        "location": {"lon": rng.uniform(WEST, EAST), "lat": rng.uniform(SOUTH, NORTH)},
    }


async def _tokens(client: httpx2.AsyncClient, count: int) -> list[str]:
    queue = list(range(count))
    tokens: list[str] = []

    async def worker() -> None:
        while queue:
            queue.pop()
            response = await client.get("/api/v1/reports/form-token")
            tokens.append(response.json()["form_token"])

    await asyncio.gather(*(worker() for _ in range(CONNECTIONS)))
    return tokens


async def throughput(base: str, reports: int) -> dict[str, object]:
    rng = random.Random(6)
    limits = httpx2.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
    async with httpx2.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        tokens = await _tokens(client, reports)
        bodies = [json.dumps(body(rng, t)).encode() for t in tokens]
        statuses: collections.Counter[int] = collections.Counter()
        latencies: list[float] = []

        async def worker() -> None:
            while bodies:
                content = bodies.pop()
                began = time.perf_counter()
                response = await client.post(
                    "/api/v1/reports", content=content, headers={"content-type": "application/json"}
                )
                latencies.append(time.perf_counter() - began)
                statuses[response.status_code] += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONNECTIONS)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "reports": reports,
        "seconds": round(elapsed, 2),
        "per_second": round(statuses[201] / elapsed, 1),
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 1),
        "p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 1),
        "statuses": dict(statuses),
    }


async def scripted(base: str, seconds: float, min_age: float = 3.0) -> dict[str, object]:
    """One client (one address) that does everything a script can: tokens fetched ahead and
    left to ripen, then reports posted back to back, each different (no duplicates)."""
    rng = random.Random(9)
    reasons: collections.Counter[str] = collections.Counter()
    accepted = attempts = 0
    async with httpx2.AsyncClient(base_url=base, timeout=30) as client:
        ripening: collections.deque[tuple[float, str]] = collections.deque()
        started = time.perf_counter()
        deadline = started + seconds
        while time.perf_counter() < deadline:
            while len(ripening) < 64:
                token = (await client.get("/api/v1/reports/form-token")).json()["form_token"]
                ripening.append((time.perf_counter(), token))
            issued, token = ripening.popleft()
            wait = issued + min_age - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            response = await client.post("/api/v1/reports", json=body(rng, token))
            attempts += 1
            if response.status_code == 201:
                accepted += 1
            else:
                reasons[response.json().get("reason", str(response.status_code))] += 1
        elapsed = time.perf_counter() - started
    return {
        "seconds": round(elapsed, 1),
        "attempts": attempts,
        "accepted": accepted,
        "accepted_per_minute": round(accepted * 60 / elapsed, 2),
        "refused": dict(reasons),
    }


Measure = Callable[[str], Coroutine[Any, Any, dict[str, object]]]


def measured(
    database: Callable[[], str], store: Path, workers: int, *, lifted: bool, measure: Measure
) -> dict[str, object]:
    """`measure(base)` against the app on a fresh, migrated database, with the reports it
    stored."""
    url = database()
    migrate(url)
    with served(APP, env_for(url, store, lifted=lifted), workers, ready=_ready) as base:
        result = asyncio.run(measure(base))
    result["stored"] = count_reports(url)
    return result


def run(backend: str, database: Callable[[], str], args: argparse.Namespace) -> dict[str, object]:
    """Both measurements, each on a fresh database (the first one's reports would otherwise
    count against the scripted client's limit: both come from 127.0.0.1)."""
    store = Path(tempfile.mkdtemp(prefix=f"bench-reports-{backend}-"))
    write_area(store)
    fast = measured(
        database, store, args.workers, lifted=True, measure=lambda b: throughput(b, args.reports)
    )
    print(f"{backend}: throughput {json.dumps(fast)}", flush=True)
    script = measured(
        database,
        store,
        args.workers,
        lifted=False,
        measure=lambda b: scripted(b, args.scripted_seconds),
    )
    print(f"{backend}: scripted client, default limits {json.dumps(script)}", flush=True)
    return {"throughput": fast, "scripted": script}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--scripted-seconds", type=float, default=60.0)
    args = parser.parse_args()
    print(
        f"{args.workers} uvicorn worker(s), {CONNECTIONS} connections, {args.reports} reports, "
        f"scripted client for {args.scripted_seconds:.0f} s; {os.cpu_count()} cores",
        flush=True,
    )
    results: dict[str, object] = {}
    for backend in args.backends.split(","):
        if backend == "sqlite":
            results[backend] = run(backend, sqlite_database, args)
        elif backend == "postgresql":
            with postgres_databases() as database:
                results[backend] = run(backend, database, args)
        else:
            raise SystemExit(f"unknown backend {backend!r}: sqlite or postgresql")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
