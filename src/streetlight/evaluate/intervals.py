"""Bootstrap intervals over months: how sure a mean of a few monthly scores is."""

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
