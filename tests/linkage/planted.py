"""Crimes with planted series, and a model fitted on them, for the scale tests: each series'
crimes near in place (about 200 m), time (days) and habit (same MO), series and one-off crimes
spread over 30 km and two years. Not the GPL reference data."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from streetlight.linkage.crimes import CrimeTable, Offenders
from streetlight.linkage.evidence import compare
from streetlight.linkage.models import LogisticLinkage
from streetlight.linkage.pairs import make_pairs

LEVELS = ("door", "window", "roof", "garage")


def planted(
    series: int, size: int, one_off: int, seed: int
) -> tuple[CrimeTable, npt.NDArray[np.intp]]:
    """The crimes and each one's series (0..series-1; -1 for a one-off)."""
    rng = np.random.default_rng(seed)
    who = np.r_[np.repeat(np.arange(series), size), np.full(one_off, -1)]
    n = len(who)
    centre = rng.uniform(0, 30_000, size=(series, 2))
    day = rng.uniform(0, 700, series)
    habit = rng.integers(0, len(LEVELS), series)
    solo = who < 0
    place = np.where(
        solo[:, None], rng.uniform(0, 30_000, (n, 2)), centre[who] + rng.normal(0, 200, (n, 2))
    )
    when = np.where(solo, rng.uniform(0, 700, n), day[who] + rng.uniform(0, 10, n))
    start = np.datetime64("2024-01-01T00:00") + (when * 1440).astype(np.int64).astype(
        "timedelta64[m]"
    )
    width = np.where(rng.random(n) < 0.5, 0, rng.integers(0, 12 * 60, n)).astype("timedelta64[m]")
    mo = np.where(solo, rng.integers(0, len(LEVELS), n), habit[who]).astype(np.int32)
    table = CrimeTable(
        ids=np.array([f"c{k:04d}" for k in range(n)]),
        x=place[:, 0],
        y=place[:, 1],
        t_from=start,
        t_to=start + width,
        categorical={"entry": mo},
        levels={"entry": LEVELS},
    )
    return table, who.astype(np.intp)


def offenders_of(crimes: CrimeTable, who: npt.NDArray[np.intp]) -> Offenders:
    """Every crime solved: series crimes by their series' offender, one-offs each by their own."""
    names = np.array(
        [f"s{w}" if w >= 0 else f"one{k}" for k, w in enumerate(who.tolist())], dtype=np.str_
    )
    return Offenders(offender=names, crime=crimes.ids.copy())


def fitted(crimes: CrimeTable, who: npt.NDArray[np.intp], seed: int = 0) -> LogisticLinkage:
    pairs = make_pairs(crimes, offenders_of(crimes, who), seed=seed)
    evidence = compare(crimes, pairs.i, pairs.j)
    return LogisticLinkage().fit(evidence, pairs.linked, pairs.weight)
