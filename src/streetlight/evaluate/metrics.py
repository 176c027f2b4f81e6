"""Hit rate, PAI and PEI, as the field defines them (DESIGN.md, Metrics).

For a forecast month, cells are ranked by score (ties broken by study-area order, i.e. cell id
order by column then row) and the top k = round(c% x cells) are selected for coverage c:

- hit rate = crimes in the selected cells / all crimes that month;
- PAI, the Predictive Accuracy Index (Chainey, Tompson & Uhlig 2008, Security Journal 21) =
  hit rate / (k / cells);
- PEI, the Predictive Efficiency Index (Hunt 2016, NIJ; Drawve 2016) = crimes in the selected cells
  / the most crimes any k cells held that month;
- harm PEI: the same with each crime weighted by its harm (a crime-harm index), when the month's
  harm per cell is given: how much of the harm that could have been covered was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


def top_k(n_cells: int, coverage_pct: float) -> int:
    """Cells selected at `coverage_pct` per cent of the study area: round(c% x cells), at least 1."""
    return max(1, round(n_cells * coverage_pct / 100.0))


def ranking(scores: FloatArray) -> NDArray[np.int64]:
    """Cell indexes from highest to lowest score; equal scores keep study-area (cell id) order."""
    return np.lexsort((np.arange(len(scores)), -np.asarray(scores, dtype=np.float64)))


@dataclass(frozen=True)
class MonthScore:
    """Metrics of one forecast against one month's crimes, per coverage (keys: per cent);
    `harm_pei` is empty when no harm was given."""

    hit_rate: dict[float, float]
    pai: dict[float, float]
    pei: dict[float, float]
    crimes: float
    harm_pei: dict[float, float] = field(default_factory=dict)


def score_month(
    scores: FloatArray,
    actual: FloatArray,
    coverages: Sequence[float],
    harm: FloatArray | None = None,
) -> MonthScore:
    """Hit rate, PAI and PEI of `scores` against `actual` counts (both one value per cell), and
    the harm PEI against `harm` (the month's harm per cell) when given.

    A month with no crimes has undefined metrics: NaN, which averages then skip.
    """
    n = len(scores)
    if len(actual) != n:
        raise ValueError(f"scores have {n} cells but actual counts have {len(actual)}")
    order = ranking(scores)
    captured = np.cumsum(np.asarray(actual, dtype=np.float64)[order])
    total = float(captured[-1]) if n else 0.0
    hit, pai = {}, {}
    for c in coverages:
        k = top_k(n, c)
        hit[c] = float(captured[k - 1]) / total if total > 0 else float("nan")
        pai[c] = hit[c] / (k / n)
    pei = _efficiency(order, actual, n, coverages)
    harm_pei = {} if harm is None else _efficiency(order, harm, n, coverages)
    return MonthScore(hit, pai, pei, total, harm_pei)


def _efficiency(
    order: NDArray[np.int64], actual: FloatArray, n: int, coverages: Sequence[float]
) -> dict[float, float]:
    """PEI of the cells in `order` against `actual` per coverage (NaN where nothing happened)."""
    values = np.asarray(actual, dtype=np.float64)
    if len(values) != n:
        raise ValueError(f"scores have {n} cells but harm has {len(values)}")
    captured = np.cumsum(values[order])
    best = np.cumsum(np.sort(values)[::-1])
    out = {}
    for c in coverages:
        k = top_k(n, c)
        out[c] = float(captured[k - 1] / best[k - 1]) if n and best[k - 1] > 0 else float("nan")
    return out
