"""A compact set of the incident keys an ingest has seen, for duplicate ids across batches.

A streaming ingest never holds its accepted rows, yet a Crime ID that repeats across files must
still be caught wherever the two files fall. The keys are kept as 64-bit hashes (8 bytes each:
160 MB for 20 million incidents, against gigabytes as strings) in sorted numpy runs. A hit is only
a candidate: the exact rule then runs on the few candidate rows, so a hash collision can never
quarantine a row wrongly.

Runs merge like a binary counter (a new run merges with the last while it is at least as big), so
each hash is copied O(log n) times in all and a lookup searches O(log n) runs; one sorted array
with an insert per batch copied the whole set every batch (0.5 s a batch at 20 million).
"""

from __future__ import annotations

import numpy as np
import polars as pl
from numpy.typing import NDArray

# Fixed seeds: the same key hashes alike in every worker process of one ingest (polars' hash is
# stable for a version and seed, not across versions: the hashes are never stored).
_SEED = 0x5EED


def key_hash(force: str = "force", incident_id: str = "incident_id") -> pl.Expr:
    """The 64-bit hash of an incident's key (force, incident id) as a polars expression."""
    return pl.struct(pl.col(force), pl.col(incident_id)).hash(seed=_SEED)


class SeenKeys:
    """Sorted runs of uint64 key hashes; `add` a batch, ask which of a batch's hashes were seen."""

    def __init__(self) -> None:
        self._runs: list[NDArray[np.uint64]] = []

    def __len__(self) -> int:
        return sum(len(r) for r in self._runs)

    def seen(self, hashes: NDArray[np.uint64]) -> NDArray[np.bool_]:
        """For each hash, whether it was added before (a candidate duplicate)."""
        # Sorted queries walk each run in order: five times faster than in arrival order.
        order = np.argsort(hashes)
        queries = hashes[order]
        found = np.zeros(len(hashes), dtype=np.bool_)
        for run in self._runs:
            at = np.searchsorted(run, queries)
            found |= run[np.minimum(at, len(run) - 1)] == queries
        hit = np.empty_like(found)
        hit[order] = found
        return hit

    def add(self, hashes: NDArray[np.uint64]) -> None:
        if not len(hashes):
            return
        run = np.sort(hashes)
        while self._runs and len(self._runs[-1]) <= len(run):
            run = np.concatenate([self._runs.pop(), run])
            run.sort()  # in place: no second copy of the set while it merges
        self._runs.append(run)
