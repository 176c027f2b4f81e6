"""The harm rankings' backtest on the force-sized synthetic force (not real people): 24 monthly
refreshes, each ranked by every method on the year before it and followed for 12 months, with
the leakage check at every refresh. The issue's target: under 1 minute.

    uv run python benchmarks/bench_unit_backtest.py [--preset force|default] [--seed 20260101]
                                                    [--from 2024-01] [--to 2025-12]

The force is generated for four years from 2023 (a year of history before the first refresh,
twelve months of follow-up after the last), outside the timing. Prints the seconds, the
leakage check, and the headline figures: per list, the mean share of follow-up VAWG harm held
by the top 100 and the top 1% with 95% block-bootstrap intervals, the gains over count, recent
and random, and the share no list can see. Nothing here is a test; figures go in CHANGELOG.md
and the issue's note.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from datetime import date

from streetlight.unit.rank_backtest import backtest
from streetlight.unit.ranking_weights import read_harm_weights, read_rfgv_weights
from streetlight.unit.synthetic import PRESETS, generate


def _month(text: str) -> date:
    return date.fromisoformat(f"{text}-01")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--preset", choices=list(PRESETS), default="force")
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--from", dest="first", type=_month, default=date(2024, 1, 1))
    parser.add_argument("--to", dest="last", type=_month, default=date(2025, 12, 1))
    args = parser.parse_args()
    config = replace(PRESETS[args.preset], start=date(2023, 1, 1), years=4)
    t = time.perf_counter()
    force = generate(config, args.seed)
    print(
        f"{args.preset} (SYNTHETIC), seed {args.seed}: {force.offences.height:,} offences "
        f"{force.start}..{force.end}, generated in {time.perf_counter() - t:.1f} s"
    )
    harm, rfgv = read_harm_weights(), read_rfgv_weights()
    t = time.perf_counter()
    result = backtest(
        force.offences,
        force.links,
        first=args.first,
        last=args.last,
        seed=args.seed,
        harm=harm,
        rfgv=rfgv,
        synthetic=True,
    )
    seconds = time.perf_counter() - t
    n = len(result.refreshes)
    print(f"backtest: {n} refreshes in {seconds:.1f} s; leakage: "
          f"{'none' if result.leak_free else 'FOUND'} ({len(result.leakage)} checks)")  # fmt: skip
    print(f"eligible suspects per refresh: {result.refreshes[0].eligible:,} (first), "
          f"top 1% = {result.refreshes[0].k['share']}")  # fmt: skip
    for listed, label in (("top", f"top {result.top}"), ("share", "top 1%")):
        print(f"{label}: mean share of follow-up VAWG harm [95% interval]")
        for name in result.all_lists():
            s = result.summary(name, listed, "harm_share")
            r = result.summary(name, listed, "repeat_rate")
            print(f"  {name:<7} {s.mean:6.1%} [{s.low:.1%}, {s.high:.1%}]"
                  f"  repeat victimisation {r.mean:.1%}")  # fmt: skip
        for g in result.gains(listed):
            print(f"  {g.method} over {g.baseline}: {g.gain:+.0%} [{g.low:+.0%}, {g.high:+.0%}]")
    unseen = result.unseen()
    unnamed = sum(r.unseen.unnamed_share for r in result.refreshes) / n
    print(f"unseen by any list: {unseen.mean():.1%} of follow-up VAWG harm "
          f"({unnamed:.1%} no named suspect; {unseen.mean() - unnamed:.1%} suspects ranked by "
          "no method)")  # fmt: skip


if __name__ == "__main__":
    main()
