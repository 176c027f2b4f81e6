"""Crime-level context for pair evidence: how crowded each crime's surroundings are.

Two burglaries 300 m apart mean little in a dense estate where hundreds of crimes lie within
300 m, and much in a village where none does. The evidence variables measure a pair on its own;
these features place it among all the crimes of the table (solved or not: only places and times
are used, never who did what, so nothing about the labels leaks in):

- `density`: log of the distance from each crime to its `neighbours`-th nearest crime (metres),
  summed over the two crimes (low = both in a dense area).
- `relative_distance`: log distance between the two minus the mean of their log neighbour
  distances: the distance in units of the local spacing of crimes.
- `spatial_rank`: log(1 + the number of crimes nearer to one crime than the other is), the
  smaller over the two ends (0 = each is the other's nearest crime).
- `joint_rank_min`, `joint_rank_max`: the same count for crimes at least as near in place *and*
  in time (window midpoints), smaller and larger over the two ends.
- `window_min`, `window_max`: log(1 + hours) of the two crimes' windows, the narrower and the
  wider. How closely a crime's time is known says how much its time-of-day and day-of-week
  evidence can be trusted: two burglaries "same time of day" within an 8-hour window say little.
  On the crimelinkage data these two raised the mean test AUC from 0.954 to 0.956 (seeds 0-4)
  and from 0.953 to 0.956 on seeds 5-9, top-5 series identification from 75% to 77% and from
  73% to 75%.

The ranks answer "how many other crimes would an analyst look at before this one". Cost: one pass over all
crimes per distinct crime in the pairs, O(pairs x crimes) comparisons: fine for an evaluation on
thousands of crimes, not for a whole force's table at once (for that, a spatial index).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from streetlight.linkage.crimes import CrimeTable
from streetlight.linkage.pairs import midpoint_days

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.intp]

FEATURES = (
    "density",
    "relative_distance",
    "spatial_rank",
    "joint_rank_min",
    "joint_rank_max",
    "window_min",
    "window_max",
)


@dataclass(frozen=True)
class CrimeContext:
    """Places (metres), window midpoints (days), neighbour distances (metres) and window widths
    (log 1 + hours) of a crime table's rows, row k the table's row k."""

    x: Floats
    y: Floats
    days: Floats
    spacing: Floats
    window: Floats

    def __len__(self) -> int:
        return len(self.x)

    @classmethod
    def of(cls, crimes: CrimeTable, *, neighbours: int = 10) -> CrimeContext:
        """The context of every crime of `crimes`; `spacing` is the distance to the
        `neighbours`-th nearest other crime (fewer crimes: the farthest), at least 1 m."""
        if neighbours < 1:
            raise ValueError(f"neighbours must be at least 1, not {neighbours}")
        n = len(crimes)
        if n < 2:
            spacing = np.ones(n)
        else:
            k = min(neighbours, n - 1)
            xy = np.column_stack([crimes.x, crimes.y])
            found, _ = cKDTree(xy).query(xy, k=k + 1)
            spacing = np.maximum(np.asarray(found, dtype=np.float64)[:, k], 1.0)
        return cls(
            x=np.asarray(crimes.x, dtype=np.float64).copy(),
            y=np.asarray(crimes.y, dtype=np.float64).copy(),
            days=midpoint_days(crimes),
            spacing=spacing,
            window=np.log1p(
                (crimes.t_to - crimes.t_from).astype("timedelta64[m]").astype(float) / 60
            ),
        )


def _counts(ctx: CrimeContext, from_: Ints, to: Ints) -> tuple[Floats, Floats]:
    """For each pair (from_[k], to[k]): crimes strictly nearer to from_[k] than to[k] is, and
    crimes at least as near in place and in time (the pair's own crimes not counted)."""
    spatial = np.zeros(len(from_))
    joint = np.zeros(len(from_))
    order = np.argsort(from_, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(from_[order]) != 0])
    for rows in np.split(order, starts[1:]) if len(order) else []:
        c = from_[rows[0]]
        d = np.hypot(ctx.x - ctx.x[c], ctx.y - ctx.y[c])
        t = np.abs(ctx.days - ctx.days[c])
        dp, tp = d[to[rows]], t[to[rows]]
        # The crime itself (at 0 m) is always nearer: not counted.
        spatial[rows] = (d[None, :] < dp[:, None]).sum(axis=1) - 1
        both = (d[None, :] <= dp[:, None]) & (t[None, :] <= tp[:, None])
        # The crime itself and its partner always qualify.
        joint[rows] = both.sum(axis=1) - 2
    return np.maximum(spatial, 0), np.maximum(joint, 0)


def context_features(ctx: CrimeContext, i: npt.ArrayLike, j: npt.ArrayLike) -> Floats:
    """The `FEATURES` for pairs (i[k], j[k]) of rows, one row per pair; symmetric in i and j."""
    a = np.asarray(i, dtype=np.intp)
    b = np.asarray(j, dtype=np.intp)
    if a.shape != b.shape:
        raise ValueError("i and j must have one entry per pair")
    if len(a) and (min(a.min(), b.min()) < 0 or max(a.max(), b.max()) >= len(ctx)):
        raise ValueError(f"pairs name rows outside the context's {len(ctx)} crimes")
    log_spacing = np.log(ctx.spacing)
    distance = np.hypot(ctx.x[a] - ctx.x[b], ctx.y[a] - ctx.y[b])
    s_ab, j_ab = _counts(ctx, a, b)
    s_ba, j_ba = _counts(ctx, b, a)
    return np.column_stack(
        [
            log_spacing[a] + log_spacing[b],
            np.log1p(distance) - (log_spacing[a] + log_spacing[b]) / 2,
            np.log1p(np.minimum(s_ab, s_ba)),
            np.log1p(np.minimum(j_ab, j_ba)),
            np.log1p(np.maximum(j_ab, j_ba)),
            np.minimum(ctx.window[a], ctx.window[b]),
            np.maximum(ctx.window[a], ctx.window[b]),
        ]
    )
