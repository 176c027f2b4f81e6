"""`--force all` on a real Dask cluster gives what running each force alone gives, and survives a
worker killed mid-task without losing or double-counting a force (issue 22, part 4)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from typer.testing import CliRunner

from streetlight.cli.main import app
from streetlight.cluster.run import ClusterSpec, run_per_force
from streetlight.cluster.staging import PREFIX
from streetlight.evaluate.all_forces import backtest_force
from streetlight.evaluate.run import BacktestRequest
from tests.cluster.conftest import FORCES
from tests.cluster.dying import die_once_before_publishing, fail_for

T = TypeVar("T")
runner = CliRunner()
VIOLENCE = "Violence and sexual offences"
BACKTEST = ["--category", VIOLENCE, "--start", "2025-11", "--end", "2025-11"]
BACKTEST += ["--models", "ew-6,rolling-12", "--quiet"]


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def without_seconds(value: Any) -> Any:
    """JSON data without its run times (`seconds`), the one thing two runs may differ in."""
    if isinstance(value, dict):
        return {k: without_seconds(v) for k, v in value.items() if k != "seconds"}
    if isinstance(value, list):
        return [without_seconds(v) for v in value]
    return value


def json_of(path: Path) -> Any:
    return without_seconds(json.loads(path.read_text(encoding="utf-8")))


def report_text(path: Path) -> str:
    """A backtest report without its table of run times."""
    return path.read_text(encoding="utf-8").split("| model | seconds")[0]


def leftovers(folder: Path) -> list[Path]:
    return list(folder.rglob(f"{PREFIX}*"))


def test_a_local_cluster_by_default() -> None:
    """Without --scheduler, `run_per_force` starts (and stops) its own cluster of processes."""
    outcomes = run_per_force(str.upper, ["cleveland", "durham"], ClusterSpec(workers=2))
    assert outcomes.results == {"cleveland": "CLEVELAND", "durham": "DURHAM"}


def test_backtest_all_forces_match_each_force_alone(
    two_forces: Path, scheduler: str, tmp_path: Path
) -> None:
    store = ["--store", str(two_forces)]
    every = tmp_path / "all"
    output = invoke(
        "backtest", *store, *BACKTEST, "--force", "all", "--scheduler", scheduler,
        "--json", str(every / "bt.json"), "--report", str(every / "report"),
    )  # fmt: skip
    for force in FORCES:
        alone = tmp_path / force
        invoke(
            "backtest", *store, *BACKTEST, "--force", force,
            "--json", str(alone / "bt.json"), "--report", str(alone / "report"),
        )  # fmt: skip
        assert json_of(every / force / "bt.json") == json_of(alone / "bt.json")
        assert report_text(every / "report" / force / "report.md") == report_text(
            alone / "report" / "report.md"
        )
        for plot in ("pai-by-month.png", "metrics-by-coverage.png"):
            assert (every / "report" / force / plot).read_bytes() == (
                alone / "report" / plot
            ).read_bytes()
        assert output.count(f"{force}: ") == 1
    assert json_of(every / f"{FORCES[0]}/bt.json") != json_of(every / f"{FORCES[1]}/bt.json")
    summary = json.loads((every / "bt-all-forces.json").read_text(encoding="utf-8"))
    assert [row["force"] for row in summary["rows"]] == [f for f in FORCES for _ in range(2)]
    assert summary["failed"] == {}
    assert (every / "bt-all-forces.csv").is_file() and (every / "bt-all-forces.md").is_file()
    assert not leftovers(tmp_path)


def test_hotspots_all_forces_on_a_running_cluster_match_each_force_alone(
    two_forces: Path, scheduler: str, tmp_path: Path
) -> None:
    store = ["--store", str(two_forces)]
    forecast = ["hotspots", *store, "--category", VIOLENCE, "--month", "2025-11", "--model", "ew-6"]
    invoke(
        *forecast, "--force", "all", "--scheduler", scheduler,
        "--out", str(tmp_path / "all" / "h.csv"), "--out", str(tmp_path / "all" / "h.geojson"),
    )  # fmt: skip
    for force in FORCES:
        alone = tmp_path / force
        invoke(
            *forecast,
            "--force",
            force,
            "--out",
            str(alone / "h.csv"),
            "--out",
            str(alone / "h.geojson"),
        )
        for name in ("h.csv", "h.geojson"):
            assert (tmp_path / "all" / force / name).read_bytes() == (alone / name).read_bytes()
    rows = json.loads((tmp_path / "all" / "h-all-forces.json").read_text(encoding="utf-8"))
    assert [row["force"] for row in rows["rows"]] == list(FORCES)


def test_plan_backtest_all_forces_match_each_force_alone(
    two_forces: Path, scheduler: str, tmp_path: Path
) -> None:
    plans = ["plan-backtest", "--store", str(two_forces), "--from", "2025-11", "--to", "2025-11"]
    # Stop on a proven gap well inside the time limit: a plan cut off by the clock could differ
    # between two runs, and the comparison would test the load on the machine.
    plans += ["--officers", "6", "--shifts", "early:1", "--gap", "0.5", "--time-limit", "60", "-q"]
    invoke(
        *plans, "--force", "all", "--scheduler", scheduler,
        "--out", str(tmp_path / "all" / "p.json"), "--report", str(tmp_path / "all" / "p.md"),
    )  # fmt: skip
    for force in FORCES:
        alone = tmp_path / force / "p.json"
        invoke(*plans, "--force", force, "--out", str(alone))
        assert json_of(tmp_path / "all" / force / "p.json") == json_of(alone)
        assert (tmp_path / "all" / force / "p-covered-share.png").is_file()
    summary = (tmp_path / "all" / "p-all-forces.csv").read_text(encoding="utf-8")
    assert summary.startswith("force,method,shift,")


def test_a_worker_killed_mid_task_is_retried_without_losing_or_adding_a_force(
    two_forces: Path, scheduler: str, tmp_path: Path
) -> None:
    request = BacktestRequest(
        first=date(2025, 11, 1), last=date(2025, 11, 1), categories=(VIOLENCE,), models=("ew-6",)
    )
    task = partial(backtest_force, two_forces, request, tmp_path / "all" / "bt.json", None)
    dying = partial(die_once_before_publishing, tmp_path / "killed", "durham", task)
    seen: list[object] = []

    def progress(items: Iterable[T], total: int) -> Iterator[T]:
        for item in items:
            seen.append(item)
            yield item

    outcomes = run_per_force(dying, FORCES, ClusterSpec(scheduler=scheduler), progress)
    assert (tmp_path / "killed").exists()  # the durham attempt that died did run
    assert list(outcomes.results) == list(FORCES) and not outcomes.failed
    assert len(seen) == len(FORCES)
    assert list(outcomes.cpu) == list(FORCES) and outcomes.workers == 2
    rows = [row for result in outcomes.results.values() for row in result.rows]
    assert [row["force"] for row in rows] == list(FORCES)
    for force in FORCES:
        reference = backtest_force(two_forces, request, tmp_path / "alone" / "bt.json", None, force)
        assert outcomes.results[force].rows == reference.rows
        assert json_of(tmp_path / "all" / force / "bt.json") == json_of(
            tmp_path / "alone" / force / "bt.json"
        )
    # The killed attempt's staging folder is all it left; the sweep of a full run removes it.
    assert len(leftovers(tmp_path / "all" / "durham")) == 1


def test_a_force_that_fails_is_reported_and_the_others_still_run(scheduler: str) -> None:
    task = partial(fail_for, "cleveland")
    outcomes = run_per_force(task, FORCES, ClusterSpec(scheduler=scheduler))
    assert outcomes.results == {"durham": "durham"}
    assert outcomes.failed == {"cleveland": "no force 'cleveland' in the store"}
