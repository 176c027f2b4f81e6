"""National-size ingest: time, rows/s and peak memory at 1, 5 and 20 million rows, with the
no-checks floor beside it in the same run.

    uv run python benchmarks/bench_national_ingest.py [--rows 1000000,5000000,20000000]
        [--work /tmp/streetlight-national] [--keep-store DIR] [--seed 0]
        [--batch-mib 48] [--against OLD/src]

For each size: a synthetic national archive is built (`national_archive.py`: the bundled sample
under the 44 force slugs, ids and bytes altered), then `streetlight.ingest.ingest` runs on it in
a fresh process, then the floor, then (with `--against`) another source tree's ingest. Peak
memory is the largest sum of resident memory over the process and all its children (the ingest
runs a pool of worker processes), sampled every 0.1 s from /proc; Linux only. The archive and
the stores are deleted after each size, but for `--keep-store`: the store of the largest size
is moved there (for query benchmarks). Nothing here is a test; figures go in CHANGELOG.md.

The floor is `bench_ingest.py`'s (inflate and hash every file, one typed polars CSV parse, the
month as a date, one zstd Parquet file per partition: no checks, quarantine, ids, projection or
manifest), taken in batches of files of the ingest's size so that it, too, fits in memory at
20 million rows, and partitioned by force and month as the store is.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_ingest import child_env
from benchmarks.national_archive import build_archive

REPO = Path(__file__).resolve().parents[1]

INGEST = """
import inspect, json, sys, time
from streetlight.ingest import ingest
from streetlight.store import Store
store = Store.open(sys.argv[2], create=True)
# An older tree (--against) has no batches.
streaming = "batch_bytes" in inspect.signature(ingest).parameters
options = {"batch_bytes": int(sys.argv[3])} if streaming else {}
t = time.perf_counter()
report = ingest([sys.argv[1]], store, **options)
seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds, "rows": report.rows_read, "accepted": report.accepted,
                  "quarantined": report.quarantined}))
"""

# As bench_ingest.FLOOR, batch by batch (same byte budget as the ingest's batches).
FLOOR = """
import hashlib, json, sys, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import polars as pl
from streetlight.ingest.plan import plan_batches
from streetlight.ingest.sources import expand_sources

OUT = Path(sys.argv[2])

def load(f):
    data = f.read_bytes()
    return data, hashlib.sha256(data).hexdigest()

def write(item):
    (force, month), part = item
    path = OUT / f"force={force}" / f"month={month:%Y-%m}" / f"part-{BATCH}.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    part.write_parquet(path, compression="zstd", compression_level=1)

t = time.perf_counter()
files, _ = expand_sources([sys.argv[1]], ("*.csv",))
rows = 0
with ThreadPoolExecutor(2) as pool:
    for BATCH, batch in enumerate(plan_batches(files, int(sys.argv[3]))):
        loaded = list(pool.map(load, batch))
        frame = pl.read_csv(
            [data for data, _ in loaded],
            schema_overrides={"Longitude": pl.Float64, "Latitude": pl.Float64},
            infer_schema=False,
        ).with_columns(pl.col("Month").str.to_date("%Y-%m"))
        rows += frame.height
        list(pool.map(write, frame.partition_by("Falls within", "Month", as_dict=True).items()))
print(json.dumps({"seconds": time.perf_counter() - t, "rows": rows}))
"""


def _children() -> dict[int, list[int]]:
    """Parent pid -> child pids, for every process on the machine (from /proc)."""
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry.name}/stat").read_text(encoding="ascii", errors="replace")
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _rss_kib(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def tree_pids(root: int) -> list[int]:
    """`root` and all its descendants."""
    tree = _children()
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo += tree.get(pid, [])
    return pids


def run_child(code: str, *args: str, src: Path | None = None) -> dict[str, float]:
    """Run `code` in a fresh interpreter; its JSON result plus the peak RSS of its process tree."""
    env = child_env(src)
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args], stdout=subprocess.PIPE, cwd=REPO, text=True, env=env
    )
    peak = 0.0
    done = threading.Event()

    def sample() -> None:
        # Listing every process on the machine costs CPU the run would feel: the tree is
        # listed once a second, its members' memory read every 0.1 s.
        nonlocal peak
        pids: list[int] = []
        listed = 0.0
        while not done.is_set():
            if time.monotonic() - listed > 1.0:
                pids, listed = tree_pids(proc.pid), time.monotonic()
            peak = max(peak, sum(_rss_kib(pid) for pid in pids) / 1024)
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = proc.communicate()
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"child failed with status {proc.returncode}")
    result: dict[str, float] = json.loads(output)
    result["peak_mib"] = peak
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", default="1000000,5000000,20000000")
    parser.add_argument("--work", type=Path, default=Path("/tmp/streetlight-national"))
    parser.add_argument("--keep-store", type=Path, help="move the largest size's store here")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch-mib", type=int, default=48)
    parser.add_argument("--against", type=Path, help="another source tree (its src/) to time")
    args = parser.parse_args()
    sizes = [int(s) for s in args.rows.split(",")]
    budget = str(args.batch_mib * 1024 * 1024)
    print(f"{'rows':>12}{'what':>12}{'seconds':>9}{'rows/s':>10}{'peak MiB':>10}", flush=True)
    for size in sizes:
        work = args.work / f"{size}"
        shutil.rmtree(work, ignore_errors=True)
        t = time.perf_counter()
        archive = build_archive(work / "archive", size, args.seed)
        print(
            f"# archive: {archive.rows:,} rows, {archive.files:,} files, "
            f"{archive.bytes / 1e9:.2f} GB, {archive.first_month} to {archive.last_month} "
            f"(built in {time.perf_counter() - t:.0f} s)",
            flush=True,
        )
        runs = [("ingest", INGEST, None), ("floor", FLOOR, None)]
        if args.against is not None:
            runs.append(("--against", INGEST, args.against))
        for name, code, src in runs:
            out = work / name.strip("-")
            result = run_child(code, str(archive.root), str(out), budget, src=src)
            print(
                f"{int(result['rows']):>12,}{name:>12}{result['seconds']:9.1f}"
                f"{result['rows'] / result['seconds']:10,.0f}{result['peak_mib']:10.0f}",
                flush=True,
            )
            if name == "ingest" and "quarantined" in result:
                print(
                    f"# accepted {int(result['accepted']):,}, quarantined "
                    f"{int(result['quarantined']):,}",
                    flush=True,
                )
        if args.keep_store is not None and size == max(sizes):
            shutil.rmtree(args.keep_store, ignore_errors=True)
            shutil.move(str(work / "ingest"), str(args.keep_store))
            print(f"# store kept at {args.keep_store}", flush=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
