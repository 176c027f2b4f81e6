"""`streetlight plan-backtest`: patrol plans proved on held-out months (`deploy.evaluation`).

For each month of `--from .. --to`, the MILP, greedy and top-cells plans are built from the
months before it and scored on its crimes. `--out` writes JSON:

    {
      "force": slug, "categories": [...], "harm_table": "cchi" | FILE | null,
      "months": ["YYYY-MM", ...],
      "model": forecast behind milp/greedy, "baseline": model ranking the top cells,
      "timezone": local time zone of the shifts, "cell_size": metres,
      "study_area": {"cells": n, "km2": x},
      "settings": {"officers": {shift: n}, "unit_size", "radius_m", "max_per_post", "decay",
                   "women_share", "time_limit_s", "busy_weight", "places": [names]},
      "methods": ["milp", "greedy", "top-cells"], "shifts": [...],
      "summary": {method: {shift: {"months", "units", "covered_share",
                                   "covered_share_ci95": [lo, hi], "area_share", "efficiency",
                                   "objective"}}},
      "differences": {"milp-greedy" | "milp-top-cells": {shift: {"covered_share" | "efficiency":
                      {"mean", "ci95": [lo, hi], "months"}}}},
      "per_month": [{"month", "shift", "method", "units", "posts", "crimes", "covered_crimes",
                     "covered_share", "area_km2", "area_share", "efficiency", "objective",
                     "seconds"}, ...],
      "seconds": run time
    }

Crimes count their --harm weight (default `cchi`, the Cambridge Crime Harm Index days per
category; `none`: 1 each), in the forecasts, the shift shares and the scoring alike, so "crimes"
and "covered_crimes" are harm (CCHI days by default) and the shares are shares of harm; the
table's source and caveats are printed and written into the report.

Shares are fractions (0-1); means are over months; intervals are 95% bootstrap intervals over
months; a value that cannot be computed (a month without crimes) is null. `--report FILE.md`
writes a Markdown report and, beside it, `FILE-covered-share.png` (covered share per month per
method, one panel per shift).

The shift profile of month m is `deploy.plan.shift_profile` of m, which learns from the months
before m only. The covered share counts a crime once however many units are in reach, while the
MILP's objective also values a second unit in reach (`--max-per-post 2`), so a plan can score
higher on one and lower on the other; `--max-per-post 1` compares pure coverage.

`--force all` runs every force of the store, one task each on a Dask cluster
(`deploy.all_forces`, docs/cluster.md): each force's JSON and report in a subfolder named after
it, and `<out stem>-all-forces.csv|json|md` with a row per force, method and shift.
"""

from __future__ import annotations

import contextlib
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from streetlight.cli.options import (
    ALL_FORCES,
    BaselineOption,
    BoundaryOption,
    BusyWeightOption,
    CategoryOption,
    CellOption,
    ForcesOption,
    FromMonthOption,
    GapOption,
    JsonOutOption,
    MaxPerPostOption,
    ModelOption,
    OfficersOption,
    PlacesOption,
    PlanHarmOption,
    QuietOption,
    RadiusOption,
    ReportFileOption,
    SchedulerOption,
    ShiftsOption,
    StoreOption,
    TimeLimitOption,
    ToMonthOption,
    UnitSizeOption,
    WomenShareOption,
    WorkersOption,
    cluster_spec,
    month_range,
    plan_settings,
    store_at,
)
from streetlight.cli.printing import finish_all_forces
from streetlight.cli.terminal import cli_errors, out, progress_bar, tracked
from streetlight.deploy import defaults
from streetlight.store.months import month_key
from streetlight.store.store import Store

if TYPE_CHECKING:
    from streetlight.cluster.run import ClusterSpec
    from streetlight.deploy.evaluation import PlanBacktest
    from streetlight.deploy.plan_backtest import PlanBacktestRequest, StorePlanBacktest
    from streetlight.store.location import Location


def plan_backtest_command(
    start: FromMonthOption,
    end: ToMonthOption,
    officers: OfficersOption,
    out_file: JsonOutOption,
    category: CategoryOption = [defaults.VIOLENCE],  # noqa: B006 - Typer never mutates it
    harm: PlanHarmOption = defaults.HARM,
    shifts: ShiftsOption = defaults.SHIFT_SHARES,
    unit_size: UnitSizeOption = defaults.UNIT_SIZE,
    radius: RadiusOption = defaults.RADIUS_M,
    max_per_post: MaxPerPostOption = defaults.MAX_PER_POST,
    women_share: WomenShareOption = defaults.WOMEN_SHARE,
    time_limit: TimeLimitOption = defaults.BACKTEST_TIME_LIMIT_S,
    model: ModelOption = None,
    baseline: BaselineOption = None,
    busy_weight: BusyWeightOption = defaults.BUSY_WEIGHT,
    gap: GapOption = defaults.GAP,
    places_file: PlacesOption = None,
    store: StoreOption = None,
    force: ForcesOption = None,
    cell: CellOption = defaults.CELL_M,
    boundary: BoundaryOption = None,
    report: ReportFileOption = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    quiet: QuietOption = False,
) -> None:
    """Plan each month from the months before it; score the share of its crimes the posts cover.
    With --force all, every force of the store, one task each on a Dask cluster.

    Crimes are weighed by --harm (the Cambridge Crime Harm Index that ships, by default), in the
    plans and in the scoring alike: the shares are of harm, as `streetlight plan` covers harm.
    """
    from streetlight.deploy.plan_backtest import (
        PlanBacktestRequest,
        backtest_plans,
        write_plan_backtest,
    )

    with cli_errors():
        first, last = month_range(start, end, ("--from", "--to"), "--from/--to")
        settings = plan_settings(
            officers=officers,
            shifts=shifts,
            unit_size=unit_size,
            radius=radius,
            max_per_post=max_per_post,
            women_share=women_share,
            time_limit=time_limit,
            busy_weight=busy_weight,
            gap=gap,
        )
        request = PlanBacktestRequest(
            first=first,
            last=last,
            settings=settings,
            categories=tuple(category),
            model=model,
            baseline=baseline,
            force=force,
            cell_size=cell,
            boundary=boundary,
            places_file=places_file,
            harm=harm,
        )
        spec = cluster_spec(force, scheduler, workers)
        if force == ALL_FORCES:
            _all_forces(store_at(store), request, out_file, report, spec, quiet)
            return
        bar = progress_bar("plan-backtest", quiet)
        with bar if bar is not None else contextlib.nullcontext():
            run = backtest_plans(
                Store.open(store_at(store)),
                request,
                progress=tracked(bar, "planning months"),
            )
        write_plan_backtest(run, out_file, report)
        _print_run(run, first, last)
        for path in (out_file, report):
            if path:
                out.print(f"wrote {path}")


def _all_forces(
    store: Location,
    request: PlanBacktestRequest,
    out_file: Path,
    report: Path | None,
    spec: ClusterSpec,
    quiet: bool,
) -> None:
    """Every force on the cluster; a line per force: each method's covered share, mean over
    shifts."""
    from streetlight.deploy.all_forces import plan_backtest_all_forces

    bar = progress_bar("plan-backtest --force all", quiet)
    with bar if bar is not None else contextlib.nullcontext():
        progress = tracked(bar, "forces", then="writing the summary")
        outcomes, summary = plan_backtest_all_forces(
            store, request, out_file, report, spec, progress
        )
    lines = []
    for force, result in outcomes.results.items():
        shares: dict[str, list[float]] = {}
        for row in result.rows:
            if isinstance(share := row["covered_share"], float):
                shares.setdefault(str(row["method"]), []).append(share)
        means = ", ".join(f"{m} {sum(v) / len(v):.3f}" for m, v in shares.items())
        lines.append(f"{force}: covered share (mean over shifts): {means}")
    finish_all_forces(lines, outcomes, summary)


def _print_run(run: StorePlanBacktest, first: date, last: date) -> None:
    """Whose months, how many cells and seconds, the harm weights (with their caveats), the
    officers per shift, then the table."""
    result = run.result
    out.print(
        f"{run.force}: {len(result.months)} months {month_key(first)} .. {month_key(last)}, "
        f"{result.cells:,} cells of {result.cell_size:g} m, {result.seconds:.0f} s"
    )
    out.print(run.harm.describe(), soft_wrap=True)
    officers = result.spec.plan.officers
    covered = "crimes" if run.harm.table is None else "harm"
    out.print(
        f"officers per shift: {', '.join(f'{k} {v}' for k, v in officers.items())}; "
        f"shares of the month's {covered} covered (mean over months)",
        soft_wrap=True,
    )
    print_table(result)


def print_table(result: PlanBacktest) -> None:
    """Method x shift: mean covered share, efficiency, and milp minus the method (95% CI)."""
    import polars as pl

    differences = result.differences()
    summary = result.summary()
    out.print(
        f"{'shift':<7}{'method':<11}{'units':>6}{'covered':>9}{'area':>8}{'effic.':>8}"
        "   milp - it (95% CI)"
    )
    for shift in result.shifts:
        for method in ("milp", "greedy", "top-cells"):
            row = summary.filter((pl.col("method") == method) & (pl.col("shift") == shift)).row(
                0, named=True
            )
            text = (
                f"{shift:<7}{method:<11}{row['units']:>6.0f}{row['covered_share']:>9.3f}"
                f"{row['area_share']:>8.4f}{row['efficiency']:>8.2f}"
            )
            if method != "milp":
                diff = differences.filter(
                    (pl.col("comparison") == f"milp-{method}")
                    & (pl.col("shift") == shift)
                    & (pl.col("metric") == "covered_share")
                ).row(0, named=True)
                text += f"   {diff['mean']:+.3f} ({diff['lo']:+.3f} to {diff['hi']:+.3f})"
            out.print(text)
