"""`streetlight plan-backtest --force all`: every force's plan backtest as one task on a Dask
cluster.

`plan_backtest_force` is the task: it opens the store at a path, proves the plans of one force
exactly as `backtest_plans` does, writes the force's JSON (and report with its plot) into its
subfolders (`<folder>/<force>/<name>`) whole or not at all, and returns plain data: its rows of
the combined summary (method x shift). `plan_backtest_all_forces` runs it for every force
(`cluster.run`) and writes the summary beside the per-force folders of `--out`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

from streetlight.cluster.run import ClusterSpec, Outcomes, one_force_only, run_per_force
from streetlight.cluster.staging import staged, sweep
from streetlight.cluster.summary import Row, write_summary
from streetlight.deploy.plan_backtest import (
    PlanBacktestRequest,
    backtest_plans,
    write_plan_backtest,
)
from streetlight.progress import Progress, no_progress
from streetlight.store.location import Location, absolute
from streetlight.store.store import Store


@dataclass(frozen=True)
class ForcePlanBacktest:
    """What one force's task returns: its summary rows and the files it wrote."""

    force: str
    rows: tuple[Row, ...]
    files: tuple[str, ...]


def plan_backtest_force(
    store_path: Location,
    request: PlanBacktestRequest,
    out_file: Path,
    report: Path | None,
    force: str,
) -> ForcePlanBacktest:
    """`streetlight plan-backtest --force FORCE` into the force's subfolders."""
    run = backtest_plans(Store.open(store_path), replace(request, force=force))
    final_out = out_file.parent / force / out_file.name
    final_report = report.parent / force / report.name if report else None
    finals = [final_out.parent, *([final_report.parent] if final_report else [])]
    with staged(finals) as stage:
        write_plan_backtest(
            run,
            stage(final_out.parent) / final_out.name,
            stage(final_report.parent) / final_report.name if final_report else None,
        )
    files = [str(final_out), *([str(final_report)] if final_report else [])]
    return ForcePlanBacktest(force, summary_rows(force, run.to_json()), tuple(files))


def summary_rows(force: str, data: dict[str, Any]) -> tuple[Row, ...]:
    """One row per method and shift: mean units, covered share and efficiency over the months."""
    return tuple(
        {
            "force": force,
            "method": method,
            "shift": shift,
            "months": entry["months"],
            "units": entry["units"],
            "covered_share": entry["covered_share"],
            "efficiency": entry["efficiency"],
        }
        for method, shifts in data["summary"].items()
        for shift, entry in shifts.items()
    )


def plan_backtest_all_forces(
    store_path: Location,
    request: PlanBacktestRequest,
    out_file: Path,
    report: Path | None,
    spec: ClusterSpec,
    progress: Progress = no_progress,
) -> tuple[Outcomes[ForcePlanBacktest], tuple[Path, ...]]:
    """Every force's plan backtest, one task each on the cluster `spec` names, and the combined
    summary (`<stem>-all-forces.csv/.json/.md` beside the force folders of `out_file`)."""
    one_force_only("--boundary", request.boundary)
    root = absolute(store_path)
    store = Store.open(root)
    forces = sorted(store.forces)
    out_file = out_file.absolute()
    report = report.absolute() if report else None
    task = partial(plan_backtest_force, root, request, out_file, report)
    outcomes = run_per_force(task, forces, spec, progress, store.manifest.rows_by_force())
    parents = [out_file.parent, *([report.parent] if report else [])]
    sweep([parent / force for parent in parents for force in forces])
    rows = [row for result in outcomes.results.values() for row in result.rows]
    title = f"Patrol plans on held-out months, every force: {', '.join(request.categories)}"
    summary = write_summary(out_file.parent, out_file.stem, title, rows, outcomes.failed)
    return outcomes, tuple(summary)
