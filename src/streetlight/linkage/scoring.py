"""Log Bayes factors for many pairs of crimes: the candidate pairs of a whole table, in chunks.

Evidence is computed and scored one chunk of pairs at a time (`index.iter_candidate_pairs`), so
memory holds one chunk's evidence plus the answer. The answer is sparse: the pairs scored and
their factors; a pair not scored is one the index judged too far apart to compare. With
`keep_above`, only pairs whose factor is above it are kept, which bounds the answer too when
nearly every pair is scored (a clustering cut at a threshold needs no pair below it).

A model linear in the design's features (`models.LinearModel`, as `LogisticLinkage`) is scored
by the compiled kernel (`linkage.kernel`): evidence and factor fused per pair, `workers` threads,
no process pool; without a spatial limit the kernel walks the index's runs itself, so the row
indices of pairs below `keep_above` are never made. Any other model takes the numpy path
(`evidence.compare`, then the model) in batches, and `workers > 1` scores chunks in a process
pool (the crimes and the model are sent to each worker once): computing evidence in numpy holds
the GIL in short steps, so threads do not help there.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import numpy as np
import numpy.typing as npt

from streetlight.linkage.crimes import CrimeTable
from streetlight.linkage.evidence import compare
from streetlight.linkage.index import (
    CHUNK_PAIRS,
    CrimeIndex,
    build_index,
    count_chunks,
    iter_candidate_pairs,
    iter_runs,
)
from streetlight.linkage.models import LinearModel, LinkageModel
from streetlight.progress import Progress, no_progress

if TYPE_CHECKING:  # numba compiles on first use: imported only when a linear model is scored
    from streetlight.linkage.kernel import KernelTable

Ints = npt.NDArray[np.intp]
Floats = npt.NDArray[np.float64]

BATCH = 32_768


@dataclass(frozen=True)
class ScoredPairs:
    """Pairs (i[k], j[k]) of rows of a crime table, i < j, and their log Bayes factors; sorted by
    (i, j). `n` is the number of crimes in the table (rows 0..n-1), scored or not."""

    n: int
    i: Ints
    j: Ints
    log_bf: Floats

    def __len__(self) -> int:
        return len(self.i)


def _score(
    crimes: CrimeTable, model: LinkageModel, i: Ints, j: Ints, keep_above: float | None
) -> tuple[Ints, Ints, Floats]:
    if not len(i):  # a chunk emptied by the spatial limit; models need at least one pair
        return i, j, np.zeros(0)
    # Evidence in batches small enough for the CPU's caches: its dozen temporary columns of a
    # batch stay there, where a whole chunk's would go through memory (faster by about a fifth).
    bf = np.concatenate(
        [
            np.asarray(
                model.log_bayes_factor(compare(crimes, i[k : k + BATCH], j[k : k + BATCH])),
                dtype=np.float64,
            )
            for k in range(0, len(i), BATCH)
        ]
    )
    return _kept(i, j, bf, keep_above)


@dataclass(frozen=True)
class _Linear:
    """A linear model's weights in the kernel's order, with the kernel's view of the crimes."""

    table: KernelTable
    weights: Floats
    intercept: float


def _linear(crimes: CrimeTable, model: LinkageModel) -> _Linear | None:
    """The compiled kernel's inputs when `model` is linear in this table's features, else None."""
    if not isinstance(model, LinearModel):
        return None
    from streetlight.linkage.kernel import KernelTable

    table = KernelTable.of(crimes)
    form = model.linear_form()
    weights = table.weights(form)
    return None if weights is None else _Linear(table, weights, form.intercept)


def _kept(i: Ints, j: Ints, bf: Floats, keep_above: float | None) -> tuple[Ints, Ints, Floats]:
    if keep_above is None:
        return i, j, bf
    keep = bf > keep_above
    return i[keep], j[keep], bf[keep]


def _linear_pairs(
    fast: _Linear, pairs: Iterable[tuple[Ints, Ints]], keep_above: float | None, threads: int
) -> Iterator[tuple[Ints, Ints, Floats]]:
    from streetlight.linkage.kernel import linear_scores, set_threads

    before = set_threads(threads)
    try:
        for i, j in pairs:
            bf = linear_scores(fast.table, fast.weights, fast.intercept, i, j, keep_above)
            yield _kept(i, j, bf, keep_above)
    finally:
        set_threads(before)


def _linear_runs(
    fast: _Linear,
    index: CrimeIndex,
    max_days: float,
    chunk_pairs: int,
    keep_above: float | None,
    threads: int,
) -> Iterator[tuple[Ints, Ints, Floats]]:
    """Each chunk of runs scored whole; only the kept pairs' rows are made, from their places
    in the chunk (a binary search in the runs' offsets)."""
    from streetlight.linkage.kernel import linear_runs, set_threads

    ordered = fast.table.take(index.order)
    before = set_threads(threads)
    try:
        for a, ends in iter_runs(index, max_days=max_days, chunk_pairs=chunk_pairs):
            starts, bf = linear_runs(
                ordered, fast.weights, fast.intercept, index.order, a, ends, keep_above
            )
            flat = np.arange(len(bf)) if keep_above is None else np.flatnonzero(bf > keep_above)
            run = np.searchsorted(starts, flat, side="right") - 1
            p = a + run
            q = p + 1 + flat - starts[run]
            r, s = index.order[p], index.order[q]
            yield np.minimum(r, s), np.maximum(r, s), bf[flat]
    finally:
        set_threads(before)


# Each worker process holds the crimes and the model, sent once by the pool's initializer.
_worker: dict[str, object] = {}


def _init_worker(crimes: CrimeTable, model: LinkageModel) -> None:
    _worker["crimes"], _worker["model"] = crimes, model


def _score_in_worker(i: Ints, j: Ints, keep_above: float | None) -> tuple[Ints, Ints, Floats]:
    crimes, model = cast(CrimeTable, _worker["crimes"]), cast(LinkageModel, _worker["model"])
    return _score(crimes, model, i, j, keep_above)


def score_pairs(
    crimes: CrimeTable,
    model: LinkageModel,
    pairs: Iterable[tuple[Ints, Ints]],
    *,
    keep_above: float | None = None,
    workers: int = 1,
    numpy: bool = False,
) -> Iterator[tuple[Ints, Ints, Floats]]:
    """Each chunk (i, j) of `pairs` with its log Bayes factors by fitted `model`, in order; only
    pairs above `keep_above` when given. A linear model is scored by the compiled kernel on
    `workers` threads; any other by `workers` processes side by side (at most two chunks per
    worker in flight, so memory stays bounded). `numpy=True` forces the numpy path."""
    if workers < 1:
        raise ValueError(f"workers must be >= 1, not {workers!r}")
    fast = None if numpy else _linear(crimes, model)
    if fast is not None:
        yield from _linear_pairs(fast, pairs, keep_above, workers)
        return
    yield from _numpy_pairs(crimes, model, pairs, keep_above, workers)


def _numpy_pairs(
    crimes: CrimeTable,
    model: LinkageModel,
    pairs: Iterable[tuple[Ints, Ints]],
    keep_above: float | None,
    workers: int,
) -> Iterator[tuple[Ints, Ints, Floats]]:
    if workers == 1:
        for i, j in pairs:
            yield _score(crimes, model, i, j, keep_above)
        return
    with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(crimes, model)) as pool:
        pending: list[Future[tuple[Ints, Ints, Floats]]] = []
        for i, j in pairs:
            pending.append(pool.submit(_score_in_worker, i, j, keep_above))
            if len(pending) >= 2 * workers:
                yield pending.pop(0).result()
        for future in pending:
            yield future.result()


def score_all(
    crimes: CrimeTable,
    model: LinkageModel,
    *,
    max_days: float = 365.0,
    max_metres: float | None = None,
    keep_above: float | None = None,
    workers: int = 1,
    chunk_pairs: int = CHUNK_PAIRS,
    progress: Progress = no_progress,
    numpy: bool = False,
) -> ScoredPairs:
    """Every candidate pair of `crimes` (midpoints within `max_days`, and `max_metres` if given;
    see `index`) scored by fitted `model`. `progress` wraps the chunks (about `chunk_pairs` pairs
    each). `numpy=True` forces the numpy path (to compare it with the compiled one)."""
    if workers < 1:
        raise ValueError(f"workers must be >= 1, not {workers!r}")
    index = build_index(crimes)
    total = count_chunks(index, max_days=max_days, chunk_pairs=chunk_pairs)
    fast = None if numpy else _linear(crimes, model)
    scored: Iterator[tuple[Ints, Ints, Floats]]
    if fast is not None and max_metres is None:
        scored = _linear_runs(fast, index, max_days, chunk_pairs, keep_above, workers)
    else:
        chunks = iter_candidate_pairs(
            index, max_days=max_days, max_metres=max_metres, chunk_pairs=chunk_pairs
        )
        if fast is not None:
            scored = _linear_pairs(fast, chunks, keep_above, workers)
        else:
            scored = _numpy_pairs(crimes, model, chunks, keep_above, workers)
    parts = list(progress(scored, total))
    if not parts:
        empty = np.zeros(0, dtype=np.intp)
        return ScoredPairs(len(crimes), empty, empty.copy(), np.zeros(0))
    i = np.concatenate([p[0] for p in parts])
    j = np.concatenate([p[1] for p in parts])
    bf = np.concatenate([p[2] for p in parts])
    # Each pair once, so sorting one key i * n + j is the (i, j) order; several times faster
    # than lexsort, which at ten million pairs took longer than scoring them.
    order = np.argsort(i.astype(np.int64) * len(crimes) + j)
    return ScoredPairs(len(crimes), i[order], j[order], bf[order])
