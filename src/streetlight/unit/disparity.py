"""A harm ranking's list against the population it is drawn from, by age band, sex and
self-defined ethnicity: who is on the list more, or less, than their share of the people the
method could rank, and which offences drive the difference.

Why: a list of people is lawful only with an equality assessment of how it operates (the Gangs
Matrix was found unlawful without one), and a ranking that looks neutral can still select by age,
sex or ethnicity through the offences it weighs. The comparison is with the people the method
could rank (for `v100` everyone named as suspect in a VAWG allegation in its 365 days), not with
the force's residents: the question here is what the ranking adds, not who the police record.

Groups (`DIMENSIONS`):
- `age`: full years on the ranking's date, in `AGE_BANDS` (under 18, 18-24, 25-34, 35-44, 45-54,
  55+), "unknown" without a date of birth (or one after the date). A birthday counts from its
  day; someone born on 29 February turns a year older on 1 March in other years.
- `sex`: as recorded ("female", "male"); "unknown" when unrecorded.
- `ethnicity`: self-defined, by the 2011 census's five groups (the code's letter: W White, M
  Mixed, A Asian, B Black, O Other; finer codes would leave most cells too small to show), a code
  outside that scheme as recorded, and "not recorded" for a blank or "NS" (not stated): how many
  are missing is shown, as a group of its own, because where they fall shapes every other share.

For each group: its `population` and `listed` counts, their shares, the `ratio` of list share to
population share (1 is parity), and a Wilson score interval for the list share (Wilson 1927;
Brown, Cai and DasGupta 2001 recommend it over the normal interval for small counts).

Small counts (the rule): a group with 1 to `min_count - 1` people in the population or on the
list (default 5: below that a person could be recognised from the figures) is `suppressed`: its
counts show as "<5" and no share, ratio or interval is given. Zero is shown (it identifies no
one). A ratio outside `band` (default [0.8, 1.25], the "four-fifths" rule of thumb and its
inverse) is `flagged` for a closer look: not a finding of unfairness, a question.
The suppression is primary only: where a single cell of a dimension is hidden, the total and the
other cells give it back. The report is for the unit and the force's data protection officer,
who see the list itself; before publishing it, hide a second cell of each such column (or round).

Drivers: for each flagged group, the offence subgroups whose score per person in the group (all
its ranked members', so that a group nearly absent from the list still has one) differs most
from their score per person ranked. The differences add up exactly to the difference between the
group's mean score and everyone's, which is what moves a group up or down the list: a supervisor
reads "the under-18s average 40 CCHI days more from other sexual offences", where a comparison
of shares alone would hide how much. Subgroups with 1 to `min_count - 1` of the group's
allegations are left out under the same rule.

Pure functions over polars frames; the report is plain frozen dataclasses with `to_markdown()`
and `to_json()`. Nothing in a report names a person: only groups and counts.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import polars as pl

from streetlight.unit.errors import RankingError
from streetlight.unit.ranking import Ranking

DIMENSIONS = ("age", "sex", "ethnicity")
# (label, lowest age in years, first age not in the band); None: open.
AGE_BANDS: tuple[tuple[str, int | None, int | None], ...] = (
    ("under 18", None, 18),
    ("18-24", 18, 25),
    ("25-34", 25, 35),
    ("35-44", 35, 45),
    ("45-54", 45, 55),
    ("55+", 55, None),
)
UNKNOWN = "unknown"
NOT_RECORDED = "not recorded"
_NOT_STATED = {"", "NS"}
CENSUS_GROUPS = {"W": "White", "M": "Mixed", "A": "Asian", "B": "Black", "O": "Other"}
MISSING = {"age": UNKNOWN, "sex": UNKNOWN, "ethnicity": NOT_RECORDED}
Z95 = 1.959963984540054


def age_on(born: date, on: date) -> int:
    """Full years from `born` to `on` (a birthday counts from its day)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def age_band(born: date | None, on: date) -> str:
    """`born`'s band in `AGE_BANDS` on `on`; "unknown" without a date or with one after `on`."""
    if born is None or born > on:
        return UNKNOWN
    age = age_on(born, on)
    for label, low, high in AGE_BANDS:
        if (low is None or age >= low) and (high is None or age < high):
            return label
    raise AssertionError("unreachable: the bands cover every age")  # pragma: no cover


def ethnic_group(code: str | None) -> str:
    """The census group of a self-defined code ("A2" is "Asian"); "not recorded" for none or
    "NS"; any other code as recorded."""
    if code is None or code.strip().upper() in _NOT_STATED:
        return NOT_RECORDED
    code = code.strip()
    letter = code[:1].upper()
    if letter in CENSUS_GROUPS and len(code) == 2 and code[1].isdigit():
        return CENSUS_GROUPS[letter]
    return code


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a share `k / n` (95% by default)."""
    if n <= 0:
        return (0.0, 0.0)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class GroupRow:
    """One group of one dimension: counts, shares (0-1), `ratio` (list share / population
    share), the list share's 95% Wilson interval (`low`, `high`). When `suppressed`, a count from
    1 to `min_count - 1` is None and shares, ratio and interval are None (the ratio is None too
    when nobody in the population is in the group)."""

    dimension: str
    group: str
    population: int | None
    listed: int | None
    population_share: float | None
    list_share: float | None
    ratio: float | None
    low: float | None
    high: float | None
    suppressed: bool
    flagged: bool


@dataclass(frozen=True)
class Driver:
    """An offence subgroup behind a flagged group's ratio: the score it gives per person of the
    group (`group_mean`, in the method's units: CCHI days for `v100`) and per person ranked
    (`population_mean`), their `difference`, and the group's `allegations` of the subgroup."""

    dimension: str
    group: str
    subgroup: str
    group_mean: float
    population_mean: float
    difference: float
    allegations: int


@dataclass(frozen=True)
class DisparityReport:
    """The list (`listed` people, the first `top`) against the `population` ranked by `method` as
    of `as_of`; `rows` by dimension then group; `missing` counts the population and list with
    no value in each dimension; `drivers` for flagged groups; `min_count` and `band` the rules."""

    method: str
    as_of: str
    top: int
    population: int
    listed: int
    rows: tuple[GroupRow, ...]
    drivers: tuple[Driver, ...]
    # (dimension, in the population, on the list); None when suppressed
    missing: tuple[tuple[str, int | None, int | None], ...]
    min_count: int
    band: tuple[float, float]

    def to_json(self) -> str:
        data: dict[str, Any] = asdict(self)
        data["missing"] = [
            {"dimension": d, "population": p, "listed": n} for d, p, n in self.missing
        ]
        data["rules"] = rules(self.min_count, self.band)
        return json.dumps(data, indent=2, ensure_ascii=False)

    def to_markdown(self) -> str:
        lines = [
            f"# Disparity: {self.method} as of {self.as_of}",
            "",
            f"The first {self.listed:,} listed (top {self.top:,}) against the {self.population:,} "
            f"people {self.method} ranked (everyone it could rank on that date).",
            "",
            rules(self.min_count, self.band),
            "",
            "Missing values: "
            + "; ".join(
                f"{d} {_count(p, self.min_count)} of {self.population:,} in the population, "
                f"{_count(n, self.min_count)} of {self.listed:,} on the list"
                for d, p, n in self.missing
            )
            + ".",
        ]
        for dimension in DIMENSIONS:
            lines += [
                "",
                f"## {dimension.capitalize()}",
                "",
                "| group | population | share | listed | share | ratio | 95% interval | |",
                "|---|---:|---:|---:|---:|---:|---|---|",
            ]
            for r in self.rows:
                if r.dimension != dimension:
                    continue
                if r.suppressed:
                    pop = _count(r.population, self.min_count)
                    lst = _count(r.listed, self.min_count)
                    lines.append(f"| {r.group} | {pop} | - | {lst} | - | - | - | suppressed |")
                    continue
                interval = f"{_pct(r.low)} to {_pct(r.high)}"
                ratio = "-" if r.ratio is None else f"{r.ratio:.2f}"
                lines.append(
                    f"| {r.group} | {r.population:,} | {_pct(r.population_share)} | "
                    f"{r.listed:,} | {_pct(r.list_share)} | {ratio} | {interval} | "
                    f"{'flagged' if r.flagged else ''} |"
                )
        lines += ["", "## What drives the flagged differences", ""]
        if not self.drivers:
            lines.append("No group's ratio is outside the band, or none can be shown.")
        else:
            lines += [
                f"Score ({self.method}) from each offence subgroup per person in the group and "
                "per person ranked; the differences over all subgroups add up to the difference "
                "in mean score.",
                "",
                "| dimension | group | offence subgroup | per person in group | per person ranked "
                "| difference | group's allegations |",
                "|---|---|---|---:|---:|---:|---:|",
            ]
            for d in self.drivers:
                lines.append(
                    f"| {d.dimension} | {d.group} | {d.subgroup} | {d.group_mean:,.1f} | "
                    f"{d.population_mean:,.1f} | {d.difference:+,.1f} | {d.allegations:,} |"
                )
        return "\n".join(lines) + "\n"


def rules(min_count: int, band: tuple[float, float]) -> str:
    """The suppression and flagging rules in words (for the report and the DPIA export)."""
    return (
        f"Groups with 1 to {min_count - 1} people in the population or on the list are "
        f"suppressed (shown as <{min_count}, no shares). A ratio of list share to population "
        f"share outside [{band[0]:g}, {band[1]:g}] is flagged for a closer look: a question, not "
        "a finding. Intervals are 95% Wilson intervals for the list share. Age is in full years "
        "on the date; ethnicity is self-defined, by census group."
    )


def groups(people: pl.DataFrame, on: date) -> pl.DataFrame:
    """`person_ref` with its `age`, `sex` and `ethnicity` group on `on`, from `date_of_birth`,
    `sex` and `ethnicity` (each may be null)."""
    for column in ("person_ref", "date_of_birth", "sex", "ethnicity"):
        if column not in people.columns:
            raise RankingError(f"people: no column {column} (see extract.py)")
    born = people["date_of_birth"].to_list()
    sexes = people["sex"].to_list()
    codes = people["ethnicity"].to_list()
    return pl.DataFrame(
        {
            "person_ref": people["person_ref"],
            "age": [age_band(b, on) for b in born],
            "sex": [s if s in ("female", "male") else UNKNOWN for s in sexes],
            "ethnicity": [ethnic_group(c) for c in codes],
        },
        schema={
            "person_ref": pl.String,
            "age": pl.String,
            "sex": pl.String,
            "ethnicity": pl.String,
        },
    )


def disparity(
    people: pl.DataFrame,
    ranked: Sequence[str],
    listed: Sequence[str],
    contributions: pl.DataFrame,
    *,
    as_of: date,
    method: str,
    top: int,
    min_count: int = 5,
    band: tuple[float, float] = (0.8, 1.25),
) -> DisparityReport:
    """The disparity report (see the module docstring).

    `people`: `person_ref, date_of_birth, sex, ethnicity` for at least everyone `ranked` (the
    population: every person the method ranked); `listed`: the first `top` of them;
    `contributions`: `person_ref, subgroup, contribution`, one row per allegation (a fitted
    `Ranking.contributions_`). A listed person not ranked, or a ranked one without a row in
    `people`, is refused: the shares would be of the wrong people."""
    if min_count < 1:
        raise RankingError(f"min_count: {min_count} is not at least 1")
    population = pl.DataFrame({"person_ref": list(ranked)}, schema={"person_ref": pl.String})
    if population["person_ref"].n_unique() != population.height:
        raise RankingError("ranked: a person appears twice")
    on_list = set(listed)
    if not on_list <= set(ranked):
        raise RankingError("listed: a person who is not among those ranked")
    table = population.join(groups(people, as_of), on="person_ref", how="left")
    if table["age"].null_count():
        raise RankingError(f"people: {table['age'].null_count():,} ranked person(s) without a row")
    table = table.with_columns(listed=pl.col("person_ref").is_in(list(on_list)))
    n_pop, n_list = table.height, len(on_list)
    rows: list[GroupRow] = []
    missing: list[tuple[str, int | None, int | None]] = []
    for dimension in DIMENSIONS:
        counts = (
            table.group_by(dimension)
            .agg(population=pl.len(), listed=pl.col("listed").sum())
            .sort(dimension)
        )
        found = {r[dimension]: (r["population"], r["listed"]) for r in counts.iter_rows(named=True)}
        gap_p, gap_k = found.get(MISSING[dimension], (0, 0))
        missing.append((dimension, _shown(gap_p, min_count), _shown(gap_k, min_count)))
        for group in _order(dimension, found):
            p, k = found[group]
            rows.append(_row(dimension, group, p, k, n_pop, n_list, min_count, band))
    drivers = _drivers(rows, table, contributions, min_count)
    return DisparityReport(
        method, as_of.isoformat(), top, n_pop, n_list, tuple(rows), drivers,
        tuple(missing), min_count, band,
    )  # fmt: skip


def _order(dimension: str, found: dict[str, tuple[int, int]]) -> list[str]:
    """Groups in reading order: age bands youngest first, then alphabetical; missing last."""
    if dimension == "age":
        known = [label for label, _, _ in AGE_BANDS if label in found]
    else:
        known = sorted(g for g in found if g != MISSING[dimension])
    return known + ([MISSING[dimension]] if MISSING[dimension] in found else [])


def _row(
    dimension: str,
    group: str,
    p: int,
    k: int,
    n_pop: int,
    n_list: int,
    min_count: int,
    band: tuple[float, float],
) -> GroupRow:
    if 0 < p < min_count or 0 < k < min_count:
        return GroupRow(
            dimension, group, _shown(p, min_count), _shown(k, min_count),
            None, None, None, None, None, True, False,
        )  # fmt: skip
    pop_share = p / n_pop if n_pop else 0.0
    list_share = k / n_list if n_list else 0.0
    ratio = list_share / pop_share if pop_share > 0 else None
    low, high = wilson(k, n_list)
    flagged = ratio is not None and n_list > 0 and not band[0] <= ratio <= band[1]
    return GroupRow(dimension, group, p, k, pop_share, list_share, ratio, low, high, False, flagged)


def _drivers(
    rows: Sequence[GroupRow],
    table: pl.DataFrame,
    contributions: pl.DataFrame,
    min_count: int,
    per_group: int = 3,
) -> tuple[Driver, ...]:
    flagged = [r for r in rows if r.flagged]
    if not flagged:
        return ()
    parts = contributions.select("person_ref", "subgroup", "contribution").join(
        table, on="person_ref"
    )
    everyone = _per_person(parts, table.height)
    out: list[Driver] = []
    for r in flagged:
        size = r.population or 0
        mine = _per_person(parts.filter(pl.col(r.dimension) == r.group), size)
        found = []
        for subgroup in sorted(set(everyone) | set(mine)):
            mean, n = mine.get(subgroup, (0.0, 0))
            if 0 < n < min_count:
                continue
            overall = everyone.get(subgroup, (0.0, 0))[0]
            found.append(Driver(r.dimension, r.group, subgroup, mean, overall, mean - overall, n))
        found.sort(key=lambda d: (-abs(d.difference), d.subgroup))
        out.extend(found[:per_group])
    return tuple(out)


def _per_person(parts: pl.DataFrame, people: int) -> dict[str, tuple[float, int]]:
    """Each subgroup's summed contribution per person of `people`, and its allegations."""
    by = parts.group_by("subgroup").agg(score=pl.col("contribution").sum(), n=pl.len())
    return {
        r["subgroup"]: ((r["score"] / people) if people else 0.0, r["n"])
        for r in by.iter_rows(named=True)
    }


def _shown(value: int, min_count: int) -> int | None:
    """A count as a report may carry it: None when it is too small to show."""
    return None if 0 < value < min_count else value


def _count(value: int | None, min_count: int) -> str:
    return f"<{min_count}" if value is None else f"{value:,}"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def ranking_disparity(
    fitted: Ranking,
    people: pl.DataFrame,
    *,
    as_of: date,
    top: int,
    min_count: int = 5,
    band: tuple[float, float] = (0.8, 1.25),
) -> DisparityReport:
    """`disparity` of a fitted ranking's first `top` against everyone it ranked."""
    if not hasattr(fitted, "scores_"):
        raise RankingError("this ranking is not fitted yet: call fit() first")
    ranked = fitted.scores_["person"].to_list()
    return disparity(
        people,
        ranked,
        ranked[:top],
        fitted.contributions_,
        as_of=as_of,
        method=fitted.method,
        top=top,
        min_count=min_count,
        band=band,
    )
