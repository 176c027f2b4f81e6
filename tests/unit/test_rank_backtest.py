"""The rankings' backtest on a handful of allegations worked out by hand (shares of follow-up
harm and offences, repeat victimisation, what no list sees), the random list's seed, the block
bootstrap, the leakage check (and that it catches a ranking that looks ahead), and a quick run on
a small synthetic force written out as JSON and Markdown."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Self

import numpy as np
import polars as pl
import pytest

from streetlight.unit.errors import RankingError
from streetlight.unit.rank_backtest import (
    _block_draws,
    add_months,
    backtest,
    block_mean_interval,
    leakage_check,
    month_starts,
    paired_block_gain,
    random_list,
)
from streetlight.unit.rank_backtest_report import SYNTHETIC_BANNER, write_backtest
from streetlight.unit.ranking import Ranking
from streetlight.unit.synthetic import SyntheticConfig, generate

RAPE, SEXUAL_ASSAULT, HARASSMENT = 2555.0, 182.25, 10.0

# (offence, code, reported at (London; GMT in winter), suspects, victims)
Row = tuple[str, str, str, list[str], list[str]]
ROWS: list[Row] = [
    # The ranking year for the refresh of January 2025: 2024.
    ("H0", "8L", "2023-12-31 23:59:59", ["D"], ["V9"]),  # a second too old: D is not ranked
    ("H1", "19C", "2024-06-01 10:00:00", ["A"], ["V1"]),
    ("H2", "20A", "2024-07-01 10:00:00", ["B"], ["V2"]),
    ("H3", "8L", "2024-08-01 10:00:00", ["B"], ["V3"]),
    ("H4", "8L", "2024-09-01 10:00:00", ["C"], ["V4"]),
    # The follow-up: 2025.
    ("F1", "20A", "2025-02-01 10:00:00", ["A"], ["V5"]),
    ("F2", "19C", "2025-03-01 10:00:00", ["C", "A"], ["V4"]),  # V4 again; A and C together
    ("F3", "8L", "2025-04-01 10:00:00", [], ["V1"]),  # no named suspect; V1 again
    ("F4", "20A", "2025-05-01 10:00:00", ["E", "D"], ["V6"]),  # ranked by no method
    ("F5", "8L", "2026-01-01 00:00:00", ["B"], ["V2"]),  # after the follow-up
]
FOLLOW_HARM = SEXUAL_ASSAULT + RAPE + HARASSMENT + SEXUAL_ASSAULT
DATA_END = datetime(2026, 1, 1, tzinfo=UTC)


def _frames(rows: list[Row]) -> tuple[pl.DataFrame, pl.DataFrame]:
    offences = pl.DataFrame(
        {
            "offence_ref": [r[0] for r in rows],
            "ho_code": [r[1] for r in rows],
            "vawg": [True for _ in rows],
            "reported_at": [datetime.fromisoformat(r[2]) for r in rows],
            "relationship": ["stranger" for _ in rows],
        }
    )
    links = pl.DataFrame(
        [(s, r[0], "suspect") for r in rows for s in r[3]]
        + [(v, r[0], "victim") for r in rows for v in r[4]],
        schema=["person_ref", "offence_ref", "role"],
        orient="row",
    )
    return offences, links


OFFENCES, LINKS = _frames(ROWS)


def _january(top: int = 1) -> dict[str, tuple[int, float, float, int, int]]:
    result = backtest(
        OFFENCES, LINKS, first=date(2025, 1, 1), last=date(2025, 1, 31), top=top,
        data_end=DATA_END,
    )  # fmt: skip
    assert result.leak_free
    (refresh,) = result.refreshes
    assert (refresh.month, refresh.as_of, refresh.eligible) == ("2025-01", "2024-12-31", 3)
    assert dict(refresh.k) == {"top": top, "share": 1}  # 1% of 3, rounded up
    assert (refresh.harm, refresh.offences) == (FOLLOW_HARM, 4)
    return {
        name: (o.size, o.harm, o.offence_share, o.known_victims, o.repeat_victims)
        for name, lists in refresh.outcomes.items()
        for o in [lists["top"]]
    }


def test_shares_and_repeat_victimisation_by_hand() -> None:
    got = _january(top=1)
    # v100: A (rape, 2,555). Follow-up: F1 and F2 name A (F2 with C); A's victim V1 is again a
    # victim (F3, no suspect named): 1 of 1.
    assert got["v100"] == (1, SEXUAL_ASSAULT + RAPE, 2 / 3, 1, 1)
    # count: B (two allegations): nothing in the follow-up (F5 is after it); V2, V3 not again.
    assert got["count"] == (1, 0.0, 0.0, 2, 0)
    # recent: C (September): F2; V4 again.
    assert got["recent"] == (1, RAPE, 1 / 3, 1, 1)
    # rfgv: no domestic abuse, so no one ranked and an empty list.
    assert got["rfgv"] == (0, 0.0, 0.0, 0, 0)
    assert got["random"][0] == 1


def test_a_whole_list_and_what_no_list_sees() -> None:
    result = backtest(
        OFFENCES, LINKS, first=date(2025, 1, 1), last=date(2025, 1, 1), top=10, data_end=DATA_END
    )
    (refresh,) = result.refreshes
    v100 = refresh.outcomes["v100"]["top"]
    assert v100.size == 3  # A, B and C: everyone eligible
    assert v100.harm_share == pytest.approx((SEXUAL_ASSAULT + RAPE) / FOLLOW_HARM)
    assert (v100.known_victims, v100.repeat_victims, v100.repeat_rate) == (4, 2, 0.5)
    assert math.isnan(refresh.outcomes["rfgv"]["top"].repeat_rate)  # no known victims
    # F3 names no suspect; F4's suspects (E, and D whose allegation is a second too old) were
    # ranked by no method.
    assert refresh.unseen.unnamed_share == pytest.approx(HARASSMENT / FOLLOW_HARM)
    assert refresh.unseen.unranked_share == pytest.approx(SEXUAL_ASSAULT / FOLLOW_HARM)
    assert refresh.unseen.share + v100.harm_share == pytest.approx(1.0)
    json.dumps(result.to_json(), allow_nan=False)


def test_a_follow_up_past_the_records_is_refused() -> None:
    expected = (
        r"to 2025-02: its follow-up of 12 months runs to 2026-01-31, past the records' last "
        r"report \(2026-01-01\): end the range at 2025-01 or earlier"
    )
    with pytest.raises(RankingError, match=expected):
        backtest(OFFENCES, LINKS, first=date(2025, 1, 1), last=date(2025, 2, 1))
    with pytest.raises(RankingError, match="methods: v200"):
        backtest(OFFENCES, LINKS, first=date(2025, 1, 1), last=date(2025, 1, 1), methods=["v200"])


def test_months() -> None:
    assert month_starts(date(2024, 11, 5), date(2025, 2, 1)) == [
        date(2024, 11, 1), date(2024, 12, 1), date(2025, 1, 1), date(2025, 2, 1),
    ]  # fmt: skip
    assert add_months(date(2024, 12, 31), 12) == date(2025, 12, 1)
    with pytest.raises(RankingError):
        month_starts(date(2025, 2, 1), date(2025, 1, 1))


def test_the_random_list_is_the_seeds() -> None:
    people = [f"P{i:03d}" for i in range(200)]
    first = random_list(people, 20, 7, date(2025, 1, 1))
    assert first == random_list(list(reversed(people)), 20, 7, date(2025, 1, 1))
    assert len(set(first)) == 20 and set(first) <= set(people)
    assert first != random_list(people, 20, 8, date(2025, 1, 1))
    assert first != random_list(people, 20, 7, date(2025, 2, 1))
    assert sorted(random_list(people[:5], 20, 7, date(2025, 1, 1))) == people[:5]


def test_the_block_bootstrap() -> None:
    draws = _block_draws(24, 12, 500, 3)
    assert draws.shape == (500, 24) and draws.min() >= 0 and draws.max() <= 23
    assert np.unique(draws.mean(axis=1)).size > 1  # resamples differ
    # Runs of 12 consecutive months, wrapping round.
    assert np.all((np.diff(draws[:, :12], axis=1) % 24) == 1)
    assert np.array_equal(draws, _block_draws(24, 12, 500, 3))
    assert _block_draws(6, 12, 10, 0).shape == (10, 6)
    assert np.all((np.diff(_block_draws(6, 12, 10, 0)[:, :3], axis=1) % 6) == 1)  # blocks of 3
    b = np.linspace(0.1, 0.3, 24)
    assert paired_block_gain(2 * b, b, 12) == pytest.approx((1.0, 1.0, 1.0))
    assert paired_block_gain(b, b, 12) == pytest.approx((0.0, 0.0, 0.0))
    assert all(math.isnan(v) for v in paired_block_gain(b, 0 * b, 12))
    mean, low, high = block_mean_interval(b, 12, seed=1)
    assert mean == pytest.approx(0.2) and low < mean < high
    assert block_mean_interval(b, 12, seed=1) == (mean, low, high)
    assert block_mean_interval([0.5], 12) == (0.5, 0.5, 0.5)


class _LooksAhead(Ranking):
    """A broken ranking that reads a year past its date: what the leakage check must catch."""

    def fit(self, offences: pl.DataFrame, links: pl.DataFrame, *, as_of: date | datetime) -> Self:
        assert isinstance(as_of, date)
        return super().fit(offences, links, as_of=add_months(as_of, 12))


def test_the_leakage_check_passes_the_rankings_and_catches_a_look_ahead() -> None:
    for method in ("v100", "count", "recent", "rfgv"):
        leak = leakage_check(Ranking(method=method), OFFENCES, LINKS, as_of=date(2024, 12, 31))
        assert leak.identical and leak.month == "2024-12"
    leak = leakage_check(_LooksAhead(method="v100"), OFFENCES, LINKS, as_of=date(2024, 12, 31))
    assert not leak.identical


def test_a_small_synthetic_force(tmp_path: Path) -> None:
    config = SyntheticConfig(start=date(2023, 1, 1), years=3, perpetrators_per_year=800.0)
    force = generate(config, 5)
    result = backtest(
        force.offences, force.links, first=date(2024, 1, 1), last=date(2024, 3, 1), top=20,
        seed=5, data_end=datetime(2026, 1, 1, tzinfo=UTC), synthetic=True,
    )  # fmt: skip
    assert result.leak_free and len(result.leakage) == 3 * 4
    for refresh in result.refreshes:
        for lists in refresh.outcomes.values():
            for o in lists.values():
                assert 0.0 <= o.harm_share <= 1.0 and 0.0 <= o.offence_share <= 1.0
        assert 0.0 < refresh.unseen.share < 1.0
    v100 = result.summary("v100", "top", "harm_share")
    assert v100.mean > result.summary("random", "top", "harm_share").mean
    assert [g.baseline for g in result.gains() if g.method == "v100"] == [
        "count", "recent", "random",
    ]  # fmt: skip
    again = backtest(
        force.offences, force.links, first=date(2024, 1, 1), last=date(2024, 3, 1), top=20,
        seed=5, data_end=datetime(2026, 1, 1, tzinfo=UTC), synthetic=True,
    )  # fmt: skip
    assert again == result
    data, report = write_backtest(replace(result), tmp_path / "out")
    loaded = json.loads(data.read_text(encoding="utf-8"))
    assert loaded["synthetic"] is True and loaded["leakage"]["leak_free"] is True
    assert loaded["months"] == ["2024-01", "2024-02", "2024-03"]
    text = report.read_text(encoding="utf-8")
    assert SYNTHETIC_BANNER in text and "cannot see first-time suspects" in text
    assert (tmp_path / "out" / "harm-share-by-month.png").stat().st_size > 0
    assert (tmp_path / "out" / "harm-share-by-list.png").stat().st_size > 0
    people = set(force.links["person_ref"].to_list())
    assert not any(p in text for p in people)


def test_a_year_with_nothing_to_follow_writes_valid_json(tmp_path: Path) -> None:
    # Refreshing in January 2023: the year ranked (2022) is empty; the follow-up holds only H0.
    quiet = backtest(
        OFFENCES, LINKS, first=date(2023, 1, 1), last=date(2023, 1, 1), data_end=DATA_END
    )
    (refresh,) = quiet.refreshes
    assert refresh.eligible == 0 and refresh.outcomes["v100"]["top"].size == 0
    assert (refresh.harm, refresh.unseen.unranked_share) == (HARASSMENT, 1.0)  # D, unranked
    empty = backtest(
        OFFENCES.filter(pl.col("offence_ref") == "H0"), LINKS, first=date(2020, 1, 1),
        last=date(2020, 1, 1), data_end=DATA_END,
    )  # fmt: skip
    assert math.isnan(empty.refreshes[0].unseen.share)
    data, report = write_backtest(empty, tmp_path)
    assert json.loads(data.read_text(encoding="utf-8"))["refreshes"][0]["unseen"]["share"] is None
    assert "n/a" in report.read_text(encoding="utf-8")
