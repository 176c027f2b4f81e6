"""Hit rate, PAI and PEI against hand computations; the backtest's JSON against DESIGN.md."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streetlight.evaluate.backtest import BacktestResult, ModelResult, backtest
from streetlight.evaluate.intervals import paired_gain
from streetlight.evaluate.metrics import MonthScore, ranking, score_month, top_k
from streetlight.hotspots.base import EventSet, StudyArea
from streetlight.hotspots.registry import make_model


def test_metrics_by_hand() -> None:
    scores = np.array([5.0, 1.0, 3.0, 3.0, 0.0, 2.0, 0.0, 0.0, 0.0, 0.0])
    actual = np.array([2.0, 4.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 2.0, 0.0])
    result = score_month(scores, actual, [10, 20, 30])
    # 10%: k = 1 -> cell 0 (2 of 10 crimes); best single cell holds 4.
    assert math.isclose(result.hit_rate[10], 0.2) and math.isclose(result.pai[10], 2.0)
    assert math.isclose(result.pei[10], 0.5)
    # 20%: k = 2 -> cells 0 and 2 (tie 2/3 broken by cell order): 3 crimes; best 2 cells: 6.
    assert math.isclose(result.hit_rate[20], 0.3) and math.isclose(result.pai[20], 1.5)
    assert math.isclose(result.pei[20], 0.5)
    # 30%: cells 0, 2, 3 -> 3 crimes; best three: 4 + 2 + 2.
    assert math.isclose(result.pei[30], 3 / 8)
    assert result.crimes == 10


def test_ties_keep_cell_order_and_k_rounds() -> None:
    assert ranking(np.array([1.0, 2.0, 2.0, 1.0])).tolist() == [1, 2, 0, 3]
    assert top_k(4790, 5) == 240 and top_k(4790, 1) == 48 and top_k(10, 1) == 1


def test_a_month_without_crime_scores_nan() -> None:
    result = score_month(np.ones(4), np.zeros(4), [50])
    assert math.isnan(result.pai[50])
    with pytest.raises(ValueError, match="4 cells but actual counts have 3"):
        score_month(np.ones(4), np.zeros(3), [50])


def test_backtest_json_follows_design(sample_events: tuple[EventSet, StudyArea]) -> None:
    events, area = sample_events
    months = [24_300 + 5, 24_300 + 6]  # 2025-06, 2025-07
    result = backtest(
        events,
        area,
        months,
        {"ew-6": lambda: make_model("ew-6"), "last-month": lambda: make_model("last-month")},
    )
    data = result.to_json()
    assert data["cell_size"] == 150.0
    assert data["months"] == ["2025-06", "2025-07"]
    assert data["coverage"] == [1.0, 2.0, 5.0, 10.0]
    assert data["recommended"] in ("ew-6", "last-month")
    entry = data["models"]["ew-6"]
    for metric in ("hit_rate", "pai", "pei"):
        assert set(entry[metric]) == {"1", "2", "5", "10"}
        values = [m[metric]["5"] for m in entry["per_month"]]
        assert math.isclose(entry[metric]["5"], float(np.mean(values)))
        lo, hi = entry["ci95"][metric]["5"]
        assert lo <= entry[metric]["5"] <= hi
    assert [m["month"] for m in entry["per_month"]] == ["2025-06", "2025-07"]


def _result(values: dict[str, list[float]]) -> BacktestResult:
    models = {}
    for name, pais in values.items():
        res = ModelResult()
        res.per_month = [MonthScore({5.0: p / 20}, {5.0: p}, {5.0: 0.5}, 100.0) for p in pais]
        models[name] = res
    months = list(range(len(next(iter(values.values())))))
    return BacktestResult(cell_size=150.0, coverage=[5.0], models=models, months=months)


def test_recommendation_needs_more_than_noise() -> None:
    noisy = _result({"ew-6": [6.0, 6.5, 6.2, 6.8], "gbm": [6.4, 6.1, 6.3, 6.9]})
    assert noisy.recommended() == "ew-6"  # higher mean, but not beyond month-to-month noise
    clear = _result({"ew-6": [6.0, 6.5, 6.2, 6.8], "gbm": [6.6, 7.1, 6.8, 7.4]})
    assert clear.recommended() == "gbm"  # better every month
    assert _result({"kde": [1.0, 2.0], "gbm": [3.0, 4.0]}).recommended() == "gbm"


def test_paired_gain_by_hand_and_its_interval() -> None:
    base = [4.0, 5.0, 6.0, 5.0]
    gain, lo, hi = paired_gain([4.4, 5.5, 6.6, 5.5], base)
    assert gain == pytest.approx(0.10) and lo == pytest.approx(0.10) and hi == pytest.approx(0.10)
    assert paired_gain(base, base) == (0.0, 0.0, 0.0)
    gain, lo, hi = paired_gain([5.0, 4.0, 6.5, float("nan")], [4.0, 5.0, 6.0, 9.0])
    assert gain == pytest.approx(15.5 / 15.0 - 1)  # the NaN pair is skipped
    assert lo < 0 < hi
    assert all(math.isnan(v) for v in paired_gain([1.0], [0.0]))


def test_blocks_resample_whole_days() -> None:
    # Two days of three shifts: within a day the gains agree, between days they differ. Whole
    # days resampled give only three possible means, so the interval's ends are among them.
    a = [2.0, 2.0, 2.0, 1.0, 1.0, 1.0]
    b = [1.0] * 6
    _, lo, hi = paired_gain(a, b, blocks=["d1"] * 3 + ["d2"] * 3)
    assert lo == pytest.approx(0.0) and hi == pytest.approx(1.0)
    _, lo_free, hi_free = paired_gain(a, b)
    assert lo_free > lo and hi_free < hi  # six free draws average out more


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(st.floats(0.0, 20.0), min_size=5, max_size=5),
        min_size=2,
        max_size=5,
    ),
    st.integers(0, 4),
)
def test_the_recommendation_is_never_beaten_by_a_baseline(
    rows: list[list[float]], n_simple: int
) -> None:
    names = ["ew-12", "rolling-12", "same-hours-28d", "recent-hours", "ew-3"][:n_simple]
    names += ["etas", "gbm", "kde", "prospective", "gistar"][: len(rows) - len(names)]
    result = _result({name: row for name, row in zip(names, rows, strict=False)})
    comparison = result.comparison()
    chosen = result.models[comparison.recommended].mean("pai", 5.0)
    simple = [n for n in result.models if n in names[:n_simple]]
    if simple:
        assert comparison.baseline in simple
        assert chosen >= max(result.models[n].mean("pai", 5.0) for n in simple)
        if comparison.recommended != comparison.baseline:
            assert comparison.gains[comparison.recommended].low > 0
    else:
        assert chosen == max(res.mean("pai", 5.0) for res in result.models.values())


def test_harm_pei_by_hand() -> None:
    scores = np.array([3.0, 2.0, 1.0, 0.0])
    actual = np.array([1.0, 1.0, 0.0, 1.0])  # three crimes: a common assault in each of cells 0, 1
    harm = np.array([10.0, 10.0, 0.0, 365.0])  # and a robbery in cell 3
    result = score_month(scores, actual, [25, 50], harm)
    assert result.pei[25] == 1.0  # any one crime is the best one cell can hold, by count
    assert result.harm_pei[25] == pytest.approx(10 / 365)  # but not by harm
    assert result.harm_pei[50] == pytest.approx(20 / 375)
    assert score_month(scores, actual, [25]).harm_pei == {}
