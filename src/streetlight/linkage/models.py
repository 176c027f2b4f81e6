"""Pairwise linkage models: from the evidence for a pair of crimes to a log Bayes factor.

Every model follows scikit-learn's habit (`fit` then predict) and answers in one currency, the
natural log of the Bayes factor: how much more likely the evidence is if one offender committed
both crimes than if two did. Bayes factors of independent evidence multiply (log factors add),
and they read the same whatever the share of linked pairs in the training sample, which the
reference protocol fixes by sampling, not by nature. A probabilistic classifier's posterior log
odds become a log Bayes factor by taking away the (weighted) prior log odds it was fitted with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, Self

import numpy as np
import numpy.typing as npt

from streetlight.linkage.evidence import Evidence

if TYPE_CHECKING:  # scikit-learn takes a second to import: loaded on first fit
    from sklearn.linear_model import LogisticRegression

Floats = npt.NDArray[np.float64]


class LinkageModel(Protocol):
    """What scoring, series and suspect identification need of a fitted model."""

    name: str

    def fit(self, evidence: Evidence, linked: npt.ArrayLike, weight: npt.ArrayLike) -> Self: ...

    def log_bayes_factor(self, evidence: Evidence) -> Floats: ...


@dataclass(frozen=True)
class Design:
    """Model inputs as one matrix: a column per feature, with its name."""

    x: Floats
    names: tuple[str, ...]


def design(evidence: Evidence) -> Design:
    """The evidence as model features.

    Distances enter on a log scale (a kilometre matters far more near 0 than near 30), times of
    day and days of week as they are. A categorical MO variable gives two indicators, same and
    different, both 0 when either crime's value is unknown: unknown is neither evidence for nor
    against. A numeric one gives its difference (0 when unknown) and an unknown indicator.
    """
    columns: list[Floats] = [
        np.log1p(evidence.spatial / 1000.0),
        np.log1p(evidence.temporal),
        evidence.tod,
        evidence.dow,
    ]
    names: list[str] = ["log_km", "log_days", "tod_hours", "dow_days"]
    for name, match in evidence.categorical.items():
        columns += [(match == 1.0).astype(np.float64), (match == 0.0).astype(np.float64)]
        names += [f"{name}_same", f"{name}_different"]
    for name, diff in evidence.numeric.items():
        unknown = np.isnan(diff)
        columns += [np.where(unknown, 0.0, diff), unknown.astype(np.float64)]
        names += [f"{name}_diff", f"{name}_unknown"]
    return Design(np.column_stack(columns) if columns else np.empty((0, 0)), tuple(names))


def labels(
    evidence: Evidence, linked: npt.ArrayLike, weight: npt.ArrayLike
) -> tuple[npt.NDArray[np.bool_], Floats]:
    """A fit's labels and pair weights as arrays, one of each per pair of `evidence`."""
    y = np.asarray(linked, dtype=bool)
    w = np.asarray(weight, dtype=np.float64)
    if y.shape != (len(evidence),) or w.shape != y.shape:
        raise ValueError("linked and weight need one entry per pair of the evidence")
    return y, w


def prior_log_odds(linked: npt.ArrayLike, weight: npt.ArrayLike) -> float:
    """Log of (weight of linked pairs) / (weight of unlinked pairs) in a training sample."""
    y = np.asarray(linked, dtype=bool)
    w = np.asarray(weight, dtype=np.float64)
    on, off = float(w[y].sum()), float(w[~y].sum())
    if on <= 0 or off <= 0:
        raise ValueError("a linkage model needs both linked and unlinked pairs to learn from")
    return float(np.log(on / off))


@dataclass
class LogisticLinkage:
    """Logistic regression on the design's features (standardised, lightly penalised)."""

    c: float = 1.0
    name: str = "logistic"
    _model: LogisticRegression | None = field(default=None, init=False, repr=False)
    _mean: Floats | None = field(default=None, init=False, repr=False)
    _scale: Floats | None = field(default=None, init=False, repr=False)
    _prior: float = field(default=0.0, init=False, repr=False)

    def fit(self, evidence: Evidence, linked: npt.ArrayLike, weight: npt.ArrayLike) -> Self:
        x = design(evidence).x
        self._mean = x.mean(axis=0)
        self._scale = np.where(x.std(axis=0) > 0, x.std(axis=0), 1.0)
        y, w = labels(evidence, linked, weight)
        self._prior = prior_log_odds(y, w)
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(C=self.c, max_iter=1000)
        self._model = model.fit((x - self._mean) / self._scale, y, sample_weight=w)
        return self

    def log_bayes_factor(self, evidence: Evidence) -> Floats:
        if self._model is None or self._mean is None or self._scale is None:
            raise RuntimeError("fit the model before scoring pairs")
        x = (design(evidence).x - self._mean) / self._scale
        return np.asarray(self._model.decision_function(x), dtype=np.float64) - self._prior
