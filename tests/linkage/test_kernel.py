"""The compiled kernel gives the numpy path's evidence and log Bayes factors (brute-force
reference: `evidence.compare` and `LogisticLinkage.log_bayes_factor`), on random tables built to
hit every branch of the closed forms: points and windows (a minute to ten days), windows that
overlap, touch or wrap past midnight and the week's end, unknown MO codes and numeric values.
Small tables: the kernel compiles once per session (then from numba's on-disk cache)."""

from __future__ import annotations

import numpy as np
import pytest

from streetlight.linkage import kernel
from streetlight.linkage.crimes import CrimeTable
from streetlight.linkage.evidence import compare
from streetlight.linkage.models import LinearForm, LogisticLinkage
from streetlight.linkage.naive_bayes import NaiveBayesLinkage
from streetlight.linkage.scoring import score_all, score_pairs

TOLERANCE = 1e-9


def random_table(n: int, seed: int, *, numeric: bool = True) -> CrimeTable:
    rng = np.random.default_rng(seed)
    # Starts bunched on a few days so that windows overlap often; many near midnight.
    day = rng.integers(0, 12, n) * rng.choice([1, 7, 30], n)
    minute = np.where(rng.random(n) < 0.3, rng.integers(1380, 1440, n), rng.integers(0, 1440, n))
    start = np.datetime64("2024-03-01T00:00") + (day * 1440 + minute).astype("timedelta64[m]")
    kind = rng.integers(0, 4, n)
    width = np.choose(
        kind, [np.zeros(n, int), rng.integers(1, 120, n), rng.integers(1, 14_400, n), 1440 * 7]
    )
    # A few windows that end exactly where another starts.
    width[:5] = ((start[5:10] - start[:5]).astype(np.int64)).clip(0)
    return CrimeTable(
        ids=np.array([f"c{k}" for k in range(n)]),
        x=rng.uniform(0, 20_000, n),
        y=rng.uniform(0, 20_000, n),
        t_from=start,
        t_to=start + width.astype("timedelta64[m]"),
        categorical={
            "entry": rng.integers(-1, 3, n).astype(np.int32),
            "tool": rng.integers(-1, 2, n).astype(np.int32),
        },
        levels={"entry": ("door", "window", "roof"), "tool": ("bar", "none")},
        numeric={
            "age": np.where(rng.random(n) < 0.2, np.nan, rng.uniform(15, 60, n)),
            "value": rng.exponential(300, n),
        }
        if numeric
        else {},
    )


def all_pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    i, j = np.triu_indices(n, k=1)
    return i.astype(np.intp), j.astype(np.intp)


@pytest.mark.parametrize("seed", [0, 1])
def test_evidence_is_compare_s(seed: int) -> None:
    crimes = random_table(120, seed)
    i, j = all_pairs(len(crimes))
    fast = kernel.evidence(kernel.KernelTable.of(crimes), i, j)
    slow = compare(crimes, i, j)
    for name in ("spatial", "temporal", "tod", "dow"):
        np.testing.assert_allclose(getattr(fast, name), getattr(slow, name), rtol=0, atol=1e-9)
    for mapping in ("categorical", "numeric"):
        got, want = getattr(fast, mapping), getattr(slow, mapping)
        assert list(got) == list(want)
        for name in want:
            np.testing.assert_allclose(got[name], want[name], rtol=0, atol=TOLERANCE)
    # Both NaN, or the unknown branches and the window branches were all exercised.
    assert np.isnan(slow.categorical["entry"]).any() and np.isnan(slow.numeric["age"]).any()


def fitted_logistic(crimes: CrimeTable, seed: int) -> LogisticLinkage:
    i, j = all_pairs(len(crimes))
    evidence = compare(crimes, i, j)
    # Labels that depend on the evidence, so every weight is non-zero.
    rng = np.random.default_rng(seed)
    linked = (evidence.spatial < 6000) & (rng.random(len(i)) < 0.7)
    return LogisticLinkage().fit(evidence, linked, np.ones(len(i)))


@pytest.mark.parametrize("seed", [0, 3])
def test_linear_scores_are_the_logistic_model_s(seed: int) -> None:
    crimes = random_table(150, seed)
    model = fitted_logistic(crimes, seed)
    table = kernel.KernelTable.of(crimes)
    form = model.linear_form()
    weights = table.weights(form)
    assert weights is not None
    i, j = all_pairs(len(crimes))
    got = kernel.linear_scores(table, weights, form.intercept, i, j)
    want = model.log_bayes_factor(compare(crimes, i, j))
    assert np.abs(got - want).max() < TOLERANCE


def test_pairs_that_cannot_reach_keep_above_are_skipped_but_the_same_pairs_are_kept() -> None:
    # No numeric columns: a positive weight on a difference would leave nothing to bound.
    crimes = random_table(150, 7, numeric=False)
    model = fitted_logistic(crimes, 7)
    table = kernel.KernelTable.of(crimes)
    form = model.linear_form()
    weights = table.weights(form)
    assert weights is not None
    i, j = all_pairs(len(crimes))
    full = kernel.linear_scores(table, weights, form.intercept, i, j)
    cut = float(np.quantile(full, 0.8))
    bounded = kernel.linear_scores(table, weights, form.intercept, i, j, keep_above=cut)
    np.testing.assert_array_equal(bounded > cut, full > cut)
    np.testing.assert_array_equal(bounded[full > cut], full[full > cut])
    skipped = bounded != full
    assert skipped.any() and (bounded[skipped] == -np.inf).all()


def test_a_form_of_other_features_is_refused() -> None:
    table = kernel.KernelTable.of(random_table(10, 0))
    names = table.feature_names()
    assert table.weights(LinearForm(names, np.ones(len(names)), 0.0)) is not None
    assert table.weights(LinearForm(names[:-1], np.ones(len(names) - 1), 0.0)) is None


@pytest.mark.parametrize("max_metres", [None, 7000.0])
@pytest.mark.parametrize("keep_above", [None, 0.5])
def test_score_all_compiled_is_score_all_numpy(
    max_metres: float | None, keep_above: float | None
) -> None:
    crimes = random_table(160, 5)
    model = fitted_logistic(crimes, 5)
    fast = score_all(
        crimes, model, max_days=40, max_metres=max_metres, keep_above=keep_above, chunk_pairs=900,
        workers=2,
    )  # fmt: skip
    slow = score_all(
        crimes, model, max_days=40, max_metres=max_metres, keep_above=keep_above, chunk_pairs=900,
        numpy=True,
    )  # fmt: skip
    assert len(slow) > 0
    np.testing.assert_array_equal(fast.i, slow.i)
    np.testing.assert_array_equal(fast.j, slow.j)
    assert np.abs(fast.log_bf - slow.log_bf).max() < TOLERANCE


def test_score_pairs_uses_the_kernel_for_linear_models_and_numpy_for_others() -> None:
    crimes = random_table(80, 6)
    i, j = all_pairs(len(crimes))
    logistic = fitted_logistic(crimes, 6)
    evidence = compare(crimes, i, j)
    bayes = NaiveBayesLinkage().fit(evidence, evidence.spatial < 6000, np.ones(len(i)))
    for model in (logistic, bayes):
        ((a, b, bf),) = score_pairs(crimes, model, [(i, j)])
        np.testing.assert_array_equal(a, i)
        np.testing.assert_array_equal(b, j)
        assert np.abs(bf - model.log_bayes_factor(evidence)).max() < TOLERANCE


def test_two_threads_may_score_at_once() -> None:
    # A web app's request threads: kernels launch one at a time, whatever numba's threading layer.
    from concurrent.futures import ThreadPoolExecutor

    crimes = random_table(60, 8, numeric=False)
    model = fitted_logistic(crimes, 8)
    alone = score_all(crimes, model, max_days=40).log_bf
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda _: score_all(crimes, model, max_days=40).log_bf, range(4)))
    for answer in answers:
        np.testing.assert_array_equal(answer, alone)
    assert len(all_pairs(len(crimes))[0]) > len(alone) > 0
