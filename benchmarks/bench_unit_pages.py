"""Offender-unit pages under load on a force-sized PostgreSQL store: a person page and the bail
and orders board, p50 / p99 with 20 users at once.

    uv run python benchmarks/bench_unit_pages.py [--offences 300000] [--people 200000]
                                                 [--users 20] [--seconds 20] [--workers 2]
                                                 [--think 1.0] [--durable]

A random extract (`bench_unit_import.write_extract`: three years of offences, one suspect and
one victim each, arrests, bail and orders for some) is imported into a fresh PostgreSQL database
(the tests' throwaway server, without fsync unless `--durable`); its import time is printed too.
Each of `--users` unit officers holds a caseload of 50 people, the people with the most links
first (the heaviest pages), and a supervisor holds none (the board then covers the whole unit).
`uvicorn --workers N` serves the real app. Each user is a client with its own signed-in session
(opened in the database, as sign-in would) and its own connection:
- `person`: each user asks for a random person of their caseload;
- `board (officer)`: each officer's board (their caseload's bail and orders);
- `board (unit)`: the supervisor's board (the whole unit's), asked for by every user;
each three ways: `alone` (one user, the next page as soon as the last arrives: the page's own
time), `reading` (all users, `--think` seconds between a user's pages, exponential, as people
reading them would) and `busy` (all users, no pause: 20 requests always in flight on 2 cores,
the worst case).
Every person page writes its audit entry (the log is hash-chained), so this measures that too.
Latency is from each request's send to its last byte, at the client, which shares the two cores
with the server. Nothing here is a test; figures go in the closing note.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx2

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: the repository
from benchmarks.bench_unit_import import data_rows, migrate, run_import, write_extract
from benchmarks.serving import APP, SECRET, app_env, postgres_cluster, served

CASELOAD = 50


@dataclass(frozen=True)
class User:
    cookie: str
    tokens: tuple[str, ...]  # the people they hold


@dataclass(frozen=True)
class Seeded:
    officers: tuple[User, ...]
    supervisor: User


def seed(url: str, users: int) -> Seeded:
    """`users` unit officers, each holding 50 of the people with the most links, and a
    supervisor; a signed-in session for each."""
    from sqlalchemy import func, select

    from streetlight.db.engine import make_engine, session_factory
    from streetlight.db.enums import Role
    from streetlight.db.models.unit import UnitCaseload, UnitLink, UnitPerson
    from streetlight.staff import totp
    from streetlight.staff.accounts import create_staff_user
    from streetlight.staff.passwords import Passwords
    from streetlight.staff.sessions import open_session
    from streetlight.web.core.settings import load_settings

    now = datetime.now(UTC)
    settings = load_settings(database_url=url)
    key = totp.sealing_key(SECRET.encode())
    cheap = Passwords()
    engine = make_engine(url)
    try:
        with session_factory(engine).begin() as session:
            links = func.count(UnitLink.person_id)
            heaviest = session.execute(
                select(UnitPerson.id, UnitPerson.token)
                .join(UnitLink, UnitLink.person_id == UnitPerson.id)
                .group_by(UnitPerson.id, UnitPerson.token)
                .order_by(links.desc(), UnitPerson.id)
                .limit(users * CASELOAD)
            ).all()

            def account(name: str, role: Role) -> tuple[int, str]:
                made = create_staff_user(
                    session, username=name, display_name=name, password=f"{name}-benchmark-pw",
                    role=role, passwords=cheap, totp_key=key, now=now, actor="bench",
                )  # fmt: skip
                return made.user.id, open_session(session, made.user, settings, now)

            officers = []
            for n in range(users):
                held = heaviest[n * CASELOAD : (n + 1) * CASELOAD]
                user_id, cookie = account(f"unit{n:02d}", Role.UNIT_OFFICER)
                for person_id, _ in held:
                    session.add(UnitCaseload(user_id=user_id, person_id=person_id, since=now))
                officers.append(User(cookie, tuple(token for _, token in held)))
            supervisor = User(account("supervisor", Role.UNIT_SUPERVISOR)[1], ())
    finally:
        engine.dispose()
    return Seeded(tuple(officers), supervisor)


# --- Clients ---------------------------------------------------------------------------------------


async def _users(
    base: str, people: list[User], paths: list[list[str]], seconds: float, think: float
) -> tuple[list[float], dict[int, int]]:
    """Each of `people` asks for a random one of their `paths` in turn for `seconds`, waiting
    `think` seconds on average (exponential) between answers; every latency in seconds, and
    how many answers of each status other than 200."""
    latencies: list[float] = []
    failures: dict[int, int] = {}
    deadline = time.perf_counter() + seconds

    async def user(who: User, mine: list[str], rng: random.Random) -> None:
        cookies = {"sl_session": who.cookie}
        async with httpx2.AsyncClient(base_url=base, cookies=cookies, timeout=60) as client:
            while time.perf_counter() < deadline:
                if think:
                    await asyncio.sleep(rng.expovariate(1 / think))
                start = time.perf_counter()
                response = await client.get(rng.choice(mine))
                latencies.append(time.perf_counter() - start)
                if response.status_code != 200:
                    failures[response.status_code] = failures.get(response.status_code, 0) + 1

    await asyncio.gather(
        *(
            user(who, mine, random.Random(n))
            for n, (who, mine) in enumerate(zip(people, paths, strict=True))
        )
    )
    return latencies, failures


def _quantiles(latencies: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[98] * 1000, max(latencies) * 1000


def measure(
    label: str,
    base: str,
    people: list[User],
    paths: list[list[str]],
    args: argparse.Namespace,
    think: float = 0.0,
) -> None:
    asyncio.run(_users(base, people, paths, min(3.0, args.seconds), think))  # warm up
    latencies, failures = asyncio.run(_users(base, people, paths, args.seconds, think))
    p50, p99, worst = _quantiles(latencies)
    rate = len(latencies) / args.seconds
    print(
        f"{label:<22} {len(latencies):>7,} pages {rate:>7.1f}/s   p50 {p50:6.1f} ms   "
        f"p99 {p99:6.1f} ms   max {worst:6.1f} ms",
        flush=True,
    )
    if failures:
        print(f"  (answers other than 200: {failures})")


def _ready(base: str) -> None:
    httpx2.get(f"{base}/health", timeout=2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--offences", type=int, default=300_000)
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds between pages")
    parser.add_argument("--durable", action="store_true", help="PostgreSQL with fsync")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-unit-pages-"))
    try:
        t = time.perf_counter()
        mapping = write_extract(work / "extract", args.offences, people=args.people)
        rows = data_rows(work / "extract")
        print(f"extract: {args.offences:,} offences, {args.people:,} people, {rows:,} rows "
              f"(written in {time.perf_counter() - t:.1f} s)")  # fmt: skip
        with postgres_cluster(durable=args.durable) as cluster:
            url = cluster.url(cluster.create_database())
            migrate(url)
            seconds, what = run_import(url, work / "extract", mapping)
            print(f"import: {seconds:.1f} s, {rows / seconds:,.0f} rows/s ({what})")
            seeded = seed(url, args.users)
            officers = list(seeded.officers)
            pages = [[f"/unit/people/{token}" for token in who.tokens] for who in officers]
            env = app_env(work / "store", url)
            durability = "durable" if args.durable else "without fsync"
            print(f"\nPostgreSQL ({durability}), {args.workers} workers, {args.users} users, "
                  f"{args.seconds:.0f} s each:")  # fmt: skip
            with served(APP, env, args.workers, ready=_ready) as base:
                boards = [["/unit/board"] for _ in officers]
                unit = [seeded.supervisor] * args.users, [["/unit/board"]] * args.users
                for label, users, paths in (
                    ("person", officers, pages),
                    ("board (officer)", officers, boards),
                    ("board (unit)", *unit),
                ):
                    measure(f"{label}, alone", base, users[:1], paths[:1], args)
                    measure(f"{label}, reading", base, users, paths, args, args.think)
                    measure(f"{label}, busy", base, users, paths, args)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
