"""Small crime tables whose answer is known by construction (not the GPL reference data)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from streetlight.linkage.crimes import CrimeTable, Offenders
from streetlight.linkage.evidence import Evidence


def offender_crimes(n: int, seed: int, *, per: int = 5) -> tuple[CrimeTable, npt.NDArray[np.intp]]:
    """`n` crimes by n/per offenders, each offender's crimes within a few hundred metres and a
    few weeks, sharing an entry method; offenders' homes spread over 30 km and two years."""
    rng = np.random.default_rng(seed)
    who = np.repeat(np.arange(n // per), per)
    home = rng.uniform(0, 30_000, size=(n // per, 2))[who]
    start = rng.uniform(0, 700, size=n // per)[who] + rng.uniform(0, 30, size=n)
    t = np.datetime64("2024-01-01T00:00") + (start * 1440).astype("timedelta64[m]")
    mo = rng.integers(0, 3, size=n // per)[who].astype(np.int32)
    table = CrimeTable(
        ids=np.array([f"c{k}" for k in range(n)]),
        x=home[:, 0] + rng.normal(0, 300, n),
        y=home[:, 1] + rng.normal(0, 300, n),
        t_from=t,
        t_to=t + np.timedelta64(60, "m"),
        categorical={"entry": mo},
        levels={"entry": ("door", "window", "roof")},
    )
    return table, who.astype(np.intp)


def offenders_of(table: CrimeTable, who: npt.NDArray[np.intp]) -> Offenders:
    return Offenders(
        offender=np.array([f"o{w}" for w in who]), crime=np.asarray(table.ids, dtype=np.str_)
    )


def evidence(
    *,
    spatial: npt.ArrayLike = (),
    categorical: dict[str, npt.ArrayLike] | None = None,
    n: int | None = None,
) -> Evidence:
    """Evidence with chosen values: unset variables are zeros (any row pairs)."""
    cats = {k: np.asarray(v, dtype=np.float64) for k, v in (categorical or {}).items()}
    size = n if n is not None else len(np.asarray(spatial)) or len(next(iter(cats.values())))
    s = np.asarray(spatial, dtype=np.float64) if len(np.asarray(spatial)) else np.zeros(size)
    zeros = np.zeros(size)
    rows = np.arange(size, dtype=np.intp)
    return Evidence(rows, rows, s, zeros, zeros, zeros, cats, {})
