"""Which known series is a crime most likely part of: pairwise evidence summed up per series.

One crime is compared with every crime of the known series (offenders' solved crimes) that it
may be linked to; each comparison is a log Bayes factor. A series' score joins its crimes'
factors as hierarchical clustering joins clusters: `single` the strongest pair (one very alike
crime suffices), `average` the mean (crimelinkage's default for series identification), and
`complete` the weakest (every crime must be alike). A series with no comparable crime (all more
than the time limit away, say) is not ranked at all: the answer is "not among the candidates",
not a low score.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.intp]
Link = Literal["single", "average", "complete"]
LINKS: tuple[Link, ...] = ("single", "average", "complete")


@dataclass(frozen=True)
class SeriesRanking:
    """Series best first: `series[k]` scored `score[k]`; `strongest[k]` is the position (in the
    input arrays) of that series' most alike pair, the one to explain in words."""

    series: Ints
    score: Floats
    strongest: Ints

    def __len__(self) -> int:
        return len(self.series)

    def rank_of(self, series: int) -> int | None:
        """1-based place of a series, None when it was not among the candidates."""
        at = np.flatnonzero(self.series == series)
        return int(at[0]) + 1 if len(at) else None


def rank_series(
    log_bf: npt.ArrayLike,
    series: npt.ArrayLike,
    *,
    link: Link = "average",
    top: int | None = None,
) -> SeriesRanking:
    """Rank series by their joined evidence; `log_bf[k]` compares the crime with a crime of
    series `series[k]` (non-negative integer ids). Ties keep the lower series id first."""
    if link not in LINKS:
        raise ValueError(f"link must be one of {', '.join(LINKS)}, not {link!r}")
    bf = np.asarray(log_bf, dtype=np.float64)
    ids = np.asarray(series, dtype=np.intp)
    if bf.shape != ids.shape:
        raise ValueError("log_bf and series must have one entry per compared pair")
    if not len(ids):
        empty = np.empty(0, dtype=np.intp)
        return SeriesRanking(empty, np.empty(0), empty)
    present, inverse = np.unique(ids, return_inverse=True)
    if link == "average":
        joined = np.bincount(inverse, weights=bf) / np.bincount(inverse)
    else:
        joined = np.full(len(present), -np.inf if link == "single" else np.inf)
        (np.maximum if link == "single" else np.minimum).at(joined, inverse, bf)
    # The strongest pair of each series: sort by (series, -factor) and take each series' first.
    by = np.lexsort((-bf, inverse))
    firsts = by[np.r_[0, np.flatnonzero(np.diff(inverse[by])) + 1]]
    order = np.lexsort((present, -joined))[:top]
    return SeriesRanking(present[order], joined[order], firsts[order].astype(np.intp))
