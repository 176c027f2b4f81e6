"""Boosted trees, the crime context and the default ensemble, on tables whose answer is known by
construction."""

from __future__ import annotations

import numpy as np
import pytest

from streetlight.linkage.boosted import Binning, BoostedLinkage, ContextBoostedLinkage
from streetlight.linkage.context import FEATURES, CrimeContext, context_features
from streetlight.linkage.crimes import CrimeTable
from streetlight.linkage.ensemble import ContextLogisticLinkage, EnsembleLinkage, context_ensemble
from streetlight.linkage.evidence import Evidence, compare
from streetlight.linkage.models import LinkageModel
from tests.linkage.synthetic import offender_crimes


def _training(seed: int) -> tuple[CrimeTable, Evidence, np.ndarray]:
    crimes, who = offender_crimes(300, seed=seed)
    rng = np.random.default_rng(seed + 1)
    i, j = rng.integers(0, 300, 3000), rng.integers(0, 300, 3000)
    same = np.arange(300).reshape(-1, 5)
    i = np.concatenate([same[:, 0].repeat(4), i])
    j = np.concatenate([same[:, 1:].ravel(), j])
    keep = i != j
    linked = who[i[keep]] == who[j[keep]]
    return crimes, compare(crimes, i[keep], j[keep]), linked


@pytest.mark.parametrize("make", ["boosted", "context-boosted", "context-logistic", "ensemble"])
def test_linked_pairs_score_above_unlinked_and_the_sampling_prior_is_taken_away(make: str) -> None:
    crimes, ev, linked = _training(1)

    def model() -> LinkageModel:
        context = CrimeContext.of(crimes)
        if make == "boosted":
            return BoostedLinkage(max_iter=100, learning_rate=0.1)
        if make == "context-boosted":
            return ContextBoostedLinkage(context=context, max_iter=100)
        if make == "context-logistic":
            return ContextLogisticLinkage(context=context)
        return context_ensemble(crimes)

    weight = np.ones(len(linked))
    score = model().fit(ev, linked, weight).log_bayes_factor(ev)
    assert score[linked].mean() > score[~linked].mean() + 4
    assert np.median(score[linked]) > 0 > np.median(score[~linked])
    if make in ("context-logistic", "ensemble"):
        return  # penalised logistic on nearly separable pairs: the penalty's pull depends on it
    # Three times the unlinked weight: the prior changes, the factors keep their meaning.
    thrice = model().fit(ev, linked, np.where(linked, 1.0, 3.0)).log_bayes_factor(ev)
    assert np.median(thrice - score) == pytest.approx(0.0, abs=0.4)


def test_boosted_models_are_repeatable_and_refuse_to_score_unfitted() -> None:
    crimes, ev, linked = _training(2)
    weight = np.ones(len(linked))
    a = ContextBoostedLinkage(context=CrimeContext.of(crimes), max_iter=50).fit(ev, linked, weight)
    b = ContextBoostedLinkage(context=CrimeContext.of(crimes), max_iter=50).fit(ev, linked, weight)
    assert np.array_equal(a.log_bayes_factor(ev), b.log_bayes_factor(ev))
    with pytest.raises(RuntimeError, match="fit"):
        BoostedLinkage().log_bayes_factor(ev)
    with pytest.raises(ValueError, match="one entry per pair"):
        BoostedLinkage().fit(ev, linked[:-1], weight[:-1])


def test_context_ranks_and_density_on_a_line_of_crimes() -> None:
    # Ten crimes on a line 100 m apart, the same day, then one 10 km away a year later.
    n = 11
    x = np.r_[np.arange(10) * 100.0, 10_000.0]
    t = np.datetime64("2024-01-01T12:00") + np.r_[np.zeros(10), 365].astype("timedelta64[D]")
    crimes = CrimeTable(
        ids=np.array([f"c{k}" for k in range(n)]), x=x, y=np.zeros(n), t_from=t, t_to=t
    )
    ctx = CrimeContext.of(crimes, neighbours=1)
    assert ctx.spacing.tolist() == [100.0] * 10 + [9100.0]
    f = context_features(ctx, [0, 0, 4], [1, 5, 10])
    spatial_rank = f[:, FEATURES.index("spatial_rank")]
    joint_min = f[:, FEATURES.index("joint_rank_min")]
    # 0 and 1 are each other's nearest; from 0, crimes 1..4 are nearer than 5 (from 5: 8);
    # from 10 km away, 5..9 are nearer than 4 is.
    assert spatial_rank.tolist() == pytest.approx(np.log1p([0, 4, 5]).tolist())
    assert joint_min[0] == 0.0
    # Symmetric in the two crimes, and unchanged by moving every crime the same way.
    assert np.allclose(context_features(ctx, [1, 5, 10], [0, 0, 4]), f)
    moved = CrimeTable(**{**crimes.__dict__, "x": x + 5_000.0, "y": np.full(n, -300.0)})
    assert np.allclose(
        context_features(CrimeContext.of(moved, neighbours=1), [0, 0, 4], [1, 5, 10]), f
    )
    with pytest.raises(ValueError, match="outside"):
        context_features(ctx, [0], [11])


def test_an_ensemble_is_the_mean_of_its_members() -> None:
    crimes, ev, linked = _training(3)
    context = CrimeContext.of(crimes)
    members = (
        ContextLogisticLinkage(context=context),
        ContextLogisticLinkage(context=context, c=0.01),
    )
    ens = EnsembleLinkage(members=members).fit(ev, linked, np.ones(len(linked)))
    expected = (members[0].log_bayes_factor(ev) + members[1].log_bayes_factor(ev)) / 2
    assert np.allclose(ens.log_bayes_factor(ev), expected)
    with pytest.raises(RuntimeError, match="fit"):
        EnsembleLinkage(members=members).log_bayes_factor(ev)


def test_binning_keeps_order_and_unknowns_and_drops_columns_never_known() -> None:
    rng = np.random.default_rng(4)
    x = np.column_stack([rng.normal(size=1000), np.full(1000, np.nan), rng.integers(0, 3, 1000)])
    x[::7, 0] = np.nan
    binning = Binning.of(x, bins=16)
    out = binning.apply(x)
    assert out.shape == (1000, 2)
    assert np.array_equal(np.isnan(out[:, 0]), np.isnan(x[:, 0]))
    known = ~np.isnan(x[:, 0])
    order = np.argsort(x[known, 0])
    assert (np.diff(out[known, 0][order]) >= 0).all() and len(np.unique(out[known, 0])) == 16
    assert len(np.unique(out[:, 1])) == 3  # few distinct values: each its own bin
