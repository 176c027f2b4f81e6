"""Patrol placement at force scale: 650 officers over three shifts on >= 20,000 candidate cells.

    uv run python benchmarks/bench_deploy.py [--store DIR]

Demand is next month's ew-6 forecast of violence for Cleveland on every 150 m cell touching the
LSOA boundaries (about 27,000 cells, all of them candidate posts), split over the shifts by a
profile; units of 2 officers, a 400 m foot-patrol radius, at most 2 units per post, 20% of units
at women's-safety places (snap points at night-time economy and transport places). Reports the
MILP's objective, bound, gap and time per shift beside the greedy baseline; then the whole
`streetlight plan` command on the same store and cells, timed as a user waits for it (a fresh
process: loading, forecasting, the three shifts, writing), the figure the plan's target is for.

Then the same static problem for PySAL spopt's MCLP (pulp + CBC): plain maximal covering, one
unit per post, no women's-safety share, on the cells with forecast demand and the `--spopt-sites`
candidate posts covering most of it (spopt builds a dense demand x site distance matrix and a pulp
model row by row, so it cannot take all 27,000). Both solve exactly that instance; the ratio of
their times and objectives is printed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np

from streetlight.deploy.coverage import Coverage, coverage
from streetlight.deploy.optimize import Instance, solve_greedy, solve_milp
from streetlight.deploy.plan import WOMENS_SAFETY_PLACES
from streetlight.hotspots.base import StudyArea
from streetlight.hotspots.forecast import make_forecast
from streetlight.hotspots.places import place_kind
from streetlight.ingest import ingest
from streetlight.store import Store

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "police-uk" / "cleveland-2023-01_2025-11.zip"
BOUNDARY = REPO / "data" / "sample" / "cleveland-lsoa-2011.geojson"
SHIFTS = {"early": (650 * 0.3, 0.25), "late": (650 * 0.35, 0.40), "night": (650 * 0.35, 0.35)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--spopt-sites", type=int, default=10_000, help="0 skips spopt")
    parser.add_argument("--no-command", action="store_true", help="skip the whole-command timing")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "store", create=True)
        ingest([DATA], store)
        forecast = make_forecast(
            store, ["Violence and sexual offences"], date(2025, 12, 1), "ew-6", boundary=BOUNDARY
        )
        if not args.no_command:
            whole_command(store.root, Path(tmp))
    area = forecast.area
    women = np.array([place_kind(p) in WOMENS_SAFETY_PLACES for p in forecast.places])
    cov = coverage(area.i, area.j, area.i, area.j, radius=400.0, cell_size=area.cell_size)
    print(
        f"{area.n_cells:,} candidate posts and demand cells, {len(cov.indices):,} coverage pairs, "
        f"{int(women.sum())} women's-safety posts"
    )
    print(
        f"{'shift':<7}{'units':>6}{'MILP':>12}{'bound':>12}{'gap':>8}{'s':>7}{'greedy':>12}{'s':>7}"
        f"{'gain':>8}"
    )
    for shift, (officers, share) in SHIFTS.items():
        instance = Instance(forecast.scores * share, cov, women, int(officers // 2), 2, 0.5, 0.2)
        milp = solve_milp(instance, time_limit=args.time_limit, rel_gap=0.01)
        greedy = solve_greedy(instance)
        print(
            f"{shift:<7}{instance.units:>6}{milp.objective:>12.1f}{milp.bound:>12.1f}"
            f"{milp.gap:>8.2%}{milp.seconds:>7.1f}{greedy.objective:>12.1f}{greedy.seconds:>7.2f}"
            f"{(milp.objective / greedy.objective - 1):>8.2%}"
        )
    if args.spopt_sites:
        compare_spopt(forecast.scores * SHIFTS["early"][1], area, cov, args)


def whole_command(store: Path, folder: Path) -> None:
    """`streetlight plan` for 650 officers on every cell of the boundary, in a fresh process:
    the wall time a planner waits, from the command to the written plan."""
    command = [
        sys.executable, "-m", "streetlight", "plan", "--store", str(store), "--month", "2025-12",
        "--officers", "650", "--boundary", str(BOUNDARY), "--out", str(folder / "plan.csv"),
    ]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    shifts = [
        line
        for line in done.stdout.splitlines()
        if line.split()[:1] in (["early"], ["late"], ["night"])
    ]
    print(f"whole command: {wall:.1f} s wall (target: under 30 s)")
    print("\n".join(shifts))


def compare_spopt(
    demand: np.ndarray, area: StudyArea, cov: Coverage, args: argparse.Namespace
) -> None:
    """Plain MCLP (one unit per post, no share) on the same sites for both solvers."""
    import pulp  # type: ignore[import-untyped]
    from spopt.locate import MCLP  # type: ignore[import-untyped]

    units = int(SHIFTS["early"][0] // 2)
    cells = np.flatnonzero(demand > 0)
    plain = Instance(demand, cov, np.zeros(cov.n_posts, dtype=bool), units, 1, 0.5, 0.0)
    sites = np.argsort(-plain.post_value(), kind="stable")[: args.spopt_sites]
    x, y = area.centres()
    keep = np.zeros(cov.n_posts, dtype=bool)
    keep[sites] = True
    # our solver on the very same instance: the demand cells, and only these sites as posts
    sub = coverage(area.i[sites], area.j[sites], area.i[cells], area.j[cells], 400.0, 150.0)
    ours = Instance(demand[cells], sub, np.zeros(len(sites), dtype=bool), units, 1, 0.5, 0.0)
    started = time.perf_counter()
    mine = solve_milp(ours, time_limit=args.time_limit, rel_gap=1e-4)
    mine_s = time.perf_counter() - started
    started = time.perf_counter()
    distance = np.hypot(
        x[cells][:, None] - x[sites][None, :], y[cells][:, None] - y[sites][None, :]
    )
    model = MCLP.from_cost_matrix(distance, demand[cells], service_radius=400.0, p_facilities=units)
    built = time.perf_counter() - started
    model.solve(pulp.PULP_CBC_CMD(msg=False, threads=1))
    theirs_s = time.perf_counter() - started
    chosen = np.array([bool(v.value() and v.value() > 0.5) for v in model.fac_vars])
    covered = (distance[:, chosen] <= 400.0).any(axis=1)
    theirs = float(demand[cells][covered].sum())
    print(
        f"MCLP, {len(cells):,} demand cells x {len(sites):,} sites, {units} units: "
        f"streetlight {mine.objective:.1f} in {mine_s:.1f} s (gap {mine.gap:.3%}); "
        f"spopt + CBC {theirs:.1f} in {theirs_s:.1f} s ({built:.1f} s to build); "
        f"time ratio {theirs_s / mine_s:.0f}x, objective ratio {mine.objective / theirs:.4f}"
    )


if __name__ == "__main__":
    main()
