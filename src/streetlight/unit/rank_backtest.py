"""An honest backtest of the harm rankings: what the people a list names go on to do.

At each monthly refresh (the first day of a month, `M`), every method ranks on the 365 days
before it only (to the end of the day before `M`; `rfgv` too, on 365 days rather than MATAC's
three years, so every list is drawn from the same year of records), and a seeded random list of
the same size is drawn from the same eligible population (everyone named as suspect in a VAWG
allegation in that year: `v100`'s). Then the follow-up: the VAWG offences reported in the 12
months from `M`. Per method and list size (the first 100, and the first 1% of the eligible
population), `Outcome` gives:

- `harm_share`: the share of all follow-up VAWG harm (CCHI days) in offences naming someone on
  the list as suspect (an offence counts once, whoever else it names);
- `offence_share`: the share of follow-up VAWG offences by named suspects that name someone on
  the list;
- `repeat_rate`: of the victims of the list's people in the ranking year (VAWG offences), the
  share who are victims of a VAWG offence again in the follow-up (by anyone).

And per refresh, what no list can see (`Unseen`): the share of follow-up VAWG harm in offences
with no named suspect, and in offences whose suspects were ranked by no method at all (people
with no VAWG or domestic-abuse allegation in the ranking year: first-time suspects among them;
in Suffolk, Bland & Ariel 2015 found over half of the highest-harm pairs had no prior police
contact).

A list's gain over a comparison (`count`, `recent`, `random`) is the relative gain of its mean
over months, mean(a) / mean(b) - 1, with a 95% paired circular-block bootstrap interval: the
same resampled refresh months for both, in blocks of consecutive months (12 by default) because
consecutive refreshes share eleven of their twelve follow-up months and most of their ranking
year; resampling single months would count one year of data as twelve independent ones
(Kunsch 1989, Annals of Statistics 17(3); Politis & Romano 1992, "A circular block-resampling
procedure for stationary data").

Leakage: `leakage_check` ranks on all the data given and on the data cut at the refresh date,
and the lists must be identical: the ranking sees nothing reported after its date. `backtest`
runs it at every refresh for every method and reports it (`Backtest.leakage`).

Follow-up reports are not offending: a report is what reached the police, and a list that leads
to action changes what is reported. Everything here is counts and shares: no one is named.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl
from numpy.typing import NDArray

from streetlight.db.enums import PersonRole
from streetlight.progress import Progress, no_progress
from streetlight.unit.concentration import DOMESTIC, weighed
from streetlight.unit.errors import RankingError
from streetlight.unit.ranking import METHODS, V100_DAYS, Ranking, reported_utc, window
from streetlight.unit.ranking_weights import (
    HarmWeights,
    RfgvWeights,
    read_harm_weights,
    read_rfgv_weights,
)

RANDOM = "random"
BASELINES = ("count", "recent", RANDOM)
FOLLOW_UP_MONTHS = 12
TOP_SHARE = 0.01  # "the top 1%" of the eligible population
BLOCK_MONTHS = 12  # consecutive refreshes share most of their follow-up
N_BOOT = 2000


@dataclass(frozen=True)
class Outcome:
    """One list's follow-up: `size` people listed; the harm (CCHI days) and offences of the
    follow-up's VAWG offences that name one of them as suspect, and their shares (see the module
    docstring); `known_victims`, their victims in the ranking year, and `repeat_victims`, those
    victimised again in the follow-up."""

    size: int
    harm: float
    harm_share: float
    offences: int
    offence_share: float
    known_victims: int
    repeat_victims: int
    repeat_rate: float


@dataclass(frozen=True)
class Unseen:
    """Follow-up VAWG harm no list could hold: `unnamed_share` (offences with no named suspect)
    and `unranked_share` (suspects neither eligible nor ranked by any of the methods run, in the
    ranking year: run them all for the figure the report means); `share` is both."""

    unnamed_share: float
    unranked_share: float

    @property
    def share(self) -> float:
        return self.unnamed_share + self.unranked_share


@dataclass(frozen=True)
class Refresh:
    """One refresh month: its `month` (YYYY-MM), the `as_of` date ranked to, how many were
    `eligible`, the sizes `k` of each list ("top" and "share"), the follow-up's VAWG `harm`
    (CCHI days) and `offences`, the `unseen` shares, and `outcomes[method][list]`."""

    month: str
    as_of: str
    eligible: int
    k: Mapping[str, int]
    harm: float
    offences: int
    unseen: Unseen
    outcomes: Mapping[str, Mapping[str, Outcome]]


@dataclass(frozen=True)
class Leak:
    """The leakage check at one refresh for one method: `identical` when the ranking on all the
    data equals the one on the data cut at `as_of` (the same people, order and scores)."""

    month: str
    method: str
    ranked: int
    identical: bool


@dataclass(frozen=True)
class Gain:
    """`method`'s mean `metric` over months against `baseline`'s: relative `gain` and its 95%
    paired block-bootstrap interval (`low`, `high`; 0.05 = 5% more)."""

    method: str
    baseline: str
    metric: str
    listed: str
    gain: float
    low: float
    high: float


@dataclass(frozen=True)
class Summary:
    """One method's mean of `metric` over months for one list, with its 95% block-bootstrap
    interval."""

    method: str
    metric: str
    listed: str
    mean: float
    low: float
    high: float

    @property
    def interval(self) -> tuple[float, float, float]:
        return self.mean, self.low, self.high


@dataclass(frozen=True)
class Backtest:
    """A backtest's refreshes and its leakage checks; `summary` gives a list's mean of a metric
    over months and `gains` its gains over the comparisons. `block` is the bootstrap's block
    length in months as used; `synthetic` marks a run on a synthetic force."""

    methods: tuple[str, ...]
    top: int
    seed: int
    block: int
    refreshes: tuple[Refresh, ...]
    leakage: tuple[Leak, ...]
    synthetic: bool = False

    @property
    def leak_free(self) -> bool:
        return bool(self.leakage) and all(leak.identical for leak in self.leakage)

    def values(self, method: str, listed: str, metric: str) -> NDArray[np.float64]:
        """`metric` ("harm_share", "offence_share" or "repeat_rate") per refresh."""
        return np.array(
            [getattr(r.outcomes[method][listed], metric) for r in self.refreshes], dtype=np.float64
        )

    def unseen(self) -> NDArray[np.float64]:
        return np.array([r.unseen.share for r in self.refreshes], dtype=np.float64)

    def summary(self, method: str, listed: str, metric: str) -> Summary:
        v = self.values(method, listed, metric)
        mean, low, high = block_mean_interval(v, self.block, N_BOOT, self.seed)
        return Summary(method, metric, listed, mean, low, high)

    def gain(self, method: str, baseline: str, listed: str, metric: str) -> Gain:
        a, b = self.values(method, listed, metric), self.values(baseline, listed, metric)
        gain, low, high = paired_block_gain(a, b, self.block, N_BOOT, self.seed)
        return Gain(method, baseline, metric, listed, gain, low, high)

    def gains(self, listed: str = "top", metric: str = "harm_share") -> tuple[Gain, ...]:
        """Every ranking method against each comparison (not against itself)."""
        return tuple(
            self.gain(m, b, listed, metric)
            for m in self.methods
            for b in BASELINES
            if b != m and b in self.all_lists()
        )

    def all_lists(self) -> tuple[str, ...]:
        return (*self.methods, RANDOM)

    def to_json(self) -> dict[str, Any]:
        metrics = ("harm_share", "offence_share", "repeat_rate")
        lists = ("top", "share")
        return {
            "synthetic": self.synthetic,
            "methods": list(self.methods),
            "top": self.top,
            "top_share": TOP_SHARE,
            "follow_up_months": FOLLOW_UP_MONTHS,
            "ranking_days": V100_DAYS,
            "seed": self.seed,
            "bootstrap": {"block_months": self.block, "draws": N_BOOT},
            "months": [r.month for r in self.refreshes],
            "leakage": {
                "leak_free": self.leak_free,
                "checks": [
                    {
                        "month": x.month,
                        "method": x.method,
                        "ranked": x.ranked,
                        "identical": x.identical,
                    }
                    for x in self.leakage
                ],
            },
            "unseen": _interval_json(
                *block_mean_interval(self.unseen(), self.block, N_BOOT, self.seed)
            ),
            "summaries": {
                listed: {
                    name: {
                        metric: _interval_json(*self.summary(name, listed, metric).interval)
                        for metric in metrics
                    }
                    for name in self.all_lists()
                }
                for listed in lists
            },
            "gains": {
                listed: {
                    metric: [
                        {
                            "method": g.method,
                            "over": g.baseline,
                            "gain": _finite(g.gain),
                            "ci95": [_finite(g.low), _finite(g.high)],
                        }
                        for g in self.gains(listed, metric)
                    ]
                    for metric in metrics
                }
                for listed in lists
            },
            "refreshes": [_refresh_json(r) for r in self.refreshes],
        }


def _interval_json(mean: float, low: float, high: float) -> dict[str, Any]:
    return {"mean": _finite(mean), "ci95": [_finite(low), _finite(high)]}


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _refresh_json(r: Refresh) -> dict[str, Any]:
    return {
        "month": r.month,
        "as_of": r.as_of,
        "eligible": r.eligible,
        "k": dict(r.k),
        "harm": r.harm,
        "offences": r.offences,
        "unseen": {"unnamed_share": _finite(r.unseen.unnamed_share),
                   "unranked_share": _finite(r.unseen.unranked_share),
                   "share": _finite(r.unseen.share)},
        "outcomes": {
            name: {listed: {k: _finite(v) if isinstance(v, float) else v
                            for k, v in o.__dict__.items()}
                   for listed, o in lists.items()}
            for name, lists in r.outcomes.items()
        },
    }  # fmt: skip


# -- dates --------------------------------------------------------------------------------------


def month_starts(first: date, last: date) -> list[date]:
    """The first day of every month from `first`'s to `last`'s, both included."""
    if (last.year, last.month) < (first.year, first.month):
        raise RankingError(f"months: {last:%Y-%m} is before {first:%Y-%m}")
    out, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` after `day`'s."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


# -- the bootstrap ------------------------------------------------------------------------------


def _block_draws(n: int, block: int, n_boot: int, seed: int) -> NDArray[np.int64]:
    """`n_boot` resamples of `n` period indexes, each made of runs of `block` consecutive ones
    from random starts, wrapping from the last period to the first (the circular block
    bootstrap, Politis & Romano 1992: every period is drawn equally often, so the resampled
    means centre on the sample's, which plain moving blocks, drawing the ends less, do not).
    Blocks are at most half the periods (`effective_block`)."""
    block = effective_block(n, block)
    per = -(-n // block)
    rng = np.random.default_rng(seed)
    starts = rng.integers(0, n, size=(n_boot, per))
    draws = (starts[:, :, None] + np.arange(block)[None, None, :]).reshape(n_boot, -1) % n
    return draws[:, :n].astype(np.int64)


def effective_block(n: int, block: int) -> int:
    """The block length used for `n` periods: `block`, but at most half of them, so every
    resample joins at least two blocks (one block of all the periods, rotated, always has the
    same mean: an interval of zero width that would claim a certainty the data lack)."""
    return max(1, min(block, n // 2))


def block_mean_interval(
    values: Sequence[float] | NDArray[np.float64], block: int, n_boot: int = N_BOOT, seed: int = 0
) -> tuple[float, float, float]:
    """The mean of `values` (periods in order) and its 95% circular-block bootstrap interval;
    NaN thrice when no value is finite (NaNs are dropped first)."""
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    if len(v) == 0:
        return math.nan, math.nan, math.nan
    means = v[_block_draws(len(v), block, n_boot, seed)].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(v.mean()), float(low), float(high)


def paired_block_gain(
    a: Sequence[float] | NDArray[np.float64],
    b: Sequence[float] | NDArray[np.float64],
    block: int,
    n_boot: int = N_BOOT,
    seed: int = 0,
) -> tuple[float, float, float]:
    """Relative gain mean(a) / mean(b) - 1 of paired scores (periods in order) and its 95%
    paired circular-block bootstrap interval: each draw resamples the same periods for both, so
    what a month does to every list cancels. Pairs with a NaN are dropped; NaN thrice when none
    is left or b's sum is not positive."""
    x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if len(x) == 0 or not y.sum() > 0:
        return math.nan, math.nan, math.nan
    draws = _block_draws(len(x), block, n_boot, seed)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = x[draws].sum(axis=1) / y[draws].sum(axis=1)
    ratios[~np.isfinite(ratios)] = np.nan  # a resample where b is 0 everywhere has no ratio
    low, high = np.nanpercentile(ratios, [2.5, 97.5])
    return float(x.sum() / y.sum() - 1.0), float(low - 1.0), float(high - 1.0)


# -- the follow-up ------------------------------------------------------------------------------


def _between(frame: pl.DataFrame, after: datetime, until: datetime) -> pl.DataFrame:
    return frame.filter((pl.col("reported_at") > after) & (pl.col("reported_at") <= until))


def random_list(eligible: Sequence[str], size: int, seed: int, month: date) -> tuple[str, ...]:
    """`size` people drawn without replacement from `eligible` (sorted first, so the draw does
    not depend on the order given), the same for the same seed and month."""
    people = sorted(eligible)
    rng = np.random.default_rng([seed, month.year, month.month])
    chosen = rng.choice(len(people), size=min(size, len(people)), replace=False)
    return tuple(people[i] for i in chosen)


def outcome(
    listed: Sequence[str],
    follow: pl.DataFrame,
    suspects: pl.DataFrame,
    known: pl.DataFrame,
    again: pl.Series,
) -> Outcome:
    """A list's follow-up. `follow`: the follow-up's VAWG offences (`offence_ref`, `harm`);
    `suspects`: their (`offence_ref`, `person_ref`) suspects; `known`: (`person_ref`, `victim`)
    of the ranking year's VAWG offences; `again`: the follow-up's VAWG victims."""
    people = pl.Series(list(listed), dtype=pl.String).implode()
    refs = suspects.filter(pl.col("person_ref").is_in(people))["offence_ref"].unique().implode()
    theirs = follow.filter(pl.col("offence_ref").is_in(refs))
    named = suspects["offence_ref"].n_unique()
    total = float(follow["harm"].sum())
    harm = float(theirs["harm"].sum())
    victims = known.filter(pl.col("person_ref").is_in(people))["victim"].unique()
    repeat = int(victims.is_in(again.implode()).sum())
    return Outcome(
        size=len(listed),
        harm=harm,
        harm_share=harm / total if total > 0 else math.nan,
        offences=theirs.height,
        offence_share=theirs.height / named if named else math.nan,
        known_victims=victims.len(),
        repeat_victims=repeat,
        repeat_rate=repeat / victims.len() if victims.len() else math.nan,
    )


def unseen(follow: pl.DataFrame, suspects: pl.DataFrame, ranked: set[str]) -> Unseen:
    """The shares of the follow-up's VAWG harm (`follow`: `offence_ref`, `harm`) in offences
    with no named suspect and in offences none of whose suspects is in `ranked`."""
    total = float(follow["harm"].sum())
    if not total > 0:
        return Unseen(math.nan, math.nan)
    seen_people = pl.Series(sorted(ranked), dtype=pl.String).implode()
    named = suspects["offence_ref"].unique().implode()
    seen = suspects.filter(pl.col("person_ref").is_in(seen_people))["offence_ref"].unique()
    unnamed = float(follow.filter(~pl.col("offence_ref").is_in(named))["harm"].sum())
    unranked = float(
        follow.filter(
            pl.col("offence_ref").is_in(named) & ~pl.col("offence_ref").is_in(seen.implode())
        )["harm"].sum()
    )
    return Unseen(unnamed / total, unranked / total)


# -- leakage ------------------------------------------------------------------------------------


def leakage_check(
    ranking: Ranking,
    offences: pl.DataFrame,
    links: pl.DataFrame,
    *,
    as_of: date,
    month: str = "",
    seen: pl.DataFrame | None = None,
) -> Leak:
    """Rank with every offence given and with only those reported by the end of `as_of`: a
    ranking that sees nothing later gives the same people in the same order with the same
    scores. `seen`, a ranking's `scores_` already fitted on the cut data (the backtest's own),
    is compared instead of fitting the cut data again. Fresh clones of `ranking` fit, so no fit
    can reuse another's state."""
    if seen is None:
        cut = window(as_of, 1, ZoneInfo(ranking.zone)).until
        truncated = reported_utc(offences, ZoneInfo(ranking.zone)).filter(
            pl.col("reported_at") <= cut
        )
        seen = _clone(ranking).fit(truncated, links, as_of=as_of).scores_
    full = _clone(ranking).fit(offences, links, as_of=as_of).scores_
    return Leak(month or f"{as_of:%Y-%m}", ranking.method, full.height, full.equals(seen))


def _clone(ranking: Ranking) -> Ranking:
    """An unfitted ranking of the same kind and parameters (scikit-learn's `clone`)."""
    return type(ranking)(
        method=ranking.method, harm=ranking.harm, rfgv=ranking.rfgv, zone=ranking.zone
    )


# -- the backtest -------------------------------------------------------------------------------


def backtest(
    offences: pl.DataFrame,
    links: pl.DataFrame,
    *,
    first: date,
    last: date,
    methods: Sequence[str] = METHODS,
    top: int = 100,
    seed: int = 0,
    block: int = BLOCK_MONTHS,
    harm: HarmWeights | None = None,
    rfgv: RfgvWeights | None = None,
    zone: str = "Europe/London",
    data_end: datetime | None = None,
    synthetic: bool = False,
    progress: Progress = no_progress,
) -> Backtest:
    """Refresh monthly from `first`'s month to `last`'s (see the module docstring) over the
    canonical frames (`extract.OFFENCES` with `reported_at`, `ho_code`, `vawg`, `relationship`;
    `extract.LINKS`). `data_end`, the instant the records run to (default: the latest report),
    must be at or after every follow-up's end, else `RankingError` names the last month that
    can be followed up: a cut follow-up would make later months look quieter than they were."""
    unknown = [m for m in methods if m not in METHODS]
    if unknown or not methods:
        raise RankingError(f"methods: {', '.join(unknown) or 'none'} (use {', '.join(METHODS)})")
    if top < 1:
        raise RankingError(f"top: {top} (at least 1)")
    tz = ZoneInfo(zone)
    harm = harm if harm is not None else read_harm_weights()
    rfgv = replace(rfgv if rfgv is not None else read_rfgv_weights(), window_days=V100_DAYS)
    months = month_starts(first, last)
    frame = reported_utc(offences, tz)
    end = data_end or (frame["reported_at"].max() if frame.height else None)
    last_day = add_months(months[-1], FOLLOW_UP_MONTHS) - timedelta(days=1)
    if not isinstance(end, datetime):
        raise RankingError("offences: no reports to backtest on")
    if end.astimezone(tz).date() < last_day:
        reach = end.astimezone(tz).date()
        latest = add_months((reach + timedelta(days=1)).replace(day=1), -FOLLOW_UP_MONTHS)
        raise RankingError(
            f"to {last:%Y-%m}: its follow-up of {FOLLOW_UP_MONTHS} months runs to {last_day}, "
            f"past the records' last report ({reach}): end the range at {latest:%Y-%m} or earlier"
        )
    # Only what some method or the follow-up reads: VAWG and domestic-abuse offences.
    frame = weighed(frame, harm.table).filter(
        pl.col("is_vawg") | pl.col("relationship").is_in(DOMESTIC)
    )
    refs = frame["offence_ref"].implode()
    links = links.filter(pl.col("offence_ref").is_in(refs))
    role = pl.col("role")
    suspects_all = links.filter(role == PersonRole.SUSPECT.value).select(
        "offence_ref", "person_ref"
    )
    victims_all = links.filter(role == PersonRole.VICTIM.value).select(
        "offence_ref", victim="person_ref"
    )
    vawg = frame.filter(pl.col("is_vawg")).select("offence_ref", "reported_at", "harm")
    rankers = {m: Ranking(method=m, harm=harm, rfgv=rfgv, zone=zone) for m in methods}
    refreshes: list[Refresh] = []
    leaks: list[Leak] = []
    for month in progress(months, len(months)):
        as_of = month - timedelta(days=1)
        label = f"{month:%Y-%m}"
        w = window(as_of, V100_DAYS, tz)
        until = window(add_months(month, FOLLOW_UP_MONTHS) - timedelta(days=1), 1, tz).until
        history = _between(frame, w.after, w.until)
        fitted = {m: _clone(r).fit(history, links, as_of=as_of) for m, r in rankers.items()}
        # The leakage check ranks on every record up to the data's end (and so after the date).
        leaks += [
            leakage_check(r, frame, links, as_of=as_of, month=label, seen=fitted[m].scores_)
            for m, r in rankers.items()
        ]
        counted = fitted.get("count") or Ranking(method="count", harm=harm, zone=zone).fit(
            history, links, as_of=as_of
        )
        eligible = counted.scores_["person"].to_list()
        k = {"top": top, "share": max(1, math.ceil(TOP_SHARE * len(eligible)))}
        ranked = set(eligible).union(*(set(f.scores_["person"].to_list()) for f in fitted.values()))
        follow = _between(vawg, w.until, until)
        suspects = suspects_all.filter(pl.col("offence_ref").is_in(follow["offence_ref"].implode()))
        year = vawg.filter((pl.col("reported_at") > w.after) & (pl.col("reported_at") <= w.until))
        year_refs = year["offence_ref"].implode()
        known = (
            suspects_all.filter(pl.col("offence_ref").is_in(year_refs))
            .join(victims_all, on="offence_ref")
            .select("person_ref", "victim")
        )
        again = victims_all.filter(pl.col("offence_ref").is_in(follow["offence_ref"].implode()))[
            "victim"
        ].unique()
        outcomes: dict[str, dict[str, Outcome]] = {}
        for name, size in k.items():
            lists = {m: [p.person for p in f.top(size)] for m, f in fitted.items()}
            lists[RANDOM] = list(random_list(eligible, size, seed, month))
            for m, people in lists.items():
                outcomes.setdefault(m, {})[name] = outcome(people, follow, suspects, known, again)
        refreshes.append(
            Refresh(
                month=label,
                as_of=as_of.isoformat(),
                eligible=len(eligible),
                k=k,
                harm=float(follow["harm"].sum()),
                offences=follow.height,
                unseen=unseen(follow, suspects, ranked),
                outcomes=outcomes,
            )
        )
    return Backtest(
        methods=tuple(methods),
        top=top,
        seed=seed,
        block=effective_block(len(refreshes), block),
        refreshes=tuple(refreshes),
        leakage=tuple(leaks),
        synthetic=synthetic,
    )


def synthetic_backtest(
    first: date,
    last: date,
    *,
    perpetrators_per_year: float = 3_500.0,
    seed: int = 20260101,
    methods: Sequence[str] = METHODS,
    top: int = 100,
    progress: Progress = no_progress,
) -> Backtest:
    """The backtest on a synthetic force generated for it (not real people; `synthetic.py`): from
    a year before `first`'s month to the end of `last`'s follow-up, so every refresh has its
    whole year and follow-up; the same seed gives the same force and the same random lists."""
    from streetlight.unit.synthetic import SyntheticConfig, generate

    start = add_months(first, -12)
    end = add_months(last, FOLLOW_UP_MONTHS + 1)
    months = (end.year - start.year) * 12 + end.month - start.month
    config = SyntheticConfig(
        start=start, years=-(-months // 12), perpetrators_per_year=perpetrators_per_year
    )
    force = generate(config, seed)
    zone = ZoneInfo("Europe/London")
    data_end = window(force.end - timedelta(days=1), 1, zone).until
    return backtest(
        force.offences,
        force.links,
        first=first,
        last=last,
        methods=methods,
        top=top,
        seed=seed,
        data_end=data_end,
        synthetic=True,
        progress=progress,
    )
