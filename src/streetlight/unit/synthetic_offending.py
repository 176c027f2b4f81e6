"""The synthetic force's offending: who offends, how often, how seriously, against whom.

Synthetic: a model of offending, not anyone's record. `synthetic.py`'s docstring says what it is
calibrated to and what it leaves out.

The model, per perpetrator (vectorised over all of them; no loop over rows):
- a latent propensity `z ~ N(0, 1)`, which sets both how long the career of reported offences runs
  and how short the gaps between them are, so that offending is heavy-tailed and persistent: most
  perpetrators come to notice once, a few again and again (Barnham, Barnes & Sherman 2017: 77.6%
  of 52,296 intimate-partner perpetrators had no further crime report within 731 days);
- a career of `K` offences, `K - 1 ~ Geometric` with continuation probability
  `q = logistic(a + b z)`: after each offence another follows with probability `q`. A mixture of
  geometrics over `z` gives what Barnham et al. found: the chance of a further offence rises with
  the number already reported (those still offending are the persistent ones);
- gaps between offences Gamma-distributed with shape below one (bursts and lulls), their mean
  shrinking with `z`; for an escalating minority the gaps shorten and the offences grow more
  serious with each one (the field finds escalation in some careers, not on average: Bland & Ariel
  2015; Barnham et al. 2017);
- a severity index `s` correlated with `z` (0.7), which decides whether each offence is serious
  (injury, rape, homicide): for partner abuse P(serious) = logistic(6 (s - 2.3)), so serious
  harm is concentrated in a "power few" (3% of perpetrators cause 90% of the harm in Barnham et
  al.), while most perpetrators' reported offences are common assault, harassment, coercive
  control and criminal damage (`Acts`);
- a kind: intimate partner abuse, other domestic abuse (family), sexual offending (against adults
  or children, by strangers, acquaintances or family) or stalking and harassment outside a
  relationship, each with its offence types, its victims and its places;
- victims: each offence is against the current victim, a new one (a new partner, for serial
  sexual offenders usually a new victim each time) or, for intimate partner abuse, a former
  partner again (the offences against an ex-partner: stalking, harassment, criminal damage).

Times are in days from the start of the extract (local); `synthetic.generate` turns them into
date-times with the time-of-day and day-of-week patterns and the reporting delays.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from streetlight.db.enums import Relationship, Sex
from streetlight.unit import synthetic_people as people

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


class Kind(enum.IntEnum):
    """What a perpetrator's offending is mostly about."""

    INTIMATE = 0  # partners and ex-partners
    FAMILY = 1  # other domestic abuse
    SEXUAL = 2  # sexual offences outside a relationship
    STALKING = 3  # stalking and harassment outside a relationship


class Table(enum.IntEnum):
    """Which offence-type table an offence is drawn from (and its time-of-day profile)."""

    INTIMATE = 0
    FAMILY = 1
    SEXUAL_ADULT = 2
    SEXUAL_CHILD = 3
    STALKING = 4
    CONTEXT = 5  # the same people's offences that are not violence against women and girls


# Relationships as small integers (index into this tuple); -1 = not recorded.
RELATIONSHIPS: tuple[Relationship, ...] = tuple(Relationship)
PARTNER, EX_PARTNER, FAMILY, ACQUAINTANCE, STRANGER, UNKNOWN = range(6)
NOT_RECORDED = -1

# What an offence is, before the victim's age and sex give its Home Office code: most acts are a
# code already; the abstract ones (upper-case words) are resolved by `resolve_codes`.
RAPE, SEXUAL_ASSAULT, CHILD_ACTIVITY, GROOMING = (
    "RAPE",
    "SEXUAL_ASSAULT",
    "CHILD_ACTIVITY",
    "GROOMING",
)


@dataclass(frozen=True)
class Acts:
    """What offences a table's offences are: a share of them serious (`severe`: injury, rape,
    burglary of the victim's home, homicide), the more so the higher the offender's severity
    index, the rest the usual run (`usual`: common assault, harassment, coercive control,
    criminal damage...). Within each list, types are drawn by their weights.

    P(severe | severity s) = logistic(steepness * (s - threshold)): half the offences of someone
    at the threshold are severe, almost none of someone a couple of units below it. A steep curve
    puts the serious harm in few hands, as the field finds (Barnham et al. 2017: 3% of
    perpetrators cause 90% of the harm)."""

    usual: tuple[tuple[str, float], ...]
    severe: tuple[tuple[str, float], ...]
    threshold: float
    steepness: float


# The weights follow the shape of police-recorded domestic abuse and sexual offences in England
# and Wales (ONS, "Domestic abuse in England and Wales overview"; "Sexual offences in England and
# Wales overview"), except that serious offences are rarer and far more concentrated than the
# national mix suggests: see `synthetic.py` on what the calibration leaves out.
ACTS: dict[Table, Acts] = {
    Table.INTIMATE: Acts(
        usual=(
            ("105A", 0.34),  # assault without injury
            ("8U", 0.16),  # controlling or coercive behaviour
            ("8L", 0.20),  # harassment
            ("8Q", 0.07),  # stalking
            ("58J", 0.13),  # criminal damage to a dwelling
            ("9A", 0.05),  # threats to kill
        ),
        severe=(
            ("8N", 0.28),  # assault with injury
            (RAPE, 0.60),
            (SEXUAL_ASSAULT, 0.05),
            ("5D", 0.04),  # assault with intent to cause serious harm
            ("28E", 0.02),  # burglary of the victim's home
            ("2", 0.007),  # attempted murder
            ("1", 0.003),  # murder
        ),
        threshold=2.3,
        steepness=6.0,
    ),
    Table.FAMILY: Acts(
        usual=(("105A", 0.50), ("8L", 0.18), ("58J", 0.22), ("9A", 0.10)),
        severe=(("8N", 0.85), ("5D", 0.08), ("28E", 0.06), ("1", 0.01)),
        threshold=3.0,
        steepness=6.0,
    ),
    Table.SEXUAL_ADULT: Acts(
        usual=((SEXUAL_ASSAULT, 0.75), ("88E", 0.25)),  # 88E: exposure and voyeurism
        severe=((RAPE, 1.0),),
        threshold=2.0,
        steepness=1.5,
    ),
    Table.SEXUAL_CHILD: Acts(
        usual=((SEXUAL_ASSAULT, 0.45), (CHILD_ACTIVITY, 0.30), (GROOMING, 0.15), ("88E", 0.10)),
        severe=((RAPE, 1.0),),
        threshold=2.0,
        steepness=1.5,
    ),
    Table.STALKING: Acts(
        usual=(("8Q", 0.40), ("8L", 0.40), ("9A", 0.08), ("58J", 0.06), ("105A", 0.06)),
        severe=(("8N", 1.0),),
        threshold=3.5,
        steepness=2.5,
    ),
    Table.CONTEXT: Acts(
        usual=(("105A", 0.55), ("105B", 0.05), ("58J", 0.40)),
        severe=(("8N", 0.55), ("8P", 0.03), ("28E", 0.35), ("5D", 0.07)),
        threshold=1.5,
        steepness=1.5,
    ),
}


@dataclass(frozen=True)
class Calibration:
    """The generator's free parameters, chosen by measurement (`benchmarks/bench_unit_synthetic.py`
    prints the published figures they give). Rates are per offence; days are days."""

    kind_shares: tuple[float, float, float, float] = (0.60, 0.14, 0.16, 0.10)  # by `Kind`
    # A sexual offender's relationship to victims: stranger, acquaintance, family, unknown.
    sexual_relationships: tuple[float, float, float, float] = (0.48, 0.40, 0.04, 0.08)
    continue_logit: float = -1.85  # logit of the chance of a further offence at propensity 0
    continue_slope: float = 1.45  # ... per standard deviation of propensity
    continue_max: float = 0.97
    gap_days: float = 200.0  # mean gap between offences at propensity 0
    gap_slope: float = 0.15  # log of the mean gap, per standard deviation of propensity (down)
    gap_shape: float = 0.7  # Gamma shape of the gaps (below 1: bursts)
    severity_correlation: float = 0.7  # between the severity index and the propensity
    severity_shift: float = 0.0  # added to every severity index
    escalating_share: float = 0.2  # perpetrators whose offences grow more serious and frequent
    escalation_step: float = 0.2  # severity added per earlier offence (up to 8 of them)
    acceleration: float = 0.95  # an escalating perpetrator's gaps shrink by this per offence
    new_partner: float = 0.18  # chance an intimate-partner offence is against a new partner
    former_partner: float = 0.1  # ... against a former partner again
    burn_in_years: float = 3.0  # careers start this long before the extract (so some are mid-way)
    context_per_offence: float = 0.12  # non-VAWG offences per offence of the same perpetrator
    counter_allegation: float = 0.03  # intimate-partner offences answered by a counter-allegation


@dataclass(frozen=True)
class Perpetrators:
    """One entry per perpetrator (index = person id; they come first in the person numbering)."""

    kind: IntArray  # `Kind`
    propensity: FloatArray
    severity: FloatArray
    escalates: BoolArray
    entry: FloatArray  # day of the first offence (from the extract's start; negative = before)
    sex: npt.NDArray[np.str_]
    age: FloatArray  # years, at entry
    home_x: FloatArray
    home_y: FloatArray
    relationship: IntArray  # for sexual and stalking kinds: to all their victims
    children: BoolArray  # sexual kind: offends against children

    def __len__(self) -> int:
        return len(self.kind)


def perpetrators(rng: np.random.Generator, n: int, span: float, cal: Calibration) -> Perpetrators:
    """`n` perpetrators whose first offences fall uniformly over the burn-in and the extract
    (`span` days from its start)."""
    shares = np.array(cal.kind_shares)
    kind = rng.choice(len(Kind), size=n, p=shares / shares.sum()).astype(np.int64)
    z = rng.normal(size=n)
    rho = cal.severity_correlation
    severity = rho * z + np.sqrt(1.0 - rho**2) * rng.normal(size=n) + cal.severity_shift
    entry = rng.uniform(-cal.burn_in_years * 365.25, span, n)
    p_male = np.array([0.84, 0.70, 0.97, 0.80])[kind]
    sex = people.sexes(rng, p_male)
    age = people.suspect_ages(rng, kind == Kind.SEXUAL)
    home_x, home_y = people.homes(rng, n)
    # Stalkers outside a relationship: acquaintance 55%, stranger 25%, unknown 20%.
    shares = np.array(cal.sexual_relationships)
    sexual_rel = rng.choice([STRANGER, ACQUAINTANCE, FAMILY, UNKNOWN], n, p=shares / shares.sum())
    stalking_rel = rng.choice([ACQUAINTANCE, STRANGER, UNKNOWN], n, p=[0.55, 0.25, 0.20])
    relationship = np.where(
        kind == Kind.SEXUAL,
        sexual_rel,
        np.where(
            kind == Kind.STALKING, stalking_rel, np.where(kind == Kind.FAMILY, FAMILY, PARTNER)
        ),
    ).astype(np.int64)
    # Who offends against children: within the family most, strangers least.
    p_child = np.select(
        [relationship == FAMILY, relationship == ACQUAINTANCE, relationship == STRANGER],
        [0.7, 0.4, 0.1],
        0.3,
    )
    children = (kind == Kind.SEXUAL) & (rng.random(n) < p_child) & (age >= 18.0)
    return Perpetrators(
        kind=kind,
        propensity=z,
        severity=severity,
        escalates=rng.random(n) < cal.escalating_share,
        entry=entry,
        sex=sex,
        age=age,
        home_x=home_x,
        home_y=home_y,
        relationship=relationship,
        children=children,
    )


@dataclass(frozen=True)
class Careers:
    """One row per offence of a perpetrator, in time order within each perpetrator."""

    perp: IntArray
    seq: IntArray  # 0 for a perpetrator's first offence
    day: FloatArray  # when it happened, days from the extract's start
    table: IntArray  # `Table`
    act: npt.NDArray[np.object_]
    victim: IntArray  # victim number, 0.. (a victim is one person)
    relationship: IntArray


def lookup(keys: npt.NDArray[Any], table: Mapping[Any, Any]) -> npt.NDArray[Any]:
    """`table[k]` for every key, as objects (a KeyError names a key missing from the table)."""
    return np.array([table[k] for k in keys.tolist()], dtype=object)


def none_where(mask: BoolArray, values: npt.NDArray[Any]) -> npt.NDArray[np.object_]:
    """`values` as objects, with None where `mask` (a value not recorded)."""
    out = values.astype(object)
    out[mask] = None
    return out


def _within(group_start: BoolArray) -> IntArray:
    """For rows in groups (a group starts where `group_start`), each row's group start index."""
    idx = np.arange(len(group_start))
    return np.maximum.accumulate(np.where(group_start, idx, 0))


def _cumsum_within(values: FloatArray, group_start: BoolArray) -> FloatArray:
    """Running sums that restart at each group start."""
    total = np.cumsum(values)
    start = _within(group_start)
    return total - total[start] + values[start]


def careers(
    rng: np.random.Generator, perps: Perpetrators, span: float, cal: Calibration
) -> Careers:
    """Every offence of every perpetrator that happens before the extract ends (`span` days)."""
    z = perps.propensity
    q = 1.0 / (1.0 + np.exp(-(cal.continue_logit + cal.continue_slope * z)))
    q = np.minimum(q, cal.continue_max)
    k = np.minimum(rng.geometric(1.0 - q), 400).astype(np.int64)
    perp = np.repeat(np.arange(len(perps), dtype=np.int64), k)
    first = np.ones(len(perp), dtype=bool)
    first[1:] = perp[1:] != perp[:-1]
    seq = np.arange(len(perp)) - _within(first)
    mean_gap = cal.gap_days * np.exp(-cal.gap_slope * z[perp])
    mean_gap = np.where(
        perps.escalates[perp],
        np.maximum(mean_gap * cal.acceleration ** np.minimum(seq, 20), 3.0),
        mean_gap,
    )
    gaps = rng.gamma(cal.gap_shape, mean_gap / cal.gap_shape)
    gaps[first] = 0.0
    day = perps.entry[perp] + _cumsum_within(gaps, first)
    keep = day < span
    perp, seq, day, first = perp[keep], seq[keep], day[keep], first[keep]

    table = _tables(perps, perp)
    severity = perps.severity[perp] + np.where(
        perps.escalates[perp], cal.escalation_step * np.minimum(seq, 8), 0.0
    )
    act = _draw_acts(rng, table, severity)
    # Nobody offends after a murder (prison); drop a murderer's later offences.
    murder = act == "1"
    if murder.any():
        murder_seq = np.full(len(perps), np.iinfo(np.int64).max)
        np.minimum.at(murder_seq, perp[murder], seq[murder])
        alive = seq <= murder_seq[perp]
        perp, seq, day, table, act = perp[alive], seq[alive], day[alive], table[alive], act[alive]
        first = first[alive]

    victim, relationship = _victims(rng, perps, perp, seq, act, cal)
    return Careers(perp, seq, day, table, act, victim, relationship)


def _tables(perps: Perpetrators, perp: IntArray) -> IntArray:
    kind = perps.kind[perp]
    return np.select(
        [
            kind == Kind.INTIMATE,
            kind == Kind.FAMILY,
            (kind == Kind.SEXUAL) & perps.children[perp],
            kind == Kind.SEXUAL,
        ],
        [Table.INTIMATE, Table.FAMILY, Table.SEXUAL_CHILD, Table.SEXUAL_ADULT],
        Table.STALKING,
    ).astype(np.int64)


def _draw_acts(
    rng: np.random.Generator, table: IntArray, severity: FloatArray
) -> npt.NDArray[np.object_]:
    """One act per row: severe with its table's chance at the row's severity, then a type by
    weight within the usual or the severe list."""
    act = np.empty(len(table), dtype=object)
    for t, acts in ACTS.items():
        rows = np.flatnonzero(table == t)
        if not len(rows):
            continue
        p_severe = 1.0 / (1.0 + np.exp(-acts.steepness * (severity[rows] - acts.threshold)))
        severe = rng.random(len(rows)) < p_severe
        for chosen, choices in ((severe, acts.severe), (~severe, acts.usual)):
            names = np.array([c[0] for c in choices], dtype=object)
            weights = np.array([c[1] for c in choices])
            picked = rng.choice(len(names), size=int(chosen.sum()), p=weights / weights.sum())
            act[rows[chosen]] = names[picked]
    return act


def _victims(
    rng: np.random.Generator,
    perps: Perpetrators,
    perp: IntArray,
    seq: IntArray,
    act: npt.NDArray[np.object_],
    cal: Calibration,
) -> tuple[IntArray, IntArray]:
    """Each offence's victim (numbered 0.. over all perpetrators) and relationship."""
    n = len(perp)
    first = seq == 0
    kind = perps.kind[perp]
    rel = perps.relationship[perp]
    # Chance that a later offence is against someone new: a new partner; for sexual offending
    # by strangers nearly always a new victim, within a family seldom.
    p_new = np.select(
        [
            kind == Kind.INTIMATE,
            kind == Kind.FAMILY,
            kind == Kind.STALKING,
            rel == STRANGER,
            rel == ACQUAINTANCE,
            rel == FAMILY,
        ],
        [cal.new_partner, 0.15, 0.15, 0.75, 0.3, 0.15],
        0.5,
    )
    u = rng.random(n)
    new = first | (u < p_new)
    # Intimate partner abuse also returns to a former partner.
    number = (_cumsum_within(new.astype(np.float64), first) - 1.0).astype(np.int64)
    back = ~new & (kind == Kind.INTIMATE) & (number >= 1) & (u < p_new + cal.former_partner)
    earlier = np.floor(rng.random(n) * np.maximum(number, 1)).astype(np.int64)
    number = np.where(back, earlier, number)
    per_perp = np.bincount(perp, weights=new.astype(np.float64), minlength=len(perps)).astype(
        np.int64
    )
    base = np.concatenate([[0], np.cumsum(per_perp)[:-1]])
    victim = base[perp] + number
    # The current partner is still a partner six times in ten, else an ex-partner.
    current = np.where(rng.random(n) < 0.6, PARTNER, EX_PARTNER)
    intimate = np.where(back, EX_PARTNER, current)
    relationship = np.where(kind == Kind.INTIMATE, intimate, rel).astype(np.int64)
    # Stalking of an ex-partner is recorded as such.
    relationship = np.where(
        (kind == Kind.INTIMATE) & (act == "8Q"), EX_PARTNER, relationship
    ).astype(np.int64)
    return victim, relationship


@dataclass(frozen=True)
class Victims:
    """One entry per victim of the careers (numbered as `Careers.victim`)."""

    perp: IntArray  # the perpetrator of the first offence against them
    first_day: FloatArray
    sex: npt.NDArray[np.str_]
    age: FloatArray  # years, at `first_day`
    home_x: FloatArray
    home_y: FloatArray


def victims(rng: np.random.Generator, perps: Perpetrators, c: Careers) -> Victims:
    """Who the victims are: a partner of about the perpetrator's age and the other sex (one in
    twenty the same sex); family of the generation above, the same or below; for sexual
    offences mostly women and girls, children when the perpetrator offends against children."""
    n = int(c.victim.max()) + 1 if len(c.victim) else 0
    first_row = np.full(n, len(c.victim), dtype=np.int64)
    np.minimum.at(first_row, c.victim, np.arange(len(c.victim)))
    perp = c.perp[first_row]
    first_day = c.day[first_row]
    kind = perps.kind[perp]
    perp_age = perps.age[perp] + (first_day - perps.entry[perp]) / 365.25
    perp_male = perps.sex[perp] != Sex.FEMALE.value

    opposite = rng.random(n) < 0.95
    p_male = np.select(
        [kind == Kind.INTIMATE, kind == Kind.FAMILY, kind == Kind.SEXUAL],
        [np.where(perp_male == opposite, 0.0, 1.0), 0.25, 0.12],
        0.15,
    )
    sex = people.sexes(rng, p_male)

    partner_age = np.maximum(perp_age + rng.normal(-1.5, 5.0, n), 16.0)
    generation = rng.choice([25.0, 0.0, -25.0], n, p=[0.4, 0.25, 0.35])
    family_age = np.maximum(perp_age + generation + rng.normal(0.0, 4.0, n), 16.0)
    child_age = rng.uniform(5.0, 16.0, n)
    adult_age = people.adult_ages(rng, n, 28.0)
    age = np.select(
        [kind == Kind.INTIMATE, kind == Kind.FAMILY, perps.children[perp]],
        [partner_age, family_age, child_age],
        adult_age,
    )
    age = np.minimum(age, 95.0)
    # A partner lives with the perpetrator half the time, else nearby; family likewise; others
    # anywhere in the area.
    near_x = perps.home_x[perp] + rng.normal(0.0, 1_500.0, n)
    near_y = perps.home_y[perp] + rng.normal(0.0, 1_500.0, n)
    away_x, away_y = people.homes(rng, n)
    together = rng.random(n) < 0.5
    close = (kind == Kind.INTIMATE) | (kind == Kind.FAMILY) | (perps.relationship[perp] == FAMILY)
    x = np.where(close, np.where(together, perps.home_x[perp], near_x), away_x)
    y = np.where(close, np.where(together, perps.home_y[perp], near_y), away_y)
    x, y = people.clip_to_box(x, y)
    return Victims(perp, first_day, sex, age, x, y)


def resolve_codes(
    act: npt.NDArray[np.object_],
    victim_male: BoolArray,
    victim_age: FloatArray,
    suspect_female: BoolArray,
) -> npt.NDArray[np.object_]:
    """Home Office codes for the acts: the sexual offences' codes depend on the victim's sex and
    age at the offence (rape of a female child under 13 is 19E, of a woman 19C, ...). Rape in
    England and Wales is penetration with a penis, so a woman's act is recorded as a sexual
    assault."""
    age = victim_age
    male = victim_male
    act = np.where((act == RAPE) & suspect_female, SEXUAL_ASSAULT, act)
    rape = np.select(
        [male & (age < 13), male & (age < 16), male, age < 13, age < 16],
        ["19H", "19G", "19F", "19E", "19D"],
        "19C",
    )
    assault = np.select([male & (age < 13), male, age < 13], ["17B", "17A", "20B"], "20A")
    child = np.where((age >= 13) & (age < 16), "22B", assault)
    grooming = np.where(age < 16, "88A", assault)
    out = np.where(
        act == RAPE,
        rape,
        np.where(
            act == SEXUAL_ASSAULT,
            assault,
            np.where(act == CHILD_ACTIVITY, child, np.where(act == GROOMING, grooming, act)),
        ),
    )
    return out.astype(object)


def context_offences(
    rng: np.random.Generator, perps: Perpetrators, c: Careers, span: float, cal: Calibration
) -> tuple[IntArray, FloatArray, npt.NDArray[np.object_]]:
    """The same perpetrators' other offences (assaults on men, burglary, damage): the minority
    of an offender unit's extract that is not violence against women and girls. About
    `context_per_offence` per offence of theirs, spread over their active years.

    Returns (perpetrator, day, act) per offence."""
    count = np.bincount(c.perp, minlength=len(perps)).astype(np.float64)
    extra = rng.poisson(cal.context_per_offence * count)
    perp = np.repeat(np.arange(len(perps), dtype=np.int64), extra)
    first = np.full(len(perps), np.inf)
    last = np.full(len(perps), -np.inf)
    np.minimum.at(first, c.perp, c.day)
    np.maximum.at(last, c.perp, c.day)
    lo = first[perp] - 90.0
    hi = np.minimum(last[perp] + 365.0, span)
    day = lo + rng.random(len(perp)) * np.maximum(hi - lo, 1.0)
    act = _draw_acts(rng, np.full(len(perp), Table.CONTEXT, dtype=np.int64), perps.severity[perp])
    return perp, day, act
