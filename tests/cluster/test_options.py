"""What `--force all`, `--workers` and `--scheduler` refuse, before any cluster starts."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from streetlight.cli.main import app
from streetlight.cluster.run import ClusterSettingsError, ClusterSpec

runner = CliRunner()
BACKTEST = ["backtest", "--category", "Burglary", "--start", "2025-01", "--end", "2025-02"]


def test_workers_without_force_all_is_an_error_not_ignored(tmp_path: Path) -> None:
    result = runner.invoke(app, [*BACKTEST, "--store", str(tmp_path), "--workers", "2"])
    assert result.exit_code == 1
    assert "--workers runs every force on a cluster: use it with --force all" in result.output


def test_a_boundary_describes_one_force(tmp_path: Path) -> None:
    args = [*BACKTEST, "--store", str(tmp_path), "--force", "all", "--boundary", "area.geojson"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "--boundary describes one force" in result.output


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (dict(workers=0), "at least 1"),
        (dict(workers=2, scheduler="tcp://h:8786"), "a running cluster"),
    ],
)
def test_cluster_settings_that_cannot_work(spec: dict[str, object], message: str) -> None:
    with pytest.raises(ClusterSettingsError, match=message):
        ClusterSpec(**spec)  # type: ignore[arg-type]
