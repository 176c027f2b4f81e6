"""The synthetic force's criminal-justice records: arrests, charges and outcomes, pre-charge bail
and release under investigation, protective orders and their breaches.

Synthetic: rates are plausible for domestic abuse and sexual offences in England and Wales, not
fitted to any force. What they follow:
- Arrest is likelier for injury and homicide than for harassment; a non-recent report is less
  often followed by an arrest. Few domestic abuse crimes are charged (around one in ten to one
  in six: Home Office, "Crime outcomes in England and Wales"); most end "Unable to prosecute
  suspect" (evidential difficulties, often because the victim does not support a prosecution).
- Released without charge: pre-charge bail (with conditions, an expiry, and the rank that
  authorised its length: 3 months an inspector, 6 a superintendent, 9 an assistant chief
  constable, beyond that a magistrates' court: PACE s47ZB-ZG as amended by the Police, Crime,
  Sentencing and Courts Act 2022, `db.enums.BAIL_MONTHS`) or released under investigation (no
  conditions, no end). The authority is the lowest that covers the time bail ran (up to the
  extract's end), so length and authority always agree.
- Orders: a domestic violence protection notice (48 hours) after some domestic abuse arrests,
  most followed by an order (14 to 28 days); non-molestation orders for repeat intimate-partner
  abuse; restraining orders on conviction (and sometimes on acquittal); stalking protection
  orders; sexual harm prevention orders on conviction for sexual offences. An order is breached
  when its subject offends against the protected person while it runs (the breach is that
  offence's time), and sometimes without a recorded offence.

Every function takes a numpy `Generator` and plain arrays; times are numpy `datetime64[m]` (local
date-times) and dates `datetime64[D]`, with NaT for none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from streetlight.db.enums import BAIL_MONTHS, BailAuthority, BailKind, OrderKind
from streetlight.unit import synthetic_offending as off

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
Minutes = npt.NDArray[np.datetime64]
ObjArray = npt.NDArray[np.object_]

NAT_M = np.datetime64("NaT", "m")
NAT_D = np.datetime64("NaT", "D")

# Per offence subgroup: chance of arrest; of a charge in custody; of a charge later (after bail
# or release under investigation); and whether a conviction is serious (custody likely).
_ARREST = {
    "Homicide": 0.98,
    "Violence with injury": 0.75,
    "Rape offences": 0.55,
    "Other sexual offences": 0.40,
    "Violence without injury": 0.50,
    "Stalking and harassment": 0.35,
    "Criminal damage": 0.35,
    "Residential burglary": 0.45,
}
_CHARGE_IN_CUSTODY = {
    "Homicide": 0.95,
    "Violence with injury": 0.22,
    "Rape offences": 0.03,
    "Other sexual offences": 0.05,
    "Violence without injury": 0.12,
    "Stalking and harassment": 0.12,
    "Criminal damage": 0.10,
    "Residential burglary": 0.15,
}
_CHARGE_LATER = {
    "Homicide": 0.9,
    "Violence with injury": 0.30,
    "Rape offences": 0.15,
    "Other sexual offences": 0.20,
    "Violence without injury": 0.18,
    "Stalking and harassment": 0.18,
    "Criminal damage": 0.20,
    "Residential burglary": 0.25,
}
_SERIOUS = {"Homicide", "Violence with injury", "Rape offences"}
_SEXUAL = {"Rape offences", "Other sexual offences"}

NO_CHARGE = (
    ("Unable to prosecute suspect", 0.80),
    ("Further investigation is not in the public interest", 0.08),
    ("Formal action is not in the public interest", 0.04),
    ("Offender given a caution", 0.06),
    ("Local resolution", 0.02),
)
COURT_SERIOUS = (
    ("Offender sent to prison", 0.45),
    ("Offender given suspended prison sentence", 0.20),
    ("Offender given community sentence", 0.10),
    ("Defendant found not guilty", 0.15),
    ("Court case unable to proceed", 0.08),
    ("Court result unavailable", 0.02),
)
COURT_OTHER = (
    ("Offender sent to prison", 0.10),
    ("Offender given suspended prison sentence", 0.15),
    ("Offender given community sentence", 0.25),
    ("Offender fined", 0.12),
    ("Offender given conditional discharge", 0.08),
    ("Defendant found not guilty", 0.15),
    ("Court case unable to proceed", 0.13),
    ("Court result unavailable", 0.02),
)
UNDER_INVESTIGATION = "Under investigation"
AWAITING_COURT = "Awaiting court outcome"
CONVICTED = frozenset(
    {
        "Offender sent to prison",
        "Offender given suspended prison sentence",
        "Offender given community sentence",
        "Offender fined",
        "Offender given conditional discharge",
    }
)


@dataclass(frozen=True)
class Cases:
    """The recorded offences with an identified suspect, one row per (offence, suspect)."""

    offence: IntArray  # row in the offences
    suspect: IntArray  # person id
    victim: IntArray  # person id
    subgroup: ObjArray
    code: ObjArray
    relationship: IntArray
    occurred: Minutes
    reported: Minutes


@dataclass(frozen=True)
class Arrests:
    case: IntArray  # row in `Cases`
    arrested: Minutes
    charged: Minutes
    outcome: ObjArray  # None where there is none yet
    outcome_at: Minutes


@dataclass(frozen=True)
class Bail:
    case: IntArray
    kind: ObjArray  # `BailKind` values
    starts: npt.NDArray[np.datetime64]  # datetime64[D]
    expires: npt.NDArray[np.datetime64]
    authority: ObjArray
    conditions: ObjArray
    victim_views_sought: ObjArray  # True, False or None


@dataclass(frozen=True)
class Orders:
    person: IntArray
    kind: ObjArray
    starts: npt.NDArray[np.datetime64]
    expires: npt.NDArray[np.datetime64]
    conditions: ObjArray
    protected: IntArray  # person id, -1 for none
    breached: Minutes


def _lookup(
    table: dict[str, float], keys: ObjArray, default: float = 0.0
) -> npt.NDArray[np.float64]:
    return off.lookup(keys, {k: table.get(k, default) for k in set(keys.tolist())}).astype(
        np.float64
    )


def _pick(rng: np.random.Generator, choices: tuple[tuple[str, float], ...], n: int) -> ObjArray:
    words = np.array([w for w, _ in choices], dtype=object)
    p = np.array([p for _, p in choices])
    return words[rng.choice(len(words), size=n, p=p / p.sum())]


def _minutes(rng: np.random.Generator, median: npt.NDArray[np.float64], sigma: float) -> IntArray:
    """Lognormal durations in whole minutes (at least one)."""
    return np.maximum(np.round(median * np.exp(sigma * rng.normal(size=len(median)))), 1).astype(
        np.int64
    )


def add_months(days: npt.NDArray[np.datetime64], months: IntArray) -> npt.NDArray[np.datetime64]:
    """Calendar months later, on the same day of the month or the month's last day (31 January
    plus one month is 28 or 29 February), as bail periods are counted."""
    month = days.astype("datetime64[M]")
    day = (days - month.astype("datetime64[D]")).astype(np.int64)
    target = month + months.astype("timedelta64[M]")
    last = (target + np.timedelta64(1, "M")).astype("datetime64[D]") - np.timedelta64(1, "D")
    out: npt.NDArray[np.datetime64] = np.minimum(
        target.astype("datetime64[D]") + day.astype("timedelta64[D]"), last
    )
    return out


def arrests(rng: np.random.Generator, cases: Cases, end: np.datetime64) -> tuple[Arrests, Bail]:
    """Arrests, charges and outcomes, and the bail or release under investigation between an
    arrest and the charging decision, as known at `end` (the extract's end, exclusive)."""
    n = len(cases.offence)
    sub = cases.subgroup
    sexual = np.isin(sub, list(_SEXUAL))
    historic = (cases.reported - cases.occurred) > np.timedelta64(365 * 1440, "m")
    p_arrest = _lookup(_ARREST, sub, 0.4) * np.where(historic, 0.6, 1.0)
    # Arrest hours after the report for violence, days for sexual offences and harassment.
    delay_median = np.select(
        [sexual, sub == "Stalking and harassment"], [7 * 1440.0, 2 * 1440.0], 240.0
    )
    arrested = cases.reported + _minutes(rng, delay_median, 1.1).astype("timedelta64[m]")
    arrest = (rng.random(n) < p_arrest) & (arrested < end)
    case = np.flatnonzero(arrest)
    arrested = arrested[case]
    sub = sub[case]
    sexual = sexual[case]
    m = len(case)

    charge_now = rng.random(m) < _lookup(_CHARGE_IN_CUSTODY, sub)
    released = ~charge_now
    u = rng.random(m)
    domestic_or_sexual = np.isin(
        cases.relationship[case], [off.PARTNER, off.EX_PARTNER, off.FAMILY]
    )
    domestic_or_sexual |= sexual
    p_bail = np.where(domestic_or_sexual, 0.55, 0.45)
    bailed = released & (u < p_bail)
    rui = released & ~bailed & (u < p_bail + 0.30)
    nfa_now = released & ~bailed & ~rui
    # The charging decision for those bailed or released under investigation: weeks for
    # domestic abuse, months for sexual offences.
    decision_days = np.exp(np.log(np.where(sexual, 180.0, 45.0)) + 0.8 * rng.normal(size=m))
    # ... taken in office hours, on a day after the arrest.
    office = rng.integers(9 * 60, 17 * 60, m).astype("timedelta64[m]")
    decided_day = arrested.astype("datetime64[D]") + np.maximum(np.round(decision_days), 1).astype(
        np.int64
    ).astype("timedelta64[D]")
    decided = decided_day.astype("datetime64[m]") + office
    later_charge = rng.random(m) < _lookup(_CHARGE_LATER, sub)
    pending = (bailed | rui) & (decided >= end)

    charged = np.where(
        charge_now,
        arrested + _minutes(rng, np.full(m, 300.0), 0.5).astype("timedelta64[m]"),
        np.where((bailed | rui) & later_charge & ~pending, decided, NAT_M),
    )
    is_charged = ~np.isnat(charged)
    court = charged + _minutes(
        rng, np.where(np.isin(sub, list(_SERIOUS)) | sexual, 300.0, 110.0) * 1440.0, 0.6
    ).astype("timedelta64[m]")
    serious = np.isin(sub, list(_SERIOUS))
    court_result = np.where(serious, _pick(rng, COURT_SERIOUS, m), _pick(rng, COURT_OTHER, m))
    no_charge = _pick(rng, NO_CHARGE, m)
    no_charge = np.where(
        (no_charge == "Local resolution") & (serious | sexual),
        "Unable to prosecute suspect",
        no_charge,
    )
    nfa_at = arrested + _minutes(rng, np.full(m, 600.0), 0.6).astype("timedelta64[m]")

    outcome = np.full(m, None, dtype=object)
    outcome_at = np.full(m, NAT_M)
    heard = is_charged & (court < end)
    waiting = is_charged & ~heard
    outcome[heard] = court_result[heard]
    outcome_at[heard] = court[heard]
    outcome[waiting] = AWAITING_COURT
    outcome_at[waiting] = charged[waiting]
    dropped_later = (bailed | rui) & ~pending & ~is_charged
    outcome[dropped_later] = no_charge[dropped_later]
    outcome_at[dropped_later] = decided[dropped_later]
    outcome[nfa_now] = no_charge[nfa_now]
    outcome_at[nfa_now] = nfa_at[nfa_now]
    outcome[pending] = UNDER_INVESTIGATION
    # A murder is always charged; nothing in custody after it goes otherwise in this model.

    arrest_rows = Arrests(case, arrested, charged, outcome, outcome_at)
    return arrest_rows, _bail(rng, cases, arrest_rows, bailed, rui, decided, end)


def _bail(
    rng: np.random.Generator,
    cases: Cases,
    a: Arrests,
    bailed: BoolArray,
    rui: BoolArray,
    decided: Minutes,
    end: np.datetime64,
) -> Bail:
    rows = np.flatnonzero(bailed | rui)
    case = a.case[rows]
    starts = a.arrested[rows].astype("datetime64[D]")
    is_bail = bailed[rows]
    # How long bail ran (to the decision, or to the extract's end if still running) decides who
    # had to authorise it: the lowest rank whose limit covers it.
    ran_until = np.minimum(decided[rows], end).astype("datetime64[D]")
    whole = ran_until.astype("datetime64[M]").astype(np.int64) - starts.astype(
        "datetime64[M]"
    ).astype(np.int64)
    months_needed = np.maximum(whole + (ran_until > add_months(starts, whole)), 1)
    ranks = [a for a in BailAuthority if BAIL_MONTHS[a] is not None]
    limits = np.array([BAIL_MONTHS[r] or 0 for r in ranks])
    rank = np.searchsorted(limits, months_needed)  # first limit >= months needed
    court = rank >= len(ranks)
    # A court extends in steps of three months past nine.
    court_months = 9 + 3 * np.ceil((months_needed - 9) / 3.0).astype(np.int64)
    months = np.where(court, court_months, limits[np.minimum(rank, len(ranks) - 1)])
    authority = np.where(
        court,
        BailAuthority.MAGISTRATES_COURT.value,
        np.array([r.value for r in ranks], dtype=object)[np.minimum(rank, len(ranks) - 1)],
    ).astype(object)
    expires = add_months(starts, months)

    relationship = cases.relationship[case]
    domestic = np.isin(relationship, [off.PARTNER, off.EX_PARTNER, off.FAMILY])
    sexual = np.isin(cases.subgroup[case], list(_SEXUAL))
    conditions = np.where(
        domestic,
        "Not to contact the victim directly or indirectly; not to attend the victim's address",
        np.where(
            sexual,
            "Not to contact the complainant directly or indirectly; to reside at own address",
            "Not to contact the victim directly or indirectly",
        ),
    ).astype(object)
    u = rng.random(len(rows))
    p_yes = np.where(domestic | sexual, 0.85, 0.6)
    views = np.full(len(rows), None, dtype=object)  # not recorded
    views[u < p_yes] = True
    views[(u >= p_yes) & (u < p_yes + 0.1)] = False
    kind = np.where(
        is_bail, BailKind.PRE_CHARGE_BAIL.value, BailKind.RELEASED_UNDER_INVESTIGATION.value
    )
    return Bail(
        case=case,
        kind=kind.astype(object),
        starts=starts,
        expires=np.where(is_bail, expires, NAT_D),
        authority=off.none_where(~is_bail, authority),
        conditions=off.none_where(~is_bail, conditions),
        victim_views_sought=off.none_where(~is_bail, views),
    )


_ORDER_CONDITIONS = {
    OrderKind.DVPN: "Not to molest the protected person; not within 100 metres of their home",
    OrderKind.DVPO: "Not to molest the protected person; not to enter or come within 100 metres "
    "of their home",
    OrderKind.NON_MOLESTATION: "Not to use or threaten violence against, intimidate, harass or "
    "pester the protected person",
    OrderKind.RESTRAINING: "Not to contact the protected person directly or indirectly",
    OrderKind.STALKING_PROTECTION: "Not to contact the protected person; not to enter the "
    "exclusion zone around their home",
    OrderKind.SEXUAL_HARM_PREVENTION: "Not to have unsupervised contact with any child under 16; "
    "to declare any new relationship",
}


def orders(
    rng: np.random.Generator,
    cases: Cases,
    a: Arrests,
    end: np.datetime64,
) -> Orders:
    """Protective orders arising from the cases, and their breaches (see the module docstring)."""
    # Per kind of order: (case, kind, starts, expires, protected person, in force from).
    parts: list[tuple[IntArray, OrderKind, npt.NDArray[Any], npt.NDArray[Any], IntArray, Any]]
    parts = []
    ten_am = np.timedelta64(10 * 60, "m")
    one_day = np.timedelta64(1, "D")

    def days(values: npt.NDArray[np.float64]) -> npt.NDArray[np.timedelta64]:
        return np.round(values).astype(np.int64).astype("timedelta64[D]")

    case = a.case
    rel = cases.relationship[case]
    domestic = np.isin(rel, [off.PARTNER, off.EX_PARTNER, off.FAMILY])
    arrest_day = a.arrested.astype("datetime64[D]")
    charged = ~np.isnat(a.charged)
    # Notice (48 hours) after a domestic abuse arrest without charge; most go on to an order.
    dvpn = domestic & ~charged & (rng.random(len(case)) < 0.08)
    starts = arrest_day[dvpn]
    released = a.arrested[dvpn] + np.timedelta64(6 * 60, "m")
    parts.append(
        (
            case[dvpn],
            OrderKind.DVPN,
            starts,
            starts + 2 * one_day,
            cases.victim[case[dvpn]],
            released,
        )
    )
    dvpo = rng.random(len(starts)) < 0.8
    o_starts = starts[dvpo] + one_day
    o_len = days(rng.integers(14, 29, int(dvpo.sum())).astype(np.float64))
    parts.append(
        (
            case[dvpn][dvpo],
            OrderKind.DVPO,
            o_starts,
            o_starts + o_len,
            cases.victim[case[dvpn][dvpo]],
            o_starts.astype("datetime64[m]") + ten_am,
        )
    )

    # Restraining orders on conviction (and a few on acquittal) for domestic abuse and stalking;
    # sexual harm prevention orders on conviction for sexual offences.
    outcome = a.outcome
    convicted = np.isin(outcome, list(CONVICTED))
    acquitted = outcome == "Defendant found not guilty"
    stalking = cases.subgroup[case] == "Stalking and harassment"
    sexual = np.isin(cases.subgroup[case], list(_SEXUAL))
    u = rng.random(len(case))
    ro = (domestic | stalking) & ((convicted & (u < 0.6)) | (acquitted & (u < 0.15)))
    starts = a.outcome_at[ro].astype("datetime64[D]")
    length = days(rng.uniform(365, 5 * 365, int(ro.sum())))
    forever = rng.random(int(ro.sum())) < 0.2
    parts.append(
        (
            case[ro],
            OrderKind.RESTRAINING,
            starts,
            np.where(forever, NAT_D, starts + length),
            cases.victim[case[ro]],
            a.outcome_at[ro],
        )
    )
    shpo = sexual & convicted & (u < 0.75)
    starts = a.outcome_at[shpo].astype("datetime64[D]")
    forever = rng.random(int(shpo.sum())) < 0.4
    length = days(np.where(rng.random(int(shpo.sum())) < 0.5, 5 * 365.25, 10 * 365.25))
    parts.append(
        (
            case[shpo],
            OrderKind.SEXUAL_HARM_PREVENTION,
            starts,
            np.where(forever, NAT_D, starts + length),
            np.full(int(shpo.sum()), -1),
            a.outcome_at[shpo],
        )
    )
    # Stalking protection orders, applied for by the police some weeks after a stalking arrest.
    spo = (cases.code[case] == "8Q") & (rng.random(len(case)) < 0.12)
    starts = arrest_day[spo] + days(rng.uniform(20, 90, int(spo.sum())))
    length = days(rng.uniform(2 * 365.25, 5 * 365.25, int(spo.sum())))
    parts.append(
        (
            case[spo],
            OrderKind.STALKING_PROTECTION,
            starts,
            starts + length,
            cases.victim[case[spo]],
            starts.astype("datetime64[m]") + ten_am,
        )
    )

    # Non-molestation orders (a family court, on the victim's application) after repeated
    # intimate-partner abuse: at the second reported offence against the same partner.
    intimate = np.flatnonzero(np.isin(cases.relationship, [off.PARTNER, off.EX_PARTNER]))
    pairs = pl.DataFrame(
        {
            "row": intimate,
            "suspect": cases.suspect[intimate],
            "victim": cases.victim[intimate],
            "reported": cases.reported[intimate].astype("datetime64[us]"),
        }
    ).sort("suspect", "victim", "reported")
    second = pairs.with_columns(nth=pl.int_range(pl.len()).over("suspect", "victim")).filter(
        pl.col("nth") == 1
    )
    nmo_rows = second["row"].to_numpy()
    nmo_rows = nmo_rows[rng.random(len(nmo_rows)) < 0.15]
    starts = cases.reported[nmo_rows].astype("datetime64[D]") + days(
        rng.uniform(14, 60, len(nmo_rows))
    )
    length = days(rng.uniform(180, 365, len(nmo_rows)))
    parts.append(
        (
            nmo_rows,
            OrderKind.NON_MOLESTATION,
            starts,
            starts + length,
            cases.victim[nmo_rows],
            starts.astype("datetime64[m]") + ten_am,
        )
    )

    case_of = np.concatenate([p[0] for p in parts]).astype(np.int64)
    kind = np.concatenate([np.full(len(p[0]), p[1].value, dtype=object) for p in parts])
    starts = np.concatenate([p[2] for p in parts]).astype("datetime64[D]")
    expires = np.concatenate([p[3] for p in parts]).astype("datetime64[D]")
    protected = np.concatenate([p[4] for p in parts]).astype(np.int64)
    since = np.concatenate([p[5] for p in parts]).astype("datetime64[m]")
    keep = since < end
    case_of, kind, starts, expires, protected, since = (
        case_of[keep],
        kind[keep],
        starts[keep],
        expires[keep],
        protected[keep],
        since[keep],
    )
    person = cases.suspect[case_of]
    conditions = np.array([_ORDER_CONDITIONS[OrderKind(k)] for k in kind], dtype=object)
    breached = _breaches(rng, cases, person, since, expires, protected, end)
    return Orders(person, kind, starts, expires, conditions, protected, breached)


def _breaches(
    rng: np.random.Generator,
    cases: Cases,
    person: IntArray,
    since: Minutes,
    expires: npt.NDArray[np.datetime64],
    protected: IntArray,
    end: np.datetime64,
) -> Minutes:
    """When each order was first breached: the first offence by its subject against the
    protected person while it ran (from `since`, when it came into force), else, one in twenty
    (one in twelve for a sexual harm prevention order, which protects no one person), a breach
    recorded without an offence."""
    n = len(person)
    start_m = since
    until = np.where(
        np.isnat(expires), end, (expires + np.timedelta64(1, "D")).astype("datetime64[m]")
    )
    until = np.minimum(until, end)
    orders_f = pl.DataFrame(
        {
            "order": np.arange(n),
            "suspect": person,
            "victim": protected,
            "lo": start_m.astype("datetime64[us]"),
            "hi": until.astype("datetime64[us]"),
        }
    )
    offences_f = pl.DataFrame(
        {
            "suspect": cases.suspect,
            "victim": cases.victim,
            "at": cases.occurred.astype("datetime64[us]"),
        }
    )
    hits = (
        orders_f.join(offences_f, on=["suspect", "victim"])
        .filter((pl.col("at") >= pl.col("lo")) & (pl.col("at") < pl.col("hi")))
        .group_by("order")
        .agg(pl.col("at").min())
    )
    breached = np.full(n, NAT_M)
    if hits.height:
        breached[hits["order"].to_numpy()] = hits["at"].to_numpy().astype("datetime64[m]")
    span = (until - start_m).astype(np.int64)
    p_other = np.where(protected < 0, 1.0 / 12.0, 1.0 / 20.0)
    other = np.isnat(breached) & (rng.random(n) < p_other) & (span > 60)
    offset = (rng.random(n) * np.maximum(span, 1)).astype(np.int64).astype("timedelta64[m]")
    breached = np.where(other, start_m + offset, breached)
    return breached
