"""Public verification under load, on loopback: throughput, latency at a fixed rate, and the
timing of each failure kind, on SQLite and on PostgreSQL, beside a bare FastAPI endpoint.

    uv run python benchmarks/bench_verify.py [--workers 2] [--seconds 10] [--rate 300]
                                             [--connections 16,64]
                                             [--backends sqlite,postgresql] [--timing 400]

For each backend: a fresh database with 200 officers on duty, each with a logged engagement and a
live code; `uvicorn --workers N` serves the real app (settings from STREETLIGHT_* variables, rate
limits lifted so that the load is all real checks). Clients run in their own processes:
- throughput: closed loop with each of `--connections` concurrent connections, wrong codes for
  random officers (every failure does the same work: two lookups, the HMACs, the verification
  row, two rate-limit hits, the audit row and the console event); the app commits the checks
  that arrive together in one transaction (group commit), so throughput grows with concurrency;
  `wrk` is used when it is on PATH (less client CPU on a 2-core machine), else an asyncio client;
- latency: open loop at `--rate` requests/s for `--seconds`, p50 / p99 / max;
- timing: `--timing` sequential checks per failure kind (unknown number, off duty, suspended,
  wrong, expired, used), interleaved, median and p90 each and the spread of the medians.
The same throughput and latency runs hit a bare FastAPI endpoint returning a constant (same
workers, same body) and the ratio is printed. Nothing here is a test; figures go in the closing
note of issue 5.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2
from fastapi import FastAPI
from pydantic import BaseModel, SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: the repository
from benchmarks.serving import APP, SECRET, app_env, postgres_cluster, served

OFFICERS = 200


class Body(BaseModel):
    warrant_number: str
    code: str


def bare_app() -> FastAPI:
    """The baseline: FastAPI's own overhead for the same request, and nothing else."""
    app = FastAPI()

    @app.post("/api/v1/verify")
    def verify(body: Body) -> dict[str, object]:
        return {"verified": False, "message": "constant", "advice": []}

    return app


# --- Database set-up ------------------------------------------------------------------------------


def seed(url: str) -> dict[str, tuple[str, str]]:
    """200 officers on duty with a live code each, and one officer per failure kind; returns the
    (warrant, code) to use for each failure kind, plus "load" officers under `LOAD<n>`."""
    from streetlight.db import officers as ops
    from streetlight.db.engine import make_engine, session_factory
    from streetlight.db.migrate import upgrade
    from streetlight.db.models import Dress, EngagementReason, Officer, OfficerStatus
    from streetlight.verify import engagements as eng
    from streetlight.web.settings import Settings, verify_rules

    engine = make_engine(url)
    upgrade(engine)
    settings = Settings(secret_key=SecretStr(SECRET), database_url=url)
    rules = verify_rules(settings, SECRET.encode())
    now = datetime.now(UTC)
    cases: dict[str, tuple[str, str]] = {}
    with session_factory(engine).begin() as session:

        def officer(warrant: str) -> Officer:
            found = Officer(
                warrant_number=warrant, name=f"Officer {warrant}", rank="Police Constable",
                unit="Response", team="R", status=OfficerStatus.ACTIVE, created_at=now,
                updated_at=now,
            )  # fmt: skip
            session.add(found)
            session.flush()
            duty = ops.start_duty(
                session, warrant, dress=Dress.UNIFORM, area="", actor="bench", now=now
            )
            ops.record_position(duty, lon=-1.2346, lat=54.5742, now=now)
            return found

        def code(who: Officer, at: datetime) -> str:
            request = eng.EngagementInput(reason=EngagementReason.STOP)
            logged = eng.log_engagement(
                session, who, request, f"k-{who.warrant_number}-{at.timestamp()}", rules,
                actor="bench", now=at,
            )  # fmt: skip
            return logged.code.code

        for n in range(OFFICERS):
            code(officer(f"LOAD{n}"), now)
        cases["expired"] = ("EXP1", code(officer("EXP1"), now - timedelta(minutes=30)))
        for kind, warrant in (("off_duty", "OFF1"), ("suspended", "SUS1"), ("used", "USED1")):
            cases[kind] = (warrant, code(officer(warrant), now))
        live = code(officer("LIVE1"), now)
        cases["wrong_code"] = ("LIVE1", f"{(int(live) + 1) % 10**8:08d}")
        cases["unknown"] = ("NOBODY1", live)
        ops.end_duty(session, "OFF1", actor="bench", now=now)
        ops.suspend(session, "SUS1", actor="bench", now=now)
    engine.dispose()
    return cases


@contextmanager
def postgres_url() -> Iterator[str]:
    with postgres_cluster() as cluster:
        # The test cluster runs without fsync; say so in the figures.
        yield cluster.url(cluster.create_database())


def _ready(base: str) -> None:
    httpx2.post(f"{base}/api/v1/verify", json={"warrant_number": "X", "code": "1"}, timeout=2)


@contextmanager
def served_counting(target: list[str], env: dict[str, str], workers: int) -> Iterator[str]:
    """`served`, then how many checks passed their deadline: the app logs each (it answered
    "cannot confirm" in time, but did no check)."""
    log = Path(tempfile.mkdtemp()) / "server.log"
    try:
        with served(target, env, workers, ready=_ready, log=log) as base:
            yield base
    finally:
        timeouts = log.read_text().count("timed out") if log.exists() else 0
        if timeouts:
            print(f"  ({timeouts} check(s) passed the deadline and answered 'cannot confirm')")


# --- Clients (each in its own process) -------------------------------------------------------------


def _bodies(count: int) -> list[bytes]:
    rng = random.Random(7)
    return [
        json.dumps(
            {
                "warrant_number": f"LOAD{rng.randrange(OFFICERS)}",
                "code": f"{rng.randrange(10**8):08d}",
            }
        ).encode()
        for _ in range(count)
    ]


async def _closed_loop(base: str, seconds: float, connections: int) -> dict[str, float]:
    bodies = _bodies(4096)
    done = errors = 0
    deadline = time.perf_counter() + seconds
    limits = httpx2.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx2.AsyncClient(base_url=base, limits=limits, timeout=30) as client:

        async def worker(n: int) -> None:
            nonlocal done, errors
            i = n
            while time.perf_counter() < deadline:
                response = await client.post(
                    "/api/v1/verify", content=bodies[i % len(bodies)],
                    headers={"content-type": "application/json"},
                )  # fmt: skip
                i += connections
                if response.status_code == 200:
                    done += 1
                else:
                    errors += 1

        start = time.perf_counter()
        await asyncio.gather(*(worker(n) for n in range(connections)))
        elapsed = time.perf_counter() - start
    return {"per_second": done / elapsed, "errors": errors}


def _wrk(base: str, seconds: float, connections: int) -> dict[str, float]:
    script = Path(tempfile.mkdtemp()) / "post.lua"
    bodies = ",".join(json.dumps(b.decode()) for b in _bodies(1024))
    script.write_text(
        'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
        f"local bodies = {{{bodies}}}\nlocal i = 0\n"
        "request = function()\n  i = i % #bodies + 1\n"
        "  return wrk.format(nil, nil, nil, bodies[i])\nend\n"
    )
    out = subprocess.run(
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{int(seconds)}s", "-s", str(script),
         f"{base}/api/v1/verify"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    rate = next(line for line in out.splitlines() if line.startswith("Requests/sec"))
    errors = sum(
        int(w) for line in out.splitlines() if "Non-2xx" in line for w in line.split()[-1:]
    )
    return {"per_second": float(rate.split()[-1]), "errors": errors}


async def _open_loop(base: str, rate: float, seconds: float) -> dict[str, float]:
    bodies = _bodies(4096)
    count = int(rate * seconds)
    latencies: list[float] = []
    errors = 0
    limits = httpx2.Limits(max_connections=256, max_keepalive_connections=256)
    async with httpx2.AsyncClient(base_url=base, limits=limits, timeout=30) as client:

        async def one(i: int, at: float) -> None:
            nonlocal errors
            await asyncio.sleep(max(0.0, at - time.perf_counter()))
            start = time.perf_counter()
            response = await client.post(
                "/api/v1/verify", content=bodies[i % len(bodies)],
                headers={"content-type": "application/json"},
            )  # fmt: skip
            # Latency from the scheduled send time: a client that fell behind counts against it.
            latencies.append(time.perf_counter() - min(start, at))
            if response.status_code != 200:
                errors += 1

        begin = time.perf_counter() + 0.5
        await asyncio.gather(*(one(i, begin + i / rate) for i in range(count)))
    latencies.sort()
    return {
        "p50_ms": 1000 * latencies[len(latencies) // 2],
        "p99_ms": 1000 * latencies[int(len(latencies) * 0.99) - 1],
        "max_ms": 1000 * latencies[-1],
        "errors": errors,
        "sent": count,
    }


def _timing(
    base: str, cases: dict[str, tuple[str, str]], rounds: int
) -> dict[str, dict[str, float]]:
    times: dict[str, list[float]] = {name: [] for name in cases}
    bodies: dict[str, tuple[set[int], set[bytes]]] = {name: (set(), set()) for name in cases}
    with httpx2.Client(base_url=base, timeout=30) as client:
        for _ in range(20):
            for warrant, code in cases.values():
                client.post("/api/v1/verify", json={"warrant_number": warrant, "code": code})
        for _ in range(rounds):
            for name, (warrant, code) in cases.items():
                start = time.perf_counter()
                response = client.post(
                    "/api/v1/verify", json={"warrant_number": warrant, "code": code}
                )
                times[name].append(time.perf_counter() - start)
                bodies[name][0].add(response.status_code)
                bodies[name][1].add(response.content)
    distinct = {content for _, contents in bodies.values() for content in contents}
    report = {
        name: {
            "median_ms": 1000 * statistics.median(t),
            "p90_ms": 1000 * sorted(t)[int(len(t) * 0.9)],
        }
        for name, t in times.items()
    }
    medians = [r["median_ms"] for r in report.values()]
    report["_summary"] = {
        "spread_of_medians_ms": max(medians) - min(medians),
        "distinct_bodies": len(distinct),
        "distinct_statuses": len({s for statuses, _ in bodies.values() for s in statuses}),
    }
    return report


def _in_process(kind: str, queue: multiprocessing.Queue[object], *args: object) -> None:
    if kind == "closed":
        url, span, connections = (str(a) for a in args)
        result: object = (
            _wrk(url, float(span), int(connections))
            if shutil.which("wrk")
            else asyncio.run(_closed_loop(url, float(span), int(connections)))
        )
    elif kind == "open":
        base, rate, seconds = args
        result = asyncio.run(_open_loop(str(base), float(rate), float(seconds)))  # type: ignore[arg-type]
    else:
        base, cases, rounds = args
        result = _timing(str(base), cases, int(str(rounds)))  # type: ignore[arg-type]
    queue.put(result)


def client(kind: str, *args: object) -> object:
    """Run one client in a separate process (the server's workers keep the GIL to themselves)."""
    context = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue[object] = context.Queue()
    process = context.Process(target=_in_process, args=(kind, queue, *args))
    process.start()
    result = queue.get()
    process.join()
    return result


# --- Main ----------------------------------------------------------------------------------------------


def _env(url: str | None, store: Path) -> dict[str, str]:
    return app_env(
        store,
        url,
        STREETLIGHT_VERIFY_FAILURES_PER_WARRANT="1000000000",
        STREETLIGHT_VERIFY_FAILURES_PER_CLIENT="1000000000",
    )


def measure(label: str, target: list[str], env: dict[str, str], args: argparse.Namespace,
            cases: dict[str, tuple[str, str]] | None) -> dict[str, object]:  # fmt: skip
    with served_counting(target, env, args.workers) as base:
        result: dict[str, object] = {
            f"throughput@{n}": client("closed", base, args.seconds, n) for n in args.connections
        }
        result["latency"] = client("open", base, args.rate, args.seconds)
        if cases is not None and args.timing:
            result["timing"] = client("timing", base, cases, args.timing)
    print(f"{label}: {json.dumps(result, indent=1)}", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=300.0)
    parser.add_argument("--timing", type=int, default=400, help="rounds per failure kind (0: skip)")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--connections", default="16,64", help="closed-loop concurrency, each")
    args = parser.parse_args()
    args.connections = [int(n) for n in args.connections.split(",")]
    print(
        f"{args.workers} uvicorn worker(s), {'/'.join(map(str, args.connections))} connections, "
        f"{'wrk' if shutil.which('wrk') else 'asyncio (httpx2)'} closed-loop client, "
        f"{os.cpu_count()} CPU(s)",
        flush=True,
    )
    results: dict[str, dict[str, object]] = {}
    factory = list(APP)
    for backend in args.backends.split(","):
        store = Path(tempfile.mkdtemp(prefix=f"bench-{backend}-"))
        if backend == "sqlite":
            url = f"sqlite:///{store / 'streetlight.db'}"
            cases = seed(url)
            results[backend] = measure(backend, factory, _env(url, store), args, cases)
        else:
            with postgres_url() as url:
                cases = seed(url)
                results[backend] = measure(backend, factory, _env(url, store), args, cases)
        shutil.rmtree(store, ignore_errors=True)
    bare = measure("bare FastAPI", ["benchmarks.bench_verify:bare_app", "--factory"],
                   _env(None, Path(tempfile.mkdtemp())), args, None)  # fmt: skip
    print("\nsummary (verifications/s closed loop; p50/p99 ms at the fixed rate):")
    for name, result in {**results, "bare": bare}.items():
        rates = []
        for n in args.connections:
            rate = max(1.0, result[f"throughput@{n}"]["per_second"])  # type: ignore[index]
            bare_rate = max(1.0, bare[f"throughput@{n}"]["per_second"])  # type: ignore[index]
            rates.append(f"{rate:6.0f}/s at {n:>3} (bare/this {bare_rate / rate:4.1f}x)")
        latency = result["latency"]
        print(
            f"  {name:<11} {'  '.join(rates)}  "
            f"p50 {latency['p50_ms']:.1f}  p99 {latency['p99_ms']:.1f}  at {args.rate:g}/s",  # type: ignore[index]
            flush=True,
        )
        if "timing" in result:
            summary = result["timing"]["_summary"]  # type: ignore[index]
            print(f"              failure kinds: spread of medians {summary['spread_of_medians_ms']:.3f} ms, "
                  f"{summary['distinct_bodies']} distinct body, {summary['distinct_statuses']} status")  # fmt: skip


if __name__ == "__main__":
    main()
