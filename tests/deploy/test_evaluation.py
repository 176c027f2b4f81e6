"""Patrol plans on held-out months: hand-checked shares, no leak from the month scored, the plans'
invariants, and `plan-backtest` on the bundled sample through its own small Typer app."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import typer
from numpy.typing import NDArray
from typer.testing import CliRunner

from streetlight.cli.plan_backtest_cmd import plan_backtest_command
from streetlight.deploy.coverage import coverage
from streetlight.deploy.evaluation import (
    METHODS,
    Evaluation,
    PlanScore,
    in_shift,
    local_hours,
    plan_backtest,
    plan_month,
    score_month_plans,
    top_cells_units,
)
from streetlight.deploy.optimize import Instance, objective
from streetlight.deploy.plan import PlanSettings
from streetlight.evaluate.intervals import bootstrap_interval
from streetlight.geo.grid import Grid
from streetlight.hotspots.base import EventSet, StudyArea, month_index, month_of_index
from streetlight.ingest import ingest
from streetlight.store import Store
from tests.conftest import SAMPLE_ZIP

VIOLENCE = "Violence and sexual offences"
MAY, JUNE = month_index(date(2025, 5, 1)), month_index(date(2025, 6, 1))
# A 9 x 7 block of 100 m cells; study-area index of cell (i, j) is i * 7 + j.
A, B = 4 * 7 + 3, 8 * 7 + 6  # B is 500 m from A: no 100 m post covers both
A_NEIGHBOURS = [3 * 7 + 3, 5 * 7 + 3, 4 * 7 + 2, 4 * 7 + 4]


def block() -> StudyArea:
    i, j = np.meshgrid(np.arange(9), np.arange(7), indexing="ij")
    return StudyArea(
        Grid(100.0), i.ravel().astype(np.int64), j.ravel().astype(np.int64), "EPSG:27700"
    )


def events(
    area: StudyArea,
    cells: list[int],
    months: list[int],
    days: list[float] | None = None,
    places: list[str] | None = None,
) -> EventSet:
    """Target events at the centres of `cells` in month indexes `months` (no time by default)."""
    x, y = area.centres()
    c = np.asarray(cells, dtype=np.int64)
    n = len(c)
    return EventSet(
        cell=c,
        x=x[c],
        y=y[c],
        month=np.asarray(months, dtype=np.int64),
        day=np.asarray(days if days is not None else [np.nan] * n, dtype=np.float64),
        weight=np.ones(n),
        category=np.array([VIOLENCE] * n),
        location=np.array(places or ["On or near Somewhere"] * n, dtype=object),
        target=np.ones(n, dtype=bool),
    )


def concat(*sets: EventSet) -> EventSet:
    def cat(name: str) -> NDArray[Any]:
        return np.concatenate([getattr(s, name) for s in sets])

    return EventSet(
        cat("cell"),
        cat("x"),
        cat("y"),
        cat("month"),
        cat("day"),
        cat("weight"),
        cat("category"),
        cat("location"),
        cat("target"),
    )


def spec(officers: dict[str, int], women_share: float = 0.0, radius: float = 100.0) -> Evaluation:
    settings = PlanSettings(
        officers=officers,
        unit_size=2,
        radius=radius,
        max_per_post=2,
        women_share=women_share,
        time_limit=5,
    )
    return Evaluation(settings, model="last-month", baseline="last-month", timezone="UTC")


def history(area: StudyArea) -> EventSet:
    """May: three crimes at A, one at each of its four neighbours: the one best 100 m post is A."""
    cells = [A, A, A, *A_NEIGHBOURS]
    return events(area, cells, [MAY] * len(cells))


def day_of(moment: datetime) -> float:
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds() / 86_400


def by(scores: list[PlanScore], shift: str, method: str) -> PlanScore:
    return next(s for s in scores if s.shift == shift and s.method == method)


def test_a_post_covering_one_of_two_crimes_covers_half() -> None:
    area = block()
    held_out = events(area, [A, B], [JUNE, JUNE])
    all_events = concat(history(area), held_out)
    plans = plan_month(all_events, area, JUNE, {"early": 1.0}, spec({"early": 2}))
    scores = score_month_plans(plans, all_events)
    assert [s.method for s in scores] == list(METHODS)
    for s in scores:
        assert (s.units, s.posts, s.crimes, s.covered_crimes) == (1, 1, 2.0, 1.0)
        assert s.covered_share == 0.5
        assert math.isclose(s.area_km2, 5 * 0.01)  # A and its four neighbours, 100 m cells
        assert math.isclose(s.area_share, 5 / 63)
        assert math.isclose(s.efficiency, 0.5 / (5 / 63))
        assert math.isclose(s.objective, 7.0)  # the forecast harm the post covers
    assert plans.units("early", "milp")[A] == 1 and plans.top_cells["early"][A] == 1


def test_crimes_with_times_count_for_their_shift_only() -> None:
    area = block()
    at = [
        day_of(datetime(2025, 6, 10, 8, tzinfo=UTC)),  # early, at A
        day_of(datetime(2025, 6, 10, 20, tzinfo=UTC)),  # late, at B
        np.nan,  # no time, at B: counts for both shifts
    ]
    all_events = concat(history(area), events(area, [A, B, B], [JUNE] * 3, days=at))
    officers = {"early": 2, "late": 2}
    plans = plan_month(all_events, area, JUNE, {"early": 0.5, "late": 0.5}, spec(officers))
    scores = score_month_plans(plans, all_events, "UTC")
    early, late = by(scores, "early", "milp"), by(scores, "late", "milp")
    assert (early.crimes, early.covered_crimes, early.covered_share) == (2.0, 1.0, 0.5)
    assert (late.crimes, late.covered_crimes, late.covered_share) == (2.0, 0.0, 0.0)


def test_a_month_without_crimes_has_no_share() -> None:
    area = block()
    plans = plan_month(history(area), area, JUNE, {"early": 1.0}, spec({"early": 2}))
    score = score_month_plans(plans, history(area))[0]
    assert score.crimes == 0 and math.isnan(score.covered_share) and math.isnan(score.efficiency)


def test_local_hours_follow_the_clock_change_and_nights_wrap_midnight() -> None:
    summer = day_of(datetime(2025, 7, 1, 6, 30, tzinfo=UTC))  # 07:30 BST
    winter = day_of(datetime(2025, 1, 1, 6, 30, tzinfo=UTC))  # 06:30 GMT
    hours = local_hours(np.array([summer, winter, np.nan]), "Europe/London")
    assert hours[:2].tolist() == [7.0, 6.0] and math.isnan(hours[2])
    assert in_shift(hours, "early").tolist() == [True, False, True]
    assert in_shift(hours, "night").tolist() == [False, True, True]
    assert in_shift(np.array([23.0, 0.0, 15.0]), "night").tolist() == [True, True, False]
    assert in_shift(hours, "custom").all()  # a shift of unknown hours counts every crime


def random_events(area: StudyArea, seed: int = 3) -> EventSet:
    """Twelve months of crimes concentrated in a few cells, some at nightclubs."""
    rng = np.random.default_rng(seed)
    weights = rng.gamma(0.4, 1.0, area.n_cells)
    weights /= weights.sum()
    cells = rng.choice(area.n_cells, size=600, p=weights)
    months = rng.integers(MAY - 8, JUNE + 3, size=600)
    club = np.isin(cells, np.arange(0, area.n_cells, 9))
    places = np.where(club, "On or near Nightclub", "On or near Somewhere").tolist()
    return events(area, cells.tolist(), months.tolist(), places=places)


def test_altering_the_month_scored_or_later_leaves_its_plans_unchanged() -> None:
    area = block()
    original = random_events(area)
    later = original.month >= JUNE
    moved = original.cell.copy()
    moved[later] = 0  # every crime of June and after moved to one corner cell
    x, y = area.centres()
    altered = concat(
        replace(original, cell=moved, x=x[moved], y=y[moved]),
        events(area, [B] * 20, [JUNE] * 20),
    )
    setup = spec({"early": 6, "late": 8}, women_share=0.3, radius=150.0)
    profile = {"early": 0.4, "late": 0.6}
    a = plan_month(original, area, JUNE, profile, setup)
    b = plan_month(altered, area, JUNE, profile, setup)
    np.testing.assert_array_equal(a.forecast.scores, b.forecast.scores)
    for shift in profile:
        for method in METHODS:
            np.testing.assert_array_equal(a.units(shift, method), b.units(shift, method))
        # The rebuilt problem is the one make_plan solved (busy nightclubs add demand here).
        milp = next(p.milp for p in a.shifts if p.shift == shift)
        assert math.isclose(objective(a.instances[shift], milp.units), milp.objective)
        assert a.instances[shift].demand.sum() > a.forecast.scores.sum() * profile[shift]
        women, needed = a.instances[shift].women, a.instances[shift].women_units_needed()
        assert needed > 0 and a.top_cells[shift][women].sum() >= needed
        assert a.units(shift, "milp")[women].sum() >= needed
    before = score_month_plans(a, original)
    after = score_month_plans(b, altered)
    assert [s.covered_crimes for s in before] != [s.covered_crimes for s in after]


def test_greedy_never_beats_the_milp_and_top_cells_keep_the_rules() -> None:
    area = block()
    setup = spec({"early": 6, "late": 10}, women_share=0.3, radius=150.0)
    months = list(range(MAY - 3, JUNE + 1))
    result = plan_backtest(
        random_events(area), area, months, {m: {"early": 0.4, "late": 0.6} for m in months}, setup
    )
    assert len(result.scores) == len(months) * 2 * len(METHODS)
    for month in months:
        for shift in ("early", "late"):
            at = [s for s in result.scores if s.month == month_of_index(month)]
            milp, greedy = by(at, shift, "milp"), by(at, shift, "greedy")
            assert greedy.objective <= milp.objective * (1 + 1e-9)
            top = by(at, shift, "top-cells")
            assert top.units == top.posts == setup.plan.officers[shift] // 2
    table = result.table()
    assert table.height == len(result.scores) and table["month"][0] == "2025-02"
    diffs = result.differences()
    assert set(diffs["comparison"]) == {"milp-greedy", "milp-top-cells"}
    data = result.to_json()
    assert data["months"][-1] == "2025-06" and set(data["summary"]) == set(METHODS)
    json.dumps(data, allow_nan=False)  # strict JSON: NaN becomes null


def test_top_cells_take_the_womens_safety_minimum_first() -> None:
    n = 10
    i = np.arange(n, dtype=np.int64)
    cov = coverage(i, np.zeros(n, np.int64), i, np.zeros(n, np.int64), 0.0, 100.0)
    scores = np.array([9.0, 8, 7, 6, 5, 4, 3, 2, 1, 0])
    women = np.zeros(n, dtype=bool)
    women[[6, 8, 9]] = True
    instance = Instance(scores, cov, women, units=5, max_per_post=2, min_women_share=0.4)
    units = top_cells_units(instance, scores)
    assert units.sum() == 5 and units.max() == 1
    assert np.flatnonzero(units).tolist() == [0, 1, 2, 6, 8]  # 2 women's-safety cells, best first
    scarce = Instance(scores, cov, women, units=9, min_women_share=0.9)
    assert top_cells_units(scarce, scores)[women].sum() == 3  # all there are
    assert top_cells_units(Instance(scores, cov, women, units=50), scores).sum() == n


def test_bootstrap_interval_brackets_the_mean_and_skips_gaps() -> None:
    values = [0.1, 0.2, 0.3, float("nan"), 0.4]
    lo, hi = bootstrap_interval(values)
    assert lo <= 0.25 <= hi and lo >= 0.1 and hi <= 0.4
    assert bootstrap_interval(values) == (lo, hi)  # fixed seed
    assert all(math.isnan(v) for v in bootstrap_interval([float("nan")]))


# The command through its own app: the lead registers it in cli/main.py.
app = typer.Typer()
app.command("plan-backtest")(plan_backtest_command)


@app.callback()
def _root() -> None:
    """Group mode, so the command is called by its name as in `streetlight`."""


runner = CliRunner()


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("plan-backtest") / "store"
    ingest([SAMPLE_ZIP], Store.open(path, create=True))
    return path


def plan_backtest_cli(store: Path, *args: str) -> list[str]:
    return ["plan-backtest", "--store", str(store), "--officers", "40", "--time-limit", "5", *args]


def test_cli_on_the_sample_writes_json_report_and_plot(sample_store: Path, tmp_path: Path) -> None:
    out, report = tmp_path / "r.json", tmp_path / "rep" / "report.md"
    args = ["--from", "2025-10", "--to", "2025-11", "--out", str(out), "--report", str(report)]
    result = runner.invoke(app, plan_backtest_cli(sample_store, *args, "-q"))
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["force"] == "cleveland" and data["months"] == ["2025-10", "2025-11"]
    assert data["settings"]["officers"] == {"early": 12, "late": 14, "night": 14}
    assert len(data["per_month"]) == 2 * 3 * 3
    for method in METHODS:
        for shift in ("early", "late", "night"):
            share = data["summary"][method][shift]["covered_share"]
            assert 0 < share < 1
    ci = data["differences"]["milp-top-cells"]["early"]["covered_share"]["ci95"]
    assert ci[0] <= data["differences"]["milp-top-cells"]["early"]["covered_share"]["mean"] <= ci[1]
    text = report.read_text()
    assert "## Paired differences" in text and "report-covered-share.png" in text
    assert (report.parent / "report-covered-share.png").read_bytes()[:4] == b"\x89PNG"
    assert "top-cells" in result.output and "wrote" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2023-12", "--to", "2024-01"], "nothing to plan from"),
        (["--from", "2025-11", "--to", "2026-01"], "nothing to score"),
        (["--from", "2025-11", "--to", "2025-10"], "is before --from"),
        (["--from", "2025-11", "--to", "2025-11", "--model", "nope"], "unknown model"),
        (["--from", "2025-11", "--to", "2025-11", "--shifts", "early"], "--shifts"),
    ],
)
def test_cli_errors_are_one_line(
    sample_store: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    result = runner.invoke(
        app, plan_backtest_cli(sample_store, *args, "--out", str(tmp_path / "x"))
    )
    assert result.exit_code == 1 and message in result.output, result.output
    assert not (tmp_path / "x").exists()
