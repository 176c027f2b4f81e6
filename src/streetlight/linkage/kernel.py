"""Compiled evidence and linear log Bayes factors for many pairs of crimes (numba).

The numpy path (`evidence.compare`, then the model) makes a dozen temporary columns per batch of
pairs and, for the logistic model, a design matrix; at a hundred million pairs that is minutes.
Here one fused loop per pair reads the crimes (one 64-byte row each), computes the same evidence with the
same closed forms as `evidence` (expected absolute and circular differences of uniform windows;
see that module) and, for a model linear in the design's features (`models.LinearForm`), the log
Bayes factor as a dot product with the standardisation folded into the weights. Loops run over
pairs in parallel (`prange`) on `threads` threads; nothing in them is a Python object.

When only pairs above `keep_above` are wanted, a pair whose distance and time already hold its
factor below it, whatever its time of day, day of week and MO could add, is
dropped before those are computed: the same pairs are kept (an exact bound, with a margin for
rounding), and at a force's scale most pairs are far apart, so most of the work is skipped.

numba is imported here only: the CLI and the web app load this module when they score at scale,
never at start-up. The first call compiles (15 to 30 s on a loaded 2-core machine), after which
the machine code is cached on disk beside this file (`__pycache__`, or numba's user cache when
that is read-only; `NUMBA_CACHE_DIR` moves it) and loads in about a second.

Results equal the numpy path's to rounding: within 1e-9, 1e-12 on realistic windows (the tests
compare both on random tables). Cubes are taken by pow, as numpy does: the four-knot sums cancel,
and for windows of a few minutes a cube rounded differently moves the answer by about 1e-9.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import numba
import numpy as np
import numpy.typing as npt
from numba import prange

from streetlight.linkage.crimes import CrimeTable
from streetlight.linkage.evidence import MINUTES_PER_DAY, Evidence
from streetlight.linkage.models import LinearForm

Ints = npt.NDArray[np.intp]
Floats = npt.NDArray[np.float64]
F = TypeVar("F", bound=Callable[..., Any])

# One parallel kernel at a time: numba's fallback threading layer (workqueue, where OpenMP and
# TBB are missing) aborts the process if two threads launch parallel kernels at once.
_LAUNCH = threading.Lock()


def _jit(*, parallel: bool = False) -> Callable[[F], F]:
    """`numba.njit` with the on-disk cache; the compiled function keeps its Python signature."""
    return cast(Callable[[F], F], numba.njit(cache=True, parallel=parallel, error_model="numpy"))


# Columns of `KernelTable.crime`: one row of 8 floats (64 bytes, one cache line) per crime, so
# that a pair's evidence reads two cache lines wherever its crimes are in the table.
X, Y, DAY, WIDTH, TOD, TOD_WIDTH, DOW = range(7)


@dataclass(frozen=True)
class KernelTable:
    """A crime table's columns as the kernel reads them, computed once per table with the same
    numpy operations as `evidence.compare_tables` so that both paths see identical inputs.

    `crime[r]` is row r's x and y (metres), start and width in days since 1970-01-01 (`DAY`,
    `WIDTH`), time of day's start and width in hours (`TOD`, `TOD_WIDTH`) and day of the week's
    start (`DOW`, days mod 7); `codes[:, c]` the c-th MO column's codes (-1 unknown);
    `numeric[:, v]` the v-th numeric column (NaN unknown)."""

    crime: Floats
    codes: npt.NDArray[np.int32]
    numeric: Floats
    categorical_names: tuple[str, ...]
    numeric_names: tuple[str, ...]

    @staticmethod
    def of(crimes: CrimeTable) -> KernelTable:
        start = crimes.t_from.astype("datetime64[m]").astype(np.int64).astype(np.float64)
        minutes = (crimes.t_to - crimes.t_from).astype("timedelta64[m]").astype(np.float64)
        day, width = start / MINUTES_PER_DAY, minutes / MINUTES_PER_DAY
        n = len(crimes)
        crime = np.zeros((n, 8))
        crime[:, X], crime[:, Y], crime[:, DAY], crime[:, WIDTH] = crimes.x, crimes.y, day, width
        crime[:, TOD] = np.mod(np.mod(day, 1) * 24, 24.0)
        crime[:, TOD_WIDTH] = width * 24
        crime[:, DOW] = np.mod(day, 7.0)
        cats, nums = tuple(crimes.categorical), tuple(crimes.numeric)
        codes = np.empty((n, len(cats)), dtype=np.int32)
        for c, name in enumerate(cats):
            codes[:, c] = crimes.categorical[name]
        numeric = np.empty((n, len(nums)), dtype=np.float64)
        for v, name in enumerate(nums):
            numeric[:, v] = crimes.numeric[name]
        return KernelTable(crime, codes, numeric, cats, nums)

    def take(self, rows: Ints) -> KernelTable:
        """These rows, in this order (the index's order, so that runs of pairs read in sequence)."""
        return KernelTable(
            self.crime[rows], self.codes[rows], self.numeric[rows], self.categorical_names,
            self.numeric_names,
        )  # fmt: skip

    def feature_names(self) -> tuple[str, ...]:
        """The design's column names (`models.design`) in the kernel's order."""
        names = ["log_km", "log_days", "tod_hours", "dow_days"]
        for name in self.categorical_names:
            names += [f"{name}_same", f"{name}_different"]
        for name in self.numeric_names:
            names += [f"{name}_diff", f"{name}_unknown"]
        return tuple(names)

    def weights(self, form: LinearForm) -> Floats | None:
        """`form`'s weights in the kernel's order; None when its features are not this table's
        (a model fitted on other MO columns: the numpy path then says what is wrong)."""
        names = self.feature_names()
        if sorted(form.names) != sorted(names) or len(form.weights) != len(form.names):
            return None
        where = {name: k for k, name in enumerate(form.names)}
        return np.array([form.weights[where[name]] for name in names], dtype=np.float64)


# The closed forms of `evidence`, one pair at a time, with the same operations in the same order
# (sums of the four knots left to right; cubes by pow) so that rounding agrees too.


@_jit()
def _abs_difference(a: float, wa: float, c: float, wc: float) -> float:
    b, d = a + wa, c + wc
    if not (a < d and c < b):
        return abs((a + b) / 2 - (c + d) / 2)
    if wa > 0 and wc > 0:
        total = math.pow(abs(a - d), 3.0)
        total -= math.pow(abs(b - d), 3.0)
        total -= math.pow(abs(a - c), 3.0)
        total += math.pow(abs(b - c), 3.0)
        return total / (6 * wa * wc)
    if wc > 0:
        return ((a - c) ** 2 + (d - a) ** 2) / (2 * wc)
    if wa > 0:
        return ((c - a) ** 2 + (b - c) ** 2) / (2 * wa)
    return abs((a + b) / 2 - (c + d) / 2)


@_jit()
def _mod(z: float, period: float) -> float:
    """`np.mod(z, period)` to the bit, for an integer period and |z| < 2^52, without fmod (the
    kernel's slowest step): subtracting an integer from such a float is exact, so repeated
    subtraction is fmod's exact remainder, and a negative remainder gets numpy's one rounded
    `+ period`. Knots are within a few periods of zero, so the loops are short."""
    r = z
    while r >= period:
        r -= period
    while r <= -period:
        r += period
    if r < 0:
        r += period
    return r + 0.0  # numpy's remainder zero is +0


@_jit()
def _circular(z: float, period: float) -> float:
    r = _mod(z, period)
    return min(r, period - r)


@_jit()
def _psi(z: float, period: float) -> float:
    u = _circular(z, period)
    return math.pow(u, 3.0) / 6 - period * (u * u) / 8


@_jit()
def _dpsi(z: float, period: float) -> float:
    r = _mod(z, period)
    u = min(r, period - r)
    sign = 1.0 if r <= period / 2 else -1.0
    return sign * (u**2 / 2 - period * u / 4)


@_jit()
def _circular_difference(a: float, wa: float, c: float, wc: float, period: float) -> float:
    """As `evidence.expected_circular_difference`, with a and c already reduced mod period."""
    b, d = a + wa, c + wc
    if wa > 0 and wc > 0:
        total = _psi(a - d, period)
        total -= _psi(b - d, period)
        total -= _psi(a - c, period)
        total += _psi(b - c, period)
        return period / 4 + total / (wa * wc)
    if wa > 0:
        return period / 4 + (_dpsi(b - c, period) - _dpsi(a - c, period)) / wa
    if wc > 0:
        return period / 4 + (_dpsi(d - a, period) - _dpsi(c - a, period)) / wc
    return _circular(a - c, period)


@_jit()
def _times(
    p: int,
    q: int,
    crime: Floats,
) -> tuple[float, float, float, float]:
    """Spatial (metres), temporal (days), time-of-day (hours) and day-of-week (days) evidence."""
    dx, dy = crime[p, X] - crime[q, X], crime[p, Y] - crime[q, Y]
    spatial = math.sqrt(dx * dx + dy * dy)  # np.hypot's to an ulp, without its scaling
    temporal = _abs_difference(crime[p, DAY], crime[p, WIDTH], crime[q, DAY], crime[q, WIDTH])
    hours = _circular_difference(
        crime[p, TOD], crime[p, TOD_WIDTH], crime[q, TOD], crime[q, TOD_WIDTH], 24.0
    )
    days = _circular_difference(crime[p, DOW], crime[p, WIDTH], crime[q, DOW], crime[q, WIDTH], 7.0)
    return spatial, temporal, hours, days


@_jit(parallel=True)
def _evidence(
    i: Ints,
    j: Ints,
    crime: Floats,
    codes: npt.NDArray[np.int32],
    numeric: Floats,
    times: Floats,
    matches: Floats,
    diffs: Floats,
) -> None:
    for k in prange(len(i)):
        p, q = i[k], j[k]
        s, t, h, d = _times(p, q, crime)
        times[k, 0], times[k, 1], times[k, 2], times[k, 3] = s, t, h, d
        for c in range(codes.shape[1]):
            cp, cq = codes[p, c], codes[q, c]
            matches[k, c] = np.nan if cp < 0 or cq < 0 else (1.0 if cp == cq else 0.0)
        for v in range(numeric.shape[1]):
            diffs[k, v] = abs(numeric[p, v] - numeric[q, v])


@_jit()
def _linear_pair(
    p: int,
    q: int,
    crime: Floats,
    codes: npt.NDArray[np.int32],
    numeric: Floats,
    weights: Floats,
    intercept: float,
    rest: float,
    cutoff: float,
    km_top: Floats,
    day_top: Floats,
) -> float:
    """intercept + weights . design row of the pair (p, q), p < q; or -inf when the pair cannot
    reach `cutoff` (see `_bound`): with distance and time (first by their buckets' upper bounds
    `km_top` and `day_top`, without a logarithm, then exactly) leaving it below `cutoff` even
    with the most the other features can add (`rest`). Such a pair is dropped either way, and
    the rest of its evidence (most of the work) is never computed."""
    dx, dy = crime[p, X] - crime[q, X], crime[p, Y] - crime[q, Y]
    s = math.sqrt(dx * dx + dy * dy)  # np.hypot's to an ulp, without its scaling
    t = _abs_difference(crime[p, DAY], crime[p, WIDTH], crime[q, DAY], crime[q, WIDTH])
    top = km_top[min(int(s / (1000.0 * KM_STEP)), len(km_top) - 1)]
    top += day_top[min(int(t / DAY_STEP), len(day_top) - 1)]
    if intercept + top + rest < cutoff:
        return -math.inf
    total: float = intercept + weights[0] * math.log1p(s / 1000.0) + weights[1] * math.log1p(t)
    if total + rest < cutoff:
        return -math.inf
    h = _circular_difference(
        crime[p, TOD], crime[p, TOD_WIDTH], crime[q, TOD], crime[q, TOD_WIDTH], 24.0
    )
    d = _circular_difference(crime[p, DOW], crime[p, WIDTH], crime[q, DOW], crime[q, WIDTH], 7.0)
    total += weights[2] * h + weights[3] * d
    w = 4
    for c in range(codes.shape[1]):
        cp, cq = codes[p, c], codes[q, c]
        if cp >= 0 and cq >= 0:
            total += weights[w] if cp == cq else weights[w + 1]
        w += 2
    for v in range(numeric.shape[1]):
        diff = abs(numeric[p, v] - numeric[q, v])
        total += weights[w + 1] if np.isnan(diff) else weights[w] * diff
        w += 2
    return total


@_jit(parallel=True)
def _linear_pairs(
    i: Ints,
    j: Ints,
    crime: Floats,
    codes: npt.NDArray[np.int32],
    numeric: Floats,
    weights: Floats,
    intercept: float,
    rest: float,
    cutoff: float,
    km_top: Floats,
    day_top: Floats,
    out: Floats,
) -> None:
    for k in prange(len(i)):
        out[k] = _linear_pair(
            i[k], j[k], crime, codes, numeric, weights, intercept,
            rest, cutoff, km_top, day_top,
        )  # fmt: skip


@_jit(parallel=True)
def _linear_runs(
    a: int,
    ends: Ints,
    starts: Ints,
    order: Ints,
    crime: Floats,
    codes: npt.NDArray[np.int32],
    numeric: Floats,
    weights: Floats,
    intercept: float,
    rest: float,
    cutoff: float,
    km_top: Floats,
    day_top: Floats,
    out: Floats,
) -> None:
    # Position a + k pairs with a + k + 1 .. ends[k] - 1; its factors start at out[starts[k]].
    for k in prange(len(ends)):
        p = a + k
        for q in range(p + 1, ends[k]):
            # Rows in index order (`crime` sorted: q's rows are read in sequence); each pair
            # still evaluated with its lower table row first, as the numpy path does.
            lo, hi = (p, q) if order[p] < order[q] else (q, p)
            out[starts[k] + q - p - 1] = _linear_pair(
                lo, hi, crime, codes, numeric, weights,
                intercept, rest, cutoff, km_top, day_top,
            )  # fmt: skip


# Buckets of the quick bound: 0.1 km up to 100 km, a quarter day up to 500 days (the last
# bucket holds everything beyond).
KM_STEP, KM_BUCKETS = 0.1, 1001
DAY_STEP, DAY_BUCKETS = 0.25, 2001


def _top(weight: float, step: float, buckets: int) -> Floats:
    """The most `weight * log1p(v)` reaches for v in each bucket [k step, (k + 1) step)."""
    edges = np.arange(buckets + 1) * step
    top: Floats = np.maximum(weight * np.log1p(edges[:-1]), weight * np.log1p(edges[1:]))
    top[-1] = weight * np.log1p(edges[-2]) if weight <= 0 else math.inf
    return top


def _bound(
    table: KernelTable, weights: Floats, keep_above: float | None
) -> tuple[float, float, Floats, Floats]:
    """(rest, cutoff, km_top, day_top) for `_linear_pair`. `rest` is the most the features after
    distance and time can add (time of day 0 to 12 h, day of week 0 to 3.5 d, each MO pair same,
    different or unknown; a numeric difference with a positive weight is unbounded: then nothing
    is skipped); `cutoff` is `keep_above` less a margin for rounding (-inf: every pair in full);
    `km_top` and `day_top` the most distance and time contribute in each bucket of theirs."""
    km_top = _top(float(weights[0]), KM_STEP, KM_BUCKETS)
    day_top = _top(float(weights[1]), DAY_STEP, DAY_BUCKETS)
    nothing = (0.0, -math.inf, km_top, day_top)
    if keep_above is None:
        return nothing
    rest = max(0.0, 12.0 * weights[2]) + max(0.0, 3.5 * weights[3])
    w = 4
    for _ in table.categorical_names:
        rest += max(0.0, weights[w], weights[w + 1])
        w += 2
    for _ in table.numeric_names:
        if weights[w] > 0:
            return nothing
        rest += max(0.0, weights[w + 1])
        w += 2
    return float(rest), keep_above - 1e-9 * (1.0 + abs(keep_above)), km_top, day_top


Columns = tuple[Floats, npt.NDArray[np.int32], Floats]


def _columns(t: KernelTable) -> Columns:
    return (t.crime, t.codes, t.numeric)


def evidence(table: KernelTable, i: npt.ArrayLike, j: npt.ArrayLike) -> Evidence:
    """`evidence.compare(crimes, i, j)`, compiled (for models that need the evidence itself)."""
    i = np.ascontiguousarray(i, dtype=np.intp)
    j = np.ascontiguousarray(j, dtype=np.intp)
    m = len(i)
    times = np.empty((m, 4))
    matches = np.empty((m, len(table.categorical_names)))
    diffs = np.empty((m, len(table.numeric_names)))
    if m:
        with _LAUNCH:
            _evidence(i, j, *_columns(table), times, matches, diffs)
    return Evidence(
        i=i,
        j=j,
        spatial=times[:, 0].copy(),
        temporal=times[:, 1].copy(),
        tod=times[:, 2].copy(),
        dow=times[:, 3].copy(),
        categorical={n: matches[:, c].copy() for c, n in enumerate(table.categorical_names)},
        numeric={n: diffs[:, v].copy() for v, n in enumerate(table.numeric_names)},
    )


def linear_scores(
    table: KernelTable,
    weights: Floats,
    intercept: float,
    i: Ints,
    j: Ints,
    keep_above: float | None = None,
) -> Floats:
    """intercept + weights . design row for each pair (i[k], j[k]) (weights in the kernel's
    order: `KernelTable.weights`). With `keep_above`, a pair that cannot score above it may get
    -inf instead of its factor (all a caller dropping those pairs needs)."""
    i = np.ascontiguousarray(i, dtype=np.intp)
    j = np.ascontiguousarray(j, dtype=np.intp)
    out = np.empty(len(i))
    if len(i):
        rest, cutoff, km_top, day_top = _bound(table, weights, keep_above)
        crime, codes, numeric = _columns(table)
        with _LAUNCH:
            _linear_pairs(
                i, j, crime, codes, numeric, weights, float(intercept), rest, cutoff, km_top,
                day_top, out,
            )  # fmt: skip
    return out


def linear_runs(
    table: KernelTable,
    weights: Floats,
    intercept: float,
    order: Ints,
    a: int,
    ends: Ints,
    keep_above: float | None = None,
) -> tuple[Ints, Floats]:
    """The factors of every pair of a chunk of runs (`index.iter_runs`: index position a + k with
    a + k + 1 .. ends[k] - 1, `order` the index's table rows), run after run, each run's offset
    into them (`starts`, one more entry than runs: the total last). `table` is in index order
    (`KernelTable.take(order)`). `keep_above` as in `linear_scores`."""
    runs = ends - np.arange(a + 1, a + 1 + len(ends))
    starts = np.zeros(len(ends) + 1, dtype=np.intp)
    np.cumsum(runs, out=starts[1:])
    out = np.empty(int(starts[-1]))
    if len(out):
        rest, cutoff, km_top, day_top = _bound(table, weights, keep_above)
        with _LAUNCH:
            _linear_runs(
                a,
                np.ascontiguousarray(ends, dtype=np.intp),
                starts,
                order,
                *_columns(table),
                weights,
                float(intercept),
                rest,
                cutoff,
                km_top,
                day_top,
                out,
            )
    return starts, out


def set_threads(threads: int) -> int:
    """Use `threads` threads (at most numba's maximum, the number of cores); returns the number
    used before, to restore."""
    before = int(numba.get_num_threads())
    numba.set_num_threads(max(1, min(threads, int(numba.config.NUMBA_NUM_THREADS))))  # type: ignore[attr-defined]
    return before
