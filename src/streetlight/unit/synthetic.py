"""A synthetic force for the offender units: a seeded generator of a records-management extract
of people who are not real, for the demo, the tests and benchmarks. No public data of this kind
exists (person-level crime records are never published), so the generator is calibrated to the
few published figures about how harm from violence against women and girls concentrates.

Everything it makes is synthetic and says so: every name starts "SYNTH-", every reference
"SYN", every CSV row ends "SYNTHETIC - NOT REAL", the extract's README.txt says it, and its
mapping (`mappings/unit-synthetic.toml`) has `synthetic = true` in its [unit] table.

`generate(config, seed)` returns the canonical tables of `extract.py` as polars frames
(`SyntheticForce`); `write_extract(force, folder)` writes them in a force-like layout (its own
headers and words, UK date-times) that `mappings/unit-synthetic.toml` maps back. Two presets:
`DEFAULT`, a demo force (three years, about 3,500 suspects of violence against women and girls a
year, a second to make), and `FORCE`, ten times bigger (about 300,000 offences, 200,000 people;
seconds), for benchmarks.

## What it is calibrated to (measured by `concentration.measure`; the checks are
## `tests/unit/test_synthetic.py`, the numbers printed by `benchmarks/bench_unit_synthetic.py`)

1. **Intimate partner violence, Thames Valley** (Barnham, Barnes & Sherman 2017, "Targeting
   escalation of intimate partner violence: evidence from 52,000 offenders", Cambridge Journal of
   Evidence-Based Policing 1(2-3)): of 52,296 perpetrators whose first report fell in the intake
   period, each followed for 731 days, 77.6% had no further crime report and 3% caused 90% of the
   harm (Cambridge Crime Harm Index). Measured here the same way: suspects of VAWG offences with
   relationship partner or ex-partner whose first such report (over the whole extract) falls in
   its first year, followed 731 days from that report; "further" is another such report; harm is
   the CCHI days of those reports, the first included. Matched by the career length (continuation
   probability against the latent propensity) and by tying severity to propensity.
2. **Domestic abuse dyads, Suffolk** (Bland & Ariel 2015, "Targeting escalation in reported
   domestic abuse: evidence from 36,000 callouts", International Criminal Justice Review 25(1)):
   fewer than 2% of victim-offender pairs accounted for 80% of the harm (and 76% of pairs had no
   repeat call). Measured over the whole extract: offences with relationship partner, ex-partner
   or family, harm summed per (suspect, victim); the smallest share of pairs holding 80% of it.
3. **London's first "top 100"** (Metropolitan Police, 2023: about 35,000 men reported for VAWG
   offences a year; the first V100 had 445 offences against 201 victims, so 4.45 offences and
   2.01 victims each). Measured as a harm ranking of suspects would: suspects ranked by summed CCHI
   days of VAWG offences reported in the extract's last 365 days; the top `k`, where `k` is 100
   scaled by the force's VAWG suspects that year against London's 35,000 (the demo force is a
   tenth of London, so `k` = 10; the `FORCE` preset is London-sized, `k` = 100); their offences
   and distinct victims in those 365 days, per person.

Harm per offence is the CCHI median days of its Home Office subgroup (`harm.read_subgroup_harm`,
the packaged table and its provenance).

## What the figures leave out
They come from different forces, years and definitions, and the generator matches each only as
measured above. Thames Valley counted non-crime incidents and used the 2016 CCHI; its first
report could be a non-crime, and left-censoring (careers already under way at the intake's
start) is in both. Here every record is a crime, and CCHI subgroup medians (2026) weigh them: to
reproduce the concentration with medians the low-harm majority's reports are mostly 10-day
offences (common assault, harassment, coercive control) and assault with injury is rarer among
one-off perpetrators than national domestic-abuse mixes suggest. Suffolk counted callouts over
five years, not crimes over three; London's V100 was chosen by a recency-frequency-gravity
score, not summed CCHI, and its "offences" may span more than a year. None says what the
figures would be for a real force like this one.

## What the model is (see the modules)
- `synthetic_offending`: perpetrators with a heavy-tailed latent propensity (the career's length
  and pace) and a correlated severity, careers as a renewal process with bursts, escalation in a
  minority, four kinds of offending (intimate partner, family, sexual, stalking) and victims:
  partners and ex-partners over time, several for serial perpetrators; a minority of other,
  non-VAWG offences by the same people; counter-allegations.
- `synthetic_events`: time of day and day of week, reporting delays, places clustered around
  homes and town centres in a Teesside-like box of British National Grid (EPSG:27700) metres.
- `synthetic_justice`: arrests, charges, data.police.uk outcomes, pre-charge bail with authority
  consistent with its length, release under investigation, protective orders and breaches.
- `synthetic_people`: demographics with a force's recording gaps; obviously synthetic names.
- `synthetic_layout`: the force-like files and the README.

The true offender of every offence, including those with no identified suspect, is kept in
`SyntheticForce.truth` (never in the extract), for evaluating crime linkage.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from streetlight.db.enums import PersonRole, Sex
from streetlight.errors import ConfigError
from streetlight.progress import Progress, no_progress
from streetlight.unit import synthetic_events as events
from streetlight.unit import synthetic_justice as justice
from streetlight.unit import synthetic_layout as layout
from streetlight.unit import synthetic_offending as off
from streetlight.unit import synthetic_people as people
from streetlight.unit.concentration import Figures, measure
from streetlight.unit.extract import (
    ARRESTS,
    BAIL,
    LINKS,
    OFFENCES,
    ORDERS,
    PEOPLE,
    TABLES,
    Table,
    read_offence_codes,
)
from streetlight.unit.harm import SUBGROUP_HARM_NOTE, read_subgroup_harm
from streetlight.unit.synthetic_events import DAY
from streetlight.unit.synthetic_offending import Calibration

IntArray = npt.NDArray[np.int64]
ObjArray = npt.NDArray[np.object_]

# data.police.uk crime category of each offence subgroup the generator uses.
CATEGORY = {
    "Homicide": "Violence and sexual offences",
    "Violence with injury": "Violence and sexual offences",
    "Violence without injury": "Violence and sexual offences",
    "Stalking and harassment": "Violence and sexual offences",
    "Rape offences": "Violence and sexual offences",
    "Other sexual offences": "Violence and sexual offences",
    "Criminal damage": "Criminal damage and arson",
    "Residential burglary": "Burglary",
}
DOMESTIC = (off.PARTNER, off.EX_PARTNER, off.FAMILY)
SYNTHETIC_TITLE = "SYNTHETIC DATA - NOT REAL PEOPLE"  # the README's first line


class SyntheticConfigError(ConfigError):
    """A synthetic-force setting that cannot be used (the message names it)."""


@dataclass(frozen=True)
class SyntheticConfig:
    """What to generate. `perpetrators_per_year`: people whose first recorded offence (of a
    career that may already be under way) falls in each year; the extract holds those whose
    offences are reported within its `years` from `start`."""

    start: date = date(2023, 1, 1)
    years: int = 3
    perpetrators_per_year: float = 3_500.0
    calibration: Calibration = field(default_factory=Calibration)


DEFAULT = SyntheticConfig()
FORCE = SyntheticConfig(perpetrators_per_year=62_000.0)
PRESETS: dict[str, SyntheticConfig] = {"default": DEFAULT, "force": FORCE}


@dataclass(frozen=True)
class SyntheticForce:
    """A synthetic force's extract: the canonical tables of `extract.py` (columns and values as
    the import produces them), plus `truth`, never part of the extract: every offence's real
    offender (`offence_ref`, `person_ref`), identified or not."""

    config: SyntheticConfig
    seed: int
    offences: pl.DataFrame
    people: pl.DataFrame
    links: pl.DataFrame
    arrests: pl.DataFrame
    bail: pl.DataFrame
    orders: pl.DataFrame
    truth: pl.DataFrame

    @property
    def start(self) -> date:
        return self.config.start

    @property
    def end(self) -> date:
        """The first day after the extract."""
        return _end(self.config)

    def table(self, name: str) -> pl.DataFrame:
        """A canonical table by its name in `extract.TABLES` ("offences", "people", ...)."""
        frames = {
            "offences": self.offences,
            "people": self.people,
            "links": self.links,
            "arrests": self.arrests,
            "bail": self.bail,
            "orders": self.orders,
        }
        return frames[name]


def _end(config: SyntheticConfig) -> date:
    s = config.start
    day = min(s.day, 28) if s.month == 2 else s.day
    return date(s.year + config.years, s.month, day)


def _check(config: SyntheticConfig) -> None:
    if config.years < 1:
        raise SyntheticConfigError(f"years must be at least 1, not {config.years}")
    if not config.perpetrators_per_year > 0:
        raise SyntheticConfigError(
            f"perpetrators_per_year must be above 0, not {config.perpetrators_per_year}"
        )
    shares = config.calibration.kind_shares
    if len(shares) != len(off.Kind) or min(shares) < 0 or sum(shares) <= 0:
        raise SyntheticConfigError(f"kind_shares must be {len(off.Kind)} shares >= 0, not {shares}")


def generate(config: SyntheticConfig, seed: int) -> SyntheticForce:
    """A synthetic force (not real people): the same `config` and `seed` always give the same
    tables. See the module docstring for the model and its calibration."""
    _check(config)
    rng = np.random.default_rng(seed)
    crimes, persons = _offending(rng, config)
    return _extract(rng, config, seed, crimes, persons)


def _offending(rng: np.random.Generator, config: SyntheticConfig) -> tuple[_Crimes, _Persons]:
    """Every offence reported within the extract, and every person."""
    span = (_end(config) - config.start).days
    crimes, persons = _crimes(rng, config, float(span))
    keep = np.flatnonzero((crimes.reported >= 0) & (crimes.reported < span * DAY))
    return _take(crimes, keep), persons


@dataclass(frozen=True)
class MadeExtract:
    """A synthetic force written as an extract: the force, the files written (README first; the
    zip last when asked for) and its figures beside the published ones."""

    force: SyntheticForce
    paths: list[Path]
    figures: Figures


def make_extract(
    config: SyntheticConfig,
    seed: int,
    folder: Path,
    *,
    zip_path: Path | None = None,
    progress: Progress = no_progress,
) -> MadeExtract:
    """Generate a synthetic force (not real people), write its extract into `folder` and measure
    its figures: `streetlight unit synthetic`, and the demo's unit. `folder` must be new, empty
    or an earlier synthetic extract, so that invented people are never mixed into a real
    extract's folder. `progress` wraps the four steps (generating the offending and building the
    tables take the time)."""
    _check(config)
    _check_folder(folder)
    rng = np.random.default_rng(seed)
    # Each next() marks the step before it done: the bar moves as the work does.
    steps = iter(progress(("offending", "tables", "files", "figures"), total=4))
    next(steps)
    crimes, persons = _offending(rng, config)
    next(steps)
    force = _extract(rng, config, seed, crimes, persons)  # as generate() makes it
    next(steps)
    paths = write_extract(force, folder, zip_path=zip_path)
    next(steps)
    figures = measure(force.offences, force.links, start=force.start, end=force.end)
    for _ in steps:  # the last step done
        pass
    return MadeExtract(force, paths, figures)


def _check_folder(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise SyntheticConfigError(f"{folder}: not a folder")
    if not folder.exists() or not any(folder.iterdir()):
        return
    readme = folder / "README.txt"
    if readme.is_file() and readme.read_bytes().startswith(SYNTHETIC_TITLE.encode()):
        return
    raise SyntheticConfigError(
        f"{folder}: holds other files; write a synthetic extract into a new or empty folder "
        "(or over an earlier synthetic extract), never beside real records"
    )


@dataclass(frozen=True)
class _Crimes:
    """Offences by row: who against whom (person ids), what, when (minutes from the start;
    `events.NONE` for no time) and where (metres; NaN for nowhere)."""

    suspect: IntArray  # the real offender, identified or not
    victim: IntArray
    code: ObjArray
    table: IntArray  # `synthetic_offending.Table`
    relationship: IntArray
    occurred_from: IntArray
    occurred_to: IntArray
    reported: IntArray
    x: npt.NDArray[np.float64]
    y: npt.NDArray[np.float64]


@dataclass(frozen=True)
class _Persons:
    """Person attributes by person id: sex, and age in years on `ref_day` (days from start)."""

    sex: npt.NDArray[np.str_]
    ref_day: npt.NDArray[np.float64]
    age: npt.NDArray[np.float64]


def _take(crimes: _Crimes, rows: IntArray) -> _Crimes:
    return _Crimes(**{f.name: getattr(crimes, f.name)[rows] for f in fields(_Crimes)})


def _join(a: _Crimes, b: _Crimes) -> _Crimes:
    return _Crimes(
        **{
            f.name: np.concatenate([getattr(a, f.name), getattr(b, f.name)])
            for f in fields(_Crimes)
        }
    )


def _crimes(
    rng: np.random.Generator, config: SyntheticConfig, span: float
) -> tuple[_Crimes, _Persons]:
    """Every offence of the careers and of the same people's other offending, with times and
    places, and counter-allegations; persons numbered perpetrators, then their victims, then the
    victims of their other offences."""
    cal = config.calibration
    n_perps = round(config.perpetrators_per_year * (config.years + cal.burn_in_years))
    perps = off.perpetrators(rng, n_perps, span, cal)
    careers = off.careers(rng, perps, span, cal)
    vic = off.victims(rng, perps, careers)
    n_p, n_v = len(perps), len(vic.perp)

    victim_age = vic.age[careers.victim] + (careers.day - vic.first_day[careers.victim]) / 365.25
    code = off.resolve_codes(
        careers.act,
        vic.sex[careers.victim] == Sex.MALE.value,
        victim_age,
        perps.sex[careers.perp] == Sex.FEMALE.value,
    )
    c_perp, c_day, c_act = off.context_offences(rng, perps, careers, span, cal)
    n_c = len(c_perp)
    c_rel = rng.choice([off.STRANGER, off.ACQUAINTANCE, off.FAMILY], n_c, p=[0.5, 0.45, 0.05])
    c_sex = people.sexes(rng, np.full(n_c, 0.85))
    c_age = people.adult_ages(rng, n_c, 32.0)
    c_x, c_y = people.homes(rng, n_c)

    suspect = np.concatenate([careers.perp, c_perp])
    victim = np.concatenate([n_p + careers.victim, n_p + n_v + np.arange(n_c)])
    code = np.concatenate([code, c_act]).astype(object)
    table = np.concatenate([careers.table, np.full(n_c, off.Table.CONTEXT)]).astype(np.int64)
    relationship = np.concatenate([careers.relationship, c_rel]).astype(np.int64)
    persons = _Persons(
        sex=np.concatenate([perps.sex, vic.sex, c_sex]),
        ref_day=np.concatenate([perps.entry, vic.first_day, c_day]),
        age=np.concatenate([perps.age, vic.age, c_age]),
    )
    home_x = np.concatenate([perps.home_x, vic.home_x, c_x])
    home_y = np.concatenate([perps.home_y, vic.home_y, c_y])

    rhythm = events.rhythms(table, code, relationship)
    t = events.times(rng, np.concatenate([careers.day, c_day]), rhythm, code, config.start)
    x, y = events.places(
        rng,
        rhythm,
        table,
        code,
        (home_x[suspect], home_y[suspect]),
        (home_x[victim], home_y[victim]),
    )
    crimes = _Crimes(
        suspect, victim, code, table, relationship, t.occurred_from, t.occurred_to, t.reported, x, y
    )

    # Counter-allegations: a man accused of abusing his partner alleges an assault by her, minutes
    # later, at the same place.
    sex = persons.sex
    counter = np.flatnonzero(
        (table == off.Table.INTIMATE)
        & (sex[suspect] == Sex.MALE.value)
        & (sex[victim] == Sex.FEMALE.value)
        & (rng.random(len(table)) < cal.counter_allegation)
    )
    lag = rng.integers(0, 31, len(counter))
    source = _take(crimes, counter)
    answer = replace(
        source,
        suspect=source.victim,
        victim=source.suspect,
        code=np.full(len(counter), "105A", dtype=object),
        occurred_from=source.occurred_from + lag,
        occurred_to=np.full(len(counter), events.NONE),
        reported=source.reported + lag,
    )
    return _join(crimes, answer), persons


def _extract(
    rng: np.random.Generator,
    config: SyntheticConfig,
    seed: int,
    crimes: _Crimes,
    persons: _Persons,
) -> SyntheticForce:
    """The extract's tables from the offences reported within it."""
    start, end = config.start, _end(config)
    n = len(crimes.code)
    codes = read_offence_codes()
    harm = read_subgroup_harm()
    subgroup = off.lookup(crimes.code, {c: o.subgroup for c, o in codes.items()})
    missing_harm = set(subgroup.tolist()) - set(harm)
    if missing_harm:  # the packaged tables disagree: a bug here, not a user's mistake
        raise SyntheticConfigError(f"offence subgroups without CCHI days: {sorted(missing_harm)}")
    sex = persons.sex
    # VAWG: the code's default (sexual offences, stalking and harassment), and any domestic
    # abuse against a woman or girl.
    vawg = off.lookup(crimes.code, {c: o.vawg for c, o in codes.items()}).astype(bool) | (
        np.isin(crimes.relationship, DOMESTIC) & (sex[crimes.victim] == Sex.FEMALE.value)
    )
    # Suspects go unidentified mostly when they are strangers to the victim.
    rel = crimes.relationship
    p_unknown = np.select(
        [rel == off.STRANGER, rel == off.UNKNOWN, rel == off.ACQUAINTANCE], [0.55, 0.4, 0.08], 0.015
    )
    ident = np.flatnonzero(rng.random(n) >= p_unknown)
    # A relationship is sometimes not recorded at all.
    relationship = np.where(rng.random(n) < 0.02, off.NOT_RECORDED, rel)
    # Witnesses: one for about one offence in eight.
    witnessed = np.flatnonzero(rng.random(n) < 0.12)
    first_witness = len(sex)
    witness = first_witness + np.arange(len(witnessed))
    persons = _Persons(
        sex=np.concatenate([sex, people.sexes(rng, np.full(len(witnessed), 0.5))]),
        ref_day=np.concatenate([persons.ref_day, crimes.reported[witnessed] / DAY]),
        age=np.concatenate([persons.age, people.adult_ages(rng, len(witnessed), 38.0)]),
    )

    start64, end64 = np.datetime64(start, "m"), np.datetime64(end, "m")

    def at(minutes: IntArray) -> npt.NDArray[np.datetime64]:
        out = start64 + minutes.astype("timedelta64[m]")  # NONE is numpy's NaT
        return np.where(minutes != events.NONE, out, np.datetime64("NaT", "m"))

    occurred, reported = at(crimes.occurred_from), at(crimes.reported)
    cases = justice.Cases(
        offence=ident,
        suspect=crimes.suspect[ident],
        victim=crimes.victim[ident],
        subgroup=subgroup[ident],
        code=crimes.code[ident],
        relationship=relationship[ident],
        occurred=occurred[ident],
        reported=reported[ident],
    )
    arrests, bail = justice.arrests(rng, cases, end64)
    orders = justice.orders(rng, cases, arrests, end64)

    # Person references for everyone linked, and for the real offenders of unsolved offences.
    n_persons = len(persons.sex)
    linked = np.zeros(n_persons, dtype=bool)
    linked[cases.suspect] = linked[crimes.victim] = linked[witness] = True
    referenced = linked.copy()
    referenced[crimes.suspect] = True
    number = np.zeros(n_persons, dtype=np.int64)
    number[referenced] = rng.permutation(int(referenced.sum())) + 1
    person_ref = _refs("SYN-N", number, 7)
    arrested = np.zeros(n_persons, dtype=bool)
    arrested[cases.suspect[arrests.case]] = True
    suspected = np.zeros(n_persons, dtype=bool)
    suspected[cases.suspect] = True
    listed = np.flatnonzero(linked)
    listed = listed[np.argsort(number[listed])]  # in the order of their references
    people_frame = _people(
        rng, start, persons, person_ref, listed, arrested, suspected, first_witness
    )

    order = np.lexsort((np.arange(n), crimes.reported))  # crime references in report order
    offence_ref = _offence_refs(reported, order)
    rel_words = np.array([r.value for r in off.RELATIONSHIPS] + [None], dtype=object)
    offences = _table(
        OFFENCES,
        {
            "offence_ref": offence_ref,
            "ho_code": crimes.code,
            "category": off.lookup(subgroup, CATEGORY),
            "vawg": vawg,
            "occurred_from": _us(occurred),
            "occurred_to": _us(at(crimes.occurred_to)),
            "reported_at": _us(reported),
            "x": crimes.x,
            "y": crimes.y,
            "relationship": rel_words[relationship],  # -1, not recorded, is the last: None
        },
    )[order]  # references sort as reports do, so this is the order of the references
    # Links in the order of (offence_ref, role, person_ref): report order, then the roles
    # alphabetically, then person numbers (zero-padded, so they sort as the references do).
    offence = np.concatenate([ident, np.arange(n), witnessed])
    person = np.concatenate([cases.suspect, crimes.victim, witness])
    roles = (PersonRole.SUSPECT, PersonRole.VICTIM, PersonRole.WITNESS)
    role = np.repeat(np.arange(3), [len(ident), n, len(witnessed)])
    by = np.lexsort((number[person], role, _numbers(order)[offence]))
    links = _table(
        LINKS,
        {
            "person_ref": person_ref[person[by]],
            "offence_ref": offence_ref[offence[by]],
            "role": np.array([r.value for r in roles], dtype=object)[role[by]],
        },
    )
    truth = pl.DataFrame(
        {"offence_ref": offence_ref[order], "person_ref": person_ref[crimes.suspect[order]]}
    )
    return SyntheticForce(
        config=config,
        seed=seed,
        offences=offences,
        people=people_frame,
        links=links,
        arrests=_arrest_frame(cases, arrests, person_ref, offence_ref),
        bail=_bail_frame(cases, bail, person_ref, offence_ref),
        orders=_order_frame(orders, person_ref),
        truth=truth,
    )


def _people(
    rng: np.random.Generator,
    start: date,
    persons: _Persons,
    person_ref: pl.Series,
    rows: IntArray,
    arrested: npt.NDArray[np.bool_],
    suspected: npt.NDArray[np.bool_],
    first_witness: int,
) -> pl.DataFrame:
    """The people table (`rows`: person ids, in order), recorded as a force records them
    (synthetic people, with a force's gaps): ethnicity not stated for about a
    quarter (least for those arrested, asked in custody), a few dates of birth and forenames
    missing, a few with no sex recorded."""
    n = len(persons.sex)
    p_not_stated = np.where(arrested, 0.08, np.where(suspected, 0.28, 0.26))
    p_not_stated[first_witness:] = 0.32
    p_no_dob = np.where(suspected, 0.02, 0.04)
    p_no_dob[first_witness:] = 0.12
    surname, forenames = people.names(rng, n)
    forenames = off.none_where(rng.random(n) < 0.01, forenames)
    birth = np.floor(persons.ref_day - persons.age * 365.25).astype(np.int64)
    dob = np.datetime64(start, "D") + birth.astype("timedelta64[D]")
    dob = np.where(rng.random(n) < p_no_dob, np.datetime64("NaT", "D"), dob)
    sex = off.none_where(rng.random(n) < 0.005, persons.sex)
    ethnicity = people.ethnicity(rng, p_not_stated)
    return _table(
        PEOPLE,
        {
            "person_ref": person_ref[rows],
            "surname": surname[rows],
            "forenames": forenames[rows],
            "date_of_birth": dob[rows],
            "sex": sex[rows],
            "ethnicity": ethnicity[rows],
        },
    )


# The polars type of each kind of canonical column (date-times naive: local wall clock).
POLARS_TYPES: dict[str, pl.DataType] = {
    "text": pl.String(),
    "bool": pl.Boolean(),
    "date": pl.Date(),
    "datetime": pl.Datetime("us"),
    "float": pl.Float64(),
    "choice": pl.String(),
}


def _table(table: Table, data: dict[str, npt.NDArray[Any] | pl.Series]) -> pl.DataFrame:
    """A canonical table's frame from its columns (object arrays may hold None; NaN is null)."""
    columns = {
        k: v.tolist() if isinstance(v, np.ndarray) and v.dtype == object else v
        for k, v in data.items()
    }
    schema = {c.name: POLARS_TYPES[c.kind.value] for c in table.columns}
    return pl.DataFrame(columns, schema=schema, nan_to_null=True)


def _us(values: npt.NDArray[np.datetime64]) -> npt.NDArray[np.datetime64]:
    """Date-times at a resolution polars takes (it has no minutes), none in the hour the clocks
    skip: arrests, charges, outcomes and breaches are drawn as durations after other events, so
    they can land there, and a force's system never records a wall-clock time that did not
    exist (the import quarantines one)."""
    return _skip_spring_gap(values.astype("datetime64[m]")).astype("datetime64[us]")


def _skip_spring_gap(values: npt.NDArray[np.datetime64]) -> npt.NDArray[np.datetime64]:
    """Local times from 01:00 to 02:00 on the last Sunday of March moved to 02:00 (monotone, so
    the order between times is kept; NaT stays NaT)."""
    known = values[~np.isnat(values)]
    if not len(known):
        return values
    first = int(known.min().astype("datetime64[Y]").astype(np.int64)) + 1970
    last = int(known.max().astype("datetime64[Y]").astype(np.int64)) + 1970
    out = values.copy()
    for year in range(first, last + 1):
        march_end = date(year, 3, 31)
        sunday = march_end - timedelta(days=(march_end.weekday() + 1) % 7)
        gap = np.datetime64(sunday, "m") + np.timedelta64(60, "m")
        out[(out >= gap) & (out < gap + np.timedelta64(60, "m"))] = gap + np.timedelta64(60, "m")
    return out


def _refs(prefix: str, number: IntArray, width: int) -> pl.Series:
    """References "<prefix><number>", the number zero-padded to `width` digits."""
    return prefix + pl.Series(number).cast(pl.String).str.zfill(width)


def _numbers(order: IntArray) -> IntArray:
    """1, 2, ... for the rows in `order`."""
    number = np.empty(len(order), dtype=np.int64)
    number[order] = np.arange(1, len(order) + 1)
    return number


def _offence_refs(reported: npt.NDArray[np.datetime64], order: IntArray) -> pl.Series:
    """Crime references "SYN/23/000123": the report's year, then its number within the year in
    report order (`order` sorts the offences by report)."""
    year = reported.astype("datetime64[Y]").astype(np.int64) + 1970
    frame = pl.DataFrame({"year": year, "rank": _numbers(order)}).select(
        yy=(pl.col("year") % 100).cast(pl.String).str.zfill(2),
        seq=pl.col("rank").rank("ordinal").over("year").cast(pl.String).str.zfill(6),
    )
    return frame.select(ref=pl.lit("SYN/") + pl.col("yy") + pl.lit("/") + pl.col("seq"))["ref"]


def _arrest_frame(
    cases: justice.Cases, a: justice.Arrests, person_ref: pl.Series, offence_ref: pl.Series
) -> pl.DataFrame:
    number = _numbers(np.lexsort((cases.offence[a.case], a.arrested)))
    return _table(
        ARRESTS,
        {
            "arrest_ref": _refs("SYN-CU", number, 7),
            "person_ref": person_ref[cases.suspect[a.case]],
            "offence_ref": offence_ref[cases.offence[a.case]],
            "arrested_at": _us(a.arrested),
            "charged_at": _us(a.charged),
            "outcome": a.outcome,
            "outcome_at": _us(a.outcome_at),
        },
    )[np.argsort(number)]


def _bail_frame(
    cases: justice.Cases, b: justice.Bail, person_ref: pl.Series, offence_ref: pl.Series
) -> pl.DataFrame:
    number = _numbers(np.lexsort((cases.offence[b.case], b.starts)))
    return _table(
        BAIL,
        {
            "bail_ref": _refs("SYN-BL", number, 7),
            "person_ref": person_ref[cases.suspect[b.case]],
            "offence_ref": offence_ref[cases.offence[b.case]],
            "kind": b.kind,
            "starts": b.starts,
            "expires": b.expires,
            "authority": b.authority,
            "conditions": b.conditions,
            "victim_views_sought": b.victim_views_sought,
        },
    )[np.argsort(number)]


def _order_frame(o: justice.Orders, person_ref: pl.Series) -> pl.DataFrame:
    number = _numbers(np.lexsort((o.person, o.starts)))
    protected = person_ref[np.maximum(o.protected, 0)].to_numpy().astype(object)
    return _table(
        ORDERS,
        {
            "order_ref": _refs("SYN-OR", number, 7),
            "person_ref": person_ref[o.person],
            "kind": o.kind,
            "starts": o.starts,
            "expires": o.expires,
            "conditions": o.conditions,
            "protected_person_ref": off.none_where(o.protected < 0, protected),
            "breached_at": _us(o.breached),
        },
    )[np.argsort(number)]


def readme(force: SyntheticForce) -> str:
    """The README.txt of a synthetic extract: what it is, that nobody in it is real, and how to
    read it."""
    c = force.config
    counts = "\n".join(
        f"  {layout.FILES[t.name]:<18} {force.table(t.name).height:>9,} rows  ({t.name})"
        for t in TABLES
    )
    return f"""{SYNTHETIC_TITLE}

This extract was generated by Streetlight's synthetic force (streetlight.unit.synthetic) for
demonstrations, tests and benchmarks. Every person, offence, arrest, bail record and order in it
is invented: names all begin "SYNTH-", every reference begins "SYN", and any resemblance to a
real person or case is chance. It must never be mixed with a force's real records.

Generated with seed {force.seed}: {c.years} years from {c.start.isoformat()},
{c.perpetrators_per_year:,.0f} perpetrators a year coming to notice (same settings and seed, same files).

Files (a force-like layout of its own, not any real system's):
{counts}
Read it with the mapping mappings/unit-synthetic.toml in the Streetlight repository (its [unit]
table says synthetic = true). Date-times are local (Europe/London) as dd/mm/yyyy hh:mm;
Easting/Northing are British National Grid metres (EPSG:27700) around a Teesside-like area.

The offending is calibrated so that harm concentrates as published for real forces (Barnham,
Barnes & Sherman 2017, Thames Valley; Bland & Ariel 2015, Suffolk; the Metropolitan Police's
first "top 100", 2023); see the docstring of streetlight.unit.synthetic for how and what that
leaves out.

{textwrap.fill(SUBGROUP_HARM_NOTE, width=96)}
"""


def write_extract(
    force: SyntheticForce, folder: Path, *, zip_path: Path | None = None
) -> list[Path]:
    """Write the synthetic force's extract (not real people) into `folder` in its force-like
    layout, with a README.txt saying it is synthetic, and also as a zip at `zip_path` if given.
    The files written, README first. Read it with `mappings/unit-synthetic.toml`."""
    frames = {t.name: force.table(t.name) for t in TABLES}
    return layout.write(frames, folder, readme(force), zip_path)
