"""`make_plan`: shifts that are the same problem are solved once, and solving the distinct ones
in worker processes gives the plans the parent would."""

from __future__ import annotations

import numpy as np
import pytest

from streetlight.deploy import plan as planning
from streetlight.deploy.errors import PlanSettingsError
from streetlight.deploy.plan import EQUAL_SHIFTS, PlanSettings, make_plan
from tests.deploy.test_briefing import small_plan


def test_shifts_that_are_the_same_problem_are_solved_once() -> None:
    forecast, _, _ = small_plan()
    settings = PlanSettings(officers={"early": 4, "late": 6, "night": 6}, time_limit=5.0)
    early, late, night = make_plan(forecast, EQUAL_SHIFTS, settings)
    assert late.milp is night.milp and late.greedy is night.greedy  # one solve for both
    assert early.milp is not late.milp
    assert [p.shift for p in (early, late, night)] == ["early", "late", "night"]


def test_worker_processes_solve_as_the_parent_does(monkeypatch: pytest.MonkeyPatch) -> None:
    forecast, _, _ = small_plan()
    settings = PlanSettings(officers={"early": 4, "late": 6, "night": 8}, time_limit=5.0)
    alone = make_plan(forecast, EQUAL_SHIFTS, settings)
    monkeypatch.setattr(planning, "PARALLEL_CELLS", 0)  # this small area in workers too
    side_by_side = make_plan(forecast, EQUAL_SHIFTS, settings)
    for one, other in zip(alone, side_by_side, strict=True):
        assert np.array_equal(one.milp.units, other.milp.units)
        assert one.milp.objective == pytest.approx(other.milp.objective)


def test_the_gap_asked_for_is_a_share() -> None:
    with pytest.raises(PlanSettingsError, match="gap"):
        PlanSettings(officers={"early": 4}, gap=1.5)
    forecast, _, _ = small_plan()
    exact = make_plan(forecast, EQUAL_SHIFTS, PlanSettings(officers={"early": 6}, gap=0.0))
    assert exact[0].milp.gap <= 1e-6
