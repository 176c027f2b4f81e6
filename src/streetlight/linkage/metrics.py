"""How well scores put linked pairs first: AUC, precision at the top of the list, curves.

AUC alone flatters a linkage model: with hundreds of unlinked pairs for every linked one, an AUC
of 0.95 can leave the top of the list mostly unlinked (Tonkin et al. 2025: AUC 0.95, area under
the precision-recall curve 0.26). An analyst reads the list from the top, so precision at the
top 10/50/100 pairs is reported beside it. Pairs with equal scores are read in input order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sklearn.metrics import average_precision_score, roc_auc_score, roc_curve

Floats = npt.NDArray[np.float64]
TOP = (10, 50, 100)


@dataclass(frozen=True)
class PairMetrics:
    """Scores of one model on test pairs.

    - `auc`: area under the ROC curve, every pair counting once (as the reference's `getROC`).
    - `auc_weighted`: the same with the protocol's pair weights (linked pairs 1/N per series).
    - `pr_auc`: average precision (area under the precision-recall curve), unweighted.
    - `precision_at[k]`: share of linked pairs among the k highest-scored, k in `TOP`.
    - `roc_fpr`, `roc_tpr`: the ROC curve; `precision_curve[k-1]`: precision among the top k.
    """

    auc: float
    auc_weighted: float
    pr_auc: float
    precision_at: dict[int, float]
    roc_fpr: tuple[float, ...]
    roc_tpr: tuple[float, ...]
    precision_curve: tuple[float, ...]


def precision_at(score: npt.ArrayLike, linked: npt.ArrayLike, k: int) -> float:
    """Share of linked pairs among the `k` highest scores (all pairs when fewer than k)."""
    s = np.asarray(score, dtype=np.float64)
    y = np.asarray(linked, dtype=bool)
    top = np.argsort(-s, kind="stable")[:k]
    return float(y[top].mean()) if len(top) else float("nan")


def pair_metrics(score: npt.ArrayLike, linked: npt.ArrayLike, weight: npt.ArrayLike) -> PairMetrics:
    """All the pair metrics of `score` (higher = more likely linked) on labelled pairs."""
    s = np.asarray(score, dtype=np.float64)
    y = np.asarray(linked, dtype=bool)
    w = np.asarray(weight, dtype=np.float64)
    if not y.any() or y.all():
        raise ValueError("the test pairs need both linked and unlinked pairs")
    fpr, tpr, _ = roc_curve(y, s)
    order = np.argsort(-s, kind="stable")
    curve = np.cumsum(y[order]) / np.arange(1, len(y) + 1)
    return PairMetrics(
        auc=float(roc_auc_score(y, s)),
        auc_weighted=float(roc_auc_score(y, s, sample_weight=w)),
        pr_auc=float(average_precision_score(y, s)),
        precision_at={k: precision_at(s, y, k) for k in TOP},
        roc_fpr=tuple(float(v) for v in fpr),
        roc_tpr=tuple(float(v) for v in tpr),
        precision_curve=tuple(float(v) for v in curve),
    )


def top_k_share(ranks: npt.ArrayLike, k: int) -> float:
    """Share of the ranks (1-based; 0 = not ranked) that are within the top `k`."""
    r = np.asarray(ranks, dtype=np.intp)
    return float(((r >= 1) & (r <= k)).mean()) if len(r) else float("nan")
