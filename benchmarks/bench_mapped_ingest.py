"""A force's mapped export at scale: time, rows/s and peak memory of the streamed ingest (and of
the whole-input path beside it, up to `--whole-max` rows), and the bytes a row its cross-file
rules read.

    uv run python benchmarks/bench_mapped_ingest.py [--rows 1000000,5000000]
        [--work /tmp/streetlight-mapped] [--whole-max 1000000] [--batch-mib 16]

The export is the St. Louis 2015-2019 one (`../shared/data/force-exports`), its 60 monthly files
copied as often as the size needs, each copy's complaint numbers prefixed with its own tag: so
every copy keeps the export's re-issues and reversals (about 6% of its rows), under other
incidents. Peak memory is the largest sum of resident memory over the ingest's process and its
workers (`bench_national_ingest.run_child`); Linux only. Nothing here is a test; figures go in
CHANGELOG.md.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
import zipfile
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_national_ingest import run_child

REPO = Path(__file__).resolve().parents[1]
EXPORT = REPO.parent / "shared" / "data" / "force-exports" / "st-louis-2015_2019.zip"
MAPPING = REPO / "mappings" / "st-louis.toml"
ROWS_A_COPY = 246_291  # data rows in the export's files

INGEST = """
import json, sys, time
from streetlight.ingest import ingest
from streetlight.ingest.mapping import MappedFormat, load_mapping
from streetlight.store import Store
store = Store.open(sys.argv[2], create=True)
fmt = MappedFormat(load_mapping(sys.argv[4]))
t = time.perf_counter()
report = ingest([sys.argv[1]], store, fmt, batch_bytes=int(sys.argv[3]),
                whole=sys.argv[5] == "whole")
seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds, "rows": report.rows_read, "accepted": report.accepted,
                  "quarantined": report.quarantined}))
"""

# The bytes a row of what the rules read of the whole input (`held_records`: the resolution
# columns, month and coordinates; staged, and read back a group of incidents at a time),
# against the whole row as the row rules leave it, on one copy of the export.
WIDTH = """
import json, sys
from streetlight.ingest.batch import load_file, parse_files
from streetlight.ingest.csvread import read_sniffed
from streetlight.ingest.mapped_stream import held_records
from streetlight.ingest.mapping import MappedFormat, load_mapping
from streetlight.ingest.sources import expand_sources
fmt = MappedFormat(load_mapping(sys.argv[2]))
files, _ = expand_sources([sys.argv[1]], fmt.patterns)
raws = read_sniffed([load_file(f, frozenset()).sniffed for f in files])
rows = parse_files(fmt, raws, None, rules=fmt.check).accepted
small = held_records(rows).rechunk()
print(json.dumps({"rows": rows.height, "small": small.estimated_size() / rows.height,
                  "whole": rows.estimated_size() / rows.height}))
"""


def build_export(folder: Path, rows: int) -> int:
    """Copies of the export's files under `folder` (`c000/2019/august2019.csv`, ...) until
    `rows` data rows; each copy's complaints prefixed `K<copy>-`. The number of copies."""
    copies = max(1, round(rows / ROWS_A_COPY))
    with zipfile.ZipFile(EXPORT) as archive:
        members = [n for n in archive.namelist() if n.endswith(".csv")]
        texts = {n: archive.read(n) for n in members}
    for k in range(copies):
        tag = f"K{k}-".encode()
        for name, data in texts.items():
            header, _, body = data.partition(b"\n")
            # The complaint is every file's first column, never quoted.
            lines = [tag + line if line.strip() else line for line in body.split(b"\n")]
            path = folder / f"c{k:03d}" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(header + b"\n" + b"\n".join(lines))
    return copies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", default="1000000,5000000")
    parser.add_argument("--work", type=Path, default=Path("/tmp/streetlight-mapped"))
    parser.add_argument("--whole-max", type=int, default=1_000_000)
    parser.add_argument("--batch-mib", type=int, default=16)
    args = parser.parse_args()
    if not EXPORT.exists():
        raise SystemExit(f"{EXPORT}: the St. Louis export is not there")
    budget = str(args.batch_mib * 1024 * 1024)
    width = run_child(WIDTH, str(EXPORT), str(MAPPING))
    print(
        f"# read by the rules: {width['small']:.1f} bytes a row (staged); "
        f"the checked row whole: {width['whole']:.0f} bytes ({int(width['rows']):,} rows)",
        flush=True,
    )
    print(f"{'rows':>12}{'path':>10}{'seconds':>9}{'rows/s':>10}{'peak MiB':>10}", flush=True)
    for size in (int(s) for s in args.rows.split(",")):
        work = args.work / f"{size}"
        shutil.rmtree(work, ignore_errors=True)
        t = time.perf_counter()
        copies = build_export(work / "export", size)
        print(f"# {copies} copies of the export (built in {time.perf_counter() - t:.0f} s)")
        paths = ["streamed", *(["whole"] if size <= args.whole_max else [])]
        for path in paths:
            out = work / path
            result = run_child(INGEST, str(work / "export"), str(out), budget, str(MAPPING), path)
            print(
                f"{int(result['rows']):>12,}{path:>10}{result['seconds']:9.1f}"
                f"{result['rows'] / result['seconds']:10,.0f}{result['peak_mib']:10.0f}",
                flush=True,
            )
            print(
                f"# accepted {int(result['accepted']):,}, quarantined "
                f"{int(result['quarantined']):,}",
                flush=True,
            )
            shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
