"""`incidents()` from a store in an S3 bucket against the same store in a folder.

    nice -n 10 uv run python benchmarks/bench_bucket_queries.py [--store DIR] [--repeat 50]
        [--info-runs 3]

The bucket is moto's S3 server on 127.0.0.1 (tests/s3.py), authentication on, and the store is
published to it as an operator would (`aws s3 sync`, manifest last). So the figures measure
Streetlight's and polars' own work for a bucket (signing requests, one GET per partition file,
the manifest read through pyarrow's S3 client) over loopback to an emulator that holds the files
in memory: they say nothing of a real bucket's latency (tens of milliseconds a request across a
network) or throughput. Without `--store`, the bundled sample is ingested into a temporary
folder. The query is `bench_national_queries.py`'s: the largest force, its most and least common
categories, its last 12 months; each answer is checked equal from both places. `streetlight info`
is timed as a whole process from both places, as there.
Figures go in CHANGELOG.md and the issue's closing note; nothing here is a test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: the repository's root on the path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.bench_national_queries import choose, info_times, ms, percentile

REPO = Path(__file__).resolve().parents[1]
SAMPLE_ZIP = REPO / "data" / "sample" / "cleveland-2023-12_2025-11.zip"


def timed(where: str | Path, query: tuple[str, str, str, str], repeat: int) -> list[float]:
    """Seconds of `Store.open` (first) then of `repeat` warm queries after one not counted."""
    from streetlight.store import Store

    start = time.perf_counter()
    store = Store.open(where)
    times = [time.perf_counter() - start]
    force, category, first, last = query
    for i in range(repeat + 1):
        start = time.perf_counter()
        store.incidents(force=force, categories=[category], start=first, end=last)
        if i:
            times.append(time.perf_counter() - start)
    return times


def same_answer(url: str, folder: Path, query: tuple[str, str, str, str]) -> int:
    from streetlight.store import Store

    force, category, first, last = query
    asked = {"force": force, "categories": [category], "start": first, "end": last}
    there = Store.open(url).incidents(**asked)  # type: ignore[arg-type]
    here = Store.open(folder).incidents(**asked)  # type: ignore[arg-type]
    if not there.equals(here):
        raise SystemExit(f"{url}: not the rows the folder {folder} gives for {query}")
    return here.height


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--store", type=Path, help="store folder [default: the sample, ingested]")
    parser.add_argument("--repeat", type=int, default=50, help="warm queries per place")
    parser.add_argument("--info-runs", type=int, default=3, help="`streetlight info` processes")
    args = parser.parse_args()
    from tests.s3 import s3_server

    from streetlight.ingest import ingest
    from streetlight.store import Store

    with tempfile.TemporaryDirectory() as tmp, s3_server() as server:
        folder = args.store
        if folder is None:
            folder = Path(tmp) / "store"
            ingest([SAMPLE_ZIP], Store.open(folder, create=True))
        os.environ.update(server.env())  # how every reader is given the bucket
        url = server.publish(folder, "streetlight-bench", "store")
        files = len(Store.open(folder).manifest.partitions)
        print(f"store {folder} ({files} partition files) and {url} on moto at {server.endpoint}")
        for query in choose(folder, None, None):
            rows = same_answer(url, folder, query)
            force, category, first, last = query
            print(f"incidents(force={force!r}, categories=[{category!r}], {first}..{last}):")
            print(f"  {rows:,} rows, the same from both")
            for name, where in (("folder", folder), ("bucket", url)):
                opened, *times = timed(where, query, args.repeat)
                print(
                    f"  {name}: median {ms(statistics.median(times))}, p99 "
                    f"{ms(percentile(times, 0.99))} ({args.repeat} warm); Store.open {ms(opened)}"
                )
        streetlight = shutil.which("streetlight")
        if streetlight is None:
            raise SystemExit("run under `uv run` so the `streetlight` command is on PATH")
        for name, where in (("folder", folder), ("bucket", url)):
            times = info_times([streetlight, "info", "--store", str(where)], args.info_runs)
            print(
                f"streetlight info, {name} (whole process, {args.info_runs} runs): median "
                f"{statistics.median(times):.2f} s, max {max(times):.2f} s"
            )
    print("(the bucket is an emulator on loopback: no network latency in these figures)")


if __name__ == "__main__":
    main()
