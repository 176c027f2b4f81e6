"""Ingest speed and memory, side by side with a plain pandas.read_csv of the same files and
with a floor: the bare reading and writing any ingest into this store does, without its checks.

    uv run python benchmarks/bench_ingest.py [ZIP] [--repeat 3] [--against OLD/src]

Each measurement runs in a fresh child process (so peak memory is that run's own), timing the
work after imports. `--against` also times the ingest of another source tree (say an older
checkout's `src/`) in the same run, interleaved, so a change is measured side by side under the
same machine load. Figures go in CHANGELOG.md and the issue's closing note; nothing here is a test.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_ZIP = REPO.parent / "shared" / "data" / "police-uk" / "cleveland-2023-01_2025-11.zip"

STREETLIGHT = """
import json, sys, time
from streetlight.ingest import ingest
from streetlight.store import Store
times = []
for run in ("cold", "warm"):  # the second run has PROJ transformers and polars warmed up
    store = Store.open(f"{sys.argv[2]}-{run}", create=True)
    t = time.perf_counter()
    report = ingest([sys.argv[1]], store)
    times.append(time.perf_counter() - t)
print(json.dumps({"seconds": times[0], "warm": times[1], "rows": report.rows_read}))
"""

# The least any ingest into a force-month Parquet store does with these libraries: inflate and
# hash every member, one typed polars CSV parse, the month as a date, one zstd file per month.
# No checks, quarantine, ids, projection or manifest: a floor for the figures, not a rival.
FLOOR = """
import hashlib, json, sys, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import polars as pl
from streetlight.ingest.sources import expand_sources

def load(f):
    data = f.read_bytes()
    return data, hashlib.sha256(data).hexdigest()

def write(item):
    (month,), part = item
    path = Path(OUT) / f"month={month:%Y-%m}" / "part.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    part.write_parquet(path, compression="zstd", compression_level=1)

times = []
for run in ("cold", "warm"):
    OUT = f"{sys.argv[2]}-{run}"
    t = time.perf_counter()
    files, _ = expand_sources([sys.argv[1]], ("*.csv",))
    with ThreadPoolExecutor(2) as pool:
        loaded = list(pool.map(load, files))
    frame = pl.read_csv(
        [data for data, _ in loaded],
        schema_overrides={"Longitude": pl.Float64, "Latitude": pl.Float64},
        infer_schema=False,
    ).with_columns(pl.col("Month").str.to_date("%Y-%m"))
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(write, frame.partition_by("Month", as_dict=True).items()))
    times.append(time.perf_counter() - t)
print(json.dumps({"seconds": times[0], "warm": times[1], "rows": frame.height}))
"""

PANDAS = """
import io, json, sys, time, zipfile
import pandas as pd
t = time.perf_counter()
with zipfile.ZipFile(sys.argv[1]) as z:
    names = [n for n in z.namelist() if n.endswith(".csv")]
    frame = pd.concat([pd.read_csv(io.BytesIO(z.read(n))) for n in names], ignore_index=True)
print(json.dumps({"seconds": time.perf_counter() - t, "rows": len(frame)}))
"""


def child_env(src: Path | None) -> dict[str, str]:
    """This environment; with `src`, that source tree imported instead of the installed package."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(src), env.get("PYTHONPATH", "")]).rstrip(
            os.pathsep
        )
    return env


def run_child(code: str, *args: str, src: Path | None = None) -> dict[str, float]:
    """Run `code` in a fresh interpreter; its JSON result plus the child's peak RSS in MiB.

    With `src`, that source tree is imported instead of the installed package.
    """
    env = child_env(src)
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args], stdout=subprocess.PIPE, cwd=REPO, text=True, env=env
    )
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"child failed with status {proc.returncode}")
    result: dict[str, float] = json.loads(output)
    result["peak_mib"] = usage.ru_maxrss / 1024  # Linux reports KiB
    return result


def query_time(store_path: str, repeat: int = 20) -> tuple[float, int]:
    from streetlight.store import Store

    store = Store.open(store_path)
    times, rows = [], 0
    for _ in range(repeat):
        t = time.perf_counter()
        frame = store.incidents(
            force="cleveland",
            categories=["Violence and sexual offences"],
            start="2024-12",
            end="2025-11",
        )
        times.append(time.perf_counter() - t)
        rows = frame.height
    return statistics.median(times), rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("zip", nargs="?", type=Path, default=DEFAULT_ZIP)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--against", type=Path, help="another source tree (its src/ folder) to time alongside"
    )
    args = parser.parse_args()
    if not args.zip.exists():
        raise SystemExit(f"{args.zip}: not found")
    if args.against is not None and not (args.against / "streetlight").is_dir():
        raise SystemExit(f"{args.against}: no streetlight package here (give its src/ folder)")
    ours, theirs, floor, other = [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeat):  # alternate, so machine noise hits all alike
            ours.append(run_child(STREETLIGHT, str(args.zip), f"{tmp}/store{i}"))
            theirs.append(run_child(PANDAS, str(args.zip)))
            floor.append(run_child(FLOOR, str(args.zip), f"{tmp}/floor{i}"))
            if args.against is not None:
                store = f"{tmp}/other{i}"
                other.append(run_child(STREETLIGHT, str(args.zip), store, src=args.against))
        query, query_rows = query_time(f"{tmp}/store0-cold")
    rows = int(ours[0]["rows"])
    best = min(r["seconds"] for r in ours)
    warm = min(r["warm"] for r in ours)
    best_pd = min(r["seconds"] for r in theirs)
    print(f"input: {args.zip.name}, {rows:,} rows; best of {args.repeat} runs each")
    print(f"{'':28}{'seconds':>9}{'rows/s':>12}{'peak MiB':>10}")
    print(
        f"{'streetlight ingest':28}{best:9.3f}{rows / best:12,.0f}"
        f"{max(r['peak_mib'] for r in ours):10.0f}"
    )
    print(f"{'  same, second in a process':28}{warm:9.3f}{rows / warm:12,.0f}")
    print(
        f"{'pandas.read_csv (parse only)':28}{best_pd:9.3f}{rows / best_pd:12,.0f}"
        f"{max(r['peak_mib'] for r in theirs):10.0f}"
    )
    best_floor, warm_floor = (min(r[k] for r in floor) for k in ("seconds", "warm"))
    print(
        f"{'floor: no checks (see FLOOR)':28}{best_floor:9.3f}{rows / best_floor:12,.0f}"
        f"{max(r['peak_mib'] for r in floor):10.0f}"
    )
    print(f"{'  same, second in a process':28}{warm_floor:9.3f}{rows / warm_floor:12,.0f}")
    if other:
        best_other = min(r["seconds"] for r in other)
        print(
            f"{'  the --against tree':28}{best_other:9.3f}{rows / best_other:12,.0f}"
            f"{max(r['peak_mib'] for r in other):10.0f}"
        )
        warm_other = min(r["warm"] for r in other)
        print(f"{'    second in a process':28}{warm_other:9.3f}{rows / warm_other:12,.0f}")
    print(f"ratio streetlight / pandas time: {best / best_pd:.2f}")
    print(
        f"ratio streetlight / floor time: {best / best_floor:.2f} (second ingest {warm / warm_floor:.2f})"
    )
    if other:
        print(f"ratio --against tree / pandas time: {best_other / best_pd:.2f}")
    print(
        f"incidents(cleveland, violence, 12 months): {query * 1000:.1f} ms median, {query_rows:,} rows"
    )


if __name__ == "__main__":
    main()
