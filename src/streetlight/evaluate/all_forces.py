"""`streetlight backtest --force all`: every force's backtest as one task on a Dask cluster.

`backtest_force` is the task: it opens the store at a path (workers on other machines open
their own), backtests one force exactly as `run_backtest` does, writes that force's files
whole or not at all into its subfolder (`<json folder>/<force>/<json name>`,
`<report>/<force>/`), and returns plain data: the force's rows of the combined summary.
`backtest_all_forces` runs it for every force (`cluster.run`) and writes the summary
(`cluster.summary`) beside the per-force folders.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

from streetlight.cluster.run import ClusterSpec, Outcomes, one_force_only, run_per_force
from streetlight.cluster.staging import staged, sweep
from streetlight.cluster.summary import Row, write_summary
from streetlight.evaluate.run import (
    BacktestFileError,
    BacktestRequest,
    recommended_model,
    run_backtest,
    write_backtest,
)
from streetlight.progress import Progress, no_progress
from streetlight.store.location import Location, absolute
from streetlight.store.store import Store


@dataclass(frozen=True)
class ForceBacktest:
    """What one force's task returns: its summary rows and the files it wrote (absolute paths)."""

    force: str
    cells: int
    rows: tuple[Row, ...]
    files: tuple[str, ...]


def force_folder(folder: Path, force: str) -> Path:
    """Where a force's files go: its own subfolder of the folder the one-force command uses."""
    return folder / force


def backtest_force(
    store_path: Location,
    request: BacktestRequest,
    json_out: Path | None,
    report: Path | None,
    force: str,
) -> ForceBacktest:
    """Backtest `force` as `streetlight backtest --force FORCE` would, writing its JSON and
    report into the force's subfolders; a pure function of its arguments and the store."""
    run = run_backtest(Store.open(store_path), replace(request, force=force))
    json_folder = force_folder(json_out.parent, force) if json_out else None
    report_folder = force_folder(report, force) if report else None
    finals = [f for f in (json_folder, report_folder) if f is not None]
    with staged(finals) as stage:
        write_backtest(
            run,
            stage(json_folder) / json_out.name if json_folder and json_out else None,
            stage(report_folder) if report_folder else None,
        )
    files = [str(json_folder / json_out.name)] if json_folder and json_out else []
    files += [str(report_folder)] if report_folder else []
    return ForceBacktest(force, run.area.n_cells, summary_rows(force, run.data), tuple(files))


def summary_rows(force: str, data: dict[str, Any]) -> tuple[Row, ...]:
    """One row per model: its mean hit rate, PAI and PEI at the coverage the recommendation
    uses, and whether it is the one recommended."""
    coverage = data["baseline"]["coverage"]
    key = f"{coverage:g}"
    periods = data.get("months") or data.get("periods") or []
    return tuple(
        {
            "force": force,
            "model": name,
            "recommended": name == data["recommended"],
            "periods": len(periods),
            "coverage": coverage,
            "hit_rate": entry["hit_rate"][key],
            "pai": entry["pai"][key],
            "pei": entry["pei"][key],
        }
        for name, entry in data["models"].items()
    )


def backtest_all_forces(
    store_path: Location,
    request: BacktestRequest,
    json_out: Path | None,
    report: Path | None,
    spec: ClusterSpec,
    progress: Progress = no_progress,
) -> tuple[Outcomes[ForceBacktest], tuple[Path, ...]]:
    """Every force of the store, one task each on the cluster `spec` names, and the combined
    summary (`<stem>-all-forces.csv/.json/.md`) beside the per-force folders of `--json`, else
    of `--report`; none when neither is asked. Paths are made absolute: workers may run
    elsewhere, in another folder."""
    one_force_only("--boundary", request.boundary)
    request.model_names()  # unknown models fail here, before a cluster starts
    root = absolute(store_path)
    store = Store.open(root)
    forces = sorted(store.forces)
    json_out = json_out.absolute() if json_out else None
    report = report.absolute() if report else None
    task = partial(backtest_force, root, request, json_out, report)
    outcomes = run_per_force(task, forces, spec, progress, store.manifest.rows_by_force())
    folders = [
        force_folder(f, force)
        for f in (json_out.parent if json_out else None, report)
        if f is not None
        for force in forces
    ]
    sweep(folders)
    rows = [row for result in outcomes.results.values() for row in result.rows]
    where = json_out.parent if json_out else report
    summary: list[Path] = []
    if where is not None:
        stem = json_out.stem if json_out else "backtest"
        title = f"Backtests of every force: {', '.join(request.categories)}"
        summary = write_summary(where, stem, title, rows, outcomes.failed)
    return outcomes, tuple(summary)


def recommended_models(store_path: Location, backtest: Path) -> dict[str, str]:
    """Each force's recommended model, from the JSON `backtest --force all --json BACKTEST`
    wrote in its subfolder (`<folder>/<force>/<name>`); every force must have one."""
    forces = sorted(Store.open(store_path).forces)
    files = {force: force_folder(backtest.parent, force) / backtest.name for force in forces}
    missing = [str(path) for path in files.values() if not path.is_file()]
    if missing:
        raise BacktestFileError(
            f"--backtest {backtest}: with --force all, each force's backtest is read from its "
            f"subfolder; missing: {', '.join(missing)} (run `streetlight backtest --force all "
            f"--json {backtest}`)"
        )
    return {force: recommended_model(path) for force, path in files.items()}
