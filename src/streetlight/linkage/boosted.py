"""Gradient-boosted trees for linkage: the reference's boosted model, and ours with crime context.

A classifier's posterior log odds are the log Bayes factor plus the prior log odds of the sample
it was fitted on (Bayes' rule in log odds), so the factor is the decision function minus the
weighted prior log odds (`models.prior_log_odds`). scikit-learn's histogram boosting handles an
unknown MO match (NaN) by learning which side of each split it goes.

- `BoostedLinkage` reproduces the reference's boosted trees (crimelinkage vignette: `gbm` with
  shrinkage 0.01, 500 trees, interaction depth 3, the evidence variables as they are, the pair
  weights as given): a learning rate of 0.01, 500 iterations and trees of 4 leaves (3 splits,
  gbm's interaction depth).
- `ContextBoostedLinkage` is ours: the evidence variables plus the crime-context features
  (`linkage.context`: local density of crimes and nearest-neighbour ranks, so closeness in a
  dense area counts for less), the two classes given equal total weight (linked pairs weigh
  1/N per series and are few, which leaves the trees with almost no gradient from them; the
  prior this adds is taken away again) and a faster learning rate (0.05, 300 trees of depth 3).
  Its settings are fixed, not tuned per run.

Both run on one thread: on a few thousand pairs OpenMP's start-up and spin-waiting cost far more
than they save (16 times slower on a busy 2-core machine), and the CLI's progress bar, the web
app and other users share the cores.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Self

import numpy as np
import numpy.typing as npt
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from streetlight.linkage.context import FEATURES, CrimeContext, context_features
from streetlight.linkage.evidence import Evidence
from streetlight.linkage.models import labels, prior_log_odds

if TYPE_CHECKING:  # scikit-learn takes a second to import: loaded on first fit
    from sklearn.ensemble import HistGradientBoostingClassifier

Floats = npt.NDArray[np.float64]


def evidence_matrix(evidence: Evidence) -> tuple[Floats, tuple[str, ...]]:
    """The evidence variables as they are, one column each (metres, days, hours, days, then MO
    matches 1/0/NaN and numeric differences), with their names."""
    names = ("spatial", "temporal", "tod", "dow", *evidence.categorical, *evidence.numeric)
    columns = [evidence.spatial, evidence.temporal, evidence.tod, evidence.dow]
    columns += [*evidence.categorical.values(), *evidence.numeric.values()]
    return np.column_stack(columns), names


def balanced_weights(linked: npt.NDArray[np.bool_], weight: Floats) -> Floats:
    """The weights rescaled so each class sums to half the number of pairs: the fit sees a
    prior of even odds (its log odds are then the log Bayes factor) whatever share of unlinked
    pairs was sampled, and a penalised model is penalised the same however the weights were
    scaled."""
    prior_log_odds(linked, weight)  # both classes present, or a clear error
    half = len(linked) / 2
    scale = np.where(linked, half / weight[linked].sum(), half / weight[~linked].sum())
    return np.asarray(weight * scale, dtype=np.float64)


@dataclass
class BoostedLinkage:
    """Boosted trees on the evidence variables, the reference's settings by default."""

    learning_rate: float = 0.01
    max_iter: int = 500
    max_leaf_nodes: int | None = 4
    max_depth: int | None = None
    random_state: int = 0
    name: str = "boosted"
    model_: HistGradientBoostingClassifier | None = field(default=None, init=False, repr=False)
    prior_: float = field(default=0.0, init=False, repr=False)
    binning_: Binning | None = field(default=None, init=False, repr=False)

    def fit(self, evidence: Evidence, linked: npt.ArrayLike, weight: npt.ArrayLike) -> Self:
        y, w = labels(evidence, linked, weight)
        self.prior_ = prior_log_odds(y, w)
        x, _ = evidence_matrix(evidence)
        self.binning_ = Binning.of(x)
        self.model_ = _booster(self, self.binning_.apply(x), y, w)
        return self

    def log_bayes_factor(self, evidence: Evidence) -> Floats:
        if self.model_ is None or self.binning_ is None:
            raise RuntimeError("fit the model before scoring pairs")
        x, _ = evidence_matrix(evidence)
        return _decision(self.model_, self.binning_.apply(x)) - self.prior_


@dataclass(frozen=True)
class Binning:
    """Each kept column cut at (unweighted) quantiles of its training values, as the booster
    would, but done here: given sample weights, scikit-learn finds its bin edges with a weighted
    percentile per edge, which took half of an evaluation's time; a column with no more distinct
    values than bins it takes as it is. Columns unknown for every pair are dropped (an MO field
    never recorded says nothing, and the booster cannot bin a column without values)."""

    columns: npt.NDArray[np.bool_]
    edges: tuple[Floats, ...]

    @classmethod
    def of(cls, x: Floats, *, bins: int = 255) -> Binning:
        columns = np.asarray(~np.isnan(x).all(axis=0), dtype=bool)
        inner = np.linspace(0.0, 1.0, bins + 1)[1:-1]
        edges = tuple(np.unique(np.nanquantile(x[:, c], inner)) for c in np.flatnonzero(columns))
        return cls(columns, edges)

    def apply(self, x: Floats) -> Floats:
        """Each value as the number of its column's edges at or below it (NaN stays NaN)."""
        kept = x[:, self.columns]
        out = np.empty_like(kept)
        for c, edges in enumerate(self.edges):
            out[:, c] = np.searchsorted(edges, kept[:, c], side="right")
        out[np.isnan(kept)] = np.nan
        return out


def _booster(
    params: BoostedLinkage | ContextBoostedLinkage, x: Floats, y: npt.NDArray[np.bool_], w: Floats
) -> HistGradientBoostingClassifier:
    # No early stopping: it would hold out a random tenth of the pairs above 10,000 of them,
    # so the same pairs could give a different model.
    from sklearn.ensemble import HistGradientBoostingClassifier

    model = HistGradientBoostingClassifier(
        learning_rate=params.learning_rate,
        max_iter=params.max_iter,
        max_leaf_nodes=params.max_leaf_nodes,
        max_depth=params.max_depth,
        early_stopping=False,
        random_state=params.random_state,
    )
    with threadpool_limits(limits=1, user_api="openmp"):
        return model.fit(x, y, sample_weight=w)


def _decision(model: HistGradientBoostingClassifier, x: Floats) -> Floats:
    with threadpool_limits(limits=1, user_api="openmp"):
        return np.asarray(model.decision_function(x), dtype=np.float64)


@dataclass
class ContextBoostedLinkage:
    """Boosted trees on the evidence and the crime context of `context` (the table the
    evidence's rows refer to), classes balanced. Streetlight's default pairwise model."""

    context: CrimeContext
    learning_rate: float = 0.05
    max_iter: int = 300
    max_leaf_nodes: int | None = None
    max_depth: int | None = 3
    random_state: int = 0
    name: str = "context-boosted"
    model_: HistGradientBoostingClassifier | None = field(default=None, init=False, repr=False)
    prior_: float = field(default=0.0, init=False, repr=False)
    binning_: Binning | None = field(default=None, init=False, repr=False)

    def features(self, evidence: Evidence) -> tuple[Floats, tuple[str, ...]]:
        """The model's input matrix and its column names."""
        x, names = evidence_matrix(evidence)
        extra = context_features(self.context, evidence.i, evidence.j)
        return np.column_stack([x, extra]), (*names, *FEATURES)

    def fit(self, evidence: Evidence, linked: npt.ArrayLike, weight: npt.ArrayLike) -> Self:
        y, w = labels(evidence, linked, weight)
        balanced = balanced_weights(y, w)
        self.prior_ = prior_log_odds(y, balanced)  # 0 up to rounding
        x, _ = self.features(evidence)
        self.binning_ = Binning.of(x)
        self.model_ = _booster(self, self.binning_.apply(x), y, balanced)
        return self

    def log_bayes_factor(self, evidence: Evidence) -> Floats:
        if self.model_ is None or self.binning_ is None:
            raise RuntimeError("fit the model before scoring pairs")
        x, _ = self.features(evidence)
        return _decision(self.model_, self.binning_.apply(x)) - self.prior_
