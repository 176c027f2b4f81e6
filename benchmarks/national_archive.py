"""A synthetic national data.police.uk archive, made from the bundled Cleveland sample.

data.police.uk's archive of every force for 36 months holds about 20 million rows; nothing of
that size can ship with the repository, so the national benchmark builds one of any size: the
sample's street files copied under the 44 real force slugs (43 England & Wales forces and
British Transport Police), month after month going back in time as far as the size needs, in
the archive's own layout (`YYYY-MM/YYYY-MM-<force>-street.csv`, unpacked).

Each copy changes what the ingest deduplicates on, so no row is dropped as already seen: the
`Month` column and the file name carry the copy's month, `Reported by` and `Falls within` name
the copy's force, and every Crime ID's first 8 hex digits are replaced by a prefix unique to the
copy (drawn with `seed`), so ids, file bytes and file hashes all differ between copies.
Coordinates, places and outcomes are the sample's: every row passes the checks (the sample has
none to quarantine), and every check still runs on every row.

    uv run python benchmarks/national_archive.py OUT_DIR --rows 1000000 [--seed 0]
"""

from __future__ import annotations

import argparse
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample" / "cleveland-2023-12_2025-11.zip"

# The force slugs of data.police.uk: the 43 territorial forces of England and Wales and BTP.
FORCES: tuple[str, ...] = (
    "avon-and-somerset",
    "bedfordshire",
    "cambridgeshire",
    "cheshire",
    "city-of-london",
    "cleveland",
    "cumbria",
    "derbyshire",
    "devon-and-cornwall",
    "dorset",
    "durham",
    "dyfed-powys",
    "essex",
    "gloucestershire",
    "greater-manchester",
    "gwent",
    "hampshire",
    "hertfordshire",
    "humberside",
    "kent",
    "lancashire",
    "leicestershire",
    "lincolnshire",
    "merseyside",
    "metropolitan",
    "norfolk",
    "north-wales",
    "north-yorkshire",
    "northamptonshire",
    "northumbria",
    "nottinghamshire",
    "south-wales",
    "south-yorkshire",
    "staffordshire",
    "suffolk",
    "surrey",
    "sussex",
    "thames-valley",
    "warwickshire",
    "west-mercia",
    "west-midlands",
    "west-yorkshire",
    "wiltshire",
    "british-transport-police",
)
_SMALL_WORDS = {"and", "of"}


def force_name(slug: str) -> str:
    """A force's name as the files' `Falls within` spells it ("City of London Police")."""
    words = [w if w in _SMALL_WORDS else w.capitalize() for w in slug.split("-")]
    name = " ".join(words)
    return name if name.endswith("Police") else f"{name} Police"


@dataclass(frozen=True)
class Archive:
    """What `build_archive` wrote."""

    root: Path
    rows: int
    files: int
    bytes: int
    first_month: str
    last_month: str


def _sample_months(sample: Path) -> list[tuple[str, pl.DataFrame]]:
    """The sample's (YYYY-MM, rows as text) per street file, latest month first."""
    months = []
    with zipfile.ZipFile(sample) as archive:
        for name in archive.namelist():
            if name.endswith("-street.csv"):
                frame = pl.read_csv(archive.read(name), infer_schema=False)
                months.append((Path(name).name[:7], frame))
    return sorted(months, key=lambda m: m[0], reverse=True)


def _shift(month: str, back: int) -> str:
    """`month` (YYYY-MM) moved `back` months into the past."""
    index = int(month[:4]) * 12 + int(month[5:7]) - 1 - back
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def build_archive(out_dir: Path, rows: int, seed: int = 0, sample: Path = SAMPLE) -> Archive:
    """Write an archive of `rows` rows (the last file cut to fit) under `out_dir`.

    Months go back in time from the sample's last, each written for every force in turn (so
    even a small archive holds all 44 forces); copy k of the sample is its months moved k spans
    into the past, so every (force, month) has one file, as in the real archive. Deterministic
    for a given `seed`.
    """
    months = _sample_months(sample)
    span = len(months)
    rng = np.random.default_rng(seed)
    per_copy = sum(frame.height for _, frame in months)
    copies = -(-rows // per_copy)
    # One distinct 32-bit id prefix per (copy, force): drawn without replacement.
    prefixes = rng.choice(2**32, size=copies * len(FORCES), replace=False)
    written = files = size = 0
    seen_months: list[str] = []
    for copy in range(copies):
        for source_month, frame in months:
            for f, force in enumerate(FORCES):
                if written >= rows:
                    break
                prefix = f"{int(prefixes[copy * len(FORCES) + f]):08x}"
                name = force_name(force)
                month = _shift(source_month, copy * span)
                part = frame.head(rows - written).with_columns(
                    (pl.lit(prefix) + pl.col("Crime ID").str.slice(8)).alias("Crime ID"),
                    pl.lit(month).alias("Month"),
                    pl.lit(name).alias("Reported by"),
                    pl.lit(name).alias("Falls within"),
                )
                path = out_dir / month / f"{month}-{force}-street.csv"
                path.parent.mkdir(parents=True, exist_ok=True)
                part.write_csv(path)
                written += part.height
                files += 1
                size += path.stat().st_size
                seen_months.append(month)
    return Archive(out_dir, written, files, size, min(seen_months), max(seen_months))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    archive = build_archive(args.out_dir, args.rows, args.seed)
    print(
        f"{archive.root}: {archive.rows:,} rows in {archive.files:,} files "
        f"({archive.bytes / 1e9:.2f} GB), {archive.first_month} to {archive.last_month}"
    )


if __name__ == "__main__":
    main()
