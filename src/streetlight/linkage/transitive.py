"""Evidence through a third crime: two crimes that each look like the same third crime are more
likely one offender's, even when they look less alike to each other.

An analyst reading a list of burglaries links A to C through B: A and B share the entry method and
the street, B and C the time of night and the week. A pairwise model sees A and C alone. This
model adds, for a pair (i, j), the strongest chain through any other crime k of the table,

    third(i, j) = max over k of min(LBF(i, k), LBF(j, k)), floored at 0,

where LBF is a base model's log Bayes factor (a chain is as strong as its weaker link, and with no
crime linking both there is no evidence either way, hence the floor), and a logistic regression
on (the base's LBF of the pair, third) learns how much a chain is worth. Both inputs are log Bayes
factors, so they need no scaling.

Only places and times of the table's crimes are used, solved or not, never who did what. But the
base model was fitted on the training pairs, and its factors for those very pairs are better than
it could do for new ones: a chain through a training pair would carry its label. So the factors of
training pairs entering the chains are out-of-fold (each from a base model fitted without that
pair's fold), as in stacking; the second stage learns on out-of-fold factors of its own pairs too.
Without that, the gain on the crimelinkage data was twice as large, and not real.

Cost: the base model scores every pair of the table within `threshold_days` (found by `index`,
as at a force's scale; a dense n x n matrix of float32), and is fitted `folds + 1` times. That is
for a table of thousands of crimes (an evaluation, a unit's casework); `MAX_CRIMES` refuses more.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Self

import numpy as np
import numpy.typing as npt

from streetlight.linkage.crimes import CrimeTable
from streetlight.linkage.ensemble import context_ensemble
from streetlight.linkage.evidence import Evidence, compare
from streetlight.linkage.index import build_index, iter_candidate_pairs
from streetlight.linkage.models import LinkageModel, labels, prior_log_odds

if TYPE_CHECKING:  # scikit-learn takes a second to import: loaded on first fit
    from sklearn.linear_model import LogisticRegression

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.intp]

MAX_CRIMES = 5000
# Rows of the factor matrix gathered at once when chains are found (each row is n floats).
_CHUNK = 2048


def third_crime(factors: npt.NDArray[np.float32], i: Ints, j: Ints) -> Floats:
    """For each pair (i[k], j[k]), the strongest chain through another crime: the max over
    crimes m other than the two of min(factors[i, m], factors[j, m]), floored at 0. `factors`
    is symmetric, -inf where a pair was not scored."""
    out = np.zeros(len(i))
    for start in range(0, len(i), _CHUNK):
        a, b = i[start : start + _CHUNK], j[start : start + _CHUNK]
        chains = np.minimum(factors[a], factors[b])
        rows = np.arange(len(a))
        chains[rows, a] = -np.inf  # the pair's own crimes are not third crimes
        chains[rows, b] = -np.inf
        out[start : start + _CHUNK] = np.maximum(chains.max(axis=1), 0.0)
    return out


def folds_of(n: int, folds: int, seed: int) -> Ints:
    """Each of `n` pairs' fold, drawn with `seed`."""
    return np.random.default_rng([seed, 9]).integers(0, folds, n).astype(np.intp)


@dataclass
class TransitiveLinkage:
    """A base model's log Bayes factor and the strongest chain through a third crime of `crimes`
    (the table the evidence's rows refer to), joined by a logistic regression fitted on
    out-of-fold factors. `base` makes a fresh, unfitted base model for the table."""

    crimes: CrimeTable
    base: Callable[[CrimeTable], LinkageModel]
    folds: int = 5
    seed: int = 0
    threshold_days: float = 365.0
    name: str = "context-transitive"
    base_: LinkageModel | None = field(default=None, init=False, repr=False)
    factors_: npt.NDArray[np.float32] | None = field(default=None, init=False, repr=False)
    model_: LogisticRegression | None = field(default=None, init=False, repr=False)
    prior_: float = field(default=0.0, init=False, repr=False)

    def __post_init__(self) -> None:
        if len(self.crimes) > MAX_CRIMES:
            raise ValueError(
                f"the third-crime model scores every pair of its table: {len(self.crimes):,}"
                f" crimes is more than {MAX_CRIMES:,}; use ensemble.context_ensemble"
            )
        if self.folds < 2:
            raise ValueError(f"folds must be at least 2, not {self.folds}")

    def fit(self, evidence: Evidence, linked: npt.ArrayLike, weight: npt.ArrayLike) -> Self:
        y, w = labels(evidence, linked, weight)
        self.prior_ = prior_log_odds(y, w)
        self.base_ = self.base(self.crimes).fit(evidence, y, w)
        out_of_fold = self._out_of_fold(evidence, y, w)
        self.factors_ = self._factors(self.base_)
        # The training pairs' own factors, in the chains too, are out-of-fold.
        self.factors_[evidence.i, evidence.j] = out_of_fold
        self.factors_[evidence.j, evidence.i] = out_of_fold
        x = np.column_stack([out_of_fold, third_crime(self.factors_, evidence.i, evidence.j)])
        from sklearn.linear_model import LogisticRegression

        self.model_ = LogisticRegression(max_iter=1000).fit(x, y, sample_weight=w)
        return self

    def log_bayes_factor(self, evidence: Evidence) -> Floats:
        if self.base_ is None or self.factors_ is None or self.model_ is None:
            raise RuntimeError("fit the model before scoring pairs")
        x = np.column_stack(
            [
                self.base_.log_bayes_factor(evidence),
                third_crime(self.factors_, evidence.i, evidence.j),
            ]
        )
        return np.asarray(self.model_.decision_function(x), dtype=np.float64) - self.prior_

    def series_model(self) -> LinkageModel:
        """A fresh base model, for ranking known offenders' series (`identify.rank_series`):
        a series already joins the evidence of its crimes, so chains through third crimes add
        nothing there but other offenders' near neighbours. On the crimelinkage data (seeds
        0-19) they took series identification top-5 from 76% to 73% (single link)."""
        return self.base(self.crimes)

    def _out_of_fold(self, evidence: Evidence, y: npt.NDArray[np.bool_], w: Floats) -> Floats:
        """Each pair's factor from a base model fitted on the other folds' pairs."""
        fold = folds_of(len(evidence), self.folds, self.seed)
        out = np.empty(len(evidence))
        for f in range(self.folds):
            held = fold == f
            if not held.any():
                continue
            rest = ~held
            if not y[rest].any() or y[rest].all():
                raise ValueError(
                    "too few linked pairs to fit the third-crime model out of fold: each fold's"
                    " complement needs linked and unlinked pairs"
                )
            model = self.base(self.crimes).fit(evidence.take(rest), y[rest], w[rest])
            out[held] = model.log_bayes_factor(evidence.take(held))
        return out

    def _factors(self, model: LinkageModel) -> npt.NDArray[np.float32]:
        """The base model's factor for every pair of the table within the time limit."""
        n = len(self.crimes)
        factors = np.full((n, n), -np.inf, dtype=np.float32)
        index = build_index(self.crimes)
        for i, j in iter_candidate_pairs(index, max_days=self.threshold_days):
            scores = model.log_bayes_factor(compare(self.crimes, i, j))
            factors[i, j] = scores
            factors[j, i] = scores
        return factors


def context_transitive(crimes: CrimeTable) -> TransitiveLinkage:
    """Streetlight's most accurate model for a table of up to `MAX_CRIMES` crimes: the context
    ensemble with evidence through third crimes, unfitted."""
    return TransitiveLinkage(crimes=crimes, base=context_ensemble)
