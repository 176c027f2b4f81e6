"""The reference naive Bayes: components with a known answer on constructed evidence."""

from __future__ import annotations

import numpy as np
import pytest

from streetlight.linkage.naive_bayes import NaiveBayesLinkage, quantile_breaks, shrunk_shares
from tests.linkage.synthetic import evidence


def _same_different() -> tuple[np.ndarray, np.ndarray]:
    """Linked: 8 same, 2 different; unlinked: 2 same, 8 different; two unknown of each."""
    match = np.array([1.0] * 8 + [0.0] * 2 + [np.nan] * 2 + [1.0] * 2 + [0.0] * 8 + [np.nan] * 2)
    linked = np.array([True] * 12 + [False] * 12)
    return match, linked


def test_a_categorical_component_is_the_ratio_of_shares_when_not_shrunk() -> None:
    match, linked = _same_different()
    ev = evidence(categorical={"entry": match})
    nb = NaiveBayesLinkage(df=10.0).fit(ev, linked, np.ones(len(linked)))
    parts = nb.components(ev)["entry"]
    # 3 bins (same, different, unknown) and df >= 3: the raw shares, 8/12 over 2/12 and so on.
    assert parts[0] == pytest.approx(np.log(4.0))
    assert parts[8] == pytest.approx(np.log(0.25))
    assert parts[10] == pytest.approx(0.0)  # unknown equally often in both classes
    # The spatial column is all zeros: one bin, no evidence.
    assert np.allclose(nb.components(ev)["spatial"], 0.0)


def test_shrinkage_gives_the_asked_degrees_of_freedom_and_flattens_towards_one() -> None:
    counts = np.array([10.0, 3.0, 0.0, 7.0])
    for df in (1.5, 2.0, 3.0):
        shares = shrunk_shares(counts, df)
        k, n = len(counts), counts.sum()
        a = shares[2] * n / (1 - k * shares[2])  # the empty bin's share is a / (n + k a)
        assert k * (n + a) / (n + k * a) == pytest.approx(df)
        assert shares.sum() == pytest.approx(1.0)
    match, linked = _same_different()
    ev = evidence(categorical={"entry": match})
    almost_flat = NaiveBayesLinkage(df=1.0001).fit(ev, linked, np.ones(len(linked)))
    assert np.abs(almost_flat.log_bayes_factor(ev)).max() < 1e-3


def test_the_factors_do_not_depend_on_how_many_unlinked_pairs_were_sampled() -> None:
    rng = np.random.default_rng(0)
    linked = rng.random(400) < 0.2
    spatial = np.where(linked, rng.exponential(500, 400), rng.uniform(0, 20_000, 400))
    match = np.where(rng.random(400) < np.where(linked, 0.8, 0.3), 1.0, 0.0)
    ev = evidence(spatial=spatial, categorical={"entry": match})
    weight = rng.uniform(0.2, 1.0, 400)
    once = NaiveBayesLinkage().fit(ev, linked, weight).log_bayes_factor(ev)
    thrice = NaiveBayesLinkage().fit(ev, linked, np.where(linked, weight, 3 * weight))
    assert np.allclose(thrice.log_bayes_factor(ev), once)
    # Near pairs are evidence for, far ones against; components add up to the score.
    nb = NaiveBayesLinkage().fit(ev, linked, weight)
    parts = nb.components(ev)
    assert np.allclose(sum(parts.values()), once)
    assert (
        parts["spatial"][spatial < 200].mean() > 1.0 > 0 > parts["spatial"][spatial > 5000].mean()
    )


def test_bins_are_quantiles_and_values_beyond_read_as_the_end_bins() -> None:
    x = np.arange(100, dtype=np.float64)
    assert quantile_breaks(x, 4).tolist() == [0.0, 24.75, 49.5, 74.25, 99.0]
    assert quantile_breaks(np.array([1.0, 1.0, np.nan]), 5).tolist() == [1.0]
    linked = x < 25
    nb = NaiveBayesLinkage(bins=4).fit(evidence(spatial=x), linked, np.ones(100))
    far = nb.log_bayes_factor(evidence(spatial=[-5.0, 0.0, 99.0, 1e6]))
    assert far[0] == far[1] > 0 > far[2] == far[3]


def test_it_refuses_what_it_cannot_fit() -> None:
    match, linked = _same_different()
    ev = evidence(categorical={"entry": match})
    with pytest.raises(RuntimeError, match="fit"):
        NaiveBayesLinkage().log_bayes_factor(ev)
    with pytest.raises(ValueError, match="df"):
        NaiveBayesLinkage(df=1.0).fit(ev, linked, np.ones(len(linked)))
    with pytest.raises(ValueError, match="both linked and unlinked"):
        NaiveBayesLinkage().fit(ev, np.ones(len(linked), bool), np.ones(len(linked)))
