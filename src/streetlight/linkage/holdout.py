"""Series identification of held-out crimes: would a model have put a crime's real offender near
the top, had the crime been unsolved?

The reference (crimelinkage's `seriesID`; Porter 2016) compares an unsolved crime with every
solved crime, groups the log Bayes factors by offender (`makeGroups` method 3: each offender's
crimes are a series) and ranks the offenders by average, single or complete linkage
(`identify.rank_series`). To score that, some solved crimes play unsolved:

- the *held-out* crimes are drawn, a share of them by the seed, from the crimes that have a
  linked pair (another crime of one of their offenders within the time limit), since only those
  can be found at all;
- the model is fitted on the training pairs that involve no held-out crime, so nothing it learnt
  came from them;
- each held-out crime is compared with every solved crime that is not held out and lies within
  the time limit (as the training pairs do), and its rank is that of the best-placed of its own
  offenders. A held-out crime none of whose offenders has such a crime left (its only series mate
  was held out too) cannot be found and is not counted; `HeldOutRanks` says how many.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from streetlight.linkage.identify import Link, rank_series
from streetlight.linkage.pairs import Pairs, Series

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.intp]


def hold_out(pairs: Pairs, *, seed: int, share: float = 0.3) -> Ints:
    """Table rows of the held-out crimes: each crime of a linked pair with probability `share`,
    drawn with `seed` (a stream of its own: the pairs and the split use others)."""
    if not 0 < share < 1:
        raise ValueError(f"share must be between 0 and 1, not {share}")
    found = np.unique(np.concatenate([pairs.i[pairs.linked], pairs.j[pairs.linked]]))
    pick = np.random.default_rng([seed, 2]).random(len(found)) < share
    return found[pick].astype(np.intp)


def touches(pairs_i: Ints, pairs_j: Ints, rows: Ints) -> npt.NDArray[np.bool_]:
    """Whether each pair involves one of `rows`."""
    return np.isin(pairs_i, rows) | np.isin(pairs_j, rows)


@dataclass(frozen=True)
class Comparisons:
    """Each held-out crime `i[k]` against a candidate solved crime `j[k]`."""

    i: Ints
    j: Ints


def comparisons(
    days: Floats, s: Series, held: Ints, *, threshold_days: float = 365.0
) -> Comparisons:
    """Every (held-out crime, solved crime not held out) pair within `threshold_days` of each
    other (`days`: each table row's window midpoint)."""
    solved = np.unique(s.crime)
    candidates = solved[~np.isin(solved, held)]
    grid_a, grid_b = np.meshgrid(held, candidates, indexing="ij")
    a, b = grid_a.ravel(), grid_b.ravel()
    near = np.abs(days[a] - days[b]) <= threshold_days
    return Comparisons(a[near].astype(np.intp), b[near].astype(np.intp))


@dataclass(frozen=True)
class HeldOutRanks:
    """`rank[k]`: place (1 = top) of held-out crime `crime[k]`'s best-placed own offender among
    the ranked offenders. `held_out` crimes were held out, of which `len(crime)` could be found."""

    crime: Ints
    rank: Ints
    held_out: int


def held_out_ranks(
    log_bf: npt.ArrayLike, comp: Comparisons, s: Series, held: Ints, *, link: Link = "average"
) -> HeldOutRanks:
    """Rank the offenders for each held-out crime from the log Bayes factors of `comp`."""
    bf = np.asarray(log_bf, dtype=np.float64)
    if bf.shape != comp.i.shape:
        raise ValueError("log_bf needs one entry per comparison")
    _, person = np.unique(s.offender, return_inverse=True)
    # Offenders of each table row: rows of s sorted by crime, each crime's slice.
    by_crime = np.argsort(s.crime, kind="stable")
    n_rows = int(max(s.crime.max(initial=-1), comp.i.max(initial=-1), comp.j.max(initial=-1))) + 1
    count = np.bincount(s.crime, minlength=n_rows)
    start = np.r_[0, np.cumsum(count)[:-1]]
    # One row per (comparison, offender of its candidate crime).
    reps = count[comp.j]
    which = np.repeat(np.arange(len(comp.j)), reps)
    offset = np.arange(len(which)) - np.repeat(np.cumsum(reps) - reps, reps)
    offender = person[by_crime[start[comp.j[which]] + offset]]
    found: list[int] = []
    ranks: list[int] = []
    for crime in held:
        own = person[s.crime == crime]
        mine = comp.i[which] == crime
        if not np.isin(own, offender[mine]).any():
            continue  # none of its offenders has a candidate crime left: cannot be found
        ranking = rank_series(bf[which[mine]], offender[mine], link=link)
        places = [p for o in own if (p := ranking.rank_of(int(o))) is not None]
        found.append(int(crime))
        ranks.append(min(places))
    return HeldOutRanks(
        crime=np.array(found, dtype=np.intp),
        rank=np.array(ranks, dtype=np.intp),
        held_out=len(held),
    )
