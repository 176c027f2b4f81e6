"""Bootstrap intervals over months or shifts: how sure a mean of a few scores is, and how sure
the gain of one model over another, scored on the same periods, is."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray


def bootstrap_interval(
    values: Sequence[float] | NDArray[np.float64], n_boot: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """95% percentile bootstrap interval of the mean (NaNs skipped); NaN, NaN without values.

    Months are resampled whole (Efron & Tibshirani 1993): a dozen months is all a backtest has,
    and a fixed seed keeps a report the same from run to run."""
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    if len(v) == 0:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    means = v[rng.integers(0, len(v), size=(n_boot, len(v)))].mean(axis=1)
    lo, hi = np.percentile(means, [2.5, 97.5])
    return float(lo), float(hi)


def paired_gain(
    a: Sequence[float] | NDArray[np.float64],
    b: Sequence[float] | NDArray[np.float64],
    blocks: Sequence[str] | None = None,
    n_boot: int = 2000,
    seed: int = 0,
) -> tuple[float, float, float]:
    """Relative gain mean(a) / mean(b) - 1 of paired scores, and its 95% bootstrap interval.

    Periods are resampled with replacement, the same ones for both series (the pairing removes
    what they share: a quiet month is quiet for every model). With `blocks` (a label per period,
    e.g. its day) whole blocks are resampled, so the three shifts of one day, which share a
    history, count as one draw rather than three. Pairs with a NaN are skipped; NaN, NaN, NaN
    when nothing is left or b's mean is not positive."""
    x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    ok = np.isfinite(x) & np.isfinite(y)
    labels = np.asarray(blocks if blocks is not None else np.arange(len(x)).astype(str))[ok]
    x, y = x[ok], y[ok]
    if len(x) == 0 or not y.sum() > 0:
        return float("nan"), float("nan"), float("nan")
    _, block = np.unique(labels, return_inverse=True)
    sum_x = np.bincount(block, weights=x)
    sum_y = np.bincount(block, weights=y)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(sum_x), size=(n_boot, len(sum_x)))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratios = sum_x[draws].sum(axis=1) / sum_y[draws].sum(axis=1)
    lo, hi = np.nanpercentile(ratios, [2.5, 97.5])
    return float(x.sum() / y.sum() - 1.0), float(lo - 1.0), float(hi - 1.0)
