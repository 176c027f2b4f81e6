"""`streetlight plan --harm` and `streetlight plan-backtest --harm`: CCHI by default with its
caveats printed and recorded, a force's own table instead, `none` for plain counts, and a bad
table as one line naming the file (on the made-up force of `tests/deploy/test_plan_harm.py`)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner, Result

from streetlight.cli.main import app
from tests.deploy.test_plan_harm import CATEGORIES, R, S, make_store

runner = CliRunner()
CAVEATS = ("Cambridge Crime Harm Index", "give its own table with --harm FILE")
# One unit of two on the early shift; no women's-safety minimum, no busy-place demand.
PLAN_FLAGS = [
    "--officers", "2", "--shifts", "early:1", "--max-per-post", "1", "--women-share", "0",
    "--busy-weight", "0", "--model", "rolling-12", "--time-limit", "5",
    *(flag for category in CATEGORIES for flag in ("--category", category)),
]  # fmt: skip


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_store(tmp_path_factory.mktemp("cli-harm") / "testshire").root


def plan(store: Path, out: Path, *args: str) -> Result:
    """`streetlight plan` for July 2025, writing `out`/posts.csv and `out`/plan.json."""
    files = ["--out", str(out / "posts.csv"), "--out", str(out / "plan.json")]
    return runner.invoke(
        app, ["plan", "--store", str(store), "--month", "2025-07", *PLAN_FLAGS, *files, *args]
    )


def said(result: Result) -> str:
    return " ".join(result.output.split())


def post_lon(out: Path) -> float:
    posts = pl.read_csv(out / "posts.csv").filter(pl.col("units") > 0)
    assert posts.height == 1
    return float(posts["lon"][0])


def test_plan_weighs_by_cchi_by_default_and_says_so(store: Path, tmp_path: Path) -> None:
    result = plan(store, tmp_path)
    assert result.exit_code == 0, result.output
    assert all(caveat in said(result) for caveat in CAVEATS)
    assert json.loads((tmp_path / "plan.json").read_text())["harm_table"] == "cchi"
    assert post_lon(tmp_path) == pytest.approx(R[0], abs=0.002)  # the robberies, by harm


def test_plan_takes_the_force_s_own_table_or_none(store: Path, tmp_path: Path) -> None:
    own = tmp_path / "own.toml"
    own.write_text('[weights]\n"Shoplifting" = 50.0\n"Robbery" = 2.0\n')
    mine = plan(store, tmp_path / "own", "--harm", str(own))
    assert mine.exit_code == 0, mine.output
    assert f"harm weights: {own}" in said(mine) and CAVEATS[0] not in said(mine)
    assert json.loads((tmp_path / "own" / "plan.json").read_text())["harm_table"] == str(own)
    assert post_lon(tmp_path / "own") == pytest.approx(S[0], abs=0.002)
    counted = plan(store, tmp_path / "none", "--harm", "none")
    assert counted.exit_code == 0, counted.output
    assert "every crime counts 1" in said(counted) and CAVEATS[0] not in said(counted)
    assert json.loads((tmp_path / "none" / "plan.json").read_text())["harm_table"] is None
    assert post_lon(tmp_path / "none") == pytest.approx(S[0], abs=0.002)  # the most crimes


def test_a_bad_table_is_one_line_naming_the_file(store: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[weights]\n"Robbery" = "high"\n')
    backtest = ["plan-backtest", "--store", str(store), "--from", "2025-06", "--to", "2025-06"]
    for command in (
        plan(store, tmp_path, "--harm", str(bad)),
        runner.invoke(
            app, [*backtest, *PLAN_FLAGS, "--out", str(tmp_path / "bt.json"), "--harm", str(bad)]
        ),
    ):
        assert command.exit_code == 1
        assert command.stderr.strip() == (
            f"error: {bad}: weight of 'Robbery' must be a number >= 0, not 'high'"
        )
    assert not list(tmp_path.glob("*.csv")) and not list(tmp_path.glob("*.json"))


def test_plan_backtest_weighs_by_cchi_by_default_and_says_so(store: Path, tmp_path: Path) -> None:
    out, report = tmp_path / "bt.json", tmp_path / "bt.md"
    base = ["plan-backtest", "--store", str(store), "--from", "2025-06", "--to", "2025-06"]
    result = runner.invoke(app, [*base, *PLAN_FLAGS, "--out", str(out), "--report", str(report)])
    assert result.exit_code == 0, result.output
    assert all(caveat in said(result) for caveat in CAVEATS)
    assert "shares of the month's harm covered" in said(result)
    assert all(caveat in " ".join(report.read_text().split()) for caveat in CAVEATS)
    data = json.loads(out.read_text())
    assert data["harm_table"] == "cchi"
    assert data["summary"]["milp"]["early"]["covered_share"] == 1.0  # R's robberies: all harm
    counted = runner.invoke(app, [*base, *PLAN_FLAGS, "--out", str(out), "--harm", "none"])
    assert counted.exit_code == 0, counted.output
    assert "shares of the month's crimes covered" in said(counted)
    data = json.loads(out.read_text())
    assert data["harm_table"] is None
    assert data["summary"]["milp"]["early"]["covered_share"] == 0.0  # the unit is at S
