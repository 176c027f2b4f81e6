"""Log Bayes factors for many pairs of crimes: the candidate pairs of a whole table, in chunks.

Evidence is computed and scored one chunk of pairs at a time (`index.iter_candidate_pairs`), so
memory holds one chunk's evidence plus the answer. The answer is sparse: the pairs scored and
their factors; a pair not scored is one the index judged too far apart to compare. With
`keep_above`, only pairs whose factor is above it are kept, which bounds the answer too when
nearly every pair is scored (a clustering cut at a threshold needs no pair below it).

`workers > 1` scores chunks in a process pool (the crimes and the model are sent to each worker
once). Computing evidence is numpy work that holds the GIL in short steps, so threads do not help;
processes do, at the cost of sending each chunk's pairs and factors between processes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import cast

import numpy as np
import numpy.typing as npt

from streetlight.linkage.crimes import CrimeTable
from streetlight.linkage.evidence import compare
from streetlight.linkage.index import CHUNK_PAIRS, build_index, count_chunks, iter_candidate_pairs
from streetlight.linkage.models import LinkageModel
from streetlight.progress import Progress, no_progress

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
    if keep_above is not None:
        keep = bf > keep_above
        return i[keep], j[keep], bf[keep]
    return i, j, bf


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
) -> Iterator[tuple[Ints, Ints, Floats]]:
    """Each chunk (i, j) of `pairs` with its log Bayes factors by fitted `model`, in order; only
    pairs above `keep_above` when given. `workers` processes score chunks side by side (at most
    two chunks per worker are in flight, so memory stays bounded)."""
    if workers < 1:
        raise ValueError(f"workers must be >= 1, not {workers!r}")
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
) -> ScoredPairs:
    """Every candidate pair of `crimes` (midpoints within `max_days`, and `max_metres` if given;
    see `index`) scored by fitted `model`. `progress` wraps the chunks (about `chunk_pairs` pairs
    each)."""
    index = build_index(crimes)
    total = count_chunks(index, max_days=max_days, chunk_pairs=chunk_pairs)
    chunks = iter_candidate_pairs(
        index, max_days=max_days, max_metres=max_metres, chunk_pairs=chunk_pairs
    )
    parts = list(
        progress(score_pairs(crimes, model, chunks, keep_above=keep_above, workers=workers), total)
    )
    if not parts:
        empty = np.zeros(0, dtype=np.intp)
        return ScoredPairs(len(crimes), empty, empty.copy(), np.zeros(0))
    i = np.concatenate([p[0] for p in parts])
    j = np.concatenate([p[1] for p in parts])
    bf = np.concatenate([p[2] for p in parts])
    order = np.lexsort((j, i))
    return ScoredPairs(len(crimes), i[order], j[order], bf[order])
