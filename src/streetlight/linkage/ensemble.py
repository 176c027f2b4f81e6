"""Streetlight's default pairwise model: boosted trees and a logistic regression, both on the
evidence and the crime context, their log Bayes factors averaged.

The two err differently: trees find interactions (near in place *and* time) but answer in steps
and can be over-confident at the edges of the training data; the logistic model is smooth and
keeps the order of evidence well beyond the top of the list, which matters when factors are
joined per series (`identify.rank_series`). The mean of two log Bayes factors is the log of
their geometric mean, still a Bayes factor. On the crimelinkage data (docs/linkage.md) the
average beats either on test AUC, and the pair keeps most of the logistic model's series
identification.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Self

import numpy as np
import numpy.typing as npt

from streetlight.linkage.boosted import ContextBoostedLinkage
from streetlight.linkage.context import CrimeContext, context_features
from streetlight.linkage.crimes import CrimeTable
from streetlight.linkage.evidence import Evidence
from streetlight.linkage.models import LinkageModel, design, labels, prior_log_odds

if TYPE_CHECKING:  # scikit-learn takes a second to import: loaded on first fit
    from sklearn.linear_model import LogisticRegression

Floats = npt.NDArray[np.float64]


@dataclass
class ContextLogisticLinkage:
    """Logistic regression on `models.design`'s features and `context.FEATURES` (standardised,
    L2 penalty `c`), the crime context from `context` (the table the evidence's rows refer to).

    The pair weights are used as given, as `models.LogisticLinkage` does: balancing the classes
    (as the boosted model does) made its series identification worse on the reference data. The
    penalty makes the factors depend somewhat on the sampled share of unlinked pairs when the
    classes are nearly separable."""

    context: CrimeContext
    c: float = 1.0
    name: str = "context-logistic"
    model_: LogisticRegression | None = field(default=None, init=False, repr=False)
    mean_: Floats | None = field(default=None, init=False, repr=False)
    scale_: Floats | None = field(default=None, init=False, repr=False)
    prior_: float = field(default=0.0, init=False, repr=False)

    def _x(self, evidence: Evidence) -> Floats:
        extra = context_features(self.context, evidence.i, evidence.j)
        return np.column_stack([design(evidence).x, extra])

    def fit(self, evidence: Evidence, linked: npt.ArrayLike, weight: npt.ArrayLike) -> Self:
        y, w = labels(evidence, linked, weight)
        self.prior_ = prior_log_odds(y, w)
        x = self._x(evidence)
        self.mean_ = x.mean(axis=0)
        sd = x.std(axis=0)
        self.scale_ = np.where(sd > 0, sd, 1.0)
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(C=self.c, max_iter=2000)
        self.model_ = model.fit((x - self.mean_) / self.scale_, y, sample_weight=w)
        return self

    def log_bayes_factor(self, evidence: Evidence) -> Floats:
        if self.model_ is None or self.mean_ is None or self.scale_ is None:
            raise RuntimeError("fit the model before scoring pairs")
        x = (self._x(evidence) - self.mean_) / self.scale_
        return np.asarray(self.model_.decision_function(x), dtype=np.float64) - self.prior_


@dataclass
class EnsembleLinkage:
    """The mean of its members' log Bayes factors; each member fitted on the same pairs."""

    members: Sequence[LinkageModel]
    name: str = "ensemble"
    fitted_: bool = field(default=False, init=False, repr=False)

    def fit(self, evidence: Evidence, linked: npt.ArrayLike, weight: npt.ArrayLike) -> Self:
        if not self.members:
            raise ValueError("an ensemble needs at least one member")
        for member in self.members:
            member.fit(evidence, linked, weight)
        self.fitted_ = True
        return self

    def log_bayes_factor(self, evidence: Evidence) -> Floats:
        if not self.fitted_:
            raise RuntimeError("fit the model before scoring pairs")
        scores = [m.log_bayes_factor(evidence) for m in self.members]
        return np.asarray(np.mean(scores, axis=0), dtype=np.float64)


def context_ensemble(crimes: CrimeTable) -> EnsembleLinkage:
    """Streetlight's default pairwise model for pairs of rows of `crimes`, unfitted."""
    context = CrimeContext.of(crimes)
    return EnsembleLinkage(
        members=(ContextBoostedLinkage(context=context), ContextLogisticLinkage(context=context)),
        name="context-ensemble",
    )
