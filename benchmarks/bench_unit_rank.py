"""The harm rankings on the force-sized synthetic force (not real people): about 300,000
offences in three years, ranked as of one date by each method. The issue's target: under 1 s.

    uv run python benchmarks/bench_unit_rank.py [--preset force|default] [--seed 20260101]
                                                [--as-of YYYY-MM-DD] [--repeat 3]

Prints, per method, the best of `--repeat` fits (seconds), how many people it ranked and the
first person's allegations and victims. The force is generated once, outside the timing; the
weights are read once (`read_harm_weights`, `read_rfgv_weights`), as the CLI does. Nothing here
is a test; figures go in CHANGELOG.md and the issue's note.
"""

from __future__ import annotations

import argparse
import time
from datetime import date, timedelta

from streetlight.unit.ranking import METHODS, Ranking
from streetlight.unit.ranking_weights import read_harm_weights, read_rfgv_weights
from streetlight.unit.synthetic import PRESETS, generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--preset", choices=list(PRESETS), default="force")
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--as-of", type=date.fromisoformat, help="default: the extract's last day")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    t = time.perf_counter()
    force = generate(PRESETS[args.preset], args.seed)
    as_of = args.as_of or force.end - timedelta(days=1)
    print(
        f"{args.preset} (synthetic), seed {args.seed}: {force.offences.height:,} offences, "
        f"{force.links.height:,} links, generated in {time.perf_counter() - t:.1f} s; "
        f"ranked as of {as_of}"
    )
    harm, rfgv = read_harm_weights(), read_rfgv_weights()
    for method in METHODS:
        best = float("inf")
        for _ in range(args.repeat):
            ranking = Ranking(method=method, harm=harm, rfgv=rfgv)
            t = time.perf_counter()
            ranking.fit(force.offences, force.links, as_of=as_of)
            best = min(best, time.perf_counter() - t)
        first = ranking.top(1)
        lead = (
            f"; first: {first[0].allegations} allegations, {first[0].victims} victims"
            if first
            else ""
        )
        print(f"  {method:<7} {best:6.3f} s  {ranking.scores_.height:>7,} ranked{lead}")


if __name__ == "__main__":
    main()
