"""Query speed on a national store: `incidents()` for one force, one category and 12 months, and
`streetlight info` as a whole process.

    nice -n 10 uv run python benchmarks/bench_national_queries.py --store /tmp/qstore-20m
        [--force NAME] [--category CAT] [--repeat 200] [--cold 10] [--info-runs 5]

Targets (issue 22): the query under 100 ms and `info` under 2 s on a 20-million-row store of 44
forces x 36 months. Build such a store with `benchmarks/national_store.py`, or point `--store` at
any store (say one the streaming ingest wrote). By default the queries ask for the store's largest
force and its last 12 months, with that force's most common category (the most rows any such
query returns) and its least common one. "cold" is the first query of a fresh process (after
imports and opening the store, with the files in the page cache as a just-used store has them);
"warm" repeats it in one process.
`info` is timed from outside, interpreter start-up and imports included, as a user waits for it.
Figures go in CHANGELOG.md and the issue's closing note; nothing here is a test.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# One query in a fresh interpreter: the time to open the store, and of the first query.
COLD = """
import json, sys, time
from streetlight.store import Store
t = time.perf_counter()
store = Store.open(sys.argv[1])
opened = time.perf_counter() - t
t = time.perf_counter()
frame = store.incidents(force=sys.argv[2], categories=[sys.argv[3]], start=sys.argv[4], end=sys.argv[5])
print(json.dumps({"open": opened, "query": time.perf_counter() - t, "rows": frame.height}))
"""


def choose(
    store_path: Path, force: str | None, category: str | None
) -> list[tuple[str, str, str, str]]:
    """The queries to time: (force, category, first month, last month) each (see the module
    docstring); the force's most and least common categories unless one is given."""
    from streetlight.store import Store
    from streetlight.store.summary import summarise

    summary = summarise(Store.open(store_path))
    if not summary.forces:
        raise SystemExit(f"{store_path}: the store holds no incidents")
    named = [f for f in summary.forces if force is None or force in (f.slug, f.name)]
    if not named:
        raise SystemExit(f"{store_path}: no force {force!r}")
    chosen = max(named, key=lambda f: (f.incidents, f.slug))
    cats = [category] if category else [chosen.categories[0][0], chosen.categories[-1][0]]
    year, month = map(int, chosen.last_month.split("-"))
    first = f"{year - 1:04d}-{month + 1:02d}" if month < 12 else f"{year:04d}-01"
    return [(chosen.slug, cat, first, chosen.last_month) for cat in dict.fromkeys(cats)]


def percentile(values: list[float], q: float) -> float:
    """The q-th quantile, nearest rank (so p99 of 200 runs is the second slowest)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def warm(
    store_path: Path, query: tuple[str, str, str, str], repeat: int
) -> tuple[list[float], int]:
    from streetlight.store import Store

    store = Store.open(store_path)
    force, category, start, end = query
    times, rows = [], 0
    for _ in range(repeat + 1):
        t = time.perf_counter()
        frame = store.incidents(force=force, categories=[category], start=start, end=end)
        times.append(time.perf_counter() - t)
        rows = frame.height
    return times[1:], rows  # the first one is the cold figure's business


def cold(store_path: Path, query: tuple[str, str, str, str], runs: int) -> list[dict[str, float]]:
    results = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", COLD, str(store_path), *query],
            check=True,
            capture_output=True,
            text=True,
            cwd=REPO,
        )
        results.append(json.loads(out.stdout))
    return results


def info_times(command: list[str], runs: int) -> list[float]:
    """Wall seconds of whole `info` processes, after one run not counted (disk cache, .pyc)."""
    times = []
    for i in range(runs + 1):
        t = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, cwd=REPO)
        if i:
            times.append(time.perf_counter() - t)
    return times


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--store", type=Path, required=True, help="store folder to measure")
    parser.add_argument("--force", help="force slug or name [default: the largest]")
    parser.add_argument("--category", help="crime type [default: the force's most common]")
    parser.add_argument("--repeat", type=int, default=200, help="warm queries in one process")
    parser.add_argument("--cold", type=int, default=10, help="fresh processes, one query each")
    parser.add_argument("--info-runs", type=int, default=5, help="`streetlight info` processes")
    args = parser.parse_args()
    if not (args.store / "manifest.json").exists():
        raise SystemExit(f"{args.store}: no incident store here")
    queries = choose(args.store, args.force, args.category)
    manifest = json.loads((args.store / "manifest.json").read_text())
    rows = sum(p["rows"] for p in manifest["partitions"])
    print(
        f"store {args.store}: {rows:,} rows, {len(manifest['forces'])} forces, "
        f"{len(manifest['partitions']):,} partition files, manifest "
        f"{(args.store / 'manifest.json').stat().st_size / 1e6:.1f} MB"
    )
    for query in queries:
        force, category, start, end = query
        print(f"incidents(force={force!r}, categories=[{category!r}], {start}..{end})")
        warm_times, got = warm(args.store, query, args.repeat)
        cold_runs = cold(args.store, query, args.cold)
        cold_times = [r["query"] for r in cold_runs]
        print(f"  rows returned: {got:,}")
        print(
            f"  warm ({args.repeat} in one process): median "
            f"{ms(statistics.median(warm_times))}, p99 {ms(percentile(warm_times, 0.99))}"
        )
        print(
            f"  cold ({args.cold} fresh processes): median {ms(statistics.median(cold_times))}, "
            f"max {ms(max(cold_times))}; Store.open median "
            f"{ms(statistics.median(r['open'] for r in cold_runs))}"
        )
    streetlight = shutil.which("streetlight")
    if streetlight is None:
        raise SystemExit("run under `uv run` so the `streetlight` command is on PATH")
    commands = {"streetlight info": [streetlight, "info", "--store", str(args.store)]}
    uv = shutil.which("uv")
    if uv is not None:
        commands["uv run streetlight info"] = [
            uv,
            "run",
            "streetlight",
            "info",
            "--store",
            str(args.store),
        ]
    for name, command in commands.items():
        times = info_times(command, args.info_runs)
        print(
            f"{name} (whole process, {args.info_runs} runs): median "
            f"{statistics.median(times):.2f} s, max {max(times):.2f} s"
        )


if __name__ == "__main__":
    main()
