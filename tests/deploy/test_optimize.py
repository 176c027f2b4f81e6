"""The patrol-placement MILP against brute force on tiny cases, and every constraint checked."""

from __future__ import annotations

import itertools
import math
import time

import numpy as np
import pytest

from streetlight.deploy.coverage import coverage
from streetlight.deploy.optimize import (
    Instance,
    _lp_bound,
    _model,
    _price_core,
    _reduce,
    _restrict,
    objective,
    solve_greedy,
    solve_milp,
)
from streetlight.errors import StreetlightError


def line_instance(units: int, share: float = 0.0, max_per_post: int = 2) -> Instance:
    """Eight cells in a row, 100 m apart; posts anywhere; a post covers its cell and neighbours."""
    i = np.arange(8, dtype=np.int64)
    j = np.zeros(8, dtype=np.int64)
    demand = np.array([5.0, 1.0, 0.0, 4.0, 4.0, 0.0, 2.0, 6.0])
    cov = coverage(i, j, i, j, radius=100.0, cell_size=100.0)
    women = np.zeros(8, dtype=bool)
    women[1] = True  # a women's-safety place with little recorded crime
    return Instance(demand, cov, women, units, max_per_post, 0.5, share)


def brute_force(instance: Instance) -> float:
    best = -math.inf
    n = instance.coverage.n_posts
    for combo in itertools.product(range(instance.max_per_post + 1), repeat=n):
        units = np.array(combo, dtype=np.int64)
        if units.sum() > instance.units:
            continue
        if units[instance.women].sum() < instance.women_units_needed():
            continue
        best = max(best, objective(instance, units))
    return best


def test_coverage_is_the_disk_of_the_radius() -> None:
    i, j = np.meshgrid(np.arange(5, dtype=np.int64), np.arange(5, dtype=np.int64), indexing="ij")
    cov = coverage(
        np.array([2]), np.array([2]), i.ravel(), j.ravel(), radius=150.0, cell_size=100.0
    )
    cells = {(int(i.ravel()[c]), int(j.ravel()[c])) for c in cov.cells_of(0)}
    assert cells == {(2, 2), (1, 2), (3, 2), (2, 1), (2, 3), (1, 1), (1, 3), (3, 1), (3, 3)}


@pytest.mark.parametrize(("units", "share"), [(1, 0.0), (2, 0.0), (3, 0.0), (3, 0.34), (4, 0.5)])
def test_milp_matches_brute_force(units: int, share: float) -> None:
    instance = line_instance(units, share)
    solution = solve_milp(instance, rel_gap=0.0)
    assert math.isclose(solution.objective, brute_force(instance))
    assert solution.units.sum() <= units
    assert solution.units.max() <= instance.max_per_post
    assert solution.units[instance.women].sum() >= math.ceil(share * units - 1e-9)


def test_greedy_is_feasible_and_never_better_than_the_milp() -> None:
    for units in (1, 2, 3, 5):
        instance = line_instance(units, 0.2)
        greedy, milp = solve_greedy(instance), solve_milp(instance, rel_gap=0.0)
        assert greedy.units.sum() <= units
        assert greedy.units[instance.women].sum() >= math.ceil(0.2 * units - 1e-9)
        assert greedy.objective <= milp.objective + 1e-9
        assert greedy.objective >= (1 - 1 / math.e) * milp.objective * 0.9


def test_same_input_same_plan() -> None:
    rng = np.random.default_rng(9)
    gi, gj = np.meshgrid(
        np.arange(40, dtype=np.int64), np.arange(40, dtype=np.int64), indexing="ij"
    )
    i, j = gi.ravel(), gj.ravel()
    demand = rng.gamma(0.3, 2.0, len(i))
    cov = coverage(i, j, i, j, radius=300.0, cell_size=150.0)
    instance = Instance(demand, cov, rng.random(len(i)) < 0.1, 30, 2, 0.5, 0.2)
    a, b = solve_milp(instance), solve_milp(instance)
    np.testing.assert_array_equal(a.units, b.units)
    assert a.gap <= 0.01 + 1e-9 and a.objective <= a.bound + 1e-6


def test_impossible_share_is_a_clear_error() -> None:
    instance = line_instance(units=6, share=0.9)
    with pytest.raises(StreetlightError, match="only 1 such posts exist"):
        solve_milp(instance)


def random_instance(seed: int, units: int, max_per_post: int, share: float) -> Instance:
    """A 60 x 60 grid of 150 m cells with sparse, skewed demand: force-like, seconds to solve."""
    rng = np.random.default_rng(seed)
    gi, gj = np.meshgrid(
        np.arange(60, dtype=np.int64), np.arange(60, dtype=np.int64), indexing="ij"
    )
    i, j = gi.ravel(), gj.ravel()
    demand = np.where(rng.random(len(i)) < 0.25, rng.gamma(0.4, 3.0, len(i)), 0.0)
    cov = coverage(i, j, i, j, radius=400.0, cell_size=150.0)
    return Instance(demand, cov, rng.random(len(i)) < 0.05, units, max_per_post, 0.5, share)


def full_lp_value(instance: Instance) -> float:
    """The LP relaxation over every post, by dual simplex on the whole model (the reference)."""
    import highspy

    reduced, _ = _reduce(instance)
    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    h.passModel(_model(reduced, integer=False))
    h.run()
    return float(h.getInfo().objective_function_value)


def test_restrict_keeps_each_posts_cells() -> None:
    instance = random_instance(1, 10, 2, 0.0)
    keep = np.array([3, 17, 18, 400, 3599], dtype=np.int64)
    sub = _restrict(instance, keep)
    for n, p in enumerate(keep):
        np.testing.assert_array_equal(sub.coverage.cells_of(n), instance.coverage.cells_of(int(p)))
    np.testing.assert_array_equal(sub.women, instance.women[keep])


@pytest.mark.parametrize(
    ("units", "max_per_post", "share"), [(40, 2, 0.2), (30, 2, 0.0), (60, 3, 0.5)]
)
def test_column_generation_bound_is_the_full_lp(
    units: int, max_per_post: int, share: float
) -> None:
    instance = random_instance(units, units, max_per_post, share)
    reduced, _ = _reduce(instance)
    # a deliberately small first core, so pricing has to bring most posts in; no stall limit, so
    # it runs until no post prices in (degenerate prices can take many rounds)
    core = _price_core(reduced, time.perf_counter() + 120, start_size=20, stall=1000)
    assert np.isfinite(core.bound) and core.rounds > 1
    assert math.isclose(core.bound, full_lp_value(instance), rel_tol=1e-7)
    assert len(core.posts) < reduced.coverage.n_posts


def test_interior_point_bound_is_the_full_lp() -> None:
    """The fallback bound when pricing stalls (one unit per post, degenerate prices)."""
    instance = random_instance(5, 25, 1, 0.0)
    reduced, _ = _reduce(instance)
    assert math.isclose(_lp_bound(reduced, 60.0), full_lp_value(instance), rel_tol=1e-6)


@pytest.mark.parametrize(("units", "max_per_post"), [(40, 2), (25, 1)])
def test_reported_gap_is_proved_against_every_post(units: int, max_per_post: int) -> None:
    instance = random_instance(units + 7, units, max_per_post, 0.2)
    solution = solve_milp(instance, time_limit=30.0, rel_gap=0.01)
    assert solution.objective <= full_lp_value(instance) + 1e-6
    assert solution.bound >= full_lp_value(instance) - 1e-6 * solution.bound
    assert solution.gap <= 0.01 + 1e-9
    assert math.isclose(solution.objective, objective(instance, solution.units))
    # every unit is placed: one more never lowers the objective
    assert solution.units.sum() == units and solution.units.max() <= max_per_post
    assert solution.units[instance.women].sum() >= math.ceil(0.2 * units - 1e-9)
