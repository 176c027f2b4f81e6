"""Offender-unit import speed: rows per second into SQLite and PostgreSQL, side by side.

    uv run python benchmarks/bench_unit_import.py [--offences 100000] [--backends sqlite,postgresql]
                                                  [--durable] [--keep DIR]

Writes a random extract in the canonical layout (its own generator below: headers are the
canonical column names, ISO 8601 times, a mapping file beside it): per offence one suspect and one
victim link (a witness in one offence in five), and an arrest, bail or order for some; about 4.7
rows per offence in all. Then, for each backend, on a fresh migrated database:
1. `first`: the import of the whole extract (every row new);
2. `changed`: the import of the same extract with one offence in ten reported an hour later
   (every row compared, a tenth of the offences updated);
3. `again`: the changed extract once more (recognised by its digest: nothing read or written).
Each is timed from reading the mapping to the commit, in this process; rows/s counts every data
row of the extract. PostgreSQL is the tests' throwaway server (no fsync) unless `--durable`.
Nothing here is a test; the figures go in the issue's closing note.
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: the repository
from benchmarks.serving import postgres_cluster

MAPPING = """[unit]
name = "Benchmark force"
timezone = "Europe/London"
crs = "EPSG:27700"
"""
# The canonical columns of each table, in file order (headers = canonical names).
COLUMNS: dict[str, tuple[str, ...]] = {
    "offences": (
        "offence_ref", "ho_code", "category", "vawg", "occurred_from", "occurred_to",
        "reported_at", "x", "y", "relationship",
    ),
    "people": ("person_ref", "surname", "forenames", "date_of_birth", "sex", "ethnicity"),
    "links": ("person_ref", "offence_ref", "role"),
    "arrests": (
        "arrest_ref", "person_ref", "offence_ref", "arrested_at", "charged_at", "outcome",
        "outcome_at",
    ),
    "bail": (
        "bail_ref", "person_ref", "offence_ref", "kind", "starts", "expires", "authority",
        "conditions", "victim_views_sought",
    ),
    "orders": (
        "order_ref", "person_ref", "kind", "starts", "expires", "conditions",
        "protected_person_ref", "breached_at",
    ),
}  # fmt: skip
CODES = ("8U", "8Q", "8L", "19C", "20A", "105A", "8N", "58J", "28E", "88E")
RELATIONSHIPS = ("partner", "ex_partner", "family", "acquaintance", "stranger", "unknown", "")
SURNAMES = ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies")
FORENAMES = ("Alex", "Sam", "Jo", "Chris", "Jamie", "Robin", "Kim", "Lee")
ETHNICITIES = ("W1", "W2", "A1", "A2", "B1", "B2", "M1", "O2", "")
EPOCH = datetime(2023, 1, 1, 6, 0)


def mapping_text(folder: Path) -> str:
    """The identity mapping of an extract written by `write_extract`."""
    lines = [MAPPING]
    for table, columns in COLUMNS.items():
        lines.append(f'[{table}]\nfile = "{table}.csv"\n[{table}.columns]')
        lines += [f'{c} = "{c}"' for c in columns]
        lines.append("")
    return "\n".join(lines)


def _when(rng: random.Random) -> datetime:
    # Local times from 06:00 to 23:59: none falls in the hour the clocks skip in spring.
    day = EPOCH + timedelta(days=rng.randrange(3 * 365))
    return day + timedelta(minutes=rng.randrange(18 * 60))


def _iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M")


def write_extract(
    folder: Path, offences: int, *, people: int | None = None, seed: int = 1, shift_every: int = 0
) -> Path:
    """A random extract of `offences` offences (and `people` people, as many by default) in
    `folder`, in the canonical layout, with its mapping file; returns the mapping's path.
    `shift_every`: report every n-th offence an hour later (a changed extract of the same seed)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    people = max(offences if people is None else people, 2)
    rows: dict[str, list[tuple[object, ...]]] = {name: [] for name in COLUMNS}
    for i in range(people):
        born = datetime(1950, 1, 1) + timedelta(days=rng.randrange(55 * 365))
        rows["people"].append(
            (
                f"P{i:08d}",
                rng.choice(SURNAMES),
                rng.choice(FORENAMES),
                born.strftime("%Y-%m-%d"),
                rng.choice(("male", "female", "male", "unknown")),
                rng.choice(ETHNICITIES),
            )
        )
    for i in range(offences):
        ref = f"CR{i:09d}"
        start = _when(rng)
        end = start + timedelta(hours=rng.randrange(3)) if rng.random() < 0.3 else None
        reported = (end or start) + timedelta(minutes=rng.randrange(2880))
        if shift_every and i % shift_every == 0:
            reported += timedelta(hours=1)
        located = rng.random() < 0.9
        rows["offences"].append(
            (
                ref,
                rng.choice(CODES),
                "Violence and sexual offences",
                "",
                _iso(start),
                _iso(end) if end else "",
                _iso(reported),
                f"{rng.uniform(440_000, 460_000):.0f}" if located else "",
                f"{rng.uniform(510_000, 530_000):.0f}" if located else "",
                rng.choice(RELATIONSHIPS),
            )
        )
        suspect, victim = rng.sample(range(people), 2)
        rows["links"].append((f"P{suspect:08d}", ref, "suspect"))
        rows["links"].append((f"P{victim:08d}", ref, "victim"))
        if rng.random() < 0.2:
            witness = rng.randrange(people)
            if witness not in (suspect, victim):
                rows["links"].append((f"P{witness:08d}", ref, "witness"))
        day = reported.date()
        if rng.random() < 0.3:
            arrested = reported + timedelta(hours=rng.randrange(1, 72))
            rows["arrests"].append(
                (f"A{i:09d}", f"P{suspect:08d}", ref, _iso(arrested), "", "Under investigation", "")
            )
        if rng.random() < 0.2:
            if rng.random() < 0.5:
                expires = day + timedelta(days=rng.randrange(28, 90))
                bail = ("pre_charge_bail", str(expires), "inspector", "No contact", "true")
            else:
                bail = ("rui", "", "", "", "")
            rows["bail"].append((f"B{i:09d}", f"P{suspect:08d}", ref, bail[0], str(day), *bail[1:]))
        if rng.random() < 0.1:
            rows["orders"].append(
                (
                    f"R{i:09d}",
                    f"P{suspect:08d}",
                    "dvpo",
                    str(day),
                    str(day + timedelta(days=28)),
                    "Not to enter the address",
                    f"P{victim:08d}",
                    "",
                )
            )
    for table, columns in COLUMNS.items():
        with (folder / f"{table}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            writer.writerows(rows[table])
    mapping = folder / "mapping.toml"
    mapping.write_text(mapping_text(folder), encoding="utf-8")
    return mapping


def data_rows(folder: Path) -> int:
    return sum(
        sum(1 for _ in (folder / f"{table}.csv").open(encoding="utf-8")) - 1 for table in COLUMNS
    )


def run_import(url: str, folder: Path, mapping: Path) -> tuple[float, str]:
    """Seconds from reading the mapping to the commit, and what the import did."""
    from streetlight.db.engine import make_engine, session_factory
    from streetlight.unit.importer import import_extract
    from streetlight.unit.mapping import load_mapping

    engine = make_engine(url)
    try:
        start = time.perf_counter()
        with session_factory(engine).begin() as session:
            summary = import_extract(
                session, folder, load_mapping(mapping), actor="bench", now=datetime.now(UTC)
            )
        seconds = time.perf_counter() - start
    finally:
        engine.dispose()
    if summary.already_imported:
        return seconds, "already imported"
    accepted = sum(t.accepted for t in summary.tables)
    updated = sum(t.updated for t in summary.tables)
    return seconds, f"{accepted:,} accepted, {updated:,} updated, {len(summary.problems):,} bad"


def migrate(url: str) -> None:
    from streetlight.db.engine import make_engine
    from streetlight.db.migrate import upgrade

    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()


@contextmanager
def databases(backends: list[str], durable: bool, work: Path) -> Iterator[dict[str, str]]:
    urls: dict[str, str] = {}
    if "sqlite" in backends:
        urls["sqlite"] = f"sqlite:///{work / 'bench.db'}"
    if "postgresql" not in backends:
        yield urls
        return
    with postgres_cluster(durable=durable) as cluster:
        urls["postgresql"] = cluster.url(cluster.create_database())
        yield urls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--offences", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--durable", action="store_true", help="PostgreSQL with fsync")
    parser.add_argument("--keep", type=Path, help="write the extracts here and keep them")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-unit-"))
    base = args.keep or work
    t = time.perf_counter()
    first = base / "extract"
    mapping = write_extract(first, args.offences)
    changed = base / "changed"
    write_extract(changed, args.offences, shift_every=10)
    rows = data_rows(first)
    print(
        f"extract: {args.offences:,} offences, {rows:,} rows in all "
        f"(written in {time.perf_counter() - t:.1f} s)"
    )
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    results: dict[str, dict[str, tuple[float, str]]] = {}
    try:
        with databases(backends, args.durable, work) as urls:
            for backend, url in urls.items():
                migrate(url)
                results[backend] = {}
                for label, folder in (("first", first), ("changed", changed), ("again", changed)):
                    results[backend][label] = run_import(url, folder, mapping)
                    seconds, what = results[backend][label]
                    print(
                        f"{backend:<11} {label:<8} {seconds:7.2f} s  {rows / seconds:>11,.0f} "
                        f"rows/s  ({what})",
                        flush=True,
                    )
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    pg = " (PostgreSQL durable)" if args.durable else " (PostgreSQL without fsync)"
    print(f"\nrows/s, {rows:,} rows{pg if 'postgresql' in results else ''}:")
    labels = ("first", "changed", "again")
    print(f"{'':<11}" + "".join(f"{label:>14}" for label in labels))
    for backend, timings in results.items():
        print(f"{backend:<11}" + "".join(f"{rows / timings[x][0]:>14,.0f}" for x in labels))


if __name__ == "__main__":
    main()
