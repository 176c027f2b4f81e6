"""The reference protocol for evaluating linkage models (crimelinkage vignette; Porter 2016),
seed by seed, every model on the same pairs.

For each seed:

1. the linked and unlinked pairs (`pairs.make_pairs(seed)`: linked within 365 days weighted 1/N
   per series, unlinked from different connected components of the offender graph, m = 40);
2. a 70/30 split of the pairs, each pair to training with probability 0.7 (the vignette's
   `sample(c(TRUE, FALSE), n, replace = TRUE, prob = c(.7, .3))`), drawn with the seed;
3. every model fitted on the training pairs and scored on the test pairs (`metrics`);
4. series identification of held-out crimes (`holdout`): every model fitted again on the training
   pairs that involve no held-out crime, then top-1/5/20 for single, average and complete link
   (a model with chains through third crimes ranks series by its base model's factors).

The result is plain data (`Evaluation.to_dict` is JSON). Published figures for the crimelinkage
data are in `PUBLISHED` to print beside ours.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from streetlight.linkage.boosted import BoostedLinkage
from streetlight.linkage.crimes import CrimeTable, LinkageFileError, Offenders
from streetlight.linkage.ensemble import context_ensemble
from streetlight.linkage.evidence import Evidence, compare
from streetlight.linkage.holdout import comparisons, held_out_ranks, hold_out, touches
from streetlight.linkage.identify import LINKS
from streetlight.linkage.metrics import TOP, PairMetrics, pair_metrics, top_k_share
from streetlight.linkage.models import LinkageModel, LogisticLinkage
from streetlight.linkage.naive_bayes import NaiveBayesLinkage
from streetlight.linkage.pairs import make_pairs, midpoint_days, series
from streetlight.linkage.transitive import MAX_CRIMES, TransitiveLinkage, context_transitive
from streetlight.progress import Progress, no_progress

TRAIN_SHARE = 0.7
SERIES_TOP = (1, 5, 20)
# The precision curve is kept for the top this many test pairs (the vignette plots 0..1000).
CURVE_LENGTH = 1000

# Published on the crimelinkage data: test AUC (vignette protocol, one split; as reproduced by
# the Python port crimeserieslinkage 1.1.0) and series identification of held-out crimes.
PUBLISHED: dict[str, Any] = {
    "auc": {"naive-bayes": 0.914, "logistic": 0.933, "boosted": 0.956},
    "series_top": {1: 0.35, 5: 0.65, 20: 0.75},
}


class NotEnoughPairsError(LinkageFileError):
    """The offenders file gives too few linked (or unlinked) pairs among the table's crimes."""


ModelFactory = Callable[[CrimeTable], Sequence[LinkageModel]]


def default_models(crimes: CrimeTable) -> list[LinkageModel]:
    """The reference's three models and ours, unfitted: naive Bayes (`NaiveBayesLinkage`, the
    vignette's df = 10, 15 quantile bins), logistic (`LogisticLinkage`, standing in for the
    vignette's stepwise logistic), boosted trees (`BoostedLinkage`, the vignette's gbm settings)
    and ours: `ensemble.context_ensemble`, and the same with evidence through third crimes
    (`transitive.context_transitive`) for tables of up to `transitive.MAX_CRIMES` crimes."""
    models: list[LinkageModel] = [
        NaiveBayesLinkage(),
        LogisticLinkage(),
        BoostedLinkage(),
        context_ensemble(crimes),
    ]
    if len(crimes) <= MAX_CRIMES:
        models.append(context_transitive(crimes))
    return models


@dataclass(frozen=True)
class SeriesMetrics:
    """Series identification by one model and link: `top[k]` the share of the `found` held-out
    crimes whose offender is ranked within the top k (of `held_out` held out)."""

    link: str
    held_out: int
    found: int
    top: dict[int, float]


@dataclass(frozen=True)
class ModelResult:
    model: str
    pairs: PairMetrics
    series: tuple[SeriesMetrics, ...]

    def series_link(self, link: str) -> SeriesMetrics:
        return next(s for s in self.series if s.link == link)


@dataclass(frozen=True)
class SeedResult:
    """One seed's pairs (`linked` of `pairs`), split (`train`, `test`, `test_linked`) and each
    model's results."""

    seed: int
    pairs: int
    linked: int
    train: int
    test: int
    test_linked: int
    models: tuple[ModelResult, ...]

    def model(self, name: str) -> ModelResult:
        return next(m for m in self.models if m.model == name)


@dataclass(frozen=True)
class Evaluation:
    seeds: tuple[SeedResult, ...]

    @property
    def model_names(self) -> tuple[str, ...]:
        return tuple(m.model for m in self.seeds[0].models) if self.seeds else ()

    def mean(self, model: str, metric: Callable[[ModelResult], float]) -> float:
        """The mean over seeds of `metric` of `model`'s results."""
        return float(np.mean([metric(s.model(model)) for s in self.seeds]))

    def _means(self, name: str) -> dict[str, Any]:
        runs = [s.model(name) for s in self.seeds]

        def mean(values: list[float]) -> float:
            return float(np.mean(values))

        return {
            "auc": mean([r.pairs.auc for r in runs]),
            "auc_weighted": mean([r.pairs.auc_weighted for r in runs]),
            "pr_auc": mean([r.pairs.pr_auc for r in runs]),
            "precision_at": {str(k): mean([r.pairs.precision_at[k] for r in runs]) for k in TOP},
            "series_top": {
                link: {str(k): mean([r.series_link(link).top[k] for r in runs]) for k in SERIES_TOP}
                for link in LINKS
            },
        }

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: per seed and model every figure and the curves, then means."""
        means = {name: self._means(name) for name in self.model_names}
        return {
            "protocol": {
                "pairs": "crimelinkage makePairs: linked within 365 days (weight 1/N per series),"
                " unlinked m=40 per crime group",
                "split": f"each pair to training with probability {TRAIN_SHARE}",
                "auc": "unweighted (as the reference's getROC); auc_weighted uses pair weights",
                "series": "held-out crimes ranked against the offenders of the other solved"
                " crimes within 365 days; models refitted without the held-out crimes' pairs",
            },
            "published": {
                "auc": PUBLISHED["auc"],
                "series_top": {str(k): v for k, v in PUBLISHED["series_top"].items()},
            },
            "seeds": [_seed_dict(s) for s in self.seeds],
            "mean": means,
        }


def _seed_dict(s: SeedResult) -> dict[str, Any]:
    return {
        "seed": s.seed,
        "pairs": s.pairs,
        "linked": s.linked,
        "train": s.train,
        "test": s.test,
        "test_linked": s.test_linked,
        "models": {
            m.model: {
                "auc": m.pairs.auc,
                "auc_weighted": m.pairs.auc_weighted,
                "pr_auc": m.pairs.pr_auc,
                "precision_at": {str(k): v for k, v in m.pairs.precision_at.items()},
                "series": {
                    x.link: {
                        "held_out": x.held_out,
                        "found": x.found,
                        "top": {str(k): v for k, v in x.top.items()},
                    }
                    for x in m.series
                },
                "roc": {"fpr": _rounded(m.pairs.roc_fpr), "tpr": _rounded(m.pairs.roc_tpr)},
                "precision_curve": _rounded(m.pairs.precision_curve[:CURVE_LENGTH]),
            }
            for m in s.models
        },
    }


def _rounded(values: Sequence[float]) -> list[float]:
    """Curve points to 5 decimals: enough to draw, a fifth of the file."""
    return [round(v, 5) for v in values]


def split(n: int, *, seed: int) -> np.ndarray:
    """Training mask: each of `n` pairs with probability 0.7, from the seed's own stream."""
    return np.random.default_rng([seed, 1]).random(n) < TRAIN_SHARE


def evaluate_seed(
    crimes: CrimeTable,
    offenders: Offenders,
    *,
    seed: int,
    models: ModelFactory = default_models,
    held_out_share: float = 0.3,
    threshold_days: float = 365.0,
    m: int = 40,
) -> SeedResult:
    """The protocol for one seed (see the module's description)."""
    s = series(crimes, offenders)
    pairs = make_pairs(crimes, offenders, seed=seed, m=m, threshold_days=threshold_days)
    evidence = compare(crimes, pairs.i, pairs.j)
    train = split(len(pairs), seed=seed)
    test = ~train
    for part, rows in (("training", train), ("test", test)):
        linked = int(pairs.linked[rows].sum())
        if linked < 2 or linked == int(rows.sum()):
            raise NotEnoughPairsError(
                f"seed {seed}: the {part} pairs hold {linked} linked of {int(rows.sum())}; the"
                " offenders file needs more crimes of the table by one offender within"
                f" {threshold_days:g} days (and crimes by different offenders) to evaluate on"
            )
    held = hold_out(pairs, seed=seed, share=held_out_share)
    fit_series = train & ~touches(pairs.i, pairs.j, held)
    comp = comparisons(midpoint_days(crimes), s, held, threshold_days=threshold_days)
    comp_evidence = compare(crimes, comp.i, comp.j)
    results = []
    for model, again in zip(models(crimes), models(crimes), strict=True):
        scored = _fit(model, evidence, pairs.linked, pairs.weight, train)
        metrics = pair_metrics(
            scored.log_bayes_factor(evidence.take(test)), pairs.linked[test], pairs.weight[test]
        )
        # Chains through third crimes are for pairs; a known offender's series ranks on the
        # pairwise factors of its own crimes (`TransitiveLinkage.series_model`).
        if isinstance(again, TransitiveLinkage):
            again = again.series_model()
        refit = _fit(again, evidence, pairs.linked, pairs.weight, fit_series)
        bf = refit.log_bayes_factor(comp_evidence)
        per_link = []
        for link in LINKS:
            ranks = held_out_ranks(bf, comp, s, held, link=link)
            per_link.append(
                SeriesMetrics(
                    link=link,
                    held_out=ranks.held_out,
                    found=len(ranks.rank),
                    top={k: top_k_share(ranks.rank, k) for k in SERIES_TOP},
                )
            )
        results.append(ModelResult(model.name, metrics, tuple(per_link)))
    return SeedResult(
        seed=seed,
        pairs=len(pairs),
        linked=int(pairs.linked.sum()),
        train=int(train.sum()),
        test=int(test.sum()),
        test_linked=int(pairs.linked[test].sum()),
        models=tuple(results),
    )


def _fit(
    model: LinkageModel,
    evidence: Evidence,
    linked: np.ndarray,
    weight: np.ndarray,
    rows: np.ndarray,
) -> LinkageModel:
    return model.fit(evidence.take(rows), linked[rows], weight[rows])


def evaluate(
    crimes: CrimeTable,
    offenders: Offenders,
    *,
    seeds: Sequence[int],
    models: ModelFactory = default_models,
    progress: Progress = no_progress,
) -> Evaluation:
    """The protocol for each seed; the same seed gives the same figures."""
    if not seeds:
        raise ValueError("give at least one seed")
    return Evaluation(
        tuple(
            evaluate_seed(crimes, offenders, seed=seed, models=models)
            for seed in progress(list(seeds), len(seeds))
        )
    )
