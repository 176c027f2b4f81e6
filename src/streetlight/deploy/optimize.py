"""Placing patrol units on posts to cover the most expected harm: a MILP, and a greedy baseline.

The model is a maximal covering location problem (Church & ReVelle 1974, "The maximal covering
location problem", Papers of the Regional Science Association 32) with two additions police
deployment needs: more units covering a cell add value with diminishing returns, and an optional
minimum share of units at places where women and girls feel unsafe. The returns are counted per
cell, as in Daskin's maximum expected covering model (1983, Transportation Science 17): the l-th
unit within reach of a cell adds decay^(l-1) of its harm, whether it stands at the same post or at
a neighbouring one, up to M units (the most a post may hold). Counting them per post instead (a
second unit at a post worth half of all the harm within its reach) rewards stacking units on the
densest posts even where other posts already cover that harm: on Cleveland's backtest months
such plans covered 10-12 points less of the next month's crime than the greedy plan.

For one shift, with posts p, demand cells c, coverage levels l = 1..M:

    maximise   sum_c d_c sum_l decay^(l-1) y_cl
    subject to sum_l y_cl <= sum_{p covers c} x_p     (a cell's levels need units in reach)
               sum_p x_p <= units                     (officers / unit size)
               sum_{p in W} x_p >= ceil(share * units)
               x_p integer in 0..M, 0 <= y_cl <= 1

(the levels fill in order by themselves, their values falling),
solved with HiGHS (Huangfu & Hall 2018, Mathematical Programming Computation 10) under a time limit
and relative gap. A force has tens of thousands of candidate cells, and HiGHS stalls on the whole
model (its LP relaxation alone takes a minute of degenerate pivots, and its root heuristics do not
check the time limit), yet the LP relaxation is nearly always integral or close: so column
generation prices in the few thousand posts that matter, the MILP runs over those, and the gap is
proved against the LP bound over every post. The greedy baseline adds, one unit at a time, the
unit with the largest gain (Nemhauser, Wolsey & Fisher 1978: within 1 - 1/e of optimal for this
submodular objective without the share constraint), serving the share first.
"""

from __future__ import annotations

import heapq
import os
import sys
import time
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np
from numpy.typing import NDArray

from streetlight.deploy.coverage import Coverage
from streetlight.deploy.errors import PlanSettingsError, SolverError

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class Instance:
    """One shift's deployment problem.

    Attributes:
        demand: expected harm per demand cell in the shift.
        coverage: which demand cells each candidate post covers.
        women: posts at places where women and girls feel unsafe (for the minimum share).
        units: patrol units available (officers // unit size).
        max_per_post: most units at one post.
        decay: value of each extra unit at a post relative to the one before (0 to 1).
        min_women_share: least share of units at `women` posts (0 to 1).
    """

    demand: FloatArray
    coverage: Coverage
    women: BoolArray
    units: int
    max_per_post: int = 2
    decay: float = 0.5
    min_women_share: float = 0.0

    def check(self) -> None:
        if self.units < 0:
            raise ValueError(f"units must be >= 0, not {self.units}")
        if self.max_per_post < 1:
            raise ValueError(f"max_per_post must be >= 1, not {self.max_per_post}")
        if not 0 <= self.decay <= 1:
            raise ValueError(f"decay must be between 0 and 1, not {self.decay}")
        if not 0 <= self.min_women_share <= 1:
            raise ValueError(f"min_women_share must be between 0 and 1, not {self.min_women_share}")
        if len(self.women) != self.coverage.n_posts:
            raise ValueError("women must have one flag per post")
        needed = self.women_units_needed()
        if needed > int(self.women.sum()) * self.max_per_post:
            raise PlanSettingsError(
                f"a {self.min_women_share:.0%} share of {self.units} units needs {needed} units at "
                f"women's-safety places, but only {int(self.women.sum())} such posts exist"
            )

    def women_units_needed(self) -> int:
        """Units the plan must put at women's-safety posts: the share of the units available."""
        return int(np.ceil(self.min_women_share * self.units - 1e-9))

    def post_value(self) -> FloatArray:
        """Harm each post covers (D_p)."""
        cov = self.coverage
        sums = (
            np.add.reduceat(self.demand[cov.indices], cov.indptr[:-1])
            if len(cov.indices)
            else np.zeros(cov.n_posts)
        )
        empty = cov.indptr[:-1] == cov.indptr[1:]
        return np.where(empty, 0.0, sums).astype(np.float64)


@dataclass(frozen=True)
class Solution:
    """Units per post, and how good the plan is."""

    units: IntArray
    objective: float
    bound: float
    gap: float
    seconds: float
    method: str
    status: str


def level_values(instance: Instance) -> FloatArray:
    """Value of the l-th unit in reach of a cell, per unit of its harm: decay^(l-1), l = 1..M."""
    return np.asarray(instance.decay ** np.arange(instance.max_per_post), dtype=np.float64)


def cover_counts(instance: Instance, units: IntArray) -> IntArray:
    """Units within reach of each demand cell."""
    cov = instance.coverage
    counts = np.zeros(cov.n_cells, dtype=np.int64)
    np.add.at(counts, cov.indices, np.repeat(units, np.diff(cov.indptr)))
    return counts


def objective(instance: Instance, units: IntArray) -> float:
    """The plan's value computed directly (not from the solver): each cell's harm times the
    summed value of the units in its reach, up to M of them."""
    worth = np.concatenate([[0.0], np.cumsum(level_values(instance))])
    counts = np.minimum(cover_counts(instance, units), instance.max_per_post)
    return float((instance.demand * worth[counts]).sum())


def _reduce(instance: Instance) -> tuple[Instance, IntArray]:
    """The same problem without cells of zero demand and posts that cover none (unless they count
    for the women's-safety share): most cells of a force area have no forecast harm."""
    cov = instance.coverage
    active = instance.demand > 0
    cell_map = np.full(cov.n_cells, -1, dtype=np.int64)
    cell_map[active] = np.arange(int(active.sum()))
    keep_entry = active[cov.indices]
    post_of = np.repeat(np.arange(cov.n_posts), np.diff(cov.indptr))
    useful = np.zeros(cov.n_posts, dtype=bool)
    useful[post_of[keep_entry]] = True
    posts = np.flatnonzero(useful | instance.women)
    post_map = np.full(cov.n_posts, -1, dtype=np.int64)
    post_map[posts] = np.arange(len(posts))
    entry = keep_entry & (post_map[post_of] >= 0)
    new_post, new_cell = post_map[post_of[entry]], cell_map[cov.indices[entry]]
    indptr = np.zeros(len(posts) + 1, dtype=np.int64)
    np.add.at(indptr, new_post + 1, 1)
    reduced = Coverage(np.cumsum(indptr), new_cell, int(active.sum()))
    return (
        Instance(
            instance.demand[active],
            reduced,
            instance.women[posts],
            instance.units,
            instance.max_per_post,
            instance.decay,
            instance.min_women_share,
        ),
        posts,
    )


def _model(instance: Instance, *, integer: bool) -> highspy.HighsLp:
    """The MILP above as a HiGHS model: columns x[p], then y[c, l] at n_posts + c * M + (l - 1);
    rows: one per cell, then the unit budget, then (when needed) the women's-safety minimum."""
    cov, m = instance.coverage, instance.max_per_post
    n_posts, n_cells = cov.n_posts, cov.n_cells
    n_cols = n_posts + n_cells * m
    cost = np.zeros(n_cols)
    cost[n_posts:] = (instance.demand[:, None] * level_values(instance)[None, :]).ravel()
    post_of = np.repeat(np.arange(n_posts), np.diff(cov.indptr))
    level_cols = n_posts + np.arange(n_cells * m)
    rows = [cov.indices, np.repeat(np.arange(n_cells), m), np.full(n_posts, n_cells)]
    cols = [post_of, level_cols, np.arange(n_posts)]
    vals = [-np.ones(len(cov.indices)), np.ones(n_cells * m), np.ones(n_posts)]
    lower = [np.full(n_cells, -np.inf), [-np.inf]]
    upper = [np.zeros(n_cells), [float(instance.units)]]
    needed = instance.women_units_needed()
    if needed > 0:
        # a sparse row over the women's-safety posts only: a dense "share of units used" row
        # makes the relaxation far harder, and every unit is used anyway
        women = np.flatnonzero(instance.women)
        rows.append(np.full(len(women), n_cells + 1))
        cols.append(women)
        vals.append(np.ones(len(women)))
        lower.append([float(needed)])
        upper.append([np.inf])
    ri, rj, rv = np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)
    order = np.lexsort((ri, rj))  # column-wise
    ri, rj, rv = ri[order], rj[order], rv[order]
    start = np.zeros(n_cols + 1, dtype=np.int64)
    np.add.at(start, rj + 1, 1)

    lp = highspy.HighsLp()
    lp.num_col_ = n_cols
    lp.num_row_ = n_cells + 1 + (needed > 0)
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.col_cost_ = cost
    lp.col_lower_ = np.zeros(n_cols)
    lp.col_upper_ = np.concatenate([np.full(n_posts, float(m)), np.ones(n_cells * m)])
    lp.row_lower_ = np.concatenate([np.asarray(x, dtype=np.float64) for x in lower])
    lp.row_upper_ = np.concatenate([np.asarray(x, dtype=np.float64) for x in upper])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.cumsum(start)
    lp.a_matrix_.index_ = ri.astype(np.int32)
    lp.a_matrix_.value_ = rv
    if integer:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * n_posts + [
            highspy.HighsVarType.kContinuous
        ] * (n_cells * m)
    return lp


def _restrict(instance: Instance, keep: IntArray) -> Instance:
    """The same problem with only the posts `keep` as candidates (every demand cell stays)."""
    cov = instance.coverage
    lengths = np.diff(cov.indptr)[keep]
    starts = cov.indptr[keep]
    indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    # gather every kept post's slice of `indices` without a Python loop
    offsets = np.repeat(starts - indptr[:-1], lengths) + np.arange(int(lengths.sum()))
    return Instance(
        instance.demand,
        Coverage(indptr, cov.indices[offsets], cov.n_cells),
        instance.women[keep],
        instance.units,
        instance.max_per_post,
        instance.decay,
        instance.min_women_share,
    )


_banner_shown = False


def _new_highs() -> highspy.Highs:
    """A HiGHS instance; the first one of a process prints a banner to the C-level stdout before
    any option can silence it, which would land in the middle of a command's report."""
    global _banner_shown
    if _banner_shown:
        return highspy.Highs()  # type: ignore[no-untyped-call]
    sys.stdout.flush()
    saved, null = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        h = highspy.Highs()  # type: ignore[no-untyped-call]
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)
    _banner_shown = True
    return h


def _highs(time_limit: float) -> highspy.Highs:
    h = _new_highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", max(float(time_limit), 0.1))
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", 0)
    # HiGHS 1.16's presolve can run for many minutes on force-sized covering models without
    # checking the time limit; the model is already reduced (`_reduce`), so skip it.
    h.setOptionValue("presolve", "off")
    return h


def _prices(instance: Instance, row_dual: FloatArray, needed: int) -> FloatArray:
    """Reduced cost d = c - A^T y of each post's column x_p under the restricted LP's prices
    (-1 on its cells' rows, +1 on the budget and women's rows): > 0 means adding the post could
    raise the LP's value."""
    cov = instance.coverage
    n_cells = cov.n_cells
    unit_price = row_dual[n_cells] + np.where(
        instance.women, row_dual[n_cells + 1] if needed > 0 else 0.0, 0.0
    )
    cover = row_dual[:n_cells][cov.indices]
    covered_price = np.add.reduceat(cover, cov.indptr[:-1]) if len(cover) else np.zeros(cov.n_posts)
    covered_price = np.where(np.diff(cov.indptr) > 0, covered_price, 0.0)
    return np.asarray(covered_price - unit_price, dtype=np.float64)


@dataclass(frozen=True)
class _Core:
    posts: IntArray  # candidate posts of the restricted problem, ascending
    bound: float  # the LP relaxation over all posts (an upper bound on every plan), or nan
    rounds: int


STALL = 3  # rounds without a change in the LP's value


def _price_core(instance: Instance, deadline: float, start_size: int, stall: int = STALL) -> _Core:
    """Column generation (Gilmore & Gomory 1961): solve the LP relaxation over the posts that
    cover most demand, add the posts whose reduced cost says they could raise it, repeat. When
    none can, the restricted LP's value bounds the whole problem, and a MILP over these few
    thousand posts is fast: the full model's LP stalls for a minute on degenerate pivots."""
    n_posts = instance.coverage.n_posts
    needed = instance.women_units_needed()
    order = np.argsort(-instance.post_value(), kind="stable")
    core = np.zeros(n_posts, dtype=bool)
    core[order[:start_size]] = True
    core |= instance.women
    values: list[float] = []
    for rounds in range(1, 50):
        keep = np.flatnonzero(core)
        lp = _model(_restrict(instance, keep), integer=False)
        h = _highs(deadline - time.perf_counter())
        h.passModel(lp)
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return _Core(keep, float("nan"), rounds)
        values.append(float(h.getInfo().objective_function_value))
        gain = _prices(instance, np.asarray(h.getSolution().row_dual), needed)
        gain[keep] = 0.0
        tolerance = 1e-9 * max(1.0, abs(values[-1]))
        entering = np.flatnonzero(gain > tolerance)
        if len(entering) == 0:
            return _Core(keep, values[-1], rounds)
        # Stalled: the value has not moved for three rounds, only the (degenerate) prices have.
        stalled = len(values) > stall and values[-1] <= values[-1 - stall] + tolerance
        if time.perf_counter() > deadline or stalled:
            return _Core(keep, float("nan"), rounds)
        core[entering] = True
    return _Core(np.flatnonzero(core), float("nan"), rounds)


def _lp_bound(instance: Instance, time_limit: float) -> float:
    """The LP relaxation over every post by interior point without crossover: a bound in seconds
    where simplex, and column generation on it, stall on the covering rows' degenerate prices
    (most often with one unit per post). nan when it does not finish in time."""
    h = _highs(time_limit)
    h.setOptionValue("solver", "ipm")
    h.setOptionValue("run_crossover", "off")
    h.passModel(_model(instance, integer=False))
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return float("nan")
    return float(h.getInfo().objective_function_value)


def solve_milp(
    instance: Instance,
    time_limit: float = 30.0,
    rel_gap: float = 0.01,
    core_size: int = 2000,
) -> Solution:
    """The MILP above with HiGHS; deterministic for the same input (one thread, fixed seed) as
    long as it finishes within `time_limit`: a run cut short by the clock stops wherever the
    clock stopped it, and says so in `status`.

    Column generation first finds a few thousand candidate posts whose LP relaxation is the whole
    problem's (`_price_core`); the MILP is solved over those, and its gap is measured against the
    LP bound over every post, so the reported gap holds for the full problem. When pricing stalls,
    the bound comes from the full LP by interior point instead (`_lp_bound`); the MILP still runs
    over the posts priced in so far, which hold the plan's best candidates.
    """
    instance.check()
    started = time.perf_counter()
    deadline = started + time_limit
    full = instance
    instance, posts = _reduce(instance)
    core = _price_core(instance, started + 0.3 * time_limit, core_size)
    bound = core.bound
    if not np.isfinite(bound):
        bound = _lp_bound(instance, 0.4 * time_limit)
    restricted = _restrict(instance, core.posts)
    units_core, status, _ = _solve_mip(restricted, deadline - time.perf_counter(), rel_gap, bound)
    units = np.zeros(full.coverage.n_posts, dtype=np.int64)
    units[posts[core.posts]] = augment(restricted, units_core)
    value = objective(full, units)
    gap = (bound - value) / max(abs(bound), 1e-12) if np.isfinite(bound) else float("nan")
    return Solution(
        units, value, bound, max(gap, 0.0), time.perf_counter() - started, "milp", status
    )


def _solve_mip(
    instance: Instance, time_limit: float, rel_gap: float, bound: float = float("nan")
) -> tuple[IntArray, str, float]:
    """Units per post from HiGHS's branch and bound, started from the greedy plan (so a time
    limit can only improve on the baseline); with its status and its own dual bound."""
    cov, m = instance.coverage, instance.max_per_post
    n_posts, n_cells = cov.n_posts, cov.n_cells
    h = _highs(time_limit)
    h.setOptionValue("mip_rel_gap", float(rel_gap))
    h.passModel(_model(instance, integer=True))
    start_units = solve_greedy(instance).units
    counts = cover_counts(instance, start_units)
    levels = (counts[:, None] > np.arange(m)[None, :]).astype(float).ravel()
    warm = np.concatenate([start_units.astype(float), levels])
    incumbent = highspy.HighsSolution()
    incumbent.col_value = warm.tolist()
    h.setSolution(incumbent)
    if np.isfinite(bound):
        # Stop once the incumbent is within the gap of the bound over every post: the solver's
        # own bound covers only these posts and may take far longer to close.
        target = bound - rel_gap * abs(bound)

        def close_enough(
            kind: highspy.cb.HighsCallbackType,
            message: str,
            out: highspy.cb.HighsCallbackOutput,
            into: highspy.cb.HighsCallbackInput,
            data: Any,
        ) -> None:
            if out.mip_primal_bound >= target:
                into.user_interrupt = True

        h.setCallback(close_enough, None)
        h.startCallback(highspy.cb.HighsCallbackType.kCallbackMipInterrupt)
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    if h.getModelStatus() == highspy.HighsModelStatus.kInterrupt:
        status = "Within the gap of the bound over every post"
    values = np.asarray(h.getSolution().col_value)
    if len(values) != n_posts + n_cells * m:
        raise SolverError(f"the solver found no plan ({status})")
    units = np.rint(values[:n_posts]).astype(np.int64)
    return units, status, float(h.getInfo().mip_dual_bound)


def solve_greedy(instance: Instance) -> Solution:
    """Add the best unit at a time (lazy greedy); women's-safety posts first until the share is met."""
    instance.check()
    started = time.perf_counter()
    units = augment(instance, np.zeros(instance.coverage.n_posts, dtype=np.int64))
    value = objective(instance, units)
    return Solution(
        units, value, float("nan"), float("nan"), time.perf_counter() - started, "greedy", "done"
    )


def augment(instance: Instance, units: IntArray) -> IntArray:
    """`units` plus, one at a time, the unit that adds most, until every unit is placed (serving
    the women's-safety share first). From nothing this is the greedy plan; after a solver stopped
    early with units unplaced it completes the plan, since no unit ever lowers the objective."""
    cov = instance.coverage
    units = units.copy()
    counts = cover_counts(instance, units)
    # the next unit in reach of a cell with n units adds decay^n of its harm (none past M)
    next_value = np.concatenate([level_values(instance), [0.0]])

    def gain(p: int) -> float:
        if units[p] >= instance.max_per_post:
            return -np.inf
        cells = cov.cells_of(p)
        levels = np.minimum(counts[cells], instance.max_per_post)
        return float((instance.demand[cells] * next_value[levels]).sum())

    def place(candidates: IntArray, count: int) -> None:
        heap = [(-gain(int(p)), int(p)) for p in candidates]
        heapq.heapify(heap)
        placed = 0
        while heap and placed < count:
            neg, p = heapq.heappop(heap)
            current = gain(p)
            if current == -np.inf:
                continue
            if -neg > current + 1e-12:  # stale: push back with the fresh gain
                heapq.heappush(heap, (-current, p))
                continue
            counts[cov.cells_of(p)] += 1
            units[p] += 1
            placed += 1
            if units[p] < instance.max_per_post:
                heapq.heappush(heap, (-gain(p), p))

    short = instance.women_units_needed() - int(units[instance.women].sum())
    place(np.flatnonzero(instance.women), max(short, 0))
    place(np.arange(cov.n_posts), instance.units - int(units.sum()))
    return units
