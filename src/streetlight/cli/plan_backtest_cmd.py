"""`streetlight plan-backtest`: patrol plans proved on held-out months (`deploy.evaluation`).

For each month of `--from .. --to`, the MILP, greedy and top-cells plans are built from the
months before it and scored on its crimes. `--out` writes JSON:

    {
      "force": slug, "categories": [...], "months": ["YYYY-MM", ...],
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

Shares are fractions (0-1); means are over months; intervals are 95% bootstrap intervals over
months; a value that cannot be computed (a month without crimes) is null. `--report FILE.md`
writes a Markdown report and, beside it, `FILE-covered-share.png` (covered share per month per
method, one panel per shift).

The shift profile of month m is `deploy.plan.shift_profile` of m, which learns from the months
before m only. The covered share counts a crime once however many units are in reach, while the
MILP's objective also values a second unit in reach (`--max-per-post 2`), so a plan can score
higher on one and lower on the other; `--max-per-post 1` compares pure coverage.
"""

from __future__ import annotations

import contextlib
import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from streetlight.cli.options import (
    DEFAULT_SHIFTS,
    BoundaryOption,
    BusyWeightOption,
    CategoryOption,
    CellOption,
    ForceOption,
    MaxPerPostOption,
    ModelOption,
    PlacesOption,
    RadiusOption,
    ShiftsOption,
    StoreOption,
    TimeLimitOption,
    UnitSizeOption,
    WomenShareOption,
    parse_shares,
)
from streetlight.cli.terminal import cli_errors, out, progress_bar, tracked
from streetlight.deploy.plan import VIOLENCE
from streetlight.errors import StreetlightError
from streetlight.store.months import month_key, parse_month
from streetlight.store.store import Store, default_store_path

if TYPE_CHECKING:
    from streetlight.deploy.evaluation import PlanBacktest
    from streetlight.hotspots.base import EventSet


def plan_backtest_command(
    start: str = typer.Option(..., "--from", help="First held-out month, YYYY-MM."),
    end: str = typer.Option(..., "--to", help="Last held-out month, YYYY-MM."),
    officers: int = typer.Option(..., "--officers", min=1, help="Officers per day, all shifts."),
    out_file: Path = typer.Option(..., "--out", help="Write the results as JSON here."),
    category: CategoryOption = [VIOLENCE],  # noqa: B006 - Typer reads the default, never mutates it
    shifts: ShiftsOption = DEFAULT_SHIFTS,
    unit_size: UnitSizeOption = 2,
    radius: RadiusOption = 400.0,
    max_per_post: MaxPerPostOption = 2,
    women_share: WomenShareOption = 0.2,
    time_limit: TimeLimitOption = 10.0,
    model: ModelOption = None,
    baseline: str | None = typer.Option(
        None,
        "--baseline",
        help="Model ranking cells for the top-cells plan [default: the --model].",
    ),
    busy_weight: BusyWeightOption = 0.25,
    places_file: PlacesOption = None,
    store: StoreOption = None,
    force: ForceOption = None,
    cell: CellOption = 150.0,
    boundary: BoundaryOption = None,
    report: Path | None = typer.Option(
        None, "--report", help="Write a Markdown report (and its PNG plot beside it) here."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Plan each month from the months before it; score the share of its crimes the posts cover."""
    from streetlight.deploy.evaluation import Evaluation, plan_backtest, report_markdown
    from streetlight.deploy.places import read_places
    from streetlight.deploy.plan import PlanSettings, officers_per_shift, shift_profile
    from streetlight.hotspots.base import EventSet, month_index, month_of_index
    from streetlight.hotspots.forecast import resolve_force, study_area
    from streetlight.hotspots.registry import RECOMMENDED, make_model

    with cli_errors():
        try:
            first, last = parse_month(start), parse_month(end)
        except ValueError as exc:
            raise StreetlightError(f"--from/--to: {exc}") from exc
        if last < first:
            raise StreetlightError(f"--to {end} is before --from {start}")
        per_shift = officers_per_shift(officers, parse_shares(shifts, "--shifts"))
        plan_model = model or RECOMMENDED
        rank_model = baseline or plan_model
        for name in (plan_model, rank_model):  # unknown names fail before any work
            make_model(name)
        target = Store.open(store or default_store_path())
        slug = resolve_force(target, force)
        area = study_area(target, slug, cell, boundary)
        incidents = target.incidents(force=slug, end=last)
        events = EventSet.from_incidents(incidents, area, targets=list(category))
        _check_range(events, first, last, category)
        months = list(range(month_index(first), month_index(last) + 1))
        # The plan for month m learns its shift profile from months before m only: through m - 1.
        profiles = {m: shift_profile(target, slug, category, month_of_index(m)) for m in months}
        places, _ = read_places(places_file, area) if places_file else ([], [])
        settings = PlanSettings(
            per_shift,
            unit_size=unit_size,
            radius=radius,
            max_per_post=max_per_post,
            women_share=women_share,
            time_limit=time_limit,
            busy_weight=busy_weight,
            places=tuple(places),
        )
        spec = Evaluation(
            settings,
            plan_model,
            rank_model,
            target.forces[slug].timezone or "UTC",
        )
        bar = progress_bar("plan-backtest", quiet)
        with bar if bar is not None else contextlib.nullcontext():
            result = plan_backtest(
                events, area, months, profiles, spec, progress=tracked(bar, "planning months")
            )
        data = {"force": slug, "categories": list(category), **result.to_json()}
        out_file.parent.mkdir(parents=True, exist_ok=True)
        out_file.write_text(json.dumps(data, indent=1), encoding="utf-8")
        if report:
            plot = report.with_name(f"{report.stem}-covered-share.png")
            report.parent.mkdir(parents=True, exist_ok=True)
            plot_covered_share(result, plot)
            title = f"Patrol plans on held-out months: {', '.join(category)}, {slug}"
            report.write_text(report_markdown(result, title, plot.name), encoding="utf-8")
        out.print(
            f"{slug}: {len(months)} months {month_key(first)} .. {month_key(last)}, "
            f"{area.n_cells:,} cells of {cell:g} m, {result.seconds:.0f} s"
        )
        out.print(
            f"officers per shift: {', '.join(f'{k} {v}' for k, v in per_shift.items())}; "
            "shares of the month's crimes covered (mean over months)"
        )
        print_table(result)
        for path in (out_file, report):
            if path:
                out.print(f"wrote {path}")


def _check_range(events: EventSet, first: date, last: date, category: list[str]) -> None:
    """Fail before planning when there is nothing to learn from or nothing to score on."""
    from streetlight.hotspots.base import month_index, month_of_index

    targets = events.targets()
    what = ", ".join(repr(c) for c in category)
    if not (targets.month < month_index(first)).any():
        raise StreetlightError(
            f"no incidents of {what} before {month_key(first)}: nothing to plan from"
        )
    latest = int(targets.month.max())
    if month_index(last) > latest:
        raise StreetlightError(
            f"--to {month_key(last)} is after the last month with incidents of {what} "
            f"({month_key(month_of_index(latest))}): nothing to score"
        )


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


def plot_covered_share(result: PlanBacktest, path: Path) -> None:
    """Covered share per month per method, one panel per shift (PNG, matplotlib Agg)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from streetlight.deploy.evaluation import METHODS
    from streetlight.hotspots.base import month_of_index

    labels = [month_key(month_of_index(m)) for m in result.months]
    shifts = result.shifts
    fig, axes = plt.subplots(
        1, len(shifts), figsize=(4.5 * len(shifts), 4), dpi=110, sharey=True, squeeze=False
    )
    for ax, shift in zip(axes[0], shifts, strict=True):
        for method in METHODS:
            ax.plot(labels, result.values(method, shift, "covered_share"), marker="o", label=method)
        ax.set_title(f"{shift}: share of the month's crimes covered")
        ax.tick_params(axis="x", rotation=45)
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("covered share")
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
