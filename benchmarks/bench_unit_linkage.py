"""Crime linkage for the unit's casework on the demo's synthetic force (not real people): how
long the model takes to fit, how long one person's "offences that may be theirs" take once it
is fitted (the issue's target: a suspect-identification query under 200 ms), and how often the
true offender's unsolved offence comes out on top, using the force's truth.

    uv run python benchmarks/bench_unit_linkage.py [--perpetrators 1000] [--years 3]
                                                   [--seed 20260101] [--people 300]
                                                   [--repeat 3] [--train-suspects N]

The force is generated and imported into a fresh SQLite database (as `streetlight demo` does;
outside the timings). Then:
- read: the casework as a linkage crime table (`casework_crimes`, two queries);
- fit: the model on the solved offences by the reference protocol (`fit_casework`), best of
  `--repeat`;
- person: `person_linkage` as the person page calls it (the cache's state key, the person's
  suspect check, scoring and explaining the top 20, their decisions, the audit entry), for
  `--people` suspects drawn at random (seeded), p50 and p99 in milliseconds;
- truth: for every unsolved offence (no suspect link) with a place whose true offender is a
  suspect of some other offence in the casework, the offence's rank in that person's full list
  (`score_person`, every candidate): the share ranked 1st, in the top 5 and in the top 20, and
  the share never compared (more than 365 days from all their offences), for the single and
  average links.
Nothing here is a test; figures go in docs/unit-linkage.md and the closing note.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: the repository

ZONE = ZoneInfo("Europe/London")


def main() -> None:
    from sqlalchemy import select

    from streetlight.db.engine import make_engine, session_factory
    from streetlight.db.enums import Role
    from streetlight.db.migrate import upgrade
    from streetlight.db.models import UnitPerson
    from streetlight.linkage.identify import Link
    from streetlight.unit import linkage_casework as lc
    from streetlight.unit import synthetic_layout as layout
    from streetlight.unit.access import Reader
    from streetlight.unit.importer import import_extract
    from streetlight.unit.mapping import load_mapping
    from streetlight.unit.synthetic import SyntheticConfig, make_extract

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--perpetrators", type=float, default=1_000.0, help="a year (demo: 1000)")
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--train-suspects",
        type=int,
        help="fit on at most this many suspects' offences, drawn at random (default "
        "linkage_casework.MAX_TRAIN_SUSPECTS, as the pages do)",
    )
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-linkage-"))
    config = SyntheticConfig(
        start=date(2023, 12, 1), years=args.years, perpetrators_per_year=args.perpetrators
    )
    t = time.perf_counter()
    force = make_extract(config, args.seed, folder / "extract").force
    mapping = folder / "unit-synthetic.toml"
    mapping.write_text(layout.mapping_toml(), encoding="utf-8")
    engine = make_engine(f"sqlite:///{folder / 'streetlight.db'}")
    upgrade(engine)
    now = datetime.now(UTC)
    with session_factory(engine).begin() as session:
        import_extract(session, folder / "extract", load_mapping(mapping), actor="bench", now=now)
    print(
        f"synthetic force (not real), seed {args.seed}: {force.offences.height:,} offences, "
        f"generated and imported in {time.perf_counter() - t:.1f} s"
    )
    sessions = session_factory(engine)
    with sessions() as session:
        t = time.perf_counter()
        data = lc.casework_crimes(session, ZONE)
        read = time.perf_counter() - t
        people = dict(session.execute(select(UnitPerson.person_ref, UnitPerson.id)).all())
    limit = args.train_suspects or lc.MAX_TRAIN_SUSPECTS
    train = lc.training_offenders(data, limit=limit)
    fits = []
    for _ in range(args.repeat):
        fitted = lc.fit_casework(data, train=train)
        fits.append(fitted.fit_seconds)
    unsolved = len(data.crimes) - len(set(data.suspect_row.tolist()))
    print(
        f"crime table: {len(data.crimes):,} offences with a place ({data.left_out:,} without), "
        f"{unsolved:,} unsolved, {len(fitted.series):,} suspects; read in {read:.2f} s"
    )
    print(
        f"fit ({fitted.model_name}): {fitted.linked_pairs:,} linked and "
        f"{fitted.unlinked_pairs:,} unlinked pairs, best of {args.repeat}: {min(fits):.2f} s"
    )

    # --- One person's results as the page asks for them -------------------------------------
    cache = lc.LinkageCache()
    reader = Reader(0, "bench", Role.UNIT_SUPERVISOR)
    rng = np.random.default_rng(args.seed)
    suspects = np.array(sorted(fitted.series))
    chosen = rng.choice(suspects, size=min(args.people, len(suspects)), replace=False)
    times: list[float] = []
    shown: list[int] = []
    with sessions() as session:
        cache.prime(session, ZONE, fitted)  # as after the first page's fit
        for person_id in chosen:
            person = session.get(UnitPerson, int(person_id))
            assert person is not None
            t = time.perf_counter()
            found = lc.person_linkage(session, reader, person, zone=ZONE, now=now, cache=cache)
            times.append(time.perf_counter() - t)
            shown.append(found.compared)
        session.rollback()
    ms = sorted(1000 * v for v in times)
    p99 = ms[min(len(ms) - 1, int(0.99 * len(ms)))]
    print(
        f"person ({len(ms)} suspects, {statistics.median(shown):.0f} unsolved compared at the "
        f"median, {max(shown):,} at most): p50 {statistics.median(ms):.1f} ms, p99 {p99:.1f} ms, "
        f"max {ms[-1]:.1f} ms"
    )

    # --- Against the truth ----------------------------------------------------------------------
    truth = dict(force.truth.select("offence_ref", "person_ref").iter_rows())
    solved = np.zeros(len(data.crimes), dtype=bool)
    solved[data.suspect_row] = True
    cases = []
    for unsolved_row in np.flatnonzero(~solved).tolist():
        offender = people.get(truth.get(str(data.crimes.ids[unsolved_row]), ""))
        if offender is not None and offender in fitted.series:
            cases.append((unsolved_row, offender))
    print(
        f"truth: {len(cases):,} of {unsolved:,} unsolved offences are by a suspect of another "
        "offence in the casework"
    )
    links: tuple[Link, ...] = ("single", "average")
    for link in links:
        ranks: list[int | None] = []
        lists: dict[int, dict[int, int]] = {}
        for row, offender in cases:
            if offender not in lists:
                scored = lc.score_person(fitted, offender, top=None, link=link)
                lists[offender] = {int(r): k + 1 for k, r in enumerate(scored.rows)}
            ranks.append(lists[offender].get(row))
        n = len(ranks)

        def share(limit: int, ranks: list[int | None] = ranks, n: int = n) -> str:
            return f"{sum(r is not None and r <= limit for r in ranks) / n:.1%}"

        never = sum(r is None for r in ranks) / n
        print(
            f"  {link:<7} top 1 {share(1)}, top 5 {share(5)}, top 20 {share(20)}; "
            f"never compared {never:.1%}"
        )
    engine.dispose()


if __name__ == "__main__":
    main()
