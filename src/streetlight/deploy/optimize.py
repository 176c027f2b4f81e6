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
and relative gap. The greedy baseline adds, one unit at a time, the unit with the largest gain
(Nemhauser, Wolsey & Fisher 1978: within 1 - 1/e of optimal for this submodular objective without
the share constraint), serving the share first.
"""

from __future__ import annotations

import heapq
import time
from dataclasses import dataclass

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


def _model(instance: Instance) -> highspy.HighsLp:
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
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n_z + [
        highspy.HighsVarType.kContinuous
    ] * n_cells

    return lp


def solve_milp(instance: Instance, time_limit: float = 30.0, rel_gap: float = 0.01) -> Solution:
    """The MILP above with HiGHS; deterministic for the same input (one thread, fixed seed)."""
    instance.check()
    started = time.perf_counter()
    full = instance
    instance, posts = _reduce(instance)
    cov, m = instance.coverage, instance.max_per_post
    n_posts, n_cells = cov.n_posts, cov.n_cells
    n_z = n_posts * m
    n_cols = n_z + n_cells
    lp = _model(instance)
    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", float(rel_gap))
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", 0)
    # HiGHS 1.16's MIP presolve can run for many minutes on force-sized covering models without
    # checking the time limit; the model is already reduced (`_reduce`), so skip it.
    h.setOptionValue("presolve", "off")
    h.passModel(lp)
    # Start from the greedy plan: the solver then always has a good incumbent, and a time limit
    # can only improve on the baseline.
    start_units = solve_greedy(instance).units
    warm = np.zeros(n_cols)
    for k in range(1, m + 1):
        warm[np.arange(n_posts) * m + (k - 1)] = (start_units >= k).astype(float)
    covered = np.zeros(n_cells, dtype=bool)
    for p in np.flatnonzero(start_units > 0):
        covered[cov.cells_of(int(p))] = True
    warm[n_z:] = covered.astype(float)
    incumbent = highspy.HighsSolution()
    incumbent.col_value = warm.tolist()
    h.setSolution(incumbent)
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    values = np.asarray(h.getSolution().col_value)
    if len(values) != n_cols:
        raise StreetlightError(f"the solver found no plan ({status})")
    z = np.rint(values[:n_z]).reshape(n_posts, m)
    units = np.zeros(full.coverage.n_posts, dtype=np.int64)
    units[posts] = z.sum(axis=1).astype(np.int64)
    info = h.getInfo()
    value = objective(full, units)
    bound = float(info.mip_dual_bound)
    gap = (bound - value) / max(abs(bound), 1e-12) if np.isfinite(bound) else float("nan")
    return Solution(
        units, value, bound, max(gap, 0.0), time.perf_counter() - started, "milp", status
    )


def solve_greedy(instance: Instance) -> Solution:
    """Add the best unit at a time (lazy greedy); women's-safety posts first until the share is met."""
    instance.check()
    started = time.perf_counter()
    cov = instance.coverage
    post_value = instance.post_value()
    units = np.zeros(cov.n_posts, dtype=np.int64)
    covered = np.zeros(cov.n_cells, dtype=bool)

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

    reserved = instance.women_units_needed()
    place(np.flatnonzero(instance.women), reserved)
    place(np.arange(cov.n_posts), instance.units - int(units.sum()))
    value = objective(instance, units)
    return Solution(
        units, value, float("nan"), float("nan"), time.perf_counter() - started, "greedy", "done"
    )
