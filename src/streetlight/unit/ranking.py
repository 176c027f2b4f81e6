"""Harm rankings of suspects, as of a date, each score the exact sum of its offences' parts.

A ranking is a prompt for a supervisor's recorded decision, never a decision: so every score
decomposes into one contribution per allegation (offence, date, subgroup, weight), which sum to
it, and `explain` says so in sentences a supervisor can check against the records.

Methods (`METHODS`):
- `v100`: the Metropolitan Police's V100 (its 2025 freedom-of-information description): every
  person named as suspect in a VAWG offence reported in the last 365 days, scored by the summed
  Cambridge Crime Harm Index days of those allegations ("identify, not predict"). An allegation
  contributes its subgroup's CCHI median days (`ranking_weights.HarmWeights`, the packaged table
  by default).
- `rfgv`: Northumbria's MATAC "recency, frequency, gravity (victims)" over domestic-abuse records
  (relationship partner, ex-partner or family) as suspect in the last 1,095 days, for serial
  perpetrators only (2+ records against 2+ victims: the eligibility MATAC publishes). Each record
  contributes `frequency` (points per record), `gravity` (points per CCHI day), `victims` (points
  per victim it is the first record to name) and, for the most recent record only, `recency`
  (points by its age band). The weights are `rfgv.toml`'s (`ranking_weights.RfgvWeights`).
- `count` and `recent`, the naive comparisons over `v100`'s allegations: how many (each
  contributes 1), and how recent the latest is (it contributes the window's days less its age in
  days; the others 0).

As of: a date means the end of that day in the force's zone, and the window is that day and the
days before it (365 local calendar days for `v100`); an aware datetime means that instant, and
the window is the 365 days of 24 hours up to and including it. Only allegations reported in the
window count: nothing reported after `as_of` is seen (no leakage into a backtest).

Ties: a higher score first, then the more recent latest allegation, then the person key in
ascending order (a unit token: random, so no one is favoured by their place in the records).

Input frames are the extract's canonical `offences` and `links` (`extract.OFFENCES`, `LINKS`), as
`concentration` uses them: `reported_at` aware (UTC) or naive and local to the force; a `subgroup`
column is used where present (the casework tables store it), else the code's (`weighed`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from streetlight.db.enums import PersonRole
from streetlight.unit.concentration import DOMESTIC, weighed
from streetlight.unit.errors import RankingError, WeightsError
from streetlight.unit.ranking_weights import (
    HarmWeights,
    RfgvWeights,
    read_harm_weights,
    read_rfgv_weights,
)

Method = Literal["v100", "rfgv", "count", "recent"]
METHODS: tuple[Method, ...] = ("v100", "rfgv", "count", "recent")
V100_DAYS = 365  # the Met's "last 365 days"
RFGV_PARTS = ("recency", "frequency", "gravity", "victims")
DAY_US = 86_400 * 1_000_000
_UTC = "UTC"


@dataclass(frozen=True)
class Window:
    """The allegations that count: reported after `after` and at or before `until` (UTC)."""

    after: datetime
    until: datetime
    days: int
    label: str  # how explanations name the date: "2025-10-28" or an ISO instant
    end: str  # and the window's end: "the end of 2025-10-28" or the instant


def window(as_of: date | datetime, days: int, zone: ZoneInfo) -> Window:
    """The `days` up to and including `as_of` (see the module docstring), to the microsecond."""
    tick = timedelta(microseconds=1)
    if isinstance(as_of, datetime):
        if as_of.tzinfo is None:
            raise RankingError("as_of: a naive datetime (give a date, or an aware datetime)")
        until = as_of.astimezone(ZoneInfo(_UTC))
        label = as_of.isoformat()
        return Window(until - timedelta(days=days), until, days, label, label)
    end = datetime.combine(as_of + timedelta(days=1), time(), zone).astimezone(ZoneInfo(_UTC))
    start = datetime.combine(as_of + timedelta(days=1 - days), time(), zone)
    label = as_of.isoformat()
    after = start.astimezone(ZoneInfo(_UTC)) - tick
    return Window(after, end - tick, days, label, f"the end of {label}")


@dataclass(frozen=True)
class Contribution:
    """One allegation's part in a person's score: `weight` is its subgroup's CCHI days, `parts`
    the rfgv components (empty for the other methods); `contribution` is what it adds."""

    offence_ref: str
    reported_at: datetime
    subgroup: str
    weight: float
    contribution: float
    parts: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Ranked:
    """A person's place: `rank` (1 is first) of `of`, their `score`, the `allegations` and
    distinct `victims` behind it, the `latest` report and the `top_offence` contributing most."""

    rank: int
    of: int
    person: str
    score: float
    allegations: int
    victims: int
    latest: datetime
    top_offence: str


class Ranking:
    """Rank suspects by `method` as of a date (scikit-learn's habits: parameters here, the work
    in `fit`, learned state ending in `_`).

    Parameters: `method` (one of `METHODS`); `harm`, the CCHI days (`v100`, and `rfgv`'s
    gravity; default the packaged table); `rfgv`, its weights (default `rfgv.toml`); `zone`, the
    force's time zone (dates and naive times are its).

    After `fit`: `window_`, the allegations' window; `contributions_`, one row per (person,
    allegation): `person_ref, offence_ref, reported_at, subgroup, weight, contribution` and for
    `rfgv` its four parts; `scores_`, one row per person ranked: `rank, person, score,
    allegations, victims, latest, top_offence`, best first.
    """

    def __init__(
        self,
        *,
        method: str = "v100",
        harm: HarmWeights | None = None,
        rfgv: RfgvWeights | None = None,
        zone: str = "Europe/London",
    ) -> None:
        self.method = method
        self.harm = harm
        self.rfgv = rfgv
        self.zone = zone

    def fit(self, offences: pl.DataFrame, links: pl.DataFrame, *, as_of: date | datetime) -> Self:
        _require(offences, "offences", ("offence_ref", "ho_code", "vawg", "reported_at"))
        _require(links, "links", ("person_ref", "offence_ref", "role"))
        if self.method == "rfgv":
            _require(offences, "offences", ("relationship",))
        self.window_ = self.window(as_of)
        zone = self._zone()
        harm = self.harm if self.harm is not None else read_harm_weights()
        rfgv = self.rfgv if self.rfgv is not None else read_rfgv_weights()
        rows, victims = _allegations(offences, links, self.method, self.window_, harm, zone)
        if self.method == "rfgv":
            rows = _rfgv(rows, victims, self.window_, rfgv)
        else:
            rows = _simple(rows, self.method, self.window_)
        victims = victims.join(
            rows.select("person_ref", "offence_ref"), on=["person_ref", "offence_ref"]
        )
        self.contributions_ = rows.sort("person_ref", "reported_at", "offence_ref")
        self.scores_ = _scores(rows, victims)
        self.rfgv_ = rfgv
        self.harm_ = harm
        self.zone_ = zone
        return self

    def window(self, as_of: date | datetime) -> Window:
        """The allegations' window this ranking would use as of `as_of` (what a loader reads)."""
        if self.method not in METHODS:
            raise RankingError(f"method: {self.method!r} is not one of {', '.join(METHODS)}")
        if self.method == "rfgv":
            days = (self.rfgv if self.rfgv is not None else read_rfgv_weights()).window_days
        else:
            days = V100_DAYS
        return window(as_of, days, self._zone())

    def _zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise RankingError(f"zone: unknown time zone {self.zone!r}") from None

    def _fitted(self) -> None:
        if not hasattr(self, "scores_"):
            raise RankingError("this ranking is not fitted yet: call fit() first")

    def top(self, n: int) -> tuple[Ranked, ...]:
        """The first `n` people (fewer if fewer are ranked)."""
        self._fitted()
        total = self.scores_.height
        return tuple(Ranked(of=total, **row) for row in self.scores_.head(n).iter_rows(named=True))

    def place(self, person: str) -> Ranked | None:
        """`person`'s place, or None when they are not ranked."""
        self._fitted()
        found = self.scores_.filter(pl.col("person") == person)
        if found.height == 0:
            return None
        return Ranked(of=self.scores_.height, **found.row(0, named=True))

    def contributions(self, person: str) -> tuple[Contribution, ...]:
        """`person`'s allegations and what each adds, oldest first (they sum to the score)."""
        self._fitted()
        mine = self.contributions_.filter(pl.col("person_ref") == person)
        parts = RFGV_PARTS if self.method == "rfgv" else ()
        return tuple(
            Contribution(
                row["offence_ref"],
                row["reported_at"],
                row["subgroup"],
                row["weight"],
                row["contribution"],
                tuple((p, row[p]) for p in parts),
            )
            for row in mine.iter_rows(named=True)
        )

    def explain(self, person: str) -> str:
        """Why `person` is where they are, in sentences a supervisor can check against the
        records: the allegations, their weights and the sum (dates are the force's local dates)."""
        place = self.place(person)
        w = self.window_
        if place is None:
            if self.method == "rfgv":
                r = self.rfgv_
                return (
                    f"Not ranked by rfgv as of {w.label}: fewer than {r.min_records} domestic-abuse "
                    f"records as suspect against {r.min_victims} different victims in the "
                    f"{w.days:,} days to it."
                )
            return (
                f"Not ranked by {self.method} as of {w.label}: no VAWG allegation as suspect "
                f"reported in the {w.days:,} days to it."
            )
        items = self.contributions(person)
        head = f"Rank {place.rank:,} of {place.of:,} by {self.method} as of {w.label}"
        where = f"reported in the {w.days:,} days to {w.label}"
        n = len(items)
        if self.method == "v100":
            terms = " + ".join(
                f"{c.offence_ref} ({self._day(c)}, {c.subgroup}, {_num(c.weight)})" for c in items
            )
            return (
                f"{head}. {n} VAWG allegation(s) as suspect {where}, against {place.victims} "
                f"victim(s): {terms} = {_num(place.score)} CCHI days."
            )
        if self.method == "count":
            refs = ", ".join(f"{c.offence_ref} ({self._day(c)})" for c in items)
            return f"{head}. {n} VAWG allegation(s) as suspect {where}: {refs}. Score {n}."
        if self.method == "recent":
            latest = max(items, key=lambda c: c.contribution)
            age = w.days - latest.contribution
            return (
                f"{head}. Latest VAWG allegation as suspect: {latest.offence_ref} "
                f"({self._day(latest)}, {age:,.2f} days before {w.end}); score "
                f"{w.days:,} - {age:,.2f} = {place.score:,.2f}. {n} allegation(s) {where}."
            )
        return self._explain_rfgv(place, items, head, where)

    def _explain_rfgv(
        self, place: Ranked, items: Sequence[Contribution], head: str, where: str
    ) -> str:
        r = self.rfgv_
        total = {p: sum(dict(c.parts)[p] for c in items) for p in RFGV_PARTS}
        latest = items[-1]
        days = sum(c.weight for c in items)
        lines = " ".join(
            f"{c.offence_ref} ({self._day(c)}, {c.subgroup}): "
            + " + ".join(f"{_num(v)} {p}" for p, v in c.parts)
            + f" = {_num(c.contribution)}."
            for c in items
        )
        return (
            f"{head}. {len(items)} domestic-abuse record(s) as suspect {where}, against "
            f"{place.victims} different victim(s) (eligible from {r.min_records} records and "
            f"{r.min_victims} victims). Recency: the latest, {latest.offence_ref} "
            f"({self._day(latest)}), {_num(total['recency'])} points; frequency: {len(items)} x "
            f"{_num(r.points_per_record)} = {_num(total['frequency'])}; gravity: {_num(days)} CCHI days x "
            f"{_num(r.points_per_cchi_day)} = {_num(total['gravity'])}; victims: {place.victims} x "
            f"{_num(r.points_per_victim)} = {_num(total['victims'])}; total {_num(place.score)}. "
            f"By record: {lines}"
        )

    def _day(self, c: Contribution) -> str:
        return c.reported_at.astimezone(self.zone_).date().isoformat()


def _require(frame: pl.DataFrame, name: str, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise RankingError(f"{name}: no column {', '.join(missing)} (see extract.py)")


def reported_utc(frame: pl.DataFrame, zone: ZoneInfo) -> pl.DataFrame:
    """`reported_at` as UTC instants: naive times are the force's local times (in the autumn's
    repeated hour, the earlier instant)."""
    dtype = frame.schema["reported_at"]
    column = pl.col("reported_at").cast(pl.Datetime("us", getattr(dtype, "time_zone", None)))
    if getattr(dtype, "time_zone", None) is None:
        column = column.dt.replace_time_zone(str(zone), ambiguous="earliest")
    return frame.with_columns(column.dt.convert_time_zone(_UTC))


def _allegations(
    offences: pl.DataFrame,
    links: pl.DataFrame,
    method: str,
    w: Window,
    harm: HarmWeights,
    zone: ZoneInfo,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One row per (suspect, offence) that counts for `method` in `w`, weighed; and one per
    (suspect, offence, victim) of them."""
    frame = reported_utc(offences, zone).filter(
        (pl.col("reported_at") > w.after) & (pl.col("reported_at") <= w.until)
    )
    frame = weighed(frame, harm.table)
    if method == "rfgv":
        frame = frame.filter(pl.col("relationship").is_in(DOMESTIC))
    else:
        frame = frame.filter(pl.col("is_vawg"))
    role = pl.col("role")
    suspects = links.filter(role == PersonRole.SUSPECT.value).select("person_ref", "offence_ref")
    rows = frame.select("offence_ref", "reported_at", "subgroup", weight="harm").join(
        suspects, on="offence_ref"
    )
    if method in ("v100", "rfgv"):
        _check_weighed(rows, harm)
    rows = rows.with_columns(pl.col("subgroup").fill_null(""))
    victims = links.filter(role == PersonRole.VICTIM.value).select(
        "offence_ref", victim="person_ref"
    )
    pairs = rows.select("person_ref", "offence_ref", "reported_at").join(victims, on="offence_ref")
    return rows, pairs


def _check_weighed(rows: pl.DataFrame, harm: HarmWeights) -> None:
    """Refuse allegations without a weight: weighed as 0 they would drop down the list unseen."""
    unknown = rows.filter(pl.col("subgroup").is_null())
    if unknown.height:
        raise WeightsError(
            f"{unknown.height:,} allegation(s) in the window have an offence code not in the "
            "offence-code list: add the codes to it and import again"
        )
    missing = rows.filter(~pl.col("subgroup").is_in(list(harm.table)))
    if missing.height:
        subgroup = missing["subgroup"].sort()[0]
        raise WeightsError(
            f"{harm.source}: no row for subgroup {subgroup!r} ({missing.height:,} allegation(s) "
            "in the window): add it, or give a table that has it"
        )


def _is_latest(rows: pl.DataFrame) -> pl.Series:
    """True on each person's latest allegation (of two at the same instant, the first by
    offence reference)."""
    order = rows.with_row_index("_i").sort(
        ["person_ref", "reported_at", "offence_ref"], descending=[False, True, False]
    )
    first = order.select("_i", latest=pl.col("person_ref") != pl.col("person_ref").shift(1)).sort(
        "_i"
    )
    return first["latest"].fill_null(True)


def _simple(rows: pl.DataFrame, method: str, w: Window) -> pl.DataFrame:
    if method == "v100":
        return rows.with_columns(contribution=pl.col("weight"))
    if method == "count":
        return rows.with_columns(contribution=pl.lit(1.0))
    age = (pl.lit(w.until) - pl.col("reported_at")).dt.total_microseconds() / DAY_US
    latest = _is_latest(rows)
    return rows.with_columns(contribution=pl.when(latest).then(w.days - age).otherwise(0.0))


def _rfgv(rows: pl.DataFrame, pairs: pl.DataFrame, w: Window, r: RfgvWeights) -> pl.DataFrame:
    # Each victim counts once, on the oldest record that names them.
    new = (
        pairs.sort("reported_at", "offence_ref")
        .unique(["person_ref", "victim"], keep="first", maintain_order=True)
        .group_by("person_ref", "offence_ref")
        .agg(new_victims=pl.len())
    )
    per = pairs.group_by("person_ref").agg(n_victims=pl.col("victim").n_unique())
    counts = rows.group_by("person_ref").agg(n_records=pl.len())
    eligible = counts.join(per, on="person_ref").filter(
        (pl.col("n_records") >= r.min_records) & (pl.col("n_victims") >= r.min_victims)
    )
    rows = rows.join(eligible.select("person_ref"), on="person_ref")
    rows = rows.join(new, on=["person_ref", "offence_ref"], how="left").with_columns(
        pl.col("new_victims").fill_null(0)
    )
    age = ((pl.lit(w.until) - pl.col("reported_at")).dt.total_microseconds() // DAY_US).cast(
        pl.Int64
    )
    recency = pl.lit(0.0)
    for band in reversed(r.bands):  # the shortest band last, so it wins
        recency = pl.when(age < band.within_days).then(pl.lit(band.points)).otherwise(recency)
    latest = _is_latest(rows)
    rows = rows.with_columns(
        recency=pl.when(latest).then(recency).otherwise(0.0),
        frequency=pl.lit(r.points_per_record),
        gravity=pl.col("weight") * r.points_per_cchi_day,
        victims=pl.col("new_victims").cast(pl.Float64) * r.points_per_victim,
    ).drop("new_victims")
    return rows.with_columns(contribution=pl.sum_horizontal(*RFGV_PARTS))


def _scores(rows: pl.DataFrame, pairs: pl.DataFrame) -> pl.DataFrame:
    top = (
        rows.sort(["contribution", "reported_at", "offence_ref"], descending=[True, True, False])
        .unique("person_ref", keep="first")
        .select("person_ref", top_offence="offence_ref")
    )
    victims = pairs.group_by("person_ref").agg(victims=pl.col("victim").n_unique())
    per = (
        rows.group_by("person_ref")
        .agg(
            score=pl.col("contribution").sum(),
            allegations=pl.len(),
            latest=pl.col("reported_at").max(),
        )
        .join(victims, on="person_ref", how="left")
        .join(top, on="person_ref")
        .with_columns(
            pl.col("victims").fill_null(0).cast(pl.Int64), pl.col("allegations").cast(pl.Int64)
        )
        .sort(["score", "latest", "person_ref"], descending=[True, True, False])
    )
    return per.select(
        rank=pl.int_range(1, per.height + 1, dtype=pl.Int64),
        person=pl.col("person_ref"),
        score="score",
        allegations="allegations",
        victims="victims",
        latest="latest",
        top_offence="top_offence",
    )


def _num(value: float) -> str:
    """A figure as a supervisor reads it: thousands separated, no trailing zeros, to 6 places
    (enough for the parts of the shipped weights to add up on the page)."""
    return f"{value:,.6f}".rstrip("0").rstrip(".")
