"""Build a synthetic national incident store (44 forces x 36 months) from one force's street files.

    nice -n 10 uv run python benchmarks/national_store.py --rows 20000000 --out /tmp/qstore-20m
        [--zip data/sample/cleveland-2023-12_2025-11.zip] [--batch-rows 1000000]

The query benchmark needs a store of national shape: every real data.police.uk force slug, 36
months each, so that the manifest, the file count and the partitions a query skips are as a
national unit's. The sample's months are copied under each force's slug, shifted onto 36
consecutive months and repeated (or cut) to the rows asked for, with Crime IDs altered so nothing
is deduplicated away (the force slugs and names are `national_archive`'s). It was written before
ingest streamed (when it held its whole input, about 1.3 GB per million rows), so the archive
goes in through separate `streetlight ingest` processes of about `--batch-rows` rows each, whole
forces at a time (a force-month is written once, never rewritten).
"""

from __future__ import annotations

import argparse
import math
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import date
from pathlib import Path

import polars as pl

if __package__ in (None, ""):  # run as a script: the repository's root on the path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.national_archive import FORCES, force_name

REPO = Path(__file__).resolve().parents[1]
DEFAULT_ZIP = REPO / "data" / "sample" / "cleveland-2023-12_2025-11.zip"
FIRST_MONTH = date(2023, 1, 1)
MONTHS = 36


def month_at(index: int) -> str:
    year, month = divmod(FIRST_MONTH.month - 1 + index, 12)
    return f"{FIRST_MONTH.year + year:04d}-{month + 1:02d}"


def read_sample(path: Path) -> list[pl.DataFrame]:
    """The sample's street files, one frame per month, every column as text."""
    with zipfile.ZipFile(path) as archive:
        names = sorted(n for n in archive.namelist() if n.endswith("-street.csv"))
        return [pl.read_csv(archive.read(n), infer_schema=False) for n in names]


def force_month(sample: list[pl.DataFrame], force: int, month: int, rows: int) -> pl.DataFrame:
    """One force-month's street file: a sample month tiled or cut to `rows` rows.

    Crime IDs get a prefix naming the force, month and copy, so no two rows share one; rows
    without an ID (anti-social behaviour) differ by month and by their occurrence number.
    """
    source = sample[month % len(sample)]
    position = pl.int_range(rows, eager=True)
    name = force_name(FORCES[force])
    frame = source[(position % source.height).to_list()]
    return frame.with_columns(
        # Null when the row has no ID: concat_str keeps it null.
        pl.concat_str(
            pl.lit(f"{force}-{month}-"),
            pl.lit((position // source.height).cast(pl.String)),
            pl.lit("-"),
            pl.col("Crime ID"),
        ).alias("Crime ID"),
        pl.lit(month_at(month)).alias("Month"),
        pl.lit(name).alias("Reported by"),
        pl.lit(name).alias("Falls within"),
    )


def build(sample_zip: Path, out: Path, total: int, batch_rows: int) -> None:
    sample = read_sample(sample_zip)
    per_force = total // len(FORCES)
    batches = max(1, math.ceil(total / batch_rows))
    per_batch = math.ceil(len(FORCES) / batches)
    done = 0
    started = time.perf_counter()
    for first in range(0, len(FORCES), per_batch):
        with tempfile.TemporaryDirectory(dir=out.parent) as tmp:
            for force in range(first, min(first + per_batch, len(FORCES))):
                for month in range(MONTHS):
                    # Spread the force's rows over its months, the remainder on the first ones.
                    rows = per_force // MONTHS + (month < per_force % MONTHS)
                    key = month_at(month)
                    path = Path(tmp) / key / f"{key}-{FORCES[force]}-street.csv"
                    path.parent.mkdir(exist_ok=True)
                    force_month(sample, force, month, rows).write_csv(path)
                    done += rows
            subprocess.run(
                ["streetlight", "ingest", tmp, "--store", str(out), "--quiet"],
                check=True,
                cwd=REPO,
            )
        elapsed = time.perf_counter() - started
        print(f"{done:,} rows in the store after {elapsed:.0f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, required=True, help="rows in the whole store")
    parser.add_argument("--out", type=Path, required=True, help="store folder (must not exist)")
    parser.add_argument("--zip", type=Path, default=DEFAULT_ZIP, help="data.police.uk street zip")
    parser.add_argument("--batch-rows", type=int, default=1_000_000, help="rows per ingest")
    args = parser.parse_args()
    if args.out.exists():
        raise SystemExit(f"{args.out}: exists; give a new folder")
    if shutil.which("streetlight") is None:
        raise SystemExit("run under `uv run` so the `streetlight` command is on PATH")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    build(args.zip, args.out, args.rows, args.batch_rows)
    print(f"store: {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
