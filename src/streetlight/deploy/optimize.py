"""Placing patrol units on posts to cover the most expected harm: a MILP, and a greedy baseline.

The model is a maximal covering location problem (Church & ReVelle 1974, "The maximal covering
location problem", Papers of the Regional Science Association 32) with two additions police
deployment needs: extra units at the same post add value with diminishing returns (the k-th unit
at a post adds decay^(k-1) times the harm the post covers: more officers make a place safer, less
so each), and an optional minimum share of units at places where women and girls feel unsafe.

For one shift, with posts p, demand cells c, units k = 1..M at each post:

    maximise   sum_c d_c y_c + sum_p sum_{k>=2} decay^(k-1) D_p z_pk
    subject to y_c <= sum_{p covers c} z_p1          (a cell counts once when any post covers it)
               z_pk <= z_p(k-1)                      (units fill a post in order)
               sum_pk z_pk <= units                  (officers / unit size)
               sum_{p in W} sum_k z_pk >= ceil(share * units)
               z binary, 0 <= y <= 1

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
from streetlight.errors import StreetlightError

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
            raise StreetlightError(
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


def objective(instance: Instance, units: IntArray) -> float:
    """The plan's value computed directly (not from the solver): coverage plus extra units."""
    cov = instance.coverage
    covered = np.zeros(cov.n_cells, dtype=bool)
    for p in np.flatnonzero(units > 0):
        covered[cov.cells_of(int(p))] = True
    value = float(instance.demand[covered].sum())
    extra = np.zeros(len(units))
    for k in range(2, instance.max_per_post + 1):
        extra += np.where(units >= k, instance.decay ** (k - 1), 0.0)
    return value + float((extra * instance.post_value()).sum())


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
    """The MILP above as a HiGHS model: columns z[p, k] at p * M + (k - 1), then y[c]."""
    cov, m = instance.coverage, instance.max_per_post
    n_posts, n_cells = cov.n_posts, cov.n_cells
    n_z = n_posts * m  # z[p, k] at column p * m + (k - 1)
    n_cols = n_z + n_cells
    post_value = instance.post_value()
    cost = np.zeros(n_cols)
    for k in range(2, m + 1):
        cost[np.arange(n_posts) * m + (k - 1)] = instance.decay ** (k - 1) * post_value
    cost[n_z:] = instance.demand

    rows_i: list[IntArray] = []
    rows_j: list[IntArray] = []
    vals: list[FloatArray] = []
    lower: list[FloatArray] = []
    upper: list[FloatArray] = []
    row = 0
    # y_c - sum_{p covers c} z_p1 <= 0
    post_of = np.repeat(np.arange(n_posts), np.diff(cov.indptr))
    rows_i += [row + np.arange(n_cells), row + cov.indices]
    rows_j += [n_z + np.arange(n_cells), post_of * m]
    vals += [np.ones(n_cells), -np.ones(len(cov.indices))]
    lower.append(np.full(n_cells, -np.inf))
    upper.append(np.zeros(n_cells))
    row += n_cells
    # z_pk - z_p(k-1) <= 0
    if m > 1:
        grid_p, grid_k = np.meshgrid(np.arange(n_posts), np.arange(2, m + 1), indexing="ij")
        pp, kk = grid_p.ravel(), grid_k.ravel()
        r = row + np.arange(len(pp))
        rows_i += [r, r]
        rows_j += [pp * m + (kk - 1), pp * m + (kk - 2)]
        vals += [np.ones(len(pp)), -np.ones(len(pp))]
        lower.append(np.full(len(pp), -np.inf))
        upper.append(np.zeros(len(pp)))
        row += len(pp)
    # sum z <= units
    rows_i.append(np.full(n_z, row))
    rows_j.append(np.arange(n_z))
    vals.append(np.ones(n_z))
    lower.append(np.array([-np.inf]))
    upper.append(np.array([float(instance.units)]))
    row += 1
    # sum_{W} z >= ceil(share * units): a sparse row over the women's-safety posts only (a dense
    # "share of units used" row makes the relaxation far harder, and every unit is used anyway
    # while any post adds value)
    needed = instance.women_units_needed()
    if needed > 0:
        cols = (np.flatnonzero(instance.women)[:, None] * m + np.arange(m)[None, :]).ravel()
        rows_i.append(np.full(len(cols), row))
        rows_j.append(cols)
        vals.append(np.ones(len(cols)))
        lower.append(np.array([float(needed)]))
        upper.append(np.array([np.inf]))
        row += 1

    ri, rj, rv = np.concatenate(rows_i), np.concatenate(rows_j), np.concatenate(vals)
    order = np.lexsort((ri, rj))  # column-wise
    ri, rj, rv = ri[order], rj[order], rv[order]
    start = np.zeros(n_cols + 1, dtype=np.int64)
    np.add.at(start, rj + 1, 1)

    lp = highspy.HighsLp()
    lp.num_col_ = n_cols
    lp.num_row_ = row
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.col_cost_ = cost
    lp.col_lower_ = np.zeros(n_cols)
    lp.col_upper_ = np.ones(n_cols)
    lp.row_lower_ = np.concatenate(lower)
    lp.row_upper_ = np.concatenate(upper)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.cumsum(start)
    lp.a_matrix_.index_ = ri.astype(np.int32)
    lp.a_matrix_.value_ = rv
    if integer:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * n_z + [
            highspy.HighsVarType.kContinuous
        ] * n_cells

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


def _prices(instance: Instance, row_dual: FloatArray, n_core: int, needed: int) -> FloatArray:
    """The most a post outside the restricted LP could add per unit of the LP's prices: the
    largest prefix sum of its columns' reduced costs (z_p1 .. z_pk), which is > 0 exactly when no
    dual value of its ordering rows z_pk <= z_p(k-1) keeps the LP optimal with the post added."""
    cov, m = instance.coverage, instance.max_per_post
    n_cells = cov.n_cells
    budget_row = n_cells + n_core * (m - 1)
    y_budget = row_dual[budget_row]
    y_women = row_dual[budget_row + 1] if needed > 0 else 0.0
    unit_price = y_budget + np.where(instance.women, y_women, 0.0)
    cover = row_dual[:n_cells][cov.indices]
    covered_price = np.add.reduceat(cover, cov.indptr[:-1]) if len(cover) else np.zeros(cov.n_posts)
    covered_price = np.where(np.diff(cov.indptr) > 0, covered_price, 0.0)
    post_value = instance.post_value()
    # d = c - A^T y for z_p1 (entries -1 on its cells' cover rows, +1 on budget and women rows)
    total = covered_price - unit_price
    best = total.copy()
    for k in range(2, m + 1):
        total = total + instance.decay ** (k - 1) * post_value - unit_price
        best = np.maximum(best, total)
    return np.asarray(best, dtype=np.float64)


@dataclass(frozen=True)
class _Core:
    posts: IntArray  # candidate posts of the restricted problem, ascending
    bound: float  # the LP relaxation over all posts (an upper bound on every plan), or nan
    rounds: int


STALL = 3  # rounds without a change in the LP's value


def _price_core(instance: Instance, deadline: float, start_size: int) -> _Core:
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
        gain = _prices(instance, np.asarray(h.getSolution().row_dual), len(keep), needed)
        gain[keep] = 0.0
        tolerance = 1e-9 * max(1.0, abs(values[-1]))
        entering = np.flatnonzero(gain > tolerance)
        if len(entering) == 0:
            return _Core(keep, values[-1], rounds)
        # Stalled: the value has not moved for three rounds, only the (degenerate) prices have.
        stalled = len(values) > STALL and values[-1] <= values[-1 - STALL] + tolerance
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
    """The MILP above with HiGHS; deterministic for the same input (one thread, fixed seed).

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
    n_z = n_posts * m
    h = _highs(time_limit)
    h.setOptionValue("mip_rel_gap", float(rel_gap))
    h.passModel(_model(instance, integer=True))
    start_units = solve_greedy(instance).units
    warm = np.zeros(n_z + n_cells)
    for k in range(1, m + 1):
        warm[np.arange(n_posts) * m + (k - 1)] = (start_units >= k).astype(float)
    covered = np.zeros(n_cells, dtype=bool)
    for p in np.flatnonzero(start_units > 0):
        covered[cov.cells_of(int(p))] = True
    warm[n_z:] = covered.astype(float)
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
    if len(values) != n_z + n_cells:
        raise StreetlightError(f"the solver found no plan ({status})")
    z = np.rint(values[:n_z]).reshape(n_posts, m)
    return z.sum(axis=1).astype(np.int64), status, float(h.getInfo().mip_dual_bound)


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
    post_value = instance.post_value()
    units = units.copy()
    covered = np.zeros(cov.n_cells, dtype=bool)
    for p in np.flatnonzero(units > 0):
        covered[cov.cells_of(int(p))] = True

    def gain(p: int) -> float:
        if units[p] >= instance.max_per_post:
            return -np.inf
        if units[p] == 0:
            cells = cov.cells_of(p)
            return float(instance.demand[cells[~covered[cells]]].sum())
        return instance.decay ** int(units[p]) * float(post_value[p])

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
            if units[p] == 0:
                covered[cov.cells_of(p)] = True
            units[p] += 1
            placed += 1
            if units[p] < instance.max_per_post:
                heapq.heappush(heap, (-gain(p), p))

    short = instance.women_units_needed() - int(units[instance.women].sum())
    place(np.flatnonzero(instance.women), max(short, 0))
    place(np.arange(cov.n_posts), instance.units - int(units.sum()))
    return units
