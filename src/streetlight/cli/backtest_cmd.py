"""`streetlight backtest`: rolling-origin backtests of hotspot models with hit rate, PAI and PEI."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from streetlight.cli.options import (
    ALL_FORCES,
    BoundaryOption,
    ByOption,
    CategoryOption,
    CellOption,
    CoverageOption,
    EndMonthOption,
    ForcesOption,
    HarmOption,
    JsonFileOption,
    ModelsOption,
    OptionError,
    QuietOption,
    ReportFolderOption,
    SchedulerOption,
    StartMonthOption,
    StoreOption,
    TimezoneOption,
    WorkersOption,
    cluster_spec,
    month_range,
    store_at,
)
from streetlight.cli.printing import finish_all_forces
from streetlight.cli.terminal import cli_errors, out, progress_bar, tracked
from streetlight.store.months import month_key
from streetlight.store.store import Store

if TYPE_CHECKING:
    from streetlight.cluster.run import ClusterSpec
    from streetlight.evaluate.run import BacktestRequest
    from streetlight.store.location import Location


def backtest_command(
    category: CategoryOption,
    start: StartMonthOption,
    end: EndMonthOption,
    models: ModelsOption = None,
    store: StoreOption = None,
    force: ForcesOption = None,
    cell: CellOption = 150.0,
    coverage: CoverageOption = "1,2,5,10",
    boundary: BoundaryOption = None,
    harm: HarmOption = None,
    json_out: JsonFileOption = None,
    report: ReportFolderOption = None,
    by: ByOption = "month",
    timezone: TimezoneOption = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    quiet: QuietOption = False,
) -> None:
    """Forecast each month from the months before it and score every model side by side;
    with --force all, every force of the store, one task each on a Dask cluster."""
    from streetlight.evaluate.run import BacktestRequest, run_backtest, write_backtest

    with cli_errors():
        what = "--start/--end/--coverage"
        first, last = month_range(start, end, ("--start", "--end"), what)
        try:
            covers = tuple(float(c) for c in coverage.split(",") if c.strip())
        except ValueError as exc:
            raise OptionError(f"{what}: {exc}") from exc
        request = BacktestRequest(
            first=first,
            last=last,
            categories=tuple(category),
            models=tuple(m.strip() for m in models.split(",")) if models else None,
            coverages=covers,
            force=force,
            cell_size=cell,
            boundary=boundary,
            harm=harm,
            by=by,
            timezone=timezone,
        )
        spec = cluster_spec(force, scheduler, workers)
        if force == ALL_FORCES:
            _all_forces(store_at(store), request, json_out, report, spec, quiet)
            return
        target = Store.open(store_at(store))
        bar = progress_bar("backtest", quiet)
        with bar if bar is not None else contextlib.nullcontext():
            task = "forecasting" if by == "month" else f"forecasting {by}s"
            run = run_backtest(target, request, progress=tracked(bar, task))
        write_backtest(run, json_out, report)
        area = run.area
        if by == "month":
            out.print(
                f"{run.force}: {len(run.data['months'])} months {month_key(first)} .. "
                f"{month_key(last)}, {area.n_cells:,} cells of {cell:g} m"
            )
        else:
            periods = len(run.data["periods"])
            out.print(f"{periods} {by}s ({run.timezone}), {area.n_cells:,} cells of {cell:g} m")
        _print_table(run.data, list(covers))
        if run.harm_note:
            out.print(run.harm_note, soft_wrap=True)
        for path in (json_out, report if by == "month" else None):
            if path:
                out.print(f"wrote {path}")


def _all_forces(
    store: Location,
    request: BacktestRequest,
    json_out: Path | None,
    report: Path | None,
    spec: ClusterSpec,
    quiet: bool,
) -> None:
    """Every force on the cluster; a line per force with its recommended model's means."""
    from streetlight.evaluate.all_forces import backtest_all_forces

    bar = progress_bar("backtest --force all", quiet)
    with bar if bar is not None else contextlib.nullcontext():
        progress = tracked(bar, "forces", then="writing the summary")
        outcomes, summary = backtest_all_forces(store, request, json_out, report, spec, progress)
    lines = []
    for force, result in outcomes.results.items():
        best = next(row for row in result.rows if row["recommended"])
        lines.append(
            f"{force}: {result.cells:,} cells, recommended {best['model']}: hit rate "
            f"{best['hit_rate']:.3f}, PAI {best['pai']:.2f}, PEI {best['pei']:.3f} "
            f"at {best['coverage']:g}%"
        )
    finish_all_forces(lines, outcomes, summary)


def _print_table(data: dict[str, Any], covers: list[float]) -> None:
    """Mean hit rate, PAI and PEI per model at the middle coverage, each model's gain over the
    best simple baseline, and the recommendation with the reason for it."""
    middle = "5" if 5.0 in covers else f"{covers[len(covers) // 2]:g}"
    baseline = data["baseline"]
    best, gains = baseline["model"], baseline["gains"]
    out.print(
        f"means at {middle}% coverage"
        + (
            f"; gain in mean PAI at {baseline['coverage']:g}% over the best simple baseline "
            "with its 95% paired-bootstrap interval"
            if best
            else ""
        ),
        soft_wrap=True,
    )
    versus = f"vs {best}" if best else ""
    harm = all("harm_pei" in entry for entry in data["models"].values())
    out.print(
        f"{'model':<16}{'hit rate':>9}{'PAI':>8}{'PEI':>8}{'harm PEI' if harm else '':>10}"
        f"   {versus}"
    )
    for name, entry in data["models"].items():
        gain = "" if name not in gains else "-" if name == best else _gain_text(gains[name])
        harm_pei = f"{entry['harm_pei'][middle]:>10.3f}" if harm else f"{'':>10}"
        out.print(
            f"{name:<16}{entry['hit_rate'][middle]:>9.3f}{entry['pai'][middle]:>8.2f}"
            f"{entry['pei'][middle]:>8.3f}{harm_pei}   {gain}"
        )
    out.print(_verdict(data), soft_wrap=True)


def _gain_text(gain: dict[str, Any]) -> str:
    lo, hi = gain["ci95"]
    return f"{gain['gain']:+.1%} ({lo:+.1%} to {hi:+.1%})"


def _verdict(data: dict[str, Any]) -> str:
    """Why the recommended model is recommended, in one sentence."""
    baseline, recommended = data["baseline"], data["recommended"]
    best, gains = baseline["model"], baseline["gains"]
    measure = f"mean PAI at {baseline['coverage']:g}%"
    if best is None:
        return f"recommended: {recommended} (best {measure}; no simple baseline in the run)"
    if recommended != best:
        g = gains[recommended]
        return (
            f"recommended: {recommended}: it beats the best simple baseline, {best}, by "
            f"{g['gain']:+.1%} in {measure} (95% paired-bootstrap interval "
            f"{g['ci95'][0]:+.1%} to {g['ci95'][1]:+.1%})"
        )
    others = {n: g for n, g in gains.items() if n != best and g["gain"] > 0}
    if not others:
        return f"recommended: {best}: no model beats this simple baseline in {measure}"
    name = max(others, key=lambda n: others[n]["gain"])
    g = others[name]
    return (
        f"recommended: {best}: no model beats this simple baseline beyond noise in {measure} "
        f"(closest: {name} {g['gain']:+.1%}, 95% interval {g['ci95'][0]:+.1%} to "
        f"{g['ci95'][1]:+.1%})"
    )
