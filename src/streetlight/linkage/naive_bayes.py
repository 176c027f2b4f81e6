"""The reference linkage model: naive Bayes on binned, shrunk evidence (crimelinkage's
`naiveBayes`, `getBF`, `make.breaks`; Porter 2016, section 4).

Each evidence variable on its own gives a Bayes factor: the share of the linked pairs' weight in
its bin over the share of the unlinked pairs' weight in that bin. Continuous variables (distance,
days, time of day, day of week, numeric MO differences) are cut at quantiles of the training
values, so each bin holds about as many pairs; a categorical MO variable has three bins (same,
different, unknown). Few linked pairs (a few hundred, weighted 1/N per series) make raw shares
noisy, so each class's histogram is shrunk towards flat by adding `a` to every bin, `a` chosen so
the histogram has `df` effective degrees of freedom (`df = k (N + a) / (N + k a)` for `k` bins and
total weight `N`; the reference's `df2a`). Naive Bayes takes the variables as independent given
linked or not, so the log Bayes factor of a pair is the sum of its variables' log factors: each
component is kept so a score can be explained variable by variable.

Differences from the reference: a value beyond the training range reads as the nearest end bin
(the reference reads it as missing or as no evidence); a categorical value unknown for either
crime is its own bin ("unknown") where the reference counts two unknowns as a match.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Self

import numpy as np
import numpy.typing as npt

from streetlight.linkage.evidence import Evidence
from streetlight.linkage.models import labels

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.intp]

SPATIOTEMPORAL = ("spatial", "temporal", "tod", "dow")
# Bins of a categorical match (1.0 same, 0.0 different, NaN unknown).
DIFFERENT, SAME, UNKNOWN = 0, 1, 2


@dataclass(frozen=True)
class Component:
    """One evidence variable's learned log Bayes factors.

    `breaks` are the bin edges of a continuous variable (bin b is (breaks[b], breaks[b+1]], the
    first closed on the left; values beyond read as the end bins), None for a categorical one;
    `log_bf[b]` the natural-log Bayes factor of bin b; `unknown` the log factor of a missing
    value. `linked`/`unlinked` are the training weight per bin (unknown last), for plots.
    """

    name: str
    breaks: Floats | None
    log_bf: Floats
    unknown: float
    linked: Floats
    unlinked: Floats


def _variables(evidence: Evidence) -> dict[str, tuple[Floats, bool]]:
    """Every evidence variable by name, with whether it is categorical."""
    out: dict[str, tuple[Floats, bool]] = {
        "spatial": (evidence.spatial, False),
        "temporal": (evidence.temporal, False),
        "tod": (evidence.tod, False),
        "dow": (evidence.dow, False),
    }
    out.update({name: (v, True) for name, v in evidence.categorical.items()})
    out.update({name: (v, False) for name, v in evidence.numeric.items()})
    return out


def quantile_breaks(x: Floats, bins: int) -> Floats:
    """Bin edges at `bins` + 1 evenly spaced quantiles of the known values, repeats removed
    (a variable with many equal values gets fewer bins)."""
    known = x[~np.isnan(x)]
    if not len(known):
        return np.zeros(0)
    return np.unique(np.quantile(known, np.linspace(0.0, 1.0, bins + 1)))


def _bin(x: Floats, breaks: Floats | None) -> Ints:
    """The bin of each value; unknown values get the bin after the last."""
    if breaks is None:
        codes = np.where(x == 1.0, SAME, DIFFERENT)
        return np.where(np.isnan(x), UNKNOWN, codes).astype(np.intp)
    k = max(len(breaks) - 1, 1)
    inside = np.clip(np.searchsorted(breaks, x, side="left") - 1, 0, k - 1)
    return np.where(np.isnan(x), k, inside).astype(np.intp)


def shrunk_shares(counts: Floats, df: float) -> Floats:
    """Shares of a weighted histogram shrunk towards flat to `df` effective degrees of freedom
    (the reference's `df2a`: `a = (N / k) (k - df) / (df - 1)` added to each of `k` bins). `df`
    at or above `k` leaves the shares as they are; an empty histogram is flat."""
    k = len(counts)
    total = float(counts.sum())
    if total <= 0 or k == 1:
        return np.full(k, 1.0 / k)
    df = min(df, k - 1e-8)
    a = (total / k) * ((k - df) / (df - 1))
    return (counts + a) / (total + k * a)


def component(
    name: str, x: Floats, categorical: bool, linked: Floats, weight: Floats, *, df: float, bins: int
) -> Component:
    """Learn one variable's log Bayes factors from training values `x`."""
    y = linked.astype(bool)
    breaks = None if categorical else quantile_breaks(x, bins)
    codes = _bin(x, breaks)
    k = 2 if breaks is None else max(len(breaks) - 1, 1)
    has_unknown = bool(np.isnan(x).any())
    # Only the bins the training data can fill count towards k (the reference's addNA(ifany)).
    size = k + 1 if has_unknown else k
    on = np.asarray(np.bincount(codes[y], weights=weight[y], minlength=k + 1), np.float64)[:size]
    off = np.asarray(np.bincount(codes[~y], weights=weight[~y], minlength=k + 1), np.float64)
    off = off[:size]
    log_bf = np.log(shrunk_shares(on, df)) - np.log(shrunk_shares(off, df))
    return Component(
        name=name,
        breaks=breaks,
        log_bf=log_bf[:k],
        unknown=float(log_bf[k]) if has_unknown else 0.0,
        linked=on,
        unlinked=off,
    )


def component_log_bf(c: Component, x: Floats) -> Floats:
    """The log Bayes factor of each value of one variable."""
    codes = _bin(x, c.breaks)
    table = np.append(c.log_bf, c.unknown)
    return table[np.minimum(codes, len(table) - 1)]


@dataclass
class NaiveBayesLinkage:
    """Binned, shrunk naive Bayes (the reference model). `df` effective degrees of freedom per
    variable (> 1), `bins` quantile bins per continuous variable; the reference's vignette uses
    df = 10 and 15 bins. Learned: `components_` by variable name."""

    df: float = 10.0
    bins: int = 15
    name: str = "naive-bayes"
    components_: dict[str, Component] = field(default_factory=dict, init=False, repr=False)

    def fit(self, evidence: Evidence, linked: npt.ArrayLike, weight: npt.ArrayLike) -> Self:
        if not self.df > 1:
            raise ValueError(f"df must be above 1 (1 would shrink every bin flat), not {self.df}")
        if self.bins < 1:
            raise ValueError(f"bins must be at least 1, not {self.bins}")
        y, w = labels(evidence, linked, weight)
        if not (w[y] > 0).any() or not (w[~y] > 0).any():
            raise ValueError("a linkage model needs both linked and unlinked pairs to learn from")
        self.components_ = {
            name: component(name, x, cat, y.astype(np.float64), w, df=self.df, bins=self.bins)
            for name, (x, cat) in _variables(evidence).items()
        }
        return self

    def components(self, evidence: Evidence) -> dict[str, Floats]:
        """Each variable's log Bayes factor for each pair; they sum to `log_bayes_factor`."""
        if not self.components_:
            raise RuntimeError("fit the model before scoring pairs")
        values = _variables(evidence)
        if missing := sorted(set(self.components_) - set(values)):
            raise ValueError(f"the evidence lacks the variables {missing} the model was fitted on")
        return {name: component_log_bf(c, values[name][0]) for name, c in self.components_.items()}

    def log_bayes_factor(self, evidence: Evidence) -> Floats:
        parts = self.components(evidence)
        return np.sum(list(parts.values()), axis=0) if parts else np.zeros(len(evidence))
