"""The synthetic force (not real people): how long it takes to make and write, how big it is,
and the published figures it achieves, per seed and over seeds (the calibration's measurement).

    uv run python benchmarks/bench_unit_synthetic.py [--preset default|force|both]
                                                     [--seeds 3] [--first-seed 20260101]
                                                     [--write DIR|-]

For each preset and seed: the time to generate (and, with --write, to write the force-like
extract; "-" writes to a temporary folder), the rows per table, and the figures measured as the
three studies measured them (`streetlight.unit.concentration`) beside the published ones:
Barnham, Barnes & Sherman 2017
(Thames Valley: 77.6% no further report within 731 days; the top 3% cause 90% of the harm),
Bland & Ariel 2015 (Suffolk: under 2% of victim-offender pairs hold 80% of domestic-abuse harm;
76% of pairs with no repeat), and London's first top 100 (4.45 offences and 2.01 victims each).
With several seeds, the mean, minimum and maximum of each figure: the spread the tests'
tolerances are set from. Nothing here is a test; figures go in CHANGELOG.md and the issue's note.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from streetlight.unit.concentration import Figures, measure
from streetlight.unit.synthetic import PRESETS, generate, write_extract

PUBLISHED = {
    "no further report (731 days)": 0.776,
    "harm share of the top 3%": 0.90,
    "pairs holding 80% of DA harm": 0.02,
    "pairs reported once": 0.76,
    "top-k offences each": 4.45,
    "top-k victims each": 2.01,
}


def _values(f: Figures) -> dict[str, float]:
    return {
        "no further report (731 days)": f.cohort.no_further,
        "harm share of the top 3%": f.cohort.top_harm_share,
        "pairs holding 80% of DA harm": f.dyads.share_for_80,
        "pairs reported once": f.dyads.single,
        "top-k offences each": f.top.offences,
        "top-k victims each": f.top.victims,
    }


def run(preset: str, seeds: list[int], write: Path | None) -> None:
    config = PRESETS[preset]
    print(f"== {preset}: {config.years} years from {config.start}, "
          f"{config.perpetrators_per_year:,.0f} perpetrators a year (synthetic)")  # fmt: skip
    rows: list[dict[str, float]] = []
    for seed in seeds:
        t = time.perf_counter()
        force = generate(config, seed)
        made = time.perf_counter() - t
        sizes = ", ".join(
            f"{name} {force.table(name).height:,}"
            for name in ("offences", "people", "links", "arrests", "bail", "orders")
        )
        line = f"seed {seed}: generated in {made:.2f} s; {sizes}"
        if write is not None:
            t = time.perf_counter()
            write_extract(force, write / f"{preset}-{seed}")
            line += f"; written in {time.perf_counter() - t:.2f} s"
        print(line)
        t = time.perf_counter()
        figures = measure(force.offences, force.links, start=force.start, end=force.end)
        print(f"  measured in {time.perf_counter() - t:.2f} s")
        for text in figures.lines():
            print("  " + text)
        rows.append(_values(figures))
    if len(rows) > 1:
        print(f"over {len(rows)} seeds: mean [min, max] (published)")
        for name, published in PUBLISHED.items():
            values = [r[name] for r in rows]
            print(
                f"  {name:<30} {statistics.mean(values):.4f} "
                f"[{min(values):.4f}, {max(values):.4f}] ({published})"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--preset", choices=[*PRESETS, "both"], default="both")
    parser.add_argument("--seeds", type=int, default=1, help="how many seeds, from --first-seed")
    parser.add_argument("--first-seed", type=int, default=20260101)
    parser.add_argument("--write", type=Path, help="write each extract under this folder")
    args = parser.parse_args()
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    presets = list(PRESETS) if args.preset == "both" else [args.preset]
    if args.write == Path("-"):
        with tempfile.TemporaryDirectory() as folder:
            for preset in presets:
                run(preset, seeds, Path(folder))
        return
    for preset in presets:
        run(preset, seeds, args.write)


if __name__ == "__main__":
    main()
