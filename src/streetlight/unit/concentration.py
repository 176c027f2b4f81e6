"""How concentrated the harm in an extract is, measured as three published studies measured it.

Works on any extract's canonical frames (`extract.OFFENCES` and `extract.LINKS`), real or
synthetic; the synthetic force is calibrated with it (`synthetic.py`), and a force can hold its
own records up to the same figures. Harm per offence is the CCHI median days of the offence's
Home Office subgroup (`harm.read_subgroup_harm`, via the offence-code list); an offence's VAWG
flag is its `vawg` column, or its code's default where that is empty.

1. `intimate_partner_cohort`: Barnham, Barnes & Sherman 2017, "Targeting escalation of intimate
   partner violence: evidence from 52,000 offenders", Cambridge Journal of Evidence-Based Policing
   1(2-3). Perpetrators whose first reported intimate-partner offence falls in an intake period,
   each followed for 731 days from it: the share with no further report (77.6% in Thames
   Valley) and the share of the cohort's harm caused by its most harmful 3% (90%).
2. `dyad_concentration`: Bland & Ariel 2015, "Targeting escalation in reported domestic abuse:
   evidence from 36,000 callouts", International Criminal Justice Review 25(1). Domestic abuse
   harm summed per victim-offender pair: the smallest share of pairs that holds 80% of it ("less
   than 2%" in Suffolk) and the share of pairs reported only once (76% had no repeat).
3. `top_by_harm`: the Metropolitan Police's first "top 100" (2023): 100 men, 445 offences, 201
   victims, from about 35,000 men reported for VAWG offences a year. Suspects ranked by summed
   harm of VAWG offences reported in a year; the top `k` (100 scaled to the force's suspects that
   year), their offences and distinct victims per person.

Person data: these return counts and shares only, never who is in a top list.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import polars as pl

from streetlight.db.enums import PersonRole, Relationship
from streetlight.unit.extract import read_offence_codes
from streetlight.unit.harm import SubgroupHarm, read_subgroup_harm

FOLLOW_UP_DAYS = 731  # Barnham et al.'s observation period after each first report
TOP_SHARE = 0.03  # ... its "power few"
DYAD_HARM_SHARE = 0.8  # Bland & Ariel: the share of harm ...
LONDON_SUSPECTS_A_YEAR = 35_000  # Metropolitan Police: men reported for VAWG offences a year
LONDON_TOP = 100  # the first V100: 445 offences against 201 victims

INTIMATE = (Relationship.PARTNER.value, Relationship.EX_PARTNER.value)
DOMESTIC = (*INTIMATE, Relationship.FAMILY.value)


def weighed(offences: pl.DataFrame, harm: Mapping[str, SubgroupHarm] | None = None) -> pl.DataFrame:
    """The offences with `subgroup` (kept where the frame has it, as the casework tables do;
    else the code's, null for a code not in the list), `harm` (CCHI median days of the
    subgroup in `harm`, by default the packaged table; 0 for a subgroup not in it) and `is_vawg`
    (the `vawg` flag, else the code's default)."""
    codes = read_offence_codes()
    harm = read_subgroup_harm() if harm is None else harm
    days = {s: h.median_days for s, h in harm.items()}
    default = {c: o.vawg for c, o in codes.items()}
    if "subgroup" not in offences.columns:
        subgroups = {c: o.subgroup for c, o in codes.items()}
        offences = offences.with_columns(
            subgroup=pl.col("ho_code").replace_strict(
                subgroups, default=None, return_dtype=pl.String
            )
        )
    return offences.with_columns(
        harm=pl.col("subgroup").replace_strict(days, default=0.0, return_dtype=pl.Float64),
        is_vawg=pl.col("vawg").fill_null(
            pl.col("ho_code").replace_strict(default, default=False, return_dtype=pl.Boolean)
        ),
    )


def _suspected(offences: pl.DataFrame, links: pl.DataFrame) -> pl.DataFrame:
    """One row per (offence, suspect)."""
    suspects = links.filter(pl.col("role") == PersonRole.SUSPECT.value).select(
        "offence_ref", "person_ref"
    )
    return offences.join(suspects, on="offence_ref")


@dataclass(frozen=True)
class Cohort:
    """Barnham et al.'s figures: `perpetrators` in the intake, the share with `no_further`
    report within the follow-up, and `top_harm_share`, the harm share of the top 3%."""

    perpetrators: int
    no_further: float
    top_harm_share: float


def intimate_partner_cohort(
    offences: pl.DataFrame,
    links: pl.DataFrame,
    *,
    intake_start: datetime,
    intake_end: datetime,
    follow_up_days: int = FOLLOW_UP_DAYS,
) -> Cohort:
    """Suspects of VAWG offences against a partner or ex-partner whose first such report (in
    the whole extract) falls in [intake_start, intake_end), each followed for `follow_up_days`
    after it (the first report included in its harm)."""
    rows = _suspected(weighed(offences), links).filter(
        pl.col("is_vawg") & pl.col("relationship").is_in(INTIMATE)
    )
    follow = timedelta(days=follow_up_days)
    per = (
        rows.with_columns(first=pl.col("reported_at").min().over("person_ref"))
        .filter((pl.col("first") >= intake_start) & (pl.col("first") < intake_end))
        .filter(pl.col("reported_at") <= pl.col("first") + follow)
        .group_by("person_ref")
        .agg(reports=pl.len(), harm=pl.col("harm").sum())
    )
    n = per.height
    if n == 0:
        return Cohort(0, math.nan, math.nan)
    top = math.ceil(TOP_SHARE * n)
    harm = per["harm"].sort(descending=True)
    total = float(harm.sum())
    return Cohort(
        perpetrators=n,
        no_further=float(per.select((pl.col("reports") == 1).mean()).item()),
        top_harm_share=float(harm.head(top).sum()) / total if total else math.nan,
    )


@dataclass(frozen=True)
class Dyads:
    """Bland & Ariel's figures: `pairs` of suspect and victim, the smallest share of them that
    holds 80% of the harm, and the share reported only once."""

    pairs: int
    share_for_80: float
    single: float


def dyad_concentration(offences: pl.DataFrame, links: pl.DataFrame) -> Dyads:
    """Domestic abuse (relationship partner, ex-partner or family) harm per (suspect, victim)."""
    domestic = _suspected(weighed(offences), links).filter(pl.col("relationship").is_in(DOMESTIC))
    victims = links.filter(pl.col("role") == PersonRole.VICTIM.value).select(
        "offence_ref", victim="person_ref"
    )
    pairs = (
        domestic.join(victims, on="offence_ref")
        .group_by("person_ref", "victim")
        .agg(offences=pl.len(), harm=pl.col("harm").sum())
    )
    n = pairs.height
    if n == 0:
        return Dyads(0, math.nan, math.nan)
    harm = pairs["harm"].sort(descending=True)
    share = harm.cum_sum() / harm.sum()
    needed = int((share < DYAD_HARM_SHARE).sum()) + 1
    return Dyads(n, needed / n, float(pairs.select((pl.col("offences") == 1).mean()).item()))


@dataclass(frozen=True)
class Top:
    """The top `k` suspects by summed harm in a year, of `suspects` that year: their
    `offences` and distinct `victims` per person (London's V100: 4.45 and 2.01)."""

    suspects: int
    k: int
    offences: float
    victims: float


def top_by_harm(
    offences: pl.DataFrame,
    links: pl.DataFrame,
    *,
    until: datetime,
    days: int = 365,
    k: int | None = None,
) -> Top:
    """Suspects ranked by the summed harm of VAWG offences reported in the `days` before
    `until`; `k` defaults to London's 100 scaled by this force's suspects in that year against
    London's 35,000 (at least one). Ties in harm are broken by person reference."""
    since = until - timedelta(days=days)
    rows = _suspected(weighed(offences), links).filter(
        pl.col("is_vawg") & (pl.col("reported_at") >= since) & (pl.col("reported_at") < until)
    )
    per = rows.group_by("person_ref").agg(harm=pl.col("harm").sum())
    suspects = per.height
    if k is None:
        k = max(1, round(LONDON_TOP * suspects / LONDON_SUSPECTS_A_YEAR))
    top = per.sort(["harm", "person_ref"], descending=[True, False]).head(k)["person_ref"]
    if top.len() == 0:
        return Top(suspects, k, math.nan, math.nan)
    theirs = rows.filter(pl.col("person_ref").is_in(top.implode()))
    victims = links.filter(
        (pl.col("role") == PersonRole.VICTIM.value)
        & pl.col("offence_ref").is_in(theirs["offence_ref"].implode())
    )
    return Top(
        suspects=suspects,
        k=top.len(),
        offences=theirs.height / top.len(),
        victims=victims["person_ref"].n_unique() / top.len(),
    )


@dataclass(frozen=True)
class Figures:
    """The three studies' figures for one extract (see the module docstring)."""

    cohort: Cohort
    dyads: Dyads
    top: Top

    def lines(self) -> list[str]:
        """The figures beside the published ones, a line each, for printing."""
        c, d, t = self.cohort, self.dyads, self.top
        return [
            f"intimate-partner perpetrators in the intake: {c.perpetrators:,} (Thames Valley 52,296)",
            f"  no further report within 731 days: {c.no_further:.1%} (77.6%)",
            f"  harm share of the top 3%: {c.top_harm_share:.1%} (90%)",
            f"domestic abuse victim-offender pairs: {d.pairs:,}",
            f"  share of pairs holding 80% of the harm: {d.share_for_80:.2%} (Suffolk: under 2%)",
            f"  pairs reported once: {d.single:.1%} (Suffolk: 76%)",
            f"VAWG suspects in the last 365 days: {t.suspects:,} (London about 35,000)",
            f"  top {t.k} by harm: {t.offences:.2f} offences and {t.victims:.2f} victims each"
            " (London's top 100: 4.45 and 2.01)",
        ]


def measure(offences: pl.DataFrame, links: pl.DataFrame, *, start: date, end: date) -> Figures:
    """The three studies' figures for an extract covering [start, end): the intake is its first
    year (or less, so that every perpetrator has the full follow-up), the pairs span it all, the
    ranking is over its last 365 days."""
    t0 = datetime(start.year, start.month, start.day)
    t1 = datetime(end.year, end.month, end.day)
    intake_end = min(t0 + timedelta(days=365), t1 - timedelta(days=FOLLOW_UP_DAYS))
    return Figures(
        cohort=intimate_partner_cohort(offences, links, intake_start=t0, intake_end=intake_end),
        dyads=dyad_concentration(offences, links),
        top=top_by_harm(offences, links, until=t1),
    )
