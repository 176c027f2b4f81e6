"""Which pairs of crimes are worth comparing: those near in time (and, if asked, in place), found
without looking at all n^2 pairs.

Time is the crimes' window midpoints, as the pair protocol (`pairs.midpoint_days`) thresholds
linked and unlinked pairs: a pair is a candidate when its midpoints are at most `max_days` apart.
Midpoints, not whole windows, so that the pairs scored are the pairs a model was trained on; a
burglary known within a fortnight has its midpoint a week from either end, which changes a
365-day limit by at most that week. Comparisons are made on whole minutes (twice the midpoint is
`t_from + t_to` in minutes, an integer), so a pair exactly at the limit is in, whatever the
rounding of days.

The index is the crimes sorted by midpoint. All pairs within `max_days` of crime k (in that order)
are then the run of crimes after it up to the last midpoint <= its own + `max_days`: one
`searchsorted` gives every run, and the number of pairs is known before any is made, so they are
made in chunks of a bounded number of pairs. A spatial limit `max_metres` (straight-line distance,
as `Evidence.spatial`) is applied per chunk with a k-d tree (`scipy.spatial.cKDTree`) on the
chunk's crimes and the window of crimes its runs reach: only pairs near in place are made at all.

A spatial limit is a choice, not a given: pairs far apart are not impossible links (an offender
may travel), but a fitted model's evidence falls with distance, and beyond some distance no pair
can score high whatever its other evidence. The benchmark (`benchmarks/bench_linkage_scale.py`)
reports how many pairs with positive evidence a limit loses.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from streetlight.linkage.crimes import CrimeTable

Ints = npt.NDArray[np.intp]
Floats = npt.NDArray[np.float64]

MINUTES_PER_DAY = 1440
# Pairs made at once: 2 million pairs of row indices are 32 MB, and the evidence for them
# (about ten float columns) a few hundred MB at most.
CHUNK_PAIRS = 2_000_000


def _twice_midpoint_minutes(crimes: CrimeTable) -> npt.NDArray[np.int64]:
    start = crimes.t_from.astype("datetime64[m]").astype(np.int64)
    end = crimes.t_to.astype("datetime64[m]").astype(np.int64)
    return start + end


def _limit(max_days: float) -> int:
    """`max_days` as a bound on differences of twice-midpoints in minutes (integers), inclusive."""
    if not max_days >= 0:
        raise ValueError(f"max_days must be a number of days >= 0, not {max_days!r}")
    return int(np.floor(2 * MINUTES_PER_DAY * max_days))


def _check_metres(max_metres: float | None) -> None:
    if max_metres is not None and not max_metres >= 0:
        raise ValueError(f"max_metres must be a distance >= 0 (metres) or None, not {max_metres!r}")


@dataclass(frozen=True)
class CrimeIndex:
    """Crimes sorted by window midpoint: `order[k]` is the table row of the k-th earliest;
    `key`, `x`, `y` are in that order (`key` twice the midpoint, minutes since 1970)."""

    order: Ints
    key: npt.NDArray[np.int64]
    x: Floats
    y: Floats

    def __len__(self) -> int:
        return len(self.order)


def build_index(crimes: CrimeTable) -> CrimeIndex:
    """The index of `crimes` (a sort: O(n log n))."""
    key = _twice_midpoint_minutes(crimes)
    order = np.argsort(key, kind="stable").astype(np.intp)
    return CrimeIndex(order=order, key=key[order], x=crimes.x[order], y=crimes.y[order])


def count_pairs(index: CrimeIndex, *, max_days: float = 365.0) -> int:
    """How many pairs are within `max_days` (no spatial limit), without making them."""
    ends = np.searchsorted(index.key, index.key + _limit(max_days), side="right")
    return int((ends - np.arange(1, len(index) + 1)).sum())


def _plan(
    index: CrimeIndex, max_days: float, chunk_pairs: int
) -> tuple[Ints, list[tuple[int, int]]]:
    """Each position's run end, and the chunks (a, b) of positions: consecutive crimes whose
    runs hold at most `chunk_pairs` pairs together (or one crime whose run holds more)."""
    if chunk_pairs < 1:
        raise ValueError(f"chunk_pairs must be >= 1, not {chunk_pairs!r}")
    n = len(index)
    # Crime k (in index order) pairs with positions k+1 .. ends[k]-1.
    ends = np.searchsorted(index.key, index.key + _limit(max_days), side="right").astype(np.intp)
    total = np.cumsum(ends - np.arange(1, n + 1))
    bounds = []
    a = 0
    while a < n:
        done = int(total[a - 1]) if a else 0
        b = int(np.searchsorted(total, done + chunk_pairs, side="right"))
        b = min(max(b, a + 1), n)
        if total[b - 1] > done:
            bounds.append((a, b))
        a = b
    return ends, bounds


def count_chunks(
    index: CrimeIndex, *, max_days: float = 365.0, chunk_pairs: int = CHUNK_PAIRS
) -> int:
    """How many chunks `iter_candidate_pairs` yields with these arguments (for a progress bar)."""
    return len(_plan(index, max_days, chunk_pairs)[1])


def iter_candidate_pairs(
    index: CrimeIndex,
    *,
    max_days: float = 365.0,
    max_metres: float | None = None,
    chunk_pairs: int = CHUNK_PAIRS,
) -> Iterator[tuple[Ints, Ints]]:
    """The candidate pairs as (i, j) chunks of table rows, i < j, each chunk at most about
    `chunk_pairs` pairs (a single crime's run may exceed it); `count_chunks` chunks, some maybe
    empty under a spatial limit. Chunks come in index order; within one, pairs are in no
    particular order."""
    _check_metres(max_metres)
    ends, bounds = _plan(index, max_days, chunk_pairs)
    runs = ends - np.arange(1, len(index) + 1)
    for a, b in bounds:
        if max_metres is None:
            p, q = _time_pairs(a, b, runs[a:b])
        else:
            p, q = _near_pairs(index, a, b, int(ends[b - 1]), max_days, max_metres)
        i, j = index.order[p], index.order[q]
        yield np.minimum(i, j), np.maximum(i, j)


def iter_runs(
    index: CrimeIndex, *, max_days: float = 365.0, chunk_pairs: int = CHUNK_PAIRS
) -> Iterator[tuple[int, Ints]]:
    """The candidate pairs without a spatial limit, as runs rather than pairs: for each of the
    `count_chunks` chunks, (a, ends) with the crime at index position a + k paired with positions
    a + k + 1 .. ends[k] - 1. A compiled scorer walks these runs directly, so the pairs' row
    indices (16 bytes a pair) are never made for pairs it does not keep."""
    ends, bounds = _plan(index, max_days, chunk_pairs)
    for a, b in bounds:
        yield a, ends[a:b]


def _time_pairs(a: int, b: int, runs: Ints) -> tuple[Ints, Ints]:
    """Positions (p, q) for crimes a..b-1 and their runs: p repeated, q counting up from p+1."""
    p = np.repeat(np.arange(a, b, dtype=np.intp), runs)
    # Within each run, 1, 2, ..., run: a global count minus each run's start.
    starts = np.cumsum(runs) - runs
    step = np.arange(len(p), dtype=np.intp) - np.repeat(starts, runs) + 1
    return p, p + step


def _near_pairs(
    index: CrimeIndex, a: int, b: int, end: int, max_days: float, max_metres: float
) -> tuple[Ints, Ints]:
    """Positions (p, q), p in a..b-1, q > p within `end`, near in time and in place."""
    chunk = cKDTree(np.column_stack([index.x[a:b], index.y[a:b]]))
    window = cKDTree(np.column_stack([index.x[a:end], index.y[a:end]]))
    # A hair over the limit, then the exact test below: the tree's distances and np.hypot may
    # round differently, and a pair exactly at the limit must be in.
    found = chunk.sparse_distance_matrix(
        window, max_metres * (1 + 1e-9) + 1e-9, output_type="ndarray"
    )
    p = found["i"].astype(np.intp) + a
    q = found["j"].astype(np.intp) + a
    keep = (q > p) & (index.key[q] - index.key[p] <= _limit(max_days))
    p, q = p[keep], q[keep]
    keep = np.hypot(index.x[p] - index.x[q], index.y[p] - index.y[q]) <= max_metres
    return p[keep], q[keep]


def candidate_pairs(
    crimes: CrimeTable,
    *,
    max_days: float = 365.0,
    max_metres: float | None = None,
    chunk_pairs: int = CHUNK_PAIRS,
) -> tuple[Ints, Ints]:
    """Every pair of rows (i, j), i < j, of `crimes` whose window midpoints are at most
    `max_days` apart and, if `max_metres` is given, at most `max_metres` apart in place; sorted
    by (i, j). For very many pairs, iterate `iter_candidate_pairs` (bounded memory) instead."""
    chunks = list(
        iter_candidate_pairs(
            build_index(crimes), max_days=max_days, max_metres=max_metres, chunk_pairs=chunk_pairs
        )
    )
    if not chunks:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    i = np.concatenate([c[0] for c in chunks])
    j = np.concatenate([c[1] for c in chunks])
    order = np.lexsort((j, i))
    return i[order], j[order]


def near(
    index: CrimeIndex,
    query: CrimeTable,
    *,
    max_days: float = 365.0,
    max_metres: float | None = None,
) -> tuple[Ints, Ints]:
    """Pairs (q, r): row q of `query` and table row r of the indexed crimes, near in time (and
    place) by the same rules as `candidate_pairs`. For a few query crimes (suspect
    identification): each is a binary search and a scan of the crimes within `max_days`."""
    _check_metres(max_metres)
    limit = _limit(max_days)
    key = _twice_midpoint_minutes(query)
    lo = np.searchsorted(index.key, key - limit, side="left")
    hi = np.searchsorted(index.key, key + limit, side="right")
    runs = hi - lo
    q = np.repeat(np.arange(len(query), dtype=np.intp), runs)
    starts = np.cumsum(runs) - runs
    pos = np.arange(len(q), dtype=np.intp) - np.repeat(starts, runs) + np.repeat(lo, runs)
    if max_metres is not None:
        keep = np.hypot(index.x[pos] - query.x[q], index.y[pos] - query.y[q]) <= max_metres
        q, pos = q[keep], pos[keep]
    return q, index.order[pos]
