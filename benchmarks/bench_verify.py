"""Public verification under load, on loopback: throughput, latency at a fixed rate, and the
timing of each failure kind, on SQLite and on PostgreSQL, beside a bare FastAPI endpoint.

    uv run python benchmarks/bench_verify.py [--workers 2] [--seconds 10] [--rate 300]
                                             [--connections 16,64] [--compare REV]
                                             [--backends sqlite,postgresql] [--timing 400]

For each backend: a fresh database (PostgreSQL with fsync and synchronous commit on, as in
production) with 200 officers on duty, each with a logged engagement and a
live code; `uvicorn --workers N` serves the real app (settings from STREETLIGHT_* variables, rate
limits lifted so that the load is all real checks). Each request comes from its own client
address (X-Forwarded-For, which the app is told to trust from 127.0.0.1), as the public's would,
and each phase starts with no rate-limit hits, as after a quiet spell. Clients run in their own processes:
- throughput (and wrk's p50 / p99 at that rate): closed loop with each of `--connections`
  concurrent connections, wrong codes for random officers (every failure does the same work:
  two lookups, the HMACs, the verification row, two rate-limit hits, the audit row and the
  console event); the app commits the checks that arrive together in one transaction (group
  commit), so throughput grows with concurrency; `wrk` is used when it is on PATH (less client
  CPU on a 2-core machine), else an asyncio client;
- latency: open loop at `--rate` requests/s for `--seconds`, p50 / p99 / max, each from its
  scheduled send time, from a lean asyncio client (raw keep-alive sockets, uvloop) that shares
  the two cores with the server (compare with the bare endpoint's figure);
- timing: `--timing` sequential checks per failure kind (unknown number, off duty, suspended,
  wrong, expired, used), interleaved, median and p90 each and the spread of the medians.
The same throughput and latency runs hit a bare FastAPI endpoint returning a constant (same
workers, same body) and the ratio is printed. `--compare REV` also serves the app of an earlier
commit on the same server stack and data, for a side-by-side figure. Nothing here is a test;
figures go in the closing note.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
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
from queue import Empty

import httpx2
import uvloop
from fastapi import FastAPI
from pydantic import BaseModel, SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: the repository
from benchmarks.serving import APP, REPO, SECRET, app_env, postgres_cluster, served

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
    from streetlight.web.core.settings import Settings, verify_rules

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
    # fsync and synchronous commit on, as in production (the tests' cluster runs without).
    with postgres_cluster(durable=True) as cluster:
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


def _bodies(count: int) -> list[tuple[bytes, str]]:
    """Wrong codes for random load officers, each from its own client address (sent as
    X-Forwarded-For, which the app trusts from 127.0.0.1: `serving.app_env`): the public is many people, and one
    address sending everything would be refused by the per-client limit."""
    rng = random.Random(7)
    return [
        (
            json.dumps(
                {
                    "warrant_number": f"LOAD{rng.randrange(OFFICERS)}",
                    "code": f"{rng.randrange(10**8):08d}",
                }
            ).encode(),
            _address(rng),
        )
        for _ in range(count)
    ]


def _address(rng: random.Random) -> str:
    return f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def _headers(address: str) -> dict[str, str]:
    return {"content-type": "application/json", "x-forwarded-for": address}


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
                body, address = bodies[i % len(bodies)]
                response = await client.post(
                    "/api/v1/verify", content=body, headers=_headers(address)
                )
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
    requests = _bodies(4096)
    bodies = ",".join(json.dumps(body.decode()) for body, _ in requests)
    addresses = ",".join(json.dumps(address) for _, address in requests)
    script.write_text(
        'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
        f"local bodies = {{{bodies}}}\nlocal addresses = {{{addresses}}}\nlocal i = 0\n"
        "request = function()\n  i = i % #bodies + 1\n"
        '  wrk.headers["X-Forwarded-For"] = addresses[i]\n'
        "  return wrk.format(nil, nil, nil, bodies[i])\nend\n"
    )
    out = subprocess.run(
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{int(seconds)}s", "--latency",
         "-s", str(script), f"{base}/api/v1/verify"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    lines = [line.split() for line in out.splitlines()]
    rate = next(float(words[-1]) for words in lines if words[:1] == ["Requests/sec:"])
    errors = sum(int(words[-1]) for words in lines if words[:1] == ["Non-2xx"])
    result = {"per_second": rate, "errors": errors}
    # wrk's latency distribution: "50%    6.70ms", "99%  19.39ms" (units us, ms or s).
    units = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    for words in lines:
        if len(words) == 2 and words[0] in ("50%", "99%"):
            value, unit = words[1].rstrip("musn"), words[1][len(words[1].rstrip("musn")) :]
            result[f"p{words[0][:-1]}_ms"] = float(value) * units[unit]
    return result


async def _open_loop(base: str, rate: float, seconds: float) -> dict[str, float]:
    """Requests sent at fixed times whatever the answers do (open loop), on raw keep-alive
    connections: an HTTP client library costs enough CPU per request, on cores shared with the
    server, to add its own lag to the figures. Latency runs from each request's scheduled time,
    so a client that falls behind counts against the server, not for it."""
    host, port = base.removeprefix("http://").split(":")
    requests = [
        b"POST /api/v1/verify HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
        b"X-Forwarded-For: %s\r\nContent-Length: %d\r\n\r\n%s"
        % (host.encode(), address.encode(), len(body), body)
        for body, address in _bodies(4096)
    ]
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    latencies: list[float] = []
    errors = 0

    async def exchange(
        connection: tuple[asyncio.StreamReader, asyncio.StreamWriter], request: bytes
    ) -> bytes:
        reader, writer = connection
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        await reader.readexactly(length)
        return head

    async def one(i: int, at: float) -> None:
        nonlocal errors
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        request = requests[i % len(requests)]
        try:
            # A kept connection may have been closed by the server when idle (its keep-alive
            # timeout): then the request goes again on a new one, its clock still running.
            connection = idle.pop() if idle else await asyncio.open_connection(host, int(port))
            head = await exchange(connection, request)
        except (asyncio.IncompleteReadError, ConnectionError):
            connection = await asyncio.open_connection(host, int(port))
            head = await exchange(connection, request)
        latencies.append(time.perf_counter() - at)
        if not head.startswith(b"HTTP/1.1 200"):
            errors += 1
        idle.append(connection)

    begin = time.perf_counter() + 0.5
    await asyncio.gather(*(one(i, begin + i / rate) for i in range(int(rate * seconds))))
    for _, writer in idle:
        writer.close()
    latencies.sort()
    return {
        "p50_ms": 1000 * latencies[len(latencies) // 2],
        "p99_ms": 1000 * latencies[int(len(latencies) * 0.99) - 1],
        "max_ms": 1000 * latencies[-1],
        "errors": errors,
        "sent": len(latencies),
    }


def _timing(
    base: str, cases: dict[str, tuple[str, str]], rounds: int
) -> dict[str, dict[str, float]]:
    times: dict[str, list[float]] = {name: [] for name in cases}
    bodies: dict[str, tuple[set[int], set[bytes]]] = {name: (set(), set()) for name in cases}
    rng = random.Random(11)
    with httpx2.Client(base_url=base, timeout=30) as client:

        def post(warrant: str, code: str) -> httpx2.Response:
            body = {"warrant_number": warrant, "code": code}
            return client.post("/api/v1/verify", json=body, headers=_headers(_address(rng)))

        for _ in range(20):
            for warrant, code in cases.values():
                post(warrant, code)
        for _ in range(rounds):
            for name, (warrant, code) in cases.items():
                start = time.perf_counter()
                response = post(warrant, code)
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
        result = uvloop.run(_open_loop(str(base), float(rate), float(seconds)))  # type: ignore[arg-type]
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
    while True:
        try:
            result = queue.get(timeout=1)
            break
        except Empty:
            if not process.is_alive():
                raise RuntimeError(f"the {kind} client failed (its traceback is above)") from None
    process.join()
    return result


# --- Main ----------------------------------------------------------------------------------------------


def _env(url: str | None, store: Path, src: Path | None = None) -> dict[str, str]:
    return app_env(
        store,
        url,
        src,
        # The highest a warrant number's daily budget of code-tries may be set to (a compared
        # revision from before that budget had a per-window limit instead: lifted the same way).
        STREETLIGHT_VERIFY_FAILURES_PER_WARRANT="4999" if src is None else "1000000000",
        STREETLIGHT_VERIFY_FAILURES_PER_CLIENT="1000000000",
    )


def _fresh_window(url: str | None) -> None:
    """Forget the rate-limit hits of the phase before, so that each phase starts as a quiet
    hour would (a limit is counted over its window: with limits lifted, the counts would
    otherwise grow with every check of the run and slow each later phase)."""
    if url is None:
        return
    from sqlalchemy import delete

    from streetlight.db.engine import make_engine
    from streetlight.db.models import RateLimitHit

    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(delete(RateLimitHit))
    engine.dispose()


def measure(label: str, target: list[str], env: dict[str, str], args: argparse.Namespace,
            cases: dict[str, tuple[str, str]] | None,
            url: str | None = None) -> dict[str, object]:  # fmt: skip
    result: dict[str, object] = {}
    with served_counting(target, env, args.workers) as base:
        for n in args.connections:
            _fresh_window(url)
            result[f"throughput@{n}"] = client("closed", base, args.seconds, n)
        if args.rate > 0:
            _fresh_window(url)
            result["latency"] = client("open", base, args.rate, args.seconds)
        if cases is not None and args.timing:
            _fresh_window(url)
            result["timing"] = client("timing", base, cases, args.timing)
    print(f"{label}: {json.dumps(result, indent=1)}", flush=True)
    return result


def _checkout(rev: str) -> Path:
    """A throwaway copy of the repository at `rev` (its `src/` is served for comparison)."""
    where = Path(tempfile.mkdtemp(prefix="bench-rev-"))
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", rev], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(where)], input=archive, check=True)
    return where


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=300.0, help="open-loop rate (0: skip)")
    parser.add_argument("--timing", type=int, default=400, help="rounds per failure kind (0: skip)")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--connections", default="4,16,64", help="closed-loop concurrency, each")
    parser.add_argument(
        "--compare", metavar="REV", help="also serve the app of this commit, on the same data"
    )
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
    apps: dict[str, Path | None] = {"": None}
    if args.compare:
        apps[f"@{args.compare}"] = _checkout(args.compare) / "src"
    for backend in args.backends.split(","):
        for suffix, src in apps.items():
            label = backend + suffix
            store = Path(tempfile.mkdtemp(prefix=f"bench-{backend}-"))
            with contextlib.ExitStack() as stack:
                if backend == "sqlite":
                    url = f"sqlite:///{store / 'streetlight.db'}"
                else:
                    url = stack.enter_context(postgres_url())
                cases = seed(url)
                env = _env(url, store, src)
                results[label] = measure(label, factory, env, args, cases, url)
            shutil.rmtree(store, ignore_errors=True)
    bare = measure("bare FastAPI", ["benchmarks.bench_verify:bare_app", "--factory"],
                   _env(None, Path(tempfile.mkdtemp())), args, None)  # fmt: skip
    print("\nsummary (verifications/s closed loop; p50/p99 ms at the fixed rate):")
    for name, result in {**results, "bare": bare}.items():
        rates = []
        for n in args.connections:
            run = result[f"throughput@{n}"]
            rate = max(1.0, run["per_second"])  # type: ignore[index]
            bare_rate = max(1.0, bare[f"throughput@{n}"]["per_second"])  # type: ignore[index]
            p99 = f" p99 {run['p99_ms']:.0f} ms" if "p99_ms" in run else ""  # type: ignore[operator,index]
            rates.append(f"{rate:5.0f}/s at {n:>2}{p99} (bare/this {bare_rate / rate:4.1f}x)")
        latency = result.get("latency")
        fixed = (
            f"p50 {latency['p50_ms']:.1f}  p99 {latency['p99_ms']:.1f}  at {args.rate:g}/s"  # type: ignore[index]
            if latency
            else ""
        )
        print(f"  {name:<11} {'  '.join(rates)}  {fixed}", flush=True)
        if "timing" in result:
            summary = result["timing"]["_summary"]  # type: ignore[index]
            print(f"              failure kinds: spread of medians {summary['spread_of_medians_ms']:.3f} ms, "
                  f"{summary['distinct_bodies']} distinct body, {summary['distinct_statuses']} status")  # fmt: skip


if __name__ == "__main__":
    main()
